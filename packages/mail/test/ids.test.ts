import { describe, expect, it } from 'vitest'
import { messageIdKey } from '../src/ids.js'

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
