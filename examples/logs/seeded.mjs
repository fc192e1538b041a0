// Helpers shared by the example generator and the bench's folder: a seeded PRNG and Odoo's time formats.

/** mulberry32: a tiny seeded PRNG returning numbers in [0, 1). */
export function rng(seed) {
  return () => {
    seed |= 0
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export const pad = (n, w = 2) => String(n).padStart(w, '0')

/** A record header's time: `2026-11-22 08:00:01,337` (UTC, comma, milliseconds). */
export function stamp(ms) {
  const d = new Date(ms)
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())},${pad(d.getUTCMilliseconds(), 3)}`
}

const MON = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/** werkzeug's access-log time: `22/Nov/2026 08:00:01`. */
export function clf(ms) {
  const d = new Date(ms)
  return `${pad(d.getUTCDate())}/${MON[d.getUTCMonth()]}/${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
}

/** The chained traceback under a `failed sending mail` record (18.0, odoo-log-formats.md §6). */
export const failureTraceback = (cls, text) => [
  'Traceback (most recent call last):',
  '  File "/home/odoo/src/odoo/odoo/addons/base/models/ir_mail_server.py", line 747, in send_email',
  '    smtp.send_message(message, smtp_from, smtp_to_list)',
  '  File "/usr/lib/python3.12/smtplib.py", line 986, in send_message',
  '    return self.sendmail(from_addr, to_addrs, flatmsg, mail_options,',
  '           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^',
  '  File "/usr/lib/python3.12/smtplib.py", line 887, in sendmail',
  `    raise ${cls}(code, resp)`,
  `smtplib.${cls}: ${text}`,
  '',
  'During handling of the above exception, another exception occurred:',
  '',
  'Traceback (most recent call last):',
  '  File "/home/odoo/src/odoo/addons/mail/models/mail_mail.py", line 749, in _send',
  '    res = SendIrMailServer.send_email(',
  '          ^^^^^^^^^^^^^^^^^^^^^^^^^^^^',
  '  File "/home/odoo/src/odoo/odoo/addons/base/models/ir_mail_server.py", line 762, in send_email',
  '    raise MailDeliveryException(_("Mail Delivery Failed"), msg)',
  `odoo.addons.base.models.ir_mail_server.MailDeliveryException: ('Mail Delivery Failed', "Mail delivery failed via SMTP server 'None'.\\n${cls}: ${text.replace(/"/g, '\\"')}")`,
]

/** Odoo's email_anonymize: up to 5 characters keep the first, longer local parts the first and last two. */
export function anonymize(addr) {
  const at = addr.indexOf('@')
  const local = addr.slice(0, at)
  const kept = local.length <= 5 ? local[0] + '*'.repeat(local.length - 1) : local[0] + '*'.repeat(local.length - 3) + local.slice(-2)
  return kept + addr.slice(at)
}
