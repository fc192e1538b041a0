// grep's index of a rotated file: the windows of bytes at each `@` and `<` in it (addresses and
// Message-Ids, what people search their mail logs for), as 24-bit hashes. A literal that holds such
// a window whole can only occur in a file whose index holds that window's hash: a file without it
// is not read at all on the next search.
//
// Why anchors and not every n-gram (as ugrep-indexer does): hashing every position of every byte
// cost 0.70-0.82 ns a byte in JavaScript (measured on the bench folder: 0.20-0.24 s more on the first
// search, which takes 0.5 s). The anchors are found by memchr (Buffer#indexOf of a byte): 1,563 in a
// 10 MB archive of the bench folder, 81,600 in an 8 MB day of the mail-dense folder. A literal
// without a whole window (a mail id, a word, `@x.org`) reads every file, as without an index.

import { ENTRY_SLACK, type ArchiveCache } from './cache.js'
import type { LogSource } from './sources.js'

/** The entry kind in the ArchiveCache. */
export const GREP_INDEX = 'grep-index'

/**
 * The windows kept: around each `@`, 4 bytes, the `@`, 4 bytes (`ient@exam`: an address); the `@`
 * and the 8 bytes after it (`@example.`: a domain); after each `<`, the `<` and 8 bytes (`<639105.1`:
 * a Message-Id, whose bytes around its `@` are the same in all of them).
 */
const SHAPES: readonly [anchor: number, before: number, after: number][] = [
  [0x40, 4, 4],
  [0x40, 0, 8],
  [0x3c, 0, 8],
]
const ANCHORS = [...new Set(SHAPES.map(([a]) => a))]
/** Every shape's bytes: before + 1 + after. */
const SPAN = 9
const HASH_BITS = 24

/**
 * A window's hash: FNV-1a over its shape's number then its SPAN bytes from `start`, folded to
 * HASH_BITS (the shape in it: the same bytes under two shapes are two windows).
 */
function hashAt(b: ArrayLike<number>, start: number, shape: number): number {
  let h = Math.imul(0x811c9dc5 ^ shape, 0x01000193)
  for (let i = start; i < start + SPAN; i++) h = Math.imul(h ^ b[i]!, 0x01000193)
  return (h ^ (h >>> HASH_BITS)) & ((1 << HASH_BITS) - 1)
}

/** Windows over the budget a file's bytes read so far allow, before it gives up (see AnchorIndexer). */
const SLACK = 1024

/**
 * Builds a file's index from its bytes in order, each exactly once (FileScan.push). Windows across
 * two chunks are put together from the bytes kept of the chunk before. Gives up (`overflow`) past
 * `maxWindows` distinct windows (a file that full of addresses would not fit its share of the cache),
 * or early, when the bytes read so far hold more than their share of them: a mass mailing's day has
 * a new Message-Id every 400 bytes, and hashing all of its 80,000 windows for nothing cost more
 * than the search (0.98 s against 0.35 s over the mail-dense bench folder). A file given up on is
 * marked so in the cache (GrepIndexes.store), and read without building on the next searches.
 */
export class AnchorIndexer {
  private readonly hashes = new Set<number>()
  /** The last SPAN - 1 bytes seen (a window's start may lie in an earlier chunk). */
  private tail = Buffer.alloc(0)
  /** Anchors whose window's end has not been read yet: the bytes from the window start so far. */
  private waiting: { shape: number; bytes: number[] }[] = []
  private seen = 0
  overflow = false

  /** `bytes`: about how many bytes the file holds (decompressed), to pace the budget (0: no pace). */
  constructor(
    private readonly maxWindows: number,
    private readonly bytes = 0,
  ) {}

  push(c: Buffer): void {
    if (this.overflow) return
    // the windows waiting for their end
    if (this.waiting.length) {
      const still: { shape: number; bytes: number[] }[] = []
      for (const w of this.waiting) {
        for (let i = 0; w.bytes.length < SPAN && i < c.length; i++) w.bytes.push(c[i]!)
        if (w.bytes.length === SPAN) this.add(hashAt(w.bytes, 0, w.shape))
        else still.push(w)
      }
      this.waiting = still
    }
    const base = this.seen
    for (const anchor of ANCHORS) {
      for (let p = c.indexOf(anchor); p >= 0; p = c.indexOf(anchor, p + 1)) {
        for (let shape = 0; shape < SHAPES.length; shape++) {
          const [a, before] = SHAPES[shape]!
          if (a !== anchor || base + p < before) continue // (a window that would start before the file)
          const from = p - before
          if (from >= 0 && from + SPAN <= c.length) {
            this.add(hashAt(c, from, shape))
            // the pace, every 256 windows: a mass mailing gives up in its first thousands
            if ((this.hashes.size & 255) === 0 && this.overPace(base + p)) return
            continue
          }
          // part of it in the chunk before (from the tail), or its end still to come
          const bytes: number[] = []
          for (let i = from; i < from + SPAN && i < c.length; i++) bytes.push(i < 0 ? this.tail[this.tail.length + i]! : c[i]!)
          if (bytes.length === SPAN) this.add(hashAt(bytes, 0, shape))
          else this.waiting.push({ shape, bytes })
        }
      }
      if (this.overflow) return
    }
    this.seen += c.length
    if (this.overPace(this.seen)) return
    const keep = SPAN - 1
    this.tail = c.length >= keep ? Buffer.from(c.subarray(c.length - keep)) : Buffer.concat([this.tail, c]).subarray(-keep)
  }

  /** More windows than the bytes read up to `at` may hold: gives up. */
  private overPace(at: number): boolean {
    const share = this.bytes > 0 ? Math.min(1, at / this.bytes) : 1
    if (this.hashes.size > SLACK + this.maxWindows * share) this.overflow = true
    return this.overflow
  }

  private add(h: number) {
    this.hashes.add(h)
    if (this.hashes.size > this.maxWindows) this.overflow = true
  }

  /** The index as stored: its hashes sorted, as differences in LEB128 (2 bytes each, about). */
  body(): Buffer {
    const sorted = Uint32Array.from(this.hashes).sort()
    const out = Buffer.allocUnsafe(sorted.length * 4)
    let n = 0
    let prev = 0
    for (const h of sorted) {
      let d = h - prev
      prev = h
      while (d >= 0x80) {
        out[n++] = (d & 0x7f) | 0x80
        d >>>= 7
      }
      out[n++] = d
    }
    return out.subarray(0, n)
  }

  get count(): number {
    return this.hashes.size
  }
}

/**
 * The hashes of the windows a literal holds whole (each anchor with the bytes around it that a
 * shape needs); null when none fits: the index cannot tell.
 */
export function literalWindows(lit: Buffer): number[] | null {
  const out: number[] = []
  for (const anchor of ANCHORS) {
    for (let p = lit.indexOf(anchor); p >= 0; p = lit.indexOf(anchor, p + 1)) {
      for (let shape = 0; shape < SHAPES.length; shape++) {
        const [a, before, after] = SHAPES[shape]!
        if (a === anchor && p >= before && p + 1 + after <= lit.length) out.push(hashAt(lit, p - before, shape))
      }
    }
  }
  return out.length ? out : null
}

/** A stored index read back: the sorted hashes. Null when the body does not hold `count` of them. */
export function readIndex(body: Buffer, count: number): Uint32Array | null {
  if (!Number.isInteger(count) || count < 0 || count > body.length) return null
  const out = new Uint32Array(count)
  let n = 0
  let prev = 0
  for (let i = 0; i < body.length; ) {
    let d = 0
    let shift = 0
    for (;;) {
      if (i >= body.length || shift > 28) return null
      const b = body[i++]!
      d |= (b & 0x7f) << shift
      if (b < 0x80) break
      shift += 7
    }
    if (n >= count) return null
    prev += d >>> 0
    out[n++] = prev
  }
  return n === count ? out : null
}

/** Whether the index rules the file out: one of the literal's windows is not in it. */
export function rulesOut(index: Uint32Array, windows: readonly number[]): boolean {
  for (const h of windows) {
    let lo = 0
    let hi = index.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (index[mid]! < h) lo = mid + 1
      else hi = mid
    }
    if (lo >= index.length || index[lo] !== h) return true
  }
  return false
}

/** The key of the entries' layout beyond CACHE_FORMAT: the anchor, the shapes, the hash width. */
export const INDEX_SEL = `${SHAPES.map(([c, b, a]) => `${b}${String.fromCharCode(c)}${a}`).join(',')}:${HASH_BITS}`
/** An index may take this fraction of its archive's bytes on disk (gzip as stored). */
export const INDEX_SHARE = 25

interface FileIndex {
  id: string
  /** The stored index, or null when the file has none yet (it is built as the file is read). */
  entry: Uint32Array | null
  /** The file holds more windows than its index may: it is read, and no index is built. */
  full: boolean
}

/**
 * One search's use of the grep indexes: each rotated file's identity and index, looked up once
 * (synchronously, as the record cache: a few small reads), whether the pattern's windows rule it
 * out, and the index built while it was read, stored.
 */
export class GrepIndexes {
  private readonly files = new Map<number, FileIndex | null>()

  /** `windows`: the hashes every selected line's file must hold (literalWindows), or null to only build. */
  constructor(
    private readonly cache: ArchiveCache,
    private readonly windows: readonly number[] | null,
  ) {}

  /** Source k's identity and index; null for a file that can change (odoo.log, stdin). */
  of(src: LogSource, k: number): FileIndex | null {
    let f = this.files.get(k)
    if (f !== undefined) return f
    f = null
    const id = this.cache.identify(src)
    if (id) {
      const hit = this.cache.load(GREP_INDEX, INDEX_SEL, id, (m) => typeof (m as { count?: unknown })?.count === 'number')
      const count = hit ? (hit.meta as { count: number }).count : 0
      f = { id, entry: hit && count >= 0 ? readIndex(hit.body, count) : null, full: count < 0 }
    }
    this.files.set(k, f)
    return f
  }

  /** An indexer for source k when it has no index yet (and can have one), else null. */
  indexer(src: LogSource, k: number): AnchorIndexer | null {
    const f = this.of(src, k)
    // The windows that fit the entry's share (see ArchiveCache.store), at about 2 bytes each once
    // stored. A plain file (odoo.log.1) is held to what its archive will be allowed, a tenth of it (the
    // bench folders' archives inflate 10 and 11 times): its index is written again then, and a mass
    // mailing's day hashed 130,000 windows for nothing (40 ms of a 0.4 s search). An archive's text
    // is paced as 6 times its size.
    if (!f || f.entry || f.full) return null
    const onDisk = src.gzip ? src.size : src.size / 10
    return new AnchorIndexer(Math.floor((onDisk / INDEX_SHARE + ENTRY_SLACK) / 2), src.gzip ? src.size * 6 : src.size)
  }

  /** Source k's index shows it holds none of the pattern's windows: no line of it can match. */
  rulesOut(src: LogSource, k: number): boolean {
    if (!this.windows) return false
    const f = this.of(src, k)
    return !!f?.entry && rulesOut(f.entry, this.windows)
  }

  /** Stores what `ix` read of source k (the whole file, with no error): its index, or that it has none (count -1). */
  store(src: LogSource, k: number, ix: AnchorIndexer): void {
    const f = this.files.get(k)
    if (!f) return
    if (ix.overflow) this.cache.store(GREP_INDEX, INDEX_SEL, f.id, { count: -1 }, Buffer.alloc(0), src.size, INDEX_SHARE)
    else this.cache.store(GREP_INDEX, INDEX_SEL, f.id, { count: ix.count }, ix.body(), src.size, INDEX_SHARE)
  }
}
