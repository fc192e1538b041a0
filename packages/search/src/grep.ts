import { BufferHay, afterNl, countNl, type Hay } from './_hay.js'
import { literalFinder, type LiteralFinder } from './literal.js'
import { GrepIndexes, literalWindows, type AnchorIndexer } from './grep-index.js'
import { Prefetcher } from './bytes.js'
import { escapeControl, paint, type GrepColors } from './colors.js'
import { fileError, SearchError } from './errors.js'
import { stringBytes } from './names.js'
import { compilePatterns, type Matcher, type PatternSyntax } from './pattern.js'
import { findHeaders, firstHeader, isHeaderAt, parseHeader, parseTimeBound, readHeader, stampToIso, type RecordHeader } from './records.js'
import { follow, type FollowOptions, type FollowSwitch } from './follow.js'
import { closeAll, type LogSource } from './sources.js'
import type { ArchiveCache } from './cache.js'
import { cachesRecords, eachRecord, RecordRecorder, RECORDS, recordsMeta, selectionKey, type RecordsMeta } from './record-cache.js'

export interface GrepOptions {
  /**
   * -e values (or the one PATTERN); a newline inside one separates patterns, as in grep. A Buffer
   * is taken as bytes (-f FILE); a string as UTF-8. No pattern at all selects nothing.
   */
  patterns: readonly (string | Buffer)[]
  syntax?: PatternSyntax
  ignoreCase?: boolean
  wordRegexp?: boolean
  lineRegexp?: boolean
  invert?: boolean
  count?: boolean
  filesWithMatches?: boolean
  filesWithoutMatch?: boolean
  lineNumber?: boolean
  byteOffset?: boolean
  withFilename?: boolean
  onlyMatching?: boolean
  quiet?: boolean
  /** -m: stop a file after this many selected units. */
  maxCount?: number
  /** -A / -B (-C sets both). Undefined means no context; 0 still prints `--` between groups, as grep. */
  after?: number
  before?: number
  /** -a: a NUL byte does not make a file binary. */
  text?: boolean
  /** --binary-files: `text` is -a; `without-match` (-I) takes a binary file as holding no match. */
  binaryFiles?: 'binary' | 'text' | 'without-match'
  /**
   * -z: lines end at NUL bytes, and printed lines too; a newline is an ordinary byte. The bytes are
   * swapped (NUL <-> newline) as they are read and swapped back as lines are printed, so the engine
   * keeps its one line end.
   */
  nullData?: boolean
  /** -Z: a NUL after each file name instead of `:`, `-` or the line end. */
  nullAfterName?: boolean
  /** -T: a tab between the prefixes and the line. */
  initialTab?: boolean
  /** The unit is the Odoo record (header + continuation lines) instead of the line. */
  records?: boolean
  /** Window on record time: a date is its whole UTC day; a date-time an instant. */
  since?: string
  until?: string
  levels?: readonly string[]
  dbs?: readonly string[]
  loggers?: readonly string[]
  /** One NDJSON object per selected unit instead of grep's text. */
  json?: boolean
  /** GREP_COLORS-style SGR codes; colour is off when undefined. */
  colors?: GrepColors
  /** Show control characters of the log text as ^X (for a terminal). */
  escapeControl?: boolean
  signal?: AbortSignal
  /**
   * Keep reading `follow.path` as it grows, across rotation, until `signal` aborts. Its source must
   * be the last one (or absent, when the file does not exist yet); the others are read first, as usual.
   */
  follow?: FollowOptions
  /**
   * What odoolog keeps of rotated files. grep: each file's index of the bytes at its `@`s and `<`s,
   * so that a later search for an address or a Message-Id skips the files without it (grep-index.ts).
   * Collected records (readRecords): the records of rotated files (record-cache.ts).
   */
  cache?: ArchiveCache
}

export type GrepEvent =
  /** Bytes for standard output, in file order. */
  | { kind: 'output'; data: Buffer }
  /** A file that could not be read whole; what was read before the damage was searched. */
  | { kind: 'error'; error: SearchError; /** the index of the file in the sources */ source?: number }
  /** grep's warning about a pattern (`* at start of expression`), before anything is read. */
  | { kind: 'warning'; message: string }
  /** A binary file had a selected line (grep: "binary file matches"). */
  | { kind: 'binary'; file: string }
  /** Only from readRecords: the selected records of one block (and the items its lane made). */
  | { kind: 'records'; records: unknown[] }
  /** --follow: the followed file is read from a new start; its units are numbered `index` among the sources. */
  | { kind: 'file'; source: LogSource; index: number; why: FollowSwitch }
  /** --follow: the followed file has been quiet: everything written so far has been handed over. */
  | { kind: 'idle' }

/** One selected Odoo record (or the orphan lines before a stream's first header), for parsers. */
export interface LogRecord {
  file: string
  /** The index of its file in the sources searched. */
  source: number
  /** Line number of its first line, and byte offset, in the (decompressed) file. */
  line: number
  offset: number
  /** Null for the orphan lines before a stream's first header. */
  header: RecordHeader | null
  /** The record as logged (UTF-8; ANSI codes and outside prefixes still in). */
  text: string
  /** With `keepBytes`: its bytes as read, with the line end that follows it (for grepChosen). */
  bytes?: Buffer
}

export interface GrepSummary {
  /** At least one unit was selected (grep's exit 0). */
  selected: boolean
  /** Files that failed. */
  errors: number
  /** In record mode: records read (selected or not), and lines before a stream's first header. */
  records: number
  orphanLines: number
  /** In record mode: files read to their end without a single Odoo record header (stdin included). */
  withoutRecords: string[]
}

/** Internal: grep's scan with the selected records handed over as objects instead of text. */
export interface ScanOptions extends GrepOptions {
  collect?: boolean
  /** Count every record read (costs a scan of every header line). */
  countRecords?: boolean
  /** Collected records keep their bytes (LogRecord.bytes). */
  keepBytes?: boolean
  /** Files inflated ahead of the one being read (default: 2, none when collecting). */
  readAhead?: number
  /** Collected records get their line number (default true; counting every line end costs 5% of a scan). */
  collectLines?: boolean
  /** Collected records are offered to this first (see ReadRecordsOptions.lane); not with keepBytes. */
  lane?: RecordLane<unknown>
  /** Called as bytes are read: files finished, files in all, bytes read (decompressed). */
  onProgress?: (p: Progress) => void
}

/**
 * Reads one selected record from its bytes, `bytes[start, end)` (no line end), or returns undefined
 * to have it handed over as a LogRecord. `line` is its first line's number (0 without line numbers).
 */
export type RecordLane<T> = (bytes: Buffer, start: number, end: number, file: string, line: number) => T | undefined

export interface Progress {
  filesDone: number
  files: number
  bytes: number
}

/**
 * Searches the sources in order and yields grep's output as bytes: the same bytes GNU grep 3.8 would
 * print with LC_ALL=C over the same (decompressed) files. Never prints; the caller writes events.
 * Stops early for -q, -l and when the consumer stops iterating.
 * @throws {SearchError} `E_BAD_PATTERN` or `E_USAGE` before anything is read.
 */
export function grep(sources: readonly LogSource[], options: GrepOptions): AsyncGenerator<GrepEvent, GrepSummary> {
  return scan(sources, { ...options, collect: false })
}

/** The engine behind grep() and readRecords(). */
export async function* scan(sources: readonly LogSource[], options: ScanOptions): AsyncGenerator<GrepEvent, GrepSummary> {
  let matcher: Matcher
  let since: string | null
  let until: string | null
  try {
    matcher = compilePatterns(options.patterns, {
      syntax: options.syntax,
      ignoreCase: options.ignoreCase,
      wordRegexp: options.wordRegexp,
      lineRegexp: options.lineRegexp,
      nullData: options.nullData,
    })
    since = options.since ? parseTimeBound(options.since, 'since') : null
    until = options.until ? parseTimeBound(options.until, 'until') : null
  } catch (e) {
    // The sources were opened by discover(): a refused pattern must not leave them to the GC
    await closeAll(sources)
    throw e
  }
  for (const message of matcher.warnings) yield { kind: 'warning', message }
  const shared: Shared = { printedAny: false, selected: false, stopAll: false, records: 0, orphanLines: 0 }
  let errors = 0
  let bytesRead = 0
  const withoutRecords: string[] = []
  const outside = sources.map((_, k) => outsideWindow(sources, k, since, until))
  // --follow: the last source, when it is the followed path, is read by follow() after the others
  const last = sources[sources.length - 1]
  const followAt = options.follow && last && last.name === options.follow.path && !last.error && !last.stdin ? sources.length - 1 : -1
  if (followAt >= 0) outside[followAt] = false
  // Records handed to a parser (collect) are consumed slower than zlib inflates: reading ahead beyond
  // the current file only holds memory. Report over the bench folder: 1.08 s and 171 MB peak RSS
  // with two files ahead, 1.12 s and 118 MB with none.
  // A file's search runs ahead of its turn (as its bytes arrive, its output held for its turn) when
  // nothing it prints depends on the files before it: not with context (`--` separators), -q (the
  // first match ends everything), records for a parser, or progress by bytes read. The files ahead
  // then inflate at full speed instead of stopping at 4 MiB held each: `grep -F` over the bench
  // folder 0.50 s against 0.60 s, peak RSS 98 against 109 MB (medians of 11, alternating).
  const cache = cachesRecords(options) ? options.cache : null
  const sel = cache ? selectionKey(options) : ''
  const ahead = !options.collect && !options.quiet && !options.onProgress && options.after === undefined && options.before === undefined
  // grep's index of rotated files (grep-index.ts): read first, a file it rules out is not read;
  // built as a file without one is read whole. Not for -v (it selects what the pattern lacks), nor
  // where an unread file would print otherwise than one that holds no match (a record filter tells
  // of files without Odoo records), nor -z (its bytes are swapped as they are read).
  const index = indexFor(options, matcher, since, until)
  const scans = new Map<number, FileScan>()
  const scanOf = (k: number) => {
    let f = scans.get(k)
    if (!f) {
      scans.set(k, (f = new FileScan(sources[k]!, matcher, options, shared, since, until, k)))
      const ix = index?.indexer(sources[k]!, k)
      if (ix) f.index(ix)
    }
    return f
  }
  const ruledOut = (k: number) => !!index?.rulesOut(sources[k]!, k)
  const prefetch = new Prefetcher(sources, (k) => !sources[k]!.error && !outside[k] && k !== followAt && !ruledOut(k), options.readAhead ?? (options.collect ? 0 : 2), ahead ? scanOf : undefined)
  const onAbort = () => prefetch.close()
  options.signal?.addEventListener('abort', onAbort, { once: true })
  try {
    for (let k = 0; k < sources.length && !shared.stopAll && !options.signal?.aborted; k++) {
      const src = sources[k]!
      if (k === followAt) break
      if (src.error) {
        errors++
        yield { kind: 'error', error: src.error, source: k }
        continue
      }
      if (outside[k] || ruledOut(k)) {
        // what grep prints of a file without a match (-c: 0, -L: its name)
        const skipped = new FileScan(src, matcher, options, shared, since, until)
        const tail = skipped.finish()
        if (tail) yield { kind: 'output', data: tail }
        continue
      }
      const file = scanOf(k)
      let failure: SearchError | null = null
      // the cache: this file's selected records as an earlier run found them, or a recorder for them
      let recorder: RecordRecorder | null = null
      let id: string | null = null
      if (cache) {
        id = cache.identify(src)
        const hit = id ? loadRecords(cache, sel, id, options.countRecords) : null
        if (hit && file.replay(hit.meta, hit.body)) {
          if (options.countRecords) shared.records += hit.meta.records
          shared.orphanLines += hit.meta.orphanLines
          if (file.collected.length) yield { kind: 'records', records: file.take() }
          scans.delete(k)
          if (!file.sawHeader) withoutRecords.push(src.name)
          continue
        }
        // only a reading of the whole file, with no time window, holds every record it selects
        // (the bound: a tenth of the file's size on disk, with room for the compression to make)
        if (id && !since && !until) file.record((recorder = new RecordRecorder(src.size / 2 + 65536)))
      }
      const records0 = shared.records
      const orphans0 = shared.orphanLines
      try {
        if (ahead) {
          // searched already (or as it arrives): only its output is left to pass on (it may have
          // stopped already, -l or -m having found what they need; -m 0 reads nothing)
          for await (const out of prefetch.bytes(k)) {
            yield { kind: 'output', data: out }
            if (options.signal?.aborted) break
          }
        } else {
          // -m 0 reads nothing, as grep
          for await (const chunk of file.stopped ? [] : prefetch.bytes(k)) {
            bytesRead += chunk.length
            options.onProgress?.({ filesDone: k, files: sources.length, bytes: bytesRead })
            const out = file.push(chunk)
            if (out) yield { kind: 'output', data: out }
            if (file.collected.length) yield { kind: 'records', records: file.take() }
            if (file.stopped || options.signal?.aborted) break
          }
          if (!file.stopped) {
            const out = file.flush()
            if (out) yield { kind: 'output', data: out }
            if (file.collected.length) yield { kind: 'records', records: file.take() }
          }
        }
      } catch (e) {
        // an abort (SIGINT while following) stops the read: not an error of the file
        if (!options.signal?.aborted) failure = fileError(src.name, e)
      }
      scans.delete(k)
      const tail = file.finish()
      if (tail) yield { kind: 'output', data: tail }
      if (file.binaryMatched) yield { kind: 'binary', file: src.name }
      if (!failure && !file.stopped && !options.signal?.aborted && file.recordMode && !file.sawHeader) withoutRecords.push(src.name)
      const ix = file.indexer
      if (ix && !failure && !file.stopped && !options.signal?.aborted) index!.store(src, k, ix)
      if (recorder && id && !recorder.overflow && !failure && !file.stopped && !file.wentBinary && !options.signal?.aborted) {
        const meta: RecordsMeta = { records: options.countRecords ? shared.records - records0 : -1, orphanLines: shared.orphanLines - orphans0, sawHeader: file.sawHeader, count: recorder.count }
        cache!.store(RECORDS, sel, id, meta, recorder.body(), src.size)
      }
      if (failure) {
        errors++
        yield { kind: 'error', error: failure, source: k }
      }
    }
    if (options.follow && !shared.stopAll && !options.signal?.aborted) {
      const r = yield* followScan(followAt >= 0 ? sources[followAt]! : null, followAt >= 0 ? followAt : sources.length, sources.length, options, options.follow, (src, k) => new FileScan(src, matcher, options, shared, since, until, k))
      errors += r
    }
  } finally {
    options.signal?.removeEventListener('abort', onAbort)
    prefetch.close()
    // the entries of this run are written before it ends: the next run is warm
    await options.cache?.settle()
    await closeAll(sources)
  }
  return { selected: shared.selected, errors, records: shared.records, orphanLines: shared.orphanLines, withoutRecords }
}

/**
 * The followed file, then each file that replaces it under its path: units are printed as they
 * are final. A line is final at its line end; a record (--records, --to, a time or header filter)
 * at the next header, or when the file has been quiet for `quietMs` (Odoo writes each record in one
 * write). A rotated file is read to its end and finished before the new one starts at line 1.
 */
async function* followScan(
  first: LogSource | null,
  firstIndex: number,
  nextIndex: number,
  options: ScanOptions,
  opts: FollowOptions,
  scanOf: (src: LogSource, index: number) => FileScan,
): AsyncGenerator<GrepEvent, number> {
  let file = first ? scanOf(first, firstIndex) : null
  let name = first?.name ?? opts.path
  let errors = 0
  // a consumer that stops iterating ends the follow at its next yield; a signal ends it while it waits
  const signal = options.signal ?? new AbortController().signal
  function* end(f: FileScan): Generator<GrepEvent> {
    const out = f.stopped ? null : f.flush()
    if (out) yield { kind: 'output', data: out }
    if (f.collected.length) yield { kind: 'records', records: f.take() }
    const tail = f.finish()
    if (tail) yield { kind: 'output', data: tail }
    if (f.binaryMatched) yield { kind: 'binary', file: name }
  }
  try {
    for await (const item of follow(first, opts, signal)) {
      if (item.kind === 'switch') {
        if (file) yield* end(file)
        name = item.source.name
        const index = file ? nextIndex++ : firstIndex
        file = scanOf(item.source, index)
        yield { kind: 'file', source: item.source, index, why: item.why }
        continue
      }
      if (!file) continue
      const out = item.kind === 'bytes' ? file.push(item.data) : file.settle()
      if (out) yield { kind: 'output', data: out }
      if (file.collected.length) yield { kind: 'records', records: file.take() }
      if (item.kind === 'idle') yield { kind: 'idle' }
      // -m NUM reached (or -q): the follow is over
      if (file.stopped) break
    }
  } catch (e) {
    errors++
    yield { kind: 'error', error: fileError(name, e) }
  }
  if (file) yield* end(file)
  return errors
}

/** The first line of `buf[u, e)` as a latin1 string (where a record's header is). */
function firstLine(buf: Buffer, u: number, e: number): string {
  const nl = buf.indexOf(NL, u)
  return buf.toString('latin1', u, nl < 0 || nl > e ? e : nl)
}

/** A records entry that a scan counting records (or not) can use, or null. */
function loadRecords(cache: ArchiveCache, sel: string, id: string, counting: boolean | undefined): { meta: RecordsMeta; body: Buffer } | null {
  const usable = (m: unknown) => {
    const meta = recordsMeta(m)
    return !!meta && !(counting && meta.records < 0)
  }
  const e = cache.load(RECORDS, sel, id, usable)
  return e ? { meta: e.meta as RecordsMeta, body: e.body } : null
}

/** The grep indexes a search reads and builds (see scan), or null. */
function indexFor(o: ScanOptions, m: Matcher, since: string | null, until: string | null): GrepIndexes | null {
  if (o.collect || !o.cache || o.nullData) return null
  const plain = !o.invert && !o.records && !since && !until && !o.levels?.length && !o.dbs?.length && !o.loggers?.length
  return new GrepIndexes(o.cache, plain && m.required ? literalWindows(m.required) : null)
}

/**
 * A file in a time-ordered folder that cannot hold a record of the window: the next file starts
 * before --since, or this one starts after --until. Only the first record of each was inflated.
 */
function outsideWindow(sources: readonly LogSource[], k: number, since: string | null, until: string | null): boolean {
  const src = sources[k]!
  if (!src.firstTime) return false
  if (until && src.firstTime > until) return true
  const next = sources[k + 1]
  return !!(since && next?.firstTime && next.firstTime < since && sameFolder(src.name, next.name))
}

function sameFolder(a: string, b: string): boolean {
  return a.slice(0, a.lastIndexOf('/') + 1) === b.slice(0, b.lastIndexOf('/') + 1)
}

/** State shared by the files of one search. */
export interface Shared {
  records: number
  orphanLines: number
  printedAny: boolean
  selected: boolean
  /** Files with a selected unit (-I can take one back when a NUL turns up later). */
  selectedFiles?: number
  stopAll: boolean
}

interface HistoryUnit {
  text: string
  abs: number
  next: number
  lineNo: number
}

const NL = 10
const NEWLINE = Buffer.from('\n')
const PIECE = 64 << 10

/** The scan of one file: blocks of whole units in, grep's output bytes out. */
export class FileScan {
  stopped = false
  binaryMatched = false
  /** Record mode: a header line has been seen (a file without one is not an Odoo log). */
  sawHeader = false

  private readonly o: ScanOptions
  private readonly name: string
  readonly recordMode: boolean
  private readonly filterMode: boolean
  private readonly contextMode: boolean
  private readonly printMode: boolean
  private readonly textMode: boolean
  /** Bytes handed to push() so far (where grep's 96 KiB buffers fall). */
  private readPos = 0
  /**
   * -T: grep pads line numbers and offsets to the digits of the file's size (plus one with -n);
   * of the largest number for what is not a regular file (stdin, a pipe, what zgrep inflates).
   */
  private readonly numWidth: number
  private readonly after: number
  private readonly before: number
  private readonly max: number
  private readonly namePrefix: string

  private carry: Buffer[] = []
  private carryEndsLine = true
  private carryLen = 0
  private offset = 0 // absolute offset of the current block
  private binary = false

  private selectedCount = 0
  private maxReached = false
  private pendingAfter = 0
  private lastPrintedEnd = -1 // absolute offset after the last printed unit
  private history: HistoryUnit[] = []
  private cursorPos = 0 // absolute offset whose line number is cursorLine
  private cursorLine = 1
  private rangeStart = 0
  private memoFrom = -1 // nextMatch memo: the first hit at or after memoFrom is memoHit
  private memoHit = -1
  private lit = ''
  private finder: LiteralFinder | null = null

  // the block being scanned
  private buf: Buffer = Buffer.alloc(0)
  private str: Hay = ''
  private readonly useBuffer: boolean
  private starts: number[] = [] // window mode: record starts in the block (always begins with 0)
  private out: (string | Buffer)[] = []
  /** Plain lines (no colour, numbers, offsets, escaping): output is the file's own bytes. */
  private readonly rawLines: boolean
  /** `NAME:` / `NAME-` as bytes, for rawLines with file names. */
  private readonly namePrefixBuf: { ':': Buffer; '-': Buffer }
  /** LogRecords, and the items a lane made instead. */
  collected: unknown[] = []
  /** Where the collected records also go, for the cache. */
  private recorder: RecordRecorder | null = null
  /** Builds the file's grep index from its bytes (see grep-index.ts). */
  indexer: AnchorIndexer | null = null

  constructor(
    src: LogSource,
    private readonly m: Matcher,
    options: ScanOptions,
    private readonly shared: Shared,
    private readonly since: string | null,
    private readonly until: string | null,
    private readonly source = 0,
  ) {
    this.o = options
    this.name = src.name
    this.filterMode = !!(since || until || options.levels?.length || options.dbs?.length || options.loggers?.length)
    this.recordMode = !!options.records || !!options.levels?.length || !!options.dbs?.length || !!options.loggers?.length
    const regular = !!src.handle && !src.stream && !src.gzip && Number.isFinite(src.size)
    this.numWidth = !options.initialTab ? 0 : regular ? String(src.size + (options.lineNumber ? 1 : 0)).length : 20
    this.textMode = !!options.text || options.binaryFiles === 'text' || !!options.nullData
    this.printMode = !options.quiet && !options.count && !options.filesWithMatches && !options.filesWithoutMatch
    this.contextMode = this.printMode && !options.json && (options.after !== undefined || options.before !== undefined)
    this.after = this.contextMode ? options.after ?? 0 : 0
    this.before = this.contextMode ? options.before ?? 0 : 0
    this.max = options.maxCount ?? Infinity
    this.namePrefix = stringBytes(src.name).toString('latin1')
    if (m.literal) {
      this.lit = m.literal.toString('latin1')
      this.finder = literalFinder(m.literal)
    }
    this.useBuffer = (!!m.literal || m.matchesEverything) && !this.recordMode && !this.filterMode
    this.rawLines = !options.colors && !options.initialTab && !options.escapeControl && !options.lineNumber && !options.byteOffset && !this.recordMode && !options.json && !options.onlyMatching
    const z = options.nullAfterName
    this.namePrefixBuf = { ':': Buffer.from(this.namePrefix + (z ? '\0' : ':'), 'latin1'), '-': Buffer.from(this.namePrefix + (z ? '\0' : '-'), 'latin1') }
    if (this.max <= 0) this.stopped = true
  }

  /**
   * Takes the next chunk of the file; returns output for the whole units it completed. Where blocks
   * become strings (regex modes), a chunk is taken in pieces of about PIECE bytes cut at line ends:
   * V8 puts strings over ~128 KiB in large-object space, freed only by full collections, and the
   * report's peak RSS over the bench folder was 185 MB with 512 KiB strings.
   */
  push(chunk: Buffer): Buffer | null {
    this.indexer?.push(chunk)
    if (this.o.nullData) swapNulNewline(chunk)
    const at = this.readPos
    this.readPos += chunk.length
    if (!this.binary && !this.textMode) {
      const nul = chunk.indexOf(0)
      if (nul >= 0) {
        // GNU grep reads 96 KiB at a time and turns binary at the buffer holding the first NUL:
        // the lines that end before that buffer are printed as text
        const cut = Math.max(0, Math.floor((at + nul) / GREP_BUFFER) * GREP_BUFFER - at)
        const before = cut > 0 ? this.pushText(chunk.subarray(0, cut)) : null
        if (this.stopped) return before
        this.enterBinary()
        const after = this.pushText(chunk.subarray(cut))
        return before && after ? Buffer.concat([before, after]) : (before ?? after)
      }
    }
    return this.pushText(chunk)
  }

  private pushText(chunk: Buffer): Buffer | null {
    if (this.useBuffer || chunk.length <= PIECE) return this.pushPiece(chunk)
    const outs: Buffer[] = []
    for (let off = 0; off < chunk.length && !this.stopped; ) {
      let end = off + PIECE
      if (end >= chunk.length) end = chunk.length
      else {
        const nl = chunk.indexOf(NL, end)
        end = nl < 0 ? chunk.length : nl + 1
      }
      const o = this.pushPiece(chunk.subarray(off, end))
      if (o) outs.push(o)
      off = end
    }
    return outs.length > 1 ? Buffer.concat(outs) : (outs[0] ?? null)
  }

  private pushPiece(chunk: Buffer): Buffer | null {
    if (this.stopped) return null
    if (!this.recordMode && !this.filterMode) {
      // Lines: only a chunk with a line end completes anything; keep the rest without copying it.
      const last = this.lastTerminator(chunk)
      if (last < 0) {
        this.carry.push(chunk)
        this.carryLen += chunk.length
        return null
      }
      // The carried partial line is completed by the chunk's first line end: that small block is
      // copied, the rest of the chunk is scanned where it lies (no copy of the whole chunk).
      const outs: Buffer[] = []
      let from = 0
      if (this.carryLen > 0) {
        const first = this.firstTerminator(chunk)
        const o = this.block(this.takeCarry(chunk.subarray(0, first + 1)))
        if (o) outs.push(o)
        from = first + 1
      }
      if (from <= last && !this.stopped) {
        const o = this.block(chunk.subarray(from, last + 1))
        if (o) outs.push(o)
      }
      this.keepCarry(chunk.subarray(last + 1))
      return outs.length > 1 ? Buffer.concat(outs) : (outs[0] ?? null)
    }
    if (!this.filterMode) return this.pushRecords(chunk)
    // Windows: the block ends where the last record starts, which may still grow.
    const data = this.takeCarry(chunk)
    const str = data.toString('latin1')
    const heads = findHeaders(str, 0, str.length, [])
    const cut = heads.length ? heads[heads.length - 1]! : 0
    if (cut === 0) {
      this.keepCarry(data)
      return null
    }
    this.keepCarry(data.subarray(cut))
    return this.block(data.subarray(0, cut), str.slice(0, cut), heads.slice(0, -1))
  }

  /**
   * Records without a window: record bounds are found around hits only (no scan of every header).
   * The carried record is completed by the chunk's first header: that part is copied, the chunk's
   * whole records are scanned where they lie, and the last record (which may still grow) is carried.
   */
  private pushRecords(chunk: Buffer): Buffer | null {
    const cs = chunk.toString('latin1')
    // the chunk's first line start: 0 when the carry ends a line (or there is none), else after its first \n
    let p = this.carryLen === 0 || this.carryEndsLine ? 0 : afterNl(cs, 0)
    let first = -1
    for (; p >= 0 && p < cs.length; p = afterNl(cs, p)) {
      if (isHeaderAt(cs, p)) {
        first = p
        break
      }
    }
    if (first < 0) {
      this.carry.push(chunk)
      this.carryLen += chunk.length
      this.carryEndsLine = chunk[chunk.length - 1] === NL
      return null
    }
    let last = first
    for (let q = cs.lastIndexOf('\n', cs.length - 2); q >= first; q = q > 0 ? cs.lastIndexOf('\n', q - 1) : -1) {
      if (isHeaderAt(cs, q + 1)) {
        last = q + 1
        break
      }
    }
    const outs: Buffer[] = []
    if (this.carryLen > 0 || first > 0) {
      const o = this.block(this.takeCarry(chunk.subarray(0, first)))
      if (o) outs.push(o)
    }
    if (last > first && !this.stopped) {
      const o = this.block(chunk.subarray(first, last), cs.slice(first, last))
      if (o) outs.push(o)
    }
    this.keepCarry(chunk.subarray(last))
    this.carryEndsLine = chunk[chunk.length - 1] === NL
    return outs.length > 1 ? Buffer.concat(outs) : (outs[0] ?? null)
  }

  /**
   * One record chosen elsewhere (grepChosen), searched and printed as `--records` would print it at
   * its place in the file: `bytes` start at `offset`, on line `line`.
   */
  pushRecord(bytes: Buffer, offset: number, line: number): Buffer | null {
    if (this.stopped) return null
    this.offset = offset
    this.cursorPos = offset
    this.cursorLine = line
    this.sawHeader = true
    if (!this.binary && !this.textMode && bytes.indexOf(0) >= 0) this.enterBinary()
    return this.block(bytes)
  }

  /** The file held a NUL byte (and was read as binary from there). */
  get wentBinary(): boolean {
    return this.binary
  }

  /** Each record collected from here on is also handed to `r` (the cache's copy of what this file selects). */
  record(r: RecordRecorder): void {
    this.recorder = r
  }

  index(ix: AnchorIndexer): void {
    this.indexer = ix
  }

  /**
   * The file's selected records from a cache entry, collected as its reading would collect them (the
   * time window applies). Returns false, having collected nothing, for a damaged body.
   */
  replay(meta: RecordsMeta, body: Buffer): boolean {
    const keep: [number, number, number, number][] = []
    const whole = eachRecord(body, meta.count, (u, e, offset, line) => {
      // (an entry holds no orphan lines: every record starts with its header)
      if (this.filterMode && !this.inWindow(parseHeader(firstLine(body, u, e), 0)?.stamp ?? '')) return
      keep.push([u, e, offset, line])
    })
    if (!whole) return false
    this.sawHeader = meta.sawHeader
    for (const [u, e, offset, line] of keep) this.collectUnit(body, u, e, offset, line)
    return true
  }

  take(): unknown[] {
    const r = this.collected
    this.collected = []
    return r
  }

  /**
   * --follow, the file has gone quiet: the last record is final if its last line has ended (a
   * line is final at its end anyway, and a partial line waits for the rest of it).
   */
  settle(): Buffer | null {
    if (this.stopped || this.carryLen === 0 || (!this.recordMode && !this.filterMode)) return null
    const c = this.carry[this.carry.length - 1]!
    return c[c.length - 1] === NL ? this.flush() : null
  }

  /** End of the stream: the last, possibly unterminated, unit. */
  flush(): Buffer | null {
    if (this.stopped || this.carryLen === 0) return null
    const data = this.takeCarry(Buffer.alloc(0))
    this.keepCarry(Buffer.alloc(0))
    return this.block(data)
  }

  /** Per-file lines that come after the scan: -c counts, -L names. */
  finish(): Buffer | null {
    const o = this.o
    if (o.quiet) return null
    if (o.count && !o.filesWithMatches && !o.filesWithoutMatch) {
      if (o.json) return this.jsonLine({ file: this.name, count: this.selectedCount })
      return Buffer.from((o.withFilename ? this.fileName() + this.nameEnd(':') : '') + this.selectedCount + '\n', 'latin1')
    }
    if (o.filesWithoutMatch && this.selectedCount === 0) return o.json ? this.jsonLine({ file: this.name }) : Buffer.from(this.fileName() + (o.nullAfterName ? '\0' : '\n'), 'latin1')
    return null
  }

  // --- blocks ---

  private lastTerminator(chunk: Buffer): number {
    const nl = chunk.lastIndexOf(NL)
    return this.binary ? Math.max(nl, chunk.lastIndexOf(0)) : nl
  }

  private firstTerminator(chunk: Buffer): number {
    const nl = chunk.indexOf(NL)
    if (!this.binary) return nl
    const z = chunk.indexOf(0)
    return z >= 0 && (nl < 0 || z < nl) ? z : nl
  }

  private takeCarry(chunk: Buffer): Buffer {
    if (this.carryLen === 0) return chunk
    return Buffer.concat([...this.carry, chunk], this.carryLen + chunk.length)
  }

  private keepCarry(rest: Buffer) {
    this.carry = rest.length ? [rest] : []
    this.carryLen = rest.length
  }

  private enterBinary() {
    this.binary = true
    // grep prints no more lines once a buffer holds a NUL, trailing context included
    this.pendingAfter = 0
    if (this.o.binaryFiles === 'without-match') {
      // -I: grep gives up on the file where it finds a NUL, and counts it as holding no match
      if (this.selectedCount > 0) {
        this.shared.selectedFiles = (this.shared.selectedFiles ?? 1) - 1
        this.shared.selected = this.shared.selectedFiles > 0
      }
      this.selectedCount = 0
      this.stopped = true
    }
  }

  private block(buf: Buffer, str?: string, heads?: number[]): Buffer | null {
    this.buf = buf
    this.str = str ?? (this.useBuffer ? new BufferHay(buf) : buf.toString('latin1'))
    this.out = []
    this.memoFrom = -1
    const len = buf.length
    if (this.filterMode) {
      const h = heads ?? findHeaders(this.text, 0, len, [])
      this.starts = h.length && h[0] === 0 ? h : [0, ...h]
      if (h.length) this.sawHeader = true
      if (this.o.countRecords) this.shared.records += h.length
    } else if (this.recordMode && this.o.countRecords) {
      const n = findHeaders(this.text, 0, len, []).length
      this.shared.records += n
      if (n) this.sawHeader = true
    }
    // until the first header: is this an Odoo log at all? (one regex pass per block, only until found)
    if (this.recordMode && !this.sawHeader) this.sawHeader = firstHeader(this.text, 0, len) >= 0
    if (this.recordMode && this.offset === 0 && len > 0 && !isHeaderAt(this.text, 0)) {
      // lines before the stream's first header: one unit of their own, counted as orphan lines
      const end = this.unitEnd(0)
      this.shared.orphanLines += countNl(this.str, 0, end) + (end < len ? 1 : this.str.charCodeAt(len - 1) === NL ? 0 : 1)
    }
    if (this.filterMode) {
      for (const [a, b] of this.windowRanges()) {
        if (this.stopped) break
        this.scanRange(a, b)
      }
    } else this.scanRange(0, len)
    if (!this.stopped) this.endBlock(len)
    this.offset += len
    if (!this.out.length) return null
    if (this.out.length === 1 && this.out[0] instanceof Buffer) return this.out[0] // a slice of the block: no copy
    return Buffer.concat(this.out.map((x) => (typeof x === 'string' ? Buffer.from(x, 'latin1') : x)))
  }

  /** Ranges of the block made of units whose record passes the time window and header filters. */
  private windowRanges(): [number, number][] {
    const o = this.o
    const ranges: [number, number][] = []
    const starts = this.starts
    const len = this.buf.length
    for (let k = 0; k < starts.length; k++) {
      const a = starts[k]!
      const b = k + 1 < starts.length ? starts[k + 1]! : len
      const h = parseHeader(this.text, a)
      let pass: boolean
      if (!h) {
        // Lines before a stream's first header: a unit of their own, in the window of the record
        // that follows them (or kept when none follows); header filters cannot select them.
        const nextStart = starts[k + 1]
        const next = nextStart !== undefined ? parseHeader(this.text, nextStart) : null
        pass = !o.levels?.length && !o.dbs?.length && !o.loggers?.length && (!next || this.inWindow(next.stamp))
      } else pass = this.inWindow(h.stamp) && this.headerPasses(h)
      if (!pass) continue
      const last = ranges[ranges.length - 1]
      if (last && last[1] === a) last[1] = b
      else ranges.push([a, b])
    }
    return ranges
  }

  private inWindow(stamp: string): boolean {
    return (!this.since || stamp >= this.since) && (!this.until || stamp <= this.until)
  }

  private headerPasses(h: RecordHeader): boolean {
    const o = this.o
    if (o.levels?.length && !o.levels.includes(h.level)) return false
    if (o.dbs?.length && !o.dbs.includes(h.db)) return false
    if (o.loggers?.length && !o.loggers.some((l) => h.logger === l || h.logger.startsWith(l + '.'))) return false
    return true
  }

  // --- units: [start, end) is the text, the terminator (if any) is at `end` ---

  private unitStart(i: number): number {
    if (this.recordMode && this.filterMode) return this.starts[this.unitIndex(i)]!
    const s = this.str
    if (this.recordMode) {
      // back from the line holding i to the nearest header line (or the block's start)
      // (a string's lastIndexOf reads a negative start as 0: the line before a block's empty first
      // line was found at 0 again and again, for ever)
      let p = i === 0 ? 0 : s.lastIndexOf('\n', i - 1) + 1
      while (p > 0 && !isHeaderAt(this.text, p)) p = p === 1 ? 0 : s.lastIndexOf('\n', p - 2) + 1
      return p
    }
    // the match of an empty line at the block's start is that line, not the next one
    if (i === 0) return 0
    let p = s.lastIndexOf('\n', i - 1)
    if (this.binary) p = Math.max(p, s.lastIndexOf('\0', i - 1))
    return p + 1
  }

  private unitEnd(start: number): number {
    const s = this.str
    if (this.recordMode && !this.filterMode) {
      // on to the line end before the next header line (or the block's end)
      let p = s.indexOf('\n', start)
      while (p >= 0 && p + 1 < s.length && !isHeaderAt(this.text, p + 1)) p = s.indexOf('\n', p + 1)
      return p < 0 ? s.length : p
    }
    if (this.recordMode) {
      const k = this.unitIndex(start)
      const next = this.starts[k + 1]
      if (next !== undefined) return next - 1
      return s.length > 0 && s.charCodeAt(s.length - 1) === NL ? s.length - 1 : s.length
    }
    let p = s.indexOf('\n', start)
    if (this.binary) {
      const z = s.indexOf('\0', start)
      if (z >= 0 && (p < 0 || z < p)) p = z
    }
    return p < 0 ? s.length : p
  }

  private unitIndex(i: number): number {
    const a = this.starts
    let lo = 0
    let hi = a.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if (a[mid]! <= i) lo = mid
      else hi = mid - 1
    }
    return lo
  }

  /** The first matching unit starting at or after `from` (a unit start), below `limit`. */
  private nextMatch(from: number, limit: number): number {
    if (from >= limit) return -1
    if (this.m.matchesEverything) return from
    let hit: number
    if (this.memoFrom >= 0 && from >= this.memoFrom && (this.memoHit < 0 || this.memoHit >= from)) hit = this.memoHit
    else {
      if (this.m.literal) hit = this.str instanceof BufferHay ? this.finder!.find(this.buf, from) : this.str.indexOf(this.lit, from)
      else hit = this.m.find(this.text, from, this.binary)
      this.memoFrom = from
      this.memoHit = hit
    }
    if (hit < 0) return -1
    const u = this.unitStart(hit)
    return u < limit ? u : -1
  }

  private scanRange(a: number, limit: number) {
    this.rangeStart = a
    let pos = a
    while (pos < limit && !this.stopped) {
      if (this.maxReached) {
        this.trailing(pos, limit)
        if (this.pendingAfter === 0) this.stopped = true
        return
      }
      const u = this.nextMatch(pos, limit)
      const gapEnd = u < 0 ? limit : u
      if (!this.o.invert) {
        if (this.pendingAfter > 0) this.trailing(pos, gapEnd)
        if (u < 0) return
        const e = this.unitEnd(u)
        this.select(u, e, true)
        pos = e + 1
      } else {
        for (let g = pos; g < gapEnd && !this.stopped && !this.maxReached; ) {
          const e = this.unitEnd(g)
          this.select(g, e, false)
          g = e + 1
          pos = g
        }
        if (this.stopped || this.maxReached) continue
        if (u < 0) return
        const e = this.unitEnd(u)
        if (this.pendingAfter > 0) {
          this.printUnit(u, e, '-', true)
          this.pendingAfter--
        }
        pos = e + 1
      }
    }
  }

  /** Prints trailing context units in [from, to) while some are owed. */
  private trailing(from: number, to: number) {
    for (let u = from; u < to && this.pendingAfter > 0; ) {
      const e = this.unitEnd(u)
      this.printUnit(u, e, '-', !!this.o.invert)
      this.pendingAfter--
      u = e + 1
    }
  }

  private select(u: number, e: number, matched: boolean) {
    const o = this.o
    this.shared.selected = true
    if (this.selectedCount === 0) this.shared.selectedFiles = (this.shared.selectedFiles ?? 0) + 1
    this.selectedCount++
    if (o.quiet) {
      this.shared.stopAll = this.stopped = true
      return
    }
    if (o.filesWithMatches) {
      this.out.push(o.json ? this.jsonLine({ file: this.name }) : this.fileName() + (o.nullAfterName ? '\0' : '\n'))
      this.stopped = true
      return
    }
    if (o.filesWithoutMatch) {
      this.stopped = true
      return
    }
    if (this.binary && !o.count) {
      this.binaryMatched = true
      this.stopped = true
      return
    }
    if (this.selectedCount >= this.max) {
      this.maxReached = true
      if (o.count || this.after === 0) this.stopped = true
    }
    if (o.count) return
    if (this.before > 0) this.beforeContext(u)
    this.printUnit(u, e, ':', matched)
    this.pendingAfter = this.after
  }

  private beforeContext(u: number) {
    const units: [number, number][] = []
    let p = u
    // not before the last printed unit (may be in an earlier block) nor outside the scanned range
    const floor = Math.max(this.lastPrintedEnd - this.offset, this.rangeStart)
    while (units.length < this.before && p > floor) {
      const s = this.unitStart(p - 1)
      if (s < floor) break
      units.unshift([s, p - 1])
      p = s
    }
    const need = this.before - units.length
    if (need > 0 && p === 0 && !this.filterMode) {
      const old = this.history.filter((h) => h.abs >= this.lastPrintedEnd).slice(-need)
      for (const h of old) this.emitHistory(h)
    }
    for (const [s, e] of units) this.printUnit(s, e, '-', !!this.o.invert)
  }

  private emitHistory(h: HistoryUnit) {
    this.separatorBefore(h.abs)
    this.out.push(this.formatUnit(h.text, h.abs, h.lineNo, '-', !!this.o.invert))
    this.lastPrintedEnd = h.next
    this.shared.printedAny = true
  }

  /** At a block's end: trailing context owed is printed next block; keep the last units for -B. */
  private endBlock(len: number) {
    if (this.o.lineNumber || this.o.json || (this.o.collect && this.o.collectLines !== false)) this.advanceCursor(this.offset + len)
    if (this.before === 0) return
    const keep: HistoryUnit[] = []
    let p = len
    while (keep.length < this.before && p > 0) {
      const s = this.unitStart(p - 1)
      if (this.offset + s < this.lastPrintedEnd) break
      keep.unshift({ text: this.str.slice(s, p - 1), abs: this.offset + s, next: this.offset + p, lineNo: 0 })
      p = s
    }
    // the cursor stands at the block's end: count back to each kept unit
    if (this.o.lineNumber) for (const h of keep) h.lineNo = this.cursorLine - countNl(this.str, h.abs - this.offset, len)
    this.history = [...this.history, ...keep].slice(-this.before)
  }

  // --- output ---

  private separatorBefore(abs: number) {
    if (this.contextMode && this.shared.printedAny && abs !== this.lastPrintedEnd) {
      const c = this.o.colors
      this.out.push((c ? paint(c.se, '--', c) : '--') + '\n')
    }
  }

  private printUnit(u: number, e: number, sep: ':' | '-', matched: boolean) {
    const abs = this.offset + u
    if (this.o.collect) {
      const line = this.o.collectLines === false ? 0 : this.lineAt(abs)
      if (this.recorder) {
        // the lines before a stream's first header: a unit the cache cannot replay (its window is
        // that of the record after it), so such a file is not cached
        if (abs === 0 && !isHeaderAt(this.text, u)) this.recorder.giveUp()
        this.recorder.add(this.buf, u, e, abs, line)
      }
      if (this.o.keepBytes) {
        const rec = this.collectUnit(this.buf, u, e, abs, line)
        // a copy: a view would keep the whole block alive while the record waits
        rec!.bytes = Buffer.from(this.buf.subarray(u, Math.min(e + 1, this.buf.length)))
      } else this.collectUnit(this.buf, u, e, abs, line)
      return
    }
    if (this.o.json) {
      this.out.push(this.jsonUnit(u, e))
      this.shared.printedAny = true
      this.lastPrintedEnd = this.offset + e + 1
      return
    }
    this.separatorBefore(abs)
    this.lastPrintedEnd = this.offset + e + 1
    this.shared.printedAny = true
    if (this.o.onlyMatching) {
      if (sep === ':' && matched) this.printMatches(u, e)
      return
    }
    if (this.rawLines) return this.pushRaw(u, e, sep)
    const lineNo = this.o.lineNumber ? this.lineAt(abs) : 0
    this.out.push(this.formatUnit(this.str.slice(u, e), abs, lineNo, sep, matched))
  }

  /**
   * One selected unit, `buf[u, e)`, for a parser: what the lane makes of it, else a LogRecord (returned).
   */
  private collectUnit(buf: Buffer, u: number, e: number, abs: number, line: number): LogRecord | undefined {
    const lane = this.o.keepBytes ? undefined : this.o.lane
    if (lane) {
      const item = lane(buf, u, e, this.name, line)
      if (item !== undefined) {
        this.collected.push(item)
        return
      }
    }
    const text = buf.toString('utf8', u, e)
    // the header read from the record's own text: its fields are views of that text, and its
    // offsets count that text's characters (the block's are latin1 bytes)
    const header = readHeader(text, 0, false) ?? (buf === this.buf ? parseHeader(this.text, u) : parseHeader(firstLine(buf, u, e), 0))
    const rec: LogRecord = { file: this.name, source: this.source, line, offset: abs, header, text }
    this.collected.push(rec)
    return rec
  }

  /**
   * A plain line as the file's own bytes: lines that follow each other in the block go out as one
   * slice of it. `grep ''` over the bench folder (400 MB out) peaked at 195 MB RSS when every line
   * became a string first.
   */
  private pushRaw(u: number, e: number, sep: ':' | '-') {
    if (this.o.withFilename) this.out.push(this.namePrefixBuf[sep])
    const hasNl = e < this.buf.length && this.buf[e] === NL
    if (this.o.nullData) {
      const line = Buffer.from(this.buf.subarray(u, hasNl ? e + 1 : e))
      this.out.push(swapNulNewline(line))
      if (!hasNl) this.out.push(NUL_BYTE)
      return
    }
    const last = this.out[this.out.length - 1]
    if (!this.o.withFilename && hasNl && last instanceof Buffer && last.buffer === this.buf.buffer && last.byteOffset + last.length === this.buf.byteOffset + u) {
      this.out[this.out.length - 1] = this.buf.subarray(last.byteOffset - this.buf.byteOffset, e + 1)
      return
    }
    this.out.push(hasNl ? this.buf.subarray(u, e + 1) : Buffer.concat([this.buf.subarray(u, e), NEWLINE]))
  }

  /** A unit's text with grep's prefixes on each of its lines (records have several). */
  private formatUnit(text: string, abs: number, lineNo: number, sep: ':' | '-', matched: boolean): string {
    const o = this.o
    const c = o.colors
    const hasPrefix = o.withFilename || o.lineNumber || o.byteOffset
    const lines = this.recordMode && (hasPrefix || c) ? text.split('\n') : [text]
    let s = ''
    let off = abs
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!
      if (hasPrefix) s += this.prefix(sep, lineNo + i, off, line.length)
      const shown = c ? this.colorLine(line, sep, matched) : this.show(line)
      s += o.nullData ? swapText(shown) + '\0' : shown + '\n'
      off += line.length + 1
    }
    return s
  }

  /** grep's print_line_head: NAME, line number, byte offset, then with -T a tab before a non-empty text. */
  private prefix(sep: ':' | '-', lineNo: number, off: number, len: number): string {
    const o = this.o
    const c = o.colors
    let s = ''
    if (o.withFilename) s += this.fileName() + this.nameEnd(sep)
    const w = this.numWidth
    if (o.lineNumber) s += (c ? paint(c.ln, String(lineNo).padStart(w), c) : String(lineNo).padStart(w)) + this.sep(sep)
    if (o.byteOffset) s += (c ? paint(c.bn, String(off).padStart(w), c) : String(off).padStart(w)) + this.sep(sep)
    if (o.initialTab && s && len > 0) s += '\t'
    return s
  }

  private fileName(): string {
    const c = this.o.colors
    return c ? paint(c.fn, this.namePrefix, c) : this.namePrefix
  }

  /** What follows a file name: `:` / `-` (coloured) or a NUL with -Z. */
  private nameEnd(sep: string): string {
    return this.o.nullAfterName ? '\0' : this.sep(sep)
  }

  private sep(sep: string): string {
    const c = this.o.colors
    return c ? paint(c.se, sep, c) : sep
  }

  private show(text: string): string {
    return this.o.escapeControl ? escapeControl(text) : text
  }

  /**
   * A line in colour as GNU grep 3.8's prline writes it. The line colour (`sl` selected, `cx`
   * context; swapped under -v by `rv`) opens before each stretch between matches and is closed only
   * by the match's own reset (print_line_middle); after the last match the rest, less a final `\r`,
   * is painted whole (print_line_tail). Match colour: `ms` on selected lines, `mc` on context lines.
   */
  private colorLine(line: string, sep: ':' | '-', matched: boolean): string {
    const c = this.o.colors!
    const lineColor = (sep === ':') !== (!!this.o.invert && c.rv) ? c.sl : c.cx
    const matchColor = sep === ':' ? c.ms : c.mc
    const el = c.el ? '\x1b[K' : ''
    let s = ''
    let cur = 0
    if (matched && matchColor) {
      for (const [a, b] of this.matchesIn(line)) {
        if (lineColor) s += `\x1b[${lineColor}m${el}`
        s += this.show(line.slice(cur, a)) + paint(matchColor, this.show(line.slice(a, b)), c)
        cur = b
      }
    }
    if (lineColor) {
      const end = line.endsWith('\r') && line.length - 1 >= cur ? line.length - 1 : line.length
      if (end > cur) s += paint(lineColor, this.show(line.slice(cur, end)), c)
      cur = Math.max(cur, end)
    }
    return s + this.show(line.slice(cur))
  }

  /** Non-empty leftmost-longest matches of `line` (a single line, no terminator). */
  private matchesIn(line: string): [number, number][] {
    const res: [number, number][] = []
    if (this.m.literal) {
      const lit = this.lit
      if (!lit) return res
      for (let i = line.indexOf(lit); i >= 0; i = line.indexOf(lit, i + lit.length)) res.push([i, i + lit.length])
      return res
    }
    return this.m.matches(line, this.binary)
  }

  private printMatches(u: number, e: number) {
    const o = this.o
    const c = o.colors
    let lineStart = u
    const lines = this.recordMode ? this.str.slice(u, e).split('\n') : [this.str.slice(u, e)]
    for (const line of lines) {
      const abs = this.offset + lineStart
      for (const [a, b] of this.matchesIn(line)) {
        let s = this.prefix(':', o.lineNumber ? this.lineAt(abs) : 0, abs + a, b - a)
        const text = this.show(o.nullData ? swapText(line.slice(a, b)) : line.slice(a, b))
        s += (c ? paint(c.ms, text, c) : text) + (o.nullData ? '\0' : '\n')
        this.out.push(s)
      }
      lineStart += line.length + 1
    }
  }

  private jsonUnit(u: number, e: number): Buffer {
    const abs = this.offset + u
    const h = parseHeader(this.str.slice(u, e))
    const text = this.buf.subarray(u, e).toString('utf8')
    return this.jsonLine({
      file: this.name,
      line: this.lineAt(abs),
      offset: abs,
      time: h ? stampToIso(h.stamp) : null,
      pid: h ? h.pid : null,
      level: h ? h.level : null,
      db: h ? h.db : null,
      logger: h ? h.logger : null,
      text: this.o.onlyMatching ? this.matchesIn(this.str.slice(u, e)).map(([a, b]) => this.buf.subarray(u + a, u + b).toString('utf8')).join('\n') : text,
    })
  }

  /** One NDJSON line, as UTF-8 bytes (the block's text is latin1; bytes join both). */
  private jsonLine(obj: object): Buffer {
    return Buffer.from(JSON.stringify(obj) + '\n', 'utf8')
  }

  /** The block as a string: only in the modes where a regex runs (records, windows, patterns). */
  private get text(): string {
    if (typeof this.str !== 'string') throw new Error('internal: the block was not decoded')
    return this.str
  }

  // --- line numbers ---

  private lineAt(abs: number): number {
    this.advanceCursor(abs)
    return this.cursorLine
  }

  private advanceCursor(abs: number) {
    if (abs <= this.cursorPos) return
    const from = this.cursorPos - this.offset
    const to = abs - this.offset
    this.cursorLine += countNl(this.str, Math.max(0, from), to)
    this.cursorPos = abs
  }
}

const NUL_BYTE = Buffer.from([0])

/** GNU grep 3.8's read size (INITIAL_BUFSIZE): each read of a regular file is one such buffer. */
const GREP_BUFFER = 96 * 1024

/** -z: NUL and newline bytes trade places, in place. */
function swapNulNewline(b: Buffer): Buffer {
  const nuls: number[] = []
  for (let i = b.indexOf(0); i >= 0; i = b.indexOf(0, i + 1)) nuls.push(i)
  for (let i = b.indexOf(10); i >= 0; i = b.indexOf(10, i + 1)) b[i] = 0
  for (const i of nuls) b[i] = 10
  return b
}

/** -z: the same swap in a binary string. */
function swapText(s: string): string {
  return s.replace(/[\n\0]/g, (c) => (c === '\n' ? '\0' : '\n'))
}
