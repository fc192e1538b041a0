import { randomBytes } from 'node:crypto'
import { chownSync, mkdtempSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { gzipSync } from 'node:zlib'
import { afterEach, describe, expect, it } from 'vitest'
import { ArchiveCache, cacheDir, closeAll, discover as discoverAll, readRecords, stdinSource, type LogRecord, type LogSource, type ReadRecordsOptions } from '../src/index.js'

const opened: LogSource[] = []
afterEach(() => closeAll(opened.splice(0)))
async function discover(paths: string[]): Promise<LogSource[]> {
  const found = await discoverAll(paths)
  opened.push(...found)
  return found
}

const root = mkdtempSync(join(tmpdir(), 'odoolog-cache-lib-'))
let n = 0
const dirOf = () => join(root, `c${n++}`)

const stamp = (day: number, s: number) => `2026-05-${String(day).padStart(2, '0')} ${String(5 + Math.floor(s / 3600)).padStart(2, '0')}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')},${String(s % 1000).padStart(3, '0')}`
/** A day of log: mail records (one with a traceback, one with a line of invalid UTF-8) among noise. */
function day(d: number): string {
  let t = ''
  for (let s = 0; s < 400; s++) {
    if (s % 7 === 0) t += `${stamp(d, s)} 4 INFO db odoo.addons.mail.models.mail_mail: Mail with ID ${d * 1000 + s} and Message-Id '<m${s}@x>' successfully sent \n`
    else if (s % 50 === 1) t += `${stamp(d, s)} 4 ERROR db odoo.addons.mail.models.mail_mail: failed sending mail (id: ${s})\nTraceback (most recent call last):\n  File "x.py", line 1\nsmtplib.SMTPDataError: (554, b'5.7.1 \xe9t\xe9 disabled')\n`
    else t += `${stamp(d, s)} 4 INFO db werkzeug: 127.0.0.1 - - "GET /web HTTP/1.1" 200 - 1 0.01 0.02\n`
  }
  return t
}

function logs(): string {
  const dir = mkdtempSync(join(root, 'logs-'))
  writeFileSync(join(dir, 'odoo.log.2026-05-01.gz'), gzipSync(Buffer.from(day(1), 'latin1')))
  writeFileSync(join(dir, 'odoo.log.2026-05-02.gz'), gzipSync(Buffer.from(day(2), 'latin1')))
  writeFileSync(join(dir, 'odoo.log.1'), Buffer.from(day(3), 'latin1'))
  writeFileSync(join(dir, 'odoo.log'), Buffer.from(day(4), 'latin1'))
  return dir
}

const MAIL = ['successfully sent', 'failed sending mail']
async function records(dir: string, opts: ReadRecordsOptions = {}): Promise<{ recs: LogRecord[]; summary: unknown }> {
  const it = readRecords(await discover([dir]), { patterns: MAIL, syntax: 'fixed', ...opts })
  const recs: LogRecord[] = []
  for (;;) {
    const r = await it.next()
    if (r.done) return { recs, summary: r.value }
    if (r.value.kind === 'records') recs.push(...(r.value.records as LogRecord[]))
  }
}

describe('records from the cache are the records read', () => {
  it('same files, sources, lines, offsets, headers and text; the same counts; with and without a window', async () => {
    const dir = logs()
    for (const opts of [{}, { countRecords: false }, { since: '2026-05-02 05:03:00', until: '2026-05-03 05:01:00' }, { lines: false }] as ReadRecordsOptions[]) {
      const cache = new ArchiveCache(dirOf())
      const plain = await records(dir, opts)
      const cold = await records(dir, { ...opts, cache })
      expect(cold).toEqual(plain)
      expect(cache.hits).toBe(0)
      const windowed = !!opts.since
      // the three rotated files, not odoo.log; a windowed reading writes nothing
      expect(cache.written).toBe(windowed ? 0 : 3)
      const warm = await records(dir, { ...opts, cache })
      expect(warm).toEqual(plain)
      expect(cache.hits).toBe(windowed ? 0 : 3)
      expect(plain.recs.length).toBeGreaterThan(20)
    }
  })

  it('a windowed reading uses what a whole reading wrote', async () => {
    const dir = logs()
    const cache = new ArchiveCache(dirOf())
    await records(dir, { cache })
    const win = { since: '2026-05-02 05:03:00', until: '2026-05-03 05:01:00' }
    const before = cache.hits
    expect(await records(dir, { ...win, cache })).toEqual(await records(dir, win))
    // the first archive lies wholly before the window (skipped unread); the others are cached
    expect(cache.hits - before).toBe(2)
  })

  it('entries written without counting records are not used by a reading that counts them', async () => {
    const dir = logs()
    const cache = new ArchiveCache(dirOf())
    await records(dir, { cache, countRecords: false })
    const hits = cache.hits
    const counted = await records(dir, { cache })
    expect(cache.hits).toBe(hits)
    expect(counted).toEqual(await records(dir))
    // and rewritten with the counts, which both readings can use
    await records(dir, { cache, countRecords: false })
    await records(dir, { cache })
    expect(cache.hits).toBe(hits + 6)
  })
})

describe('ArchiveCache', () => {
  it('identifies rotated files only, by content as well as by name', async () => {
    const dir = logs()
    writeFileSync(join(dir, 'notes.log'), day(5))
    const cache = new ArchiveCache(dirOf())
    const srcs = await discover([dir, join(dir, 'notes.log')])
    const ids = await Promise.all(srcs.map((s) => cache.identify(s)))
    const byName = Object.fromEntries(srcs.map((s, i) => [s.name.slice(dir.length + 1), ids[i]]))
    expect(byName['odoo.log']).toBeNull()
    expect(byName['notes.log']).toBeNull()
    expect(byName['odoo.log.1']).toMatch(/^\d+:\d+:\d+:\d+:[0-9a-f]{40}$/)
    expect(byName['odoo.log.2026-05-01.gz']).not.toBe(byName['odoo.log.2026-05-02.gz'])
    expect(cache.identify(stdinSource(new PassThrough()))).toBeNull()
  })

  it('evicts the least recently used entries past its cap, down to 80% of it', async () => {
    const dir = dirOf()
    const cache = new ArchiveCache(dir, { maxBytes: 40_000 })
    // 12 entries of about 5 KB (random bytes do not compress), each used a minute after the one before
    const bodies = Array.from({ length: 12 }, () => randomBytes(5000))
    const noise = (i: number) => bodies[i]!
    for (let i = 0; i < 12; i++) {
      cache.store('test', 's', `id${i}`, { i }, noise(i), 1e9)
      await cache.settle()
      const f = readdirSync(dir).map((x) => join(dir, x)).sort((a, b) => statSync(a).mtimeMs - statSync(b).mtimeMs).pop()!
      const t = new Date(Date.UTC(2026, 0, 1, 0, i))
      utimesSync(f, t, t)
    }
    const total = readdirSync(dir).reduce((s, f) => s + statSync(join(dir, f)).size, 0)
    expect(total).toBeLessThanOrEqual(40_000)
    // the newest are kept, the oldest gone
    expect(cache.load('test', 's', 'id11')?.meta).toEqual({ i: 11 })
    expect(cache.load('test', 's', 'id0')).toBeNull()
    expect(cache.load('test', 's', 'id11')?.body.equals(noise(11))).toBe(true)
  })

  it('drops an entry larger than a tenth of its file (plus 4 KiB)', async () => {
    const cache = new ArchiveCache(dirOf())
    const big = randomBytes(20_000)
    cache.store('test', 's', 'small-file', {}, big, 100_000)
    cache.store('test', 's', 'large-file', {}, big, 200_000)
    await cache.settle()
    expect(cache.load('test', 's', 'small-file')).toBeNull()
    expect(cache.load('test', 's', 'large-file')).not.toBeNull()
  })

  it("reads only entries of the user's own, in a folder only that user can enter", async (ctx) => {
    const dir = dirOf()
    const cache = new ArchiveCache(dir)
    cache.store('test', 's', 'mine', { ok: 1 }, Buffer.from('body'), 1e6)
    await cache.settle()
    expect(statSync(dir).mode & 0o777).toBe(0o700)
    const [entry] = readdirSync(dir)
    expect(statSync(join(dir, entry!)).mode & 0o777).toBe(0o600)
    expect(cache.load('test', 's', 'mine')?.meta).toEqual({ ok: 1 })
    // another user's entry (only root can make one here)
    if (process.getuid?.() !== 0) return ctx.skip()
    chownSync(join(dir, entry!), 65534, 65534)
    expect(cache.load('test', 's', 'mine')).toBeNull()
  })

  it('lives in $ODOOLOG_CACHE_DIR, else $XDG_CACHE_HOME/odoolog, else $HOME/.cache/odoolog, else nowhere', () => {
    expect(cacheDir({ ODOOLOG_CACHE_DIR: '/a', XDG_CACHE_HOME: '/b', HOME: '/c' })).toBe('/a')
    expect(cacheDir({ XDG_CACHE_HOME: '/b', HOME: '/c' })).toBe('/b/odoolog')
    expect(cacheDir({ HOME: '/c' })).toBe('/c/.cache/odoolog')
    expect(cacheDir({})).toBeNull()
  })
})
