// The HTML report as a string: its policy, its escaping, its bounds. test/e2e/html-report.test.ts
// opens it in Chromium.
import { createHash } from 'node:crypto'
import { DiagnosisTally, type AttemptEvent, type MailEvent } from '@odoolog/mail'
import { describe, expect, it } from 'vitest'
import { CSP, advice, codeMeaning, diagnosisHtml, text } from '../src/html.js'

const FILES = { read: ['odoo.log'], failed: [], withoutRecords: [] }

let line = 0
function attempt(time: string, over: Partial<AttemptEvent> = {}): AttemptEvent {
  const failed = over.status === 'failed'
  return {
    kind: 'attempt',
    time,
    day: time.slice(0, 10),
    file: 'odoo.log',
    line: ++line,
    pid: 1,
    db: 'db1',
    mailId: line,
    status: 'sent',
    messageId: null,
    from: null,
    recipient: 'a***@example.com',
    recipients: [],
    smtpCode: failed ? 554 : null,
    enhancedCode: null,
    errorClass: failed ? 'SMTPDataError' : null,
    reason: failed ? 'refused' : null,
    permanent: failed ? true : null,
    limit: false,
    attempt: 1,
    ...over,
  }
}

function html(events: MailEvent[], opts: { to?: string; limit?: number } = {}) {
  const t = new DiagnosisTally(opts.limit ?? 200, { to: opts.to })
  for (const e of events) t.add(e)
  const d = t.result()
  return { d, html: diagnosisHtml(d, { limit: opts.limit ?? 200, files: FILES, version: '9.9.9' }) }
}

const sha = (s: string) => `'sha256-${createHash('sha256').update(s).digest('base64')}'`

describe('diagnose --format html, as a string', () => {
  it('forbids every network source; the only style and script are the ones the policy hashes', () => {
    const { html: h } = html([attempt('2026-11-22T08:00:00.000Z'), attempt('2026-11-22T09:00:00.000Z', { status: 'failed' })])
    expect(CSP).toMatch(/^default-src 'none';/)
    for (const d of ['img-src', 'font-src', 'connect-src', 'base-uri', 'form-action']) expect(CSP).toContain(`${d} 'none'`)
    const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(h)
    expect(meta?.[1]).toBe(CSP)
    const styles = [...h.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]!)
    const scripts = [...h.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!)
    expect(styles).toHaveLength(1)
    expect(scripts).toHaveLength(1)
    expect(CSP).toContain(`style-src ${sha(styles[0]!)};`)
    expect(CSP).toContain(`script-src ${sha(scripts[0]!)};`)
    // no inline style attribute (the policy would refuse it), no link out but to the page's own anchors
    expect(h).not.toMatch(/\sstyle=/)
    expect([...h.matchAll(/\s(?:href|src|action|xlink:href)="([^"]*)"/g)].map((m) => m[1]!.slice(0, 1))).toEqual(expect.arrayContaining(['#']))
    for (const m of h.matchAll(/\s(?:href|src|action|xlink:href)="([^"]*)"/g)) expect(m[1]).toMatch(/^#[\w-]+$/)
    expect(h.match(/https?:\/\/[^"\s]*/g)).toEqual(expect.arrayContaining(['http://www.w3.org/2000/svg']))
    for (const u of h.match(/https?:\/\/[^"\s]*/g)!) expect(u).toBe('http://www.w3.org/2000/svg')
    expect(h).toMatch(/^<!DOCTYPE html>\n<html lang="en">/)
  })

  it('escapes log text: markup, quotes, control characters; clips what would bloat the file', () => {
    expect(text(`<script>alert("x")</script>&'`)).toBe('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;')
    expect(text('a\x1b]0;pwned\x07b\x9b')).toBe('a^[]0;pwned^GbM-^[')
    expect(text('x'.repeat(1000))).toHaveLength(400)
    expect(text(null)).toBe('')
    const { html: h } = html([attempt('2026-11-22T08:00:00.000Z', { status: 'failed', recipient: '<script>alert(1)</script>@x.com', reason: '</table><img src=x onerror=alert(2)>' })])
    expect(h).toContain('&lt;script&gt;alert(1)&lt;/script&gt;@x.com')
    expect(h).toContain('&lt;/table&gt;&lt;img src=x onerror=alert(2)&gt;')
    expect(h).not.toContain('<img')
    expect(h.match(/<script>/g)).toHaveLength(1)
  })

  it('advice only where the logs show the reason for it, each with its figures', () => {
    const quiet = html([attempt('2026-11-22T08:00:00.000Z')])
    expect(advice(quiet.d, 200)).toEqual([])
    expect(quiet.html).toContain('These logs show no failure')
    const busy = html([
      ...Array.from({ length: 3 }, (_, i) => attempt(`2026-11-22T0${i}:00:00.000Z`)),
      attempt('2026-11-22T04:00:00.000Z', { status: 'failed', smtpCode: 553, errorClass: 'SMTPSenderRefused', recipient: null }),
      attempt('2026-11-22T05:00:00.000Z', { status: 'failed', smtpCode: null, permanent: null, errorClass: 'ConnectionRefusedError', reason: 'Connection refused' }),
    ], { limit: 3 })
    const a = advice(busy.d, 3).map((x) => `${x.action} | ${x.evidence}`)
    expect(a).toHaveLength(4)
    expect(a[0]).toMatch(/permanent failure is not retried.*\| 1 permanent failure: 553 from \(unknown\) \(1\)$/)
    expect(a[1]).toMatch(/sender address is refused.*\| 1 failure with code 553$/)
    expect(a[2]).toMatch(/daily limit \(3 a day.*\| reached in 1 window, first at 2026-11-22 02:00:00 UTC$/)
    expect(a[3]).toMatch(/mail\.bounce\.alias.*\| 1 failure with no SMTP code$/)
  })

  it('the SMTP codes say what they mean, temporary or permanent', () => {
    expect(codeMeaning(421)).toMatch(/retries/)
    expect(codeMeaning(554)).toMatch(/mailbox disabled/)
    expect(codeMeaning(553)).toMatch(/sender/)
    expect(codeMeaning(599)).toBe('permanent failure')
    expect(codeMeaning(499)).toMatch(/^temporary/)
  })

  it('stays under 1 MB for a year of a busy database: 20 KB reasons, 2,500 failing domains, every list full', () => {
    const events: MailEvent[] = []
    const day0 = Date.UTC(2026, 0, 1)
    for (let d = 0; d < 365; d++)
      for (let k = 0; k < 20; k++) {
        const t = new Date(day0 + d * 86400e3 + k * 3600e3).toISOString()
        events.push(attempt(t, k % 2 ? {} : { status: 'failed', recipient: `r${d * 20 + k}@d${(d * 20 + k) % 5000}.example`, reason: 'x '.repeat(10_000) }))
      }
    const { d, html: h } = html(events)
    expect(d.days).toHaveLength(365)
    expect(d.permanent.length).toBe(2500)
    expect(h.length).toBeLessThan(1_000_000)
    const permanent = /<table class="sortable" id="permanent">[\s\S]*?<\/table>/.exec(h)![0]
    expect(permanent.match(/<tr>/g)).toHaveLength(101) // the header and the 100 with most failures
    expect(h).toContain(`${d.permanent.length} code and domain pairs in all; the 100 with most failures below`)
  })
})
