import yargs, { type Argv } from 'yargs'
import { ExitCode } from './errors.js'
import { DIAGNOSE_FLAGS, GREP_FLAGS, LIMIT_FLAGS, MAIL_FLAGS, QUEUE_FLAGS, RETRIES_FLAGS, type FlagSpec } from './flags.js'
import type { Io } from './io.js'
import { VERSION } from './main.js'

/**
 * The help text and the shell completion, built by yargs from the flag tables of flags.ts. Commands
 * never run through here: main.ts reads their flags itself (see flags.ts for why).
 */

const PATHS = 'PATH: a logs folder (its odoo.log* files, oldest first), files, or - for stdin (gzip is decompressed). No PATH: stdin when it is a pipe or a file, else ~/logs (a terminal, /dev/null or a closed stdin is no input).'

/** Examples as two lines each, the command whole, so that 80 columns never cut one. */
function examples(list: [string, string][]): string {
  return 'Examples:\n' + list.map(([cmd, what]) => `  ${cmd}\n      ${what}`).join('\n')
}

function withFlags(y: Argv, table: readonly FlagSpec[], usage: string, about: string, ex: [string, string][]): Argv {
  // -h is grep's --no-filename; the other commands take it for --help
  if (table !== GREP_FLAGS) y = y.alias('help', 'h')
  return y
    .usage(`${usage}\n\n${about}`)
    .options(yargsOptions(table))
    .epilogue(`${PATHS}\n\n${examples(ex)}`)
}

/** The yargs option object of a flag table. */
function yargsOptions(table: readonly FlagSpec[]): Record<string, object> {
  const shown = table.filter((f) => f.key !== 'help' && f.key !== 'version')
  return Object.fromEntries(
    shown.map((f) => {
      const names = [...(f.short ? [f.long[0]] : []), ...f.long.slice(1)].filter((n): n is string => !!n)
      return [f.short ?? f.long[0]!, { alias: names, type: f.type, describe: f.describe, hidden: f.hidden, choices: f.choices, default: f.default }]
    }),
  )
}

function parser(width: number): Argv {
  return yargs()
    .scriptName('odoolog')
    .usage('odoolog COMMAND [OPTIONS] [PATH...]\n\nWhat happened to my emails? Odoo logs (~/logs), plain and gzip, in time order.')
    .version(VERSION)
    .help('help')
    .alias('version', 'V')
    .wrap(width)
    .exitProcess(false)
    .showHelpOnFail(false)
    .completion('completion', 'print a bash/zsh completion script: odoolog completion >> ~/.bashrc')
    .command('grep', 'Search the logs like grep/zgrep, over a whole ~/logs folder in time order', (y) =>
      withFlags(y, GREP_FLAGS, 'odoolog grep [OPTIONS] PATTERN [PATH...]\n       odoolog grep --to ADDRESS [OPTIONS] [PATTERN] [PATH...]', 'The same output and exit status as GNU grep 3.8 with LC_ALL=C, over the decompressed files.', [
        ['odoolog grep --to jdoe@example.com ~/logs', 'every record of the mails sent to jdoe: attempts, tracebacks, bounces'],
        ["odoolog grep -F 'jdoe@example.com' ~/logs", 'every line that names jdoe, oldest first, archives included'],
        ["odoolog grep --records -n 'id: 9003' ~/logs", 'the whole failure record of mail 9003, traceback and all'],
        ["odoolog grep -c -E 'SMTP(Data|Recipients)Error' --since 2026-11-17 ~/logs", 'SMTP errors per file since a day'],
        ['odoolog grep --follow --records -F jdoe@example.com ~/logs', 'then go on with what Odoo writes, across the 05:00 rotation (Ctrl-C ends)'],
      ]),
    )
    .command('mail', 'Every send attempt: mail id, time, outcome, recipient, SMTP code and reason', (y) =>
      withFlags(y, MAIL_FLAGS, 'odoolog mail [OPTIONS] [PATH...]', 'Send attempts in time order (with --events: queue runs, bounces and incoming errors too).', [
        ['odoolog mail --to jdoe@example.com ~/logs', "jdoe's attempts with codes and reasons"],
        ['odoolog mail --status failed --format ndjson ~/logs | jq .reason', 'failure reasons, for jq'],
        ['odoolog mail --follow ~/logs', 'watch a test mail go out: each attempt as Odoo logs it'],
      ]),
    )
    .command('report', 'Reports: retries per day, the daily limit, the mail queue', (y) =>
      y
        .usage('odoolog report retries|limit|queue [OPTIONS] [PATH...]')
        .command('retries', 'Attempts, outcomes and retries per day, recipient, domain, code or mail', (z) =>
          withFlags(z, RETRIES_FLAGS, 'odoolog report retries [OPTIONS] [PATH...]', 'Attempts, sent, failed and retries per group.', [
            ['odoolog report retries --by day ~/logs', 'the main job: retries per day'],
            ['odoolog report retries --by domain --format csv ~/logs > domains.csv', 'per recipient domain, for a spreadsheet'],
          ]),
        )
        .command('limit', 'Attempts per 23:00-to-23:00 UTC window against the daily limit', (z) =>
          withFlags(z, LIMIT_FLAGS, 'odoolog report limit [OPTIONS] [PATH...]', "Odoo's daily sending limit resets at 23:00 UTC.", [
            ['odoolog report limit --plan trial ~/logs', 'against 50 a day'],
          ]),
        )
        .command('queue', 'Mail queue cron runs per day, durations, and stalls', (z) =>
          withFlags(z, QUEUE_FLAGS, 'odoolog report queue [OPTIONS] [PATH...]', 'The Mail: Email Queue Manager cron, per day.', [
            ['odoolog report queue ~/logs', 'is the queue cron running on time?'],
          ]),
        )
        .epilogue(examples([['odoolog report retries --by day ~/logs', 'retries per day']])),
    )
    .command('diagnose', "A report tying the logs to Odoo's email troubleshooting guide (Markdown, JSON or one HTML file)", (y) =>
      withFlags(y, DIAGNOSE_FLAGS, 'odoolog diagnose [OPTIONS] [PATH...]', "The evidence Odoo's email guide asks for; with --to, one recipient's timeline.", [
        ['odoolog diagnose ~/logs > diagnosis.md', 'the whole folder, for a support ticket'],
        ['odoolog diagnose --to jdoe@example.com ~/logs', "jdoe's timeline and the evidence"],
        ['odoolog diagnose --format html ~/logs > report.html', 'charts and tables in one file that opens offline'],
      ]),
    )
    .command('help [command..]', 'Show the help of a command')
    .epilogue(
      `${PATHS}\n\nExit status: 0 something selected, 1 nothing, 2 an error.\n\n` +
        examples([
          ['odoolog report retries --by day ~/logs', 'failed sends and retries per day'],
          ['odoolog mail --to jdoe@example.com ~/logs', 'every attempt to one recipient, with SMTP codes'],
          ['odoolog grep -F jdoe@example.com ~/logs', 'grep over the whole folder, archives included'],
          ['odoolog diagnose ~/logs > diagnosis.md', 'the evidence for a support ticket'],
        ]),
    )
}

/** The help of `path` (`[]`, `['mail']`, `['report', 'limit']`) at `width` columns. */
export async function helpText(path: readonly string[], width: number): Promise<string> {
  let out = ''
  await parser(width).parseAsync([...path, '--help'], {}, (_err, _argv, output) => {
    out += output
  })
  return out.endsWith('\n') ? out : out + '\n'
}

/** `odoolog completion` (the script) and the shell's `--get-yargs-completions` calls. */
export async function completion(argv: readonly string[], io: Io): Promise<ExitCode> {
  let out = ''
  const log = console.log
  // yargs prints completions with console.log
  console.log = (...a: unknown[]) => {
    out += a.join(' ') + '\n'
  }
  try {
    await parser(80).parseAsync([...argv], {}, (_err, _argv, output) => {
      if (output) out += output + '\n'
    })
  } finally {
    console.log = log
  }
  io.stdout.write(out)
  return ExitCode.Match
}
