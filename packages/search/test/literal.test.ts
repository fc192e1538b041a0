import { describe, expect, it } from 'vitest'
import { rng } from '../../../test/helpers/rng.js'
import { LiteralFinder } from '../src/literal.js'

// The finder must give Buffer#indexOf's offsets whichever way it searches: memchr on a rare byte
// plus compares, or Horspool. The oracle is a byte-by-byte search written here.

function naive(b: Buffer, n: Buffer, from: number): number {
  outer: for (let s = from; s + n.length <= b.length; s++) {
    for (let i = 0; i < n.length; i++) if (b[s + i] !== n[i]) continue outer
    return s
  }
  return -1
}

/** Every match of `n` in `b` from 0, as grep's scan asks: from just after each match. */
function all(find: (b: Buffer, from: number) => number, b: Buffer, n: Buffer): number[] {
  const out: number[] = []
  for (let p = find(b, 0); p >= 0; p = find(b, p + 1)) out.push(p)
  return out
}

/** Log-like text of `size` bytes: common bytes only (the needle's rare byte is planted by the test). */
function text(r: () => number, size: number): Buffer {
  const alphabet = Buffer.from('0123456789 :-,.abcdefghilmnoprstu\n')
  const b = Buffer.alloc(size)
  for (let i = 0; i < size; i++) b[i] = alphabet[Math.floor(r() * alphabet.length)]!
  return b
}

describe('LiteralFinder', () => {
  it('finds what a plain search finds, with a rare byte planted at the edges and across the text', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const r = rng(seed)
      const needle = Buffer.from(['x@y', 'needle.x@example.com', 'xx', 'axa', 'Zx9'][seed % 5]!)
      const b = text(r, 150_000 + Math.floor(r() * 100_000))
      // the needle at the first byte, at the last, overlapping itself, cut by the end, and scattered
      needle.copy(b, 0)
      needle.copy(b, b.length - needle.length)
      needle.copy(b, 1000)
      needle.copy(b, 1001)
      needle.subarray(0, needle.length - 1).copy(b, b.length - needle.length - 40)
      for (let k = 0; k < 30; k++) needle.copy(b, Math.floor(r() * (b.length - needle.length)))
      // the rare byte alone, many times (candidates that fail the compare)
      for (let k = 0; k < 30; k++) b[Math.floor(r() * b.length)] = needle[needle.length >> 1]!
      const f = new LiteralFinder(needle)
      expect(all((x, p) => f.find(x, p), b, needle), `seed ${seed}`).toEqual(all((x, p) => naive(x, needle, p), b, needle))
      expect((f as unknown as { rare: number }).rare, `seed ${seed}: the rare-byte path ran`).toBeGreaterThanOrEqual(0)
    }
  })

  it('keeps its offsets when the rare byte turns common later on (it goes back to Horspool)', () => {
    const r = rng(7)
    const needle = Buffer.from('q-needle')
    const f = new LiteralFinder(needle)
    const blocks = [text(r, 64 << 10), text(r, 64 << 10), text(r, 64 << 10)]
    // the sample (first block) has no q; the later ones are full of them, and hold the needle
    for (const b of blocks.slice(1)) for (let i = 0; i < b.length; i += 7) b[i] = 0x71
    needle.copy(blocks[2]!, 5)
    needle.copy(blocks[2]!, blocks[2]!.length - needle.length)
    needle.copy(blocks[0]!, 300)
    for (const b of blocks) expect(all((x, p) => f.find(x, p), b, needle)).toEqual(all((x, p) => naive(x, needle, p), b, needle))
    expect((f as unknown as { rare: number }).rare).toBe(-2)
  })

  it('keeps Horspool for a needle made of common bytes, and for small blocks until a large one comes', () => {
    const r = rng(3)
    const common = new LiteralFinder(Buffer.from('mail 4711'))
    const b = text(r, 40_000)
    Buffer.from('mail 4711').copy(b, 39_991)
    expect(common.find(b, 0)).toBe(naive(b, Buffer.from('mail 4711'), 0))
    expect((common as unknown as { rare: number }).rare).toBe(-2)

    const small = new LiteralFinder(Buffer.from('x1'))
    const tiny = Buffer.from('aaax1bx1')
    expect(all((x, p) => small.find(x, p), tiny, Buffer.from('x1'))).toEqual([3, 6])
    expect((small as unknown as { rare: number }).rare).toBe(-1)
    expect(new LiteralFinder(Buffer.from('x')).find(b, 0)).toBe(b.indexOf('x'))
    const long = Buffer.from('<100001.1764000000.123-openerp-sale.order@odoo-host>')
    long.copy(b, 20_000)
    const lf = new LiteralFinder(long)
    expect(lf.find(b, 0)).toBe(20_000)
    expect((lf as unknown as { rare: number }).rare).toBe(-2)
  })

  it('searches from the offset it is given, with the rare byte before it', () => {
    const r = rng(11)
    const b = text(r, 50_000)
    const needle = Buffer.from('abcXdef')
    needle.copy(b, 10)
    needle.copy(b, 49_000)
    const f = new LiteralFinder(needle)
    expect(f.find(b, 0)).toBe(10)
    // from inside the first match: its X is past `from`, but the match starts before it
    expect(f.find(b, 11)).toBe(49_000)
    expect(f.find(b, 12)).toBe(49_000)
    expect(f.find(b, 49_001)).toBe(-1)
    expect(f.find(b, b.length)).toBe(-1)
  })
})
