/** Stable codes of the mail package's errors. */
export type MailErrorCode = 'E_BAD_FILTER'

/** The one error class of `@odoolog/mail`: thrown only on misuse (a filter that cannot be read). */
export class MailError extends Error {
  override name = 'MailError'
  constructor(
    message: string,
    readonly code: MailErrorCode,
    options?: ErrorOptions,
  ) {
    super(message, options)
  }
}
