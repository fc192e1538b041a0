/**
 * One fixed string searched in Buffers, leftmost match first: Buffer#indexOf of the whole needle
 * (Node's Boyer-Moore-Horspool), or, while one of the needle's bytes is rare in the text, a memchr
 * (Buffer#indexOf of that byte) and a compare at each place it occurs. Both give the same offsets.
 *
 * Why: `perf` on `grep -F needle.recipient@example.com` over the bench folder put Horspool at 16%
 * of all CPU samples, against 31% for inflating. On a 10 MB archive of that folder, Horspool ran at
 * 0.21 ns a byte, and memchr on the needle's `x` (0.007% of the bytes) plus the compares at 0.06.
 * A needle made of common bytes (`mail 47113`: its rarest, `i`, is 0.9% of a log) keeps Horspool,
 * and so does a long one.
 */
export class LiteralFinder {
  /** -1 until the first large block has been sampled; -2 for Horspool; else the rare byte. */
  private rare = -1
  /** Where the rare byte stands in the needle. */
  private at = 0
  private scanned = 0
  private candidates = 0

  constructor(readonly needle: Buffer) {
    // Horspool skips up to the needle's length at a time: a long needle is found faster its way
    // (a 52-byte Message-Id over a 10 MB archive: 0.41 ms against 0.54 by its `<`; a 28-byte
    // address: 1.93 ms against 0.54)
    if (needle.length < 2 || needle.length > LONG) this.rare = -2
  }

  /** The first offset at or after `from` where the needle starts in `b`, or -1. */
  find(b: Buffer, from: number): number {
    if (this.rare === -1 && b.length - from >= SAMPLE_MIN) this.choose(b, from)
    if (this.rare < 0) return b.indexOf(this.needle, from)
    const n = this.needle
    const k = this.at
    const last = b.length - n.length + k
    let p = from + k
    let found = -1
    for (; p <= last; p++) {
      p = b.indexOf(this.rare, p)
      if (p < 0 || p > last) break
      this.candidates++
      if (equalAt(b, p - k, n)) {
        found = p - k
        break
      }
    }
    this.scanned += (found < 0 ? b.length : found + n.length) - from
    // the byte turned out common in this text: Horspool from now on
    if (this.candidates > 256 && this.candidates * GIVE_UP > this.scanned) this.rare = -2
    return found
  }

  /** Picks the needle's rarest byte in a sample of the text, if it is rare enough. */
  private choose(b: Buffer, from: number) {
    const end = Math.min(b.length, from + SAMPLE)
    const counts = new Uint32Array(256)
    for (let i = from; i < end; i++) counts[b[i]!]!++
    let best = -1
    for (let i = 0; i < this.needle.length; i++) if (best < 0 || counts[this.needle[i]!]! < counts[this.needle[best]!]!) best = i
    if (counts[this.needle[best]!]! * RARE > end - from) {
      this.rare = -2
      return
    }
    this.rare = this.needle[best]!
    this.at = best
  }
}

/** A needle longer than this keeps Horspool. */
const LONG = 40
/** Bytes sampled to choose, and the least a block must hold to be sampled. */
const SAMPLE = 256 << 10
const SAMPLE_MIN = 16 << 10
/** Rare: at most one byte in RARE of the sample. Given up when one in GIVE_UP is a candidate. */
const RARE = 500
const GIVE_UP = 200

function equalAt(b: Buffer, s: number, n: Buffer): boolean {
  for (let i = 0; i < n.length; i++) if (b[s + i] !== n[i]) return false
  return true
}

const finders = new WeakMap<Buffer, LiteralFinder>()

/** The finder of a matcher's literal, shared by every file of a search (one choice per search). */
export function literalFinder(needle: Buffer): LiteralFinder {
  let f = finders.get(needle)
  if (!f) finders.set(needle, (f = new LiteralFinder(needle)))
  return f
}
