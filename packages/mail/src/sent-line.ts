// The record a mass mailing logs most (`Mail with ID … successfully sent`, one line), read from its
// bytes: the record layer builds no string of the record, no header object and no LogRecord for it.
// Anything that is not exactly the plain form (an outside prefix, ANSI, a byte outside printable
// ASCII, a second line, more than spaces after `sent`, another quoting) is left to the regexes of parse.ts, and
// the two readings give the same event (test/sent-line.test.ts holds them against each other).

/** A `successfully sent` record read by readSentLine. */
export class SentLine {
  constructor(
    readonly file: string,
    readonly line: number,
    /** `2024-05-06 08:14:22,905`, as the header has it. */
    readonly stamp: string,
    readonly pid: number,
    readonly db: string,
    readonly mailId: number,
    readonly messageId: string,
    readonly from: string | null,
    readonly recipient: string | null,
  ) {}
}

const SP = 0x20
const QUOTE = 0x27
const COLON = 0x3a

const LEVELS = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'].map((l) => Buffer.from(`${l} `, 'latin1'))
export const MAIL = Buffer.from('Mail', 'latin1')
export const MAIL_MAIL = Buffer.from(' (mail.mail)', 'latin1')
export const WITH_ID = Buffer.from(' with ID ', 'latin1')
export const AND_MID = Buffer.from(" and Message-Id '", 'latin1')
export const SENT = Buffer.from(' successfully sent', 'latin1')
export const FROM = Buffer.from(" from '", 'latin1')
export const TO = Buffer.from(" to (redacted) '", 'latin1')
/** Where each character of a header stamp is a digit (the others are fixed: `-- ::,`). */
const STAMP = '0000-00-00 00:00:00,000'

/** One short string kept while the bytes repeat (a database name, a sender): no new string per record. */
class Recent {
  private bytes = Buffer.alloc(0)
  private str = ''

  get(b: Buffer, s: number, e: number): string {
    const k = this.bytes
    const n = e - s
    if (n === k.length) {
      let i = 0
      while (i < n && b[s + i] === k[i]) i++
      if (i === n) return this.str
    }
    this.bytes = Buffer.from(b.subarray(s, e))
    this.str = b.toString('latin1', s, e)
    return this.str
  }
}

const dbs = new Recent()
const froms = new Recent()

/** The first `stop` from p on, or `e` when there is none or a byte before it is not printable ASCII. */
function text(b: Buffer, p: number, e: number, stop: number): number {
  for (; p < e; p++) {
    const c = b[p]!
    if (c === stop) return p
    if (c < SP || c > 0x7e) return e
  }
  return e
}

/** Only spaces from p to e: Odoo ends a record with one (its format's `' %(perf_info)s'`), which the regexes' trimEnd drops. */
function blanks(b: Buffer, p: number, e: number): boolean {
  for (; p < e; p++) if (b[p] !== SP) return false
  return true
}

/** Whether `lit` stands at p, before e. */
export function at(b: Buffer, p: number, lit: Buffer, e: number): boolean {
  const n = lit.length
  if (p + n > e) return false
  for (let i = 0; i < n; i++) if (b[p + i] !== lit[i]) return false
  return true
}

/**
 * Reads `bytes[s, e)` as a plain one-line `successfully sent` record (the header regex's plain form,
 * then SUCCESS's first alternatives: single quotes, with or without ` from '…' to (redacted) '…'`),
 * or returns undefined. A RecordLane for readRecords.
 */
export function readSentLine(b: Buffer, s: number, e: number, file: string, line: number): SentLine | undefined {
  // the shortest such record has 85 bytes; a record of several lines is far longer than any of them
  if (e - s < 80 || e - s > 4096) return undefined
  // Every byte is printable ASCII (the string route reads the same characters, with no ANSI code
  // or CR to strip): the fixed parts by their compare, the free ones by `text`.
  for (let i = 0; i < 23; i++) {
    const c = b[s + i]!
    if (STAMP.charCodeAt(i) === 0x30 ? c < 0x30 || c > 0x39 : c !== STAMP.charCodeAt(i)) return undefined
  }
  let p = s + 23
  if (b[p++] !== SP) return undefined
  // the pid: up to 9 digits, which a number holds exactly as Number() would read them
  let pid = 0
  const pidAt = p
  while (p < e && b[p]! >= 0x30 && b[p]! <= 0x39) pid = pid * 10 + b[p++]! - 0x30
  if (p === pidAt || p - pidAt > 9 || b[p++] !== SP) return undefined
  let level = false
  for (const l of LEVELS) {
    if (at(b, p, l, e)) {
      p += l.length
      level = true
      break
    }
  }
  if (!level) return undefined
  const dbAt = p
  p = text(b, p, e, SP)
  if (p === dbAt || p === e) return undefined
  const db = dbs.get(b, dbAt, p)
  p++
  // the logger: no blank before its colon (the plain header form)
  const loggerAt = p
  for (; p < e; p++) {
    const c = b[p]!
    if (c === COLON) break
    if (c <= SP || c > 0x7e) return undefined
  }
  if (p === loggerAt || p === e) return undefined
  p++
  if (b[p] === SP) p++

  if (!at(b, p, MAIL, e)) return undefined
  p += MAIL.length
  if (at(b, p, MAIL_MAIL, e)) p += MAIL_MAIL.length
  if (!at(b, p, WITH_ID, e)) return undefined
  p += WITH_ID.length
  let mailId = 0
  const idAt = p
  while (p < e && b[p]! >= 0x30 && b[p]! <= 0x39) mailId = mailId * 10 + b[p++]! - 0x30
  if (p === idAt || p - idAt > 15) return undefined
  // ` and Message-Id '…'`, then ` successfully sent` or ` from '…' to (redacted) '…' successfully sent`
  const midAt = after(b, p, AND_MID, e)
  const midEnd = closing(b, midAt, e)
  if (midEnd < 0) return undefined
  const messageId = b.toString('latin1', midAt, midEnd)
  if (ends(b, midEnd + 1, e)) return new SentLine(file, line, b.toString('latin1', s, s + 23), pid, db, mailId, messageId, null, null)
  const fromAt = after(b, midEnd + 1, FROM, e)
  const fromEnd = closing(b, fromAt, e)
  const toAt = after(b, fromEnd + 1, TO, e)
  const toEnd = closing(b, toAt, e)
  if (toEnd < 0 || fromEnd < 0 || !ends(b, toEnd + 1, e)) return undefined
  return new SentLine(file, line, b.toString('latin1', s, s + 23), pid, db, mailId, messageId, froms.get(b, fromAt, fromEnd), b.toString('latin1', toAt, toEnd))
}

/** Where `lit` ends if it stands at p (p of -1 or more), else -1. */
function after(b: Buffer, p: number, lit: Buffer, e: number): number {
  return p >= 0 && at(b, p, lit, e) ? p + lit.length : -1
}

/** The closing quote of a field that starts at p (-1 for none), or -1. */
function closing(b: Buffer, p: number, e: number): number {
  if (p < 0) return -1
  const q = text(b, p, e, QUOTE)
  return q === e ? -1 : q
}

/** ` successfully sent` at p, then spaces only. */
function ends(b: Buffer, p: number, e: number): boolean {
  return at(b, p, SENT, e) && blanks(b, p + SENT.length, e)
}

/**
 * The lane's `successfully sent` attempts while the parser holds them (hours of log time, a day of a
 * mass mailing): in columns, with no event object, holder or recipients array per attempt until it
 * leaves. Held events were a fifth of a report's CPU in garbage collection on the mail-dense bench
 * folder, each object surviving two young collections before its promotion.
 */
export class SentSlots {
  private cap = 0
  ms = new Float64Array(0)
  seq = new Float64Array(0)
  mailId = new Float64Array(0)
  pid = new Float64Array(0)
  line = new Float64Array(0)
  /** Counted in its mail's info (`held`). */
  linked = new Uint8Array(0)
  time: string[] = []
  day: string[] = []
  file: string[] = []
  db: string[] = []
  messageId: string[] = []
  from: (string | null)[] = []
  recipient: (string | null)[] = []
  private readonly free: number[] = []

  /** A slot for `s`, its time in ms, its ISO time and day, and its place among held events. */
  put(s: SentLine, ms: number, time: string, day: string, seq: number, linked: boolean): number {
    if (!this.free.length) this.grow()
    const k = this.free.pop()!
    this.ms[k] = ms
    this.seq[k] = seq
    this.mailId[k] = s.mailId
    this.pid[k] = s.pid
    this.line[k] = s.line
    this.linked[k] = linked ? 1 : 0
    this.time[k] = time
    this.day[k] = day
    this.file[k] = s.file
    this.db[k] = s.db
    this.messageId[k] = s.messageId
    this.from[k] = s.from
    this.recipient[k] = s.recipient
    return k
  }

  /** The slot is free again (its strings let go). */
  drop(k: number) {
    this.time[k] = this.day[k] = this.file[k] = this.db[k] = this.messageId[k] = ''
    this.from[k] = this.recipient[k] = null
    this.free.push(k)
  }

  private grow() {
    const old = this.cap
    const cap = Math.max(1024, old * 2)
    const f64 = (a: Float64Array) => {
      const b = new Float64Array(cap)
      b.set(a)
      return b
    }
    this.ms = f64(this.ms)
    this.seq = f64(this.seq)
    this.mailId = f64(this.mailId)
    this.pid = f64(this.pid)
    this.line = f64(this.line)
    const l = new Uint8Array(cap)
    l.set(this.linked)
    this.linked = l
    for (let k = cap - 1; k >= old; k--) this.free.push(k)
    this.cap = cap
  }
}
