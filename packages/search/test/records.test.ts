import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { findHeaders, grep, parseHeader, parseTimeBound, readLines, stdinSource, type GrepOptions } from '../src/index.js'

const R1 = '2024-05-06 09:02:11,402 31 INFO acme odoo.addons.base.models.ir_mail_server: Mail delivery failed via SMTP server \'None\'.\nSMTPDataError: 554\n5.7.1 Message rejected. '
const R2 = [
  '2024-05-06 09:02:11,415 31 ERROR acme odoo.addons.mail.models.mail_mail: failed sending mail (id: 8815) due to Mail Delivery Failed',
  "Mail delivery failed via SMTP server 'None'.",
  'Traceback (most recent call last):',
  '',
  'ERROR: looks like a header but is PostgreSQL text',
  'smtplib.SMTPDataError: (554, b\'5.7.1 Message rejected\')',
].join('\n')
const R3 = '2024-05-06 09:05:00,001 9 INFO ? werkzeug: 203.0.113.7 - - [06/May/2024 09:05:00] "GET /web HTTP/1.1" 200 - 4 0.003 0.009'
const LOG = `stray line before the first header\n${R1}\n${R2}\n${R3}\n`

/** grep over `text` fed in the given chunks (stdin source), as one string. */
async function run(chunks: Buffer[], opts: Partial<GrepOptions>): Promise<string> {
  const out: Buffer[] = []
  for await (const ev of grep([stdinSource(Readable.from(chunks))], { patterns: [''], ...opts })) if (ev.kind === 'output') out.push(ev.data)
  return Buffer.concat(out).toString()
}

function splitAt(buf: Buffer, ...cuts: number[]): Buffer[] {
  const parts: Buffer[] = []
  let last = 0
  for (const c of cuts) {
    parts.push(buf.subarray(last, c))
    last = c
  }
  parts.push(buf.subarray(last))
  return parts.filter((p) => p.length)
}

describe('record headers (odoo-log-formats.md §1.3)', () => {
  it('parses every field; the db may be ?, the message follows `logger: `', () => {
    const h = parseHeader(R3)!
    expect(h).toMatchObject({ stamp: '2024-05-06 09:05:00,001', pid: 9, level: 'INFO', db: '?', logger: 'werkzeug', prefixLength: 0 })
    expect(R3.slice(h.messageStart)).toMatch(/^203\.0\.113\.7/)
  })
  it('strips ANSI around the level and prefixes added outside Odoo', () => {
    expect(parseHeader('2024-05-06 09:05:00,001 9 \x1b[1;32m\x1b[1;49mINFO\x1b[0m db odoo: x')?.level).toBe('INFO')
    expect(parseHeader('odoo_app_1  | 2024-05-06 09:05:00,001 9 INFO db odoo: x')?.prefixLength).toBe(14)
    expect(parseHeader('Apr 06 14:12:10 host python3[95545]: 2024-05-06 09:05:00,001 9 INFO db odoo: x')?.db).toBe('db')
    expect(parseHeader('6/11/2020 14:26:062020-11-06 17:26:06,425 983 ERROR db logger: x')?.stamp).toBe('2020-11-06 17:26:06,425')
    expect(parseHeader('ERROR: not a header')).toBeNull()
  })
  it('finds only header lines as record starts', () => {
    expect(findHeaders(LOG, 0, LOG.length, [])).toEqual([LOG.indexOf('2024-05-06 09:02:11,402'), LOG.indexOf('2024-05-06 09:02:11,415'), LOG.indexOf(R3)])
  })
  it('reads --since/--until: a date is the whole UTC day, a date-time an instant', () => {
    expect(parseTimeBound('2026-11-17', 'since')).toBe('2026-11-17 00:00:00,000')
    expect(parseTimeBound('2026-11-17', 'until')).toBe('2026-11-17 23:59:59,999')
    expect(parseTimeBound('2026-11-17T23:00', 'since')).toBe('2026-11-17 23:00:00,000')
    expect(parseTimeBound('2026-11-18T00:30:00+01:00', 'since')).toBe('2026-11-17 23:30:00,000')
    expect(() => parseTimeBound('yesterday', 'since')).toThrow(/--since: expected a date/)
  })
})

describe('--records across chunk boundaries', () => {
  const buf = Buffer.from(LOG)
  const whole = { records: true, withFilename: false }
  it('gives the same records whatever the chunking (every single cut, and cuts in pairs)', async () => {
    const expected = await run([buf], { ...whole, patterns: ['554'] })
    expect(expected).toBe(`${R1}\n${R2}\n`)
    for (let c = 1; c < buf.length; c++) expect(await run(splitAt(buf, c), { ...whole, patterns: ['554'] })).toBe(expected)
    for (let c = 1; c < buf.length; c += 7) for (let d = c + 1; d < buf.length; d += 13) expect(await run(splitAt(buf, c, d), { ...whole, count: true })).toBe('4\n')
  })
  it('-v drops whole records; the orphan lines are a unit of their own; -c "" counts them', async () => {
    expect(await run([buf], { ...whole, invert: true, patterns: ['Traceback'] })).toBe(`stray line before the first header\n${R1}\n${R3}\n`)
    expect(await run([buf], { ...whole, count: true })).toBe('4\n')
    expect(await run([buf], { ...whole, patterns: ['stray'] })).toBe('stray line before the first header\n')
  })
  it('-n numbers every line of a record', async () => {
    const out = await run([buf], { records: true, lineNumber: true, patterns: ['werkzeug'] })
    expect(out).toBe(`11:${R3}\n`)
  })
  it('--level, --db, --logger filter on headers and imply records', async () => {
    expect(await run([buf], { levels: ['ERROR'], count: true })).toBe('1\n')
    expect(await run([buf], { dbs: ['?'], withFilename: false })).toBe(`${R3}\n`)
    expect(await run([buf], { loggers: ['odoo.addons.mail'], count: true })).toBe('1\n')
  })
  it('--since/--until keep the records of the window only', async () => {
    expect(await run([buf], { records: true, count: true, since: '2024-05-06T09:02:11.410Z' })).toBe('2\n')
    expect(await run([buf], { count: true, until: '2024-05-06T09:02:11.410Z' })).toBe('4\n') // lines: stray + R1's 3
    expect(await run([buf], { count: true, since: '2024-05-07' })).toBe('0\n')
  })
  it('--json: one flat object per selected unit, null fields for lines without a header', async () => {
    const lines = (await run([buf], { json: true, patterns: ['554'] })).trim().split('\n').map((l) => JSON.parse(l))
    expect(Object.keys(lines[0])).toEqual(['file', 'line', 'offset', 'time', 'pid', 'level', 'db', 'logger', 'text'])
    expect(lines[0]).toMatchObject({ line: 3, time: null, level: null, text: 'SMTPDataError: 554' })
    const recs = (await run([buf], { json: true, records: true, patterns: ['8815'] })).trim().split('\n').map((l) => JSON.parse(l))
    expect(recs).toEqual([{ file: '(standard input)', line: 5, offset: LOG.indexOf(R2), time: '2024-05-06T09:02:11.415Z', pid: 31, level: 'ERROR', db: 'acme', logger: 'odoo.addons.mail.models.mail_mail', text: R2 }])
  })
})

describe('readLines', () => {
  it('keeps multibyte characters split across chunks, CRLF, and a last line without newline', async () => {
    const text = Buffer.from('école\r\nsecond\n\nlast', 'utf8')
    for (let c = 1; c < text.length; c++) {
      const lines: string[] = []
      for await (const l of readLines(stdinSource(Readable.from(splitAt(text, c))))) lines.push(l)
      expect(lines).toEqual(['école', 'second', '', 'last'])
    }
  })
  it('an empty input has no lines', async () => {
    const lines: string[] = []
    for await (const l of readLines(stdinSource(Readable.from([])))) lines.push(l)
    expect(lines).toEqual([])
  })
})
