import { createHash } from 'node:crypto'
import type { ArchiveCache } from './cache.js'
import type { ScanOptions } from './grep.js'

/**
 * The records a scan selected from one rotated file, as the cache keeps them (kind `records`): a
 * warm run hands them to its parser at the file's turn instead of inflating and searching the file.
 * The parser still runs, so its output is what the same records read from the file give.
 *
 * Body: per record, its first line's number (u32), its byte offset in the decompressed file (f64),
 * its length (u32, without the line end that follows it), then its bytes.
 */
export const RECORDS = 'records'

/** What an entry of kind `records` says of its whole file. */
export interface RecordsMeta {
  /** Headers in the file (-1 when the run that wrote it did not count them). */
  records: number
  orphanLines: number
  sawHeader: boolean
  /** Records in the body. */
  count: number
}

const EMPTY = Buffer.alloc(0)

/** Collects the selected records of one file, up to `limit` bytes (then gives up: no entry). */
export class RecordRecorder {
  private buf: Buffer
  private len = 0
  count = 0
  /** More than `limit` bytes were selected, or a unit the cache cannot replay (orphan lines). */
  overflow = false

  constructor(private readonly limit: number) {
    this.buf = Buffer.allocUnsafe(Math.min(limit, 64 << 10))
  }

  add(src: Buffer, u: number, e: number, offset: number, line: number): void {
    if (this.overflow) return
    const need = this.len + 16 + (e - u)
    if (need > this.limit) return this.giveUp()
    if (need > this.buf.length) {
      const next = Buffer.allocUnsafe(Math.min(this.limit, Math.max(need, this.buf.length * 2)))
      this.buf.copy(next, 0, 0, this.len)
      this.buf = next
    }
    const b = this.buf
    b.writeUInt32LE(line, this.len)
    b.writeDoubleLE(offset, this.len + 4)
    b.writeUInt32LE(e - u, this.len + 12)
    src.copy(b, this.len + 16, u, e)
    this.len = need
    this.count++
  }

  giveUp(): void {
    this.overflow = true
    this.buf = EMPTY
  }

  body(): Buffer {
    return this.buf.subarray(0, this.len)
  }
}

/**
 * Calls `fn` for each record of a body: bytes `[u, e)` of `body`, offset and line. Returns false,
 * having called nothing, when the body does not hold exactly `count` whole records.
 */
export function eachRecord(body: Buffer, count: number, fn: (u: number, e: number, offset: number, line: number) => void): boolean {
  let n = 0
  for (let p = 0; p < body.length; n++) {
    if (p + 16 > body.length) return false
    p += 16 + u32(body, p + 12)
    if (p > body.length) return false
  }
  if (n !== count) return false
  for (let p = 0; p < body.length; ) {
    const u = p + 16
    const e = u + u32(body, p + 12)
    fn(u, e, body.readDoubleLE(p + 4), u32(body, p))
    p = e
  }
  return true
}

/** readUInt32LE without its checks (the bounds are checked above): it was 4% of a warm report. */
function u32(b: Buffer, p: number): number {
  return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0
}

/** What decides which records a scan selects and how they are numbered: an entry is for one of these. */
export function selectionKey(o: ScanOptions): string {
  const patterns = o.patterns.map((p) => (typeof p === 'string' ? 's' + p : 'b' + p.toString('base64')))
  const key = JSON.stringify([patterns, o.syntax ?? 'basic', !!o.ignoreCase, !!o.wordRegexp, !!o.lineRegexp, !!o.invert, !!o.nullData, !!o.text, o.binaryFiles ?? 'binary', o.collectLines !== false])
  return createHash('sha1').update(key).digest('hex')
}

/** Whether a scan can use the cache for records: a parser's reading, with nothing but the time window on top. */
export function cachesRecords(o: ScanOptions): o is ScanOptions & { cache: ArchiveCache } {
  return !!o.cache && !!o.collect && !o.keepBytes && !o.levels?.length && !o.dbs?.length && !o.loggers?.length && o.maxCount === undefined
}

/** Reads an entry's meta, or null when it is not what a records entry says. */
export function recordsMeta(meta: unknown): RecordsMeta | null {
  const m = meta as RecordsMeta | null
  if (!m || typeof m !== 'object') return null
  const ok = Number.isInteger(m.records) && Number.isInteger(m.orphanLines) && typeof m.sawHeader === 'boolean' && Number.isInteger(m.count) && m.count >= 0
  return ok ? m : null
}
