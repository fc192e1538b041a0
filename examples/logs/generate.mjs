#!/usr/bin/env node
// Writes a small, realistic Odoo.sh ~/logs folder (Odoo 18.0 formats, odoo-log-formats.md §1, §2, §6)
// to examples/logs/sample: five days, three dated .gz archives named after their rotation day (one of
// them multi-member), odoo.log.1 and odoo.log. Seeded: the same bytes on every run.
//   node examples/logs/generate.mjs [OUTDIR]
// The mail story is scripted below (MAILS, EXTRA) so that tests can compute expectations by hand;
// werkzeug, fetchmail and cron noise come from the seeded generator.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { anonymize, clf, failureTraceback, pad, rng, stamp } from './seeded.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const out = process.argv[2] ?? join(here, 'sample')
const DB = 'acme-prod-1234567'
const FIRST_DAY = Date.UTC(2026, 10, 22) // 2026-11-22
const DAYS = 5
const LAST_FILE_END = 15 * 3600e3 // today's odoo.log ends at 15:00

const rand = rng(20261127)
const pick = (a) => a[Math.floor(rand() * a.length)]

const at = (day, hhmm, extraMs = 0) => {
  const [h, m] = hhmm.split(':').map(Number)
  return FIRST_DAY + day * 86400e3 + (h * 60 + m) * 60e3 + extraMs
}

/** Every record: [ms, text] where text is the whole record (header + continuation lines). */
const records = []
const rec = (ms, pid, level, logger, msg) => records.push([ms, `${stamp(ms)} ${pid} ${level} ${DB} ${logger}: ${msg} `])
const recRaw = (ms, pid, level, db, logger, msg) => records.push([ms, `${stamp(ms)} ${pid} ${level} ${db} ${logger}: ${msg}`])

const MAIL = 'odoo.addons.mail.models.mail_mail'
const SMTP = 'odoo.addons.base.models.ir_mail_server'
const CRON = 'odoo.addons.base.models.ir_cron'
const THREAD = 'odoo.addons.mail.models.mail_thread'
const FETCH = 'odoo.addons.mail.models.fetchmail'

const msgId = (id) => `<${(id * 7919) % 1000000}${id}.1764000000.${pad(id % 997, 6)}-openerp-${id % 90}-sale.order@odoo-host>`

const SMTP_ERRORS = {
  fail554: ['SMTPDataError', "(554, b'5.7.1 This mailbox is disabled (554.30)')"],
  fail421: ['SMTPDataError', "(421, b'4.7.0 Temporary service failure, try again later')"],
  fail550rcpt: ['SMTPRecipientsRefused', (to) => `{'${to}': (550, b'5.1.1 <${to}>: Recipient address rejected: User unknown in virtual mailbox table')}`],
  fail553sender: ['SMTPSenderRefused', "(553, b'5.7.1 <sales@acme.com>: Sender address rejected: not owned by user', 'sales@acme.com')"],
  faillimit: ['SMTPDataError', "(554, b'5.7.1 Daily sending quota exceeded for this sender, try again after 23:00 UTC')"],
}

// The scripted mail story: [day, queue run time, mail id, recipient, outcome].
const MAILS = [
  [0, '08:00', 9001, 'jdoe@example.com', 'sent'],
  [0, '08:00', 9002, 'anna@example.org', 'sent'],
  [0, '09:00', 9003, 'jdoe@example.com', 'fail554'],
  [0, '10:00', 9003, 'jdoe@example.com', 'fail554'],
  [0, '11:00', 9003, 'jdoe@example.com', 'fail554'],
  [0, '12:00', 9004, 'bob@example.net', 'sent'],
  [1, '08:00', 9010, 'carol@example.com', 'fail421'],
  [1, '09:00', 9010, 'carol@example.com', 'sent'],
  [1, '09:00', 9011, 'nobody@example.org', 'fail550rcpt'],
  [1, '13:00', 9012, 'jdoe@example.com', 'sent'],
  [2, '07:00', 9020, 'dave@example.com', 'fail553sender'],
  [2, '08:00', 9021, 'anna@example.org', 'sent'],
  [2, '08:00', 9022, 'bob@example.net', 'sent'],
  [2, '08:00', 9023, 'carol@example.com', 'sent'],
  [2, '16:00', 9026, 'erin@example.com', 'faillimit'],
  [3, '10:00', 9030, 'jdoe@example.com', 'sent'],
  [3, '11:00', 9031, 'frank@example.com', 'badfrom'],
  [4, '09:00', 9040, 'jdoe@example.com', 'sent'],
  [4, '10:00', 9041, 'grace@example.com', 'disconnect'],
]

function queueRun(day, hhmm, mails) {
  const pid = 20 + (day % 3)
  let t = at(day, hhmm, 5 + Math.floor(rand() * 900))
  rec(t, pid, 'INFO', CRON, `Job 'Mail: Email Queue Manager' (3) starting`)
  const start = t
  let ok = 0
  for (const [, , id, to, outcome] of mails) {
    t += 150 + Math.floor(rand() * 400)
    if (outcome === 'sent') {
      ok++
      rec(t, pid, 'INFO', MAIL, `Mail with ID ${id} and Message-Id '${msgId(id)}' from 'sales@acme.com' to (redacted) '${anonymize(to)}' successfully sent`)
    } else if (outcome === 'badfrom') {
      records.push([t, [
        `${stamp(t)} ${pid} ERROR ${DB} ${MAIL}: failed sending mail (id: ${id}) due to Malformed 'Return-Path' or 'From' address: Sales Team - It should contain one valid plain ASCII email `,
        'Traceback (most recent call last):',
        '  File "/home/odoo/src/odoo/addons/mail/models/mail_mail.py", line 749, in _send',
        '    res = SendIrMailServer.send_email(',
        '  File "/home/odoo/src/odoo/odoo/addons/base/models/ir_mail_server.py", line 671, in send_email',
        '    smtp_from, smtp_to_list, message = self._prepare_email_message(message, smtp)',
        `AssertionError: ("Malformed 'Return-Path' or 'From' address. It should contain one valid plain ASCII email", "Malformed 'Return-Path' or 'From' address: Sales Team - It should contain one valid plain ASCII email")`,
      ].join('\n')])
    } else if (outcome === 'disconnect') {
      records.push([t, [
        `${stamp(t)} ${pid} ERROR ${DB} ${MAIL}: Exception while processing mail with ID ${id} and Msg-Id '${msgId(id)}'. `,
        'Traceback (most recent call last):',
        '  File "/home/odoo/src/odoo/addons/mail/models/mail_mail.py", line 749, in _send',
        '    res = SendIrMailServer.send_email(',
        '  File "/usr/lib/python3.12/smtplib.py", line 405, in getreply',
        '    raise SMTPServerDisconnected("Connection unexpectedly closed")',
        'smtplib.SMTPServerDisconnected: Connection unexpectedly closed',
      ].join('\n')])
      t += 3
      records.push([t, [
        `${stamp(t)} ${pid} ERROR ${DB} ${MAIL}: Failed processing mail queue `,
        'Traceback (most recent call last):',
        '  File "/home/odoo/src/odoo/addons/mail/models/mail_mail.py", line 236, in process_email_queue',
        '    res = self.browse(ids).send(auto_commit=auto_commit)',
        'smtplib.SMTPServerDisconnected: Connection unexpectedly closed',
      ].join('\n')])
    } else {
      const [cls, textOf] = SMTP_ERRORS[outcome]
      const text = typeof textOf === 'function' ? textOf(to) : textOf
      records.push([t, `${stamp(t)} ${pid} INFO ${DB} ${SMTP}: Mail delivery failed via SMTP server 'None'.\n${cls}: ${text} `])
      t += 12
      records.push([t, [
        `${stamp(t)} ${pid} ERROR ${DB} ${MAIL}: failed sending mail (id: ${id}) due to Mail Delivery Failed`,
        "Mail delivery failed via SMTP server 'None'.",
        `${cls}: ${text} `,
        ...failureTraceback(cls, text),
      ].join('\n')])
    }
  }
  t += 40
  if (mails.length) rec(t, pid, 'INFO', MAIL, `Sent batch ${mails.length} emails via mail server ID #1`)
  t += 5
  rec(t, pid, 'INFO', CRON, `Job 'Mail: Email Queue Manager' (3) done in ${((t - start) / 1000).toFixed(3)}s`)
  t += 4
  rec(t, pid, 'INFO', CRON, `Job 'Mail: Email Queue Manager' (3) processed ${mails.length} records, 0 records remaining`)
  t += 6
  rec(t, pid, 'INFO', CRON, `Job 'Mail: Email Queue Manager' (3) completed`)
}

// Hourly queue runs; the scripted mails go out in theirs.
for (let day = 0; day < DAYS; day++) {
  for (let h = 5; h < 29; h++) {
    const ms = FIRST_DAY + day * 86400e3 + h * 3600e3
    if (day === DAYS - 1 && ms - FIRST_DAY - day * 86400e3 >= LAST_FILE_END) break
    const d = Math.floor((ms - FIRST_DAY) / 86400e3)
    const hhmm = `${pad(new Date(ms).getUTCHours())}:00`
    queueRun(d, hhmm, MAILS.filter((m) => m[0] === d && m[1] === hhmm))
  }
}

// Bounce of mail 9003 (jdoe's disabled mailbox), fetchmail runs and one incoming failure.
const BOUNCE_AT = at(0, '11:20', 1730)
rec(BOUNCE_AT, 22, 'INFO', THREAD, `Routing mail from Mail Delivery System <MAILER-DAEMON@mx.example.net> to bounce+9003-sale.order-42@acme.com with Message-Id <20261122112001.4F2A1C0@mx.example.net>: not routing bounce email from jdoe@example.com replying to ['${msgId(9003)}'] (model sale.order ID 42)`)
for (let day = 0; day < DAYS; day++) {
  for (let h = 5; h < 29; h += 2) {
    const ms = FIRST_DAY + day * 86400e3 + h * 3600e3 + 20 * 60e3
    if (day === DAYS - 1 && h * 3600e3 >= LAST_FILE_END) break
    rec(ms, 24, 'INFO', FETCH, 'start checking for new emails on imap server Catchall')
    rec(ms + 800, 24, 'INFO', FETCH, `Fetched ${Math.floor(rand() * 3)} email(s) on imap server Catchall; 0 succeeded, 0 failed.`)
  }
}
const INCOMING_AT = at(3, '09:40', 2664)
records.push([INCOMING_AT, [
  `${stamp(INCOMING_AT)} 24 INFO ${DB} ${FETCH}: Failed to process mail from imap server Catchall. `,
  'Traceback (most recent call last):',
  '  File "/home/odoo/src/odoo/addons/mail/models/fetchmail.py", line 210, in fetch_mail',
  '    res_id = MailThread.with_context(**additionnal_context).message_process(server.object_id.model, data[0][1], save_original=server.original, strip_attachments=(not server.attach))',
  'ValueError: No possible route found for incoming message from alice@example.org to info@acme.com (Message-Id <CAF3x9@mail.example.org>:). Create an appropriate mail.alias or force the destination model.',
].join('\n')])

// Server starts and werkzeug noise.
for (let day = 0; day < DAYS; day++) recRaw(at(day, '05:00', 3118), 4, 'INFO', '?', 'odoo', 'Odoo version 18.0 ')
const PATHS = ['/web/dataset/call_kw/sale.order/web_read', '/web/dataset/call_kw/res.partner/web_search_read', '/mail/data', '/web/webclient/load_menus', '/odoo/action-mail.action_view_mail_mail', '/longpolling/poll', '/web/image/res.users/2/avatar_128']
const IPS = ['203.0.113.7', '198.51.100.23', '192.0.2.44']
for (let day = 0; day < DAYS; day++) {
  const end = day === DAYS - 1 ? LAST_FILE_END : 86400e3
  for (let k = 0; k < 160; k++) {
    const ms = FIRST_DAY + day * 86400e3 + 5 * 3600e3 + Math.floor(rand() * (end - 5 * 3600e3 - 60e3))
    const method = rand() < 0.7 ? 'POST' : 'GET'
    const status = rand() < 0.95 ? 200 : pick([304, 404])
    const path = status === 404 ? '/favicon.ico' : pick(PATHS)
    recRaw(ms, 30 + Math.floor(rand() * 4), 'INFO', DB, 'werkzeug', `${pick(IPS)} - - [${clf(ms)}] "${method} ${path} HTTP/1.1" ${status} - ${Math.floor(rand() * 60)} ${(rand() * 0.2).toFixed(3)} ${(rand() * 0.5).toFixed(3)}`)
  }
}

// Files: each spans 05:00 to 05:00 UTC. Archives are named after their rotation day (the day after
// their content starts), so names alone would mislead; odoo.log.2026-11-24.gz is two gzip members.
records.sort((a, b) => a[0] - b[0])
const files = [
  { name: 'odoo.log.2026-11-23.gz', day: 0 },
  { name: 'odoo.log.2026-11-24.gz', day: 1, members: 2 },
  { name: 'odoo.log.2026-11-25.gz', day: 2 },
  { name: 'odoo.log.1', day: 3 },
  { name: 'odoo.log', day: 4 },
]
rmSync(out, { recursive: true, force: true })
mkdirSync(out, { recursive: true })
for (const f of files) {
  const from = FIRST_DAY + f.day * 86400e3 + 5 * 3600e3
  const text = records.filter(([ms]) => ms >= from && ms < from + 86400e3).map(([, t]) => t + '\n').join('')
  let data = Buffer.from(text, 'utf8')
  if (f.name.endsWith('.gz')) {
    if (f.members) {
      const half = text.indexOf('\n', text.length >> 1) + 1
      data = Buffer.concat([gzipSync(text.slice(0, half)), gzipSync(text.slice(half))])
    } else data = gzipSync(data)
  }
  writeFileSync(join(out, f.name), data)
}
// Not an Odoo server log: searched only when named, or with --all-logs.
writeFileSync(join(out, 'pip.log'), 'Requirement already satisfied: jdoe-helpers in /usr/lib/python3/dist-packages\n')
console.error(`wrote ${files.length + 1} files to ${out}`)
