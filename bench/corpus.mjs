// The benchmark's ~/logs folder: 30 days (28 dated .gz archives, odoo.log.1, odoo.log), seeded, written
// once under the OS temp folder and reused (never in git). Mostly werkzeug lines, then cron and mail
// records with tracebacks (odoo-log-formats.md §1, §2, §6); NEEDLE appears a few hundred times.
import { createWriteStream, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { finished } from 'node:stream/promises'
import { createGzip } from 'node:zlib'
import { anonymize, clf, failureTraceback, pad, rng, stamp as stampOf } from '../examples/logs/seeded.mjs'

export const NEEDLE = 'needle.recipient@example.com'
/** The Message-Id of the first mail of day 10: one archive holds it (a search of one mail's records). */
export const ONE_ID = '<110001.1764000000.123-openerp-sale.order@odoo-host>'
const VERSION = 5

const PATHS = ['/web/dataset/call_kw/sale.order/web_read', '/web/dataset/call_kw/res.partner/web_search_read', '/mail/data', '/web/webclient/load_menus', '/longpolling/poll', '/web/image/res.users/2/avatar_128', '/web/dataset/call_kw/account.move/action_post', '/odoo/action-mail.action_view_mail_mail']
const IPS = ['203.0.113.7', '198.51.100.23', '192.0.2.44', '203.0.113.81', '198.51.100.4']
const DB = 'acme-prod-1234567'
export const DAY0 = Date.UTC(2026, 9, 28, 5) // 2026-10-28 05:00 UTC

/** One day's text (05:00 to 05:00 UTC), about `bytes` long. */
function dayText(d, bytes, rand) {
  const out = []
  let size = 0
  const start = DAY0 + d * 86400e3
  const lines = Math.round(bytes / 200)
  let mailId = 100000 + d * 1000
  for (let k = 0; k < lines && size < bytes; k++) {
    const ms = start + Math.floor((k / lines) * 86400e3)
    const stamp = stampOf(ms)
    const r = rand()
    let rec
    // per day (60k records): ~120 queue runs, ~270 mails sent, ~30 refused with a traceback
    if (r < 0.9925) {
      const path = PATHS[Math.floor(rand() * PATHS.length)]
      rec = `${stamp} ${30 + Math.floor(rand() * 8)} INFO ${DB} werkzeug: ${IPS[Math.floor(rand() * IPS.length)]} - - [${clf(ms)}] "POST ${path} HTTP/1.1" 200 - ${Math.floor(rand() * 60)} ${(rand() * 0.2).toFixed(3)} ${(rand() * 0.5).toFixed(3)}`
    } else if (r < 0.9945) {
      rec = `${stamp} 22 INFO ${DB} odoo.addons.base.models.ir_cron: Job 'Mail: Email Queue Manager' (3) starting `
    } else if (r < 0.9995) {
      const to = rand() < 0.03 ? NEEDLE : `user${Math.floor(rand() * 5000)}@example.org`
      rec = `${stamp} 22 INFO ${DB} odoo.addons.mail.models.mail_mail: Mail with ID ${++mailId} and Message-Id '<${mailId}.1764000000.123-openerp-sale.order@odoo-host>' from 'sales@acme.com' to (redacted) '${anonymize(to)}' successfully sent ${to === NEEDLE ? `(to ${NEEDLE})` : ''}`
    } else {
      const id = ++mailId
      const rcpt = rand() < 0.1 ? NEEDLE : `user${Math.floor(rand() * 5000)}@example.org`
      const text = `{'${rcpt}': (554, b'5.7.1 <${rcpt}>: This mailbox is disabled (554.30)')}`
      rec = `${stamp} 22 INFO ${DB} odoo.addons.base.models.ir_mail_server: Mail delivery failed via SMTP server 'None'.\nSMTPRecipientsRefused: ${text} \n` +
        [`${stamp} 22 ERROR ${DB} odoo.addons.mail.models.mail_mail: failed sending mail (id: ${id}) due to Mail Delivery Failed`,
          "Mail delivery failed via SMTP server 'None'.",
          `SMTPRecipientsRefused: ${text} `,
          ...failureTraceback('SMTPRecipientsRefused', text),
        ].join('\n')
    }
    out.push(rec)
    size += rec.length + 1
  }
  return out.join('\n') + '\n'
}

/** The folder for `mbPerDay` (12 by default: about 360 MB of text), written on first use. */
export async function corpus(mbPerDay = 12) {
  const rand = rng(5402)
  return writeFolder(`odoolog-bench-v${VERSION}-${mbPerDay}mb`, 30, (d) => dayText(d, mbPerDay * 1e6, rand))
}

/**
 * Writes a ~/logs folder under the OS temp folder, once: `days` days whose texts come from
 * textOf(0), textOf(1), … in order; the last is odoo.log, the one before odoo.log.1, the others dated
 * gzip archives named after their rotation day. Returns the folder's path.
 */
export async function writeFolder(name, days, textOf) {
  const dir = join(tmpdir(), name)
  if (existsSync(join(dir, '.complete'))) return dir
  rmSync(dir, { recursive: true, force: true })
  const tmp = dir + '.tmp'
  rmSync(tmp, { recursive: true, force: true })
  mkdirSync(tmp, { recursive: true })
  for (let d = 0; d < days; d++) {
    const text = textOf(d)
    let file
    if (d === days - 1) file = 'odoo.log'
    else if (d === days - 2) file = 'odoo.log.1'
    else {
      const t = new Date(DAY0 + (d + 1) * 86400e3)
      file = `odoo.log.${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}.gz`
    }
    if (file.endsWith('.gz')) {
      const gz = createGzip()
      const out = createWriteStream(join(tmp, file))
      gz.pipe(out)
      gz.end(text)
      await finished(out)
    } else writeFileSync(join(tmp, file), text)
    if (process.stderr.isTTY) process.stderr.write(`\rgenerating ${name}: day ${d + 1}/${days}`)
  }
  process.stderr.write(process.stderr.isTTY ? '\n' : `generated the bench folder: ${dir}\n`)
  writeFileSync(join(tmp, '.complete'), '')
  renameSync(tmp, dir)
  return dir
}
