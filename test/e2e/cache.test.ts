// The cache of rotated archives (`records` entries): a run that reads an archive writes what the mail
// parser needs of it, the next run reads that instead, and the output is the same bytes either way.
import { spawn, spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, truncateSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync, gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sent, web } from '../../packages/mail/test/build.js'
import { writeMonth } from '../helpers/month.js'
import { BIN, EXAMPLES, odoolog, type Run } from '../helpers/run.js'

const root = mkdtempSync(join(tmpdir(), 'odoolog-cache-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

let n = 0
/** A cache folder of its own for one test. */
const freshCache = () => join(root, `cache-${n++}`)
const entries = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.odc')) : [])
const run = (args: string[], cache: string) => odoolog(args, { env: { ODOOLOG_CACHE_DIR: cache } })
const same = (a: Run, b: Run) => {
  expect(a.stdout.toString('latin1')).toBe(b.stdout.toString('latin1'))
  expect(a.stderr).toBe(b.stderr)
  expect(a.status).toBe(b.status)
}

/** The commands whose output the cache must not change, over one folder. */
const COMMANDS = [
  ['report', 'retries', '--by', 'day'],
  ['report', 'retries', '--by', 'mail', '--format', 'csv'],
  ['report', 'retries', '--by', 'recipient', '--since', '2026-10-09T12:00', '--until', '2026-10-21'],
  ['report', 'limit', '--format', 'json'],
  ['report', 'queue', '--format', 'json'],
  ['diagnose', '--format', 'json'],
  ['diagnose', '--to', 'user7@example.com'],
  ['mail', '--events', '--format', 'ndjson'],
  ['mail', '--stats', '--status', 'failed'],
  ['mail', '--since', '2026-10-30', '--format', 'csv'],
]

describe('cached and uncached runs print the same bytes', () => {
  let month: string
  beforeAll(() => {
    month = join(root, 'month')
    writeMonth(month, { probes: true })
  })

  for (const [label, folder] of [
    ['the examples', () => EXAMPLES],
    ['a generated month', () => month],
  ] as const) {
    it(`${label}: every report, cold (writing), warm (reading) and --no-cache`, () => {
      const dir = folder()
      const rotated = readdirSync(dir).filter((f) => /^odoo\.log\.(1|\d{4}-\d{2}-\d{2}\.gz)$/.test(f)).length
      expect(rotated).toBeGreaterThan(2)
      for (const args of COMMANDS) {
        const cache = freshCache()
        const plain = run([...args, '--no-cache', dir], cache)
        // --no-cache neither reads nor writes: no folder is made
        expect(existsSync(cache)).toBe(false)
        const cold = run([...args, dir], cache)
        same(cold, plain)
        const written = entries(cache)
        // a window sees only part of each file: such a run writes no entry
        if (args.includes('--since')) expect(written).toEqual([])
        // one entry per rotated file (odoo.log, the live file, has none), where it takes at most a
        // tenth of the archive (the generated month's days are all mail, and compress better whole)
        else if (folder() === EXAMPLES) expect(written.length).toBe(rotated)
        else expect(written.length).toBeGreaterThan(rotated / 2)
        same(run([...args, dir], cache), plain)
      }
    })
  }

  it('a warm run reads no byte of a cached archive', () => {
    // The proof: damage the middle of an archive but keep its identity (size, mtime, first and last
    // 4 KiB). Read, it fails; cached, the run prints what it printed before the damage.
    const dir = join(root, 'proof')
    cpSync(EXAMPLES, dir, { recursive: true })
    // an archive stored, not compressed (gzip -0), so that its middle is far from both ends
    const gz = join(dir, 'odoo.log.2026-11-24.gz')
    writeFileSync(gz, gzipSync(Buffer.concat([gunzipSync(readFileSync(gz)), Buffer.from(Array.from({ length: 600 }, (_, i) => web(Date.UTC(2026, 10, 24, 4, 0, i))).join(''))]), { level: 0 }))
    const cache = freshCache()
    const args = ['report', 'retries', '--by', 'day', '--format', 'csv', dir]
    const before = run(args, cache)
    expect(before.status).toBe(0)
    expect(statSync(gz).size).toBeGreaterThan(16384)
    // (touch -r copies the times to the nanosecond: utimes() takes a double of seconds)
    const ref = join(root, 'proof-times')
    writeFileSync(ref, '')
    expect(spawnSync('touch', ['-r', gz, ref]).status).toBe(0)
    const bytes = readFileSync(gz)
    bytes.fill(0x55, 8192, bytes.length - 8192)
    writeFileSync(gz, bytes)
    expect(spawnSync('touch', ['-r', ref, gz]).status).toBe(0)
    same(run(args, cache), before)
    const uncached = run([...args, '--no-cache'], cache)
    expect(uncached.status).toBe(2)
    expect(uncached.stderr).toContain(gz)
  })
})

describe('an archive that changed is read again', () => {
  /** A copy of the examples to change. */
  function folder(name: string): string {
    const dir = join(root, name)
    rmSync(dir, { recursive: true, force: true })
    cpSync(EXAMPLES, dir, { recursive: true })
    return dir
  }
  const day = Date.UTC(2026, 10, 26, 10)
  /** Yesterday's log: `count` sent mails with ids from `first` (same digits, same length). */
  const yesterday = (count: number, first: number) => Array.from({ length: count }, (_, i) => sent(day + i * 60e3, first + i, 'x@example.com')).join('')
  const ids = (r: Run) => new Set(r.stdout.toString().split('\n').slice(1).map((l) => l.split(',')[3]))
  const csv = (dir: string, cache: string) => run(['mail', '--format', 'csv', dir], cache)

  it('rewritten (new size and mtime), replaced (a new inode with the same size and mtime), truncated', () => {
    const dir = folder('changed')
    const one = join(dir, 'odoo.log.1')
    const cache = freshCache()
    writeFileSync(one, yesterday(40, 7000))
    expect(ids(csv(dir, cache))).toContain('7039')
    expect(entries(cache).length).toBe(4)

    // rewritten in place
    writeFileSync(one, yesterday(30, 8000))
    const rewritten = csv(dir, cache)
    expect(ids(rewritten)).toContain('8029')
    expect(ids(rewritten)).not.toContain('7000')
    same(rewritten, run(['mail', '--format', 'csv', '--no-cache', dir], cache))

    // replaced: a file of the same size renamed over it, its mtime set to the old one's
    const old = statSync(one)
    writeFileSync(one + '.new', yesterday(30, 9000))
    expect(statSync(one + '.new').size).toBe(old.size)
    utimesSync(one + '.new', old.atime, old.mtime)
    renameSync(one + '.new', one)
    const replaced = csv(dir, cache)
    expect(ids(replaced)).toContain('9000')
    expect(ids(replaced)).not.toContain('8000')

    // a truncated archive: what is left is read, and its damage said, as without the cache
    const gz = join(dir, 'odoo.log.2026-11-24.gz')
    truncateSync(gz, Math.floor(statSync(gz).size / 2))
    const cut = csv(dir, cache)
    expect(cut.status).toBe(2)
    expect(cut.stderr).toContain(`${gz}: unexpected end of file`)
    same(cut, run(['mail', '--format', 'csv', '--no-cache', dir], cache))
  })

  it('odoo.log, the live file, is always read', () => {
    const dir = folder('live')
    const cache = freshCache()
    const log = join(dir, 'odoo.log')
    const base = readFileSync(log)
    csv(dir, cache)
    writeFileSync(log, Buffer.concat([base, Buffer.from(sent(Date.UTC(2026, 10, 27, 12), 99123, 'late@example.com'))]))
    expect(csv(dir, cache).stdout.toString()).toContain(',99123,sent,')
  })
})

describe('the cache folder', () => {
  it('a damaged entry is ignored and written anew', () => {
    const cache = freshCache()
    const args = ['report', 'retries', '--by', 'mail', EXAMPLES]
    const plain = run([...args, '--no-cache'], cache)
    run(args, cache)
    const names = entries(cache)
    expect(names.length).toBe(4)
    // garbage, a cut gzip, an empty file and a valid gzip of another entry's header
    const damage = [Buffer.from('not an entry'), readFileSync(join(cache, names[1]!)).subarray(0, 40), Buffer.alloc(0), gzipSync('{"format":1,"kind":"records","sel":"x","id":"y","meta":{}}\n')]
    names.forEach((f, i) => writeFileSync(join(cache, f), damage[i]!))
    same(run(args, cache), plain)
    // each was written again, whole
    for (const f of names) expect(readFileSync(join(cache, f)).length).toBeGreaterThan(60)
    same(run(args, cache), plain)
  })

  it('an unwritable cache costs one line on stderr, and nothing else', () => {
    const blocker = join(root, 'a-file')
    writeFileSync(blocker, 'x')
    const cache = join(blocker, 'cache')
    const args = ['report', 'retries', '--by', 'day', EXAMPLES]
    const plain = run([...args, '--no-cache'], freshCache())
    const r = run(args, cache)
    expect(r.stdout.toString()).toBe(plain.stdout.toString())
    expect(r.status).toBe(plain.status)
    expect(r.stderr).toBe(`${plain.stderr}odoolog: cache not written (${cache}: ENOTDIR: not a directory, mkdir '${cache}'); --no-cache reads without it\n`)
  })

  it('$XDG_CACHE_HOME/odoolog, else $HOME/.cache/odoolog', () => {
    const home = join(root, 'home')
    const xdg = join(root, 'xdg')
    const args = ['report', 'queue', EXAMPLES]
    odoolog(args, { env: { HOME: home, XDG_CACHE_HOME: xdg, ODOOLOG_CACHE_DIR: '' } })
    expect(entries(join(xdg, 'odoolog')).length).toBe(4)
    expect(existsSync(join(home, '.cache'))).toBe(false)
    odoolog(args, { env: { HOME: home, ODOOLOG_CACHE_DIR: '' } })
    expect(entries(join(home, '.cache', 'odoolog')).length).toBe(4)
  })

  it('two runs at once write whole entries, no temporary file is left', async () => {
    const cache = freshCache()
    const month = join(root, 'twice')
    writeMonth(month, { days: 12 })
    const args = [BIN, 'report', 'retries', '--by', 'mail', month]
    const once = () =>
      new Promise<string>((resolve) => {
        const p = spawn(process.execPath, args, { env: { PATH: process.env.PATH ?? '', LC_ALL: 'C', ODOOLOG_CACHE_DIR: cache } })
        let out = ''
        p.stdout.on('data', (d: Buffer) => (out += d.toString()))
        p.on('close', () => resolve(out))
      })
    const [a, b] = await Promise.all([once(), once()])
    const plain = run([...args.slice(1), '--no-cache'], cache).stdout.toString()
    expect(a).toBe(plain)
    expect(b).toBe(plain)
    expect(readdirSync(cache).filter((f) => !f.endsWith('.odc'))).toEqual([])
    // odoo.log.1 and 10 archives
    expect(entries(cache).length).toBe(11)
    expect(run(args.slice(1), cache).stdout.toString()).toBe(plain)
  })
})

describe("grep's index of rotated files", () => {
  let month: string
  let oneDay: string
  beforeAll(() => {
    month = join(root, 'grep-month')
    writeMonth(month, { days: 10 })
    // a Message-Id that one archive alone holds
    const gz = readdirSync(month).find((f) => f.endsWith('.gz'))!
    oneDay = /<\d+\.1764000000[^>]*>/.exec(gunzipSync(readFileSync(join(month, gz))).toString('latin1'))![0]
  })

  const PATTERNS = [
    ['-F', 'user5@domain0.example'],
    ['-F', 'nobody@nowhere.example'],
    ['-E', 'to .user1[0-9]@domain[0-4]\\.example.'],
    ['-F', 'successfully sent'],
    ['-e', '@odoo-host'],
  ]
  const FLAGS = [[], ['-n'], ['-c'], ['-l'], ['-L'], ['-o', '-b'], ['-v', '-c'], ['-C', '1', '-n'], ['-h', '-m', '2'], ['-i'], ['--json', '-c']]

  it('cold (writing), warm (reading) and --no-cache print the same bytes, for every flag that reads files whole or not', () => {
    const cache = freshCache()
    for (const p of [...PATTERNS, ['-F', oneDay]]) {
      for (const flags of FLAGS) {
        const args = ['grep', ...flags, ...p, month]
        const plain = run([...args, '--no-cache'], cache)
        expect(existsSync(cache)).toBe(p !== PATTERNS[0] || flags.length > 0) // --no-cache makes no folder
        same(run(args, cache), plain)
        same(run(args, cache), plain)
      }
    }
    // an index per rotated file (odoo.log.1 and the archives), each at most a 25th of its file plus
    // 4 KiB (these days of 5 KB hold 300 Message-Ids each: the index is 12% of them, 0.1% on the
    // bench folder's days of 1 MB)
    const rotated = readdirSync(month).filter((f) => f !== 'odoo.log')
    expect(entries(cache).length).toBe(rotated.length)
    const archives = rotated.reduce((n, f) => n + statSync(join(month, f)).size, 0)
    const index = entries(cache).reduce((n, f) => n + statSync(join(cache, f)).size, 0)
    expect(index).toBeLessThan(archives / 25 + 4096 * rotated.length)
    expect(index).toBeGreaterThan(rotated.length * 100)
  })

  it('the examples: cold, warm and --no-cache print the same bytes, and those are GNU grep and zgrep lines', () => {
    const cache = freshCache()
    const patterns = [['-F', 'jdoe@example.com'], ['-F', '<5877609040.1764000000.000067-openerp-40-sale.order@odoo-host>'], ['-F', 'nobody@example.org'], ['-E', 'j\\*+@example\\.com'], ['-F', 'zz@none.example']]
    let found = 0
    for (const p of patterns) {
      for (const flags of [['-h'], ['-c'], ['-L'], ['-n', '-o']]) {
        const args = ['grep', ...flags, ...p, EXAMPLES]
        const plain = run([...args, '--no-cache'], cache)
        same(run(args, cache), plain)
        same(run(args, cache), plain)
        if (flags[0] === '-h' && plain.status === 0) {
          found++
          // the lines themselves, as zgrep prints them without file names (odoolog reads the files oldest first)
          const z = spawnSync('sh', ['-c', `zgrep -h ${p.map((a) => `'${a}'`).join(' ')} ${EXAMPLES}/odoo.log*`], { env: { PATH: process.env.PATH ?? '', LC_ALL: 'C' } })
          expect(plain.stdout.toString('latin1').split('\n').sort()).toEqual(z.stdout.toString('latin1').split('\n').sort())
        }
      }
    }
    expect(found).toBe(4)
    expect(entries(cache).length).toBe(4)
  })

  it('a warm search does not read the archives its index rules out, and reads them all for -v', () => {
    // The proof: write an address into the middle of odoo.log.1 but keep its identity (size, mtime,
    // first and last 4 KiB). The warm search does not see it; --no-cache does; so does -v.
    const dir = join(root, 'grep-proof')
    cpSync(EXAMPLES, dir, { recursive: true })
    const one = join(dir, 'odoo.log.1')
    const text = readFileSync(one)
    expect(text.length).toBeGreaterThan(3 * 8192)
    const cache = freshCache()
    const args = ['grep', '-n', '-F', 'late.reader@proof.example', dir]
    expect(run(args, cache).status).toBe(1)
    const ref = join(root, 'grep-proof-times')
    writeFileSync(ref, '')
    expect(spawnSync('touch', ['-r', one, ref]).status).toBe(0)
    const at = text.indexOf('\n', text.length >> 1) + 1
    Buffer.from('late.reader@proof.example\n').copy(text, at)
    writeFileSync(one, text)
    expect(spawnSync('touch', ['-r', ref, one]).status).toBe(0)

    const warm = run(args, cache)
    expect(warm.status).toBe(1)
    expect(warm.stdout.toString()).toBe('')
    const read = run([...args, '--no-cache'], cache)
    expect(read.status).toBe(0)
    expect(read.stdout.toString()).toMatch(/odoo\.log\.1:\d+:late\.reader@proof\.example\n$/)
    // -v selects the lines without it: every file is read
    same(run(['grep', '-v', '-c', '-F', 'late.reader@proof.example', dir], cache), run(['grep', '-v', '-c', '-F', 'late.reader@proof.example', '--no-cache', dir], cache))
    // a new mtime is a new file: read again, and its index written anew
    utimesSync(one, new Date(), new Date())
    same(run(args, cache), read)
    same(run(args, cache), read)
  })

  it('a file with more windows than its index may hold is marked so, and always read', () => {
    // a mass mailing's day, and more: seven new Message-Ids a line, far more than a 25th of the file allows
    const dir = join(root, 'grep-dense')
    rmSync(dir, { recursive: true, force: true })
    cpSync(EXAMPLES, dir, { recursive: true })
    const one = join(dir, 'odoo.log.1')
    writeFileSync(one, Array.from({ length: 3000 }, (_, i) => `${sent(Date.UTC(2026, 10, 26, 6) + i * 1000, 50000 + i, `u${i}@d${i % 7}.example`).trimEnd()} ${Array.from({ length: 6 }, (_, j) => `<${i * 6 + j}.1764000>`).join(' ')}\n`).join(''))
    const cache = freshCache()
    const needle = '<inject.1234567@proof.example>'
    expect(run(['grep', '-c', '-F', needle, one], cache).stdout.toString()).toBe('0\n')
    // its entry says it has no index (count -1)
    expect(entries(cache).length).toBe(1)
    const entry = gunzipSync(readFileSync(join(cache, entries(cache)[0]!))).toString()
    expect(entry).toMatch(/^\{"format":\d+,"kind":"grep-index",.*"meta":\{"count":-1\}\}\n$/)
    // the needle written into its middle, its identity kept: it is read, so the needle is found
    const ref = join(root, 'grep-dense-times')
    writeFileSync(ref, '')
    expect(spawnSync('touch', ['-r', one, ref]).status).toBe(0)
    const text = readFileSync(one)
    Buffer.from(needle).copy(text, text.indexOf('\n', text.length >> 1) + 1)
    writeFileSync(one, text)
    expect(spawnSync('touch', ['-r', ref, one]).status).toBe(0)
    expect(run(['grep', '-c', '-F', needle, one], cache).stdout.toString()).toBe('1\n')
  })

  it('an unwritable cache folder costs grep nothing: not a line on stderr', () => {
    const blocker = join(root, 'grep-blocker')
    writeFileSync(blocker, 'x')
    const args = ['grep', '-c', '-F', 'user5@domain0.example', month]
    const r = run(args, join(blocker, 'cache'))
    same(r, run([...args, '--no-cache'], freshCache()))
    expect(r.stderr).toBe('')
  })
})
