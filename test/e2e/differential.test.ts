import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { makeCorpus, type Corpus } from '../helpers/corpus.js'
import { gnuGrep, gnuGrepMissing, odoolog } from '../helpers/run.js'

// GNU grep 3.8 with LC_ALL=C over the decompressed files is the oracle: same flags, same bytes,
// same exit status. odoolog reads the real folder (gzip, multi-member, time order); grep reads a
// mirror of it holding the decompressed bytes under the same names.
const missing = gnuGrepMissing()
if (missing) console.warn(`skipping differential tests: ${missing}`)

const CASES: string[][] = [
  ['-F', 'jdoe@example.com'],
  ['jdoe'],
  ['554'],
  ['-E', 'SMTP(Data|Recipients)[A-Za-z]*: \\(?55[04]'],
  ['-i', 'mail delivery'],
  ['-i', 'école'],
  ['-w', 'INFO'],
  ['-w', 'mail'],
  ['-x', ''],
  ['-x', '   '],
  ['-c', 'failed'],
  ['-v', '-c', 'werkzeug'],
  ['-l', '554'],
  ['-L', 'Recipients'],
  ['-L', 'zzz-none'],
  ['-n', '-b', 'Traceback'],
  ['-o', '-E', '5[0-9]{2}'],
  ['-o', '-b', '-n', 'id: [0-9]*'],
  ['-m', '2', '-A', '3', 'failed'],
  ['-m', '1', '-c', 'INFO'],
  ['-C', '2', 'done in'],
  ['-B', '3', '-n', 'Traceback'],
  ['-A', '0', 'ERROR'],
  ['-A', '1', '-B', '2', '-n', 'WARNING'],
  ['-e', 'ERROR', '-e', 'WARNING', '-c'],
  ['-e', 'ERROR', '-e', 'WARN'],
  ['[[:digit:]]\\{3\\} [A-Z]'],
  ['\\(ab\\|cd\\)\\1'],
  ['-E', '(ab|cd)\\1'],
  ['-i', '-o', 'smtp[a-z]*'],
  ['-h', '-n', '8803'],
  ['-H', 'MAILER-DAEMON'],
  ['-c', ''],
  ['-v', 'INFO'],
  ['-x', '-F', 'During handling of the above exception, another exception occurred:'],
  ['^2026-0[45]-[0-9]* 0[0-9]'],
  ['\\<mail\\>'],
  ['-o', '-E', 'a|ab'],
  ['-o', '-e', 'ab', '-e', 'abc'],
  ['-E', 'ab{2,}|^$'],
  ['-E', 'a{,2}c'],
  ['-o', '-E', '<[a-z.]+@[a-z.-]+>'],
  ['\\s\\S\\w\\W'],
  ['-o', '.', '-m', '1'],
  ['\\.py", line [0-9]*, in'],
  ['-n', '-v', '-m', '2', 'INFO'],
  ['-o', '-A', '1', 'Routing'],
  ['-c', '-i', 'INVALID'],
  ['-n', 'invalid utf-8'],
  ['-b', '-o', '\xc3'],
  ['--color=always', '-n', '554'],
  ['--color=always', '-o', 'SMTP'],
  ['--color=always', '-C', '1', 'Routing'],
  ['-q', '554'],
  ['-q', 'zzz-none'],
  ['-s', 'x', 'no-such-file'],
  ['-m', '0', 'INFO'],
  ['*abc'],
  ['-E', '+abc|mail'],
  ['x*'],
  ['-E', '()|mail'],
  ['[]a]'],
  ['[^[:alnum:] ]'],
  ['-w', ''],
  ['-o', '-w', 'mail'],
  ['-a', '554'],
  ['-a', '-c', ''],
  ['-c', 'after'],
  ['-c', '-v', '-m', '3', 'INFO'],
  ['-L', '-v', 'INFO'],
  ['-l', '-v', 'zzz-none'],
  ['--color=always', '-v', 'INFO'],
  ['-o', '-v', 'INFO'],
  ['-x', '-o', 'Traceback (most recent call last):'],
  ['-w', '-e', 'mail', '-e', 'SMTP'],
  ['-i', '-w', 'error'],
  ['-A', '2', '-v', '[0-9]'],
  ['-B', '1', '-A', '1', '-m', '2', 'Traceback'],
  ['-n', '-C', '1', '-e', 'Routing', '-e', 'WARNING'],
  ['-b', '-n', '-H', '-v', '[[:alpha:]]'],
  ['-E', '^$|^ +$'],
  ['-F', '-x', '-e', '', '-e', '   '],
]

describe.skipIf(!!missing)('odoolog grep = GNU grep (LC_ALL=C) over the decompressed files', () => {
  let c: Corpus
  beforeAll(() => {
    c = makeCorpus()
  })

  describe.each(CASES.map((args) => [args.join(' '), args] as const))('%s', (_name, args) => {
    const special = args.includes('no-such-file')
    it('folder mode: the whole logs folder in time order', () => {
      const files = special ? [...c.ordered, 'no-such-file'] : c.ordered
      const theirs = gnuGrep([...args.filter((a) => a !== 'no-such-file'), ...files], { cwd: c.mirror })
      const ours = odoolog(['grep', ...args.filter((a) => a !== 'no-such-file'), 'logs', ...(special ? ['no-such-file'] : [])], { cwd: c.root })
      expect(ours.stdout.toString('latin1')).toBe(theirs.stdout.toString('latin1'))
      expect(ours.status).toBe(theirs.status)
    })
    it.each([0, 1, 2, 3, 4, 5])('single file #%i', (k) => {
      const file = c.singles[k]!
      const theirs = gnuGrep([...args, file], { cwd: c.mirror })
      const ours = odoolog(['grep', ...args, file], { cwd: c.root })
      expect(ours.stdout.toString('latin1')).toBe(theirs.stdout.toString('latin1'))
      expect(ours.status).toBe(theirs.status)
    })
  })

  it('stdin: gzip is decompressed, and grep names it (standard input)', () => {
    const gz = readFileSync(join(c.root, 'logs/odoo.log.2026-05-03.gz'))
    const plain = readFileSync(join(c.mirror, 'logs/odoo.log.2026-05-03.gz'))
    const theirs = gnuGrep(['-H', '-n', 'SMTP'], { input: plain })
    const ours = odoolog(['grep', '-H', '-n', 'SMTP'], { input: gz })
    expect(ours.stdout.toString('latin1')).toBe(theirs.stdout.toString('latin1'))
    expect(ours.stdout.length).toBeGreaterThan(0)
    const dash = odoolog(['grep', '-c', 'SMTP', '-'], { input: gz })
    expect(dash.stdout.toString()).toBe(gnuGrep(['-c', 'SMTP', '-'], { input: plain }).stdout.toString())
  })

  it('binary files: the notice goes to stderr, like grep 3.8, and -a prints the lines', () => {
    const theirs = gnuGrep(['554', 'bin.log'], { cwd: c.mirror })
    const ours = odoolog(['grep', '554', 'bin.log'], { cwd: c.root })
    expect(ours.stdout.length).toBe(0)
    expect(theirs.stderr).toContain('bin.log: binary file matches')
    expect(ours.stderr).toBe('odoolog: bin.log: binary file matches\n')
    expect(ours.status).toBe(theirs.status)
  })
})
