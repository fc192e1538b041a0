import { Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { closeAll, discover, parseHeader, readRecords, stdinSource, type LogRecord, type LogSource } from '@odoolog/search'
import { describe, expect, it } from 'vitest'
import { rng } from '../../../test/helpers/rng.js'
import { parseMail, readMailEvents, type MailEvent, type ParseResult } from '../src/index.js'
import { MAIL_PATTERNS } from '../src/parse.js'
import { readSentLine, SentLine } from '../src/sent-line.js'
import { bounce, failed, queueRun, sent, stamp, web } from './build.js'

// The lane reads the commonest record from its bytes; the regexes of parse.ts read every record from
// its text. Where the lane takes a record, both readings must give the same event.

const T0 = Date.parse('2026-11-22T08:00:00.000Z')

/** The events of one record's text, read by the regexes (a LogRecord) or by the lane (a SentLine). */
async function eventsOf(item: LogRecord | SentLine): Promise<{ events: MailEvent[]; result: ParseResult }> {
  async function* input() {
    yield { kind: 'records' as const, records: [item] }
    return { records: 1, orphanLines: 0, errors: 0 }
  }
  const events: MailEvent[] = []
  const it = parseMail(input())
  for (;;) {
    const r = await it.next()
    if (r.done) return { events, result: r.value }
    events.push(r.value)
  }
}

function asRecord(line: Buffer): LogRecord {
  const text = line.toString('utf8')
  return { file: 'f.log', source: 0, line: 7, offset: 0, header: parseHeader(text), text }
}

/** The lane's reading of `line` placed inside other bytes (it must read [s, e) only). */
function lane(line: Buffer): SentLine | undefined {
  const before = Buffer.from("x' successfully sent\n")
  const after = Buffer.from(" successfully sent' from 'a' to (redacted) 'b' successfully sent\n")
  const b = Buffer.concat([before, line, after])
  return readSentLine(b, before.length, before.length + line.length, 'f.log', 7)
}

const BASES = [
  sent(T0, 639105, 'pat.nguyen@shop.example').trimEnd(),
  sent(T0 + 1, 7, undefined, 4242).trimEnd() + ' ', // Odoo's trailing space
  sent(T0 + 2, 8, 'jo@example.org').trimEnd() + '   ',
  `${stamp(T0)} 20 INFO acme-mass-7654321 odoo.addons.mail.models.mail_mail: Mail (mail.mail) with ID 12 and Message-Id '<a b@c>' from 'news@acme.com' to (redacted) '' successfully sent`,
  `${stamp(T0)} 1 DEBUG d l:Mail with ID 0012 and Message-Id '' successfully sent`,
  `${stamp(T0)} 123456789 CRITICAL db:with:colons x.y: Mail with ID 123456789012345 and Message-Id '"q"' from '' to (redacted) 'p***@x' successfully sent`,
]

describe('readSentLine: the bytes of a `successfully sent` record', () => {
  it('takes each plain form, with the fields the regexes read', async () => {
    for (const base of BASES) {
      const line = Buffer.from(base)
      const item = lane(line)
      expect(item, base).toBeInstanceOf(SentLine)
      const viaText = await eventsOf(asRecord(line))
      const viaBytes = await eventsOf(item!)
      expect(viaText.events).toHaveLength(1)
      expect(viaBytes).toEqual(viaText)
    }
  })

  it('leaves every other form to the regexes', () => {
    const refused = [
      `\x1b[32m${BASES[0]}`, // ANSI
      `app_1  | ${BASES[0]}`, // an outside prefix
      `${BASES[0]} \t`, // a blank other than spaces at the end
      `${BASES[0]}\r`,
      `${BASES[0]} 3 0.002 0.010`, // perf_info of a request thread
      `${BASES[0]}!`, // more after `sent` (the regex takes it; the lane leaves it)
      `${BASES[0]}\n  continued`, // two lines
      BASES[0]!.replace("Message-Id '<", 'Message-Id "<').replace(">' from", '>" from'), // double quotes
      BASES[0]!.replace('sales@', 'sälès@'), // UTF-8
      BASES[0]!.replace('odoo.addons.mail.models.mail_mail:', 'odoo addons:'), // a blank in the logger
      BASES[0]!.replace(' 22 INFO', ' 1234567890 INFO'), // a pid of 10 digits
      BASES[0]!.replace('INFO', 'INFOS'),
      BASES[0]!.replace('2026-11-22', '2026-1x-22'),
      `${stamp(T0)} 22 INFO db l: Mail with ID 1 and Message-Id 'm' from 'a' to 'b' successfully sent`,
    ]
    for (const r of refused) expect(lane(Buffer.from(r)), JSON.stringify(r)).toBeUndefined()
  })

  it('agrees with the regexes on 20,000 seeded mutations (bytes inserted, removed, replaced)', async () => {
    const r = rng(20261128)
    const pool = [..." '\":()-,.0123456789aAMz\t\r\x1b\x7f", '\xc3\xa9', '\xc2\xa0', '\xe2\x80\x83', '\xff', ' successfully sent', "' from '", " to (redacted) '", 'Mail with ID ', ' (mail.mail)'].map((s) => Buffer.from(s, 'latin1'))
    let taken = 0
    let left = 0
    for (let n = 0; n < 20000; n++) {
      let line = Buffer.from(BASES[Math.floor(r() * BASES.length)]!)
      const edits = 1 + Math.floor(r() * 3)
      for (let k = 0; k < edits; k++) {
        const at = Math.floor(r() * (line.length + 1))
        const piece = pool[Math.floor(r() * pool.length)]!
        const op = r()
        if (op < 0.4) line = Buffer.concat([line.subarray(0, at), piece, line.subarray(at)])
        else if (op < 0.7) line = Buffer.concat([line.subarray(0, at), line.subarray(at + 1 + Math.floor(r() * 3))])
        else line = Buffer.concat([line.subarray(0, at), piece, line.subarray(at + piece.length)])
      }
      const nl = line.indexOf(10)
      if (nl >= 0) line = line.subarray(0, nl) // one line: a record's bytes never hold its line end
      const item = lane(line)
      if (!item) {
        left++
        continue
      }
      taken++
      const viaText = await eventsOf(asRecord(line))
      expect(await eventsOf(item), line.toString('latin1')).toEqual(viaText)
    }
    // both routes were exercised
    expect(taken).toBeGreaterThan(2000)
    expect(left).toBeGreaterThan(2000)
  })
})

/** Events and result of the whole pipeline, with the lane or with the regexes alone. */
async function pipeline(sources: () => Promise<LogSource[]>, withLane: boolean): Promise<{ events: MailEvent[]; result: ParseResult; lanes: number }> {
  const src = await sources()
  const events: MailEvent[] = []
  let lanes = 0
  try {
    let it: AsyncGenerator<MailEvent, ParseResult>
    if (withLane) it = readMailEvents(src)
    else it = parseMail(readRecords(src, { patterns: MAIL_PATTERNS, syntax: 'fixed' }))
    for (;;) {
      const r = await it.next()
      if (r.done) {
        if (withLane) for await (const ev of readRecords(await sources(), { patterns: MAIL_PATTERNS, syntax: 'fixed', lane: readSentLine })) if (ev.kind === 'records') lanes += ev.records.filter((x) => x instanceof SentLine).length
        return { events, result: r.value, lanes }
      }
      events.push(r.value)
    }
  } finally {
    closeAll(src)
  }
}

/** A busy day's log: sends in every form, refusals, retries, test-mode skips, queue runs and bounces, some lines coloured or prefixed. */
function busyLog(seed: number): string {
  const r = rng(seed)
  let t = T0
  let out = ''
  let id = 5000
  for (let n = 0; n < 3000; n++) {
    t += Math.floor(r() * 4000)
    const pid = 20 + Math.floor(r() * 3)
    const x = r()
    if (x < 0.55) out += sent(t, id++, r() < 0.8 ? `user${n}@example.org` : undefined, pid)
    else if (x < 0.6) out += `\x1b[32m${sent(t, id++, `c${n}@example.org`, pid)}`
    else if (x < 0.63) out += `web_1  | ${sent(t, id++, `p${n}@example.org`, pid)}`
    else if (x < 0.7) out += failed(t, id - 1 - Math.floor(r() * 20), r() < 0.5 ? 421 : 554, r() < 0.5 ? `u${n}@example.org` : undefined, pid)
    else if (x < 0.73) out += `${stamp(t)} ${pid} INFO acme-prod-1234567 odoo.addons.base.models.ir_mail_server: skip sending email in test mode\n` + sent(t + 1, id++, `s${n}@example.org`, pid)
    else if (x < 0.76) out += queueRun(t, 2, pid).join('')
    else if (x < 0.8) out += bounce(t, id - 1 - Math.floor(r() * 50), `b${n}@example.org`)
    else if (x < 0.82) out += sent(t, id - 1 - Math.floor(r() * 10), `again${n}@example.org`, pid) // a resend
    else out += web(t)
  }
  return out
}

describe('the mail pipeline gives the same events with the lane as without it', () => {
  it('on the example logs', async () => {
    const dir = fileURLToPath(new URL('../../../examples/logs/sample', import.meta.url))
    const a = await pipeline(() => discover([dir]), true)
    const b = await pipeline(() => discover([dir]), false)
    expect(a.events.length).toBeGreaterThan(10)
    expect(a.lanes).toBeGreaterThan(0)
    expect(a.events).toEqual(b.events)
    expect(a.result).toEqual(b.result)
  })

  for (const seed of [1, 2, 3]) {
    it(`on a busy generated day (seed ${seed})`, async () => {
      const text = busyLog(seed)
      const from = () => Promise.resolve([stdinSource(Readable.from([Buffer.from(text)]))])
      const a = await pipeline(from, true)
      const b = await pipeline(from, false)
      expect(a.lanes).toBeGreaterThan(1000)
      expect(a.events.filter((e) => e.kind === 'attempt').length).toBeGreaterThan(2000)
      expect(a.events).toEqual(b.events)
      expect(a.result).toEqual(b.result)
    })
  }
})
