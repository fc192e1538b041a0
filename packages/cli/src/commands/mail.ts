import { attemptFilter, readMailBatches, type MailEvent, type ParseResult, type Tally } from '@odoolog/mail'
import { ExitCode } from '../errors.js'
import { header, pickFormat, render, row } from '../format.js'
import { Output, ProgressLine, type Io } from '../io.js'
import { sourcesFor } from './_sources.js'

export interface MailArgs {
  paths?: string[]
  events?: boolean
  to?: string
  mailId?: number
  messageId?: string
  status?: 'sent' | 'failed'
  code?: number
  since?: string
  until?: string
  format?: string
  stats?: boolean
}

/** Columns per kind, in the order of the event schema (README). */
export const COLUMNS = {
  attempt: ['kind', 'time', 'day', 'mailId', 'status', 'messageId', 'from', 'recipient', 'smtpCode', 'enhancedCode', 'errorClass', 'reason', 'permanent', 'limit', 'attempt', 'file', 'line', 'pid', 'db'],
  queue_run: ['kind', 'time', 'day', 'cron', 'cronId', 'duration', 'processed', 'remaining', 'attempts', 'sent', 'failed', 'outcome', 'file', 'line', 'pid', 'db'],
  bounce: ['kind', 'time', 'day', 'sender', 'to', 'bounceMessageId', 'bouncedAddress', 'originalMessageIds', 'mailId', 'file', 'line', 'pid', 'db'],
  incoming_error: ['kind', 'time', 'day', 'serverType', 'server', 'errorClass', 'reason', 'file', 'line', 'pid', 'db'],
} as const

const TABLE_ATTEMPT = ['time', 'mailId', 'attempt', 'status', 'recipient', 'smtpCode', 'enhancedCode', 'errorClass', 'reason']
const TABLE_EVENT = ['time', 'kind', 'mailId', 'status', 'recipient', 'smtpCode', 'summary']

/**
 * Hands the mail events of the sources to `onBatch`, a batch at a time as the parser lets them go
 * (progress on a TTY), and returns the parser's counts. `onBatch` resolving false stops the reading
 * (stdout has closed).
 */
export async function eachBatch(paths: string[] | undefined, io: Io, opts: { since?: string; until?: string; stats?: boolean }, onBatch: (events: MailEvent[]) => boolean | void | Promise<boolean | void>): Promise<ParseResult> {
  const sources = await sourcesFor(paths, io)
  // counting every record costs a scan of every header: only for --stats
  const progress = new ProgressLine(io.stderr)
  const it = readMailBatches(sources, { since: opts.since, until: opts.until, countRecords: !!opts.stats, onProgress: (p) => progress.update(p) })
  try {
    for (;;) {
      const r = await it.next()
      if (r.done) return r.value
      if ((await onBatch(r.value)) === false) {
        await it.return(undefined as never)
        return { records: 0, orphanLines: 0, errors: 0, events: { attempt: 0, queue_run: 0, bounce: 0, incoming_error: 0 }, fileErrors: [] }
      }
    }
  } finally {
    progress.done()
  }
}

/** Runs a report's tally over the events of the sources. */
export async function tallyEvents<R>(paths: string[] | undefined, io: Io, opts: { since?: string; until?: string }, tally: Tally<R>): Promise<{ report: R; result: ParseResult }> {
  const result = await eachBatch(paths, io, opts, (events) => {
    for (const e of events) tally.add(e)
  })
  return { report: tally.result(), result }
}

/** Writes a report's text, then the files that could not be read; exit 2 if there were any. */
export async function emit(text: string, result: ParseResult, io: Io, out = new Output(io.stdout)): Promise<ExitCode> {
  await out.write(text)
  for (const e of result.fileErrors) io.stderr.write(`odoolog: ${e.message}\n`)
  return result.errors ? ExitCode.Error : ExitCode.Match
}

/**
 * `odoolog mail`: send attempts (or every event) as a table, NDJSON, CSV or TSV. Rows are written as
 * the parser lets events go; only the table, for a terminal, waits for the end.
 */
export async function mailCommand(a: MailArgs, io: Io): Promise<ExitCode> {
  const format = pickFormat(a.format, io.stdout.isTTY, ['table', 'ndjson', 'csv', 'tsv'])
  const keep = attemptFilter({ to: a.to, mailId: a.mailId, messageId: a.messageId, status: a.status, code: a.code })
  const selected = (e: MailEvent) => (a.events || e.kind === 'attempt') && keep(e)
  const out = new Output(io.stdout)
  let result: ParseResult
  let text = ''
  if (format === 'table') {
    const rows: Record<string, unknown>[] = []
    result = await eachBatch(a.paths, io, a, (events) => {
      for (const e of events) if (selected(e)) rows.push(tableRow(e))
    })
    text = render(rows, a.events ? TABLE_EVENT : TABLE_ATTEMPT, 'table')
  } else {
    // each batch goes out as it comes (one write), so a reader sees events while the input lasts
    const cols = a.events ? [...new Set(Object.values(COLUMNS).flat())] : [...COLUMNS.attempt]
    text = header(cols, format)
    result = await eachBatch(a.paths, io, a, (events) => {
      for (const e of events) if (selected(e)) text += row(e as unknown as Record<string, unknown>, cols, format)
      if (!text) return
      const chunk = text
      text = ''
      return out.write(chunk)
    })
  }
  const code = await emit(text, result, io, out)
  if (a.stats) {
    const ev = result.events
    io.stderr.write(
      `records read: ${result.records}, orphan lines: ${result.orphanLines}, events: attempt ${ev.attempt}, queue_run ${ev.queue_run}, bounce ${ev.bounce}, incoming_error ${ev.incoming_error}` +
        (result.errors ? `, files with errors: ${result.errors}` : '') + '\n',
    )
  }
  return code
}

function tableRow(e: MailEvent): Record<string, unknown> {
  const time = e.time.replace('T', ' ').replace('Z', '')
  switch (e.kind) {
    case 'attempt':
      return { ...e, time, reason: e.reason && e.reason.length > 80 ? e.reason.slice(0, 77) + '...' : e.reason }
    case 'queue_run':
      return { time, kind: e.kind, summary: `${e.cron}: ${e.attempts} attempts (${e.sent} sent, ${e.failed} failed)${e.duration !== null ? `, ${e.duration}s` : ''}` }
    case 'bounce':
      return { time, kind: e.kind, mailId: e.mailId, recipient: e.bouncedAddress, summary: `from ${e.sender ?? '?'}` }
    case 'incoming_error':
      return { time, kind: e.kind, summary: `${e.serverType ?? ''} ${e.server ?? ''}: ${e.errorClass ?? ''} ${e.reason ?? ''}`.trim().slice(0, 100) }
  }
}
