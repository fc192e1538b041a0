// Subpath imports: the package index loads all of date-fns (~30 ms of startup, measured).
import { addDays } from 'date-fns/addDays'
import type { AttemptEvent, BounceEvent, IncomingErrorEvent, MailEvent } from './events.js'
import { attemptFilter, recipientsOf } from './filter.js'
import { LINK_DAYS, RecentMap, recentNumbers } from './ids.js'

// Aggregations over the parser's stream. Each report is a tally: add() takes one event at a time and
// keeps counters and bounded per-mail state, never the events; result() gives the report. The
// functions beside them run a tally over a list, for callers that have one.

/** One report's tally over a stream of events. */
export interface Tally<R> {
  add(ev: MailEvent): void
  result(): R
}

/**
 * How many items a report lists at most (failures without a code, bounces, late mails, incoming
 * errors, quota failures): the most recent ones, with the count of all. A year of a mass mailing has
 * tens of thousands of bounces; `odoolog mail --events` lists every one.
 */
export const LIST_CAP = 100

/** The last `cap` items pushed, in order, and how many were pushed in all. */
class LastItems<T> {
  private readonly items: T[] = []
  total = 0

  constructor(private readonly cap = LIST_CAP) {}

  push(x: T) {
    if (this.items.length < this.cap) this.items.push(x)
    else this.items[this.total % this.cap] = x
    this.total++
  }

  list(): T[] {
    if (this.total <= this.cap) return [...this.items]
    const at = this.total % this.cap
    return [...this.items.slice(at), ...this.items.slice(0, at)]
  }
}

function run<R>(t: Tally<R>, events: Iterable<MailEvent>): R {
  for (const e of events) t.add(e)
  return t.result()
}

export type RetriesBy = 'day' | 'recipient' | 'domain' | 'code' | 'mail'

export interface RetriesRow {
  /** The group key, named after `by` in output (`day`, `recipient`, …). */
  key: string
  attempts: number
  sent: number
  failed: number
  /** Attempts on a mail id that had an earlier attempt in the logs read. */
  retries: number
  /** Distinct mail ids attempted. */
  mails: number
  /** SMTP code → count. */
  codes: Record<string, number>
}

const UNKNOWN = '(unknown)'
/** A mail counted in several groups (a group index is 0 or more). */
const MANY = -2

function domainOfAddress(r: string): string {
  return r.includes('@') ? r.slice(r.lastIndexOf('@') + 1).toLowerCase() : UNKNOWN
}

/** The attempt's recipient domains, each once (a refusal that names several recipients counts for each). */
function domainsOf(a: AttemptEvent): readonly string[] {
  const rs = recipientsOf(a)
  if (rs.length === 0) return [UNKNOWN]
  if (rs.length === 1) return [domainOfAddress(rs[0]!)]
  return [...new Set(rs.map(domainOfAddress))]
}

/** The groups an attempt counts in: one, but for a refusal of several recipients by recipient or domain. */
function groupKeys(a: AttemptEvent, by: RetriesBy): readonly string[] {
  switch (by) {
    case 'day':
      return [a.day]
    case 'recipient': {
      const rs = recipientsOf(a)
      return rs.length ? rs : [UNKNOWN]
    }
    case 'domain':
      return domainsOf(a)
    case 'code':
      return [a.smtpCode !== null ? String(a.smtpCode) : a.status === 'sent' ? '(sent)' : '(no code)']
    case 'mail':
      return [a.mailId !== null ? String(a.mailId) : UNKNOWN]
  }
}

/**
 * Attempts, outcomes and retries per group. `mails` counts distinct mails with no set of ids per
 * group: per mail, the group its attempts were in (a number; a small set for a mail tried in several
 * groups: a retry past midnight, a 421 then a success by code), kept LINK_DAYS after its last attempt
 * (a mail tried again later than that counts once more). Memory is the groups' counters: `--by mail`
 * has a row per mail, as its output does.
 */
export class RetriesTally implements Tally<RetriesRow[]> {
  private readonly index = new Map<string, number>()
  private readonly rows: RetriesRow[] = []
  /** Per row, SMTP code → count; made into `codes` objects at the end (see codesObject). */
  private readonly codes: (Map<number, number> | null)[] = []
  /** Per mail, its group (in a NumberTable: no object per mail), or MANY and its groups in `groupSets`. */
  private readonly groupOf = recentNumbers(LINK_DAYS / 2)
  private readonly groupSets = new RecentMap<number, Set<number>>(LINK_DAYS / 2)

  constructor(private readonly by: RetriesBy) {}

  add(e: MailEvent) {
    if (e.kind !== 'attempt') return
    this.groupOf.day(e.day)
    this.groupSets.day(e.day)
    for (const key of groupKeys(e, this.by)) this.addTo(key, e)
  }

  private addTo(key: string, e: AttemptEvent) {
    let g = this.index.get(key)
    if (g === undefined) {
      g = this.rows.length
      this.index.set(key, g)
      this.rows.push({ key, attempts: 0, sent: 0, failed: 0, retries: 0, mails: 0, codes: {} })
      this.codes.push(null)
    }
    const r = this.rows[g]!
    r.attempts++
    if (e.status === 'sent') r.sent++
    else r.failed++
    if (e.attempt !== null && e.attempt > 1) r.retries++
    if (e.smtpCode !== null) {
      let m = this.codes[g]
      if (!m) this.codes[g] = m = new Map()
      m.set(e.smtpCode, (m.get(e.smtpCode) ?? 0) + 1)
    }
    if (e.mailId !== null && this.newInGroup(e.mailId, g)) r.mails++
  }

  private newInGroup(id: number, g: number): boolean {
    const seen = this.groupOf.get(id)
    if (seen === undefined) {
      this.groupOf.set(id, g)
      return true
    }
    if (seen === g) return false
    if (seen !== MANY) {
      this.groupOf.set(id, MANY)
      this.groupSets.set(id, new Set([seen, g]))
      return true
    }
    // (both maps are used together, so they keep an entry equally long)
    const set = this.groupSets.get(id)
    if (!set) this.groupSets.set(id, new Set([g]))
    else if (set.has(g)) return false
    else set.add(g)
    return true
  }

  /** Days sort by date; other groups by attempts, most first. */
  result(): RetriesRow[] {
    this.rows.forEach((r, g) => (r.codes = codesObject(this.codes[g]!)))
    const out = [...this.rows]
    return this.by === 'day' ? out.sort((a, b) => (a.key < b.key ? -1 : 1)) : out.sort((a, b) => b.attempts - a.attempts || (a.key < b.key ? -1 : 1))
  }
}

/**
 * `{ "421": 2, "554": 1 }` from code → count. Not built key by key: `o[554] = 1` gives a plain object
 * room for 555 array elements, 6.9 KB (measured), 550 MB over the 60,000 recipients of a year of a
 * mass mailing; JSON.parse stores the same object in 210 bytes. Keys enumerate in numeric order
 * either way.
 */
export function codesObject(m: Map<number, number> | null): Record<string, number> {
  if (!m) return {}
  return JSON.parse(`{${[...m].map(([k, v]) => `"${k}":${v}`).join(',')}}`) as Record<string, number>
}

/** Attempts, outcomes and retries per group, over a list of events. */
export function retriesReport(events: Iterable<MailEvent>, by: RetriesBy): RetriesRow[] {
  return run(new RetriesTally(by), events)
}

/** Odoo's daily limits (the email troubleshooting guide): paid Online/Odoo.sh, trial and after a migration, one free app. */
export const LIMIT_PRESETS = { paid: 200, trial: 50, free: 20 } as const

export interface LimitWindow {
  /** The window [start, end): 23:00 UTC to 23:00 UTC, when Odoo resets its counter. */
  start: string
  end: string
  attempts: number
  sent: number
  failed: number
  limit: number
  /** When the attempts reached the limit (the limit-th attempt), else null. */
  reachedAt: string | null
  /** Failures whose text names a quota or limit. */
  limitFailures: number
}

export interface LimitReport {
  windows: LimitWindow[]
  /** Failed attempts whose text names a quota or limit: the last LIST_CAP, and how many in all. */
  failures: AttemptEvent[]
  failureCount: number
}

/** The reset window an instant falls in: [previous 23:00 UTC, next 23:00 UTC). */
export function resetWindow(iso: string): { start: string; end: string } {
  const t = new Date(iso)
  const start = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate(), 23))
  const s = t.getTime() >= start.getTime() ? start : addDays(start, -1)
  return { start: s.toISOString(), end: addDays(s, 1).toISOString() }
}

/**
 * Attempts per 23:00-to-23:00 UTC window against a daily limit. The window of an event's time
 * depends only on its date and on whether it is 23:xx: cached on that (Date arithmetic per attempt
 * was a third of the report's time on the mail-dense bench folder).
 */
export class LimitTally implements Tally<LimitReport> {
  private readonly windows = new Map<string, LimitWindow>()
  private readonly failures = new LastItems<AttemptEvent>()
  private lastKey = ''
  private last: LimitWindow | null = null

  constructor(private readonly limit: number) {}

  add(e: MailEvent) {
    if (e.kind !== 'attempt') return
    const w = this.windowOf(e.time)
    w.attempts++
    if (e.status === 'sent') w.sent++
    else w.failed++
    if (w.attempts === this.limit) w.reachedAt = e.time
    if (e.limit) {
      w.limitFailures++
      this.failures.push(e)
    }
  }

  private windowOf(iso: string): LimitWindow {
    // `2026-11-22T23` and `2026-11-22T09` fall in different windows; 00..22 share one
    const key = iso.slice(0, 10) + (iso.slice(11, 13) >= '23' ? '+' : '-')
    if (key === this.lastKey) return this.last!
    const { start, end } = resetWindow(iso)
    let w = this.windows.get(start)
    if (!w) this.windows.set(start, (w = { start, end, attempts: 0, sent: 0, failed: 0, limit: this.limit, reachedAt: null, limitFailures: 0 }))
    this.lastKey = key
    this.last = w
    return w
  }

  result(): LimitReport {
    return { windows: [...this.windows.values()].sort((a, b) => (a.start < b.start ? -1 : 1)), failures: this.failures.list(), failureCount: this.failures.total }
  }
}

/** Attempts per 23:00-to-23:00 UTC window against a daily limit, over a list of events. */
export function limitReport(events: Iterable<MailEvent>, limit: number): LimitReport {
  return run(new LimitTally(limit), events)
}

export interface QueueDay {
  day: string
  runs: number
  /** Seconds: median and longest run. */
  medianDuration: number | null
  maxDuration: number | null
  attempts: number
  /** Attempts per run (mean). */
  mailsPerRun: number
  failedRuns: number
}

export interface QueueGap {
  /** The run before the gap and the one after it. */
  from: string
  to: string
  /** Minutes between the two starts, and the usual (median) interval. */
  minutes: number
  usualMinutes: number
}

export interface QueueReport {
  days: QueueDay[]
  gaps: QueueGap[]
}

function median(xs: number[]): number | null {
  if (!xs.length) return null
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

/**
 * Queue runs per day and the gaps longer than twice the usual interval (a stalled cron). Keeps
 * numbers per run (its duration, its start per db and cron, for the medians), not the runs.
 */
export class QueueTally implements Tally<QueueReport> {
  private readonly days = new Map<string, { runs: number; durations: number[]; attempts: number; failedRuns: number }>()
  private readonly starts = new Map<string, number[]>()

  add(e: MailEvent) {
    if (e.kind !== 'queue_run') return
    let d = this.days.get(e.day)
    if (!d) this.days.set(e.day, (d = { runs: 0, durations: [], attempts: 0, failedRuns: 0 }))
    d.runs++
    if (e.duration !== null) d.durations.push(e.duration)
    d.attempts += e.attempts
    if (e.outcome === 'failed') d.failedRuns++
    const key = `${e.db}\0${e.cron}`
    let s = this.starts.get(key)
    if (!s) this.starts.set(key, (s = []))
    s.push(Date.parse(e.time))
  }

  result(): QueueReport {
    const days = [...this.days.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([day, d]) => ({
        day,
        runs: d.runs,
        medianDuration: median(d.durations),
        maxDuration: d.durations.length ? d.durations.reduce((a, b) => Math.max(a, b)) : null,
        attempts: d.attempts,
        mailsPerRun: Math.round((d.attempts / d.runs) * 100) / 100,
        failedRuns: d.failedRuns,
      }))
    const gaps: QueueGap[] = []
    for (const s of this.starts.values()) {
      const intervals = s.slice(1).map((t, i) => (t - s[i]!) / 60000)
      const usual = median(intervals)
      if (usual === null || usual <= 0) continue
      intervals.forEach((m, i) => {
        if (m > 2 * usual) gaps.push({ from: new Date(s[i]!).toISOString(), to: new Date(s[i + 1]!).toISOString(), minutes: Math.round(m * 10) / 10, usualMinutes: Math.round(usual * 10) / 10 })
      })
    }
    return { days, gaps }
  }
}

/** Queue runs per day and the gaps longer than twice the usual interval, over a list of events. */
export function queueReport(events: Iterable<MailEvent>): QueueReport {
  return run(new QueueTally(), events)
}

export interface LateMail {
  mailId: number
  recipient: string | null
  firstAttempt: string
  sentAt: string
  attempts: number
  /** Milliseconds from the first attempt to the success. */
  delayMs: number
}

/**
 * Mails that went out only after failed attempts: the delay between the first try and the success.
 * Per mail, the time of its first failure (null when its first attempt went out: never late), kept
 * LINK_DAYS after its last attempt.
 */
export class LateTally implements Tally<LateMail[]> {
  private readonly firstFailure = new RecentMap<number, string | null>(LINK_DAYS / 2)
  private readonly out = new LastItems<LateMail>()

  add(e: MailEvent) {
    if (e.kind !== 'attempt' || e.mailId === null) return
    this.firstFailure.day(e.day)
    const f = this.firstFailure.get(e.mailId)
    if (f === undefined) {
      this.firstFailure.set(e.mailId, e.status === 'failed' ? e.time : null)
      return
    }
    if (e.status === 'failed' || f === null) return
    this.firstFailure.set(e.mailId, null)
    this.out.push({ mailId: e.mailId, recipient: e.recipient, firstAttempt: f, sentAt: e.time, attempts: e.attempt ?? 0, delayMs: Date.parse(e.time) - Date.parse(f) })
  }

  /** The last LIST_CAP late mails. */
  result(): LateMail[] {
    return this.out.list()
  }

  get count(): number {
    return this.out.total
  }
}

/** Mails that went out only after failed attempts, over a list of events. */
export function lateMails(events: Iterable<MailEvent>): LateMail[] {
  return run(new LateTally(), events)
}

export interface CodeCount {
  code: number
  domain: string
  count: number
}

/** One UTC day of a diagnosis: its attempts, as `report retries --by day` counts them. */
export type DayCount = Omit<RetriesRow, 'key'> & { day: string }

export interface Diagnosis {
  period: { from: string | null; to: string | null }
  /** The databases the events came from, in order of appearance (at most LIST_CAP). */
  databases: string[]
  attempts: number
  sent: number
  failed: number
  /** Attempts per UTC day (the recipient's with `--to`). */
  days: DayCount[]
  /** Failed attempts, the last LIST_CAP (with a code or not). */
  failures: AttemptEvent[]
  /** Failures by SMTP code and recipient domain, permanent (5xx) and temporary (4xx) apart. */
  permanent: CodeCount[]
  temporary: CodeCount[]
  /** Failed attempts with no SMTP code (connection, From address, …). */
  noSmtpReason: AttemptEvent[]
  limit: LimitReport
  late: LateMail[]
  bounces: BounceEvent[]
  incoming: IncomingErrorEvent[]
  /** The mail queue cron's runs per day and its gaps: the database's, with `--to` too. */
  queue: QueueReport
  /** With a recipient (`--to`): its address as asked, and its attempts and bounces in time order. */
  recipient: string | null
  timeline: (AttemptEvent | BounceEvent)[]
  /** How many of each list there were in all: the lists hold the last LIST_CAP. */
  counts: { noSmtpReason: number; late: number; bounces: number; incoming: number; timeline: number; failures: number }
}

/**
 * The evidence the email troubleshooting guide asks for: counters, the limit and late-mail tallies,
 * and the last LIST_CAP of each list it shows (failures without an SMTP code, bounces, incoming errors).
 */
export class DiagnosisTally implements Tally<Diagnosis> {
  private from: string | null = null
  private to: string | null = null
  private attempts = 0
  private sent = 0
  private failed = 0
  private readonly databases = new Set<string>()
  private readonly days = new RetriesTally('day')
  private readonly failures = new LastItems<AttemptEvent>()
  private readonly queue = new QueueTally()
  private readonly byCode = { permanent: new Map<string, CodeCount>(), temporary: new Map<string, CodeCount>() }
  private readonly noSmtpReason = new LastItems<AttemptEvent>()
  private readonly bounces = new LastItems<BounceEvent>()
  private readonly incoming = new LastItems<IncomingErrorEvent>()
  private readonly limit: LimitTally
  private readonly late = new LateTally()
  private readonly timeline = new LastItems<AttemptEvent | BounceEvent>()
  private readonly keep: (e: MailEvent) => boolean
  private readonly recipient: string | null

  /**
   * With `to`, everything is about that recipient's mails except the daily limit: that counts every
   * attempt of the database, as Odoo does.
   */
  constructor(limit: number, opts: { to?: string } = {}) {
    this.limit = new LimitTally(limit)
    this.recipient = opts.to ?? null
    this.keep = opts.to ? attemptFilter({ to: opts.to }) : () => true
  }

  add(e: MailEvent) {
    if (e.kind === 'attempt') this.limit.add(e)
    else if (e.kind === 'queue_run') this.queue.add(e)
    if (!this.keep(e)) return
    if (this.databases.size < LIST_CAP) this.databases.add(e.db)
    if (this.recipient && (e.kind === 'attempt' || e.kind === 'bounce')) this.timeline.push(e)
    this.from ??= e.time
    this.to = e.time
    if (e.kind === 'bounce') this.bounces.push(e)
    else if (e.kind === 'incoming_error') this.incoming.push(e)
    if (e.kind !== 'attempt') return
    this.attempts++
    this.days.add(e)
    if (e.status === 'sent') this.sent++
    else {
      this.failed++
      this.failures.push(e)
      if (e.smtpCode === null) this.noSmtpReason.push(e)
      else if (e.permanent !== null) {
        const m = e.permanent ? this.byCode.permanent : this.byCode.temporary
        for (const domain of domainsOf(e)) {
          const k = `${e.smtpCode} ${domain}`
          let r = m.get(k)
          if (!r) m.set(k, (r = { code: e.smtpCode, domain, count: 0 }))
          r.count++
        }
      }
    }
    this.late.add(e)
  }

  result(): Diagnosis {
    const sorted = (m: Map<string, CodeCount>) => [...m.values()].sort((x, y) => y.count - x.count || x.code - y.code)
    return {
      period: { from: this.from, to: this.to },
      databases: [...this.databases],
      attempts: this.attempts,
      sent: this.sent,
      failed: this.failed,
      days: this.days.result().map(({ key, ...r }) => ({ day: key, ...r })),
      failures: this.failures.list(),
      permanent: sorted(this.byCode.permanent),
      temporary: sorted(this.byCode.temporary),
      noSmtpReason: this.noSmtpReason.list(),
      limit: this.limit.result(),
      late: this.late.result(),
      bounces: this.bounces.list(),
      incoming: this.incoming.list(),
      queue: this.queue.result(),
      recipient: this.recipient,
      timeline: this.timeline.list(),
      counts: { noSmtpReason: this.noSmtpReason.total, late: this.late.count, bounces: this.bounces.total, incoming: this.incoming.total, timeline: this.timeline.total, failures: this.failures.total },
    }
  }
}

/** The evidence the email troubleshooting guide asks for, from one list of events. */
export function diagnose(events: Iterable<MailEvent>, limit: number, opts: { to?: string } = {}): Diagnosis {
  return run(new DiagnosisTally(limit, opts), events)
}
