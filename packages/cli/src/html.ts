// `odoolog diagnose --format html`: one self-contained HTML file from a diagnosis, to attach to a
// support ticket. Everything is inline (CSS, one small script, the charts as SVG); a CSP meta tag
// forbids every network source and lets run only the style and script whose hashes it names. Every
// string from the log goes through `text()` (control characters made visible, then HTML-escaped).
//
// The charts are drawn here as SVG rather than with a chart library. Measured (2026-11-28, the bench
// folder's 30 days): ECharts 5 (Apache-2.0, server-side SVG) writes 31.7 KB for the same day chart
// with no tooltip (15.4 KB for 30 days of bars and a limit line alone), takes 55 MB installed and 0.7 s to
// import, and its tooltips need its browser runtime, 1.03 MB minified, over this file's 1 MB budget
// on its own. The SVG below is 14.8 KB with a tooltip on every bar and window (SVG <title>, no
// script), costs nothing to load, and prints.
import { createHash } from 'node:crypto'
import type { AttemptEvent, BounceEvent, Diagnosis, LimitWindow } from '@odoolog/mail'
import { escapeTerminal } from './terminal.js'

/** What the report says about its input beside the diagnosis: the files read and those that failed. */
export interface ReportFiles {
  read: string[]
  failed: { file: string; error: string }[]
  /** Files read to their end without one Odoo record. */
  withoutRecords: string[]
}

export interface HtmlOptions {
  limit: number
  files: ReportFiles
  version: string
}

/** Longest text shown in a cell; the JSON has it whole. Keeps the file small whatever the log holds. */
const CLIP = 400
/** Most rows of a code-by-domain table (a mass mailing fails on thousands of domains). */
const ROWS_CAP = 100

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

/** Log text as HTML text: control characters as `^[`, markup characters escaped, long text clipped. */
export function text(s: string | number | null | undefined, clip = CLIP): string {
  if (s === null || s === undefined) return ''
  let v = escapeTerminal(String(s))
  if (v.length > clip) v = v.slice(0, clip - 1) + '…'
  return v.replace(/[&<>"']/g, (c) => ENTITIES[c]!)
}

const when = (iso: string | null) => (iso ? iso.slice(0, 19).replace('T', ' ') : '?')
const plural = (n: number, one: string, many = one + 's') => `${n} ${n === 1 ? one : many}`

/** What an SMTP reply code says (RFC 5321, and what servers commonly mean by it). */
export function codeMeaning(code: number): string {
  const known: Record<number, string> = {
    421: 'service not available: the server is busy or rate-limiting; Odoo retries',
    450: 'mailbox unavailable for now (busy or greylisting); Odoo retries',
    451: 'local error at the server; Odoo retries',
    452: 'insufficient storage or too many recipients; Odoo retries',
    454: 'TLS or authentication temporarily unavailable',
    530: 'authentication required: check the outgoing mail server settings',
    535: 'authentication failed: check the outgoing mail server user and password',
    550: 'mailbox unavailable: no such user, or rejected by policy',
    551: 'user not local',
    552: 'mailbox full or message too large',
    553: 'mailbox name not allowed: often the sender (From) address is refused',
    554: 'transaction failed: mailbox disabled, spam or policy refusal',
  }
  return known[code] ?? (code >= 500 ? 'permanent failure' : code >= 400 ? 'temporary failure; Odoo retries' : 'unexpected reply')
}

const STYLE = `
:root{--sent:#0072b2;--failed:#d55e00;--limit:#000;--window:#009e73;--ink:#1b1b1b;--muted:#555;--rule:#ccc;--bg:#fff}
*{box-sizing:border-box}
body{margin:0 auto;max-width:72rem;padding:1.5rem;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--ink);background:var(--bg)}
h1{font-size:1.6rem;margin:0 0 .5rem}h2{font-size:1.25rem;margin:2rem 0 .5rem;border-bottom:2px solid var(--rule);padding-bottom:.2rem}h3{font-size:1.05rem;margin:1.2rem 0 .4rem}
p,ul{margin:.4rem 0}.muted{color:var(--muted)}
dl.totals{display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;margin:.8rem 0}dl.totals div{min-width:7rem}dl.totals dt{color:var(--muted);font-size:.85rem}dl.totals dd{margin:0;font-size:1.4rem;font-weight:600}
table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:.9rem;width:100%}th,td{border-bottom:1px solid var(--rule);padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f2f2f2}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}td.t{white-space:nowrap}td.w{overflow-wrap:anywhere;min-width:18ch}
th button{all:inherit;cursor:pointer;padding:0}th button::after{content:" \\2195";color:var(--muted)}th[aria-sort=ascending] button::after{content:" \\2191"}th[aria-sort=descending] button::after{content:" \\2193"}
figure{margin:.5rem 0 1rem}figcaption{color:var(--muted);font-size:.85rem}svg{max-width:100%;height:auto}
svg text{font:12px system-ui,sans-serif;fill:var(--ink)}svg text.label{paint-order:stroke;stroke:#fff;stroke-width:4px;font-weight:600}
.sent{fill:var(--sent)}.failed{fill:var(--failed)}.runs{fill:var(--sent)}.axis{stroke:#888;stroke-width:1}.grid{stroke:#e3e3e3;stroke-width:1}
.limit{stroke:var(--limit);stroke-width:2;stroke-dasharray:8 4}.window{stroke:var(--window);stroke-width:2.5;fill:none}.reset{stroke:#bbb;stroke-width:1;stroke-dasharray:2 3}.reached{fill:var(--limit)}
.key{display:inline-block;width:.9em;height:.9em;vertical-align:-.1em;margin-right:.3em;border:1px solid #333}
.key.sent{background:var(--sent)}.key.failed{background:var(--failed) repeating-linear-gradient(45deg,transparent 0 3px,rgba(255,255,255,.7) 3px 5px)}
.key.limit{border:0;border-top:3px dashed var(--limit);height:0;vertical-align:.25em}.key.window{border:0;border-top:3px solid var(--window);height:0;vertical-align:.25em}
.advice li{margin:.4rem 0}.evidence{color:var(--muted)}
.bad{color:#a33a00;font-weight:600}
footer{margin-top:2rem;color:var(--muted);font-size:.85rem}
@media print{body{max-width:none;padding:0;font-size:11pt}h2{break-after:avoid}figure,tr{break-inside:avoid}th button::after{content:""}}
`

// Sorting by a click on a column header (tables read and print without it). Numbers sort as numbers.
const SCRIPT = `
for (const table of document.querySelectorAll('table.sortable')) {
  const heads = table.tHead.rows[0].cells
  for (let i = 0; i < heads.length; i++) {
    const th = heads[i], button = document.createElement('button')
    button.type = 'button'
    button.append(...th.childNodes)
    th.append(button)
    th.setAttribute('aria-sort', 'none')
    button.addEventListener('click', () => {
      const down = th.getAttribute('aria-sort') === 'ascending'
      for (const h of heads) h.setAttribute('aria-sort', 'none')
      th.setAttribute('aria-sort', down ? 'descending' : 'ascending')
      const key = (r) => r.cells[i].dataset.v ?? r.cells[i].textContent
      const rows = [...table.tBodies[0].rows]
      rows.sort((a, b) => {
        const x = key(a), y = key(b), nx = Number(x), ny = Number(y)
        const c = x !== '' && y !== '' && !isNaN(nx) && !isNaN(ny) ? nx - ny : x.localeCompare(y)
        return down ? -c : c
      })
      table.tBodies[0].append(...rows)
    })
  }
}
`

const sha256 = (s: string) => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`

/** The Content-Security-Policy: no network source at all; only this file's own style and script run. */
export const CSP = `default-src 'none'; style-src ${sha256(STYLE)}; script-src ${sha256(SCRIPT)}; img-src 'none'; font-src 'none'; connect-src 'none'; base-uri 'none'; form-action 'none'`

interface Column<T> {
  head: string
  cell: (r: T) => string
  /** n: a number (right-aligned); t: a time; w: long text that may wrap anywhere. */
  kind?: 'n' | 't' | 'w'
  /** The sort key when it differs from the cell's text. */
  v?: (r: T) => string | number
  field?: string
}

function table<T>(rows: readonly T[], cols: Column<T>[], opts: { id?: string; caption?: string; rowAttr?: (r: T) => string } = {}): string {
  const head = cols.map((c) => `<th scope="col"${c.kind === 'n' ? ' class="n"' : ''}>${c.head}</th>`).join('')
  const body = rows
    .map((r) => {
      const cells = cols.map((c) => {
        const cls = c.kind ? ` class="${c.kind}"` : ''
        const v = c.v ? ` data-v="${text(c.v(r))}"` : ''
        const f = c.field ? ` data-field="${c.field}"` : ''
        return `<td${cls}${v}${f}>${c.cell(r)}</td>`
      })
      return `<tr${opts.rowAttr ? opts.rowAttr(r) : ''}>${cells.join('')}</tr>`
    })
    .join('\n')
  const caption = opts.caption ? `<caption class="muted">${opts.caption}</caption>` : ''
  return `<table class="sortable"${opts.id ? ` id="${opts.id}"` : ''}>${caption}<thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`
}

/** "the last 100 of 2,345 below" when a list was capped. */
function shownOf(all: number, shown: number, what: string): string {
  if (!all) return ''
  return all > shown ? `<p class="muted">${all} ${what} in all; the last ${shown} below (<code>odoolog mail --events</code> lists every one).</p>` : ''
}

const DAY_MS = 86400e3
const dayMs = (day: string) => Date.parse(day + 'T00:00:00Z')
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10)

/** A round step for an axis up to `max` with about `ticks` ticks. */
function step(max: number, ticks = 5): number {
  const raw = max / ticks
  const p = 10 ** Math.floor(Math.log10(raw))
  return [1, 2, 2.5, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p
}

/** Every UTC day from the first to the last, those without attempts included (a gap is evidence too). */
function dayRange(first: string, last: string): string[] {
  const out: string[] = []
  for (let t = dayMs(first); t <= dayMs(last); t += DAY_MS) out.push(isoDay(t))
  return out
}

const f = (n: number) => Math.round(n * 10) / 10

/**
 * A bar chart's frame over consecutive UTC days: 960 wide, a value axis from 0 to a round number
 * above `top`, a slot per day. `open()` starts the SVG with its grid and values; `close()` draws the
 * axes and ends it.
 */
class DayFrame {
  readonly W = 960
  readonly L = 56
  readonly R = 16
  readonly slot: number
  readonly yMax: number
  private readonly st: number
  private readonly ph: number
  private readonly every: number

  constructor(
    readonly days: string[],
    readonly H: number,
    readonly T: number,
    private readonly B: number,
    top: number,
    ticks: number,
  ) {
    this.ph = H - T - B
    this.slot = (this.W - this.L - this.R) / days.length
    this.st = step(top, ticks)
    this.yMax = Math.ceil(top / this.st) * this.st
    this.every = Math.ceil(days.length / 15)
  }

  y(v: number): number {
    return this.T + this.ph - (v / this.yMax) * this.ph
  }

  /** A bar of day `i` from `from` to `to` on the value axis. */
  bar(i: number, from: number, to: number, fill: string): string {
    const bw = Math.max(1, this.slot * 0.72)
    return `<rect ${fill} x="${f(this.L + i * this.slot + (this.slot - bw) / 2)}" y="${f(this.y(to))}" width="${f(bw)}" height="${f(this.y(from) - this.y(to))}"/>`
  }

  /** The middle of day `i`'s slot. */
  mid(i: number): number {
    return f(this.L + i * this.slot + this.slot / 2)
  }

  /** Day `i`'s label under the axis (MM-DD), one in `every` days so that they never overlap. */
  label(i: number): string {
    return i % this.every === 0 ? `<text x="${this.mid(i)}" y="${this.H - this.B + 16}" text-anchor="middle">${this.days[i]!.slice(5)}</text>` : ''
  }

  open(labelledBy: string): string {
    const vs: number[] = []
    for (let v = 0; v <= this.yMax; v += this.st) vs.push(v)
    const { W, H, L, R } = this
    return (
      `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-labelledby="${labelledBy}">\n` +
      `<path class="grid" d="${vs.map((v) => `M${L} ${f(this.y(v))}H${W - R}`).join('')}"/>` +
      vs.map((v) => `<text x="${L - 6}" y="${f(this.y(v) + 4)}" text-anchor="end">${v}</text>`).join('')
    )
  }

  close(): string {
    const { W, L, R, T } = this
    return `<line class="axis" x1="${L}" x2="${W - R}" y1="${T + this.ph}" y2="${T + this.ph}"/><line class="axis" x1="${L}" x2="${L}" y1="${T}" y2="${T + this.ph}"/>\n</svg>`
  }
}

/**
 * Attempts per UTC day, sent and failed stacked; the daily limit as a dashed line; each 23:00-to-23:00
 * window's attempts as a step line across the window (that is what Odoo counts against the limit),
 * its 23:00 resets as dotted lines and the moment it reached the limit as a dot.
 */
export function dayChart(d: Diagnosis, limit: number): string {
  const byDay = new Map(d.days.map((r) => [r.day, r]))
  const windows = d.limit.windows
  const first = [d.days[0]?.day, windows[0] && isoDay(Date.parse(windows[0].end) - 1)].filter(Boolean).sort()[0]
  const last = [d.days.at(-1)?.day, windows.at(-1) && isoDay(Date.parse(windows.at(-1)!.start))].filter(Boolean).sort().at(-1)
  if (!first || !last) return ''
  const days = dayRange(first, last)
  const dataMax = Math.max(1, ...d.days.map((r) => r.attempts), ...windows.map((w) => w.attempts))
  // the limit line joins the scale when the data come near it; far above, a note says where it is
  const limitOnScale = limit <= dataMax * 2
  const fr = new DayFrame(days, 320, 24, 44, Math.max(dataMax, limitOnScale ? limit : 0) * 1.08, 5)
  const { W, H, L, R, T } = fr
  const t0 = dayMs(days[0]!)
  const x = (ms: number) => L + ((ms - t0) / DAY_MS) * fr.slot
  const reached = windows.filter((w) => w.reachedAt)
  const summary = `${plural(d.attempts, 'attempt')} from ${days[0]} to ${days.at(-1)}, ${d.failed} failed; the daily limit of ${limit} was ${reached.length ? `reached in ${plural(reached.length, 'window')}` : 'not reached'}.`
  const out = [fr.open('day-chart-title day-chart-desc')]
  out.push(`<title id="day-chart-title">Send attempts per UTC day</title><desc id="day-chart-desc">${text(summary)} The table below gives every figure.</desc>`)
  out.push(`<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#d55e00"/><rect width="2" height="6" fill="#fff" fill-opacity="0.55"/></pattern></defs>`)
  days.forEach((day, i) => {
    const r = byDay.get(day)
    if (r) out.push(`<g><title>${day}: ${plural(r.attempts, 'attempt')}, ${r.sent} sent, ${r.failed} failed</title>${fr.bar(i, 0, r.sent, 'class="sent"')}${fr.bar(i, r.sent, r.attempts, 'fill="url(#hatch)"')}</g>`)
    out.push(fr.label(i))
  })
  if (days.length <= 62) out.push(`<path class="reset" d="${days.map((day) => `M${f(x(dayMs(day) + 23 * 3600e3))} ${T}V${f(fr.y(0))}`).join('')}"/>`)
  for (const w of windows) {
    const a = Math.max(L, x(Date.parse(w.start)))
    const b = Math.min(W - R, x(Date.parse(w.end)))
    // one tooltip for the window's line and, when it reached the limit, its dot
    const dot = w.reachedAt && limitOnScale ? `<circle class="reached" cx="${f(x(Date.parse(w.reachedAt)))}" cy="${f(fr.y(w.limit))}" r="5"/>` : ''
    out.push(`<g><title>${when(w.start).slice(5, 16)} to ${when(w.end).slice(5, 16)} UTC: ${w.attempts} of ${w.limit}${w.reachedAt ? `, reached at ${when(w.reachedAt).slice(5)}` : ''}</title><path class="window" d="M${f(a)} ${f(fr.y(w.attempts))}H${f(b)}"/>${dot}</g>`)
  }
  if (limitOnScale) out.push(`<line class="limit" x1="${L}" x2="${W - R}" y1="${f(fr.y(limit))}" y2="${f(fr.y(limit))}"/><text class="label" x="${W - R - 4}" y="${f(fr.y(limit) - 6)}" text-anchor="end">daily limit ${limit}</text>`)
  else out.push(`<text x="${W - R - 4}" y="${T - 8}" text-anchor="end">daily limit ${limit}: above this scale</text>`)
  out.push(`<text x="${L}" y="${H - 6}">UTC day (MM-DD); dotted: 23:00 UTC, when the daily counter resets</text>`)
  out.push(fr.close())
  return out.join('\n')
}

/** Queue cron runs per UTC day, as bars; a day without a run shows a 0. */
export function queueChart(d: Diagnosis): string {
  const q = d.queue.days
  if (!q.length) return ''
  const days = dayRange(q[0]!.day, q.at(-1)!.day)
  const byDay = new Map(q.map((r) => [r.day, r]))
  const fr = new DayFrame(days, 200, 16, 36, Math.max(1, ...q.map((r) => r.runs)) * 1.08, 4)
  const out = [fr.open('queue-chart-title'), `<title id="queue-chart-title">Mail queue cron runs per UTC day (the table below gives every figure)</title>`]
  days.forEach((day, i) => {
    const r = byDay.get(day)
    if (r) out.push(`<g><title>${day}: ${plural(r.runs, 'run')}, ${plural(r.attempts, 'attempt')}${r.failedRuns ? `, ${r.failedRuns} failed` : ''}</title>${fr.bar(i, 0, r.runs, 'class="runs"')}</g>`)
    else out.push(`<g><title>${day}: no run</title><text x="${fr.mid(i)}" y="${f(fr.y(0) - 4)}" text-anchor="middle" class="bad">0</text></g>`)
    out.push(fr.label(i))
  })
  out.push(fr.close())
  return out.join('\n')
}

interface Advice {
  action: string
  evidence: string
  /** The section that shows the evidence. */
  see: string
}

/** The guide's advice, each point only when the logs show what calls for it, with that evidence. */
export function advice(d: Diagnosis, limit: number): Advice[] {
  const out: Advice[] = []
  const top = (rows: Diagnosis['permanent']) =>
    rows
      .slice(0, 3)
      .map((r) => `${r.code} from ${text(r.domain)} (${r.count})`)
      .join(', ')
  const perm = d.permanent.reduce((n, r) => n + r.count, 0)
  const temp = d.temporary.reduce((n, r) => n + r.count, 0)
  const senderRefused = d.permanent.filter((r) => r.code === 553).reduce((n, r) => n + r.count, 0)
  if (perm) out.push({ action: 'Correct or remove the refused addresses: a permanent failure is not retried with success. A 554 "mailbox disabled" or 550 "user unknown" is the recipient\'s side.', evidence: `${plural(perm, 'permanent failure')}: ${top(d.permanent)}`, see: 'codes' })
  if (senderRefused) out.push({ action: 'The sender address is refused (553): send from an address of a domain you own, with SPF and DKIM set for Odoo, or through your own outgoing mail server.', evidence: `${plural(senderRefused, 'failure')} with code 553`, see: 'codes' })
  if (temp) out.push({ action: 'Temporary failures (4xx) are retried by the mail queue on its next run; act only if they last.', evidence: `${plural(temp, 'temporary failure')}: ${top(d.temporary)}${d.counts.late ? `; ${plural(d.counts.late, 'mail')} went out late` : ''}`, see: 'codes' })
  const reached = d.limit.windows.filter((w) => w.reachedAt)
  if (reached.length || d.limit.failureCount)
    out.push({
      action: `The daily limit (${limit} a day, counted from 23:00 UTC) stops sending: wait for 23:00 UTC, then press Retry on the failed mails, or send through an external SMTP server.`,
      evidence: [reached.length ? `reached in ${plural(reached.length, 'window')}, first at ${when(reached[0]!.reachedAt)} UTC` : '', d.limit.failureCount ? `${plural(d.limit.failureCount, 'failure')} naming a quota or limit` : ''].filter(Boolean).join('; '),
      see: 'days',
    })
  if (d.counts.noSmtpReason) out.push({ action: 'Failures without an SMTP code: check the From address, the outgoing mail server connection, SPF/DKIM for your domain, and that the system parameter mail.bounce.alias is set.', evidence: `${plural(d.counts.noSmtpReason, 'failure')} with no SMTP code`, see: 'failures' })
  if (d.counts.bounces) out.push({ action: 'Bounces come back to Odoo through the bounce alias (mail.bounce.alias): remove or correct the bounced addresses, and keep the alias set so that Odoo marks them.', evidence: `${plural(d.counts.bounces, 'bounce')}`, see: 'bounces' })
  if (d.queue.gaps.length) {
    const g = d.queue.gaps[0]!
    out.push({ action: 'The mail queue cron (Mail: Email Queue Manager) stopped for a while: check that it is active and not blocked by a long or failing job.', evidence: `${plural(d.queue.gaps.length, 'gap')} longer than twice the usual interval, the first from ${when(g.from)} to ${when(g.to)} UTC (${g.minutes} min, usually ${g.usualMinutes})`, see: 'queue' })
  }
  if (d.counts.incoming) out.push({ action: 'Incoming mail fails: check the incoming mail server (fetchmail) settings and credentials.', evidence: `${plural(d.counts.incoming, 'incoming mail error')}`, see: 'incoming' })
  return out
}

function timelineTable(events: (AttemptEvent | BounceEvent)[]): string {
  return table(events, [
    { head: 'time (UTC)', kind: 't', cell: (e) => when(e.time) },
    { head: 'event', cell: (e) => (e.kind === 'attempt' ? (e.status === 'failed' ? '<span class="bad">failed</span>' : 'sent') : 'bounce') },
    { head: 'mail', kind: 'n', cell: (e) => text(e.mailId) },
    { head: 'attempt', kind: 'n', cell: (e) => (e.kind === 'attempt' ? text(e.attempt) : '') },
    { head: 'recipient as logged', kind: 'w', cell: (e) => text(e.kind === 'attempt' ? e.recipient : e.bouncedAddress) },
    { head: 'code', cell: (e) => (e.kind === 'attempt' ? text([e.smtpCode, e.enhancedCode].filter((v) => v !== null).join(' ')) : '') },
    { head: 'detail', kind: 'w', cell: (e) => (e.kind === 'attempt' ? text([e.errorClass, e.reason].filter(Boolean).join(': ')) : `from ${text(e.sender)}`) },
  ])
}

function codeTable(rows: Diagnosis['permanent'], id: string): string {
  if (!rows.length) return '<p>None.</p>'
  const shown = rows.slice(0, ROWS_CAP)
  const more = rows.length > shown.length ? `<p class="muted">${rows.length} code and domain pairs in all; the ${ROWS_CAP} with most failures below (<code>--format json</code> has every one).</p>` : ''
  return (
    more +
    table(
      shown,
      [
        { head: 'code', kind: 'n', cell: (r) => String(r.code) },
        { head: 'meaning', cell: (r) => codeMeaning(r.code) },
        { head: 'domain', kind: 'w', cell: (r) => text(r.domain) },
        { head: 'failures', kind: 'n', cell: (r) => String(r.count), field: 'count' },
      ],
      { id },
    )
  )
}

function windowRows(windows: LimitWindow[]): string {
  return table(
    windows,
    [
      { head: 'window from (UTC)', kind: 't', cell: (w) => when(w.start) },
      { head: 'to (UTC)', kind: 't', cell: (w) => when(w.end) },
      { head: 'attempts', kind: 'n', cell: (w) => String(w.attempts), field: 'attempts' },
      { head: 'sent', kind: 'n', cell: (w) => String(w.sent) },
      { head: 'failed', kind: 'n', cell: (w) => String(w.failed) },
      { head: 'limit reached at (UTC)', kind: 't', cell: (w) => (w.reachedAt ? `<span class="bad">${when(w.reachedAt)}</span>` : ''), v: (w) => w.reachedAt ?? '' },
      { head: 'quota failures', kind: 'n', cell: (w) => String(w.limitFailures) },
    ],
    { id: 'windows', rowAttr: (w) => ` data-window="${w.start}"` },
  )
}

/** File names grouped by folder: `logs/: odoo.log.1, odoo.log` (a year of archives is 365 names). */
function fileList(names: readonly string[]): string {
  const byDir = new Map<string, string[]>()
  for (const n of names) {
    const dir = n.slice(0, n.lastIndexOf('/') + 1)
    const list = byDir.get(dir)
    if (list) list.push(n.slice(dir.length))
    else byDir.set(dir, [n.slice(dir.length)])
  }
  return [...byDir].map(([dir, list]) => (dir ? `<code>${text(dir)}</code>: ` : '') + list.map((f) => `<code>${text(f)}</code>`).join(', ')).join('; ')
}

/** The whole report: one HTML document with the same data as `diagnose --format json`. */
export function diagnosisHtml(d: Diagnosis, o: HtmlOptions): string {
  const to = d.recipient
  const title = to ? `Email diagnosis for ${text(to)}` : 'Email diagnosis'
  const S: string[] = []
  const section = (id: string, heading: string, body: string) => S.push(`<section id="${id}" aria-labelledby="${id}-h"><h2 id="${id}-h">${heading}</h2>\n${body}\n</section>`)
  const period = d.period.from ? `${when(d.period.from)} to ${when(d.period.to)} UTC` : 'no event'
  const files = o.files
  const head: string[] = []
  head.push(`<p>Period: <strong data-period>${period}</strong>. Database${d.databases.length === 1 ? '' : 's'}: ${d.databases.map((db) => `<code>${text(db)}</code>`).join(', ') || '(none)'}.</p>`)
  head.push(`<p>Files read (${files.read.length}): ${fileList(files.read) || 'none'}.</p>`)
  if (files.failed.length) head.push(`<p class="bad">Files that could not be read (${files.failed.length}): ${files.failed.map((f) => `<code>${text(f.file)}</code> (${text(f.error)})`).join(', ')}. The figures below leave them out.</p>`)
  if (files.withoutRecords.length) head.push(`<p class="muted">Without any Odoo record: ${files.withoutRecords.map((f) => `<code>${text(f)}</code>`).join(', ')}.</p>`)
  const total = (key: string, label: string, n: number) => `<div><dt>${label}</dt><dd data-total="${key}">${n}</dd></div>`
  head.push(
    `<dl class="totals">${total('attempts', 'send attempts', d.attempts)}${total('sent', 'sent', d.sent)}${total('failed', 'failed', d.failed)}${total('late', 'sent late', d.counts.late)}${total('bounces', 'bounces', d.counts.bounces)}${total('incoming', 'incoming errors', d.counts.incoming)}</dl>`,
  )
  if (to) section('timeline', `Timeline of ${text(to)}`, (d.timeline.length ? shownOf(d.counts.timeline, d.timeline.length, 'attempts and bounces') + timelineTable(d.timeline) : '<p>No attempt or bounce.</p>') + '<p class="muted">Odoo 17.x and later log a successful send with the address redacted (<code>j***@example.com</code>); the recipient column shows it as logged.</p>')
  const tips = advice(d, o.limit)
  section('advice', 'What to do', tips.length ? `<ul class="advice">${tips.map((a) => `<li>${text(a.action, 1000)}<br><span class="evidence">Evidence: ${a.evidence} (<a href="#${a.see}">see below</a>).</span></li>`).join('\n')}</ul>` : '<p>These logs show no failure, bounce, limit or queue gap to act on.</p>')
  const reached = d.limit.windows.filter((w) => w.reachedAt)
  const busiest = [...d.limit.windows].sort((x, y) => y.attempts - x.attempts)[0]
  section(
    'days',
    'Attempts per day and the daily limit',
    `<p>Odoo counts the attempts of the database from 23:00 UTC to 23:00 UTC against its daily limit of <strong>${o.limit}</strong>${to ? ' (the bars are the attempts to this recipient; the windows count every attempt of the database)' : ''}. ${
      reached.length ? `<span class="bad">Reached in ${plural(reached.length, 'window')}</span>, first at ${when(reached[0]!.reachedAt)} UTC.` : `Not reached${busiest ? `: the busiest window, from ${when(busiest.start)} UTC, had ${plural(busiest.attempts, 'attempt')}` : ''}.`
    }</p>` +
      `<figure>${dayChart(d, o.limit)}<figcaption><span class="key sent"></span>sent <span class="key failed"></span>failed <span class="key window"></span>attempts in the 23:00-to-23:00 window <span class="key limit"></span>daily limit</figcaption></figure>` +
      `<h3 id="days-table">Per UTC day</h3>` +
      (d.days.length
        ? table(
            d.days,
            [
              { head: 'day', kind: 't', cell: (r) => r.day },
              { head: 'attempts', kind: 'n', cell: (r) => String(r.attempts), field: 'attempts' },
              { head: 'sent', kind: 'n', cell: (r) => String(r.sent), field: 'sent' },
              { head: 'failed', kind: 'n', cell: (r) => String(r.failed), field: 'failed' },
              { head: 'retries', kind: 'n', cell: (r) => String(r.retries), field: 'retries' },
              { head: 'mails', kind: 'n', cell: (r) => String(r.mails), field: 'mails' },
              {
                head: 'SMTP codes',
                cell: (r) =>
                  Object.entries(r.codes)
                    .map(([c, n]) => `${c}:${n}`)
                    .join(' '),
              },
            ],
            { id: 'day-table', rowAttr: (r) => ` data-day="${r.day}"` },
          )
        : '<p>No attempt.</p>') +
      `<h3>Per 23:00-to-23:00 UTC window</h3>` +
      (d.limit.windows.length ? windowRows(d.limit.windows) : '<p>No attempt.</p>') +
      (d.limit.failureCount
        ? `<h3>Failures that name a quota or limit</h3>${shownOf(d.limit.failureCount, d.limit.failures.length, 'such failures')}` +
          table(d.limit.failures, [
            { head: 'time (UTC)', kind: 't', cell: (e) => when(e.time) },
            { head: 'mail', kind: 'n', cell: (e) => text(e.mailId) },
            { head: 'reason', kind: 'w', cell: (e) => text(e.reason) },
          ])
        : ''),
  )
  section(
    'codes',
    'SMTP codes by recipient domain',
    `<p>5xx codes are permanent: the server will not accept the mail, whatever the number of retries. 4xx codes are temporary: Odoo tries again on the next queue run.</p>` +
      `<h3>Permanent failures (5xx)</h3>${codeTable(d.permanent, 'permanent')}<h3>Temporary failures (4xx)</h3>${codeTable(d.temporary, 'temporary')}`,
  )
  const qd = d.queue.days
  section(
    'queue',
    'The mail queue cron',
    (qd.length
      ? `<p>Mass mailing and queued mail go out with the <code>Mail: Email Queue Manager</code> cron (hourly by default). ${plural(
          qd.reduce((n, r) => n + r.runs, 0),
          'run',
        )} over ${plural(qd.length, 'day')}.</p><figure>${queueChart(d)}<figcaption>Runs per UTC day; a red 0 is a day without a run.</figcaption></figure>` +
        table(
          qd,
          [
            { head: 'day', kind: 't', cell: (r) => r.day },
            { head: 'runs', kind: 'n', cell: (r) => String(r.runs), field: 'runs' },
            { head: 'median s', kind: 'n', cell: (r) => text(r.medianDuration) },
            { head: 'longest s', kind: 'n', cell: (r) => text(r.maxDuration) },
            { head: 'attempts', kind: 'n', cell: (r) => String(r.attempts) },
            { head: 'per run', kind: 'n', cell: (r) => String(r.mailsPerRun) },
            { head: 'failed runs', kind: 'n', cell: (r) => String(r.failedRuns) },
          ],
          { id: 'queue-table', rowAttr: (r) => ` data-day="${r.day}"` },
        )
      : '<p>No run of the mail queue cron in these logs.</p>') +
      `<h3>Gaps</h3>` +
      (d.queue.gaps.length
        ? table(
            d.queue.gaps,
            [
              { head: 'last run before (UTC)', kind: 't', cell: (g) => when(g.from) },
              { head: 'next run (UTC)', kind: 't', cell: (g) => when(g.to) },
              { head: 'minutes', kind: 'n', cell: (g) => String(g.minutes) },
              { head: 'usual minutes', kind: 'n', cell: (g) => String(g.usualMinutes) },
            ],
            { id: 'gaps' },
          )
        : '<p>No gap longer than twice the usual interval.</p>'),
  )
  /** A section listing the last items of a capped list, with how many there were in all. */
  const list = <T,>(id: string, heading: string, items: readonly T[], all: number, what: string, cols: Column<T>[], none: string, before = '', tableId?: string) =>
    section(id, heading, items.length ? shownOf(all, items.length, what) + before + table(items, cols, { id: tableId }) : `<p>${none}</p>`)
  list(
    'failures',
    'Failures',
    d.failures,
    d.counts.failures,
    'failures',
    [
      { head: 'time (UTC)', kind: 't', cell: (e) => when(e.time) },
      { head: 'mail', kind: 'n', cell: (e) => text(e.mailId) },
      { head: 'attempt', kind: 'n', cell: (e) => text(e.attempt) },
      { head: 'recipient as logged', kind: 'w', cell: (e) => text(e.recipient) },
      { head: 'code', cell: (e) => text([e.smtpCode, e.enhancedCode].filter((v) => v !== null).join(' ')) },
      { head: 'reason', kind: 'w', cell: (e) => text([e.errorClass, e.reason].filter(Boolean).join(': ')) },
    ],
    'None.',
    d.counts.noSmtpReason ? `<p>${plural(d.counts.noSmtpReason, 'failure')} without an SMTP code (connection, From address, configuration).</p>` : '',
    'failure-table',
  )
  list(
    'late',
    'Sent late',
    d.late,
    d.counts.late,
    'late mails',
    [
      { head: 'mail', kind: 'n', cell: (m) => String(m.mailId) },
      { head: 'recipient as logged', kind: 'w', cell: (m) => text(m.recipient) },
      { head: 'first attempt (UTC)', kind: 't', cell: (m) => when(m.firstAttempt) },
      { head: 'sent (UTC)', kind: 't', cell: (m) => when(m.sentAt) },
      { head: 'delay (min)', kind: 'n', cell: (m) => String(Math.round(m.delayMs / 600) / 100) },
      { head: 'attempts', kind: 'n', cell: (m) => String(m.attempts) },
    ],
    'None: every mail that went out did so on its first attempt.',
  )
  list(
    'bounces',
    'Bounces',
    d.bounces,
    d.counts.bounces,
    'bounces',
    [
      { head: 'time (UTC)', kind: 't', cell: (b) => when(b.time) },
      { head: 'address', kind: 'w', cell: (b) => (b.bouncedAddress ? text(b.bouncedAddress) : '<span class="muted">(not logged)</span>') },
      { head: 'mail', kind: 'n', cell: (b) => text(b.mailId) },
      { head: 'from', kind: 'w', cell: (b) => text(b.sender) },
    ],
    'None.',
  )
  list(
    'incoming',
    'Incoming mail errors',
    d.incoming,
    d.counts.incoming,
    'incoming errors',
    [
      { head: 'time (UTC)', kind: 't', cell: (e) => when(e.time) },
      { head: 'server', kind: 'w', cell: (e) => text([e.serverType, e.server].filter(Boolean).join(' ')) },
      { head: 'error', kind: 'w', cell: (e) => text([e.errorClass, e.reason].filter(Boolean).join(': ')) },
    ],
    'None.',
  )
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="odoolog ${text(o.version)}">
<title>${title}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${title}</h1>
${head.join('\n')}
</header>
<main>
${S.join('\n')}
</main>
<footer>Made by odoolog ${text(o.version)} (<code>odoolog diagnose --format html</code>) from the Odoo server logs named above. Times are UTC. Lists show the most recent 100 items; <code>odoolog diagnose --format json</code> has the same data, <code>odoolog mail --events</code> every event.</footer>
<script>${SCRIPT}</script>
</body>
</html>
`
}
