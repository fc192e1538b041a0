import yargs, { type Argv } from 'yargs'
import { CliError, type ExitCode } from './errors.js'
import { DIAGNOSE_FLAGS, GREP_FLAGS, LIMIT_FLAGS, MAIL_FLAGS, QUEUE_FLAGS, RETRIES_FLAGS, yargsOptions } from './flags.js'
import type { Io } from './io.js'

export const VERSION = '0.1.0'

/**
 * The command table: declares commands and flags, then lazy-loads the one that runs.
 * Every handler resolves to an exit code; nothing here prints data.
 */
export async function runCli(argv: readonly string[], io: Io): Promise<ExitCode> {
  let code: ExitCode = 0
  let helpShown = false
  const parser = yargs([...argv])
    .scriptName('odoolog')
    .version(VERSION)
    .help('help')
    .strict()
    .demandCommand(1, 'name a command: grep, mail, report or diagnose')
    .recommendCommands()
    // PATTERN and PATH stay strings as typed: `554` is not a number, `007` keeps its zeros.
    .parserConfiguration({ 'parse-positional-numbers': false, 'duplicate-arguments-array': true, 'strip-aliased': true })
    .wrap(Math.min(100, (io.stdout as { columns?: number }).columns ?? 100))
    .exitProcess(false)
    .fail((msg, err) => {
      throw err ?? new CliError(msg)
    })
    .command(
      'grep [args..]',
      'Search the logs like grep/zgrep, over a whole ~/logs folder in time order',
      (y) => grepFlags(y),
      async (a) => {
        const { grepCommand } = await import('./commands/grep.js')
        code = await grepCommand(a as never, io)
      },
    )
    .command(
      'mail [paths..]',
      'Every send attempt: mail id, Message-Id, time, outcome, SMTP code and reason',
      (y) => mailFlags(y),
      async (a) => {
        const { mailCommand } = await import('./commands/mail.js')
        code = await mailCommand(a as never, io)
      },
    )
    .command('report', 'Reports: retries per day, the daily limit, the mail queue', (y) =>
      y
        .command('retries [paths..]', 'Attempts, outcomes and retries per day, recipient, domain, code or mail', (z) => reportFlags(z, RETRIES_FLAGS)
          .example('odoolog report retries --by day ~/logs', 'the main job: retries per day'), async (a) => {
          const { retriesCommand } = await import('./commands/report.js')
          code = await retriesCommand(a as never, io)
        })
        .command('limit [paths..]', 'Attempts per 23:00-to-23:00 UTC window against the daily limit', (z) => reportFlags(z, LIMIT_FLAGS)
          .example('odoolog report limit --plan trial ~/logs', 'against 50 a day'), async (a) => {
          const { limitCommand } = await import('./commands/report.js')
          code = await limitCommand(a as never, io)
        })
        .command('queue [paths..]', 'Mail queue cron runs per day, durations, and stalls', (z) => reportFlags(z, QUEUE_FLAGS)
          .example('odoolog report queue ~/logs', 'is the queue cron running on time?'), async (a) => {
          const { queueCommand } = await import('./commands/report.js')
          code = await queueCommand(a as never, io)
        })
        .demandCommand(1, 'name a report: retries, limit or queue'),
    )
    .command(
      'diagnose [paths..]',
      "A short Markdown report tying the logs to Odoo's email troubleshooting guide",
      (y) =>
        y
          .positional('paths', { type: 'string', array: true, describe: 'logs folder, files or -' })
          .options(yargsOptions(DIAGNOSE_FLAGS))
          .example('odoolog diagnose --to jdoe@example.com ~/logs', "jdoe's timeline and the evidence"),
      async (a) => {
        const { diagnoseCommand } = await import('./commands/diagnose.js')
        code = await diagnoseCommand(a as never, io)
      },
    )
    .example('odoolog grep -F jdoe@example.com ~/logs', 'every line naming jdoe, oldest first, .gz included')
    .example("odoolog grep --records -c 'failed sending mail' ~/logs", 'count failed-send records')
  parser.showHelpOnFail(false)
  const out: string[] = []
  await parser.parseAsync([...argv], {}, (err, _argv, output) => {
    if (output) {
      out.push(output)
      helpShown = true
    }
    if (err) throw err
  })
  if (helpShown) io.stdout.write(out.join('') + '\n')
  return code
}

function reportFlags(y: Argv, table: Parameters<typeof yargsOptions>[0]) {
  return y
    .positional('paths', { type: 'string', array: true, describe: 'logs folder, files or - (default: stdin when piped, else ~/logs)' })
    .options(yargsOptions(table))
}

function mailFlags(y: Argv) {
  return y
    .usage('odoolog mail [OPTIONS] [PATH...]\n\nSend attempts in time order (with --events: queue runs, bounces and incoming errors too).')
    .positional('paths', { type: 'string', array: true, describe: 'logs folder, files or - (default: stdin when piped, else ~/logs)' })
    .options(yargsOptions(MAIL_FLAGS))
    .example('odoolog mail --to jdoe@example.com ~/logs', "jdoe's attempts with codes and reasons")
    .example('odoolog mail --status failed --format ndjson ~/logs | jq .reason', 'failure reasons, for jq')
}

function grepFlags(y: Argv) {
  return y
    .usage('odoolog grep [OPTIONS] PATTERN [PATH...]\n\nPATH: files, `-` (stdin) or a logs folder (its odoo.log* files, oldest first).\nThe same output and exit status as GNU grep with LC_ALL=C over the decompressed files.')
    .positional('args', { type: 'string', array: true, describe: 'PATTERN then PATHs (with -e, only PATHs)' })
    .options(yargsOptions(GREP_FLAGS))
    .check((a) => {
      for (const k of ['m', 'A', 'B', 'C'] as const) {
        const v = a[k]
        if (v !== undefined && (!Number.isInteger(v) || (v as number) < 0)) throw new CliError(`-${k}: invalid number`)
      }
      return true
    })
    .example("odoolog grep -F 'jdoe@example.com' ~/logs", 'one recipient over every day, archives included')
    .example("odoolog grep -c -E 'SMTP(Data|Recipients)' --since 2026-11-17 ~/logs", 'count SMTP errors since a day')
}
