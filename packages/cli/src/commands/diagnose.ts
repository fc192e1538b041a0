import { DiagnosisTally, LIMIT_PRESETS, type AttemptEvent, type BounceEvent } from '@odoolog/mail'
import { formatDistanceStrict } from 'date-fns/formatDistanceStrict'
import type { ExitCode } from '../errors.js'
import type { ReportFiles } from '../html.js'
import type { Io } from '../io.js'
import { VERSION } from '../main.js'
import { markdownForTerminal, terminalWidth } from '../terminal.js'
import { finish, tallyEvents, within, type Read } from './mail.js'

export interface DiagnoseArgs {
  paths?: string[]
  to?: string
  limit?: number
  plan?: keyof typeof LIMIT_PRESETS
  since?: string
  until?: string
  format?: string
  noCache?: boolean
}

const t = (iso: string | null) => (iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, ' UTC') : '?')
const cell = (s: string | null | undefined) => (s ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ')

/** `odoolog diagnose`: the evidence Odoo's email guide asks for, as Markdown; with --to, one recipient's timeline. */
export async function diagnoseCommand(a: DiagnoseArgs, io: Io): Promise<ExitCode> {
  const limit = a.limit ?? LIMIT_PRESETS[a.plan ?? 'paid']
  // with --to, every section is that recipient's but the daily limit, which counts the whole database
  const { report: d, read } = await tallyEvents(a.paths, io, a, new DiagnosisTally(limit, { to: a.to }))
  const selected = a.to ? d.counts.timeline > 0 : d.attempts + d.counts.bounces + d.counts.incoming > 0
  const end = { nothing: a.to ? `no mail to ${a.to} ${within(a)}` : `no send attempt, bounce or incoming mail error ${within(a)}` }
  if (a.format === 'json') return finish(JSON.stringify({ ...d, files: filesOf(read) }) + '\n', selected, read, io, end)
  if (a.format === 'html') {
    const { diagnosisHtml } = await import('../html.js')
    return finish(diagnosisHtml(d, { limit, files: filesOf(read), version: VERSION }), selected, read, io, end)
  }
  const L: string[] = []
  L.push(a.to ? `# Email diagnosis for ${a.to}` : '# Email diagnosis', '')
  L.push(`Period: ${t(d.period.from)} to ${t(d.period.to)}. Send attempts: ${d.attempts} (${d.sent} sent, ${d.failed} failed).`, '')
  if (a.to) L.push(...timeline(d.timeline), ...earlier(d.counts.timeline, d.timeline.length), '')
  L.push('## Permanent failures (5xx): the server will not accept these; fix the address or the sender', '')
  L.push(...codeTable(d.permanent), '')
  L.push('## Temporary failures (4xx): Odoo retries these on the next queue run', '')
  L.push(...codeTable(d.temporary), '')
  L.push(`## Daily limit (${limit} a day, reset at 23:00 UTC)${a.to ? ': every attempt of the database, not only these' : ''}`, '')
  const reached = d.limit.windows.filter((w) => w.reachedAt)
  const busiest = [...d.limit.windows].sort((x, y) => y.attempts - x.attempts)[0]
  if (reached.length) for (const w of reached) L.push(`- Reached in the window from ${t(w.start)}: attempt ${limit} at ${t(w.reachedAt)} (${w.attempts} in that window).`)
  else L.push(`- Not reached${busiest ? `: the busiest window (from ${t(busiest.start)}) had ${busiest.attempts} attempts` : ''}.`)
  if (d.limit.failureCount) {
    L.push(`- ${d.limit.failureCount} failure(s) name a quota or limit: wait for 23:00 UTC and press Retry, or use an external SMTP server.`)
    L.push(...earlier(d.limit.failureCount, d.limit.failures.length, '  '))
    for (const f of d.limit.failures) L.push(`  - ${t(f.time)} mail ${f.mailId ?? '?'}: ${cell(f.reason)}`)
  }
  L.push('', '## Failures with no SMTP reason', '')
  if (d.noSmtpReason.length) {
    L.push(...earlier(d.counts.noSmtpReason, d.noSmtpReason.length))
    for (const f of d.noSmtpReason) L.push(`- ${t(f.time)} mail ${f.mailId ?? '?'}: ${f.errorClass ?? 'no exception'}: ${cell(f.reason)}`)
    L.push('', 'No SMTP code: check the sender (From) address, the outgoing server connection, SPF/DKIM for your domain, and that `mail.bounce.alias` is set.')
  } else L.push('- None.')
  L.push('', '## Sent late (first attempt to success)', '')
  L.push(...earlier(d.counts.late, d.late.length))
  if (d.late.length) for (const m of d.late) L.push(`- mail ${m.mailId}${m.recipient ? ` to ${m.recipient}` : ''}: sent ${formatDistanceStrict(new Date(m.sentAt), new Date(m.firstAttempt))} after its first attempt (${m.attempts} attempts).`)
  else L.push('- None: every mail that went out did so on its first attempt.')
  L.push('', 'Mass mailing and marketing go out with the `Mail: Email Queue Manager` cron (hourly by default); see `odoolog report queue`.')
  L.push('', '## Bounces', '')
  L.push(...earlier(d.counts.bounces, d.bounces.length))
  if (d.bounces.length) for (const b of d.bounces) L.push(`- ${t(b.time)} ${b.bouncedAddress ?? '(address not logged)'} bounced${b.mailId !== null ? ` mail ${b.mailId}` : ''} (from ${cell(b.sender)})`)
  else L.push('- None.')
  L.push('', '## Incoming mail errors', '')
  L.push(...earlier(d.counts.incoming, d.incoming.length))
  if (d.incoming.length) for (const e of d.incoming) L.push(`- ${t(e.time)} ${[e.serverType, e.server].filter(Boolean).join(' ')}: ${e.errorClass ?? ''} ${cell(e.reason)}`.trimEnd())
  else L.push('- None.')
  const md = L.join('\n') + '\n'
  return finish(io.stdout.isTTY ? markdownForTerminal(md, terminalWidth(io.stdout)) : md, selected, read, io, end)
}

/** The files a report was drawn from, those that could not be read and those without a record. */
function filesOf({ inputs, result }: Read): ReportFiles {
  const failed = result.fileErrors.map((e) => ({ file: e.path ?? '', error: e.path && e.message.startsWith(`${e.path}: `) ? e.message.slice(e.path.length + 2) : e.message }))
  const bad = new Set(failed.map((f) => f.file))
  return { read: inputs.sources.map((s) => s.name).filter((n) => !bad.has(n)), failed, withoutRecords: result.withoutRecords }
}

/** The line before a list that shows only the last of `all` items. */
function earlier(all: number, shown: number, indent = ''): string[] {
  return all > shown ? [`${indent}- ${all} in all; the last ${shown} below (\`odoolog mail --events\` lists every one).`] : []
}

function codeTable(rows: { code: number; domain: string; count: number }[]): string[] {
  if (!rows.length) return ['- None.']
  return ['| code | domain | failures |', '|---|---|---|', ...rows.map((r) => `| ${r.code} | ${cell(r.domain)} | ${r.count} |`)]
}

/** One recipient's attempts and bounces, as a Markdown table to paste into a support ticket. */
function timeline(events: (AttemptEvent | BounceEvent)[]): string[] {
  const L = ['## Timeline', '', '| time (UTC) | event | mail | attempt | code | detail |', '|---|---|---|---|---|---|']
  for (const e of events) {
    if (e.kind === 'attempt') L.push(`| ${t(e.time)} | ${e.status} | ${e.mailId ?? ''} | ${e.attempt ?? ''} | ${e.smtpCode ?? ''} ${e.enhancedCode ?? ''} | ${cell([e.errorClass, e.reason].filter(Boolean).join(': '))} |`)
    else if (e.kind === 'bounce') L.push(`| ${t(e.time)} | bounce | ${e.mailId ?? ''} | | | ${cell(e.bouncedAddress)} from ${cell(e.sender)} |`)
  }
  return L
}
