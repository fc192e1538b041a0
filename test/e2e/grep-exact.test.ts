import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { beforeAll, describe, expect, it } from 'vitest'
import { BIN, expectSameAsGrep, gnuGrep, gnuGrepMissing, odoolog } from '../helpers/run.js'

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

/**
 * Lines of common bytes with `needle` (whose `q` and `@` are rare) at the first byte, starting at and
 * across every boundary (-1, 0, +1), and last with no newline; with `turn`, `q` becomes common after
 * 1 MiB (the finder goes back to Horspool mid-file).
 */
function rareText(needle: string, turn: boolean): Buffer {
  let out = needle + ' first\n'
  let i = 0
  const line = (s: string) => (out += s + '\n')
  for (const b of BOUNDARIES) {
    for (const shift of [-1, 0, 1]) {
      const at = b + shift + (shift + 1) * 4096
      while (out.length < at - 80) line(`2026-11-0${i % 9 + 1} 05:00:00,000 7 INFO db odoo.mail: line ${i++}${turn && out.length > 1 << 20 ? ' qq q' : ''}`)
      line('p'.repeat(Math.max(0, at - out.length - 1)))
      line(`${needle} at ${at}`) // starts at the boundary
      line('z'.repeat(Math.max(0, 4000 - needle.length / 2 - 1)))
      line(`pad ${needle} inside`) // a block's middle
      // a needle cut in two by the boundary 2 KiB further on
      const cut = at + 2048
      while (out.length < cut - needle.length / 2 - 1) out += 'w'
      out += needle + '\n'
    }
  }
  out += 'last ' + needle
  return Buffer.from(out, 'latin1')
}

describe.skipIf(!!missing)('grep -F by a rare byte of the needle = GNU grep, at the edges of blocks and files', () => {
  const NEEDLE = 'q.needle@mail.test'
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'odoolog-rare-'))
    mkdirSync(join(dir, 'mirror'))
    for (const turn of [false, true]) {
      const text = rareText(NEEDLE, turn)
      const name = turn ? 'turn' : 'rare'
      writeFileSync(join(dir, `${name}.log`), text)
      writeFileSync(join(dir, `${name}.gz`), gzipSync(text))
      writeFileSync(join(dir, 'mirror', `${name}.log`), text)
      writeFileSync(join(dir, 'mirror', `${name}.gz`), text)
    }
  })

  it.each([['-n'], ['-b'], ['-c'], ['-o', '-b'], ['-v', '-c'], ['-m', '5', '-n'], ['-C', '1', '-n']].map((f) => [f.join(' ')]))('%s', (flags) => {
    const args = [...flags.split(' '), '-F', NEEDLE, 'rare.log', 'rare.gz', 'turn.log', 'turn.gz']
    const theirs = gnuGrep(args, { cwd: join(dir, 'mirror') })
    const ours = odoolog(['grep', ...args], { cwd: dir })
    expect(ours.stdout.toString('latin1')).toBe(theirs.stdout.toString('latin1'))
    expect(ours.status).toBe(theirs.status)
    // every needle planted is found (3 per shift of each boundary, the first line and the last)
    if (flags === '-c') expect(theirs.stdout.toString()).toBe(['rare.log', 'rare.gz', 'turn.log', 'turn.gz'].map((f) => `${f}:${BOUNDARIES.length * 9 + 2}\n`).join(''))
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

  it('zero padding after the last member: passed on as zgrep passes it (NUL-ended lines to grep)', () => {
    writeFileSync(join(dir, 'zeros.gz'), Buffer.concat([gzipSync('x\ny\n'), Buffer.alloc(10)]))
    for (const args of [['-c', ''], ['-a', '-c', ''], ['-c', 'y'], ['-a', '-o', '-b', 'y']]) {
      const z = bash(`zgrep ${args.map((a) => `'${a}'`).join(' ')} zeros.gz`, dir)
      const o = odoolog(['grep', ...args, 'zeros.gz'], { cwd: dir })
      expect(o.stdout.toString('latin1'), args.join(' ')).toBe(z.stdout)
      expect(o.status).toBe(z.status)
    }
    expect(odoolog(['grep', '-c', '', 'zeros.gz'], { cwd: dir }).stdout.toString()).toBe('12\n')
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

  // a message where grep has one (its words after the program name), none where grep has none
  it.each(CASES.map((c) => [c.join(' '), c]))('%s', (_name, args) => expectSameAsGrep(args, { cwd: dir, stderr: 'first' }))
})

describe.skipIf(!!missing)('13: the flags people use with grep, as grep 3.8 reads them', () => {
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'odoolog-flags-'))
    writeFileSync(join(dir, 'p1'), 'a x\nb\n\nx\n')
    writeFileSync(join(dir, 'p2'), 'x\n')
    writeFileSync(join(dir, 'bin'), 'x1\nab\0cd x\nx2\n')
    // a NUL past the first 96 KiB: grep has printed earlier lines by then; -I takes the file back
    writeFileSync(join(dir, 'late-bin'), 'x early\n' + 'filler line\n'.repeat(20_000) + 'x\0late\n')
    writeFileSync(join(dir, 'z'), Buffer.from('a\nb\0c\0a x\0\0b\n'))
    writeFileSync(join(dir, 'pats'), 'b\nx\n')
    writeFileSync(join(dir, 'pats-nonl'), 'b')
    writeFileSync(join(dir, 'pats-empty-line'), 'zzz\n\n')
    writeFileSync(join(dir, 'pats-empty'), '')
    writeFileSync(join(dir, 'pats-latin1'), Buffer.from([0xe9, 0x0a]))
    writeFileSync(join(dir, 'latin1'), Buffer.from('caf\xe9\ncafe\n', 'latin1'))
    mkdirSync(join(dir, 'sub'))
    writeFileSync(join(dir, 'sub', 'q'), 'x q\n')
  })

  const CASES: string[][] = [
    // -f FILE: patterns one per line, with -e, stdin, an empty FILE, a missing one, bytes as they are
    ['-f', 'pats', 'p1'],
    ['-n', '-f', 'pats', '-e', 'a', 'p1'],
    ['-c', '-f', 'pats-nonl', 'p1'],
    ['-c', '-f', 'pats-empty-line', 'p1'],
    ['-f', 'pats-empty', 'p1'],
    ['-v', '-c', '-f', 'pats-empty', 'p1'],
    ['-f', 'pats-empty', '-f', 'pats', 'p1'],
    ['-f', 'no-such-file', 'p1'],
    ['-f', 'pats-latin1', 'latin1'],
    ['-o', '-w', '-f', 'pats', 'p1', 'p2'],
    // -Z, -T
    ['-Z', 'x', 'p1', 'p2'],
    ['-Z', '-l', 'x', 'p1', 'p2', 'bin'],
    ['-Z', '-L', 'a', 'p1', 'p2'],
    ['-Z', '-c', 'x', 'p1', 'p2'],
    ['-Z', '-n', '-C', '1', 'b', 'p1', 'p2'],
    ['-T', 'x', 'p1', 'p2'],
    ['-T', '-n', '-b', '', 'p1'],
    ['-T', '-H', '-o', '-b', 'x', 'p1'],
    ['-T', '-c', 'x', 'p1', 'p2'],
    ['-T', 'x', 'p1'],
    // binary files: -I, --binary-files, -a, the last one given wins
    ['-I', 'x', 'bin', 'p1'],
    ['-I', '-c', 'x', 'bin', 'p1'],
    ['-I', '-L', 'x', 'bin', 'p1'],
    ['-I', '-n', 'x', 'late-bin'],
    ['-I', '-c', 'x', 'late-bin', 'p2'],
    ['--binary-files=text', 'x', 'bin'],
    ['--binary-files=without-match', 'x', 'bin'],
    ['--binary-files=binary', '-c', 'x', 'bin'],
    ['--binary-files=bogus', 'x', 'bin'],
    ['-a', '--binary-files=binary', 'x', 'bin'],
    ['--binary-files=binary', '-a', 'x', 'bin'],
    ['-I', '-a', 'x', 'bin'],
    ['-a', '-I', 'x', 'bin'],
    // -z: NUL-terminated lines in and out
    ['-z', 'a.b', 'z'],
    ['-z', '^b', 'z'],
    ['-z', '-c', 'a', 'z'],
    ['-z', '-n', '-C', '1', 'c', 'z'],
    ['-z', '-o', '-b', '[bc]', 'z'],
    ['-z', '-x', '', 'z'],
    ['-z', '-v', '-n', 'a', 'z'],
    ['-z', '-l', 'x', 'z', 'p1'],
    ['-z', '-E', '-w', 'a|x', 'z'],
    ['-z', '\\s', 'z'],
    // --include, --exclude (PATHs by name suffix), -d, -D, accepted no-ops
    ['--include=p2', 'x', 'p1', 'p2'],
    ['--exclude=p*', 'x', 'p1', 'p2'],
    ['--exclude=p1', '--include=p*', 'x', 'p1', 'p2'],
    ['--include=p*', '--exclude=p1', 'x', 'p1', 'p2'],
    ['--exclude=q*', '--include=q*', 'x', 'p1'],
    ['--include=q*', 'x', 'p1'],
    ['--exclude=[p]?', 'x', 'p1', 'p2'],
    ['--exclude=*1', 'x', 'p1', 'no-such-file1'],
    ['-d', 'skip', 'x', 'sub', 'p1'],
    ['-d', 'read', 'x', 'sub'],
    ['-d', 'bogus', 'x', 'p1'],
    ['--exclude-dir=sub', 'x', 'sub'],
    ['-D', 'bogus', 'x', 'p1'],
    ['-D', 'skip', 'x', '/dev/null', 'p2'],
    ['-U', 'x', 'p1'],
    ['-R', 'x', 'p1'],
    ['--line-buffered', '-n', 'x', 'p1'],
    ['--label=foo', '-H', 'x', 'p1'],
  ]

  it.each(CASES.map((c) => [c.join(' '), c]))('%s', (_name, args) => expectSameAsGrep(args, { cwd: dir, stderr: 'first' }))

  it('-f - reads the patterns from stdin; --label names stdin', () => {
    const g = gnuGrep(['-c', '-f', '-', 'p1'], { cwd: dir, input: 'b\nx\n' })
    const o = odoolog(['grep', '-c', '-f', '-', 'p1'], { cwd: dir, input: 'b\nx\n' })
    expect(o.stdout.toString()).toBe(g.stdout.toString())
    expect(o.stdout.toString()).toBe('3\n')
    const gl = gnuGrep(['--label=in', '-H', '-n', 'x', '-', 'p2'], { cwd: dir, input: 'a x\n' })
    const ol = odoolog(['grep', '--label=in', '-H', '-n', 'x', '-', 'p2'], { cwd: dir, input: 'a x\n' })
    expect(ol.stdout.toString()).toBe(gl.stdout.toString())
    expect(ol.stdout.toString()).toContain('in:1:a x')
  })

  it('-D skip leaves a FIFO named as PATH alone (grep would wait on it otherwise)', () => {
    const script = 'rm -f ff; mkfifo ff; grep -D skip -c x ff p2'
    const g = bash(script, dir)
    const o = bash(script.replace(/\bgrep\b/, '$ODOOLOG grep'), dir)
    expect(o.stdout).toBe(g.stdout)
    expect(o.status).toBe(g.status)
  })

  it('--include/--exclude on a logs folder keep the Odoo logs whose base name matches', () => {
    const logs = join(dir, 'logs')
    mkdirSync(logs)
    writeFileSync(join(logs, 'odoo.log'), '2026-05-03 10:00:00,000 1 INFO db odoo.x: today x\n')
    writeFileSync(join(logs, 'odoo.log.1'), '2026-05-02 10:00:00,000 1 INFO db odoo.x: yesterday x\n')
    writeFileSync(join(logs, 'odoo.log.2026-05-01.gz'), gzipSync('2026-05-01 10:00:00,000 1 INFO db odoo.x: older x\n'))
    const run = (...a: string[]) => odoolog(['grep', '-h', ...a, 'x', 'logs'], { cwd: dir }).stdout.toString()
    expect(run()).toContain('older x')
    expect(run('--include=*.gz')).toBe('2026-05-01 10:00:00,000 1 INFO db odoo.x: older x\n')
    expect(run('--exclude=*.gz')).not.toContain('older')
    expect(run('--exclude=*.gz', '--include=odoo.log')).toBe('2026-05-02 10:00:00,000 1 INFO db odoo.x: yesterday x\n2026-05-03 10:00:00,000 1 INFO db odoo.x: today x\n')
    const none = odoolog(['grep', '--include=*.txt', 'x', 'logs'], { cwd: dir })
    expect(none.status).toBe(1)
    expect(none.stderr).toBe('')
  })
})

describe.skipIf(!!missing)('2: pattern bytes and file names that are not UTF-8 are bytes, as in grep', () => {
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'odoolog-bytes-'))
    writeFileSync(join(dir, 'l1'), Buffer.from('caf\xe9 x\ncafe\n\xff\xfeab\nCAF\xc9\n\xe2\x82\xac 5\n', 'latin1'))
    // a file whose name is the byte 0xe9 then name.txt (Node writes it through a Buffer path)
    writeFileSync(Buffer.from(join(dir, '\xe9name.txt'), 'latin1'), 'hello x\n')
    writeFileSync(Buffer.from(join(dir, '\xe9pats'), 'latin1'), Buffer.from('caf\xe9\nab\n', 'latin1'))
  })
  const CASES = [
    "-c $'\\xe9' l1",
    "-F $'\\xff\\xfe' l1",
    "-i $'\\xc9' l1",
    "-i $'caf\\xe9' l1",
    "$'[\\xe0-\\xff]' l1",
    "-o -b $'[\\xe0-\\xff].' l1",
    "-n $'\\xe2\\x82' l1",
    "-c $'\\xe2' l1",
    "-e $'\\xe9' -e ab -o l1",
    "-w $'caf\\xe9' l1",
    "-x -F $'\\xff\\xfeab' l1",
    "x $'\\xe9name.txt'",
    "-H x $'\\xe9name.txt' l1",
    "-l x $'\\xe9name.txt' l1",
    "x $'\\xe9nope' l1",
    "--include=$'\\xe9*' x $'\\xe9name.txt' l1",
    "-n -f $'\\xe9pats' l1",
    "-f $'\\xe9nope' l1",
  ]
  it.each(CASES)('grep %s', (args) => {
    const g = bash(`grep ${args}`, dir)
    const o = bash(`$ODOOLOG grep ${args}`, dir)
    expect(o.stdout).toBe(g.stdout)
    expect(o.status).toBe(g.status)
    expect(o.stderr.replace(/^odoolog: /gm, 'grep: ')).toBe(g.stderr)
  })
})

describe.skipIf(!!missing)('4: a binary file: the lines before the 96 KiB buffer that holds the first NUL are text', () => {
  let dir: string
  const FILES: [string, number, number][] = []
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'odoolog-binary-'))
    // lines of several lengths, a NUL just before, at and after grep's buffer edges (96 KiB each)
    let k = 0
    for (const len of [2, 10, 37, 120]) {
      for (const at of [98304 - 1, 98304, 98304 + 1, 98304 + 50, 2 * 98304 - 3, 2 * 98304 + 7, 3 * 98304 + 100, 1000]) {
        const n = Math.ceil(420_000 / len)
        const lines: string[] = []
        for (let i = 0; i < n; i++) lines.push((i % 3 === 0 ? 'x' : 'y').repeat(len - 1))
        const data = Buffer.from(lines.join('\n') + '\n')
        data[at] = 0
        const name = `b${k++}`
        writeFileSync(join(dir, name), data)
        FILES.push([name, len, at])
      }
    }
  })
  const FLAGS = [['x'], ['-n', 'x'], ['-c', 'x'], ['-I', '-c', 'x'], ['-I', 'x'], ['-m', '2', 'x'], ['-A', '2', 'y'], ['-B', '1', '-n', 'x'], ['-v', '-c', 'x'], ['-b', '-o', 'x'], ['-L', 'x'], ['-a', '-c', 'x']]
  it.each(FLAGS.map((f) => [f.join(' '), f]))('%s', (_n, flags) => {
    for (const [name, len, at] of FILES) {
      const g = gnuGrep([...flags, name], { cwd: dir })
      const o = odoolog(['grep', ...flags, name], { cwd: dir })
      const label = `${name}: lines of ${len}, NUL at ${at}`
      expect(o.stdout.toString('latin1'), label).toBe(g.stdout.toString('latin1'))
      expect(o.status, label).toBe(g.status)
      expect(o.stderr.replace(/^odoolog: /gm, 'grep: '), label).toBe(g.stderr)
    }
  })
})
