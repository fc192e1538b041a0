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

/**
 * Odoo's `email_anonymize` of one normalized address: a local part of at most 5 characters keeps its
 * first character (`jdoe@example.com` → `j***@example.com`), a longer one its first and its last two
 * (`maria.lopez@example.com` → `m********ez@example.com`); the domain is kept.
 */
export function redactAddress(addr: string): string {
  const at = addr.lastIndexOf('@')
  if (at < 1) return addr
  const local = addr.slice(0, at)
  const kept = local.length <= 5 ? local[0] + '*'.repeat(local.length - 1) : local[0] + '*'.repeat(local.length - 3) + local.slice(-2)
  return kept + addr.slice(at)
}

/**
 * One address as Odoo's `email_normalize` gives it: the display name, quotes and angle brackets
 * stripped, the domain in lower case, the local part too when it is ASCII (`"Jane Doe"
 * <JDoe@Example.com>` → `jdoe@example.com`). Text without an `@` is returned trimmed.
 */
export function normalizeAddress(text: string): string {
  let s = text.trim()
  const angle = /<([^<>]*@[^<>]*)>\s*$/.exec(s)
  if (angle) s = angle[1]!.trim()
  // quotes around the whole address or around its local part ('"test@test.com"', '"j.doe"@x.com')
  s = s.replace(/^(['"])(.*)\1$/, '$2').replace(/^"([^"]*)"@/, '$1@').trim()
  const at = s.lastIndexOf('@')
  if (at < 1) return s
  const local = s.slice(0, at)
  // eslint-disable-next-line no-control-regex
  return (/^[\x00-\x7f]*$/.test(local) ? local.toLowerCase() : local) + s.slice(at).toLowerCase()
}

/** The attempt's recipients (every address a refusal names, else the one recipient known), for grouping. */
export function recipientsOf(a: AttemptEvent): readonly string[] {
  return a.recipients.length ? a.recipients : a.recipient ? [a.recipient] : []
}

/**
 * A predicate for attempts (other kinds pass when no attempt-only filter is set, or when they name
 * the address or mail: bounces by bounced address or mail id).
 * @throws {MailError} `E_BAD_FILTER` for a status other than sent/failed.
 */
export function attemptFilter(f: AttemptFilter): (ev: MailEvent) => boolean {
  if (f.status && f.status !== 'sent' && f.status !== 'failed') throw new MailError(`--status: expected sent or failed, got '${f.status}'`, 'E_BAD_FILTER')
  const to = f.to ? addressMatcher(f.to) : null
  return (ev) => {
    if (ev.kind === 'attempt') return attemptPasses(ev)
    if (f.status || f.code !== undefined || f.messageId !== undefined) return false
    if (ev.kind === 'bounce') return (!to || to(ev.bouncedAddress)) && (f.mailId === undefined || ev.mailId === f.mailId)
    return !to && f.mailId === undefined
  }
  function attemptPasses(ev: AttemptEvent): boolean {
    if (to && !recipientsOf(ev).some(to)) return false
    if (f.mailId !== undefined && ev.mailId !== f.mailId) return false
    if (f.messageId !== undefined && ev.messageId !== f.messageId && ev.messageId !== `<${f.messageId.replace(/^<|>$/g, '')}>`) return false
    if (f.status && ev.status !== f.status) return false
    if (f.code !== undefined && ev.smtpCode !== f.code) return false
    return true
  }
}

/**
 * Whether an address as logged is ADDRESS: both normalized, or the logged one is ADDRESS's redacted
 * form (which several addresses can share: `marta.lopez` and `maria.lopez` both give `m********ez`).
 */
export function addressMatcher(address: string): (logged: string | null) => boolean {
  const to = normalizeAddress(address)
  const redacted = redactAddress(to)
  return (logged) => {
    if (!logged) return false
    if (logged === to || logged === redacted) return true
    const x = normalizeAddress(logged)
    return x === to || x === redacted
  }
}
