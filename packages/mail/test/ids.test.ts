import { describe, expect, it } from 'vitest'
import { rng } from '../../../test/helpers/rng.js'
import { messageIdKey, NumberTable, recentNumbers } from '../src/ids.js'

describe('messageIdKey (the Message-Id index keeps a 53-bit hash, not the string)', () => {
  it('gives 200,000 Message-Ids of a mass mailing, and their one-character edits, distinct whole numbers', () => {
    const keys = new Set<number>()
    for (let id = 1_000_000; id < 1_200_000; id++) {
      const k = messageIdKey(`<${id}.1764000000.${String(id % 997).padStart(6, '0')}-openerp-mailing.trace-${id % 5000}@odoo-host>`)
      expect(Number.isSafeInteger(k) && k >= 0).toBe(true)
      keys.add(k)
    }
    expect(keys.size).toBe(200_000)
    const base = '<CAF7x+abc=def@mail.gmail.com>'
    const edits = new Set([base, ...Array.from(base, (_, i) => base.slice(0, i) + String.fromCharCode(base.charCodeAt(i) ^ 1) + base.slice(i + 1))].map(messageIdKey))
    expect(edits.size).toBe(base.length + 1)
    expect(messageIdKey(base)).toBe(messageIdKey(String(base)))
  })
})

describe('NumberTable (per-mail counts and the Message-Id index in typed arrays)', () => {
  it('answers as a Map does through 200,000 seeded sets, deletes and clears, growing from 4 slots', () => {
    const r = rng(42)
    const t = new NumberTable(4)
    const m = new Map<number, number>()
    // keys that collide in few slots (small ids), far apart (53-bit hashes), 0, and beyond 2^53
    const key = () => {
      const x = r()
      if (x < 0.5) return Math.floor(r() * 3000)
      if (x < 0.8) return Math.floor(r() * 2 ** 53)
      if (x < 0.9) return 4294967296 * Math.floor(r() * 50)
      return x < 0.95 ? 0 : 1e30
    }
    for (let i = 0; i < 200_000; i++) {
      const op = r()
      const k = key()
      if (op < 0.55) {
        const v = Math.floor(r() * 1e12)
        t.set(k, v)
        m.set(k, v)
      } else if (op < 0.85) expect(t.delete(k)).toBe(m.delete(k))
      else if (op < 0.99995) expect(t.get(k)).toBe(m.get(k))
      else {
        t.clear()
        m.clear()
      }
      if (i % 1000 === 0) {
        expect(t.size).toBe(m.size)
        for (const [mk, mv] of m) expect(t.get(mk)).toBe(mv)
      }
    }
    expect(t.size).toBe(m.size)
    for (const [mk, mv] of m) expect(t.get(mk)).toBe(mv)
  })

  it('in a RecentMap: an entry lives from span to twice span days after its last use', () => {
    const rm = recentNumbers(2)
    rm.day('2026-11-01')
    rm.set(7, 1)
    rm.set(8, 1)
    rm.day('2026-11-03') // a new generation: 7 and 8 are old now
    expect(rm.get(7)).toBe(1) // used: young again
    rm.day('2026-11-05') // the old generation (8) is dropped
    expect(rm.get(8)).toBeUndefined()
    expect(rm.get(7)).toBe(1)
    rm.day('2026-11-20') // a gap of more than 2 spans drops both
    expect(rm.get(7)).toBeUndefined()
  })
})
