import type { ArchiveCache } from './cache.js'
import type { SearchError } from './errors.js'
import type { FollowOptions, FollowSwitch } from './follow.js'
import { scan, type LogRecord, type Progress, type RecordLane } from './grep.js'
import type { PatternSyntax } from './pattern.js'
import type { LogSource } from './sources.js'

export interface ReadRecordsOptions<T = never> {
  /** Only records matching one of these (anywhere in the record); all records when empty. */
  patterns?: readonly string[]
  syntax?: PatternSyntax
  since?: string
  until?: string
  signal?: AbortSignal
  /** Count every record read, not only the selected ones (a scan of every header; default true). */
  countRecords?: boolean
  /** Each record keeps its bytes as read (LogRecord.bytes), for grepChosen. */
  keepBytes?: boolean
  /** Records get their line number (default true); 0 without. */
  lines?: boolean
  /** Files inflated ahead of the one being read (default none: a parser is slower than inflating). */
  readAhead?: number
  /** A NUL byte does not stop the file (grep -a): every record is handed over. */
  text?: boolean
  onProgress?: (p: Progress) => void
  /** Keep reading this path as it grows (see GrepOptions.follow); `file` and `idle` events tell its turns. */
  follow?: FollowOptions
  /**
   * A reader of the caller's own for records it knows by their bytes: each selected record is offered
   * to it first, and what it returns (when not undefined) is handed over in the record's place, with
   * no LogRecord built. Ignored with `keepBytes`.
   */
  lane?: RecordLane<T>
  /**
   * The selected records of rotated files (`odoo.log.1`, dated archives) are read from this cache
   * when it holds them for these patterns, and written to it when not (only by a reading without
   * --since/--until, which sees every record). Not with `keepBytes`.
   */
  cache?: ArchiveCache
}

export type RecordEvent<T = never> =
  | { kind: 'records'; records: (LogRecord | T)[] }
  | { kind: 'error'; error: SearchError; source?: number }
  /** --follow: records from here on come from `source` (a rotated or truncated file read anew), numbered `index`. */
  | { kind: 'file'; source: LogSource; index: number; why: FollowSwitch }
  /** --follow: the followed file has been quiet; every record written so far has been handed over. */
  | { kind: 'idle' }

export interface RecordSummary {
  /** Records read in all (selected or not) and lines before a stream's first header. */
  records: number
  orphanLines: number
  errors: number
  /** Files read to their end without one Odoo record header: not Odoo logs (or empty). */
  withoutRecords: string[]
}

/**
 * The Odoo records of the sources, in order, in batches: the same engine and record rules as
 * `grep --records` (prefixes, ANSI, orphan lines), so a parser reads exactly what grep would show.
 * With `patterns`, only the records that match are handed over (the others are still counted).
 */
export async function* readRecords<T = never>(sources: readonly LogSource[], opts: ReadRecordsOptions<T> = {}): AsyncGenerator<RecordEvent<T>, RecordSummary> {
  const it = scan(sources, {
    patterns: opts.patterns?.length ? opts.patterns : [''],
    syntax: opts.syntax,
    records: true,
    collect: true,
    countRecords: opts.countRecords ?? true,
    keepBytes: opts.keepBytes,
    readAhead: opts.readAhead,
    collectLines: opts.lines,
    text: opts.text,
    onProgress: opts.onProgress,
    since: opts.since,
    until: opts.until,
    signal: opts.signal,
    follow: opts.follow,
    lane: opts.lane,
    cache: opts.cache,
  })
  try {
    for (;;) {
      const r = await it.next()
      if (r.done) return { records: r.value.records, orphanLines: r.value.orphanLines, errors: r.value.errors, withoutRecords: r.value.withoutRecords }
      const ev = r.value
      // the scan's records are LogRecords and what opts.lane returned (T)
      if (ev.kind === 'records') yield { kind: 'records', records: ev.records as (LogRecord | T)[] }
      else if (ev.kind === 'error' || ev.kind === 'file' || ev.kind === 'idle') yield ev
    }
  } finally {
    // a consumer that stops early (`odoolog mail | head -1`): the scan closes its files
    await it.return(undefined as never)
  }
}
