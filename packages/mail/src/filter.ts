import type { AttemptEvent, MailEvent } from './events.js'
import { MailError } from './errors.js'

export interface AttemptFilter {
  /** A recipient address; also matches its redacted form (j***@example.com) as Odoo 17.x/18+ log it. */
  to?: string
  mailId?: number
  messageId?: string
  status?: 'sent' | 'failed'
  code?: number
}

/** `jdoe@example.com` → `j***@example.com`, Odoo's email_anonymize for one address. */
export function redactAddress(addr: string): string {
  const at = addr.indexOf('@')
  if (at < 1) return addr
  return addr[0] + '*'.repeat(Math.max(1, at - 1)) + addr.slice(at)
}

/**
 * A predicate for attempts (other kinds pass when no attempt-only filter is set, or when they name
 * the address or mail: bounces by bounced address or mail id).
 * @throws {MailError} `E_BAD_FILTER` for a status other than sent/failed.
 */
export function attemptFilter(f: AttemptFilter): (ev: MailEvent) => boolean {
  if (f.status && f.status !== 'sent' && f.status !== 'failed') throw new MailError(`--status: expected sent or failed, got '${f.status}'`, 'E_BAD_FILTER')
  const to = f.to?.toLowerCase()
  const sameAddress = (a: string | null) => {
    if (!to || !a) return false
    const x = a.toLowerCase()
    return x === to || x === redactAddress(to)
  }
  return (ev) => {
    if (ev.kind === 'attempt') return attemptPasses(ev)
    if (f.status || f.code !== undefined || f.messageId !== undefined) return false
    if (ev.kind === 'bounce') return (!to || sameAddress(ev.bouncedAddress)) && (f.mailId === undefined || ev.mailId === f.mailId)
    return !to && f.mailId === undefined
  }
  function attemptPasses(ev: AttemptEvent): boolean {
    if (to && !sameAddress(ev.recipient)) return false
    if (f.mailId !== undefined && ev.mailId !== f.mailId) return false
    if (f.messageId !== undefined && ev.messageId !== f.messageId && ev.messageId !== `<${f.messageId.replace(/^<|>$/g, '')}>`) return false
    if (f.status && ev.status !== f.status) return false
    if (f.code !== undefined && ev.smtpCode !== f.code) return false
    return true
  }
}
