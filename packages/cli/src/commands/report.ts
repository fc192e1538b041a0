import { LIMIT_PRESETS, LimitTally, massMailing, QueueTally, quickRetriesByDay, RetriesTally, type RetriesBy, type RetriesRow } from '@odoolog/mail'
import { cacheDir } from '@odoolog/search'
import type { ExitCode } from '../errors.js'
import { header, pickFormat, render, row, type Row } from '../format.js'
import { Output, type Io } from '../io.js'
import { escapeTerminal, tableWidth, terminalWidth, wrapText } from '../terminal.js'
import { inputsFor } from './_sources.js'
import { finish, tallyEvents, within, type ReadEnd } from './mail.js'

export interface ReportArgs {
  paths?: string[]
  by?: RetriesBy
  limit?: number
  plan?: keyof typeof LIMIT_PRESETS
  since?: string
  until?: string
  format?: string
  noCache?: boolean
}

const FORMATS = ['table', 'json', 'ndjson', 'csv', 'tsv'] as const

function codes(c: Record<string, number>): string {
  return Object.entries(c)
    .map(([k, v]) => `${k}:${v}`)
    .join(' ')
}

/** `odoolog report retries`: attempts, outcomes and retries per day, recipient, domain, code or mail. */
export async function retriesCommand(a: ReportArgs, io: Io): Promise<ExitCode> {
  const format = pickFormat(a.format, io.stdout.isTTY, FORMATS)
  const by = a.by ?? 'day'
  const { report, read } = await retriesRows(a, io, by)
  const end = { nothing: `no send attempt ${within(a)}` }
  const selected = report.length > 0
  const cols = [by, 'attempts', 'sent', 'failed', 'retries', 'mails', 'codes']
  const named = ({ key, ...r }: RetriesRow) => ({ [by]: key, ...r })
  if (format === 'table') {
    const flat: Row[] = report.map((r) => ({ ...named(r), codes: codes(r.codes) }))
    const width = io.stdout.isTTY ? terminalWidth(io.stdout) : null
    const layout = { width, wrap: by === 'day' || by === 'code' ? ['codes'] : ['codes', by] }
    if (by === 'day') {
      // the bar takes what the terminal has left, up to 30 columns; none below 8
      const BAR = 'sent █ failed ░'
      const rest = tableWidth(cols, flat.map((r) => cols.map((c) => String(r[c] ?? ''))))
      const bar = width === null ? 30 : Math.min(30, width - rest - 2)
      if (bar >= 8) {
        let max = 1
        for (const r of report) max = Math.max(max, r.attempts)
        for (const r of flat) {
          const sent = Math.round(((r.sent as number) / max) * bar)
          const failed = Math.min(bar - sent, Math.max(r.failed ? 1 : 0, Math.round(((r.failed as number) / max) * bar)))
          r.bar = '█'.repeat(sent) + '░'.repeat(failed)
        }
        return finish(render(flat, [...cols, 'bar'], 'table', { ...layout, headers: { bar: BAR.length <= bar ? BAR : '█ sent ░ fail' } }), selected, read, io, end)
      }
    }
    return finish(render(flat, cols, 'table', layout), selected, read, io, end)
  }
  // Row by row, in 64 KiB writes: `--by mail` has a row per mail (600,000 over the mail-dense bench
  // folder), and one string of them all, built from copies of every row, took 450 MB.
  const out = new Output(io.stdout)
  let text = format === 'json' ? '[' : header(cols, format)
  for (let i = 0; i < report.length && selected; i++) {
    const r = named(report[i]!)
    if (format === 'json') text += (i ? ',' : '') + JSON.stringify(r)
    else text += row(format === 'ndjson' ? r : { ...r, codes: codes(r.codes) }, cols, format)
    if (text.length < 1 << 16) continue
    if (!(await out.write(text))) break
    text = ''
  }
  if (format === 'json') text += ']\n'
  return finish(text, selected, read, io, { ...end, out })
}

/**
 * The rows of `report retries`. By day over a mass mailing's logs (or with no cache to fill), read by
 * quickRetriesByDay; the parser reads them when that reading gives up, and for everything else. Both
 * give the same rows (quick.test.ts).
 */
async function retriesRows(a: ReportArgs, io: Io, by: RetriesBy): Promise<{ report: RetriesRow[]; read: ReadEnd }> {
  if (by !== 'day' || a.since || a.until) return tallyEvents(a.paths, io, a, new RetriesTally(by))
  const inputs = await inputsFor(a.paths, io)
  const files = inputs.sources.every((s) => !s.stdin && !s.stream)
  if (!files || !(a.noCache || !cacheDir(io.env) || (await massMailing(inputs.sources)))) return tallyEvents(a.paths, io, a, new RetriesTally(by), inputs)
  const q = await quickRetriesByDay(inputs.sources)
  if (q) return { report: q.rows, read: { result: { errors: 0, fileErrors: [], withoutRecords: q.withoutRecords }, inputs } }
  // it gave up: the parser reads the same files from their start
  return tallyEvents(a.paths, io, a, new RetriesTally(by), inputs)
}

const ADVICE = [
  'Odoo resets its daily counter at 23:00 UTC: wait for the reset, then press Retry on the failed mails (Settings > Technical > Emails).',
  'Daily limits: 200 a day (paid Odoo Online / Odoo.sh), 50 (trial, and after a migration), 20 (one free app); every notification counts.',
  'To send more, use your own outgoing SMTP server, or ask Odoo support to review the limit.',
]

/** `odoolog report limit`: attempts per 23:00-to-23:00 UTC window against the daily limit. */
export async function limitCommand(a: ReportArgs, io: Io): Promise<ExitCode> {
  const format = pickFormat(a.format, io.stdout.isTTY, FORMATS)
  const limit = a.limit ?? LIMIT_PRESETS[a.plan ?? 'paid']
  const { report: rep, read } = await tallyEvents(a.paths, io, a, new LimitTally(limit))
  const cols = ['start', 'end', 'attempts', 'sent', 'failed', 'limit', 'reachedAt', 'limitFailures']
  const width = io.stdout.isTTY ? terminalWidth(io.stdout) : null
  let text: string
  if (format === 'json') text = JSON.stringify(rep) + '\n'
  else if (format !== 'table') text = render(rep.windows as unknown as Row[], cols, format)
  else {
    text = render(rep.windows.map((w) => ({ ...w, start: w.start.slice(0, 16).replace('T', ' '), end: w.end.slice(0, 16).replace('T', ' '), reachedAt: w.reachedAt?.slice(11, 19) ?? '' })), cols, 'table', {
      headers: { start: 'from (UTC)', end: 'to', reachedAt: 'limit at', limitFailures: 'quota failures' },
      width,
      wrap: ['limitFailures'],
      // the window's end is its start plus a day, and the limit is the same on every row (said below)
      drop: ['end', 'limit'],
    })
    const reached = rep.windows.filter((w) => w.reachedAt)
    text += reached.length
      ? reached.map((w) => `Limit of ${limit} reached in the window from ${w.start} at ${w.reachedAt}.\n`).join('')
      : `No window reached the limit of ${limit}.\n`
    if (rep.failures.length) {
      const more = rep.failureCount > rep.failures.length ? ` (${rep.failureCount} in all; the last ${rep.failures.length})` : ''
      text += `\nFailures that name a quota or limit${more}:\n`
      for (const f of rep.failures) text += `  ${f.time}  mail ${f.mailId ?? '?'}  ${f.recipient ?? ''}  ${f.smtpCode ?? ''} ${f.reason ?? ''}\n`
    }
    if (reached.length || rep.failures.length) text += '\n' + ADVICE.map((l) => `- ${l}\n`).join('')
    if (width !== null) text = wrapProse(text, width)
  }
  return finish(text, rep.windows.length > 0, read, io, { nothing: `no send attempt ${within(a)}` })
}

/** A table's report text for a terminal: the lines after the table wrapped (the table is fitted already). */
function wrapProse(text: string, width: number): string {
  return wrapText(escapeTerminal(text.replace(/\n$/, '')), width) + '\n'
}

/** `odoolog report queue`: the mail queue cron per day, and its stalls. */
export async function queueCommand(a: ReportArgs, io: Io): Promise<ExitCode> {
  const format = pickFormat(a.format, io.stdout.isTTY, FORMATS)
  const { report: rep, read } = await tallyEvents(a.paths, io, a, new QueueTally())
  const cols = ['day', 'runs', 'medianDuration', 'maxDuration', 'attempts', 'mailsPerRun', 'failedRuns']
  const width = io.stdout.isTTY ? terminalWidth(io.stdout) : null
  let text: string
  if (format === 'json') text = JSON.stringify(rep) + '\n'
  else if (format !== 'table') text = render(rep.days as unknown as Row[], cols, format)
  else {
    text = render(rep.days as unknown as Row[], cols, 'table', {
      headers: { medianDuration: 'median s', maxDuration: 'longest s', mailsPerRun: 'mails/run', failedRuns: 'failed runs' },
      width,
      drop: ['failedRuns', 'mailsPerRun'],
    })
    text += rep.gaps.length
      ? `\nGaps longer than twice the usual interval (a stalled cron):\n` + rep.gaps.map((g) => `  ${g.from} -> ${g.to}: ${g.minutes} min (usual ${g.usualMinutes} min)\n`).join('')
      : '\nNo gap longer than twice the usual interval.\n'
    if (width !== null) text = wrapProse(text, width)
  }
  return finish(text, rep.days.length > 0, read, io, { nothing: `no run of the mail queue cron ${within(a)}` })
}
