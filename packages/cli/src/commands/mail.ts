import { attemptFilter, readMailEvents, type MailEvent, type ParseResult } from '@odoolog/mail'
import { ExitCode } from '../errors.js'
import { pickFormat, render } from '../format.js'
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

/** Reads every mail event of the sources and the parser's counts. */
export async function collectEvents(paths: string[] | undefined, io: Io, opts: { since?: string; until?: string; stats?: boolean }): Promise<{ events: MailEvent[]; result: ParseResult }> {
  const sources = await sourcesFor(paths, io)
  // counting every record costs a scan of every header: only for --stats
  const progress = new ProgressLine(io.stderr)
  const it = readMailEvents(sources, { since: opts.since, until: opts.until, countRecords: !!opts.stats, onProgress: (p) => progress.update(p) })
  const events: MailEvent[] = []
  try {
    for (;;) {
      const r = await it.next()
      if (r.done) return { events, result: r.value }
      events.push(r.value)
    }
  } finally {
    progress.done()
  }
}

/** Writes a report's text, then the files that could not be read; exit 2 if there were any. */
export async function emit(text: string, result: ParseResult, io: Io): Promise<ExitCode> {
  await new Output(io.stdout).write(text)
  for (const e of result.fileErrors) io.stderr.write(`odoolog: ${e.message}\n`)
  return result.errors ? ExitCode.Error : ExitCode.Match
}

/** `odoolog mail`: send attempts (or every event) as a table, NDJSON, CSV or TSV. */
export async function mailCommand(a: MailArgs, io: Io): Promise<ExitCode> {
  const format = pickFormat(a.format, io.stdout.isTTY, ['table', 'ndjson', 'csv', 'tsv'])
  const keep = attemptFilter({ to: a.to, mailId: a.mailId, messageId: a.messageId, status: a.status, code: a.code })
  const { events, result } = await collectEvents(a.paths, io, a)
  const rows = events.filter((e) => (a.events || e.kind === 'attempt') && keep(e))
  let text: string
  if (format === 'table') {
    const cols = a.events ? TABLE_EVENT : TABLE_ATTEMPT
    text = render(rows.map((e) => tableRow(e)), cols, 'table')
  } else {
    const cols = a.events ? [...new Set(Object.values(COLUMNS).flat())] : [...COLUMNS.attempt]
    text = render(rows as never[], cols, format)
  }
  const code = await emit(text, result, io)
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
