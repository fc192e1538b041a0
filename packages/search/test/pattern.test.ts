import { describe, expect, it } from 'vitest'
import { compilePatterns, SearchError, type PatternOptions } from '../src/index.js'

/** Lines (as binary strings) that the pattern selects, through the same matcher the engine runs. */
function select(patterns: string[], lines: string[], opts: PatternOptions = {}): string[] {
  const m = compilePatterns(patterns, opts)
  return lines.filter((l) => m.find(l, 0, false) >= 0)
}

describe('BRE (grep default)', () => {
  it('reads \\( \\) \\| \\{ \\} \\+ \\? as operators and ( ) | { } + ? as literals', () => {
    expect(select(['a\\(b\\|c\\)d'], ['abd', 'acd', 'a(b|c)d', 'ad'])).toEqual(['abd', 'acd'])
    expect(select(['a(b|c)d'], ['abd', 'a(b|c)d'])).toEqual(['a(b|c)d'])
    expect(select(['x\\{2,3\\}y'], ['xy', 'xxy', 'xxxxy'])).toEqual(['xxy', 'xxxxy'])
    expect(select(['x\\+y'], ['y', 'xy'])).toEqual(['xy'])
    expect(select(['a+b?'], ['a+b?', 'ab'])).toEqual(['a+b?'])
  })
  it('keeps a leading * literal, and ^ $ anchors only at the ends', () => {
    expect(select(['*a'], ['*a', 'a'])).toEqual(['*a'])
    expect(select(['a^b$c'], ['a^b$c', 'abc'])).toEqual(['a^b$c'])
    expect(select(['^2026'], ['2026-01', 'x2026'])).toEqual(['2026-01'])
  })
  it('back-references, also across -e patterns (numbered per pattern)', () => {
    expect(select(['\\(ab\\)\\1'], ['abab', 'ab'])).toEqual(['abab'])
    expect(select(['\\(x\\)\\1', '\\(y\\)\\1'], ['xx', 'yy', 'xy'])).toEqual(['xx', 'yy'])
  })
  it('POSIX classes, ] first in a bracket, and a backslash literal inside one', () => {
    expect(select(['[[:digit:]]\\{3\\}'], ['554', '55'])).toEqual(['554'])
    expect(select(['[]a]'], [']', 'a', 'b'])).toEqual([']', 'a'])
    expect(select(['[\\]'], ['\\', 'n'])).toEqual(['\\'])
    expect(select(['[^[:alnum:]]'], ['abc', 'a-b'])).toEqual(['a-b'])
  })
  it('word boundaries \\< \\> \\b and \\w \\s', () => {
    expect(select(['\\<mail\\>'], ['mail', 'email', 'mail_mail', 'a mail.'])).toEqual(['mail', 'a mail.'])
    expect(select(['\\w\\s\\w'], ['a b', 'ab'])).toEqual(['a b'])
  })
})

describe('ERE (-E)', () => {
  it('groups, alternation, intervals including {,n}', () => {
    expect(select(['(ab|cd)+e'], ['abcde', 'e'], { syntax: 'extended' })).toEqual(['abcde'])
    expect(select(['^a{,2}c'], ['aac', 'aaac', 'c'], { syntax: 'extended' })).toEqual(['aac', 'c'])
  })
  it('a { that starts no interval is literal, a leading * is ignored', () => {
    expect(select(['a{'], ['a{', 'a'], { syntax: 'extended' })).toEqual(['a{'])
    expect(select(['*a'], ['a', 'b'], { syntax: 'extended' })).toEqual(['a'])
  })
})

describe('options', () => {
  it('-i folds ASCII letters only, as grep in the C locale', () => {
    const bytes = (s: string) => Buffer.from(s, 'utf8').toString('latin1')
    expect(select(['mail'], ['MAIL', 'Mail', 'mall'], { ignoreCase: true })).toEqual(['MAIL', 'Mail'])
    expect(select(['école'], [bytes('ÉCOLE'), bytes('école'), bytes('éCOLE')], { ignoreCase: true })).toEqual([bytes('école'), bytes('éCOLE')])
  })
  it('-w and -x', () => {
    expect(select(['mail'], ['mail', 'email', 'a mail b'], { wordRegexp: true })).toEqual(['mail', 'a mail b'])
    expect(select(['mail'], ['mail', 'mail '], { lineRegexp: true })).toEqual(['mail'])
  })
  it('-F takes every byte literally; one plain literal uses the indexOf fast path', () => {
    expect(select(['a.c'], ['abc', 'a.c'], { syntax: 'fixed' })).toEqual(['a.c'])
    expect(compilePatterns(['jdoe@example.com'], { syntax: 'fixed' }).literal?.toString()).toBe('jdoe@example.com')
    expect(compilePatterns(['jdoe@example']).literal?.toString()).toBe('jdoe@example')
    expect(compilePatterns(['jdoe@example.com']).literal).toBeNull() // `.` is any byte in a BRE
  })
  it('an empty pattern selects every line', () => {
    expect(compilePatterns(['']).matchesEverything).toBe(true)
    expect(compilePatterns(['a', '']).matchesEverything).toBe(true)
    expect(compilePatterns([''], { lineRegexp: true }).matchesEverything).toBe(false)
  })
  it('a regex never matches across a line end, even for [^x] and \\W', () => {
    expect(compilePatterns(['a[^x]b']).find('a\nb', 0, false)).toBe(-1)
    expect(compilePatterns(['a\\Wb']).find('a\nb', 0, false)).toBe(-1)
    expect(compilePatterns(['a.b']).find('a\0b', 0, true)).toBe(-1)
    expect(compilePatterns(['a.b']).find('a\0b', 0, false)).toBeGreaterThanOrEqual(0)
    // the hit is inside the first matching line (its line end included), by V8 or by the DFA
    for (const p of ['b$', '\\(b\\|bb\\)\\{1,\\}$']) {
      const h = compilePatterns([p]).find('ab x\nab\n', 0, false)
      expect(h >= 5 && h <= 7, `${p}: ${h}`).toBe(true)
    }
  })
  it('-o takes the leftmost-longest of alternatives (POSIX), not the first', () => {
    expect(compilePatterns(['a|ab'], { syntax: 'extended' }).matches('xab', false)).toEqual([[1, 3]])
    expect(compilePatterns(['(fo|foo)(bar)?'], { syntax: 'extended' }).matches('foobar foo', false)).toEqual([[0, 6], [7, 10]])
    expect(compilePatterns(['\\(a\\|ab\\)\\(c\\|bcd\\)']).matches('abcd', false)).toEqual([[0, 4]])
  })
})

describe('patterns grep refuses', () => {
  it.each([
    ['\\(', 'Unmatched ( or \\('],
    ['a\\)', 'Unmatched ) or \\)'],
    ['[a', 'Unmatched [, [^, [:, [., or [='],
    ['[[:nope:]]', 'Invalid character class name'],
    ['[:space:]', 'character class syntax is [[:space:]], not [:space:]'],
    ['\\1', 'Invalid back reference'],
    ['a\\{2,1\\}', 'Invalid content of \\{\\}'],
    ['a\\', 'Trailing backslash'],
  ])('%s', (p, msg) => {
    expect(() => compilePatterns([p])).toThrow(SearchError)
    expect(() => compilePatterns([p])).toThrow(msg)
  })
  it('(ERE) an unmatched ( too', () => {
    expect(() => compilePatterns(['(a'], { syntax: 'extended' })).toThrow('Unmatched ( or \\(')
  })
})

describe('-P: a JavaScript regex, checked line by line', () => {
  it('lookarounds and \\d work; a match never spans two lines', async () => {
    const { grep, stdinSource } = await import('../src/index.js')
    const { Readable } = await import('node:stream')
    const run = async (p: string, text: string) => {
      let out = ''
      for await (const ev of grep([stdinSource(Readable.from([Buffer.from(text)]))], { patterns: [p], syntax: 'perl' })) if (ev.kind === 'output') out += ev.data
      return out
    }
    expect(await run('(?<=code )\\d{3}(?!\\d)', 'code 554\ncode 5540\nx 554\n')).toBe('code 554\n')
    expect(await run('a\\sb', 'a\nb\na b\n')).toBe('a b\n')
  })
})
