// Subpath imports: the package index loads all of date-fns (~30 ms of startup, measured).
import { addDays } from 'date-fns/addDays'
import { differenceInMilliseconds } from 'date-fns/differenceInMilliseconds'
import type { AttemptEvent, BounceEvent, IncomingErrorEvent, MailEvent, QueueRunEvent } from './events.js'

// Pure aggregations over parsed events: no I/O, so reports cost one scan (the parser's).

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

function groupKey(a: AttemptEvent, by: RetriesBy): string {
  switch (by) {
    case 'day':
      return a.day
    case 'recipient':
      return a.recipient ?? UNKNOWN
    case 'domain':
      return a.recipient?.includes('@') ? a.recipient.slice(a.recipient.lastIndexOf('@') + 1).toLowerCase() : UNKNOWN
    case 'code':
      return a.smtpCode !== null ? String(a.smtpCode) : a.status === 'sent' ? '(sent)' : '(no code)'
    case 'mail':
      return a.mailId !== null ? String(a.mailId) : UNKNOWN
  }
}

/** Attempts, outcomes and retries per group. Days sort by date; other groups by attempts, most first. */
export function retriesReport(events: readonly MailEvent[], by: RetriesBy): RetriesRow[] {
  const rows = new Map<string, RetriesRow & { ids: Set<number> }>()
  for (const e of events) {
    if (e.kind !== 'attempt') continue
    const key = groupKey(e, by)
    let r = rows.get(key)
    if (!r) rows.set(key, (r = { key, attempts: 0, sent: 0, failed: 0, retries: 0, mails: 0, codes: {}, ids: new Set() }))
    r.attempts++
    if (e.status === 'sent') r.sent++
    else r.failed++
    if (e.attempt !== null && e.attempt > 1) r.retries++
    if (e.mailId !== null) r.ids.add(e.mailId)
    if (e.smtpCode !== null) r.codes[e.smtpCode] = (r.codes[e.smtpCode] ?? 0) + 1
  }
  const out = [...rows.values()].map(({ ids, ...r }) => ({ ...r, mails: ids.size }))
  return by === 'day' ? out.sort((a, b) => (a.key < b.key ? -1 : 1)) : out.sort((a, b) => b.attempts - a.attempts || (a.key < b.key ? -1 : 1))
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
  /** Failed attempts whose text names a quota or limit. */
  failures: AttemptEvent[]
}

/** The reset window an instant falls in: [previous 23:00 UTC, next 23:00 UTC). */
export function resetWindow(iso: string): { start: string; end: string } {
  const t = new Date(iso)
  const start = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate(), 23))
  const s = t.getTime() >= start.getTime() ? start : addDays(start, -1)
  return { start: s.toISOString(), end: addDays(s, 1).toISOString() }
}

/** Attempts per 23:00-to-23:00 UTC window against a daily limit. */
export function limitReport(events: readonly MailEvent[], limit: number): LimitReport {
  const windows = new Map<string, LimitWindow>()
  const failures: AttemptEvent[] = []
  for (const e of events) {
    if (e.kind !== 'attempt') continue
    const { start, end } = resetWindow(e.time)
    let w = windows.get(start)
    if (!w) windows.set(start, (w = { start, end, attempts: 0, sent: 0, failed: 0, limit, reachedAt: null, limitFailures: 0 }))
    w.attempts++
    if (e.status === 'sent') w.sent++
    else w.failed++
    if (w.attempts === limit) w.reachedAt = e.time
    if (e.limit) {
      w.limitFailures++
      failures.push(e)
    }
  }
  return { windows: [...windows.values()].sort((a, b) => (a.start < b.start ? -1 : 1)), failures }
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

function median(xs: number[]): number | null {
  if (!xs.length) return null
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

/** Queue runs per day and the gaps longer than twice the usual interval (a stalled cron). */
export function queueReport(events: readonly MailEvent[]): { days: QueueDay[]; gaps: QueueGap[] } {
  const runs = events.filter((e): e is QueueRunEvent => e.kind === 'queue_run')
  const byDay = new Map<string, QueueRunEvent[]>()
  for (const r of runs) byDay.set(r.day, [...(byDay.get(r.day) ?? []), r])
  const days = [...byDay.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([day, rs]) => {
      const durations = rs.map((r) => r.duration).filter((d): d is number => d !== null)
      const attempts = rs.reduce((n, r) => n + r.attempts, 0)
      return {
        day,
        runs: rs.length,
        medianDuration: median(durations),
        maxDuration: durations.length ? Math.max(...durations) : null,
        attempts,
        mailsPerRun: Math.round((attempts / rs.length) * 100) / 100,
        failedRuns: rs.filter((r) => r.outcome === 'failed').length,
      }
    })
  const gaps: QueueGap[] = []
  const byCron = new Map<string, QueueRunEvent[]>()
  for (const r of runs) byCron.set(`${r.db}\0${r.cron}`, [...(byCron.get(`${r.db}\0${r.cron}`) ?? []), r])
  for (const rs of byCron.values()) {
    const intervals = rs.slice(1).map((r, i) => differenceInMilliseconds(new Date(r.time), new Date(rs[i]!.time)) / 60000)
    const usual = median(intervals)
    if (usual === null || usual <= 0) continue
    intervals.forEach((m, i) => {
      if (m > 2 * usual) gaps.push({ from: rs[i]!.time, to: rs[i + 1]!.time, minutes: Math.round(m * 10) / 10, usualMinutes: Math.round(usual * 10) / 10 })
    })
  }
  return { days, gaps }
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

/** Mails that went out only after failed attempts: the delay between the first try and the success. */
export function lateMails(events: readonly MailEvent[]): LateMail[] {
  const first = new Map<number, AttemptEvent>()
  const out: LateMail[] = []
  for (const e of events) {
    if (e.kind !== 'attempt' || e.mailId === null) continue
    const f = first.get(e.mailId)
    if (!f) first.set(e.mailId, e)
    if (e.status === 'sent' && f && f !== e) {
      out.push({ mailId: e.mailId, recipient: e.recipient, firstAttempt: f.time, sentAt: e.time, attempts: e.attempt ?? 0, delayMs: differenceInMilliseconds(new Date(e.time), new Date(f.time)) })
    }
  }
  return out
}

export interface Diagnosis {
  period: { from: string | null; to: string | null }
  attempts: number
  sent: number
  failed: number
  /** Failures by SMTP code and recipient domain, permanent (5xx) and temporary (4xx) apart. */
  permanent: { code: number; domain: string; count: number }[]
  temporary: { code: number; domain: string; count: number }[]
  /** Failed attempts with no SMTP code (connection, From address, …). */
  noSmtpReason: AttemptEvent[]
  limit: LimitReport
  late: LateMail[]
  bounces: BounceEvent[]
  incoming: IncomingErrorEvent[]
}

/** The evidence the email troubleshooting guide asks for, from one list of events. */
export function diagnose(events: readonly MailEvent[], limit: number): Diagnosis {
  const attempts = events.filter((e): e is AttemptEvent => e.kind === 'attempt')
  const byCode = (perm: boolean) => {
    const m = new Map<string, { code: number; domain: string; count: number }>()
    for (const a of attempts) {
      if (a.status !== 'failed' || a.permanent !== perm || a.smtpCode === null) continue
      const domain = groupKey(a, 'domain')
      const k = `${a.smtpCode} ${domain}`
      const r = m.get(k) ?? { code: a.smtpCode, domain, count: 0 }
      r.count++
      m.set(k, r)
    }
    return [...m.values()].sort((x, y) => y.count - x.count || x.code - y.code)
  }
  return {
    period: { from: events[0]?.time ?? null, to: events[events.length - 1]?.time ?? null },
    attempts: attempts.length,
    sent: attempts.filter((a) => a.status === 'sent').length,
    failed: attempts.filter((a) => a.status === 'failed').length,
    permanent: byCode(true),
    temporary: byCode(false),
    noSmtpReason: attempts.filter((a) => a.status === 'failed' && a.smtpCode === null),
    limit: limitReport(events, limit),
    late: lateMails(events),
    bounces: events.filter((e): e is BounceEvent => e.kind === 'bounce'),
    incoming: events.filter((e): e is IncomingErrorEvent => e.kind === 'incoming_error'),
  }
}
