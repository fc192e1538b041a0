import { parseHeader, PREFIX_SOURCE, readRecords, stampToIso, type LogRecord, type LogSource, type Progress, type RecordEvent, type RecordHeader, type SearchError } from '@odoolog/search'
import type { AttemptEvent, BounceEvent, EventBase, IncomingErrorEvent, MailEvent, ParseStats, QueueRunEvent } from './events.js'
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
}

/** What parseMail returns when it is done: the counts, and the files that failed. */
export interface ParseResult extends ParseStats {
  fileErrors: SearchError[]
}

/**
 * Reads mail events out of sources (a folder's files, single files, stdin): send attempts, queue
 * runs, bounces and incoming errors, in time order, at most one per record. Unknown records are
 * skipped. Holds the events (not the log) until the end, since a recipient or Message-Id can come
 * from a later record of the same mail.
 */
export async function* readMailEvents(sources: readonly LogSource[], opts: ParseOptions = {}): AsyncGenerator<MailEvent, ParseResult> {
  return yield* parseMail(readRecords(sources, { patterns: MAIL_PATTERNS, syntax: 'fixed', since: opts.since, until: opts.until, signal: opts.signal, countRecords: opts.countRecords, onProgress: opts.onProgress }))
}

/** The parser proper, over any record stream (readRecords with or without a prefilter). */
export async function* parseMail(input: AsyncGenerator<RecordEvent, { records: number; orphanLines: number; errors: number }>): AsyncGenerator<MailEvent, ParseResult> {
  const p = new Parser()
  const fileErrors: SearchError[] = []
  let summary = { records: 0, orphanLines: 0, errors: 0 }
  for (;;) {
    const r = await input.next()
    if (r.done) {
      summary = r.value
      break
    }
    if (r.value.kind === 'error') fileErrors.push(r.value.error)
    else for (const rec of r.value.records) p.record(rec)
  }
  const events = p.finish()
  const counts = { attempt: 0, queue_run: 0, bounce: 0, incoming_error: 0 }
  for (const ev of events) {
    counts[ev.kind]++
    yield ev
  }
  return { records: summary.records, orphanLines: summary.orphanLines, errors: summary.errors, events: counts, fileErrors }
}

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

interface Rec {
  header: RecordHeader
  /** Message lines then continuation lines, ANSI and outside prefixes removed, trailing blanks trimmed. */
  lines: string[]
  base: EventBase
}

interface Pending {
  rec: Rec
  details: SmtpDetails
}

interface OpenRun {
  ev: QueueRunEvent
  startMs: number
  open: boolean
}

class Parser {
  private events: (MailEvent & { seq: number })[] = []
  private seq = 0
  private pendingSmtp = new Map<number, Pending>()
  private skipped = new Map<number, boolean>() // pid → its last record was a test-mode skip
  private runs = new Map<number, OpenRun>()

  record(raw: LogRecord) {
    const rec = normalize(raw)
    if (!rec) return
    const pid = rec.header.pid
    const msg = rec.lines[0]!
    const wasSkip = this.skipped.get(pid) ?? false
    this.skipped.delete(pid)

    if (msg === 'skip sending email in test mode') {
      this.skipped.set(pid, true)
      return
    }
    let m: RegExpExecArray | null
    if ((m = SMTP_FAIL.exec(msg))) {
      this.flushPending(pid)
      this.pendingSmtp.set(pid, { rec, details: parseSmtpFailure(rec.lines.slice(1).join('\n')) })
      return
    }
    if ((m = FAILED.exec(msg)) || (m = FAILED8.exec(msg)) || (m = EXCEPTION.exec(msg))) {
      this.failure(rec, m)
      return
    }
    this.flushPending(pid)
    if ((m = SUCCESS.exec(msg))) {
      if (wasSkip) return // that mail never left: Odoo only pretended in test mode
      const redacted = m[7] ?? m[8] ?? null
      this.attempt(rec, {
        mailId: Number(m[1]),
        status: 'sent',
        messageId: m[2] ?? m[3] ?? m[4] ?? null,
        from: m[5] ?? m[6] ?? null,
        recipient: redacted,
      })
      return
    }
    if (QUEUE.test(msg) && this.cron(rec, msg)) return
    if (this.bounce(rec, msg)) return
    this.incoming(rec, msg)
  }

  /** Every event, recipients and Message-Ids completed from other records of the same mail, in time order. */
  finish(): MailEvent[] {
    for (const pid of [...this.pendingSmtp.keys()]) this.flushPending(pid)
    this.runs.clear()
    const evs = this.events.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : a.seq - b.seq))
    const recipients = new Map<number, string>()
    const messageIds = new Map<number, string>()
    for (const e of evs) {
      if (e.kind !== 'attempt' || e.mailId === null) continue
      if (e.recipient && !recipients.has(e.mailId)) recipients.set(e.mailId, e.recipient)
      if (e.messageId && !messageIds.has(e.mailId)) messageIds.set(e.mailId, e.messageId)
    }
    const byMessageId = new Map<string, number>()
    for (const [id, mid] of messageIds) byMessageId.set(mid, id)
    // a bounce names the mail (VERP or Message-Id) and the address that bounced: a recipient too
    for (const e of evs) {
      if (e.kind !== 'bounce') continue
      if (e.mailId === null) e.mailId = e.originalMessageIds.map((mid) => byMessageId.get(mid)).find((id) => id !== undefined) ?? null
      if (e.mailId !== null && e.bouncedAddress && !recipients.has(e.mailId)) recipients.set(e.mailId, e.bouncedAddress)
      if (e.mailId !== null && e.originalMessageIds.length === 1 && !messageIds.has(e.mailId)) messageIds.set(e.mailId, e.originalMessageIds[0]!)
    }
    const tries = new Map<number, number>()
    return evs.map(({ seq: _seq, ...e }) => {
      if (e.kind === 'attempt' && e.mailId !== null) {
        e.recipient ??= recipients.get(e.mailId) ?? null
        e.messageId ??= messageIds.get(e.mailId) ?? null
        const n = (tries.get(e.mailId) ?? 0) + 1
        tries.set(e.mailId, n)
        e.attempt = n
      }
      return e as MailEvent
    })
  }

  /**
   * Keeps the object itself (a queue run is filled in by the records that follow its start), with
   * its strings copied: a substring would keep its whole record's text (tracebacks) alive until the
   * end, and the parser holds every event until then.
   */
  private push(ev: MailEvent) {
    const e = ev as unknown as Record<string, unknown>
    for (const k in e) if (typeof e[k] === 'string' && k !== 'file') e[k] = detach(e[k] as string)
    if (ev.kind === 'bounce') ev.originalMessageIds = ev.originalMessageIds.map(detach)
    this.events.push(Object.assign(ev, { seq: this.seq++ }))
  }

  private flushPending(pid: number) {
    const p = this.pendingSmtp.get(pid)
    if (!p) return
    this.pendingSmtp.delete(pid)
    this.attempt(p.rec, { mailId: null, status: 'failed', ...fromDetails(p.details) })
  }

  private failure(rec: Rec, m: RegExpExecArray) {
    const pid = rec.header.pid
    const pending = this.pendingSmtp.get(pid)
    this.pendingSmtp.delete(pid)
    const tbAt = rec.lines.findIndex((l) => l === 'Traceback (most recent call last):')
    const head = tbAt < 0 ? rec.lines : rec.lines.slice(0, tbAt)
    const last = lastExceptionLine(rec.lines, tbAt)
    // the failure record repeats the SMTP text before its traceback; the INFO record, when merged, is the same
    const smtpAt = head.findIndex((l) => SMTP_FAIL.test(l))
    const details = pending?.details ?? (smtpAt >= 0 ? parseSmtpFailure(head.slice(smtpAt + 1).join('\n')) : null)
    let reason: string | null
    if (details) reason = details.text
    else if (FAILED.test(rec.lines[0]!)) reason = [FAILED.exec(rec.lines[0]!)![2]!, ...head.slice(1)].join('\n').trim() || last?.text || null
    else reason = last?.text ?? null
    const isException = EXCEPTION.test(rec.lines[0]!)
    this.attempt(rec, {
      mailId: Number(m[1]),
      status: 'failed',
      messageId: isException ? (m[2] ?? m[3] ?? m[4] ?? null) : null,
      from: details?.sender ?? null,
      recipient: details?.recipient ?? null,
      smtpCode: details?.smtpCode ?? null,
      enhancedCode: details?.enhancedCode ?? null,
      errorClass: details?.errorClass ?? last?.cls ?? null,
      reason,
    })
  }

  private attempt(rec: Rec, f: Partial<AttemptEvent> & Pick<AttemptEvent, 'mailId' | 'status'>) {
    const code = f.smtpCode ?? null
    const ev: AttemptEvent = {
      kind: 'attempt',
      time: rec.base.time,
      day: rec.base.day,
      mailId: f.mailId,
      status: f.status,
      messageId: f.messageId ?? null,
      from: f.from ?? null,
      recipient: f.recipient ?? null,
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
    this.push(ev)
    const run = this.runs.get(rec.header.pid)
    if (run?.open) {
      run.ev.attempts++
      if (f.status === 'sent') run.ev.sent++
      else run.ev.failed++
    }
  }

  /** Queue cron lifecycle, every version's wording (odoo-log-formats.md §2.3, §7). */
  private cron(rec: Rec, msg: string): boolean {
    const pid = rec.header.pid
    const ms = Date.parse(rec.base.time)
    let m: RegExpExecArray | null
    const start = (name: string, id: number | null) => {
      const ev: QueueRunEvent = {
        kind: 'queue_run', ...when(rec), cron: name, cronId: id, duration: null, processed: null, remaining: null, attempts: 0, sent: 0, failed: 0, outcome: null, ...where(rec),
      }
      this.runs.set(pid, { ev, startMs: ms, open: true })
      this.push(ev)
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
    this.push(ev)
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
    this.push(ev)
  }
}

/** A copy of a substring that does not keep its parent string alive (V8 substrings are views). */
function detach(s: string): string {
  return (' ' + s).slice(1)
}

// Every event's keys: kind, time, day, its own fields, then file, line, pid, db (the README's schema).
function when(rec: Rec): { time: string; day: string } {
  return { time: rec.base.time, day: rec.base.day }
}

function where(rec: Rec): { file: string; line: number; pid: number; db: string } {
  return { file: rec.base.file, line: rec.base.line, pid: rec.base.pid, db: rec.base.db }
}

/** The last `module.ExcClass: text` line of a traceback. */
function lastExceptionLine(lines: string[], tbAt: number): { cls: string; text: string } | null {
  if (tbAt < 0) return null
  for (let i = lines.length - 1; i > tbAt; i--) {
    const m = /^([A-Za-z_][\w.]*): ?(.*)$/.exec(lines[i]!)
    if (m) return { cls: m[1]!.slice(m[1]!.lastIndexOf('.') + 1), text: m[2]! }
  }
  return null
}

function fromDetails(d: SmtpDetails): Partial<AttemptEvent> {
  return { from: d.sender, recipient: d.recipient, smtpCode: d.smtpCode, enhancedCode: d.enhancedCode, errorClass: d.errorClass, reason: d.text }
}

function normalize(raw: LogRecord): Rec | null {
  let text = raw.text
  let header = raw.header
  if (text.includes('\x1b')) {
    text = text.replace(ANSI_RE, '')
    header = parseHeader(text)
  }
  if (!header) return null
  const lines = text.split('\n')
  lines[0] = lines[0]!.slice(header.messageStart)
  for (let i = 0; i < lines.length; i++) {
    let l = lines[i]!
    if (i > 0 && header.prefixLength > 0) l = l.replace(PREFIX_LINE, '')
    lines[i] = l.replace(/[\s]+$/, '')
  }
  while (lines.length > 1 && lines[lines.length - 1] === '') lines.pop()
  return {
    header,
    lines,
    base: { time: stampToIso(header.stamp), day: header.stamp.slice(0, 10), file: raw.file, line: raw.line, pid: header.pid, db: header.db },
  }
}
