import { SearchError } from '@odoolog/search'
import { DIAGNOSE_FLAGS, GREP_FLAGS, LIMIT_FLAGS, MAIL_FLAGS, parseArgv, QUEUE_FLAGS, RETRIES_FLAGS, type FlagSpec, type Parsed } from './flags.js'
import { CliError, ExitCode } from './errors.js'
import { processIo, type Io } from './io.js'

/**
 * Runs odoolog with `argv` and returns the exit status; never calls process.exit, so piped output
 * is flushed. Known errors print as one line on stderr; anything else with its stack.
 */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<ExitCode> {
  try {
    // a command line the flag tables read whole skips yargs (see flags.ts); anything else goes through it
    const fast = await fastCommand(argv, io)
    if (fast !== null) return fast
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

const FAST: Record<string, { flags: readonly FlagSpec[]; run: (a: Parsed, io: Io) => Promise<ExitCode> }> = {
  grep: { flags: GREP_FLAGS, run: async (a, io) => (await import('./commands/grep.js')).grepCommand(a as never, io) },
  mail: { flags: MAIL_FLAGS, run: async (a, io) => (await import('./commands/mail.js')).mailCommand(paths(a) as never, io) },
  'report retries': { flags: RETRIES_FLAGS, run: async (a, io) => (await import('./commands/report.js')).retriesCommand(paths(a) as never, io) },
  'report limit': { flags: LIMIT_FLAGS, run: async (a, io) => (await import('./commands/report.js')).limitCommand(paths(a) as never, io) },
  'report queue': { flags: QUEUE_FLAGS, run: async (a, io) => (await import('./commands/report.js')).queueCommand(paths(a) as never, io) },
  diagnose: { flags: DIAGNOSE_FLAGS, run: async (a, io) => (await import('./commands/diagnose.js')).diagnoseCommand(paths(a) as never, io) },
}

function paths(a: Parsed): Parsed & { paths: string[] } {
  return { ...a, paths: a.args }
}

async function fastCommand(argv: readonly string[], io: Io): Promise<ExitCode | null> {
  const name = argv[0] === 'report' ? `report ${argv[1]}` : argv[0]
  const cmd = name === undefined ? undefined : FAST[name]
  if (!cmd) return null
  const parsed = parseArgv(cmd.flags, argv.slice(name!.split(' ').length))
  return parsed ? cmd.run(parsed, io) : null
}
