/** Stable codes of the CLI's own errors. */
export type CliErrorCode = 'E_USAGE' | 'E_INTERNAL'

export interface CliErrorOptions extends ErrorOptions {
  /** The command whose help the message points to (`mail`, `report limit`); '' for odoolog's own. */
  help?: string
  /** GNU grep's own wording for one of its values (`invalid max count`): printed alone, as grep does. */
  grepWording?: boolean
  /** The exit status when not 2 (grep exits 1 on a bad `-d` ACTION). */
  status?: 0 | 1 | 2
}

/**
 * The one error class of `@odoolog/cli`: a usage error (unknown flag, missing pattern, a refused
 * value) prints as one line on stderr, then where to find the help, and exits 2.
 */
export class CliError extends Error {
  override name = 'CliError'
  readonly help: string | undefined
  readonly grepWording: boolean
  readonly status: 0 | 1 | 2

  constructor(
    message: string,
    readonly code: CliErrorCode = 'E_USAGE',
    options: CliErrorOptions = {},
  ) {
    super(message, options)
    this.help = options.help
    this.grepWording = !!options.grepWording
    this.status = options.status ?? 2
  }
}

/** Exit statuses, as grep: 0 something selected, 1 nothing, 2 an error (even when something was). */
export const ExitCode = { Match: 0, NoMatch: 1, Error: 2 } as const
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode]
