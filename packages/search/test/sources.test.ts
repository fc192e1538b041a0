import { appendFileSync, mkdirSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterEach, describe, expect, it } from 'vitest'
import { closeAll, discover as discoverAll, grep, readBytes, readRecords, SearchError, type DiscoverOptions, type LogSource } from '../src/index.js'

// discover() opens every file: the sources a test does not search are closed after it (a FileHandle
// left to the garbage collector prints a deprecation warning).
const opened: LogSource[] = []
afterEach(() => closeAll(opened.splice(0)))
async function discover(paths: string[], opts?: DiscoverOptions): Promise<LogSource[]> {
  const found = await discoverAll(paths, opts)
  opened.push(...found)
  return found
}

const line = (stamp: string, msg: string) => `${stamp} 4 INFO db odoo.addons.x: ${msg} \n`

function folder(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(join(tmpdir(), 'odoolog-src-'))
  for (const [name, body] of Object.entries(files)) writeFileSync(join(dir, name), body)
  return dir
}

async function output(sources: Awaited<ReturnType<typeof discover>>, patterns: string[], opts = {}) {
  const chunks: Buffer[] = []
  for await (const ev of grep(sources, { patterns, ...opts })) if (ev.kind === 'output') chunks.push(ev.data)
  return Buffer.concat(chunks).toString()
}

describe('discover', () => {
  it('orders a folder by first record time, not by name, and names files DIR/NAME', async () => {
    const dir = folder({
      'odoo.log': line('2026-05-04 05:00:01,000', 'today'),
      'odoo.log.1': line('2026-05-03 05:00:01,000', 'yesterday'),
      // named after its rotation day, but holding the oldest records
      'odoo.log.2026-05-09.gz': gzipSync(line('2026-05-01 05:00:01,000', 'oldest')),
      'odoo.log.2026-05-02.gz': gzipSync(line('2026-05-02 05:00:01,000', 'older')),
      'install.log': line('2026-05-05 05:00:01,000', 'install'),
      'notes.txt': 'not a log\n',
    })
    const sources = await discover([dir])
    expect(sources.map((s) => s.name)).toEqual(['odoo.log.2026-05-09.gz', 'odoo.log.2026-05-02.gz', 'odoo.log.1', 'odoo.log'].map((n) => `${dir}/${n}`))
    expect(sources.map((s) => s.gzip)).toEqual([true, true, false, false])
    expect(sources[0]!.firstTime).toBe('2026-05-01 05:00:01,000')
    const all = await discover([dir], { allLogs: true })
    expect(all.map((s) => s.name.slice(dir.length + 1))).toContain('install.log')
  })

  it('takes the first record time from the first KiB, and reads further (to 16 KiB) only when it is not there', async () => {
    // Text before the first header: plain filler, or bytes gzip cannot shrink (so that its first KiB
    // of compressed input holds less than the header too). The header starts at, or is cut by, every
    // offset near the 1 KiB read; the oracle is the first header of the whole text.
    const header = line('2026-05-01 05:00:01,000', 'first')
    let seed = 7
    const noise = (n: number) =>
      Array.from({ length: n }, () => {
        seed = (seed * 1103515245 + 12345) >>> 0
        return String.fromCharCode(0x21 + ((seed >>> 16) % 90))
      }).join('')
    const cases: [string, string | Buffer, string | null][] = []
    for (const at of [0, 1, 500, 1000, 1020, 1023, 1024, 1025, 1024 - header.length, 1024 - header.length + 1, 1024 - 30, 3000, 16_000]) {
      const pre = at === 0 ? '' : noise(at - 1) + '\n'
      const text = pre + header + line('2026-05-01 05:00:02,000', 'second')
      cases.push([`plain at ${at}`, text, '2026-05-01 05:00:01,000'])
      cases.push([`gzip at ${at}`, gzipSync(text), '2026-05-01 05:00:01,000'])
    }
    // beyond the 16 KiB read: no time, as before (the file's name orders it)
    cases.push(['plain at 20000', noise(19_999) + '\n' + header, null])
    for (const [what, body, want] of cases) {
      const dir = folder({ 'odoo.log': body })
      const [src] = await discover([dir])
      expect(src!.firstTime, what).toBe(want)
    }
  })

  it('falls back to what names say when files have no record header', async () => {
    const dir = folder({ 'odoo.log': 'c\n', 'odoo.log.1': 'b\n', 'odoo.log.2': 'a2\n', 'odoo.log.2026-05-01.gz': gzipSync('a\n') })
    const sources = await discover([dir])
    expect(sources.map((s) => s.name.slice(dir.length + 1))).toEqual(['odoo.log.2026-05-01.gz', 'odoo.log.2', 'odoo.log.1', 'odoo.log'])
  })

  it('a folder with no Odoo log and a missing file are errors of their own source; the other PATHs stay', async () => {
    const dir = folder({ 'pip.log': 'x\n' })
    const other = folder({ 'odoo.log': 'x\n' })
    const [empty, ok] = await discover([dir, other])
    expect(empty!.error).toBeInstanceOf(SearchError)
    expect(empty!.error).toMatchObject({ code: 'E_NO_LOGS', message: `${dir}: no Odoo log in this directory (expected odoo.log, odoo.log.1, odoo.log.YYYY-MM-DD.gz)` })
    expect(ok!.error).toBeUndefined()
    expect(ok!.name).toBe(`${other}/odoo.log`)
    const [missing] = await discover([join(dir, 'nope.log')])
    expect(missing!.error?.code).toBe('E_NOT_FOUND')
    expect(missing!.error?.message).toBe(`${join(dir, 'nope.log')}: No such file or directory`)
  })

  it('sniffs gzip by magic bytes: text named .gz is text', async () => {
    const dir = folder({ 'plain.gz': 'hello\n', 'real.log': gzipSync('hello gz\n') })
    const [plain, real] = await discover([join(dir, 'plain.gz'), join(dir, 'real.log')])
    expect([plain!.gzip, real!.gzip]).toEqual([false, true])
    expect(await output([plain!, real!], ['hello'], { withFilename: false })).toBe('hello\nhello gz\n')
  })

  it('fixes the file set at start: a rotation during the scan loses and repeats nothing', async () => {
    const dir = folder({
      'odoo.log.1': line('2026-05-03 05:00:01,000', 'yesterday'),
      'odoo.log': line('2026-05-04 05:00:01,000', 'today'),
    })
    const sources = await discover([dir])
    // rotate: odoo.log becomes odoo.log.1, a new odoo.log starts, the old one keeps growing
    renameSync(join(dir, 'odoo.log.1'), join(dir, 'odoo.log.2'))
    renameSync(join(dir, 'odoo.log'), join(dir, 'odoo.log.1'))
    appendFileSync(join(dir, 'odoo.log.1'), line('2026-05-04 06:00:00,000', 'written after open'))
    writeFileSync(join(dir, 'odoo.log'), line('2026-05-05 05:00:00,000', 'new file'))
    expect(await output(sources, [''], { withFilename: false })).toBe(
      line('2026-05-03 05:00:01,000', 'yesterday') + line('2026-05-04 05:00:01,000', 'today'),
    )
    mkdirSync(join(dir, 'sub'))
  })
})

describe('--since/--until skip whole files by their first record', () => {
  it('a file whose successor starts before --since, or that starts after --until, is never inflated', async () => {
    const day = (d: string, n: number) => Array.from({ length: n }, (_, i) => line(`2026-05-0${d} 05:${String(i % 60).padStart(2, '0')}:00,000`, `record ${i} of day ${d}`)).join('')
    // a damaged archive: its head inflates (for ordering), the rest is garbage
    const gz = gzipSync(day('1', 5000), { level: 1 })
    gz.fill(0x55, gz.length >> 1)
    const dir = folder({ 'odoo.log.2026-05-02.gz': gz, 'odoo.log.1': day('2', 3), 'odoo.log': day('3', 3) })
    const run = async (opts: object) => {
      const errors: string[] = []
      let out = ''
      for await (const ev of grep(await discover([dir]), { patterns: ['record'], count: true, withFilename: false, ...opts })) {
        if (ev.kind === 'error') errors.push(ev.error.code)
        if (ev.kind === 'output') out += ev.data.toString()
      }
      return { errors, out }
    }
    expect(await run({ since: '2026-05-02T06:00:00Z' })).toEqual({ errors: [], out: '0\n0\n3\n' }) // day 1 skipped, unread
    expect((await run({ since: '2026-05-01' })).errors).toEqual(['E_BAD_GZIP']) // it had to be read
    expect(await run({ until: '2026-05-01' })).toMatchObject({ errors: ['E_BAD_GZIP'] })
    expect((await run({ since: '2026-05-03', until: '2026-05-03' })).out).toBe('0\n0\n3\n')
  })
})

describe('readRecords: inputs that hold no Odoo record', () => {
  it('names the files read to their end without a header: a text file, an empty one; not a log, not a failed one', async () => {
    // the header comes after more than one read block of other text: still an Odoo log
    const late = 'x'.repeat(200_000) + '\n' + line('2026-05-01 05:00:00,000', 'late')
    const dir = folder({ 'passwd': 'root:x:0:0:root:/root:/bin/bash\n', 'empty.log': '', 'odoo.log': line('2026-05-01 05:00:00,000', 'a'), 'late.log': late })
    const paths = ['passwd', 'empty.log', 'odoo.log', 'late.log', 'missing.log'].map((n) => join(dir, n))
    const it = readRecords(await discover(paths), { patterns: ['nothing matches this'] })
    let r = await it.next()
    while (!r.done) r = await it.next()
    expect(r.value.withoutRecords).toEqual([join(dir, 'passwd'), join(dir, 'empty.log')])
    expect(r.value.errors).toBe(1)
  })
})

describe('readRecords: a consumer that stops early', () => {
  it('closes every file (none is left to the garbage collector)', async () => {
    const dir = folder({ 'odoo.log': line('2026-05-03 05:00:00,000', 'c'), 'odoo.log.1': line('2026-05-02 05:00:00,000', 'b'), 'odoo.log.2026-05-02.gz': gzipSync(line('2026-05-01 05:00:00,000', 'a')) })
    const sources = await discover([dir])
    const it = readRecords(sources)
    expect((await it.next()).done).toBe(false)
    await it.return(undefined as never)
    for (const s of sources) expect(s.handle!.fd).toBe(-1)
  })
})

describe('a refused pattern or time bound', () => {
  it.each([
    [{ patterns: ['\\('] }, 'E_BAD_PATTERN'],
    [{ patterns: ['(a'], syntax: 'perl' as const }, 'E_BAD_PATTERN'],
    [{ patterns: ['x'], since: 'yesterday-ish' }, undefined],
  ])('closes every discovered file before it throws (%j)', async (opts, code) => {
    const dir = folder({ 'odoo.log': line('2026-05-03 05:00:00,000', 'c'), 'odoo.log.1': line('2026-05-02 05:00:00,000', 'b'), 'odoo.log.2026-05-02.gz': gzipSync(line('2026-05-01 05:00:00,000', 'a')) })
    const sources = await discover([dir])
    for (const s of sources) expect(s.handle!.fd).toBeGreaterThan(-1)
    const err = await grep(sources, opts).next().then(() => null, (e: unknown) => e)
    expect(err).toBeInstanceOf(SearchError)
    if (code) expect((err as SearchError).code).toBe(code)
    for (const s of sources) expect(s.handle!.fd).toBe(-1)
  })
})

describe('a source read twice', () => {
  it('keeps its file open after a reading left early: the second reading gets every byte', async () => {
    const text = Array.from({ length: 60000 }, (_, i) => line('2026-11-20 08:00:00,000', `line ${i}`)).join('')
    const dir = folder({ 'odoo.log.1': text, 'odoo.log.2026-11-20.gz': gzipSync(text), 'notes.txt': 'another file\n' })
    for (const src of await discover([join(dir, 'odoo.log.1'), join(dir, 'odoo.log.2026-11-20.gz')])) {
      // more than one read block (288 KiB) and one inflate block (512 KiB): the first is left in its first block
      expect(src.size).toBeGreaterThan(src.gzip ? 1000 : 1 << 20)
      for await (const chunk of readBytes(src)) {
        expect(chunk.length).toBeGreaterThan(0)
        break
      }
      // the stream left early has let go; another file opened now may get the same fd number
      const other = await discover([join(dir, 'notes.txt')])
      const chunks: Buffer[] = []
      for await (const chunk of readBytes(src)) chunks.push(chunk)
      expect(Buffer.concat(chunks).toString()).toBe(text)
      closeAll(other)
    }
  })
})
