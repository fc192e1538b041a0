import { LEVELS, parseTimeBound } from '@odoolog/search'
import { CliError } from './errors.js'

/**
 * Every command's flags, declared once. parseArgv() reads a command line with them, the GNU getopt
 * way, and checks every value before anything is read; cli.ts builds the help text and the shell
 * completion from the same tables (yargs, loaded only for those: importing it and building its parser
 * cost ~100 ms per run, a fifth of `odoolog grep -F` over the bench folder).
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
  /** The values allowed, for the help (`value` does the checking). */
  choices?: readonly string[]
  default?: string | number
  /** Reads and checks a value, or refuses it with a CliError that names the flag. */
  value?: (raw: string, flag: string) => unknown
  /** A long option whose value is optional: this is its value when none is attached (`--color`). */
  optional?: string
  /** Flags this one undoes when it comes later (grep: the last of -l/-L, of -H/-h, wins). */
  overrides?: string
  /** One of grep's matchers (-E, -F, -G, -P): two different ones are refused, as grep refuses them. */
  matcher?: boolean
  /** A boolean flag that stores this value under `key` (-a and -I are --binary-files values: the last wins). */
  sets?: string
}

/** A value that asks for the help instead (grep 3.8 shows its help, exit 0, for `--color=bogus`). */
export const SHOW_HELP = Symbol('help')

/** Usage errors of odoolog's own flags: one line naming the flag, then the command's help. */
function refuse(flag: string, accepts: string, raw: string): never {
  throw new CliError(`${flag}: expected ${accepts}, got '${raw}'`)
}

export function int(min: number, max: number) {
  return (raw: string, flag: string): number => {
    const n = /^\d{1,16}$/.test(raw) ? Number(raw) : NaN
    if (!(n >= min && n <= max)) refuse(flag, `a whole number from ${min} to ${max}`, raw)
    return n
  }
}

/** One of `values`, in any case; the value as listed. */
export function oneOf(values: readonly string[]) {
  return (raw: string, flag: string): string => {
    const v = values.find((x) => x.toLowerCase() === raw.toLowerCase())
    if (v === undefined) refuse(flag, `one of ${values.join(', ')}`, raw)
    return v
  }
}

/** `--level error,warning`: Odoo's level names, in any case, comma-separated. */
function levels(raw: string, flag: string): string[] {
  return raw.split(',').map((x) => oneOf(LEVELS)(x, flag))
}

function instant(side: 'since' | 'until') {
  return (raw: string): string => {
    try {
      parseTimeBound(raw, side)
    } catch (e) {
      throw new CliError((e as Error).message)
    }
    return raw
  }
}

/** C's isspace in the C locale. */
const SPACE = '[ \\t\\n\\v\\f\\r]'
/** grep reads NUM with strtoimax: leading spaces, a sign, decimal digits, nothing after; overflow is the largest. */
const GREP_NUM = new RegExp(`^${SPACE}*([+-]?)(\\d+)$`)

function grepNumber(raw: string): number | null {
  const m = GREP_NUM.exec(raw)
  if (!m) return null
  const n = Math.min(Number(m[2]), Number.MAX_SAFE_INTEGER)
  return m[1] === '-' ? -n : n
}

/** `-m NUM` as grep 3.8: a negative NUM is no limit; anything else not a number is refused. */
function maxCount(raw: string): number | undefined {
  const n = grepNumber(raw)
  if (n === null) throw new CliError('invalid max count', 'E_USAGE', { grepWording: true })
  return n < 0 ? undefined : n
}

/** `-A/-B/-C NUM` as grep 3.8: a number >= 0 (`-0` too). */
function context(raw: string): number {
  const n = grepNumber(raw)
  if (n === null || n < 0) throw new CliError(`${raw}: invalid context length argument`, 'E_USAGE', { grepWording: true })
  return n === 0 ? 0 : n
}

/** `--color=WHEN` as grep 3.8 (case-insensitive); any other WHEN shows the help and exits 0, as grep does. */
function color(raw: string): string | typeof SHOW_HELP {
  const v = raw.toLowerCase()
  if (v === 'always' || v === 'yes' || v === 'force') return 'always'
  if (v === 'never' || v === 'no' || v === 'none') return 'never'
  if (v === 'auto' || v === 'tty' || v === 'if-tty') return 'auto'
  return SHOW_HELP
}

/** `--to ADDRESS`: one address (a display name and angle brackets are accepted, as Odoo normalizes them). */
function address(raw: string, flag: string): string {
  const a = raw.trim()
  const at = a.lastIndexOf('@')
  if (at < 1 || at === a.length - 1 || /[\s,;]/.test(a.replace(/^.*<|>\s*$/g, ''))) refuse(flag, 'one email address', raw)
  return a
}

/** grep's --binary-files=TYPE. */
function binaryFiles(raw: string): string {
  if (raw === 'binary' || raw === 'text' || raw === 'without-match') return raw
  throw new CliError('unknown binary-files type', 'E_USAGE', { grepWording: true })
}

/** grep's -d ACTION (argmatch: an unambiguous prefix is fine; grep exits 1 with its usage otherwise). */
function directories(raw: string): string {
  const hits = ['read', 'recurse', 'skip'].filter((v) => v.startsWith(raw) && raw !== '')
  const exact = hits.includes(raw) ? raw : hits.length === 1 ? hits[0]! : null
  if (exact) return exact
  const valid = "Valid arguments are:\n  - 'read'\n  - 'recurse'\n  - 'skip'\nUsage: odoolog grep [OPTIONS] PATTERN [PATH...]\nTry 'odoolog grep --help' for more information."
  throw new CliError(`${hits.length > 1 ? 'ambiguous' : 'invalid'} argument '${raw}' for '--directories'\n${valid}`, 'E_USAGE', { grepWording: true, status: 1 })
}

/** grep's -D ACTION. */
function devices(raw: string): string {
  if (raw === 'read' || raw === 'skip') return raw
  throw new CliError('unknown devices method', 'E_USAGE', { grepWording: true })
}

const FOLLOW: FlagSpec = {
  key: 'follow', long: ['follow'], type: 'boolean',
  describe: 'then keep reading odoo.log (or the one FILE) as it grows, across the daily rotation, until Ctrl-C',
}
/** Reports need the end of their input: --follow is known to them only to be refused clearly. */
const NO_FOLLOW: FlagSpec = { key: 'follow', long: ['follow'], type: 'boolean', describe: 'refused: a report needs the end of its input', hidden: true }

/** Mail, report and diagnose read rotated files' records from the cache, grep their index (see the README's Cache section). */
const NO_CACHE: FlagSpec = { key: 'noCache', long: ['no-cache'], type: 'boolean', describe: 'read every file, and write no cache (~/.cache/odoolog)' }

const HELP: FlagSpec = { key: 'help', long: ['help'], type: 'boolean', describe: 'show this help' }
const VERSION: FlagSpec = { key: 'version', short: 'V', long: ['version'], type: 'boolean', describe: "show odoolog's version" }

function WINDOW(): FlagSpec[] {
  return [
    { key: 'since', long: ['since'], type: 'string', value: instant('since'), describe: 'records at or after: a UTC day (2026-11-17) or an ISO instant' },
    { key: 'until', long: ['until'], type: 'string', value: instant('until'), describe: 'records at or before: a UTC day (whole day) or an ISO instant' },
  ]
}

export const GREP_FLAGS: readonly FlagSpec[] = [
  { key: 'e', short: 'e', long: ['regexp'], type: 'string', repeat: true, describe: 'a pattern (repeatable)' },
  { key: 'F', short: 'F', long: ['fixed-strings'], type: 'boolean', matcher: true, describe: 'patterns are fixed strings' },
  { key: 'E', short: 'E', long: ['extended-regexp'], type: 'boolean', matcher: true, describe: 'patterns are extended regexes' },
  { key: 'G', short: 'G', long: ['basic-regexp'], type: 'boolean', matcher: true, describe: 'patterns are basic regexes (default)' },
  { key: 'P', short: 'P', long: ['perl-regexp'], type: 'boolean', matcher: true, describe: 'patterns are JavaScript regexes' },
  { key: 'i', short: 'i', long: ['ignore-case'], type: 'boolean', describe: 'ignore case (ASCII letters)' },
  { key: 'y', short: 'y', long: [], type: 'boolean', describe: 'the same as -i', hidden: true },
  { key: 'v', short: 'v', long: ['invert-match'], type: 'boolean', describe: 'select non-matching lines' },
  { key: 'w', short: 'w', long: ['word-regexp'], type: 'boolean', describe: 'match whole words' },
  { key: 'x', short: 'x', long: ['line-regexp'], type: 'boolean', describe: 'match whole lines' },
  { key: 'c', short: 'c', long: ['count'], type: 'boolean', describe: 'print a count per file' },
  { key: 'l', short: 'l', long: ['files-with-matches'], type: 'boolean', overrides: 'L', describe: 'print names of files with a match' },
  { key: 'L', short: 'L', long: ['files-without-match'], type: 'boolean', overrides: 'l', describe: 'print names of files without one' },
  { key: 'n', short: 'n', long: ['line-number'], type: 'boolean', describe: 'prefix line numbers' },
  { key: 'b', short: 'b', long: ['byte-offset'], type: 'boolean', describe: 'prefix byte offsets' },
  { key: 'H', short: 'H', long: ['with-filename'], type: 'boolean', overrides: 'h', describe: 'prefix file names' },
  { key: 'h', short: 'h', long: ['no-filename'], type: 'boolean', overrides: 'H', describe: 'never prefix file names' },
  { key: 'o', short: 'o', long: ['only-matching'], type: 'boolean', describe: 'print only the matches' },
  { key: 'q', short: 'q', long: ['quiet', 'silent'], type: 'boolean', describe: 'print nothing; exit 0 on a match' },
  { key: 's', short: 's', long: ['no-messages'], type: 'boolean', describe: 'no messages about unreadable files' },
  { key: 'binaryFiles', short: 'a', long: ['text'], type: 'boolean', sets: 'text', describe: 'binary files are text' },
  { key: 'binaryFiles', short: 'I', long: [], type: 'boolean', sets: 'without-match', describe: 'a binary file holds no match (--binary-files=without-match)' },
  { key: 'binaryFiles', long: ['binary-files'], type: 'string', value: binaryFiles, choices: ['binary', 'text', 'without-match'], describe: 'binary (the notice), text (-a) or without-match (-I)' },
  { key: 'f', short: 'f', long: ['file'], type: 'string', repeat: true, describe: 'patterns from FILE, one per line (- is stdin; an empty FILE selects nothing)' },
  { key: 'label', long: ['label'], type: 'string', describe: 'the name of stdin in output' },
  { key: 'Z', short: 'Z', long: ['null'], type: 'boolean', describe: 'a NUL byte after each file name' },
  { key: 'z', short: 'z', long: ['null-data'], type: 'boolean', describe: 'lines end at NUL bytes (in and out); a newline is an ordinary byte' },
  { key: 'T', short: 'T', long: ['initial-tab'], type: 'boolean', describe: 'a tab between the prefixes and the line' },
  { key: 'fileRules', long: ['include'], type: 'string', repeat: true, value: (raw: string) => ({ glob: raw, include: true }), describe: "in folders, only files whose name matches GLOB (PATHs: a name suffix); the last matching --include/--exclude wins" },
  { key: 'fileRules', long: ['exclude'], type: 'string', repeat: true, value: (raw: string) => ({ glob: raw, include: false }), describe: 'skip files whose name matches GLOB' },
  { key: 'excludeDir', long: ['exclude-dir'], type: 'string', repeat: true, describe: 'skip folder PATHs whose name matches GLOB' },
  { key: 'd', short: 'd', long: ['directories'], type: 'string', value: directories, choices: ['read', 'recurse', 'skip'], describe: 'a folder PATH: recurse (the default: its Odoo logs), skip, or read (an error, as grep)' },
  { key: 'D', short: 'D', long: ['devices'], type: 'string', value: devices, choices: ['read', 'skip'], describe: 'skip: FIFOs, sockets and devices named as PATH are skipped' },
  { key: 'lineBuffered', long: ['line-buffered'], type: 'boolean', describe: 'accepted: output is written as each block of lines is done' },
  { key: 'r', short: 'r', long: ['recursive'], type: 'boolean', describe: 'accepted for grep habits: folders are always searched', hidden: true },
  { key: 'R', short: 'R', long: ['dereference-recursive'], type: 'boolean', describe: 'the same as -r', hidden: true },
  { key: 'U', short: 'U', long: ['binary'], type: 'boolean', describe: 'accepted, no effect (as on Linux)', hidden: true },
  { key: 'm', short: 'm', long: ['max-count'], type: 'number', value: maxCount, describe: 'stop a file after NUM selected lines (negative: no limit)' },
  { key: 'A', short: 'A', long: ['after-context'], type: 'number', value: context, describe: 'NUM lines after' },
  { key: 'B', short: 'B', long: ['before-context'], type: 'number', value: context, describe: 'NUM lines before' },
  { key: 'C', short: 'C', long: ['context'], type: 'number', value: context, describe: 'NUM lines before and after (-NUM too)' },
  {
    key: 'color', long: ['color', 'colour'], type: 'string', value: color, optional: 'auto', choices: ['auto', 'always', 'never'],
    describe: 'auto (the default: only on a TTY, off with NO_COLOR), always or never',
  },
  { key: 'records', long: ['records'], type: 'boolean', describe: 'the unit is the Odoo record (header + traceback), not the line' },
  {
    key: 'to', long: ['to'], type: 'string', value: address,
    describe: 'whole records of the mails sent to ADDRESS (attempts with tracebacks, retries, bounces) and every record naming it; PATTERN is then optional',
  },
  ...WINDOW(),
  { key: 'level', long: ['level'], type: 'string', repeat: true, value: levels, choices: LEVELS, describe: 'records of this level (repeat or comma-separate; implies --records)' },
  { key: 'db', long: ['db'], type: 'string', repeat: true, describe: 'records of this database (repeat or comma-separate; implies --records)' },
  { key: 'logger', long: ['logger'], type: 'string', repeat: true, describe: 'records of this logger or its children (implies --records)' },
  { key: 'json', long: ['json'], type: 'boolean', describe: 'one NDJSON object per selected line or record' },
  FOLLOW,
  { key: 'allLogs', long: ['all-logs'], type: 'boolean', describe: 'in folders, also install.log, update.log, pip.log, pg_long_queries.log' },
  NO_CACHE,
  HELP,
  VERSION,
]

const MAIL_FORMATS = ['table', 'ndjson', 'csv', 'tsv'] as const
const REPORT_FORMATS = ['table', 'json', 'ndjson', 'csv', 'tsv'] as const
export const RETRIES_BY = ['day', 'recipient', 'domain', 'code', 'mail'] as const
export const PLANS = ['paid', 'trial', 'free'] as const

/** Postgres `integer` ids; SMTP reply codes; a daily limit a mail server could have. */
const MAIL_ID = int(1, 2147483647)
const SMTP_CODE = int(200, 599)
const DAILY_LIMIT = int(1, 100000000)

export const MAIL_FLAGS: readonly FlagSpec[] = [
  ...WINDOW(),
  { key: 'events', long: ['events'], type: 'boolean', describe: 'every event kind, not only attempts' },
  { key: 'to', long: ['to'], type: 'string', value: address, describe: 'recipient (also matches its redacted form j***@example.com)' },
  { key: 'mailId', long: ['mail-id'], type: 'number', value: MAIL_ID, describe: 'one mail.mail id' },
  { key: 'messageId', long: ['message-id'], type: 'string', describe: 'one Message-Id' },
  { key: 'status', long: ['status'], type: 'string', choices: ['sent', 'failed'], value: oneOf(['sent', 'failed']), describe: 'only sent or only failed attempts' },
  { key: 'code', long: ['code'], type: 'number', value: SMTP_CODE, describe: 'SMTP reply code, e.g. 554' },
  { key: 'format', long: ['format'], type: 'string', choices: MAIL_FORMATS, value: oneOf(MAIL_FORMATS), describe: 'default: table on a TTY, tsv when piped' },
  { key: 'stats', long: ['stats'], type: 'boolean', describe: "the parser's counts on stderr" },
  FOLLOW,
  NO_CACHE,
  HELP,
  VERSION,
]

const REPORT_FLAGS: readonly FlagSpec[] = [
  ...WINDOW(),
  NO_FOLLOW,
  { key: 'format', long: ['format'], type: 'string', choices: REPORT_FORMATS, value: oneOf(REPORT_FORMATS), describe: 'default: table on a TTY, tsv when piped' },
  NO_CACHE,
  HELP,
  VERSION,
]

export const RETRIES_FLAGS: readonly FlagSpec[] = [
  ...REPORT_FLAGS,
  { key: 'by', long: ['by'], type: 'string', choices: RETRIES_BY, value: oneOf(RETRIES_BY), default: 'day', describe: 'group by' },
]

const LIMIT_OR_PLAN: FlagSpec[] = [
  { key: 'limit', long: ['limit'], type: 'number', value: DAILY_LIMIT, describe: 'mails a day (default 200; not with --plan)' },
  { key: 'plan', long: ['plan'], type: 'string', choices: PLANS, value: oneOf(PLANS), describe: "the guide's presets: 200, 50, 20 a day" },
]

export const LIMIT_FLAGS: readonly FlagSpec[] = [...REPORT_FLAGS, ...LIMIT_OR_PLAN]

export const QUEUE_FLAGS: readonly FlagSpec[] = REPORT_FLAGS

export const DIAGNOSE_FLAGS: readonly FlagSpec[] = [
  ...WINDOW(),
  NO_FOLLOW,
  { key: 'to', long: ['to'], type: 'string', value: address, describe: "one recipient's timeline, to paste into a support ticket" },
  ...LIMIT_OR_PLAN,
  { key: 'format', long: ['format'], type: 'string', choices: ['markdown', 'json', 'html'], value: oneOf(['markdown', 'json', 'html']), default: 'markdown', describe: 'markdown, json, or html (one self-contained file for a ticket)' },
  NO_CACHE,
  HELP,
  VERSION,
]

export type Parsed = Record<string, unknown> & { args: string[]; help?: boolean; version?: boolean }

/**
 * Reads a command line the GNU getopt way: clustered short flags (`-inH`), attached or separate
 * values (`-A3`, `-A 3`, `--max-count=3`), unambiguous prefixes of long options (`--max=3`),
 * options after operands, `--` ending options. Every value is checked here, before anything is read.
 * `command` names the help in error messages (`Try 'odoolog mail --help'`).
 * @throws {CliError} for an unknown or ambiguous option, a missing or refused value.
 */
export function parseArgv(table: readonly FlagSpec[], argv: readonly string[], command: string): Parsed {
  const out: Parsed = { args: [] }
  for (const f of table) if (f.default !== undefined) out[f.key] = f.default
  const usage = (message: string) => new CliError(message, 'E_USAGE', { help: command })
  const byShort = new Map(table.filter((f) => f.short).map((f) => [f.short!, f]))
  // -h is grep's --no-filename; elsewhere it asks for the help
  if (!byShort.has('h')) byShort.set('h', HELP)
  const longs = table.flatMap((f) => f.long.map((l) => [l, f] as const))
  const byLong = (name: string, shown: string): FlagSpec => {
    const exact = longs.find(([l]) => l === name)
    if (exact) return exact[1]
    const prefixed = longs.filter(([l]) => name.length > 0 && l.startsWith(name))
    const flags = new Set(prefixed.map(([, f]) => f))
    if (flags.size === 1) return prefixed[0]![1]
    if (flags.size > 1) throw usage(`option '${shown}' is ambiguous: ${prefixed.map(([l]) => `--${l}`).join(', ')}`)
    throw usage(`unknown option: ${shown}`)
  }
  let matcher: FlagSpec | null = null
  const set = (f: FlagSpec, raw: string | true, shown: string) => {
    if (f.matcher) {
      if (matcher && matcher !== f) throw new CliError('conflicting matchers specified', 'E_USAGE', { grepWording: true })
      matcher = f
    }
    if (f.overrides) delete out[f.overrides]
    let v: unknown = raw
    if (f.type === 'boolean') v = f.sets ?? true
    else if (f.value) {
      try {
        v = f.value(raw as string, shown)
      } catch (e) {
        if (e instanceof CliError && !e.grepWording) throw usage(e.message)
        throw e
      }
      if (v === SHOW_HELP) {
        out.help = true
        return
      }
    }
    if (f.repeat) out[f.key] = [...((out[f.key] as unknown[]) ?? []), ...(Array.isArray(v) ? v : [v])]
    else out[f.key] = v
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
      const f = byLong(name, `--${name}`)
      const shown = `--${f.long.find((l) => l.startsWith(name)) ?? name}`
      if (f.type === 'boolean') {
        if (eq >= 0) throw usage(`option takes no value: ${shown}`)
        set(f, true, shown)
      } else if (eq >= 0) set(f, a.slice(eq + 1), shown)
      else if (f.optional !== undefined) set(f, f.optional, shown)
      else if (i + 1 < argv.length) set(f, argv[++i]!, shown)
      else throw usage(`option requires a value: ${shown}`)
      continue
    }
    if (a.startsWith('-') && a.length > 1) {
      for (let k = 1; k < a.length; k++) {
        const digits = /^\d+/.exec(a.slice(k))
        if (digits && byShort.has('C')) {
          // grep's -NUM: context, as -C NUM (`-2`, `-n2`, `-21n`)
          set(byShort.get('C')!, digits[0], `-${digits[0]}`)
          k += digits[0].length - 1
          continue
        }
        const f = byShort.get(a[k]!)
        if (!f) throw usage(`unknown option: -${a[k]}`)
        if (f.type === 'boolean') {
          set(f, true, `-${a[k]}`)
          continue
        }
        const rest = a.slice(k + 1)
        if (rest) set(f, rest, `-${a[k]}`)
        else if (i + 1 < argv.length) set(f, argv[++i]!, `-${a[k]}`)
        else throw usage(`option requires a value: -${a[k]}`)
        break
      }
      continue
    }
    out.args.push(a)
  }
  if (out.help || out.version) return out
  checkTogether(out, usage)
  return out
}

/** Checks between flags: a window that ends before it starts; --limit with --plan. */
function checkTogether(a: Parsed, usage: (m: string) => CliError) {
  if (typeof a.since === 'string' && typeof a.until === 'string' && parseTimeBound(a.since, 'since') > parseTimeBound(a.until, 'until')) {
    throw usage(`--since ${a.since} is after --until ${a.until}: nothing could be selected`)
  }
  if (a.limit !== undefined && a.plan !== undefined) throw usage('--limit and --plan: give one or the other (a plan is a preset limit)')
}
