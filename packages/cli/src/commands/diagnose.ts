import { attemptFilter, DiagnosisTally, LIMIT_PRESETS, type AttemptEvent, type BounceEvent } from '@odoolog/mail'
import { formatDistanceStrict } from 'date-fns/formatDistanceStrict'
import type { ExitCode } from '../errors.js'
import type { Io } from '../io.js'
import { eachBatch, emit } from './mail.js'

export interface DiagnoseArgs {
  paths?: string[]
  to?: string
  limit?: number
  since?: string
  until?: string
  format?: string
}

const t = (iso: string | null) => (iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, ' UTC') : '?')
const md = (s: string | null | undefined) => (s ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ')

/** `odoolog diagnose`: the evidence Odoo's email guide asks for, as Markdown; with --to, one recipient's timeline. */
export async function diagnoseCommand(a: DiagnoseArgs, io: Io): Promise<ExitCode> {
  const limit = a.limit ?? LIMIT_PRESETS.paid
  const keep = a.to ? attemptFilter({ to: a.to }) : () => true
  const tally = new DiagnosisTally(limit)
  // with --to, the recipient's attempts and bounces for the timeline (one recipient's: a few)
  const timelineEvents: (AttemptEvent | BounceEvent)[] = []
  const result = await eachBatch(a.paths, io, a, (events) => {
    for (const e of events) {
      if (!keep(e)) continue
      tally.add(e)
      if (a.to && (e.kind === 'attempt' || e.kind === 'bounce')) timelineEvents.push(e)
    }
  })
  const d = tally.result()
  if (a.format === 'json') {
    return emit(JSON.stringify(d) + '\n', result, io)
  }
  const L: string[] = []
  L.push(a.to ? `# Email diagnosis for ${a.to}` : '# Email diagnosis', '')
  L.push(`Period: ${t(d.period.from)} to ${t(d.period.to)}. Send attempts: ${d.attempts} (${d.sent} sent, ${d.failed} failed).`, '')
  if (a.to) L.push(...timeline(timelineEvents), '')
  L.push('## Permanent failures (5xx): the server will not accept these; fix the address or the sender', '')
  L.push(...codeTable(d.permanent), '')
  L.push('## Temporary failures (4xx): Odoo retries these on the next queue run', '')
  L.push(...codeTable(d.temporary), '')
  L.push(`## Daily limit (${limit} a day, reset at 23:00 UTC)`, '')
  const reached = d.limit.windows.filter((w) => w.reachedAt)
  const busiest = [...d.limit.windows].sort((x, y) => y.attempts - x.attempts)[0]
  if (reached.length) for (const w of reached) L.push(`- Reached in the window from ${t(w.start)}: attempt ${limit} at ${t(w.reachedAt)} (${w.attempts} in that window).`)
  else L.push(`- Not reached${busiest ? `: the busiest window (from ${t(busiest.start)}) had ${busiest.attempts} attempts` : ''}.`)
  if (d.limit.failureCount) {
    L.push(`- ${d.limit.failureCount} failure(s) name a quota or limit: wait for 23:00 UTC and press Retry, or use an external SMTP server.`)
    L.push(...earlier(d.limit.failureCount, d.limit.failures.length, '  '))
    for (const f of d.limit.failures) L.push(`  - ${t(f.time)} mail ${f.mailId ?? '?'}: ${md(f.reason)}`)
  }
  L.push('', '## Failures with no SMTP reason', '')
  if (d.noSmtpReason.length) {
    L.push(...earlier(d.counts.noSmtpReason, d.noSmtpReason.length))
    for (const f of d.noSmtpReason) L.push(`- ${t(f.time)} mail ${f.mailId ?? '?'}: ${f.errorClass ?? 'no exception'}: ${md(f.reason)}`)
    L.push('', 'No SMTP code: check the sender (From) address, the outgoing server connection, SPF/DKIM for your domain, and that `mail.bounce.alias` is set.')
  } else L.push('- None.')
  L.push('', '## Sent late (first attempt to success)', '')
  L.push(...earlier(d.counts.late, d.late.length))
  if (d.late.length) for (const m of d.late) L.push(`- mail ${m.mailId}${m.recipient ? ` to ${m.recipient}` : ''}: sent ${formatDistanceStrict(new Date(m.sentAt), new Date(m.firstAttempt))} after its first attempt (${m.attempts} attempts).`)
  else L.push('- None: every mail that went out did so on its first attempt.')
  L.push('', 'Mass mailing and marketing go out with the `Mail: Email Queue Manager` cron (hourly by default); see `odoolog report queue`.')
  L.push('', '## Bounces', '')
  L.push(...earlier(d.counts.bounces, d.bounces.length))
  if (d.bounces.length) for (const b of d.bounces) L.push(`- ${t(b.time)} ${b.bouncedAddress ?? '(address not logged)'} bounced${b.mailId !== null ? ` mail ${b.mailId}` : ''} (from ${md(b.sender)})`)
  else L.push('- None.')
  L.push('', '## Incoming mail errors', '')
  L.push(...earlier(d.counts.incoming, d.incoming.length))
  if (d.incoming.length) for (const e of d.incoming) L.push(`- ${t(e.time)} ${[e.serverType, e.server].filter(Boolean).join(' ')}: ${e.errorClass ?? ''} ${md(e.reason)}`.trimEnd())
  else L.push('- None.')
  return emit(L.join('\n') + '\n', result, io)
}

/** The line before a list that shows only the last of `all` items. */
function earlier(all: number, shown: number, indent = ''): string[] {
  return all > shown ? [`${indent}- ${all} in all; the last ${shown} below (\`odoolog mail --events\` lists every one).`] : []
}

function codeTable(rows: { code: number; domain: string; count: number }[]): string[] {
  if (!rows.length) return ['- None.']
  return ['| code | domain | failures |', '|---|---|---|', ...rows.map((r) => `| ${r.code} | ${md(r.domain)} | ${r.count} |`)]
}

/** One recipient's attempts and bounces, as a Markdown table to paste into a support ticket. */
function timeline(events: (AttemptEvent | BounceEvent)[]): string[] {
  const L = ['## Timeline', '', '| time (UTC) | event | mail | attempt | code | detail |', '|---|---|---|---|---|---|']
  for (const e of events) {
    if (e.kind === 'attempt') L.push(`| ${t(e.time)} | ${e.status} | ${e.mailId ?? ''} | ${e.attempt ?? ''} | ${e.smtpCode ?? ''} ${e.enhancedCode ?? ''} | ${md([e.errorClass, e.reason].filter(Boolean).join(': '))} |`)
    else if (e.kind === 'bounce') L.push(`| ${t(e.time)} | bounce | ${e.mailId ?? ''} | | | ${md(e.bouncedAddress)} from ${md(e.sender)} |`)
  }
  return L
}
