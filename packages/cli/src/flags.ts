/**
 * Every command's flags, declared once: cli.ts builds the yargs options from these tables, and
 * parseArgv() reads the common case with them before yargs is even loaded. Loading yargs and
 * building its parser cost ~100 ms per run (60 ms import, 40 ms parse, measured on this machine),
 * a fifth of `odoolog grep -F` over the bench folder (0.45 s then); grep users run it in loops.
 * yargs still reads everything this parser does not know, and writes help and usage errors.
 */
export interface FlagSpec {
  /** The key in the parsed arguments (the short letter where grep has one). */
  key: string
  short?: string
  long: string[]
  type: 'boolean' | 'string' | 'number'
  /** Repeatable (-e, --level): values collect into an array. */
  repeat?: boolean
  describe: string
  hidden?: boolean
  /** The only values allowed (others go to yargs, which names them). */
  choices?: readonly string[]
  default?: string | number
}

function WINDOW(): FlagSpec[] {
  return [
    { key: 'since', long: ['since'], type: 'string', describe: 'records at or after: a UTC day (2026-11-17) or an ISO instant' },
    { key: 'until', long: ['until'], type: 'string', describe: 'records at or before: a UTC day (whole day) or an ISO instant' },
  ]
}

export const GREP_FLAGS: readonly FlagSpec[] = [
  { key: 'e', short: 'e', long: ['regexp'], type: 'string', repeat: true, describe: 'a pattern (repeatable)' },
  { key: 'F', short: 'F', long: ['fixed-strings'], type: 'boolean', describe: 'patterns are fixed strings' },
  { key: 'E', short: 'E', long: ['extended-regexp'], type: 'boolean', describe: 'patterns are extended regexes' },
  { key: 'G', short: 'G', long: ['basic-regexp'], type: 'boolean', describe: 'patterns are basic regexes (default)' },
  { key: 'P', short: 'P', long: ['perl-regexp'], type: 'boolean', describe: 'patterns are JavaScript regexes' },
  { key: 'i', short: 'i', long: ['ignore-case'], type: 'boolean', describe: 'ignore case (ASCII letters)' },
  { key: 'y', short: 'y', long: [], type: 'boolean', describe: 'the same as -i', hidden: true },
  { key: 'v', short: 'v', long: ['invert-match'], type: 'boolean', describe: 'select non-matching lines' },
  { key: 'w', short: 'w', long: ['word-regexp'], type: 'boolean', describe: 'match whole words' },
  { key: 'x', short: 'x', long: ['line-regexp'], type: 'boolean', describe: 'match whole lines' },
  { key: 'c', short: 'c', long: ['count'], type: 'boolean', describe: 'print a count per file' },
  { key: 'l', short: 'l', long: ['files-with-matches'], type: 'boolean', describe: 'print names of files with a match' },
  { key: 'L', short: 'L', long: ['files-without-match'], type: 'boolean', describe: 'print names of files without one' },
  { key: 'n', short: 'n', long: ['line-number'], type: 'boolean', describe: 'prefix line numbers' },
  { key: 'b', short: 'b', long: ['byte-offset'], type: 'boolean', describe: 'prefix byte offsets' },
  { key: 'H', short: 'H', long: ['with-filename'], type: 'boolean', describe: 'prefix file names' },
  { key: 'h', short: 'h', long: ['no-filename'], type: 'boolean', describe: 'never prefix file names' },
  { key: 'o', short: 'o', long: ['only-matching'], type: 'boolean', describe: 'print only the matches' },
  { key: 'q', short: 'q', long: ['quiet', 'silent'], type: 'boolean', describe: 'print nothing; exit 0 on a match' },
  { key: 's', short: 's', long: ['no-messages'], type: 'boolean', describe: 'no messages about unreadable files' },
  { key: 'a', short: 'a', long: ['text'], type: 'boolean', describe: 'binary files are text' },
  { key: 'r', short: 'r', long: ['recursive'], type: 'boolean', describe: 'accepted for grep habits: folders are always searched', hidden: true },
  { key: 'm', short: 'm', long: ['max-count'], type: 'number', describe: 'stop a file after NUM selected lines' },
  { key: 'A', short: 'A', long: ['after-context'], type: 'number', describe: 'NUM lines after' },
  { key: 'B', short: 'B', long: ['before-context'], type: 'number', describe: 'NUM lines before' },
  { key: 'C', short: 'C', long: ['context'], type: 'number', describe: 'NUM lines before and after' },
  { key: 'color', long: ['color', 'colour'], type: 'string', describe: 'auto (default), always or never; NO_COLOR turns auto off' },
  { key: 'records', long: ['records'], type: 'boolean', describe: 'the unit is the Odoo record (header + traceback), not the line' },
  ...WINDOW(),
  { key: 'level', long: ['level'], type: 'string', repeat: true, describe: 'records of this level (repeat or comma-separate; implies --records)' },
  { key: 'db', long: ['db'], type: 'string', repeat: true, describe: 'records of this database (repeat or comma-separate; implies --records)' },
  { key: 'logger', long: ['logger'], type: 'string', repeat: true, describe: 'records of this logger or its children (implies --records)' },
  { key: 'json', long: ['json'], type: 'boolean', describe: 'one NDJSON object per selected line or record' },
  { key: 'allLogs', long: ['all-logs'], type: 'boolean', describe: 'in folders, also install.log, update.log, pip.log, pg_long_queries.log' },
]

export const MAIL_FLAGS: readonly FlagSpec[] = [
  ...WINDOW(),
  { key: 'events', long: ['events'], type: 'boolean', describe: 'every event kind, not only attempts' },
  { key: 'to', long: ['to'], type: 'string', describe: 'recipient (also matches its redacted form j***@example.com)' },
  { key: 'mailId', long: ['mail-id'], type: 'number', describe: 'one mail.mail id' },
  { key: 'messageId', long: ['message-id'], type: 'string', describe: 'one Message-Id' },
  { key: 'status', long: ['status'], type: 'string', choices: ['sent', 'failed'], describe: 'only sent or only failed attempts' },
  { key: 'code', long: ['code'], type: 'number', describe: 'SMTP code, e.g. 554' },
  { key: 'format', long: ['format'], type: 'string', choices: ['table', 'ndjson', 'csv', 'tsv'], describe: 'default: table on a TTY, tsv when piped' },
  { key: 'stats', long: ['stats'], type: 'boolean', describe: "the parser's counts on stderr" },
]

const REPORT_FLAGS: readonly FlagSpec[] = [
  ...WINDOW(),
  { key: 'format', long: ['format'], type: 'string', choices: ['table', 'json', 'ndjson', 'csv', 'tsv'], describe: 'default: table on a TTY, tsv when piped' },
]

export const RETRIES_FLAGS: readonly FlagSpec[] = [
  ...REPORT_FLAGS,
  { key: 'by', long: ['by'], type: 'string', choices: ['day', 'recipient', 'domain', 'code', 'mail'], default: 'day', describe: 'group by' },
]

export const LIMIT_FLAGS: readonly FlagSpec[] = [
  ...REPORT_FLAGS,
  { key: 'limit', long: ['limit'], type: 'number', describe: 'mails a day (default 200)' },
  { key: 'plan', long: ['plan'], type: 'string', choices: ['paid', 'trial', 'free'], describe: "the guide's presets: 200, 50, 20" },
]

export const QUEUE_FLAGS: readonly FlagSpec[] = REPORT_FLAGS

export const DIAGNOSE_FLAGS: readonly FlagSpec[] = [
  ...WINDOW(),
  { key: 'to', long: ['to'], type: 'string', describe: "one recipient's timeline, to paste into a support ticket" },
  { key: 'limit', long: ['limit'], type: 'number', describe: 'daily limit (default 200)' },
  { key: 'format', long: ['format'], type: 'string', choices: ['markdown', 'json'], default: 'markdown', describe: 'markdown or json' },
]

/** The yargs option object for a table (cli.ts). */
export function yargsOptions(table: readonly FlagSpec[]): Record<string, object> {
  return Object.fromEntries(
    table.map((f) => {
      const names = [...(f.short ? [f.long[0]] : []), ...f.long.slice(1)].filter((n): n is string => !!n)
      return [
        f.short ?? f.long[0]!,
        { alias: names, type: f.type, describe: f.describe, hidden: f.hidden, choices: f.choices, default: f.default, requiresArg: f.type !== 'boolean' && f.key !== 'color' },
      ]
    }),
  )
}

export type Parsed = Record<string, unknown> & { args: string[] }

/**
 * GNU getopt's reading of `grep` arguments: clustered short flags (`-inH`), attached or separate
 * values (`-A3`, `-A 3`, `--max-count=3`), options after operands, `--` ending options.
 * Returns null for anything it does not know (help, version, an unknown or malformed flag): the
 * caller then hands the whole line to yargs, which explains the problem.
 */
export function parseArgv(table: readonly FlagSpec[], argv: readonly string[]): Parsed | null {
  const out: Parsed = { args: [] }
  for (const f of table) if (f.default !== undefined) out[f.key] = f.default
  const byShort = new Map(table.filter((f) => f.short).map((f) => [f.short!, f]))
  const byLong = new Map(table.flatMap((f) => f.long.map((l) => [l, f] as const)))
  const set = (f: FlagSpec, raw: string | true): boolean => {
    let v: unknown = raw
    if (f.type === 'boolean') v = true
    else if (raw === true) return false
    else if (f.type === 'number') {
      if (!/^\d+$/.test(raw)) return false
      v = Number(raw)
    } else if (f.choices && !f.choices.includes(raw)) return false
    if (f.repeat) out[f.key] = [...((out[f.key] as unknown[]) ?? []), v]
    else out[f.key] = v
    return true
  }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if (a === '--') {
      out.args.push(...argv.slice(i + 1))
      break
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=')
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq)
      const f = byLong.get(name)
      if (!f) return null
      if (f.type === 'boolean') {
        if (eq >= 0) return null
        set(f, true)
      } else if (eq >= 0) {
        if (!set(f, a.slice(eq + 1))) return null
      } else if (f.key === 'color') set(f, 'auto')
      else {
        if (i + 1 >= argv.length || !set(f, argv[++i]!)) return null
      }
      continue
    }
    if (a.startsWith('-') && a.length > 1) {
      for (let k = 1; k < a.length; k++) {
        const f = byShort.get(a[k]!)
        if (!f) return null
        if (f.type === 'boolean') {
          set(f, true)
          continue
        }
        const rest = a.slice(k + 1)
        if (rest) {
          if (!set(f, rest)) return null
        } else if (i + 1 >= argv.length || !set(f, argv[++i]!)) return null
        break
      }
      continue
    }
    out.args.push(a)
  }
  return out
}
