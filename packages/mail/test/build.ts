// Odoo 18.0 records for tests, in the formats of odoo-log-formats.md §2.1, §2.2, §2.3, §2.5.

const DB = 'acme-prod-1234567'
const pad = (n: number, w = 2) => String(n).padStart(w, '0')

/** A header time: `2026-11-22 08:00:01,337` from an ISO instant or ms. */
export function stamp(t: string | number): string {
  const d = new Date(t)
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())},${pad(d.getUTCMilliseconds(), 3)}`
}

export const messageId = (id: number) => `<${id}.1764000000.000001-openerp-sale.order-${id}@odoo-host>`

/** Odoo's email_anonymize for one address. */
export function anonymize(addr: string): string {
  const at = addr.indexOf('@')
  const local = addr.slice(0, at)
  const kept = local.length <= 5 ? local[0] + '*'.repeat(local.length - 1) : local[0] + '*'.repeat(local.length - 3) + local.slice(-2)
  return kept + addr.slice(at)
}

/** `Mail with ID … successfully sent`: 18.0 with from and the redacted recipient; 14–17 without (no `to`). */
export function sent(t: string | number, id: number, to?: string, pid = 22): string {
  const fromTo = to ? ` from 'sales@acme.com' to (redacted) '${anonymize(to)}'` : ''
  return `${stamp(t)} ${pid} INFO ${DB} odoo.addons.mail.models.mail_mail: Mail with ID ${id} and Message-Id '${messageId(id)}'${fromTo} successfully sent\n`
}

/**
 * The two records of a refused send: ir_mail_server's INFO, then mail_mail's ERROR with the failure
 * reason and a traceback. `code` 421/451 are temporary, 5xx permanent; with `to`, a
 * SMTPRecipientsRefused that names the recipient, else a SMTPDataError that does not.
 */
export function failed(t: string | number, id: number, code: number, to?: string, pid = 22): string {
  const [cls, text] = to ? ['SMTPRecipientsRefused', `{'${to}': (${code}, b'5.1.1 <${to}>: Recipient address rejected')}`] : ['SMTPDataError', `(${code}, b'${code < 500 ? '4.7.0 Try again later' : '5.7.1 This mailbox is disabled (554.30)'}')`]
  return failedWith(t, id, cls, text, pid)
}

/** The two records of a refused send with the exception class and text given (`(554, b'...')`). */
export function failedWith(t: string | number, id: number, cls: string, text: string, pid = 22): string {
  const ms = typeof t === 'number' ? t : Date.parse(t)
  return (
    `${stamp(ms)} ${pid} INFO ${DB} odoo.addons.base.models.ir_mail_server: Mail delivery failed via SMTP server 'None'.\n${cls}: ${text}\n` +
    `${stamp(ms + 2)} ${pid} ERROR ${DB} odoo.addons.mail.models.mail_mail: failed sending mail (id: ${id}) due to Mail Delivery Failed\n` +
    `Mail delivery failed via SMTP server 'None'.\n${cls}: ${text}\nTraceback (most recent call last):\n` +
    `  File "/home/odoo/src/odoo/addons/mail/models/mail_mail.py", line 749, in _send\n` +
    `odoo.addons.base.models.ir_mail_server.MailDeliveryException: ('Mail Delivery Failed', "Mail delivery failed via SMTP server 'None'.\\n${cls}: ${text.replace(/"/g, '\\"')}")\n`
  )
}

/** The mail queue cron's run as 18.0 logs it: `Job '…' (3) starting`, then `done in N.NNNs` after `seconds`. */
export function queueRun(t: string | number, seconds: number, pid = 15): [start: string, end: string] {
  const ms = typeof t === 'number' ? t : Date.parse(t)
  return [`${stamp(ms)} ${pid} INFO ${DB} odoo.addons.base.models.ir_cron: Job 'Mail: Email Queue Manager' (3) starting \n`, `${stamp(ms + seconds * 1000)} ${pid} INFO ${DB} odoo.addons.base.models.ir_cron: Job 'Mail: Email Queue Manager' (3) done in ${seconds.toFixed(3)}s \n`]
}

/** A bounce routed by mail_thread: by Message-Id only (no VERP), naming the address that bounced. */
export function bounce(t: string | number, id: number, address: string): string {
  return `${stamp(t)} 41 INFO ${DB} odoo.addons.mail.models.mail_thread: Routing mail from MAILER-DAEMON@mx.example.net to bounce@acme.com with Message-Id <B${id}@mx.example.net>: not routing bounce email from ${address} replying to ['${messageId(id)}'] (model sale.order ID ${id})\n`
}

/** A werkzeug line: no mail event. */
export function web(t: string | number): string {
  return `${stamp(t)} 31 INFO ${DB} werkzeug: 203.0.113.7 - - [22/Nov/2026 08:00:01] "POST /web/dataset/call_kw HTTP/1.1" 200 - 12 0.004 0.011\n`
}
