// The mail-dense ~/logs folder: a database that sends mass mailings, about 20,000 mails a day for 30
// days (Odoo 18.0 formats, odoo-log-formats.md §2.1, §2.2, §2.3, §2.5). Seeded, written once under the
// OS temp folder, never in git. A queue run every 5 minutes sends its batch; ~2% of the mails are
// refused for good (550 naming the recipient, 554 without it), ~2% fail for a while (421) and go out on
// a later run, ~1% of the sent ones bounce minutes to hours later; werkzeug lines in between.
//   mailCorpus({ days: 300 }) writes the folder ten times the size (same rate, ten times as long).
import { anonymize, clf, failureTraceback, pad, rng, stamp as stampOf } from '../examples/logs/seeded.mjs'
import { DAY0, writeFolder } from './corpus.mjs'

// 3: records end with Odoo's trailing space (odoo-log-formats.md §1.1); werkzeug lines do not
const VERSION = 3
const DB = 'acme-mass-7654321'
const DOMAINS = ['example.com', 'example.org', 'example.net', 'mail.example.com', 'corp.example', 'shop.example']
const FIRST = ['maria', 'jdoe', 'li', 'alexandre', 'sam', 'priya', 'omar', 'eva', 'jonas', 'chen', 'fatima', 'noah']
const LAST = ['lopez', 'smith', 'wang', 'dubois', 'khan', 'schmidt', 'rossi', 'kim', 'nguyen', 'silva']
const CONTACTS = 60000

/** Contact n's address: `maria.lopez17@example.org` (a mailing list of 60,000). */
export function contact(n) {
  return `${FIRST[n % FIRST.length]}.${LAST[(n >> 3) % LAST.length]}${n}@${DOMAINS[(n >> 5) % DOMAINS.length]}`
}

const msgId = (id) => `<${id}.1764000000.${pad(id % 997, 6)}-openerp-mailing.trace-${id % 5000}@odoo-host>`
const MAIL = 'odoo.addons.mail.models.mail_mail'
const SMTP = 'odoo.addons.base.models.ir_mail_server'
const CRON = 'odoo.addons.base.models.ir_cron'
const THREAD = 'odoo.addons.mail.models.mail_thread'

/** Totals the generator wrote, for the bench to check the report against. */
export function expectedTotals(days = 30) {
  const t = { attempts: 0, sent: 0, failed: 0 }
  for (const recs of generate(days)) {
    for (const rec of recs) {
      if (rec.kind !== 'attempt') continue
      t.attempts++
      t[rec.status]++
    }
  }
  return t
}

/**
 * Yields each day's records ({ kind, text, status }) in time order; days run 05:00 to 05:00 UTC
 * (Odoo.sh's rotation). One pass, since mails retried and bounced carry over midnight.
 */
function* generate(days) {
  const rand = rng(20000)
  let nextId = 500000
  /** Mails that failed with 421 and are due again: [id, rcpt, tries]. */
  let retry = []
  /** Bounces due later: [ms, id, rcpt]. */
  let bounces = []
  const runsPerDay = 288
  const perRun = Math.round(20000 / runsPerDay)
  for (let d = 0; d < days; d++) {
    const start = DAY0 + d * 86400e3
    const recs = []
    const emit = (rec) => recs.push(rec)
    for (let r = 0; r < runsPerDay; r++) {
      let t = start + r * 300e3 + Math.floor(rand() * 20e3)
      // werkzeug traffic between runs
      const web = 20 + Math.floor(rand() * 20)
      for (let k = 0; k < web; k++) {
        const ms = t - 280e3 + Math.floor((k / web) * 270e3)
        emit({ kind: 'web', text: `${stampOf(ms)} ${30 + Math.floor(rand() * 6)} INFO ${DB} werkzeug: 198.51.100.${Math.floor(rand() * 250)} - - [${clf(ms)}] "POST /mailing/${Math.floor(rand() * 90)}/view HTTP/1.1" 200 - ${Math.floor(rand() * 30)} ${(rand() * 0.1).toFixed(3)} ${(rand() * 0.3).toFixed(3)}` })
      }
      const due = bounces.filter((b) => b[0] <= t)
      bounces = bounces.filter((b) => b[0] > t)
      for (const [due0, id, rcpt] of due) {
        const ms = Math.max(due0, start)
        const verp = id % 2 === 0
        const to = verp ? `bounce+${id}-mailing.trace-${id % 5000}@acme.com` : 'bounce@acme.com'
        emit({ kind: 'bounce', text: `${stampOf(ms)} 41 INFO ${DB} ${THREAD}: Routing mail from MAILER-DAEMON@mx.example.net to ${to} with Message-Id <${ms}.B${id}@mx.example.net>: not routing bounce email from ${rcpt} replying to ['${msgId(id)}'] (model mailing.trace ID ${id % 5000}) ` })
      }
      const pid = 20 + (r % 4)
      emit({ kind: 'cron', text: `${stampOf(t)} ${pid} INFO ${DB} ${CRON}: Job 'Mail: Email Queue Manager' (3) starting ` })
      const runStart = t
      const batch = retry.splice(0, retry.length).concat(Array.from({ length: perRun }, () => [++nextId, contact(Math.floor(rand() * CONTACTS)), 0]))
      for (const [id, rcpt, tries] of batch) {
        t += 20 + Math.floor(rand() * 60)
        const x = rand()
        if (tries === 0 && x < 0.01) {
          permanent(emit, t, pid, id, rcpt, 'SMTPRecipientsRefused', `{'${rcpt}': (550, b'5.1.1 <${rcpt}>: Recipient address rejected: User unknown')}`)
        } else if (tries === 0 && x < 0.02) {
          permanent(emit, t, pid, id, rcpt, 'SMTPDataError', "(554, b'5.7.1 This mailbox is disabled (554.30)')")
        } else if (x < 0.04 && tries < 2) {
          permanent(emit, t, pid, id, rcpt, 'SMTPDataError', "(421, b'4.7.0 Try again later, closing connection.')")
          retry.push([id, rcpt, tries + 1])
        } else {
          emit({ kind: 'attempt', status: 'sent', text: `${stampOf(t)} ${pid} INFO ${DB} ${MAIL}: Mail with ID ${id} and Message-Id '${msgId(id)}' from 'news@acme.com' to (redacted) '${anonymize(rcpt)}' successfully sent ` })
          if (rand() < 0.01) bounces.push([t + 60e3 + Math.floor(rand() * 4 * 3600e3), id, rcpt])
        }
      }
      t += 50
      emit({ kind: 'other', text: `${stampOf(t)} ${pid} INFO ${DB} ${MAIL}: Sent batch ${batch.length} emails via mail server ID #False ` })
      t += 10
      emit({ kind: 'cron', text: `${stampOf(t)} ${pid} INFO ${DB} ${CRON}: Job 'Mail: Email Queue Manager' (3) done in ${((t - runStart) / 1000).toFixed(3)}s ` })
    }
    // bounces and web lines interleave: the file is in time order, as one Odoo process writes it
    const key = (r) => r.text.slice(0, 23)
    yield recs.map((r, i) => [key(r), i, r]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1])).map((x) => x[2])
  }
}

function permanent(emit, t, pid, id, rcpt, cls, text) {
  emit({ kind: 'smtp', text: `${stampOf(t)} ${pid} INFO ${DB} ${SMTP}: Mail delivery failed via SMTP server 'None'.\n${cls}: ${text} ` })
  const t2 = t + 3
  emit({
    kind: 'attempt',
    status: 'failed',
    text: [`${stampOf(t2)} ${pid} ERROR ${DB} ${MAIL}: failed sending mail (id: ${id}) due to Mail Delivery Failed`, "Mail delivery failed via SMTP server 'None'.", `${cls}: ${text} `, ...failureTraceback(cls, text)].join('\n'),
  })
}

/** The folder (30 days by default), written on first use; returns its path. */
export async function mailCorpus({ days = 30 } = {}) {
  const it = generate(days)
  return writeFolder(`odoolog-bench-mail-v${VERSION}-${days}d`, days, () => it.next().value.map((r) => r.text).join('\n') + '\n')
}
