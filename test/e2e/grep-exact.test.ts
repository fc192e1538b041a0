import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { beforeAll, describe, expect, it } from 'vitest'
import { BIN, gnuGrep, gnuGrepMissing, odoolog } from '../helpers/run.js'

// Issue 8, part 1: inputs read exactly as GNU grep 3.8 (LC_ALL=C) and zgrep read them. In CI the
// oracle must be there (.ci/run installs grep's package): a missing grep fails there, skips elsewhere.
const missing = gnuGrepMissing()
if (missing && process.env.CI) throw new Error(`the differential tests need GNU grep in CI: ${missing}`)
if (missing) console.warn(`skipping grep-exact tests: ${missing}`)

/** The engine's sizes (bytes.ts, grep.ts): plain reads, inflate chunks, regex pieces. */
const BOUNDARIES = [64 << 10, 128 << 10, 256 << 10, 320 << 10, 512 << 10, 768 << 10, 1024 << 10]

/**
 * Several hundred KiB of lines where every boundary above gets, at some offset around it (-1, 0,
 * +1), an empty line, a line holding `x`, and a long line across it; seeded, so a failure repeats.
 */
function boundaryText(): Buffer {
  let seed = 8
  const rand = (n: number) => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) % n
  }
  const words = ['x', 'ab', 'mail', 'xx x', '', 'a x b', 'INFO', 'abab', ' ', 'ERROR x']
  let out = ''
  const line = (s: string) => (out += s + '\n')
  for (const b of BOUNDARIES) {
    for (const shift of [-1, 0, 1]) {
      const at = b + shift + (shift + 1) * 4096 // the three shifts of one boundary, 4 KiB apart
      // fill up to `at - 40` with ordinary lines
      while (out.length < at - 60) line(Array.from({ length: 1 + rand(12) }, () => words[rand(words.length)]).join(' '))
      // a padding line that makes the next line start exactly at `at`
      const pad = at - out.length - 1
      line('p'.repeat(Math.max(0, pad)))
      line(['', 'x', '', 'ab'][shift + 1]!) // starts at the boundary (or one off)
      line('')
      line('x'.repeat(rand(3)))
    }
  }
  // a 300 KiB line across the last boundaries, an empty last line, and no final newline
  line('a'.repeat(300 << 10) + ' x')
  line('')
  out += 'x last'
  return Buffer.from(out, 'latin1')
}

describe.skipIf(!!missing)('odoolog grep = GNU grep at the edges of lines, blocks and files', () => {
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'odoolog-exact-'))
    mkdirSync(join(dir, 'mirror'))
    const text = boundaryText()
    writeFileSync(join(dir, 'big.log'), text)
    writeFileSync(join(dir, 'big.gz'), gzipSync(text))
    writeFileSync(join(dir, 'mirror', 'big.log'), text)
    writeFileSync(join(dir, 'mirror', 'big.gz'), text)
    for (const [name, t] of Object.entries(SMALL)) {
      writeFileSync(join(dir, name), t)
      writeFileSync(join(dir, 'mirror', name), t)
    }
  })

  const SMALL: Record<string, string> = {
    'first-empty.txt': '\nx\n',
    'empties.txt': '\n\n\nx\n\n',
    'only-empty.txt': '\n',
    'no-newline.txt': 'x\n\nab',
  }

  // patterns that can match an empty line, and ones that cannot, with the flags that count lines
  const PATTERNS: string[][] = [['^$'], ['-x', ''], ['x*'], ['-w', ''], ['-E', 'a|^$'], ['-E', '^ *$'], ['^x'], ['x$'], ['-F', 'ab'], ['-x', '-F', '-e', '', '-e', 'x']]
  const FLAGS: string[][] = [['-n'], ['-b'], ['-c'], ['-v', '-n'], ['-v', '-c'], ['-o', '-b'], ['-m', '3', '-n'], ['-A', '2', '-n'], ['-B', '2', '-n'], ['-C', '1', '-b'], ['-n', '-H']]

  const same = (args: string[], files: string[]) => {
    const theirs = gnuGrep([...args, ...files], { cwd: join(dir, 'mirror') })
    const ours = odoolog(['grep', ...args, ...files], { cwd: dir })
    expect(ours.stdout.toString('latin1'), `grep ${args.join(' ')} ${files.join(' ')}`).toBe(theirs.stdout.toString('latin1'))
    expect(ours.status).toBe(theirs.status)
    return theirs
  }

  it.each(FLAGS.map((f) => [f.join(' ')]))('an empty line first in a file: %s', (flags) => {
    let selected = 0
    for (const p of PATTERNS) if (same([...flags.split(' '), ...p], Object.keys(SMALL)).status === 0) selected++
    expect(selected).toBeGreaterThan(3)
  })

  it.each(FLAGS.map((f) => [f.join(' ')]))('lines across every read, inflate and regex-piece boundary, plain and gzip: %s', (flags) => {
    let printed = 0
    for (const p of PATTERNS) if (same([...flags.split(' '), ...p], ['big.log', 'big.gz']).stdout.length) printed++
    expect(printed).toBeGreaterThan(3)
  })

  it('--records: a block that opens with an empty line, then a line without header, ends (it looped for ever)', () => {
    const r = spawnSync(process.execPath, [BIN, 'grep', '--records', '-n', 'foo'], { input: '\nfoo\n', timeout: 10_000 })
    expect(r.status).toBe(0)
    expect(r.stdout.toString()).toBe('1:\n2:foo\n')
  })
})

/** bash -c with LC_ALL=C: process substitution and FIFOs, for grep and odoolog alike. */
function bash(script: string, cwd: string) {
  const r = spawnSync('bash', ['--norc', '--noprofile', '-c', script], { cwd, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', ODOOLOG: `${process.execPath} ${BIN}` }, timeout: 20_000 })
  return { status: r.status, stdout: r.stdout.toString('latin1'), stderr: r.stderr.toString() }
}

describe.skipIf(!!missing)('a PATH that is not a regular file is read to its end, as grep reads it', () => {
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'odoolog-pipes-'))
    const text = Array.from({ length: 5000 }, (_, i) => (i % 7 === 0 ? `line ${i} x` : `line ${i}`)).join('\n') + '\n'
    writeFileSync(join(dir, 'a.log'), text)
    writeFileSync(join(dir, 'a.log.gz'), gzipSync(text))
  })

  const CASES: [string, string][] = [
    ['process substitution', 'grep -n -H x <(cat a.log)'],
    ['process substitution of gzip (odoolog inflates by magic; grep reads zcat)', 'grep -c x <(cat a.log.gz)|<(zcat a.log.gz)'],
    ['/dev/stdin from a pipe', 'cat a.log | grep -c x /dev/stdin'],
    ['/dev/stdin from a file', 'grep -n x /dev/stdin < a.log'],
    ['a FIFO', 'rm -f f; mkfifo f; (cat a.log > f &); grep -b x f'],
    ['a FIFO and a file', 'rm -f g; mkfifo g; (cat a.log > g &); grep -c x g a.log'],
    ['/dev/null', 'grep x /dev/null'],
  ]

  it.each(CASES)('%s', (_name, script) => {
    // `grep A|B`: odoolog takes A, grep takes B (what zgrep would give)
    const [ours, theirs] = script.includes('|<(') ? [script.replace(/\|<\(.*\)$/, ''), script.replace(/<\(cat a\.log\.gz\)\|/, '')] : [script, script]
    const g = bash(theirs, dir)
    const o = bash(ours!.replace(/\bgrep\b/, () => '$ODOOLOG grep'), dir)
    expect(o.stdout).toBe(g.stdout) // a process substitution is /dev/fd/63 in both shells
    expect(o.status).toBe(g.status)
    expect(o.stderr).toBe('')
    if (!script.includes('/dev/null')) expect(o.stdout.length).toBeGreaterThan(0)
  })
})

describe.skipIf(!!missing)('a .gz with bytes after its members reads as zgrep reads it', () => {
  let dir: string
  const JUNK: [string, Buffer][] = [
    ['text junk', Buffer.from('junkjunk')],
    ['junk lines', Buffer.from('ab\ncd x\n')],
    ['one magic byte', Buffer.from([0x1f])],
    ['half a magic', Buffer.from([0x1f, 0x41, 0x42])],
    ['nothing', Buffer.alloc(0)],
  ]
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'odoolog-junk-'))
    // two members, the second one opening mid-line, and a first member larger than one inflate chunk
    const one = Array.from({ length: 60000 }, (_, i) => `first ${i}${i % 1000 === 0 ? ' x' : ''}`).join('\n') + '\nhalf a '
    const two = 'line x\nsecond\n'
    const gz = Buffer.concat([gzipSync(one), gzipSync(two)])
    JUNK.forEach(([, junk], k) => writeFileSync(join(dir, `j${k}.gz`), Buffer.concat([gz, junk])))
    // a second member whose header names a method gzip does not know: damage, after the first member
    const bad = Buffer.from(gzipSync('z'))
    bad[2] = 7
    writeFileSync(join(dir, 'bad.gz'), Buffer.concat([gz, bad]))
  })

  it.each(JUNK.map(([name], k) => [name, k]))('%s', (_name, k) => {
    for (const args of [['-n', 'x'], ['-c', ''], ['-b', '-o', 'ha.*'], ['junk'], ['-v', '-c', 'first']]) {
      const z = bash(`zgrep ${args.map((a) => `'${a}'`).join(' ')} j${k}.gz`, dir)
      const o = odoolog(['grep', ...args, `j${k}.gz`], { cwd: dir })
      expect(o.stdout.toString('latin1'), args.join(' ')).toBe(z.stdout)
      expect(o.status).toBe(z.status)
      expect(o.stderr).toBe('')
    }
  })

  it('a member with an unknown method after good ones: the good ones, then one line naming the file, exit 2 (zgrep: 2)', () => {
    const z = bash('zgrep -c x bad.gz', dir)
    const o = odoolog(['grep', '-n', 'x', 'bad.gz'], { cwd: dir })
    expect(z.status).toBe(2)
    expect(o.status).toBe(2)
    expect(o.stdout.toString()).toBe(bash('zcat bad.gz 2>/dev/null | grep -n x', dir).stdout)
    expect(o.stderr).toMatch(/^odoolog: bad\.gz: invalid compressed data \(.*\)\n$/)
  })
})

describe.skipIf(!!missing)("grep's options read as grep 3.8 reads them", () => {
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'odoolog-options-'))
    writeFileSync(join(dir, 'p1'), 'a x\nb\n')
    writeFileSync(join(dir, 'ctx'), 'a\nb\nc\nx\nd\ne\nf\nX\ng\n')
    writeFileSync(join(dir, 'none'), 'nothing here\n')
  })

  const CASES: string[][] = [
    // the last of -l/-L, of -H/-h wins
    ['-l', '-L', 'x', 'p1', 'ctx', 'none'],
    ['-L', '-l', 'x', 'p1', 'ctx', 'none'],
    ['-lL', 'x', 'p1', 'none'],
    ['-H', '-h', 'x', 'p1'],
    ['-h', '-H', 'x', 'p1'],
    ['-hH', '-n', 'x', 'p1', 'ctx'],
    ['--with-filename', '--no-filename', 'x', 'p1', 'ctx'],
    // two different matchers are refused; the same one twice is fine
    ['-E', '-F', 'x', 'p1'],
    ['-F', '-G', 'x', 'p1'],
    ['-E', '--fixed', 'x', 'p1'],
    ['-EP', 'x', 'p1'],
    ['-E', '-E', 'x|b', 'p1'],
    ['-G', '--basic-regexp', 'x', 'p1'],
    // -NUM is context
    ['-1', 'x', 'ctx'],
    ['-n2', 'x', 'ctx'],
    ['-21n', 'x', 'ctx'],
    ['-1', '-C0', 'x', 'ctx'],
    ['-C1', '-3', 'x', 'ctx'],
    ['-0', '-i', 'x', 'ctx'],
    ['-1', '-2', 'x', 'ctx'],
    // abbreviations
    ['--ignore', 'X', 'p1'],
    ['--max=1', 'x', 'ctx'],
    ['--cont=1', 'x', 'ctx'],
    ['--count', '--inv', 'x', 'ctx'],
    // -m
    ['-m', '-1', 'x', 'p1'],
    ['-m', '', 'x', 'p1'],
    ['-C', '', 'x', 'p1'],
    ['-c', '-m', '0', 'x', 'p1'],
    ['-m', '0', 'x', 'no-such-file'],
    ['-m', '0', '\\(', 'p1'],
    ['-m', '0', '-L', 'x', 'p1', 'none'],
    ['-m', '0', '-l', 'x', 'p1'],
    ['-m0', '-v', 'x', 'p1'],
  ]

  it.each(CASES.map((c) => [c.join(' '), c]))('%s', (_name, args) => {
    const g = gnuGrep(args, { cwd: dir })
    const o = odoolog(['grep', ...args], { cwd: dir })
    expect(o.stdout.toString('latin1')).toBe(g.stdout.toString('latin1'))
    expect(o.status).toBe(g.status)
    // a message where grep has one (its words after the program name), none where grep has none
    expect(o.stderr.replace(/^odoolog: /gm, 'grep: ').split('\n')[0]).toBe(g.stderr.split('\n')[0])
  })
})
