import { constants as zlibConstants, gunzipSync } from 'node:zlib'
import { closeAll, parseHeader, readBytes, type LogSource } from '@odoolog/search'
import { attemptRecord, failureFields, HOLD_MS, isSmtpFailure, MAIL_PATTERNS, messageLines, type AttemptRecord } from './parse.js'
import { codesObject, type RetriesRow } from './report.js'
import { AND_MID, at, FROM, MAIL, MAIL_MAIL, SENT, TO, WITH_ID } from './sent-line.js'
import { parseSmtpFailure, type SmtpDetails } from './smtp.js'

// `report retries --by day` read straight from the bytes, for the logs of a mass mailing: no record
// objects, no events, no prefilter over the text. Every record header is found by a walk over the
// lines; a `successfully sent` record's first line is checked and its mail id read in place (sentId);
// the other records that make or change an attempt (failures, SMTP errors, test-mode skips) go through the
// parser's own functions (attemptRecord, failureFields, messageLines). The rows are those the parser
// and RetriesTally give, or there are none: the reading gives up (returns null, and the caller runs
// the parser) at whatever it does not model, before anything is printed:
// - a source that is stdin, a pipe or unreadable, a damaged archive, a NUL byte, an ANSI escape;
// - a header in any form but the plain one (an outside prefix, non-ASCII in the header), or with
//   a date or time that is none (02-30, 24:00), or before 1970 or after 2039;
// - a line longer than LONG_LINE;
// - a record logged more than an hour before the latest one;
// - a mail's attempt logged before its previous one on another day, or two days or more after it
//   (the parser's per-mail tables may have let that mail go; quick.test.ts holds the two readings to
//   each other);
// - an SMTP error record still waiting for its failure record after PENDING_RECORDS records or
//   HOLD_MS of log time, or logged amid more than RING records of its time or later (the parser
//   would have made it an attempt of its own).
// Measured on the mail-dense bench folder (608,451 attempts, 246 MB of text): 1.3-1.8 s against
// 5.3-7.2 s for the parser's reading, in the same runs (README, Speed).

/** Lines longer than this give up: a partial line is carried from one block to the next. */
const LONG_LINE = 1 << 20
/** An SMTP error record waits at most this many records for its failure record. */
const PENDING_RECORDS = 1000
/**
 * The parser holds at most MAX_HELD events; past that it lets the oldest go early, and an SMTP error
 * record with them (as an attempt of its own) when its failure record has not come yet. An SMTP error
 * record is read here only when fewer than RING + PENDING_RECORDS records may be held beside it.
 */
const RING = 4096
/** A record may be this much older than the latest one (multi-worker logs interleave). */
const LATE_MS = 3600e3
/** Attempt counts are packed with the last attempt's time: count × 2^41 + ms. */
const MS_BITS = 2 ** 41
const MAX_COUNT = 4000
const SMTP_KEPT = 256

const NL = 0x0a
const SP = 0x20
const COLON = 0x3a
/** The levels with their blank, by their first byte (D, I, W, E, C). */
const LEVEL_BY_FIRST: (Buffer | undefined)[] = []
for (const l of ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL']) LEVEL_BY_FIRST[l.charCodeAt(0)] = Buffer.from(`${l} `, 'latin1')
const digit = (c: number) => c >= 0x30 && c <= 0x39
/** The starts of the messages attemptRecord can take (its regexes are anchored). */
const CANDIDATES = ['Mail ', 'failed sending mail', 'Exception while processing mail with ID', 'MemoryError while processing mail with ID', 'skip sending email in test mode'].map((s) => Buffer.from(s, 'latin1'))
const PATTERNS = MAIL_PATTERNS.map((p) => Buffer.from(p, 'latin1'))
/** Message starts that hold one of MAIL_PATTERNS: such a record is the parser's, no search needed. */
const SEEN = ['failed sending mail', 'Mail delivery failed via SMTP server', 'Exception while processing mail with ID', 'MemoryError while processing mail with ID', 'skip sending email in test mode'].map((s) => Buffer.from(s, 'latin1'))

const QUOTE = 0x27

/** The closing quote of a field from p on, before e, or -1. */
function quote(b: Buffer, p: number, e: number): number {
  if (p < 0) return -1
  const q = b.indexOf(QUOTE, p)
  return q >= 0 && q < e ? q : -1
}

/**
 * The mail id of a one-line record whose message (`b[p, e)`, no newline in it) is one that SUCCESS
 * takes: `Mail [(mail.mail) ]with ID N and Message-Id '…'[ from '…' to (redacted) '…'] successfully
 * sent`, single quotes with none inside, up to 15 digits (a number holds them as Number() reads
 * them); else -1, and the record is read as text. SUCCESS is not anchored at its end: what follows
 * `sent` does not matter. Every byte but a quote stands for itself in the regex's `[^']*`, UTF-8 or not.
 */
export function sentId(b: Buffer, p: number, e: number): number {
  if (!at(b, p, MAIL, e)) return -1
  p += MAIL.length
  if (at(b, p, MAIL_MAIL, e)) p += MAIL_MAIL.length
  if (!at(b, p, WITH_ID, e)) return -1
  p += WITH_ID.length
  let id = 0
  const idAt = p
  while (p < e && b[p]! >= 0x30 && b[p]! <= 0x39) id = id * 10 + b[p++]! - 0x30
  if (p === idAt || p - idAt > 15 || !at(b, p, AND_MID, e)) return -1
  const mid = quote(b, p + AND_MID.length, e)
  if (mid < 0) return -1
  if (at(b, mid + 1, SENT, e)) return id
  if (!at(b, mid + 1, FROM, e)) return -1
  const from = quote(b, mid + 1 + FROM.length, e)
  if (from < 0 || !at(b, from + 1, TO, e)) return -1
  const to = quote(b, from + 1 + TO.length, e)
  return to >= 0 && at(b, to + 1, SENT, e) ? id : -1
}

/** Per-mail state past this much log time is let go (see the gap rule above: the parser's is shorter). */
const MAIL_SPAN_MS = 8 * 86400e3

/**
 * Mail id → attempts × 2^41 + the last attempt's ms, by open addressing in two typed arrays: one
 * probe per attempt. When it is 5/8 full, it is rebuilt with the mails of the last MAIL_SPAN_MS only
 * (over a year of a mass mailing it holds 8 to 10 days of mails: 16 MB at 20,000 mails a day).
 */
class MailTable {
  private keys = new Float64Array(1 << 16).fill(-1)
  private values = new Float64Array(1 << 16)
  private size = 0

  /** The slot of `id`: keys[slot] is id, or -1 (free, for set). */
  slot(id: number): number {
    const keys = this.keys
    const mask = keys.length - 1
    let i = (Math.imul((id >>> 0) ^ ((id / 4294967296) >>> 0), 0x9e3779b1) >>> 0) & mask
    while (keys[i] !== id && keys[i] !== -1) i = (i + 1) & mask
    return i
  }

  has(slot: number): boolean {
    return this.keys[slot] !== -1
  }

  value(slot: number): number {
    return this.values[slot]!
  }

  /** Sets the value at a slot from slot(id); `now` (ms) says which mails a rebuild keeps. */
  set(slot: number, id: number, value: number, now: number) {
    if (this.keys[slot] === -1) {
      this.keys[slot] = id
      this.size++
    }
    this.values[slot] = value
    if (this.size * 8 > this.keys.length * 5) this.rebuild(now)
  }

  private rebuild(now: number) {
    const { keys, values } = this
    let live = 0
    for (let i = 0; i < keys.length; i++) if (keys[i] !== -1 && now - (values[i]! % MS_BITS) <= MAIL_SPAN_MS) live++
    // at most half full after: rebuilt again after a quarter more mails (every 2 days or so)
    let cap = 1 << 16
    while (cap < live * 2) cap *= 2
    this.keys = new Float64Array(cap).fill(-1)
    this.values = new Float64Array(cap)
    this.size = 0
    for (let i = 0; i < keys.length; i++) {
      if (keys[i] === -1 || now - (values[i]! % MS_BITS) > MAIL_SPAN_MS) continue
      const k = this.slot(keys[i]!)
      this.keys[k] = keys[i]!
      this.values[k] = values[i]!
      this.size++
    }
  }
}

/**
 * Whether `b[s, e)` may hold a header stamp (`…:SS,mmm ` after `HH:MM`): every header form does
 * (records.ts); a traceback's lines seldom have the comma, and skip the regexes.
 */
function mayHoldStamp(b: Buffer, s: number, e: number): boolean {
  for (let k = b.indexOf(0x2c, s + 19); k >= 0 && k < e; k = b.indexOf(0x2c, k + 1)) {
    if (b[k - 3] === COLON && b[k - 6] === COLON && b[k - 9] === SP && b[k + 4] === SP) return true
  }
  return false
}

/** What the reading gives: the rows RetriesTally would, and the files with no Odoo record header. */
export interface QuickRetries {
  rows: RetriesRow[]
  withoutRecords: string[]
}

/** What the reading does not model: the parser reads the logs instead. */
class GiveUp extends Error {}

interface Pending {
  ms: number
  day: string
  details: SmtpDetails
  /** Records read when it came. */
  at: number
}

interface Row {
  attempts: number
  sent: number
  failed: number
  retries: number
  mails: number
  codes: Map<number, number> | null
}

/** The header of the line last read by plainHeader. */
interface Header {
  ms: number
  day: string
  dayNum: number
  pid: number
  msgAt: number
}

/**
 * `report retries --by day` over the sources, as RetriesTally over readMailEvents gives it, or null
 * when the logs hold something this reading does not model (see above): run the parser then, over
 * the same sources (each reading starts at the file's start; they are closed only when this one
 * succeeds). Sources are read in order; nothing is printed, nothing thrown for a damaged file (null).
 */
export async function quickRetriesByDay(sources: readonly LogSource[]): Promise<QuickRetries | null> {
  if (sources.some((s) => s.stdin || s.stream || s.error || !s.handle)) return null
  const q = new Quick()
  try {
    for (const s of sources) await q.file(s)
    const result = q.result()
    // done with the files, as the parser's reading is when it ends
    await closeAll(sources)
    return result
  } catch (e) {
    if (e instanceof GiveUp) return null
    // a damaged archive: the parser's reading says so, naming the file
    return null
  }
}

class Quick {
  private readonly rows = new Map<string, Row>()
  private readonly withoutRecords: string[] = []
  /** mail id → attempts × 2^41 + the last attempt's ms. */
  private readonly mails = new MailTable()
  private readonly pending = new Map<number, Pending>()
  /** SMTP errors repeat (421 try again later): their details by the bytes of their lines, the last SMTP_KEPT of them. */
  private readonly smtpSeen = new Map<string, SmtpDetails>()
  private readonly skipped = new Set<number>()
  private records = 0
  private maxMs = -Infinity
  /** The latest time (maxMs) as each of the last RING records was read. */
  private readonly ring = new Float64Array(RING)
  // the record being read
  private recPid = 0
  private recMs = 0
  private recDay = ''
  private recDayNum = 0
  private recMsgAt = 0
  /** Its bytes are kept when they will be read as text: parts from earlier blocks. */
  private keep = false
  private parts: Buffer[] = []
  /** Where it starts in the block being read, unless it started in an earlier one (fromNext). */
  private recFrom = 0
  /** The end of its header line (its message's first line: what SUCCESS reads). */
  private recLineEnd = 0
  private fromNext = false
  private readonly h: Header = { ms: 0, day: '', dayNum: 0, pid: 0, msgAt: 0 }
  // the day of the last header read
  private readonly dayBytes = Buffer.alloc(10)
  private dayStr = ''
  private dayMs = 0
  private dayNum = 0

  async file(source: LogSource) {
    let carry: Buffer | null = null
    let open = false
    let any = false
    /** The lines of `b` up to `last` (a line start), then the record that goes on into the next block. */
    const lines = (b: Buffer, last: number) => {
      if (b.indexOf(0) >= 0 || b.indexOf(0x1b) >= 0) throw new GiveUp()
      for (let s = 0; s < last; ) {
        let e = b.indexOf(NL, s)
        if (e < 0) e = b.length
        if (this.headerAt(b, s, e) >= 0) {
          // the record before ends at the newline before this header
          if (open) this.endRecord(b, s > 0 ? s - 1 : 0)
          this.startRecord(b, s, e)
          open = any = true
        }
        s = e + 1
      }
      if (open && this.keep) this.parts.push(b.subarray(this.fromNext ? 0 : this.recFrom, Math.min(last, b.length)))
      this.fromNext = true
    }
    for await (const chunk of readBytes(source)) {
      let b = chunk
      if (carry) {
        // the line cut by the block before, whole: a copy of that line only
        const nl = chunk.indexOf(NL)
        if (nl < 0) {
          carry = Buffer.concat([carry, chunk])
          if (carry.length > LONG_LINE) throw new GiveUp()
          continue
        }
        const head = Buffer.concat([carry, chunk.subarray(0, nl + 1)])
        lines(head, head.length)
        b = chunk.subarray(nl + 1)
      }
      const last = b.lastIndexOf(NL) + 1
      lines(b, last)
      carry = last < b.length ? b.subarray(last) : null
      if (carry && carry.length > LONG_LINE) throw new GiveUp()
    }
    // the last line, with no newline after it
    if (carry) lines(carry, carry.length)
    if (open) this.endRecord(null, 0)
    if (!any) this.withoutRecords.push(source.name)
  }

  /** The message start of a header line `b[s, e)`, or -1 for a continuation line; gives up at any other header form. */
  private headerAt(b: Buffer, s: number, e: number): number {
    const c = b[s]!
    if (c >= 0x30 && c <= 0x39) {
      const m = this.plainHeader(b, s, e)
      if (m >= 0) return m
    } else if (!((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 46 || c === 45)) return -1
    // what the record layer's header regexes make of it (records.ts): an outside prefix, non-ASCII
    if (mayHoldStamp(b, s, e) && parseHeader(b.toString('latin1', s, e), 0)) throw new GiveUp()
    return -1
  }

  /** Reads the plain header at `b[s, e)` into this.h (ASCII only), or -1. */
  private plainHeader(b: Buffer, s: number, e: number): number {
    if (e - s < 32) return -1
    // YYYY-MM-DD HH:MM:SS,mmm and a blank
    if (b[s + 4] !== 0x2d || b[s + 7] !== 0x2d || b[s + 10] !== SP || b[s + 13] !== COLON || b[s + 16] !== COLON || b[s + 19] !== 0x2c || b[s + 23] !== SP) return -1
    // the day of the header before, most often: its digits were checked then
    const d = this.dayBytes
    const sameDay = b[s + 9] === d[9] && b[s + 8] === d[8] && b[s + 6] === d[6] && b[s + 5] === d[5] && b[s + 3] === d[3] && b[s + 2] === d[2] && b[s + 1] === d[1] && b[s] === d[0] && this.dayStr !== ''
    if (!sameDay && (!digit(b[s]!) || !digit(b[s + 1]!) || !digit(b[s + 2]!) || !digit(b[s + 3]!) || !digit(b[s + 5]!) || !digit(b[s + 6]!) || !digit(b[s + 8]!) || !digit(b[s + 9]!))) return -1
    if (!digit(b[s + 11]!) || !digit(b[s + 12]!) || !digit(b[s + 14]!) || !digit(b[s + 15]!) || !digit(b[s + 17]!) || !digit(b[s + 18]!) || !digit(b[s + 20]!) || !digit(b[s + 21]!) || !digit(b[s + 22]!)) return -1
    let p = s + 24
    let pid = 0
    const pidAt = p
    while (p < e && b[p]! >= 0x30 && b[p]! <= 0x39) pid = pid * 10 + b[p++]! - 0x30
    if (p === pidAt || p - pidAt > 9 || b[p++] !== SP) return -1
    const l = LEVEL_BY_FIRST[b[p]!]
    if (!l) return -1
    for (let i = 1; i < l.length; i++) if (b[p + i] !== l[i]) return -1
    p += l.length
    // the database: printable ASCII up to a blank
    const dbAt = p
    while (p < e && b[p]! > SP && b[p]! < 0x7f) p++
    if (p === dbAt || b[p] !== SP) return -1
    p++
    // the logger: printable ASCII up to its colon
    const loggerAt = p
    while (p < e && b[p]! > SP && b[p]! < 0x7f && b[p] !== COLON) p++
    if (p === loggerAt || b[p] !== COLON) return -1
    p++
    if (p < e && b[p] === SP) p++
    const h = this.h
    h.pid = pid
    h.msgAt = p
    if (!sameDay) this.newDay(b, s)
    const g = (i: number) => b[s + i]! - 0x30
    const hh = g(11) * 10 + g(12)
    const mm = g(14) * 10 + g(15)
    const ss = g(17) * 10 + g(18)
    // a time past 23:59:59 runs into the next day's ms, not its day
    if (hh > 23 || mm > 59 || ss > 59) throw new GiveUp()
    h.ms = this.dayMs + hh * 3600e3 + mm * 60e3 + ss * 1e3 + g(20) * 100 + g(21) * 10 + g(22)
    h.day = this.dayStr
    h.dayNum = this.dayNum
    return p
  }

  /** A header of another day than the one before: its day, as the parser's stampMs reads it. */
  private newDay(b: Buffer, s: number) {
    b.copy(this.dayBytes, 0, s, s + 10)
    this.dayStr = b.toString('latin1', s, s + 10)
    this.dayMs = Date.UTC(Number(this.dayStr.slice(0, 4)), Number(this.dayStr.slice(5, 7)) - 1, Number(this.dayStr.slice(8, 10)))
    this.dayNum = Math.floor(this.dayMs / 86400e3)
    // a date that is no calendar day (02-30), or out of the packed range: the parser's day and
    // time would disagree with the ones here
    if (!(this.dayMs >= 0 && this.dayMs < MS_BITS - 86400e3) || new Date(this.dayMs).toISOString().slice(0, 10) !== this.dayStr) throw new GiveUp()
  }

  private startRecord(b: Buffer, s: number, lineEnd: number) {
    const h = this.h
    this.records++
    const ms = h.ms
    if (ms > this.maxMs) this.maxMs = ms
    else if (ms < this.maxMs - LATE_MS) throw new GiveUp()
    this.ring[this.records % RING] = this.maxMs
    if (this.pending.size) {
      for (const p of this.pending.values()) if (this.records - p.at > PENDING_RECORDS || ms - p.ms >= HOLD_MS) throw new GiveUp()
    }
    this.recPid = h.pid
    this.recMs = ms
    this.recDay = h.day
    this.recDayNum = h.dayNum
    this.recMsgAt = h.msgAt
    this.recFrom = s
    this.recLineEnd = lineEnd
    this.fromNext = false
    if (this.parts.length) this.parts = []
    this.keep = this.candidate(b, h.msgAt) || (this.pending.size > 0 && this.pending.has(h.pid)) || (this.skipped.size > 0 && this.skipped.has(h.pid))
  }

  private candidate(b: Buffer, p: number): boolean {
    const first = b[p]
    // M(ail, emoryError), f(ailed), E(xception), s(kip)
    if (first !== 0x4d && first !== 0x66 && first !== 0x45 && first !== 0x73) return false
    for (const c of CANDIDATES) {
      let i = 0
      while (i < c.length && b[p + i] === c[i]) i++
      if (i === c.length) return true
    }
    return false
  }

  /** The current record ends at `b[.., e)`; b null: at the end of the block before. */
  private endRecord(b: Buffer | null, e: number) {
    if (!this.keep) return
    const from = this.fromNext ? 0 : this.recFrom
    // a one-line `successfully sent` (the mass mailing's every record)
    if (b && !this.fromNext) {
      const id = sentId(b, this.recMsgAt, this.recLineEnd)
      if (id >= 0) {
        this.sent(this.recPid, id)
        return
      }
    }
    const parts = this.parts
    this.parts = []
    if (b) parts.push(b.subarray(from, e))
    this.text(parts.length === 1 ? parts[0]! : Buffer.concat(parts))
  }

  /** A record read as the parser reads it: its text, its message lines, attemptRecord. */
  private text(bytes: Buffer) {
    const msgAt = this.recMsgAt - this.recFrom
    // the records the parser is handed hold one of its patterns (these messages start with one)
    const seen = SEEN.some((p) => at(bytes, msgAt, p, bytes.length))
    if (!seen && !PATTERNS.some((p) => bytes.indexOf(p) >= 0)) return
    const pid = this.recPid
    const c = bytes[msgAt]
    const p = this.pending.size > 0 ? this.pending.get(pid) : undefined
    if (p && (c === 0x66 || c === 0x45 || c === 0x4d)) {
      // a failure record after its SMTP error record: the SMTP record's details, and the mail id of its first line
      const nl = bytes.indexOf(NL, msgAt)
      const a = attemptRecord([bytes.toString('utf8', msgAt, nl < 0 ? bytes.length : nl).trimEnd()])
      if (a.kind === 'failure') {
        this.skipped.delete(pid)
        this.pending.delete(pid)
        this.attempt(this.recDay, this.recDayNum, this.recMs, Number(a.m[1]), false, p.details.smtpCode ?? null)
        return
      }
    }
    // the header is plain ASCII (plainHeader): its message starts at the same place in the text
    const lineOf = () => messageLines(bytes.toString('utf8'), { messageStart: msgAt, prefixLength: 0 })
    let lines: string[] | null = null
    let a: AttemptRecord | null = null
    if (c === 0x4d) {
      // an SMTP error record: its details by the bytes of its lines, read once
      const nl = bytes.indexOf(NL, msgAt)
      if (isSmtpFailure(bytes.toString('utf8', msgAt, nl < 0 ? bytes.length : nl).trimEnd())) {
        const rest = nl < 0 ? '' : bytes.toString('latin1', nl + 1)
        let details = this.smtpSeen.get(rest)
        if (!details) {
          if (this.smtpSeen.size >= SMTP_KEPT) this.smtpSeen.clear()
          this.smtpSeen.set(rest, (details = parseSmtpFailure(lineOf().slice(1).join('\n'))))
        }
        a = { kind: 'smtp', details }
      }
    }
    if (!a) a = attemptRecord((lines = lineOf()))
    const wasSkip = this.skipped.delete(pid)
    switch (a.kind) {
      case 'skip':
        this.skipped.add(pid)
        return
      case 'smtp':
        this.flush(pid)
        // the records that may still be held beside it, logged at its time or later: those read after it
        // (at most PENDING_RECORDS) and those read before, all within the last RING records
        if (this.records > RING && this.ring[(this.records + 1) % RING]! >= this.recMs) throw new GiveUp()
        this.pending.set(pid, { ms: this.recMs, day: this.recDay, details: a.details, at: this.records })
        return
      case 'failure': {
        const p = this.pending.get(pid)
        this.pending.delete(pid)
        const f = failureFields(lines!, a.m, p?.details ?? null)
        this.attempt(this.recDay, this.recDayNum, this.recMs, f.mailId, false, f.smtpCode ?? null)
        return
      }
    }
    this.flush(pid)
    if (a.kind === 'sent' && !wasSkip) this.attempt(this.recDay, this.recDayNum, this.recMs, Number(a.m[1]), true, null)
  }

  /** A `successfully sent` read by sentId: Parser.sentLine's steps. */
  private sent(pid: number, mailId: number) {
    const wasSkip = this.skipped.size > 0 && this.skipped.delete(pid)
    this.flush(pid)
    if (!wasSkip) this.attempt(this.recDay, this.recDayNum, this.recMs, mailId, true, null)
  }

  /** An SMTP error record no failure record claimed: an attempt of its own, with no mail id. */
  private flush(pid: number) {
    if (!this.pending.size) return
    const p = this.pending.get(pid)
    if (!p) return
    this.pending.delete(pid)
    this.attempt(p.day, Math.floor(Date.UTC(Number(p.day.slice(0, 4)), Number(p.day.slice(5, 7)) - 1, Number(p.day.slice(8, 10))) / 86400e3), p.ms, null, false, p.details.smtpCode ?? null)
  }

  private attempt(day: string, dayNum: number, ms: number, mailId: number | null, sent: boolean, code: number | null) {
    let r = this.rows.get(day)
    if (!r) this.rows.set(day, (r = { attempts: 0, sent: 0, failed: 0, retries: 0, mails: 0, codes: null }))
    r.attempts++
    if (sent) r.sent++
    else r.failed++
    if (code !== null) {
      const m = (r.codes ??= new Map())
      m.set(code, (m.get(code) ?? 0) + 1)
    }
    if (mailId === null) return
    const t = this.mails
    const k = t.slot(mailId)
    const v = t.has(k) ? t.value(k) : -1
    const last = v < 0 ? -Infinity : v % MS_BITS
    if (ms - last > MAIL_SPAN_MS) {
      // a mail not tried within the span: its first attempt, as for the parser (which lets it go sooner)
      t.set(k, mailId, MS_BITS + ms, ms)
      r.mails++
      return
    }
    const count = (v - last) / MS_BITS
    const lastDay = Math.floor(last / 86400e3)
    // The parser numbers a mail's attempts in time order: one logged a little before the mail's
    // previous one (another worker) counts the same on the same day, not across midnight. Its
    // tables keep a mail LINK_DAYS / 2 to LINK_DAYS days after its last attempt.
    if ((ms < last && dayNum !== lastDay) || dayNum - lastDay >= 2 || count >= MAX_COUNT) throw new GiveUp()
    r.retries++
    if (dayNum !== lastDay) r.mails++
    t.set(k, mailId, (count + 1) * MS_BITS + Math.max(ms, last), ms)
  }

  result(): QuickRetries {
    // at the end of the input, an SMTP error record still waiting is an attempt of its own
    for (const pid of [...this.pending.keys()]) this.flush(pid)
    const rows: RetriesRow[] = [...this.rows].map(([key, r]) => ({ key, attempts: r.attempts, sent: r.sent, failed: r.failed, retries: r.retries, mails: r.mails, codes: codesObject(r.codes) }))
    rows.sort((a, b) => (a.key < b.key ? -1 : 1))
    return { rows, withoutRecords: this.withoutRecords }
  }
}


/** How much text massMailing samples, and the share of it in send records that makes a mass mailing. */
const SAMPLE = 256 << 10
const SENDS = [Buffer.from('successfully sent'), Buffer.from('failed sending mail')]
/** A send record is about 150-250 bytes: one in every 1,500 bytes is a tenth of the text or more. */
const BYTES_PER_SEND = 1500

/**
 * Whether the logs are a mass mailing's: the first 256 KiB of the newest rotated file (else of the
 * only one) hold a send record every 1,500 bytes or more often. Its mail records are then over a
 * tenth of each archive, more than the cache keeps for it (README, Cache): the parser would read
 * them all again on every run, and quickRetriesByDay is the faster reading.
 */
export async function massMailing(sources: readonly LogSource[]): Promise<boolean> {
  const files = sources.filter((s) => s.handle && !s.stream && !s.stdin && !s.error && s.size > 0)
  const s = files.length > 1 ? files[files.length - 2]! : files[0]
  if (!s) return false
  // read where it stands (a stream over the file's handle would close it when left early)
  let b: Buffer
  try {
    const head = Buffer.alloc(Math.min(s.size, s.gzip ? SAMPLE / 4 : SAMPLE))
    const { bytesRead } = await s.handle!.read(head, 0, head.length, 0)
    // the start of an archive, inflated as far as it goes
    b = s.gzip ? gunzipSync(head.subarray(0, bytesRead), { finishFlush: zlibConstants.Z_SYNC_FLUSH }).subarray(0, SAMPLE) : head.subarray(0, bytesRead)
  } catch {
    return false
  }
  let hits = 0
  for (const n of SENDS) for (let i = b.indexOf(n); i >= 0; i = b.indexOf(n, i + n.length)) hits++
  return b.length > 0 && hits * BYTES_PER_SEND >= b.length
}
