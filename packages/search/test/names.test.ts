import { describe, expect, it } from 'vitest'
import { decodeBytes, fsPath, stringBytes } from '../src/index.js'
import { globRegExp, keepFile } from '../src/globs.js'

describe('bytes that are not UTF-8 survive as strings (surrogate escapes)', () => {
  it.each([
    ['ascii', [0x61, 0x62]],
    ['é in UTF-8', [0xc3, 0xa9]],
    ['a lone latin1 é', [0xe9, 0x6e]],
    ['a truncated sequence', [0xe2, 0x82]],
    ['an overlong /', [0xc0, 0xaf]],
    ['an encoded surrogate', [0xed, 0xa0, 0x80]],
    ['U+10080 (its low surrogate is U+DC80)', [0xf0, 0x90, 0x82, 0x80]],
    ['a BOM first', [0xef, 0xbb, 0xbf, 0x41]],
    ['every high byte', Array.from({ length: 128 }, (_, i) => 0x80 + i)],
  ])('%s', (_n, bytes) => {
    const b = Buffer.from(bytes)
    const s = decodeBytes(b)
    expect(stringBytes(s).equals(b)).toBe(true)
  })
  it('a valid string is its UTF-8, and a plain path stays a string', () => {
    expect(decodeBytes(Buffer.from('café 𐂀'))).toBe('café 𐂀')
    expect(stringBytes('café 𐂀').toString()).toBe('café 𐂀')
    expect(fsPath('logs/odoo.log')).toBe('logs/odoo.log')
    expect(fsPath(decodeBytes(Buffer.from([0xe9, 0x2e, 0x6c])))).toEqual(Buffer.from([0xe9, 0x2e, 0x6c]))
  })
})

describe('--include/--exclude globs read as fnmatch', () => {
  it.each([
    ['*.gz', 'odoo.log.2026-05-01.gz', true],
    ['*.gz', 'odoo.log', false],
    ['odoo.log.?', 'odoo.log.1', true],
    ['[!o]*', 'odoo.log', false],
    ['[^o]*', 'x.log', true],
    ['*[[:digit:]]', 'odoo.log.1', true],
    ['\\*', '*', true],
    ['[', '[', true],
    ['*', '.hidden', true],
    ['[a-c]x', 'bx', true],
    ['[]a]', ']', true],
  ])('%s on %s', (glob, name, yes) => {
    expect(globRegExp(glob).test(name)).toBe(yes)
  })
  it('the last matching rule wins; none matching keeps the file unless the first rule is --include', () => {
    expect(keepFile('p1', [{ glob: 'p*', include: true }, { glob: 'p1', include: false }], true)).toBe(false)
    expect(keepFile('p1', [{ glob: 'p1', include: false }, { glob: 'p*', include: true }], true)).toBe(true)
    expect(keepFile('p1', [{ glob: 'q*', include: false }, { glob: 'q*', include: true }], true)).toBe(true)
    expect(keepFile('p1', [{ glob: 'q*', include: true }], true)).toBe(false)
    // a PATH matches through a suffix after a slash; a folder entry only by its name
    expect(keepFile('/tmp/logs/odoo.log', [{ glob: 'logs/odoo.*', include: false }], true)).toBe(false)
    expect(keepFile('odoo.log', [{ glob: 'logs/odoo.*', include: false }], false)).toBe(true)
  })
})
