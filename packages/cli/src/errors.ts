/** Stable codes of the CLI's own errors. */
export type CliErrorCode = 'E_USAGE' | 'E_INTERNAL'

/**
 * The one error class of `@odoolog/cli`: a usage error (unknown flag, missing pattern, a bad value)
 * prints as one line plus a hint and exits 2.
 */
export class CliError extends Error {
  override name = 'CliError'
  constructor(
    message: string,
    readonly code: CliErrorCode = 'E_USAGE',
    options?: ErrorOptions,
  ) {
    super(message, options)
  }
}

/** Exit statuses, as grep: 0 selected, 1 none, 2 error. Reports exit 0 or 2. */
export const ExitCode = { Match: 0, NoMatch: 1, Error: 2 } as const
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode]
