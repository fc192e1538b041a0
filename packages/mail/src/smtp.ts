import { normalizeAddress } from './filter.js'

/** What an SMTP failure text says, in any Odoo version's rendering (odoo-log-formats.md §2.1, §7). */
export interface SmtpDetails {
  errorClass: string | null
  smtpCode: number | null
  enhancedCode: string | null
  /** The first refused recipient, normalized (see `recipients`). */
  recipient: string | null
  /** Every recipient a refusal names (SMTPRecipientsRefused's keys), normalized, each once. */
  recipients: string[]
  sender: string | null
  /** The server's own words (or the exception text when there is no code). */
  text: string | null
}

const PY_STR = `b?(?:'((?:[^'\\\\]|\\\\.)*)'|"((?:[^"\\\\]|\\\\.)*)")`

/** Undoes a Python str/bytes repr's escapes (enough for SMTP replies). */
function unrepr(s: string): string {
  return s.replace(/\\(['"\\])/g, '$1').replace(/\\n/g, '\n').replace(/\\r/g, '').replace(/\\t/g, '\t')
}

/**
 * Reads `<ExcClass>: <rendering>` as logged after `Mail delivery failed via SMTP server '…'.`:
 * - 14–17: `SMTPDataError: 554\n5.7.1 text` (args joined by newlines; SenderRefused has a third line)
 * - 18+: `SMTPDataError: (554, b'5.7.1 text')`, `SMTPSenderRefused: (553, b'…', 'sender')`
 * - all: `SMTPRecipientsRefused: {'rcpt': (550, b'…')}`; 8.0 without the `b`.
 */
export function parseSmtpFailure(block: string): SmtpDetails {
  const m = /^(\w+): ?([\s\S]*)$/.exec(block.trim())
  if (!m) return { errorClass: null, smtpCode: null, enhancedCode: null, recipient: null, recipients: [], sender: null, text: block.trim() || null }
  const errorClass = m[1]!
  const body = m[2]!.trim()
  let code: number | null = null
  let text: string | null = body || null
  const recipients: string[] = []
  let sender: string | null = null
  let r: RegExpExecArray | null
  if ((r = new RegExp(`^\\{\\s*${PY_STR}\\s*:\\s*\\((\\d{3}),\\s*${PY_STR}\\)`).exec(body))) {
    code = Number(r[3])
    text = unrepr(r[4] ?? r[5] ?? '')
    // every entry of the dict, read in turn (a refusal of several recipients counts for each; 8.0
    // logged {'"test@test.com"': (554, …), 'test@test.com': (554, …)}: one address once normalized)
    const entry = new RegExp(`\\s*${PY_STR}\\s*:\\s*\\((\\d{3}),\\s*${PY_STR}\\)\\s*([,}])`, 'y')
    entry.lastIndex = body.indexOf('{') + 1
    const seen = new Set<string>()
    for (let e: RegExpExecArray | null; (e = entry.exec(body)); ) {
      const a = normalizeAddress(unrepr(e[1] ?? e[2] ?? ''))
      if (a && !seen.has(a)) recipients.push(a)
      seen.add(a)
      if (e[6] === '}') break
    }
    if (!recipients.length) recipients.push(normalizeAddress(unrepr(r[1] ?? r[2] ?? '')))
  } else if ((r = new RegExp(`^\\((\\d{3}),\\s*${PY_STR}(?:,\\s*${PY_STR})?\\)`).exec(body))) {
    code = Number(r[1])
    text = unrepr(r[2] ?? r[3] ?? '')
    if (r[4] !== undefined || r[5] !== undefined) sender = unrepr(r[4] ?? r[5] ?? '')
  } else if ((r = /^(\d{3})(?:\n([\s\S]*))?$/.exec(body))) {
    code = Number(r[1])
    const lines = (r[2] ?? '').split('\n').map((l) => l.trimEnd())
    if (errorClass === 'SMTPSenderRefused' && lines.length > 1 && /^\S+@\S+$/.test(lines[lines.length - 1]!)) sender = lines.pop()!
    text = lines.join('\n').trim() || null
  }
  const enhanced = text ? /(?:^|[\s(<])([245]\.\d{1,3}\.\d{1,3})(?=$|[\s).:;,])/.exec(text) : null
  return { errorClass, smtpCode: code, enhancedCode: enhanced ? enhanced[1]! : null, recipient: recipients[0] ?? null, recipients, sender, text }
}

/** A sending quota or limit reached, in the SMTP server's words. */
export function saysLimit(text: string | null): boolean {
  if (!text) return false
  return /\bquota\b|\b(?:daily|sending|send|rate|message|hourly)\s+limit\b|\blimit\s+(?:reached|exceeded)\b|\btoo many (?:messages|emails|mails)\b/i.test(text)
}
