import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { closeAll, discover, stdinSource, type LogSource } from '@odoolog/search'
import { afterAll, describe, expect, it } from 'vitest'
import { massMailing, quickRetriesByDay, readMailBatches, RetriesTally, type QuickRetries, type RetriesRow } from '../src/index.js'
import { rng } from '../../../test/helpers/rng.js'
import { bounce, failed, failedWith, messageId, queueRun, sent, stamp, web } from './build.js'

// quickRetriesByDay against the parser: on any input it gives RetriesTally's rows over readMailEvents
// (and the same files without records), or it gives up (null). Never a third answer.

const tmp = mkdtempSync(join(tmpdir(), 'odoolog-quick-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))
let n = 0

const DB = 'acme-prod-1234567'
const T0 = Date.UTC(2026, 10, 20, 21, 0, 0)

async function parserRows(sources: LogSource[]): Promise<{ rows: RetriesRow[]; withoutRecords: string[] }> {
  const t = new RetriesTally('day')
  const it = readMailBatches(sources, { countRecords: false })
  for (;;) {
    const r = await it.next()
    if (r.done) return { rows: t.result(), withoutRecords: r.value.withoutRecords }
    for (const e of r.value) t.add(e)
  }
}

/** Both readings of the files (a folder or files), each over sources of its own. */
async function both(paths: string[]): Promise<{ quick: QuickRetries | null; parser: { rows: RetriesRow[]; withoutRecords: string[] } }> {
  const a = await discover(paths)
  const b = await discover(paths)
  try {
    return { quick: await quickRetriesByDay(a), parser: await parserRows(b) }
  } finally {
    closeAll(a)
    closeAll(b)
  }
}

/** Writes `text` as a file (gzip when the name ends in .gz) in a folder of its own, or in `dir`. */
function write(text: string | Buffer, name = 'odoo.log', dir = join(tmp, `d${n++}`)): string {
  rmSync(dir, { recursive: true, force: true, maxRetries: 0 })
  mkdirSync(dir, { recursive: true })
  const body = Buffer.from(text)
  writeFileSync(join(dir, name), name.endsWith('.gz') ? gzipSync(body) : body)
  return dir
}

const smtpOnly = (t: number, pid: number) => `${stamp(t)} ${pid} INFO ${DB} odoo.addons.base.models.ir_mail_server: Mail delivery failed via SMTP server 'None'.\nSMTPServerDisconnected: Connection unexpectedly closed\n`
const failureOnly = (t: number, id: number, pid: number) =>
  `${stamp(t)} ${pid} ERROR ${DB} odoo.addons.mail.models.mail_mail: failed sending mail (id: ${id}) due to Mail Delivery Failed\nMail delivery failed via SMTP server 'None'.\nSMTPDataError: (550, b'5.7.1 Relaying denied')\nTraceback (most recent call last):\n  File "x.py", line 1, in y\nMailDeliveryException: boom\n`
const exception = (t: number, id: number, pid: number) =>
  `${stamp(t)} ${pid} ERROR ${DB} odoo.addons.mail.models.mail_mail: Exception while processing mail with ID ${id} and Msg-Id '${messageId(id)}'. Consider deleting it.\nTraceback (most recent call last):\n  File "x.py", line 1, in y\nValueError: bad address\n`
const skip = (t: number, pid: number) => `${stamp(t)} ${pid} INFO ${DB} odoo.addons.base.models.ir_mail_server: skip sending email in test mode\n`
const sent14 = (t: number, id: number, pid: number) => `${stamp(t)} ${pid} INFO ${DB} odoo.addons.mail.models.mail_mail: Mail (mail.mail) with ID ${id} and Message-Id "${messageId(id)}" successfully sent \n`
const sentUtf8 = (t: number, id: number, pid: number) => sent(t, id, `józef.ŝmidt${id}@exämple.org`, pid)

/**
 * A busy stretch of log with no outside prefix and no colour (what the quick reading takes): every
 * send form, refusals merged with their SMTP record or not, SMTP errors alone, exceptions, test-mode
 * skips, queue runs, bounces, resends, retries across midnight, and records of three workers a few
 * ms out of order.
 */
function plainBusy(seed: number, count: number): string {
  const r = rng(seed)
  let t = T0
  let out = ''
  let id = 7000
  for (let k = 0; k < count; k++) {
    t += Math.floor(r() * 9000)
    const pid = 20 + Math.floor(r() * 3)
    // another worker logged a few ms earlier
    const at = r() < 0.1 ? t - Math.floor(r() * 40) : t
    const x = r()
    if (x < 0.4) out += sent(at, id++, r() < 0.7 ? `user${k}@example.org` : undefined, pid)
    else if (x < 0.45) out += sent14(at, id++, pid)
    else if (x < 0.47) out += sentUtf8(at, id++, pid)
    else if (x < 0.55) out += failed(at, id - 1 - Math.floor(r() * 30), r() < 0.5 ? 421 : 554, r() < 0.5 ? `u${k}@example.org` : undefined, pid)
    else if (x < 0.57) out += failedWith(at, id - 1 - Math.floor(r() * 5), 'SMTPSenderRefused', `(553, b'5.7.1 Sender address rejected', 'x@y.z')`, pid)
    else if (x < 0.6) out += smtpOnly(at, pid)
    else if (x < 0.62) out += failureOnly(at, id - 1 - Math.floor(r() * 10), pid)
    else if (x < 0.64) out += exception(at, id - 1 - Math.floor(r() * 10), pid)
    else if (x < 0.67) out += skip(at, pid) + sent(at + 1, id++, `s${k}@example.org`, pid)
    else if (x < 0.7) out += queueRun(at, 2, pid).join('')
    else if (x < 0.73) out += bounce(at, id - 1 - Math.floor(r() * 50), `b${k}@example.org`)
    else if (x < 0.8) out += sent(at, id - 1 - Math.floor(r() * 15), `again${k}@example.org`, pid) // a retry or resend
    else out += web(at)
  }
  return out
}

/** Splits a log at 05:00 UTC each day into Odoo.sh's files: dated archives, odoo.log.1, odoo.log. */
function folder(text: string): string {
  const dir = join(tmp, `f${n++}`)
  mkdirSync(dir)
  const days = new Map<string, string[]>()
  let key = ''
  for (const line of text.split(/(?<=\n)/)) {
    const m = /^(\d{4}-\d{2}-\d{2}) (\d{2}):/.exec(line)
    if (m) {
      const t = Date.parse(`${m[1]}T${m[2]}:00:00Z`) - 5 * 3600e3
      key = new Date(t).toISOString().slice(0, 10)
    }
    if (!days.has(key)) days.set(key, [])
    days.get(key)!.push(line)
  }
  const keys = [...days.keys()]
  keys.forEach((k, i) => {
    const body = days.get(k)!.join('')
    if (i === keys.length - 1) writeFileSync(join(dir, 'odoo.log'), body)
    else if (i === keys.length - 2) writeFileSync(join(dir, 'odoo.log.1'), body)
    else writeFileSync(join(dir, `odoo.log.${new Date(Date.parse(k) + 86400e3).toISOString().slice(0, 10)}.gz`), gzipSync(body))
  })
  return dir
}

describe('quickRetriesByDay gives the parser rows', () => {
  it('on the example logs', async () => {
    const dir = fileURLToPath(new URL('../../../examples/logs/sample', import.meta.url))
    const { quick, parser } = await both([dir])
    expect(parser.rows.length).toBeGreaterThan(3)
    expect(quick).not.toBeNull()
    expect(quick!.rows).toEqual(parser.rows)
    expect(quick!.withoutRecords).toEqual(parser.withoutRecords)
  })

  for (const seed of [1, 2, 3]) {
    it(`on busy days split into archives, odoo.log.1 and odoo.log (seed ${seed})`, async () => {
      // about 2 MB of text over 5 days: records cross every read and inflate block
      const dir = folder(plainBusy(seed, 12000))
      const { quick, parser } = await both([dir])
      const attempts = parser.rows.reduce((s, r) => s + r.attempts, 0)
      expect(attempts).toBeGreaterThan(7000)
      expect(parser.rows.some((r) => r.retries > 0 && Object.keys(r.codes).length >= 3)).toBe(true)
      expect(quick).not.toBeNull()
      expect(quick!.rows).toEqual(parser.rows)
    })
  }

  it('at the edges of a file: no newline at its end, lines before its first record, a file without records', async () => {
    const text = plainBusy(9, 300)
    const dir = join(tmp, `e${n++}`)
    mkdirSync(dir)
    writeFileSync(join(dir, 'odoo.log.2026-11-19.gz'), gzipSync('orphan line one\n\nTraceback (most recent call last):\n' + text.slice(0, text.length / 2)))
    writeFileSync(join(dir, 'odoo.log.1'), 'not a log at all\n')
    writeFileSync(join(dir, 'odoo.log.2026-11-18.gz'), gzipSync(''))
    writeFileSync(join(dir, 'odoo.log'), text.slice(text.length / 2).replace(/\n$/, ''))
    const { quick, parser } = await both([dir])
    expect([...parser.withoutRecords].sort()).toEqual([join(dir, 'odoo.log.1'), join(dir, 'odoo.log.2026-11-18.gz')])
    expect(quick).not.toBeNull()
    expect(quick!.rows).toEqual(parser.rows)
    expect(quick!.withoutRecords).toEqual(parser.withoutRecords)
  })

  it('or gives up: a seeded fuzz of edits to a busy log (bytes, lines, times)', async () => {
    const r = rng(42)
    const base = plainBusy(5, 400).split(/(?<=\n)/)
    const pieces = ['\x1b[31m', '\x00', "'", '"', '\r', '\t', 'é', '\xff', ' successfully sent', 'Mail with ID 7001 and Message-Id ', 'failed sending mail (id: 7002)', 'web_1  | ', '\n', '  ']
    let taken = 0
    let left = 0
    for (let k = 0; k < 150; k++) {
      const lines = [...base]
      for (let edits = 1 + Math.floor(r() * 4); edits > 0; edits--) {
        const i = Math.floor(r() * lines.length)
        const x = r()
        if (x < 0.2) lines.splice(i, 1)
        else if (x < 0.35) lines.splice(i, 0, lines[Math.floor(r() * lines.length)]!)
        else if (x < 0.5 && i + 1 < lines.length) [lines[i], lines[i + 1]] = [lines[i + 1]!, lines[i]!]
        else if (x < 0.7) {
          // a time moved: by ms to days, either way
          const shift = [5, 900e3, 3 * 3600e3, 2.5 * 86400e3][Math.floor(r() * 4)]! * (r() < 0.5 ? -1 : 1)
          lines[i] = lines[i]!.replace(/^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3})/, (s) => stamp(Date.parse(s.replace(' ', 'T').replace(',', '.') + 'Z') + shift))
        } else {
          const l = lines[i]!
          const p = Math.floor(r() * l.length)
          const piece = pieces[Math.floor(r() * pieces.length)]!
          lines[i] = r() < 0.5 ? l.slice(0, p) + piece + l.slice(p) : l.slice(0, p) + piece + l.slice(p + piece.length)
        }
      }
      const dir = write(Buffer.from(lines.join(''), 'latin1'))
      const { quick, parser } = await both([dir])
      if (quick === null) {
        left++
        continue
      }
      taken++
      expect(quick.rows, `case ${k}`).toEqual(parser.rows)
      expect(quick.withoutRecords).toEqual(parser.withoutRecords)
    }
    // both answers were exercised
    expect(taken).toBeGreaterThan(40)
    expect(left).toBeGreaterThan(15)
  })
})

describe('quickRetriesByDay gives up where the parser reads differently', () => {
  const day = plainBusy(11, 200)
  const cases: [string, () => string | Buffer][] = [
    ['an ANSI colour', () => day + `\x1b[32m${sent(T0 + 86400e3, 1, undefined, 20)}`],
    ['a NUL byte', () => day + '\x00\n'],
    ['an outside prefix', () => day + `web_1  | ${sent(T0 + 86400e3, 1, undefined, 20)}`],
    ['non-ASCII in a header', () => day + sent(T0 + 86400e3, 1, undefined, 20).replace(DB, 'acmé')],
    ['a record logged two hours before the latest', () => day + sent(T0 + 86400e3, 1, undefined, 20) + web(T0 + 86400e3 - 2 * 3600e3)],
    ['a mail tried again three days later', () => sent(T0, 1, undefined, 20) + failed(T0 + 1000, 2, 421) + sent(T0 + 3 * 86400e3, 2, undefined, 20)],
    ['a mail tried before its previous attempt, across midnight', () => sent(T0 + 3 * 3600e3 + 50, 2, undefined, 20) + sent(T0 + 3 * 3600e3 - 10, 2, undefined, 21)],
    ['an SMTP error waiting 1,001 records for its failure record', () => smtpOnly(T0, 25) + Array.from({ length: 1001 }, (_, i) => web(T0 + i)).join('') + failureOnly(T0 + 2000, 3, 25)],
    ['an SMTP error whose failure record comes 7 hours later', () => smtpOnly(T0, 25) + web(T0 + 7 * 3600e3) + failureOnly(T0 + 7 * 3600e3 + 5, 3, 25)],
    // the parser holds at most MAX_HELD events: it lets the SMTP record go before its failure record
    ['an SMTP error after a burst of 20,001 records in its millisecond', () => Array.from({ length: 20001 }, (_, i) => sent(T0, 100 + i, undefined, 20)).join('') + failed(T0, 3, 421, undefined, 25)],
    ['a day that is none', () => day + sent(T0 + 86400e3, 1, undefined, 20).replace(/^\d{4}-\d{2}-\d{2}/, '2026-11-31')],
    ['a time that is none', () => day + sent(T0 + 86400e3, 1, undefined, 20).replace(/ \d{2}:\d{2}:\d{2},/, ' 24:00:00,')],
    ['a 2 MB line', () => day + 'x'.repeat(2 << 20) + '\n'],
  ]
  for (const [what, text] of cases) {
    it(what, async () => {
      const dir = write(text())
      const { quick, parser } = await both([dir])
      expect(quick).toBeNull()
      // the parser reads it (what the report then shows; a NUL makes the file binary, as grep)
      if (what !== 'a NUL byte') expect(parser.rows.length).toBeGreaterThan(0)
      // where the parser splits the SMTP error from its failure record: two refusals, not one
      if (what.includes('7 hours') || what.includes('burst')) expect(parser.rows.reduce((s, r) => s + r.failed, 0)).toBe(2)
    })
  }

  it('a damaged archive, stdin', async () => {
    const gz = gzipSync(day)
    gz[gz.length >> 1]! ^= 0xff
    expect(await quickRetriesByDay(await discover([write(gz, 'odoo.log.2026-11-19.gz')]))).toBeNull()
    expect(await quickRetriesByDay([stdinSource(Readable.from([Buffer.from(day)]))])).toBeNull()
  })
})

describe('massMailing', () => {
  it('is a folder whose newest archive is mostly send records', async () => {
    const r = rng(3)
    let mass = ''
    let quiet = ''
    for (let k = 0; k < 3000; k++) {
      const t = T0 + k * 1000
      mass += r() < 0.9 ? sent(t, k, `m${k}@example.org`) : web(t)
      quiet += r() < 0.02 ? sent(t, k, `m${k}@example.org`) : web(t) + web(t + 1) + web(t + 2)
    }
    const yes = await discover([folder(mass)])
    const no = await discover([folder(quiet)])
    try {
      expect(await massMailing(yes)).toBe(true)
      expect(await massMailing(no)).toBe(false)
    } finally {
      closeAll(yes)
      closeAll(no)
    }
  })
})
