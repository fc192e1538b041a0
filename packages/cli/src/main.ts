import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { decodeBytes, SearchError } from '@odoolog/search'
import { DIAGNOSE_FLAGS, GREP_FLAGS, LIMIT_FLAGS, MAIL_FLAGS, parseArgv, QUEUE_FLAGS, RETRIES_FLAGS, type FlagSpec, type Parsed } from './flags.js'
import { CliError, ExitCode } from './errors.js'
import { processIo, say, type Io } from './io.js'

/** The CLI package's version, from its package.json (dist/main.js -> ../package.json). */
export const VERSION: string = (createRequire(import.meta.url)('../package.json') as { version: string }).version

interface Command {
  flags: readonly FlagSpec[]
  run: (a: Parsed, io: Io) => Promise<ExitCode>
}

/** The commands, by the words that name them; each module is loaded only when its command runs. */
export const COMMANDS: Record<string, Command> = {
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

/**
 * The command-line arguments as typed: Node decodes argv as UTF-8 and turns bytes that are not into
 * U+FFFD, so a pattern `$'\xe9'` or a file `$'\xe9name.txt'` would be lost. Linux keeps the
 * bytes in /proc/self/cmdline; the last arguments there are ours, decoded with each byte that is
 * not UTF-8 kept as an escape (names.ts). Anywhere that does not hold, Node's own argv.
 */
export function commandLine(): string[] {
  const mine = process.argv.slice(2)
  try {
    const raw = readFileSync('/proc/self/cmdline')
    const parts: Buffer[] = []
    for (let i = 0; i < raw.length; ) {
      const z = raw.indexOf(0, i)
      const end = z < 0 ? raw.length : z
      parts.push(raw.subarray(i, end))
      i = end + 1
    }
    if (parts.length < mine.length) return mine
    const ours = parts.slice(parts.length - mine.length)
    // the same arguments as Node's (decoded the same way), only with the bytes kept
    return ours.every((b, k) => b.toString('utf8') === mine[k]) ? ours.map((b) => decodeBytes(b)) : mine
  } catch {
    return mine
  }
}

/**
 * Runs odoolog with `argv` and returns the exit status; never calls process.exit, so piped output
 * is flushed. Known errors print as one line on stderr (usage errors add where the help is);
 * anything else with its stack.
 */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<ExitCode> {
  try {
    return await dispatch(argv, io)
  } catch (e) {
    if (e instanceof CliError) {
      const hint = e.grepWording ? '' : `Try 'odoolog${e.help ? ` ${e.help}` : ''} --help' for more information.`
      say(io, e.message, hint)
      return e.status
    }
    // a bad pattern: grep's message alone, as grep prints it
    if (e instanceof SearchError || isKnownMail(e)) {
      say(io, (e as Error).message)
      return ExitCode.Error
    }
    io.stderr.write(`odoolog: internal error, please report it:\n${(e as Error)?.stack ?? String(e)}\n`)
    return ExitCode.Error
  }
}

function isKnownMail(e: unknown): boolean {
  return e instanceof Error && e.name === 'MailError'
}

const NAMES = 'grep, mail, report or diagnose'

async function dispatch(argv: readonly string[], io: Io): Promise<ExitCode> {
  const [first, ...rest] = argv
  if (first === undefined) throw new CliError(`name a command: ${NAMES}`, 'E_USAGE', { help: '' })
  if (first === '-h' || first === '--help') return help([], io)
  if (first === '-V' || first === '--version') return version(io)
  if (first === 'help') return help(rest, io)
  if (first === 'completion' || argv.includes('--get-yargs-completions')) return (await import('./cli.js')).completion(argv, io)
  let name = first
  let args = rest
  if (first === 'report') {
    const sub = rest[0]
    if (sub === '-h' || sub === '--help') return help(['report'], io)
    if (sub === '-V' || sub === '--version') return version(io)
    if (sub === undefined) throw new CliError('name a report: retries, limit or queue', 'E_USAGE', { help: 'report' })
    name = `report ${sub}`
    args = rest.slice(1)
    if (!COMMANDS[name]) throw new CliError(`unknown report: ${sub} (retries, limit or queue)`, 'E_USAGE', { help: 'report' })
  }
  const cmd = COMMANDS[name]
  if (!cmd) throw new CliError(first.startsWith('-') ? `unknown option: ${first}` : `unknown command: ${first} (${NAMES})`, 'E_USAGE', { help: '' })
  const parsed = parseArgv(cmd.flags, args, name)
  if (parsed.help) return help(name.split(' '), io)
  if (parsed.version) return version(io)
  if (parsed.follow && name !== 'grep' && name !== 'mail') {
    throw new CliError(`--follow: ${name.startsWith('report') ? 'a report' : name} needs the end of its input (follow with odoolog mail --follow or odoolog grep --follow)`, 'E_USAGE', { help: name })
  }
  return cmd.run(parsed, io)
}

/** `odoolog help [COMMAND]`, `--help`, `-h`: the help on stdout, exit 0. */
async function help(path: readonly string[], io: Io): Promise<ExitCode> {
  const name = path.join(' ')
  if (path.length && !COMMANDS[name] && name !== 'report') throw new CliError(`no help for '${name}': the commands are ${NAMES}`, 'E_USAGE', { help: '' })
  const width = io.stdout.isTTY ? Math.min(io.stdout.columns || 80, 100) : 80
  io.stdout.write(await (await import('./cli.js')).helpText(path, width))
  return ExitCode.Match
}

function version(io: Io): ExitCode {
  io.stdout.write(`odoolog ${VERSION}\n`)
  return ExitCode.Match
}
