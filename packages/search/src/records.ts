import { SearchError } from './errors.js'

/** The level names Odoo prints (runbot's 25 prints as INFO). */
export const LEVELS = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'] as const
export type Level = (typeof LEVELS)[number]

/** The parsed header of one Odoo record (odoo-log-formats.md §1.1, §1.3). */
export interface RecordHeader {
  /** `YYYY-MM-DD HH:MM:SS,mmm` as logged (UTC); compare as strings. */
  readonly stamp: string
  readonly pid: number
  readonly level: Level
  readonly db: string
  readonly logger: string
  /** Offset of the message text from the start of the line (after `logger: `). */
  readonly messageStart: number
  /** Length of a prefix added outside Odoo (docker compose, journald, a viewer's clock), else 0. */
  readonly prefixLength: number
}

const ANSI = '(?:\\x1b\\[[0-9;]*m)*'
/**
 * Prefixes that tools outside Odoo put before every line (§7): docker compose `app_1  | `,
 * journald `Apr 06 14:12:10 host python3[95545]: `, and a viewer's own clock glued on with no space.
 */
export const PREFIX_SOURCE =
  '(?:[A-Za-z0-9_.-]+ *\\| ?' +
  '|[A-Z][a-z]{2} [ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2} [^ \\n]+ [^\\s\\[:]+(?:\\[[0-9]+\\])?: ' +
  '|[0-9]{1,2}/[0-9]{1,2}/[0-9]{4} [0-9]{1,2}:[0-9]{2}:[0-9]{2})'
const STAMP = '[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2},[0-9]{3}'
const HEADER_SOURCE =
  `(${PREFIX_SOURCE})?${ANSI}(${STAMP}) ([0-9]+) ${ANSI}(DEBUG|INFO|WARNING|ERROR|CRITICAL)${ANSI} ` +
  `([^ \\n]+) ${ANSI}([^:\\s]+)${ANSI}: ?`

/** Sticky: a header exactly at lastIndex. Works on binary (latin1) strings and on text. */
const HEADER_AT = new RegExp(HEADER_SOURCE, 'y')

/**
 * A copy of a short substring that does not keep its parent alive: V8 makes substrings views of
 * the whole string, so a stamp cut from a 256 KiB block held the block (the report's heap grew to
 * 300 MB over the bench folder). Slicing a fresh concatenation copies just these few bytes.
 */
function detach(s: string): string {
  return (' ' + s).slice(1)
}

/**
 * One copy of each database and logger name: a log has a handful of each, and the mail parser holds
 * its events for hours of log time, each with its header's db (a copy per record cost as much time
 * as this lookup, and memory besides). Cleared past 4,096 names.
 */
const names = new Map<string, string>()
/** The last two names returned: most records repeat their neighbour's (a compare costs less than a lookup). */
let last1 = ''
let last2 = ''
function intern(s: string): string {
  if (s === last1) return last1
  if (s === last2) return last2
  let v = names.get(s)
  if (v === undefined) {
    if (names.size >= 4096) names.clear()
    names.set((v = detach(s)), v)
  }
  last2 = last1
  last1 = v
  return v
}

// --- the plain header first ---
// Nearly every header line is plain: the stamp at the line start, no outside prefix, no ANSI colour.
// The full header regex cost 31% of the record layer's time over the mail-dense bench folder
// (parseHeader, isHeaderAt, and a regex scan for the newline before each header): its optional
// prefix is tried, and backtracked, at every line. A regex for the plain form runs first; the full
// one decides only lines that it rejects and that can start a header. Both give the same answer:
// the prefix cannot match a line that starts with a stamp, and the plain form takes no ESC.

// (an empty first group: the same groups as HEADER_AT's, whose first is the prefix)
const PLAIN = `()(${STAMP}) ([0-9]+) (DEBUG|INFO|WARNING|ERROR|CRITICAL) ([^ \\n\\x1b]+) ([^:\\s\\x1b]+): ?`
const PLAIN_AT = new RegExp(PLAIN, 'y')
const PLAIN_TEST = new RegExp(PLAIN.replace(/\((?!\?)/g, '(?:'), 'y')

/**
 * Whether the full regex must decide the line at `pos`: a header starts with an outside prefix's
 * first character, ANSI colour or a stamp's digit; a traceback's indented lines cannot.
 */
function mayStartHeader(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95 || c === 46 || c === 45 || c === 27
}

/** Parses the header of the line starting at `pos` in `str`, or null when it is no header line. */
export function parseHeader(str: string, pos = 0): RecordHeader | null {
  return readHeader(str, pos, true)
}

/**
 * parseHeader, with `copy` false when `str` is the record's own text: its stamp may then stay a view
 * of it (a copy costs three strings, per record, for the mail parser).
 */
export function readHeader(str: string, pos: number, copy: boolean): RecordHeader | null {
  PLAIN_AT.lastIndex = pos
  const plain = PLAIN_AT.exec(str)
  let m = plain
  if (!m) {
    if (!mayStartHeader(str.charCodeAt(pos))) return null
    HEADER_AT.lastIndex = pos
    if (!(m = HEADER_AT.exec(str))) return null
  }
  return {
    stamp: copy ? detach(m[2]!) : m[2]!,
    pid: Number(m[3]),
    level: m[4] as Level,
    db: intern(m[5]!),
    logger: intern(m[6]!),
    // (the sticky regex's end, not m[0]: no string made for the whole header)
    messageStart: (m === plain ? PLAIN_AT.lastIndex : HEADER_AT.lastIndex) - pos,
    prefixLength: m[1]?.length ?? 0,
  }
}

/** True when the line at `pos` is a record header. */
export function isHeaderAt(str: string, pos: number): boolean {
  PLAIN_TEST.lastIndex = pos
  if (PLAIN_TEST.test(str)) return true
  if (!mayStartHeader(str.charCodeAt(pos))) return false
  HEADER_AT.lastIndex = pos
  return HEADER_AT.test(str)
}

/**
 * Appends to `out` the start of every header line in `str` within [from, to); `from` must be a line
 * start. Only a line matching the header regex starts a record (§1.3): every other line, blank ones
 * included, continues the one before.
 */
export function findHeaders(str: string, from: number, to: number, out: number[]): number[] {
  for (let p = from; p < to; ) {
    if (isHeaderAt(str, p)) out.push(p)
    const nl = str.indexOf('\n', p)
    if (nl < 0) break
    p = nl + 1
  }
  return out
}

/** The start of the first header line in `str` within [from, to) (`from` a line start), or -1. */
export function firstHeader(str: string, from: number, to: number): number {
  for (let p = from; p < to; ) {
    if (isHeaderAt(str, p)) return p
    const nl = str.indexOf('\n', p)
    if (nl < 0) break
    p = nl + 1
  }
  return -1
}

/**
 * The timestamp of the first record in a buffer (the start of a file), or null. The buffer may end
 * inside a line: a header needs its logger and `: ` to be one, so a cut one is not taken.
 */
export function firstHeaderTime(head: Buffer): string | null {
  const str = head.toString('latin1')
  const at = firstHeader(str, 0, str.length)
  return at < 0 ? null : parseHeader(str, at)!.stamp
}

/** `2024-05-06 08:14:22,905` → `2024-05-06T08:14:22.905Z` */
export function stampToIso(stamp: string): string {
  return `${stamp.slice(0, 10)}T${stamp.slice(11, 19)}.${stamp.slice(20, 23)}Z`
}

function isoToStamp(d: Date): string {
  const iso = d.toISOString() // 2024-05-06T08:14:22.905Z
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)},${iso.slice(20, 23)}`
}

/**
 * Reads a --since/--until value as a header stamp bound. A date (`2026-11-17`) is that whole UTC day,
 * inclusive at both ends; a date-time is an instant (UTC unless it names an offset).
 * @throws {SearchError} `E_USAGE` for anything else.
 */
export function parseTimeBound(value: string, side: 'since' | 'until'): string {
  const v = value.trim()
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) {
    const d = new Date(`${v}T00:00:00.000Z`)
    if (!Number.isNaN(d.getTime()) && d.toISOString().startsWith(v)) {
      return side === 'since' ? `${v} 00:00:00,000` : `${v} 23:59:59,999`
    }
  }
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,3})?)?)(Z|[+-]\d{2}:?\d{2})?$/.exec(v)
  if (m) {
    const d = new Date(`${m[1]}T${m[2]!.replace(',', '.')}${m[3] ?? 'Z'}`)
    if (!Number.isNaN(d.getTime())) return isoToStamp(d)
  }
  throw new SearchError(
    `--${side}: expected a date (2026-11-17) or an ISO date-time (2026-11-17T23:00, 2026-11-17T23:00:00+01:00), got '${value}'`,
    'E_USAGE',
  )
}
