import type { SearchError } from './errors.js'
import type { FollowSwitch } from './follow.js'
import { FileScan, type GrepEvent, type GrepOptions, type GrepSummary, type LogRecord, type Shared } from './grep.js'
import { compilePatterns, type Matcher } from './pattern.js'
import { parseTimeBound } from './records.js'
import type { RecordSummary } from './read-records.js'
import { closeAll, type LogSource } from './sources.js'

/** What a chooser hands grepChosen: records (with their bytes) in file order, and the files' errors in their turn. */
export type ChosenEvent =
  | { kind: 'records'; records: LogRecord[] }
  | { kind: 'error'; error: SearchError; source?: number }
  /** --follow: the followed path's new file (or a truncated one read anew), in its turn, as readRecords tells it. */
  | { kind: 'file'; source: LogSource; index: number; why: FollowSwitch }

/**
 * grep's output for records chosen by the caller (`grep --to`: the records of one recipient's mails):
 * each chosen record is searched with `options` (a pattern, -v, -i, -w, -x, -o, --level...) and printed
 * as `grep --records` prints it at its place in its file: line numbers, byte offsets, file names,
 * colour, `--json`, and per file `-c`, `-l`, `-L`, `-m`, `-q`. Context options do not apply (the
 * records around a chosen one were not chosen): the caller refuses them.
 * `chosen` yields records with `bytes` and `source` (readRecords with `keepBytes`), in file order.
 * @throws {SearchError} `E_BAD_PATTERN` or `E_USAGE` before anything is read.
 */
export async function* grepChosen(sources: readonly LogSource[], options: GrepOptions, chosen: AsyncGenerator<ChosenEvent, RecordSummary>): AsyncGenerator<GrepEvent, GrepSummary> {
  let matcher: Matcher
  let since: string | null
  let until: string | null
  try {
    matcher = compilePatterns(options.patterns, { syntax: options.syntax, ignoreCase: options.ignoreCase, wordRegexp: options.wordRegexp, lineRegexp: options.lineRegexp })
    since = options.since ? parseTimeBound(options.since, 'since') : null
    until = options.until ? parseTimeBound(options.until, 'until') : null
  } catch (e) {
    await chosen.return(undefined as never)
    await closeAll(sources)
    throw e
  }
  for (const message of matcher.warnings) yield { kind: 'warning', message }
  const o = { ...options, records: true, after: undefined, before: undefined }
  const shared: Shared = { printedAny: false, selected: false, stopAll: false, records: 0, orphanLines: 0 }
  let errors = 0
  // grows with --follow: each file that replaces the followed one gets the next index
  const files: LogSource[] = [...sources]
  let k = -1
  let file = null as FileScan | null
  /** Finishes the files before `to` (their -c and -L lines, "binary file matches") and opens `to`. */
  function* reach(to: number): Generator<GrepEvent> {
    while (k < to) {
      if (file) {
        const tail = file.finish()
        if (tail) yield { kind: 'output', data: tail }
        if (file.binaryMatched) yield { kind: 'binary', file: files[k]!.name }
      }
      k++
      // a file that could not be opened prints nothing of its own, as in grep
      const src = files[k]
      file = src && !src.error ? new FileScan(src, matcher, o, shared, since, until, k) : null
    }
  }
  let summary: RecordSummary | null = null
  try {
    for (;;) {
      const r = await chosen.next()
      if (r.done) {
        summary = r.value
        break
      }
      const ev = r.value
      if (ev.kind === 'error') {
        errors++
        if (ev.source !== undefined) yield* reach(ev.source)
        yield { kind: 'error', error: ev.error, source: ev.source }
        continue
      }
      if (ev.kind === 'file') {
        files[ev.index] = ev.source
        yield* reach(ev.index)
        yield ev
        continue
      }
      const outs: Buffer[] = []
      for (const rec of ev.records) {
        if (rec.source > k) {
          for (const e of reach(rec.source)) {
            if (e.kind === 'output') outs.push(e.data)
            else {
              if (outs.length) yield { kind: 'output', data: Buffer.concat(outs.splice(0)) }
              yield e
            }
          }
        }
        if (!file || file.stopped || !rec.bytes) continue
        const out = file.pushRecord(rec.bytes, rec.offset, rec.line)
        if (out) outs.push(out)
        // -m NUM reached in the followed file: the follow is over, as for grep --follow
        if (options.follow && file.stopped && k >= sources.length - 1) shared.stopAll = true
        if (shared.stopAll) break
      }
      if (outs.length) yield { kind: 'output', data: outs.length > 1 ? Buffer.concat(outs) : outs[0]! }
      if (shared.stopAll) break
    }
    if (!shared.stopAll) yield* reach(files.length)
  } finally {
    // a consumer that stops early, or -q: the chooser closes the files
    await chosen.return(undefined as never)
    await closeAll(sources)
  }
  return { selected: shared.selected, errors, records: summary?.records ?? 0, orphanLines: summary?.orphanLines ?? 0, withoutRecords: summary?.withoutRecords ?? [] }
}
