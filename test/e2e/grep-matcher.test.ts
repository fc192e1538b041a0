import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { BIN, expectSameAsGrep, gnuGrep, gnuGrepMissing } from '../helpers/run.js'

// Issue 8, the matcher: each class of pattern where odoolog's JavaScript regexes differed from GNU
// grep 3.8 (LC_ALL=C), run through the CLI against grep: stdout bytes, exit status and stderr in
// grep's words (warnings too). grep-fuzz.test.ts adds random patterns of the same kinds.
const missing = gnuGrepMissing()
if (missing && process.env.CI) throw new Error(`the matcher tests need GNU grep in CI: ${missing}`)
if (missing) console.warn(`skipping grep-matcher tests: ${missing}`)

const TEXT = [
  'ab',
  'a*b',
  'ab{1}',
  '{1}x',
  'foobar',
  'foo bar',
  'foo',
  'aab',
  'abab',
  'abcd',
  'b',
  '*a',
  '',
  'a-b',
  'xAbAB',
  'Ab aB',
  'mail MAIL mailer',
  'SMTPRecipientsRefused: 554 5.7.1 mailbox disabled',
  'fofoobar fo',
  'aaa',
  'a^b',
  'a$b',
  'éé éÉ café CAFÉ cafécafé',
  '-_-',
  'ba',
].join('\n') + '\n'

const CLASSES: Record<string, string[][]> = {
  '5: -o and colour take the POSIX leftmost-longest match': [
    ['-o', '\\(a\\|ab\\)'],
    ['-o', '-E', '(fo|foo)(bar)?'],
    ['-o', '-E', '(a|ab)+'],
    ['-o', '-E', '(a|ab)(c|bcd)'],
    ['-o', '-E', 'a*(ab)?b?'],
    ['-o', '-E', '(fo|foob|foobar)'],
    ['-o', '-e', 'fo', '-e', 'foobar'],
    ['-o', '-E', '(foo|fo)*'],
    ['-o', '-E', 'x?(a|ab)(b|)'],
    ['--color=always', '-E', '(fo|foo)(bar)?'],
    ['--color=always', '\\(a\\|ab\\)\\(c\\|bcd\\)'],
    ['-o', '-b', '-E', '[ab]|ab|aab'],
    ['-o', '-w', '-E', 'fo|foo|foo bar'],
    ['-o', '-i', '-E', 'ab|abab'],
  ],
  '6: quantified anchors select the line; -o and colour read them as glibc does': [
    ['a\\b*b'],
    ['-o', 'a\\b*b'],
    ['--color=always', 'a\\b*b'],
    ['-E', 'a^*b'],
    ['-o', '-E', 'a^*b'],
    ['-E', 'a$*b'],
    ['--color=always', '-E', 'a$*b'],
    ['foo\\>\\?bar'],
    ['-o', 'foo\\>\\?bar'],
    ['-E', 'a\\<*b'],
    ['-c', '-E', '(^)*a'],
    ['-E', 'a\\B+b'],
    ['-o', '-E', 'a\\B+b'],
    ['^*a'],
    ['-o', '^*a'],
    ['-E', '^*a'],
    ['-o', '-E', '^*a'],
    ['-E', '^+a'],
    ['-c', '-E', 'b$?a'],
    ['-x', '-E', 'a\\b{2}b'],
  ],
  '7: back-references': [
    ['\\(ab\\)*\\1'],
    ['-E', '(a)?\\1b'],
    ['-E', '(a)*\\1b'],
    ['\\(a\\)\\|b\\1'],
    ['\\(a\\1\\)'],
    ['\\2\\(a\\)\\(b\\)'],
    ['-E', '(a)|(b)\\2'],
    ['\\(\\(a\\)\\|b\\)\\2'],
    ['-i', '\\(a\\)\\1'],
    ['-i', '-o', '\\(ab\\)\\1'],
    ['-i', '\\(é\\)\\1'],
    ['-i', '-o', '\\(.\\)\\1'],
    ['-i', '-E', '(caf.) \\1'],
    ['-o', '-E', '(a|ab)\\1'],
    ['-E', '()\\1a'],
    ['-E', '(a*)*\\1b'],
    ['-w', '-E', '(ab)\\1'],
    ['-x', '\\(a*\\)b\\1'],
    ['-c', '-e', '\\(a\\)\\1', '-e', '\\(b\\)\\1'],
    ['--color=always', '-E', '(o)\\1'],
  ],
  '8: syntax errors, literals and warnings': [
    ['\\{1\\}'],
    ['-E', 'a{}'],
    ['-E', 'a{1,2,3}'],
    ['-E', 'a{1'],
    ['-E', 'a{,1}b'],
    ['-E', 'a{1,70000}'],
    ['a\\{1'],
    ['a\\{1,2'],
    ['a\\{x\\}'],
    ['[a-b-c]'],
    ['[[:alpha:]-z]'],
    ['-i', '[Z-a]'],
    ['-i', '-o', '[A-b]'],
    ['[a--]'],
    ['[--b]'],
    ['['],
    ['[^'],
    ['[]'],
    ['[:alpha:]'],
    ['[[:foo:]]'],
    ['[[.ab.]]'],
    ['[[=a=]]b'],
    ['-E', '*a'],
    ['-E', '?a'],
    ['-E', '+a'],
    ['-E', '{1}a'],
    ['-E', '?*a'],
    ['-E', 'a|*b'],
    ['-E', '(*a)'],
    ['-E', '(*)'],
    ['-E', '(a|*)'],
    ['-E', 'a)'],
    ['-E', '(a'],
    ['a\\)'],
    ['-E', '\\'],
    ['\\(^*a\\)'],
    ['a\\|*b'],
    ['-E', '()'],
    ['-E', 'a||b'],
    ['-w', '-E', 'b)?a'],
    ['-x', '-E', 'a)|b'],
    // a BRE `$` before `|` or `)`: dfa.c's anchor, glibc's literal
    ['-c', '$|*'],
    ['-c', '$|\\{,1\\}'],
    ['-o', '$|*'],
    ['a$)'],
    ['-c', 'a$)x'],
    // `^` after another anchor is a literal in BRE
    ['-o', '-b', '\\>^*{'],
  ],
}

describe.skipIf(!!missing)('odoolog grep matches as GNU grep 3.8 (LC_ALL=C)', () => {
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'odoolog-matcher-'))
    writeFileSync(join(dir, 't'), TEXT)
  })
  for (const [name, cases] of Object.entries(CLASSES)) {
    describe(name, () => {
      it.each(cases.map((c) => [c.join(' '), c]))('%s', (_n, args) => expectSameAsGrep([...args, 't'], { cwd: dir }))
    })
  }
})

describe.skipIf(!!missing)('11: colours as grep paints them (GREP_COLORS, GREP_COLOR)', () => {
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'odoolog-colors-'))
    writeFileSync(join(dir, 't'), 'a mail here\nnothing\nmail\r\nctx line\nmail mail\n\nx\r\n')
  })
  const ENVS: Record<string, string>[] = [
    { GREP_COLORS: 'sl=1:cx=2' },
    { GREP_COLORS: 'sl=1:cx=2:rv' },
    { GREP_COLORS: 'ms=4:mc=5:sl=7' },
    { GREP_COLORS: 'mt=1;4:ne' },
    { GREP_COLORS: 'ms=:sl=33' },
    { GREP_COLORS: 'sl=1:bad=3:fn=4' },
    { GREP_COLORS: 'sl=1:cx=x2:se=9' },
    { GREP_COLORS: 'sl=1=2:cx=3' },
    { GREP_COLORS: 'rv:cx=36' },
    { GREP_COLOR: '1;32' },
    { GREP_COLOR: '1;32', GREP_COLORS: 'mt=4' },
    { GREP_COLOR: '1;32', GREP_COLORS: 'ms=4' },
    { GREP_COLOR: '1;32', GREP_COLORS: 'ms=4:mt' },
    { GREP_COLOR: 'red' },
    { GREP_COLOR: '' },
  ]
  const ARGS: string[][] = [
    ['mail'],
    ['-v', 'mail'],
    ['-n', '-C', '1', 'mail'],
    ['-v', '-n', '-C', '1', 'mail'],
    ['-o', '-b', 'mail'],
    ['-H', '-c', 'mail'],
    ['-E', 'x?'],
    ['-A', '1', '-E', 'mail|x'],
  ]
  const cases = ENVS.flatMap((env) => ARGS.map((args) => [`${JSON.stringify(env)} ${args.join(' ')}`, env, args] as const))
  it.each(cases)('%s', (_n, env, args) => expectSameAsGrep(['--color=always', ...args, 't'], { cwd: dir, env }))
})

describe.skipIf(!!missing)('9: no pattern makes the scan super-linear', () => {
  // grep answers these in milliseconds; a backtracking regex runs for minutes. The test asserts
  // the output; the timeout only turns a hang into a failure (the bench, not a test, times).
  const run = (args: string[], input: string) => {
    const r = spawnSync(process.execPath, [BIN, 'grep', ...args], { input, timeout: 60_000, env: { PATH: process.env.PATH, LC_ALL: 'C' } })
    return { status: r.status, stdout: r.stdout.toString('latin1'), signal: r.signal }
  }
  const cases: [string, string[], string][] = [
    ['([a-z]+ ?)*ERROR on a 160-byte line', ['-c', '-E', '([a-z]+ ?)*ERROR'], 'abcd efgh '.repeat(16) + '\nabc ERROR\n'],
    ['(a|aa)*b on 40 a', ['-E', '(a|aa)*b'], 'a'.repeat(40) + '\n' + 'a'.repeat(39) + 'b\n'],
    ['(a|aa)*b -o on 5000 a', ['-o', '-E', '(a|aa)*c'], 'a'.repeat(5000) + '\n'],
    ['(x+x+)+y on a 2 MB line', ['-c', '-E', '(x+x+)+y'], 'x'.repeat(2 << 20) + '\n'],
    ['.*.*.*=.* on a 1 MB line', ['-c', '.*.*.*=.*;'], 'a='.repeat(1 << 19) + '\n'],
    ['\\(a*\\)*b (BRE) on 10k a', ['-c', '\\(a*\\)*b'], 'a'.repeat(10_000) + '\n'],
    ['-w with many near-words', ['-c', '-w', '-E', '(ab|a)+c?'], 'ab'.repeat(100_000) + 'c\n'],
  ]
  it.each(cases)('%s', (_n, args, input) => {
    const g = gnuGrep(args, { input })
    const o = run(args, input)
    expect(o.signal).toBeNull()
    expect(o.stdout).toBe(g.stdout.toString('latin1'))
    expect(o.status).toBe(g.status)
  })
})
