/** Fields every event has: where and when its record was logged. */
export interface EventBase {
  /** ISO 8601 UTC with milliseconds, from the record header. */
  time: string
  /** The UTC date (YYYY-MM-DD). */
  day: string
  file: string
  line: number
  pid: number
  db: string
}

/** One outcome of one try to send one mail.mail. */
export interface AttemptEvent extends EventBase {
  kind: 'attempt'
  /** null for an SMTP failure that no mail_mail record claimed. */
  mailId: number | null
  status: 'sent' | 'failed'
  messageId: string | null
  from: string | null
  /** The refused recipient; else the redacted `to` (17.x/18+); else one known from another record of the same mail. */
  recipient: string | null
  /** Every recipient a refusal names (normalized, each once; `recipient` is the first), else `[recipient]`, else `[]`. */
  recipients: string[]
  smtpCode: number | null
  enhancedCode: string | null
  errorClass: string | null
  reason: string | null
  /** true for 5xx, false for 4xx, null without an SMTP code. */
  permanent: boolean | null
  /** The text says a sending quota or limit was reached. */
  limit: boolean
  /** 1, 2, … for this mail id in the logs read, counting from 1 again after LINK_DAYS without one (null without a mail id). */
  attempt: number | null
}

/** A start of the mail queue cron, with what its end records said. */
export interface QueueRunEvent extends EventBase {
  kind: 'queue_run'
  cron: string
  /** The cron's id (18+), else null. */
  cronId: number | null
  /** Seconds, as logged (18+, later 17.x, 19) or from the start and end records (14–17). */
  duration: number | null
  /** `processed N records` (18), `done N` (19). */
  processed: number | null
  remaining: number | null
  /** Attempts logged by the same worker between the start and the end of the run. */
  attempts: number
  sent: number
  failed: number
  /** `done`, `failed` (19 or an error record), or null when no end record was found. */
  outcome: 'done' | 'failed' | null
}

/** A routing record for a bounce that came back. */
export interface BounceEvent extends EventBase {
  kind: 'bounce'
  /** The sender of the bounce (a mailer-daemon) and the address it was sent to. */
  sender: string | null
  to: string | null
  /** The bounce's own Message-Id. */
  bounceMessageId: string | null
  /** The address that bounced. */
  bouncedAddress: string | null
  /** The Message-Id(s) of the mail(s) that bounced. */
  originalMessageIds: string[]
  /** The mail it bounces, from a VERP address (bounce+ID-…) or from a Message-Id seen in the logs read. */
  mailId: number | null
}

/** A failure on the incoming side (fetchmail, routing). */
export interface IncomingErrorEvent extends EventBase {
  kind: 'incoming_error'
  /** `imap`, `pop`, … and the server's name, where the record gives them. */
  serverType: string | null
  server: string | null
  errorClass: string | null
  reason: string | null
}

export type MailEvent = AttemptEvent | QueueRunEvent | BounceEvent | IncomingErrorEvent
export type MailEventKind = MailEvent['kind']

/** What the parser read. */
export interface ParseStats {
  records: number
  orphanLines: number
  events: Record<MailEventKind, number>
  /** Files that could not be read whole. */
  errors: number
}
