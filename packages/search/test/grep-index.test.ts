import { describe, expect, it } from 'vitest'
import { rng } from '../../../test/helpers/rng.js'
import { AnchorIndexer, literalWindows, readIndex, rulesOut } from '../src/grep-index.js'

// The index must never rule out a file that holds the literal (soundness), whatever the chunks its
// bytes came in; it should rule out most files that do not.

/** Text of addresses and Message-Ids among log words, with anchors at the very start and end. */
function text(r: () => number, size: number): Buffer {
  const words = ['2026-11-05', '05:00:01,002', 'INFO', 'db', 'mail', 'with', 'ID', '(id:', 'sent', '\n', ' ', 'to']
  let s = '@abc <x'
  while (s.length < size) {
    const k = r()
    if (k < 0.05) s += ` u${Math.floor(r() * 500)}@ex${Math.floor(r() * 9)}.org`
    else if (k < 0.08) s += ` <${Math.floor(r() * 1e6)}.17640.${Math.floor(r() * 99)}-openerp@host>`
    else if (k < 0.09) s += '@<@@<' // anchors next to each other
    else s += ' ' + words[Math.floor(r() * words.length)]
  }
  return Buffer.from(s + 'a@b <', 'latin1')
}

/** The index of `b` fed in chunks cut at random places (some of 1 byte). */
function indexOf(b: Buffer, r: () => number | null): Uint32Array {
  const ix = new AnchorIndexer(1e9)
  for (let at = 0; at < b.length; ) {
    const n = r === null ? b.length : Math.max(1, Math.floor(r()! * (r()! < 0.3 ? 4 : 3000)))
    // a copy: the indexer keeps no view of a chunk after push (the scanner reuses none, but zlib may)
    ix.push(Buffer.from(b.subarray(at, at + n)))
    at += n
  }
  const idx = readIndex(ix.body(), ix.count)
  expect(idx).not.toBeNull()
  return idx!
}

describe('grep index', () => {
  it('is the same however the bytes are cut into chunks', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const r = rng(seed)
      const b = text(r, 5000 + Math.floor(r() * 20000))
      expect(Array.from(indexOf(b, r)), `seed ${seed}`).toEqual(Array.from(indexOf(b, () => null)))
    }
  })

  it('never rules out a file that holds the literal; rules out most that do not', () => {
    let ruledOut = 0
    let absent = 0
    for (let seed = 1; seed <= 20; seed++) {
      const r = rng(100 + seed)
      const b = text(r, 20000)
      const idx = indexOf(b, r)
      for (let k = 0; k < 300; k++) {
        // a piece of the text around one of its anchors, of 1 to 40 bytes
        const at = Math.floor(r() * b.length)
        const lit = b.subarray(Math.max(0, at - Math.floor(r() * 20)), at + 1 + Math.floor(r() * 20))
        const w = literalWindows(lit)
        if (w) expect(rulesOut(idx, w), `seed ${seed}: ${lit.toString('latin1')}`).toBe(false)
      }
      for (const lit of ['nobody@nowhere.test', '<99999999.1', 'u123@ex9.orx', 'zzzz@ex1.org']) {
        if (b.includes(lit)) continue
        absent++
        if (rulesOut(idx, literalWindows(Buffer.from(lit))!)) ruledOut++
      }
    }
    expect(absent).toBeGreaterThan(60)
    expect(ruledOut / absent).toBeGreaterThan(0.9)
  })

  it('cannot tell for a literal without a whole window', () => {
    for (const lit of ['639105', 'a@b.c', '@example', 'user@', '<12345', 'no anchor at all']) expect(literalWindows(Buffer.from(lit)), lit).toBeNull()
    expect(literalWindows(Buffer.from('user@example.org'))!.length).toBe(2)
    expect(literalWindows(Buffer.from('<639105.1764@hostname>'))!.length).toBe(3)
  })

  it('windows at the edges of the file: one that starts before the file, or ends after it, is not kept', () => {
    const ix = new AnchorIndexer(100)
    ix.push(Buffer.from('ab@cdefghij'))
    ix.push(Buffer.from('klm <1234567'))
    // `ab@cdefghij`: no 4 bytes before the @, its 0+8 window `@cdefghij` is whole; `<1234567` has 7 after
    expect(ix.count).toBe(1)
    const idx = readIndex(ix.body(), ix.count)!
    expect(rulesOut(idx, literalWindows(Buffer.from('@cdefghij'))!)).toBe(false)
    expect(rulesOut(idx, literalWindows(Buffer.from('@cdefghiX'))!)).toBe(true)
  })

  it('gives up past its window budget; a damaged stored index is not read', () => {
    const ix = new AnchorIndexer(10)
    ix.push(Buffer.from(Array.from({ length: 20 }, (_, i) => `user${i}@example.org `).join('')))
    expect(ix.overflow).toBe(true)

    // early: the first chunk already holds more than its share of the budget (a mass mailing)
    const ids = (from: number, n: number) => Buffer.from(Array.from({ length: n }, (_, i) => `Message-Id <${from + i}.17640 sent\n`).join(''))
    const early = new AnchorIndexer(5000, 100e6)
    early.push(ids(100000, 2000))
    expect(early.overflow).toBe(true)
    const paced = new AnchorIndexer(5000, 100e6)
    paced.push(ids(100000, 900))
    expect(paced.overflow).toBe(false)

    const ok = new AnchorIndexer(1000)
    ok.push(text(rng(5), 5000))
    const body = ok.body()
    expect(readIndex(body, ok.count)).not.toBeNull()
    expect(readIndex(body.subarray(0, body.length - 1), ok.count)).toBeNull()
    expect(readIndex(body, ok.count + 1)).toBeNull()
    expect(readIndex(body, ok.count - 1)).toBeNull()
    expect(readIndex(Buffer.from([0xff, 0xff]), 1)).toBeNull()
    expect(readIndex(body, 1e12)).toBeNull()
  })
})
