import { attemptFilter, readMailBatches, type MailEvent, type ParseResult, type Tally } from '@odoolog/mail'
import { ArchiveCache, cacheDir, type FollowOptions } from '@odoolog/search'
import { ExitCode } from '../errors.js'
import { header, pickFormat, render, row } from '../format.js'
import { note, Output, ProgressLine, say, type Io } from '../io.js'
import { displayWidth, escapeTerminal, terminalWidth } from '../terminal.js'
import { followLast, followOptions, followPath, sayFile, stopOnSignals } from './_follow.js'
import { resolvePaths } from './_paths.js'
import { inputsFor, pathsWithoutRecords, type Inputs } from './_sources.js'

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
  follow?: boolean
  noCache?: boolean
}

/** Columns per kind, in the order of the event schema (README). */
export const COLUMNS = {
  attempt: ['kind', 'time', 'day', 'mailId', 'status', 'messageId', 'from', 'recipient', 'recipients', 'smtpCode', 'enhancedCode', 'errorClass', 'reason', 'permanent', 'limit', 'attempt', 'file', 'line', 'pid', 'db'],
  queue_run: ['kind', 'time', 'day', 'cron', 'cronId', 'duration', 'processed', 'remaining', 'attempts', 'sent', 'failed', 'outcome', 'file', 'line', 'pid', 'db'],
  bounce: ['kind', 'time', 'day', 'sender', 'to', 'bounceMessageId', 'bouncedAddress', 'originalMessageIds', 'mailId', 'file', 'line', 'pid', 'db'],
  incoming_error: ['kind', 'time', 'day', 'serverType', 'server', 'errorClass', 'reason', 'file', 'line', 'pid', 'db'],
} as const

/** On a terminal: the columns a person reads first; the last ones go first when it is narrow. */
const TABLE_ATTEMPT = ['time', 'mailId', 'status', 'recipient', 'smtpCode', 'reason', 'attempt', 'errorClass']
const TABLE_EVENT = ['time', 'kind', 'mailId', 'status', 'recipient', 'smtpCode', 'summary']
const TABLE_HEADERS = { time: 'time (UTC)', mailId: 'mail', smtpCode: 'code', attempt: 'try', errorClass: 'error' }

/** What a mail or report command read: its events' parser counts, and where they came from. */
export interface Read {
  result: ParseResult
  inputs: Inputs
}

/** What a command's end needs to know of its reading (finish): errors, and the inputs without records. */
export interface ReadEnd {
  result: Pick<ParseResult, 'errors' | 'fileErrors' | 'withoutRecords'>
  inputs: Inputs
}

/**
 * Hands the mail events of the sources to `onBatch`, a batch at a time as the parser lets them go
 * (progress on a TTY), and returns the parser's counts. `onBatch` resolving false stops the reading
 * (stdout has closed).
 */
export async function eachBatch(
  paths: string[] | undefined,
  io: Io,
  opts: { since?: string; until?: string; stats?: boolean; followed?: FollowOptions; signal?: AbortSignal; noCache?: boolean },
  onBatch: (events: MailEvent[]) => boolean | void | Promise<boolean | void>,
  found?: Inputs,
): Promise<Read> {
  const inputs = found ?? (await inputsFor(paths, io))
  if (opts.followed) inputs.sources = await followLast(inputs.sources, opts.followed.path)
  // counting every record costs a scan of every header: only for --stats
  const progress = new ProgressLine(io.stderr)
  const dir = opts.noCache ? null : cacheDir(io.env)
  const cache = dir ? new ArchiveCache(dir) : null
  const it = readMailBatches(inputs.sources, {
    cache: cache ?? undefined,
    since: opts.since,
    until: opts.until,
    countRecords: !!opts.stats,
    onProgress: (p) => progress.update(p),
    follow: opts.followed,
    signal: opts.signal,
    onFile: (src, why) => sayFile(io, src.name, why),
    // caught up with the live file: the progress line goes
    onIdle: () => progress.done(),
  })
  try {
    for (;;) {
      const r = await it.next()
      if (r.done) return { result: r.value, inputs }
      if ((await onBatch(r.value)) === false) {
        await it.return(undefined as never)
        const result = { records: 0, orphanLines: 0, errors: 0, events: { attempt: 0, queue_run: 0, bounce: 0, incoming_error: 0 }, fileErrors: [], withoutRecords: [] }
        return { result, inputs }
      }
    }
  } finally {
    progress.done()
    // an unwritable cache only costs speed: one line, once
    if (cache?.writeError) say(io, `cache not written (${dir}: ${cache.writeError.message}); --no-cache reads without it`)
  }
}

/** Runs a report's tally over the events of the sources. */
export async function tallyEvents<R>(paths: string[] | undefined, io: Io, opts: { since?: string; until?: string; noCache?: boolean }, tally: Tally<R>, inputs?: Inputs): Promise<{ report: R; read: Read }> {
  const read = await eachBatch(paths, io, opts, (events) => {
    for (const e of events) tally.add(e)
  }, inputs)
  return { report: tally.result(), read }
}

/**
 * How a mail, report or diagnose command ends. Its text goes to stdout only when something was
 * selected: a report from nothing read would look like good news. Then, on stderr: the files that
 * could not be read, the PATHs that hold no Odoo record, and `nothing` when nothing was selected from
 * logs that were read. Exit 2 on any error, else 0 when something was selected, else 1.
 */
export async function finish(text: string, selected: boolean, read: ReadEnd, io: Io, opts: { out?: Output; nothing?: string } = {}): Promise<ExitCode> {
  if (selected && text) await (opts.out ?? new Output(io.stdout)).write(text)
  const { result, inputs } = read
  for (const e of result.fileErrors) say(io, e.message)
  const empty = pathsWithoutRecords(inputs, result.withoutRecords)
  for (const p of empty) say(io, `${p}: no Odoo log record`)
  if (!selected && !result.errors && opts.nothing && empty.length < inputs.paths.length) say(io, opts.nothing)
  return result.errors ? ExitCode.Error : selected ? ExitCode.Match : ExitCode.NoMatch
}

/** `in the input`, or the window asked for. */
export function within(a: { since?: string; until?: string }): string {
  if (a.since && a.until) return `from ${a.since} to ${a.until}`
  if (a.since) return `since ${a.since}`
  if (a.until) return `until ${a.until}`
  return 'in the input'
}

/**
 * `odoolog mail`: send attempts (or every event) as a table, NDJSON, CSV or TSV. Rows are written as
 * the parser lets events go; only the table, for a terminal, waits for the end. Nothing at all
 * (not even a CSV header) when nothing is selected, as grep.
 */
export async function mailCommand(a: MailArgs, io: Io): Promise<ExitCode> {
  const format = pickFormat(a.format, io.stdout.isTTY, ['table', 'ndjson', 'csv', 'tsv'])
  const keep = attemptFilter({ to: a.to, mailId: a.mailId, messageId: a.messageId, status: a.status, code: a.code })
  const selected = (e: MailEvent) => (a.events || e.kind === 'attempt') && keep(e)
  const out = new Output(io.stdout)
  let read: Read
  let text = ''
  let count = 0
  if (a.follow) {
    const path = followPath(resolvePaths(a.paths ?? [], io), a, 'mail')
    const signals = stopOnSignals()
    // a table needs every row before it can size its columns: following, rows go out as lines
    const live = format === 'table' ? liveLines(a.events ? TABLE_EVENT : TABLE_ATTEMPT, io.stdout.isTTY ? terminalWidth(io.stdout) : null) : null
    const cols = a.events ? [...new Set(Object.values(COLUMNS).flat())] : [...COLUMNS.attempt]
    try {
      read = await eachBatch(a.paths, io, { ...a, followed: followOptions(path, io.env), signal: signals.signal }, (events) => {
        let chunk = ''
        for (const e of events) {
          if (!selected(e)) continue
          if (count++ === 0) chunk += live ? live.header : header(cols, format)
          chunk += live ? live.line(tableRow(e)) : row(e as unknown as Record<string, unknown>, cols, format)
        }
        return chunk ? out.write(chunk) : undefined
      })
    } finally {
      signals.dispose()
    }
  } else if (format === 'table') {
    const rows: Record<string, unknown>[] = []
    read = await eachBatch(a.paths, io, a, (events) => {
      for (const e of events) if (selected(e)) rows.push(tableRow(e))
    })
    count = rows.length
    const cols = a.events ? TABLE_EVENT : TABLE_ATTEMPT
    text = render(rows, cols, 'table', {
      headers: TABLE_HEADERS,
      width: io.stdout.isTTY ? terminalWidth(io.stdout) : null,
      wrap: ['recipient', 'reason', 'summary', 'errorClass'],
      drop: a.events ? ['status', 'smtpCode', 'recipient'] : ['errorClass', 'attempt'],
      minWrap: a.events ? 24 : 20,
    })
  } else {
    // each batch goes out as it comes (one write), so a reader sees events while the input lasts
    const cols = a.events ? [...new Set(Object.values(COLUMNS).flat())] : [...COLUMNS.attempt]
    read = await eachBatch(a.paths, io, a, (events) => {
      for (const e of events) {
        if (!selected(e)) continue
        if (count++ === 0) text += header(cols, format)
        text += row(e as unknown as Record<string, unknown>, cols, format)
      }
      if (!text) return
      const chunk = text
      text = ''
      return out.write(chunk)
    })
  }
  const code = await finish(text, count > 0, read, io, { out })
  if (a.stats) {
    const { result } = read
    const ev = result.events
    note(
      io,
      `records read: ${result.records}, orphan lines: ${result.orphanLines}, events: attempt ${ev.attempt}, queue_run ${ev.queue_run}, bounce ${ev.bounce}, incoming_error ${ev.incoming_error}` +
        (result.errors ? `, files with errors: ${result.errors}` : ''),
    )
  }
  return code
}

/**
 * `mail --follow` as a table: one line per event as it comes, under one header line, the table's
 * columns at fixed widths (a longer cell is cut with `…`; the recipient column takes a quarter of
 * the terminal, 16 to 30 columns, and `try` goes under 100 columns), the last column (reason,
 * summary) taking what is left. Log text is escaped as in the table.
 */
function liveLines(columns: readonly string[], width: number | null): { header: string; line: (r: Record<string, unknown>) => string } {
  const widths: Record<string, number> = { time: 19, kind: 14, mailId: 7, status: 6, recipient: width === null ? 30 : Math.min(30, Math.max(16, width >> 2)), smtpCode: 4, attempt: 3 }
  const last = columns.includes('reason') ? 'reason' : 'summary'
  const order = [...columns.filter((c) => c !== last && c !== 'errorClass' && !(c === 'attempt' && width !== null && width < 100)), last]
  const clean = (text: string) => escapeTerminal(text).replace(/[\t\n\r]/g, ' ')
  const fit = (text: string, w: number) => {
    let t = text
    if (displayWidth(t) > w) {
      while (t.length && displayWidth(t) > w - 1) t = t.slice(0, -1)
      t += '…'
    }
    return t + ' '.repeat(Math.max(0, w - displayWidth(t)))
  }
  const fixed = order.slice(0, -1).reduce((n, c) => n + widths[c]! + 2, 0)
  const room = width === null ? Infinity : Math.max(12, width - fixed)
  const line = (cell: (c: string) => string) => {
    const head = order.slice(0, -1).map((c) => fit(clean(cell(c)), widths[c]!) + '  ').join('')
    const tail = clean(cell(last))
    return (head + (displayWidth(tail) > room ? fit(tail, room) : tail)).trimEnd() + '\n'
  }
  const titles: Record<string, string> = TABLE_HEADERS
  return {
    header: line((c) => titles[c] ?? c),
    line: (r) => line((c) => (r[c] === null || r[c] === undefined ? '' : String(r[c]))),
  }
}

/** A row of the terminal table: seconds are enough to read, long reasons are cut (the other formats have them whole). */
function tableRow(e: MailEvent): Record<string, unknown> {
  const time = e.time.slice(0, 19).replace('T', ' ')
  const short = (s: string | null) => (s && s.length > 160 ? s.slice(0, 157) + '...' : s)
  switch (e.kind) {
    case 'attempt':
      return { ...e, time, reason: short(e.reason) }
    case 'queue_run':
      return { time, kind: e.kind, summary: `${e.cron}: ${e.attempts} attempts (${e.sent} sent, ${e.failed} failed)${e.duration !== null ? `, ${e.duration}s` : ''}` }
    case 'bounce':
      return { time, kind: e.kind, mailId: e.mailId, recipient: e.bouncedAddress, summary: `${e.bouncedAddress ?? '(address not logged)'} bounced, from ${e.sender ?? '?'}` }
    case 'incoming_error':
      return { time, kind: e.kind, summary: short(`${e.serverType ?? ''} ${e.server ?? ''}: ${e.errorClass ?? ''} ${e.reason ?? ''}`.trim()) }
  }
}
