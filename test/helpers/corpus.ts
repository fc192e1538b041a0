import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'

/**
 * A generated ~/logs folder with the awkward cases (multi-member gzip split mid-line, CRLF, invalid
 * UTF-8, no final newline, a multi-MB line, a binary file, text named .gz), and a mirror of it:
 * the same names holding the decompressed bytes, for GNU grep to read. Run grep in `mirror` and
 * odoolog in `root` with the same relative names, and the outputs must be the same bytes.
 */
export interface Corpus {
  root: string
  mirror: string
  /** `logs/NAME` in time order, oldest first: what odoolog prints for the folder `logs`. */
  ordered: string[]
  /** Single files outside the folder, relative to root and mirror alike. */
  singles: string[]
}

const DB = 'acme-prod-1234567'

function rec(t: string, pid: number, level: string, logger: string, msg: string, db = DB): string {
  return `${t} ${pid} ${level} ${db} ${logger}: ${msg} `
}

function day(date: string, variant: number): string {
  const L: string[] = []
  for (let h = 5; h < 24; h++) {
    const hh = String(h).padStart(2, '0')
    L.push(rec(`${date} ${hh}:00:01,${String(100 + variant).slice(-3)}`, 22, 'INFO', 'odoo.addons.base.models.ir_cron', "Job 'Mail: Email Queue Manager' (3) starting"))
    L.push(`${date} ${hh}:00:02,204 30 INFO ${DB} werkzeug: 203.0.113.7 - - [01/May/2026 ${hh}:00:02] "POST /web/dataset/call_kw/sale.order/web_read HTTP/1.1" 200 - 41 0.056 0.213`)
    const id = 8800 + h + variant * 100
    if (h % 3 === 0) {
      L.push(rec(`${date} ${hh}:00:03,402`, 22, 'INFO', 'odoo.addons.base.models.ir_mail_server', `Mail delivery failed via SMTP server 'None'.\nSMTPDataError: 554\n5.7.1 Message rejected: Email address is not verified.`))
      L.push(
        [
          `${date} ${hh}:00:03,415 22 ERROR ${DB} odoo.addons.mail.models.mail_mail: failed sending mail (id: ${id}) due to Mail Delivery Failed`,
          "Mail delivery failed via SMTP server 'None'.",
          'SMTPDataError: 554',
          '5.7.1 Message rejected: Email address is not verified. ',
          'Traceback (most recent call last):',
          '  File "/home/odoo/src/odoo/odoo/addons/base/models/ir_mail_server.py", line 497, in send_email',
          '    smtp.send_message(message, smtp_from, smtp_to_list)',
          "smtplib.SMTPDataError: (554, b'5.7.1 Message rejected: Email address is not verified.')",
          '',
          'During handling of the above exception, another exception occurred:',
          '',
          'Traceback (most recent call last):',
          '  File "/home/odoo/src/odoo/addons/mail/models/mail_mail.py", line 372, in _send',
          '    res = IrMailServer.send_email(',
          `odoo.addons.base.models.ir_mail_server.MailDeliveryException: ('Mail Delivery Failed', "Mail delivery failed via SMTP server 'None'.\\nSMTPDataError: 554")`,
        ].join('\n'),
      )
    } else if (h % 5 === 0) {
      L.push(rec(`${date} ${hh}:00:03,402`, 22, 'INFO', 'odoo.addons.base.models.ir_mail_server', `Mail delivery failed via SMTP server 'None'.\nSMTPRecipientsRefused: {'jdoe@example.com': (550, b'5.1.1 <jdoe@example.com>: Recipient address rejected')}`))
      L.push(rec(`${date} ${hh}:00:03,410`, 22, 'WARNING', 'odoo.addons.base.models.ir_mail_server', 'No mail server matches the from_filter, using notifications@acme.com as fallback'))
    } else {
      L.push(rec(`${date} ${hh}:00:03,902`, 22, 'INFO', 'odoo.addons.mail.models.mail_mail', `Mail with ID ${id} and Message-Id '<4862390${id}.1714983301.33-openerp-42-sale.order@odoo-host>' from 'sales@acme.com' to (redacted) 'j***@example.com' successfully sent`))
    }
    L.push(rec(`${date} ${hh}:00:04,015`, 22, 'INFO', 'odoo.addons.base.models.ir_cron', `Job 'Mail: Email Queue Manager' (3) done in 0.${hh}8s`))
    if (h === 7) L.push(`${date} ${hh}:10:00,000 31 INFO ${DB} werkzeug: 198.51.100.23 - - [01/May/2026 07:10:00] "\x1b[33mGET /favicon.ico HTTP/1.1\x1b[0m" 404 - 3 0.002 0.011`)
    if (h === 8) L.push(rec(`${date} ${hh}:20:01,730`, 22, 'INFO', 'odoo.addons.mail.models.mail_thread', "Routing mail from Mail Delivery System <MAILER-DAEMON@mx.example.net> to bounce+8812-sale.order-42@acme.com with Message-Id <20240506082001.4F2A1C0@mx.example.net>: not routing bounce email from jdoe@example.com replying to ['<486239@odoo-host>'] (model sale.order ID 42)"))
    if (h === 9) L.push(rec(`${date} ${hh}:30:00,000`, 22, 'INFO', 'odoo.addons.mail.models.mail_thread', 'Routing: abab cdcd aa ab Ünïcödé ÉCOLE école mail mails email'))
    if (h === 10) L.push('', '   ', 'abcabc mail-mail mail_mail')
  }
  return L.join('\n') + '\n'
}

export function makeCorpus(): Corpus {
  const base = mkdtempSync(join(tmpdir(), 'odoolog-corpus-'))
  const root = join(base, 'root')
  const mirror = join(base, 'mirror')
  for (const d of [root, mirror]) mkdirSync(join(d, 'logs'), { recursive: true })
  const files: { name: string; text: Buffer; stored: Buffer }[] = []
  const add = (name: string, text: Buffer, stored: Buffer = text) => {
    files.push({ name, text, stored })
    writeFileSync(join(root, name), stored)
    writeFileSync(join(mirror, name), text)
  }

  // Archives named after their rotation day (2026-05-03.gz holds 05-01, 2026-05-02.gz holds 04-30),
  // and odoo.log.2026-05-04.gz, named latest, holds the oldest day of all: ordering must read it.
  const d1 = Buffer.from(day('2026-05-01', 1) + 'invalid utf-8: \xff\xfe mail \xc3( here\n', 'latin1')
  add('logs/odoo.log.2026-05-03.gz', d1, gzipSync(d1))
  const d0 = Buffer.from(day('2026-04-30', 0), 'utf8')
  const cut1 = Math.floor(d0.length / 3) + 7 // members split mid-line
  const cut2 = Math.floor((2 * d0.length) / 3) + 3
  add('logs/odoo.log.2026-05-02.gz', d0, Buffer.concat([gzipSync(d0.subarray(0, cut1)), gzipSync(d0.subarray(cut1, cut2)), gzipSync(d0.subarray(cut2))]))
  const old = Buffer.from(day('2026-04-29', 2), 'utf8')
  add('logs/odoo.log.2026-05-04.gz', old, gzipSync(old))
  // yesterday: CRLF in part, and a 3 MB line in the middle
  const y = day('2026-05-02', 3).split('\n')
  const bigLine = 'x'.repeat(1_500_000) + ' jdoe@example.com 554 ' + 'y'.repeat(1_500_000)
  const yText = y.slice(0, 40).join('\r\n') + '\r\n' + bigLine + '\n' + y.slice(40).join('\n')
  add('logs/odoo.log.1', Buffer.from(yText, 'utf8'))
  // today: no final newline
  const t = day('2026-05-03', 4).trimEnd() + '\nlast line without newline 554 jdoe'
  add('logs/odoo.log', Buffer.from(t, 'utf8'))
  // not an Odoo server log: only with --all-logs
  add('logs/install.log', Buffer.from('2026-05-03 04:00:00,000 4 INFO ? odoo: install jdoe 554 \n', 'utf8'))

  // singles
  const bin = Buffer.concat([Buffer.from('binary start jdoe\n'), Buffer.from([0, 1, 2, 10]), Buffer.from('554 after nul\nmore jdoe lines\n')])
  add('bin.log', bin)
  add('crlf.log', Buffer.from(day('2026-05-05', 5).replace(/\n/g, '\r\n'), 'utf8'))
  add('text-named.gz', Buffer.from('plain text named .gz\njdoe 554 here\n', 'utf8'))
  add('empty.log', Buffer.alloc(0))
  return {
    root,
    mirror,
    ordered: ['logs/odoo.log.2026-05-04.gz', 'logs/odoo.log.2026-05-02.gz', 'logs/odoo.log.2026-05-03.gz', 'logs/odoo.log.1', 'logs/odoo.log'],
    singles: ['bin.log', 'crlf.log', 'text-named.gz', 'empty.log', 'logs/odoo.log.2026-05-02.gz', 'logs/odoo.log.1'],
  }
}
