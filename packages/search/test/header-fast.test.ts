import { describe, expect, it } from 'vitest'
import { rng } from '../../../test/helpers/rng.js'
import { findHeaders, parseHeader, PREFIX_SOURCE } from '../src/index.js'

// The header is read by a plain-form regex first and the full one (outside prefix, ANSI colour)
// only for the lines it rejects (records.ts). The oracle here is the full header regex alone,
// written out again from odoo-log-formats.md §1.1/§7: both readings must agree on every line.
const ANSI = '(?:\\x1b\\[[0-9;]*m)*'
const STAMP = '[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2},[0-9]{3}'
const FULL = new RegExp(
  `(${PREFIX_SOURCE})?${ANSI}(${STAMP}) ([0-9]+) ${ANSI}(DEBUG|INFO|WARNING|ERROR|CRITICAL)${ANSI} ([^ \\n]+) ${ANSI}([^:\\s]+)${ANSI}: ?`,
  'y',
)

function oracle(s: string, pos: number) {
  FULL.lastIndex = pos
  const m = FULL.exec(s)
  if (!m) return null
  return { stamp: m[2], pid: Number(m[3]), level: m[4], db: m[5], logger: m[6], messageStart: m[0].length, prefixLength: m[1]?.length ?? 0 }
}

const BASE = '2026-11-26 05:00:20,506 20 INFO acme-mass odoo.addons.base.models.ir_mail_server: Mail delivery failed'

// bytes that sit at the edges of the two readings: separators, ESC, the prefix's characters,
// white space that \s knows beyond ASCII, non-ASCII letters
const ODD = [' ', '\t', ':', '|', '\x1b', '\x1b[0m', '\x1b[1;32m', '-', '/', '[', ']', '_', '.', '0', '9', 'a', 'Z', '\u00a0', '\u2003', 'é', '\r', '\v', '\f', '\u0085', '']

function mutate(r: () => number, line: string): string {
  let s = line
  const n = 1 + Math.floor(r() * 3)
  for (let k = 0; k < n; k++) {
    const at = Math.floor(r() * Math.min(s.length + 1, 90))
    const what = r()
    const odd = ODD[Math.floor(r() * ODD.length)]!
    if (what < 0.4) s = s.slice(0, at) + odd + s.slice(at) // insert
    else if (what < 0.8) s = s.slice(0, at) + odd + s.slice(at + 1) // replace
    else s = s.slice(0, at) + s.slice(at + 1) // delete
  }
  return s
}

const PREFIXED = [
  'web_1  | ' + BASE,
  'Apr 06 14:12:10 host python3[95545]: ' + BASE,
  '11/26/2026 05:00:20' + BASE,
  '\x1b[0m' + BASE,
  BASE.replace(' INFO ', ' \x1b[1;32mINFO\x1b[0m '),
  BASE.replace(' odoo.addons', ' \x1b[1modoo.addons').replace(': Mail', '\x1b[0m: Mail'),
  BASE.replace('INFO', 'WARNING'),
  BASE.replace('INFO', 'CRITICAL'),
  BASE.replace(' 20 ', ' 123456789012345678901 '),
  BASE.replace(': Mail', ':Mail'),
  BASE.replace('acme-mass', '?'),
]

describe('header: the plain form read first gives what the full regex gives', () => {
  it('on every kind of header line (prefixes, ANSI colour, levels, long pids)', () => {
    for (const line of [BASE, ...PREFIXED]) expect(parseHeader(line), JSON.stringify(line)).toEqual(oracle(line, 0))
    expect(parseHeader(BASE)).toMatchObject({ stamp: '2026-11-26 05:00:20,506', pid: 20, level: 'INFO', db: 'acme-mass', logger: 'odoo.addons.base.models.ir_mail_server', prefixLength: 0 })
  })

  it('on 20,000 seeded mutations of header lines, at the start of a string and inside it', () => {
    const r = rng(20261128)
    for (let i = 0; i < 20000; i++) {
      const src = i % 3 === 0 ? BASE : PREFIXED[i % PREFIXED.length]!
      const line = mutate(r, src)
      expect(parseHeader(line), `line ${i}: ${JSON.stringify(line)}`).toEqual(oracle(line, 0))
      const text = `x\n${line}\n`
      expect(parseHeader(text, 2), `line ${i} at 2: ${JSON.stringify(line)}`).toEqual(oracle(text, 2))
    }
  })

  it('findHeaders lists the same line starts as the full regex does, first line and last line included', () => {
    const r = rng(7)
    for (let t = 0; t < 200; t++) {
      const lines: string[] = []
      for (let i = 0; i < 30; i++) lines.push(r() < 0.5 ? mutate(r, BASE) : r() < 0.5 ? '  File "x.py", line 3' : r() < 0.5 ? '' : mutate(r, PREFIXED[i % PREFIXED.length]!))
      const text = lines.join('\n')
      const want: number[] = []
      for (let p = 0; p < text.length; ) {
        if (oracle(text, p)) want.push(p)
        const nl = text.indexOf('\n', p)
        if (nl < 0) break
        p = nl + 1
      }
      expect(findHeaders(text, 0, text.length, []), JSON.stringify(text)).toEqual(want)
      // a window that ends on a line start leaves that line out
      const cut = want.length > 1 ? want[want.length - 1]! : text.length
      expect(findHeaders(text, 0, cut, [])).toEqual(want.filter((p) => p < cut))
    }
  })
})
