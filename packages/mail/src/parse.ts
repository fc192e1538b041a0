import { parseHeader, PREFIX_SOURCE, type ArchiveCache, type RecordHeader, readRecords, stampToIso, type FollowOptions, type FollowSwitch, type LogRecord, type LogSource, type Progress, type RecordEvent, type SearchError } from '@odoolog/search'
import type { AttemptEvent, BounceEvent, EventBase, IncomingErrorEvent, MailEvent, ParseStats, QueueRunEvent } from './events.js'
import { normalizeAddress } from './filter.js'
import { LINK_DAYS, messageIdKey, RecentMap, recentNumbers } from './ids.js'
import { readSentLine, SentLine, SentSlots } from './sent-line.js'
import { parseSmtpFailure, saysLimit, type SmtpDetails } from './smtp.js'

/**
 * Fixed strings that every record the parser understands contains: the engine hands over only
 * records holding one of them, so the parser never builds objects for werkzeug noise.
 */
export const MAIL_PATTERNS: readonly string[] = [
  'successfully sent',
  'failed sending mail',
  'while processing mail with ID',
  'Mail delivery failed via SMTP server',
  'skip sending email in test mode',
  'Email Queue Manager',
  'Routing mail from',
  'Failed to process mail from',
  'General failure when trying to fetch mail',
  'Failed to connect to',
  'No possible route found',
  'Failed to fetch mail',
]

export interface ParseOptions {
  since?: string
  until?: string
  signal?: AbortSignal
  /** Count every record read for the stats (a scan of every header line; default true). */
  countRecords?: boolean
  onProgress?: (p: Progress) => void
  /**
   * Keep reading this path as it grows (`mail --follow`). Once the followed file has been quiet
   * (every record written so far read), the events held are final at once, but for a queue run still
   * waiting for its end: a bounce or retry logged later no longer completes them.
   */
  follow?: FollowOptions
  /** With `follow`: the followed path now names a new file, or the file was truncated. */
  onFile?: (source: LogSource, why: FollowSwitch) => void
  /** With `follow`: every record written so far has been read. */
  onIdle?: () => void
  /** Records of rotated files from (and into) this cache: the parser reads the same records either way. */
  cache?: ArchiveCache
}

/** What parseMail returns when it is done: the counts, and the files that failed. */
export interface ParseResult extends ParseStats {
  fileErrors: SearchError[]
  /** Inputs read to their end without one Odoo record header: not Odoo logs, or empty. */
  withoutRecords: string[]
}

/**
 * Reads mail events out of sources (a folder's files, single files, stdin): send attempts, queue
 * runs, bounces and incoming errors, in time order, at most one per record. Unknown records are
 * skipped. Streams: an event leaves as soon as no later record can change it (see parseMail).
 */
export async function* readMailEvents(sources: readonly LogSource[], opts: ParseOptions = {}): AsyncGenerator<MailEvent, ParseResult> {
  return yield* parseMail(mailRecords(sources, opts))
}

/**
 * The same events in batches, as the parser lets them go (after each block of the input): one
 * await per block instead of one per event, which cost 10% of a report on the mail-dense bench folder.
 */
export function readMailBatches(sources: readonly LogSource[], opts: ParseOptions = {}): AsyncGenerator<MailEvent[], ParseResult> {
  return parseMailBatches(mailRecords(sources, opts), opts)
}

function mailRecords(sources: readonly LogSource[], opts: ParseOptions) {
  return readRecords(sources, { patterns: MAIL_PATTERNS, syntax: 'fixed', since: opts.since, until: opts.until, signal: opts.signal, countRecords: opts.countRecords, onProgress: opts.onProgress, follow: opts.follow, lane: readSentLine, cache: opts.cache })
}

/** What a record stream says when it ends (readRecords' RecordSummary; `withoutRecords` optional for hand-made streams). */
type InputSummary = { records: number; orphanLines: number; errors: number; withoutRecords?: string[] }
/** Records, and the `successfully sent` ones the record layer's lane read from their bytes. */
type RecordInput = AsyncGenerator<RecordEvent<SentLine>, InputSummary>

/**
 * The parser proper, over any record stream (readRecords with or without a prefilter). An event is
 * held for HOLD_MS of log time after it was logged (or until MAX_HELD events wait), so that the records
 * that complete it can still come: the `failed sending mail` record after an `ir_mail_server` one,
 * the end of a queue run, a retry or a bounce that names the recipient, a record logged a little out
 * of order. Then it is final and yielded, in time order. What comes later is kept in small indexes
 * (see Links) and carried by the later event itself: a bounce names its mail id and address.
 */
export async function* parseMail(input: RecordInput): AsyncGenerator<MailEvent, ParseResult> {
  const batches = parseMailBatches(input)
  for (;;) {
    const r = await batches.next()
    if (r.done) return r.value
    yield* r.value
  }
}

/** parseMail's events in batches: what became final after each block of records (never empty). */
export async function* parseMailBatches(input: RecordInput, hooks: Pick<ParseOptions, 'onFile' | 'onIdle'> = {}): AsyncGenerator<MailEvent[], ParseResult> {
  const p = new Parser()
  const fileErrors: SearchError[] = []
  let summary: InputSummary = { records: 0, orphanLines: 0, errors: 0 }
  try {
    for (;;) {
      const r = await input.next()
      if (r.done) {
        summary = r.value
        break
      }
      const ev = r.value
      if (ev.kind === 'error') fileErrors.push(ev.error)
      else if (ev.kind === 'file') hooks.onFile?.(ev.source, ev.why)
      else {
        if (ev.kind === 'records') for (const rec of ev.records) rec instanceof SentLine ? p.sentLine(rec) : p.record(rec)
        else {
          p.settle()
          hooks.onIdle?.()
        }
        const out = p.take()
        if (out.length) yield out
      }
    }
    p.release(true)
    const out = p.take()
    if (out.length) yield out
  } finally {
    // a consumer that stops early (stdout closed) closes the files
    await input.return(undefined as never)
  }
  return { records: summary.records, orphanLines: summary.orphanLines, errors: summary.errors, events: p.counts, fileErrors, withoutRecords: summary.withoutRecords ?? [] }
}

/**
 * How long an event waits for the records that can complete it, in log time: a bounce that names
 * the recipient of a mail refused two hours earlier (the examples' mail 9003) fills that mail's
 * attempts. MAX_HELD bounds the memory when a mass mailing logs faster than that: 20,000 held
 * events are about 10 MB.
 */
export const HOLD_MS = 6 * 3600e3
export const MAX_HELD = 20000

// --- internal ---

const ANSI_RE = /\x1b\[[0-9;]*m/g
const PREFIX_LINE = new RegExp(`^${PREFIX_SOURCE}`)

const SUCCESS = /^Mail(?: \(mail\.mail\))? with ID (\d+) and Message-Id (?:'([^']*)'|"([^"]*)"|(\S+))(?: from (?:'([^']*)'|"([^"]*)"|\S+) to \(redacted\) (?:'([^']*)'|"([^"]*)"|\S+))? successfully sent/
const FAILED = /^failed sending mail \(id: (\d+)\) due to ?(.*)$/
const FAILED8 = /^failed sending mail\.mail (\d+)/
const EXCEPTION = /^(?:Exception|MemoryError) while processing mail with ID (\d+) and Msg-Id (?:'([^']*)'|"([^"]*)"|(\S+?))\.?(?: Consider|$)/
const SMTP_FAIL = /^Mail delivery failed via SMTP server '(.*)'\.?$/
const QUEUE = /(?:Mail: )?Email Queue Manager/
const CRON_START14 = /^Starting job `(.+)`\.?$/
const CRON_DONE14 = /^Job `(.+)` done\.?$/
const CRON_DONE17 = /^Job done: `(.+)` \(([\d.]+)s\)\.?$/
const CRON18 = /^Job (['"])(.+)\1 \((\d+)\) (.*)$/
const ROUTING = /^Routing mail from (.*?) to (.*?) with Message-Id (\S+?): (.*)$/s
const NOT_ROUTING = /^not routing bounce email from (\S+) replying to ([\s\S]*?)(?: \((?:model \S+ ID \d+|no document found)\))?$/
const INCOMING = /^(?:Failed to process mail from|General failure when trying to fetch mail from|Failed to connect to) (\w+) server (.*?)\.?$/
const FETCH_ATTACH = /^Failed to fetch mail (\S+) from server (.*?)\.?$/

/** What a record's message makes of it for attempts, in the order Parser.read tries them. */
export type AttemptRecord =
  | { kind: 'skip' }
  /** `Mail delivery failed via SMTP server`: its details wait for the failure record of its pid. */
  | { kind: 'smtp'; details: SmtpDetails }
  /** `failed sending mail`, `Exception while processing mail`: m[1] is the mail id. */
  | { kind: 'failure'; m: RegExpExecArray }
  /** `Mail with ID … successfully sent`: SUCCESS's groups. */
  | { kind: 'sent'; m: RegExpExecArray }
  | { kind: 'other' }

/** Whether a message line is ir_mail_server's `Mail delivery failed via SMTP server '…'` (attemptRecord's `smtp`). */
export function isSmtpFailure(msg: string): boolean {
  return msg.charCodeAt(0) === 77 && SMTP_FAIL.test(msg)
}

/** Reads a record's message lines (messageLines) as Parser.read does for attempts. */
export function attemptRecord(lines: readonly string[]): AttemptRecord {
  const msg = lines[0]!
  if (msg === 'skip sending email in test mode') return { kind: 'skip' }
  let m: RegExpExecArray | null
  // the failure messages start with M, f or E (their regexes are anchored): no call for the others
  const c = msg.charCodeAt(0)
  if (c === 77 /* M */ && SMTP_FAIL.test(msg)) return { kind: 'smtp', details: parseSmtpFailure(lines.slice(1).join('\n')) }
  if ((c === 102 /* f */ && ((m = FAILED.exec(msg)) || (m = FAILED8.exec(msg)))) || ((c === 69 || c === 77) && (m = EXCEPTION.exec(msg)))) return { kind: 'failure', m }
  if ((m = SUCCESS.exec(msg))) return { kind: 'sent', m }
  return { kind: 'other' }
}

/**
 * A failure record's attempt fields: the SMTP details of the record before it (`pending`, same pid),
 * else those it repeats before its traceback, else its traceback's last line.
 */
export function failureFields(lines: readonly string[], m: RegExpExecArray, pending: SmtpDetails | null): Partial<AttemptEvent> & Pick<AttemptEvent, 'mailId' | 'status'> {
  const tbAt = lines.findIndex((l) => l === 'Traceback (most recent call last):')
  const head = tbAt < 0 ? lines : lines.slice(0, tbAt)
  const last = lastExceptionLine(lines, tbAt)
  // the failure record repeats the SMTP text before its traceback; the INFO record, when merged, is the same
  const smtpAt = head.findIndex((l) => SMTP_FAIL.test(l))
  const details = pending ?? (smtpAt >= 0 ? parseSmtpFailure(head.slice(smtpAt + 1).join('\n')) : null)
  let reason: string | null
  if (details) reason = details.text
  else if (FAILED.test(lines[0]!)) reason = [FAILED.exec(lines[0]!)![2]!, ...head.slice(1)].join('\n').trim() || last?.text || null
  else reason = last?.text ?? null
  const isException = EXCEPTION.test(lines[0]!)
  return {
    mailId: Number(m[1]),
    status: 'failed',
    messageId: isException ? (m[2] ?? m[3] ?? m[4] ?? null) : null,
    from: details?.sender ?? null,
    recipient: details?.recipient ?? null,
    recipients: details?.recipients ?? [],
    smtpCode: details?.smtpCode ?? null,
    enhancedCode: details?.enhancedCode ?? null,
    errorClass: details?.errorClass ?? last?.cls ?? null,
    reason,
  }
}

interface Rec {
  /** The record as read (what a tracker is told about). */
  raw: LogRecord
  /** Message lines then continuation lines, ANSI and outside prefixes removed, trailing blanks trimmed. */
  lines: string[]
  base: EventBase
  /** The header's time in ms. */
  ms: number
}

interface Pending {
  rec: Rec
  ms: number
  details: SmtpDetails
}

interface OpenRun {
  ev: QueueRunEvent
  startMs: number
  open: boolean
}

interface Held {
  ev: MailEvent
  /** The event's time in ms, and its arrival: ties keep the order of the log. */
  ms: number
  seq: number
  /** A queue run still counting its worker's attempts. */
  run: OpenRun | null
  /** An attempt counted in its mail's info (`held`). */
  linked: boolean
  /** With a tracker: the records the event was read from. */
  raws: LogRecord[] | null
}

/**
 * Told which records make which event (for `grep --to`): every record the parser reads, with `held`
 * when it belongs to an attempt or bounce that is not final yet; then each such event as it becomes
 * final, with the records it was read from (the SMTP record and the failure record of one attempt).
 */
export interface RecordTracker {
  record(rec: LogRecord, held: boolean): void
  event(ev: MailEvent, records: readonly LogRecord[]): void
}

/** What the logs tell of one mail beyond its own record: for attempts that lack them. */
interface MailInfo {
  recipient: string | null
  messageId: string | null
  /** Its attempts still held: the info may serve them until they leave. */
  held: number
}

/**
 * The small indexes that link records of one mail logged apart: mail id → attempts numbered so far;
 * for the mails that need it, mail id → recipient and Message-Id (for attempts that lack them);
 * Message-Id → mail id (bounces name the Message-Id only, in 14–17 without VERP). Kept for LINK_DAYS
 * of log time after their last use (RecentMap); counts and Message-Ids (as a hash, messageIdKey) in
 * typed arrays (NumberTable). A mail whose attempt went out keeps its count only, as soon as that
 * attempt leaves (nothing retries a sent mail); its Message-Id stays for the bounces.
 */
class Links {
  private readonly counts = recentNumbers(LINK_DAYS / 2)
  private readonly infos = new RecentMap<number, MailInfo>(LINK_DAYS / 2)
  private readonly byMessageId = recentNumbers(LINK_DAYS / 2)

  day(day: string) {
    this.counts.day(day)
    this.infos.day(day)
    this.byMessageId.day(day)
  }

  /** The mail's info, created if need be. */
  touch(id: number): MailInfo {
    let info = this.infos.get(id)
    if (!info) this.infos.set(id, (info = { recipient: null, messageId: null, held: 0 }))
    return info
  }

  mail(id: number): MailInfo | undefined {
    return this.infos.get(id)
  }

  /** Gives the attempt its number; returns its mail's info, if it has one. */
  numbered(a: AttemptEvent, id: number): MailInfo | undefined {
    a.attempt = (this.counts.get(id) ?? 0) + 1
    this.counts.set(id, a.attempt)
    return this.infos.get(id)
  }

  /** Keeps the mail's count only. */
  forget(id: number) {
    this.infos.delete(id)
  }

  linkMessageId(messageId: string, id: number) {
    this.byMessageId.set(messageIdKey(messageId), id)
  }

  mailOf(messageId: string): number | undefined {
    return this.byMessageId.get(messageIdKey(messageId))
  }
}

export class Parser {
  readonly counts = { attempt: 0, queue_run: 0, bounce: 0, incoming_error: 0 }
  /** Final events not yet taken. */
  private ready: MailEvent[] = []
  /** Events not yet final, in (time, arrival) order from `head` on: Held, or (a number) the slot of a lane's attempt in `slots`. */
  private held: (Held | number)[] = []
  private readonly slots = new SentSlots()
  private head = 0
  private seq = 0
  /** The latest record time seen (ms): events older than this by HOLD_MS are final. */
  private latest = -Infinity
  private pendingSmtp = new Map<number, Pending>()
  private skipped = new Map<number, boolean>() // pid → its last record was a test-mode skip
  private runs = new Map<number, OpenRun>()
  private readonly links = new Links()
  /** The record being read, and whether an event or a pending SMTP record took it. */
  private current: Rec | null = null
  private taken = false

  constructor(private readonly tracker: RecordTracker | null = null) {}

  record(raw: LogRecord) {
    const rec = normalize(raw)
    if (!rec) {
      this.tracker?.record(raw, false)
      return
    }
    this.current = rec
    this.taken = false
    this.read(rec)
    this.current = null
    this.tracker?.record(raw, this.taken)
  }

  /**
   * The log time has reached a record's that the parser need not read (grep --to skips the successes
   * of other recipients): what that time makes final leaves.
   */
  clock(raw: LogRecord) {
    if (!raw.header) return
    const ms = stampMs(raw.header.stamp)
    this.advance(ms, dayKey)
  }

  private advance(ms: number, day: string) {
    if (ms <= this.latest) return
    this.latest = ms
    // what this record's time makes final leaves before the record can touch it, so that a block
    // read at once behaves as records read one by one
    this.release(false)
    this.links.day(day)
  }

  /**
   * A `successfully sent` record that readSentLine read from its bytes: the same steps as `read`
   * takes for it (no message of another kind starts `Mail with ID`). Only for a parser without a
   * tracker (readRecords hands no SentLine with `keepBytes`, which grep --to's reading uses).
   */
  sentLine(s: SentLine) {
    const ms = stampMs(s.stamp)
    const day = dayKey
    const pid = s.pid
    const wasSkip = this.enter(ms, day, pid)
    this.flushPending(pid)
    if (wasSkip) return
    // what attempt() and push() do, with the event in slots until it leaves (finishSent)
    const linked = this.link(s.mailId, 'sent', s.recipient, s.messageId)
    const seq = this.seq++
    this.hold(this.slots.put(s, ms, isoOf(s.stamp), day, seq, linked), ms, seq)
    const run = this.runs.get(pid)
    if (run?.open) {
      run.ev.attempts++
      run.ev.sent++
    }
  }

  /** A record's time and pid as the parser reads it: whether its pid's last record was a test-mode skip. */
  private enter(ms: number, day: string, pid: number): boolean {
    this.advance(ms, day)
    const wasSkip = this.skipped.size > 0 && (this.skipped.get(pid) ?? false)
    if (wasSkip) this.skipped.delete(pid)
    return wasSkip
  }

  private read(rec: Rec) {
    const pid = rec.base.pid
    const wasSkip = this.enter(rec.ms, rec.base.day, pid)
    const a = attemptRecord(rec.lines)
    switch (a.kind) {
      case 'skip':
        this.skipped.set(pid, true)
        return
      case 'smtp':
        this.flushPending(pid)
        this.pendingSmtp.set(pid, { rec, ms: rec.ms, details: a.details })
        this.taken = true
        return
      case 'failure':
        this.failure(rec, a.m)
        return
    }
    this.flushPending(pid)
    if (a.kind === 'sent') {
      if (wasSkip) return // that mail never left: Odoo only pretended in test mode
      const m = a.m
      const redacted = m[7] ?? m[8] ?? null
      this.attempt([rec], {
        mailId: Number(m[1]),
        status: 'sent',
        messageId: m[2] ?? m[3] ?? m[4] ?? null,
        from: m[5] ?? m[6] ?? null,
        recipient: redacted,
      })
      return
    }
    const msg = rec.lines[0]!
    if (QUEUE.test(msg) && this.cron(rec, msg)) return
    if (this.bounce(rec, msg)) return
    this.incoming(rec, msg)
  }

  /**
   * The events that are final, in time order: held for HOLD_MS of log time (all of them at the end,
   * or the oldest when more than MAX_HELD wait), completed from the indexes, numbered per mail.
   */
  release(end: boolean): void {
    const out = this.ready
    const q = this.held
    for (;;) {
      const front = q[this.head]
      const crowded = q.length - this.head > MAX_HELD
      // an SMTP record that no failure record claimed within the hold is an attempt of its own
      const older = this.oldestPending()
      if (older && (end || older.ms < this.latest - HOLD_MS || (crowded && (front === undefined || older.ms <= this.msOf(front))))) {
        this.flushPending(older.rec.base.pid)
        continue
      }
      if (front === undefined) break
      if (!end && !crowded && this.msOf(front) >= this.latest - HOLD_MS) break
      if (typeof front !== 'number' && front.run) front.run.open = false // a run still open this late has lost its end record
      q[this.head++] = undefined as unknown as Held
      out.push(this.finish(front))
    }
    if (this.head > 4096 && this.head * 2 > q.length) {
      this.held = q.slice(this.head)
      this.head = 0
    }
  }

  /**
   * Live input (`--follow`) has gone quiet: every record written so far has been read, and the
   * records that complete an event follow it at once (the failure record after its SMTP record), so
   * what is held is final now. An SMTP record without its failure record is an attempt of its own;
   * a queue run still open waits for its end record (later events may leave before it). Links to
   * later records (a bounce hours later) are lost for the events that leave here.
   */
  settle(): void {
    for (const pid of [...this.pendingSmtp.keys()]) this.flushPending(pid)
    const q = this.held
    const open: Held[] = []
    for (let i = this.head; i < q.length; i++) {
      const h = q[i]!
      if (typeof h !== 'number' && h.run?.open) open.push(h)
      else this.ready.push(this.finish(h))
    }
    this.held = open
    this.head = 0
  }

  /** The final events so far, in time order. */
  take(): MailEvent[] {
    const r = this.ready
    this.ready = []
    return r
  }

  private oldestPending(): Pending | null {
    let best: Pending | null = null
    for (const p of this.pendingSmtp.values()) if (!best || p.ms < best.ms) best = p
    return best
  }

  /** An event leaves: what the indexes know now completes it, and attempts get their number. */
  private finish(h: Held | number): MailEvent {
    if (typeof h === 'number') return this.finishSent(h)
    const e = h.ev
    this.counts[e.kind]++
    this.complete(e, h.linked)
    if (h.raws) this.tracker!.event(e, h.raws)
    return e
  }

  /** A lane's attempt leaves its slot as the event attempt() would have made. */
  private finishSent(k: number): AttemptEvent {
    const z = this.slots
    const recipient = z.recipient[k]!
    const e: AttemptEvent = {
      kind: 'attempt',
      time: z.time[k]!,
      day: z.day[k]!,
      mailId: z.mailId[k]!,
      status: 'sent',
      messageId: z.messageId[k]!,
      from: z.from[k]!,
      recipient,
      recipients: recipient === null ? [] : [recipient],
      smtpCode: null,
      enhancedCode: null,
      errorClass: null,
      reason: null,
      permanent: null,
      limit: false,
      attempt: null,
      file: z.file[k]!,
      line: z.line[k]!,
      pid: z.pid[k]!,
      db: z.db[k]!,
    }
    const linked = z.linked[k] === 1
    z.drop(k)
    this.counts.attempt++
    this.complete(e, linked)
    return e
  }

  private msOf(h: Held | number): number {
    return typeof h === 'number' ? this.slots.ms[h]! : h.ms
  }

  private seqOf(h: Held | number): number {
    return typeof h === 'number' ? this.slots.seq[h]! : h.seq
  }

  /** What the indexes know now completes the event, and an attempt gets its number. */
  private complete(e: MailEvent, linked: boolean): void {
    if (e.kind === 'bounce') {
      if (e.mailId === null) e.mailId = e.originalMessageIds.map((mid) => this.links.mailOf(mid)).find((id) => id !== undefined) ?? null
      return
    }
    if (e.kind !== 'attempt' || e.mailId === null) return
    const info = this.links.numbered(e, e.mailId)
    if (info) {
      if (e.recipient === null && info.recipient !== null) {
        e.recipient = info.recipient
        e.recipients = [info.recipient]
      }
      e.messageId ??= info.messageId
      if (linked) info.held--
      if (e.status === 'sent' && info.held <= 0) this.links.forget(e.mailId)
    }
  }

  /**
   * Holds an event until it is final, with its strings copied: a substring would keep its whole
   * record's text (tracebacks) alive while it waits. Links what it tells of its mail.
   */
  private push(ev: MailEvent, ms: number, run: OpenRun | null = null, recs: readonly Rec[] | null = null) {
    detachFields(ev)
    let raws: LogRecord[] | null = null
    if (this.tracker && recs) {
      raws = recs.map((r) => r.raw)
      if (this.current && recs.includes(this.current)) this.taken = true
    }
    if (ev.kind === 'bounce') {
      ev.originalMessageIds = ev.originalMessageIds.map(detach)
      if (ev.mailId === null) ev.mailId = ev.originalMessageIds.map((mid) => this.links.mailOf(mid)).find((id) => id !== undefined) ?? null
      // only attempts still held can take what it tells; the bounce itself carries it for the others
      const info = ev.mailId !== null ? this.links.mail(ev.mailId) : undefined
      if (info) {
        info.recipient ??= ev.bouncedAddress === null ? null : normalizeAddress(ev.bouncedAddress)
        if (ev.originalMessageIds.length === 1) info.messageId ??= ev.originalMessageIds[0]!
      }
    }
    let linked = false
    if (ev.kind === 'attempt') ev.recipients = ev.recipients.length === 1 && ev.recipients[0] === ev.recipient ? [ev.recipient!] : ev.recipients.map(detach)
    if (ev.kind === 'attempt' && ev.mailId !== null) linked = this.link(ev.mailId, ev.status, ev.recipient, ev.messageId)
    const h: Held = { ev, ms, seq: this.seq++, run, linked, raws }
    this.hold(h, ms, h.seq)
  }

  /** What an attempt tells of its mail goes to the indexes; returns whether it counts in the mail's info. */
  private link(mailId: number, status: AttemptEvent['status'], recipient: string | null, messageId: string | null): boolean {
    // a mail sent with its recipient and Message-Id logged needs no info of its own (most of a
    // mass mailing in 18+); it still completes the earlier attempts of its mail
    const complete = status === 'sent' && recipient !== null && messageId !== null
    const info = complete ? this.links.mail(mailId) : this.links.touch(mailId)
    if (info) {
      info.held++
      info.recipient ??= recipient
      info.messageId ??= messageId
    }
    if (messageId) this.links.linkMessageId(messageId, mailId)
    return !!info
  }

  /** Records come in time order but for a few: a held event is inserted from the end. */
  private hold(h: Held | number, ms: number, seq: number) {
    const q = this.held
    let i = q.length
    q.push(h)
    while (i > this.head) {
      const m = this.msOf(q[i - 1]!)
      if (m < ms || (m === ms && this.seqOf(q[i - 1]!) < seq)) break
      q[i] = q[i - 1]!
      i--
    }
    q[i] = h
  }

  private flushPending(pid: number) {
    const p = this.pendingSmtp.get(pid)
    if (!p) return
    this.pendingSmtp.delete(pid)
    this.attempt([p.rec], { mailId: null, status: 'failed', ...fromDetails(p.details) })
  }

  private failure(rec: Rec, m: RegExpExecArray) {
    const pid = rec.base.pid
    const pending = this.pendingSmtp.get(pid)
    this.pendingSmtp.delete(pid)
    this.attempt(pending ? [pending.rec, rec] : [rec], failureFields(rec.lines, m, pending?.details ?? null))
  }

  /** An attempt read from `recs` (its SMTP record then its failure record, or one record): the last one places it. */
  private attempt(recs: readonly Rec[], f: Partial<AttemptEvent> & Pick<AttemptEvent, 'mailId' | 'status'>) {
    const rec = recs[recs.length - 1]!
    const code = f.smtpCode ?? null
    const recipient = f.recipient ?? null
    const ev: AttemptEvent = {
      kind: 'attempt',
      time: rec.base.time,
      day: rec.base.day,
      mailId: f.mailId,
      status: f.status,
      messageId: f.messageId ?? null,
      from: f.from ?? null,
      recipient,
      recipients: f.recipients?.length ? f.recipients : recipient === null ? [] : [recipient],
      smtpCode: code,
      enhancedCode: f.enhancedCode ?? null,
      errorClass: f.errorClass ?? null,
      reason: f.reason ?? null,
      permanent: code === null ? null : code >= 500 && code < 600 ? true : code >= 400 && code < 500 ? false : null,
      limit: f.status === 'failed' && saysLimit(f.reason ?? null),
      attempt: null,
      file: rec.base.file,
      line: rec.base.line,
      pid: rec.base.pid,
      db: rec.base.db,
    }
    this.push(ev, rec.ms, null, recs)
    const run = this.runs.get(rec.base.pid)
    if (run?.open) {
      run.ev.attempts++
      if (f.status === 'sent') run.ev.sent++
      else run.ev.failed++
    }
  }

  /** Queue cron lifecycle, every version's wording (odoo-log-formats.md §2.3, §7). */
  private cron(rec: Rec, msg: string): boolean {
    const pid = rec.base.pid
    const ms = rec.ms
    let m: RegExpExecArray | null
    const start = (name: string, id: number | null) => {
      const ev: QueueRunEvent = {
        kind: 'queue_run', ...when(rec), cron: name, cronId: id, duration: null, processed: null, remaining: null, attempts: 0, sent: 0, failed: 0, outcome: null, ...where(rec),
      }
      const run = { ev, startMs: ms, open: true }
      this.runs.set(pid, run)
      this.push(ev, ms, run)
    }
    const run = this.runs.get(pid)
    const end = (outcome: 'done' | 'failed', duration: number | null) => {
      if (!run?.open) return
      run.open = false
      run.ev.outcome = outcome
      run.ev.duration = duration ?? Math.round(ms - run.startMs) / 1000
    }
    if ((m = CRON_START14.exec(msg))) start(m[1]!, null)
    else if ((m = CRON_DONE14.exec(msg))) end('done', null)
    else if ((m = CRON_DONE17.exec(msg))) end('done', Number(m[2]))
    else if ((m = CRON18.exec(msg))) {
      const tail = m[4]!
      let t: RegExpExecArray | null
      if (tail === 'starting' || tail === 'started manually') start(m[2]!, Number(m[3]))
      else if ((t = /^done in ([\d.]+)s$/.exec(tail))) end('done', Number(t[1]))
      else if (tail === 'done') end('done', null)
      else if ((t = /^processed (\d+) records, (\d+) records remaining$/.exec(tail)) && run) {
        run.ev.processed = Number(t[1])
        run.ev.remaining = Number(t[2])
      } else if ((t = /^(fully done|partially done|failed) \(#loop \d+; done (\d+); remaining (\d+); duration ([\d.]+)s\)$/.exec(tail))) {
        end(t[1] === 'failed' ? 'failed' : 'done', Number(t[4]))
        if (run) {
          run.ev.processed = Number(t[2])
          run.ev.remaining = Number(t[3])
        }
      } else if (/server action #\d+ failed$|timed out$/.test(tail)) end('failed', null)
      else if (tail !== 'completed') return false
    } else return false
    return true
  }

  private bounce(rec: Rec, msg: string): boolean {
    if (!msg.startsWith('Routing mail from')) return false
    const text = rec.lines.join('\n')
    const m = ROUTING.exec(text)
    const sender = m ? m[1]! : (/^Routing mail from (\S+)/.exec(msg)?.[1] ?? null)
    const tail = m ? m[4]! : ''
    const isBounce = tail.startsWith('not routing bounce email') || /mailer-daemon/i.test(sender ?? msg)
    if (!isBounce) return false
    const nr = NOT_ROUTING.exec(tail)
    const to = m ? m[2]! : null
    const verp = to ? /bounce\+(\d+)-/.exec(to) : null
    const ev: BounceEvent = {
      kind: 'bounce',
      ...when(rec),
      sender,
      to,
      bounceMessageId: m ? m[3]! : null,
      bouncedAddress: nr ? nr[1]! : null,
      originalMessageIds: nr ? [...nr[2]!.matchAll(/<[^<>\s]+>/g)].map((x) => x[0]) : [],
      mailId: verp ? Number(verp[1]) : null,
      ...where(rec),
    }
    this.push(ev, rec.ms, null, [rec])
    return true
  }

  private incoming(rec: Rec, msg: string) {
    const last = lastExceptionLine(rec.lines, rec.lines.indexOf('Traceback (most recent call last):'))
    let m: RegExpExecArray | null
    let serverType: string | null = null
    let server: string | null = null
    if ((m = INCOMING.exec(msg))) {
      serverType = m[1]!
      server = m[2]!
    } else if ((m = FETCH_ATTACH.exec(msg))) server = m[2]!
    else if (!rec.lines.some((l) => l.includes('No possible route found'))) return
    const ev: IncomingErrorEvent = {
      kind: 'incoming_error',
      ...when(rec),
      serverType,
      server,
      errorClass: last?.cls ?? null,
      reason: last?.text ?? (rec.lines.find((l) => l.includes('No possible route found')) ?? msg),
      ...where(rec),
    }
    this.push(ev, rec.ms)
  }
}

/** The day of the last stamp read (one string a day, shared by its events), and its start in ms. */
let dayKey = ''
let dayMs = 0

/**
 * `2024-05-06 08:14:22,905` as ms since the epoch: the day from a one-entry cache, the clock by digit
 * arithmetic (Date.parse per record was 5% of the parser's time on the mail-dense bench folder).
 */
function stampMs(stamp: string): number {
  if (!stamp.startsWith(dayKey) || !dayKey) {
    dayKey = stamp.slice(0, 10)
    dayMs = Date.UTC(Number(stamp.slice(0, 4)), Number(stamp.slice(5, 7)) - 1, Number(stamp.slice(8, 10)))
  }
  const d = (i: number) => stamp.charCodeAt(i) - 48
  return dayMs + (d(11) * 10 + d(12)) * 3600e3 + (d(14) * 10 + d(15)) * 60e3 + (d(17) * 10 + d(18)) * 1e3 + d(20) * 100 + d(21) * 10 + d(22)
}

/**
 * Copies the fields of an event that are cut from the record's text (the others are constants or
 * shared), field by field: a loop over field names made every access a generic keyed one, 9% of
 * the parser's time on the mail-dense bench folder.
 */
function detachFields(ev: MailEvent): void {
  switch (ev.kind) {
    case 'attempt':
      ev.messageId = detachOrNull(ev.messageId)
      ev.from = detachOrNull(ev.from)
      ev.recipient = detachOrNull(ev.recipient)
      ev.enhancedCode = detachOrNull(ev.enhancedCode)
      ev.errorClass = detachOrNull(ev.errorClass)
      ev.reason = detachOrNull(ev.reason)
      break
    case 'queue_run':
      ev.cron = detach(ev.cron)
      break
    case 'bounce':
      ev.sender = detachOrNull(ev.sender)
      ev.to = detachOrNull(ev.to)
      ev.bounceMessageId = detachOrNull(ev.bounceMessageId)
      ev.bouncedAddress = detachOrNull(ev.bouncedAddress)
      break
    case 'incoming_error':
      ev.serverType = detachOrNull(ev.serverType)
      ev.server = detachOrNull(ev.server)
      ev.errorClass = detachOrNull(ev.errorClass)
      ev.reason = detachOrNull(ev.reason)
      break
  }
}

function detachOrNull(s: string | null): string | null {
  return s === null ? null : detach(s)
}

/**
 * A copy of a substring that does not keep its parent string alive (V8 substrings of 13 characters
 * or more are views; shorter ones are copies already): a concatenation, made flat (see flat).
 */
function detach(s: string): string {
  return s.length < 13 ? s : flat(s.slice(0, 1) + s.slice(1))
}

/**
 * A concatenation (a tree of V8 cons strings, one object per `+`) made one flat string now: reading
 * a character flattens it, and the young generation's collector then keeps the flat string alone.
 * Held events kept an ISO time of 8 objects, and a copied field as a view of a copy: 1 s of the
 * parser's 10 s of CPU on the mail-dense bench folder (garbage collection), 4 MB of peak RSS.
 */
function flat(s: string): string {
  s.charCodeAt(0)
  return s
}

// Every event's keys: kind, time, day, its own fields, then file, line, pid, db (the README's schema).
function when(rec: Rec): { time: string; day: string } {
  return { time: rec.base.time, day: rec.base.day }
}

function where(rec: Rec): { file: string; line: number; pid: number; db: string } {
  return { file: rec.base.file, line: rec.base.line, pid: rec.base.pid, db: rec.base.db }
}

/** The ISO time of a header stamp, one flat string (see flat). */
function isoOf(stamp: string): string {
  return flat(stampToIso(stamp))
}

/** The last `module.ExcClass: text` line of a traceback. */
function lastExceptionLine(lines: readonly string[], tbAt: number): { cls: string; text: string } | null {
  if (tbAt < 0) return null
  for (let i = lines.length - 1; i > tbAt; i--) {
    const m = /^([A-Za-z_][\w.]*): ?(.*)$/.exec(lines[i]!)
    if (m) return { cls: m[1]!.slice(m[1]!.lastIndexOf('.') + 1), text: m[2]! }
  }
  return null
}

function fromDetails(d: SmtpDetails): Partial<AttemptEvent> {
  return { from: d.sender, recipient: d.recipient, recipients: d.recipients, smtpCode: d.smtpCode, enhancedCode: d.enhancedCode, errorClass: d.errorClass, reason: d.text }
}

/**
 * A record's message then its continuation lines, as the parser reads them: outside prefixes
 * removed, trailing blanks trimmed, trailing empty lines dropped. `text` has no ANSI code left.
 */
export function messageLines(text: string, header: Pick<RecordHeader, 'messageStart' | 'prefixLength'>): string[] {
  // most records the parser reads are one line (a mail sent): no split, no regex
  if (text.indexOf('\n') < 0) return [text.slice(header.messageStart).trimEnd()]
  const lines = text.split('\n')
  lines[0] = lines[0]!.slice(header.messageStart)
  for (let i = 0; i < lines.length; i++) {
    let l = lines[i]!
    if (i > 0 && header.prefixLength > 0) l = l.replace(PREFIX_LINE, '')
    lines[i] = l.trimEnd() // the same white space as /\s+$/
  }
  while (lines.length > 1 && lines[lines.length - 1] === '') lines.pop()
  return lines
}

function normalize(raw: LogRecord): Rec | null {
  let text = raw.text
  let header = raw.header
  if (text.includes('\x1b')) {
    text = text.replace(ANSI_RE, '')
    header = parseHeader(text)
  }
  if (!header) return null
  const lines = messageLines(text, header)
  const ms = stampMs(header.stamp)
  return {
    raw,
    lines,
    base: { time: isoOf(header.stamp), day: dayKey, file: raw.file, line: raw.line, pid: header.pid, db: header.db },
    ms,
  }
}
