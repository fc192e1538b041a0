import { SearchError } from '@odoolog/search'
import { parseGrepArgv } from './grep-options.js'
import { CliError, ExitCode } from './errors.js'
import { processIo, type Io } from './io.js'

/**
 * Runs odoolog with `argv` and returns the exit status; never calls process.exit, so piped output
 * is flushed. Known errors print as one line on stderr; anything else with its stack.
 */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<ExitCode> {
  try {
    // `grep` with flags the table knows skips yargs (see grep-options.ts); anything else goes through it
    if (argv[0] === 'grep') {
      const fast = parseGrepArgv(argv.slice(1))
      if (fast) {
        const { grepCommand } = await import('./commands/grep.js')
        return await grepCommand(fast as never, io)
      }
    }
    const { runCli } = await import('./cli.js')
    return await runCli(argv, io)
  } catch (e) {
    if (e instanceof CliError || (e instanceof SearchError && (e.code === 'E_BAD_PATTERN' || e.code === 'E_USAGE'))) {
      io.stderr.write(`odoolog: ${e.message}\nTry 'odoolog --help' for more information.\n`)
      return ExitCode.Error
    }
    if (e instanceof SearchError || isKnownMail(e)) {
      io.stderr.write(`odoolog: ${(e as Error).message}\n`)
      return ExitCode.Error
    }
    if (e instanceof Error && e.name === 'YError') {
      io.stderr.write(`odoolog: ${e.message}\nTry 'odoolog --help' for more information.\n`)
      return ExitCode.Error
    }
    io.stderr.write(`odoolog: internal error, please report it:\n${(e as Error)?.stack ?? String(e)}\n`)
    return ExitCode.Error
  }
}

function isKnownMail(e: unknown): boolean {
  return e instanceof Error && e.name === 'MailError'
}
