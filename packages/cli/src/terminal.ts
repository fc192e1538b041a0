import { createRequire } from 'node:module'

/**
 * What goes to a terminal: log text shown safe (control characters escaped) and everything fitted to
 * the terminal's width: tables wrap their long cells or drop low-value columns, prose wraps at
 * spaces. Piped output never passes through here: it is data and stays byte-exact.
 */

const require = createRequire(import.meta.url)
let stringWidth: ((s: string) => number) | null = null

/** Columns a string takes on a terminal (wide characters count two, combining marks none). */
export function displayWidth(s: string): number {
  if (/^[\x20-\x7e]*$/.test(s)) return s.length
  // loaded only for text beyond printable ASCII (cli-table3 measures with the same library)
  stringWidth ??= require('string-width') as (s: string) => number
  return stringWidth(s)
}

/** The terminal's width: `columns` of the stream, 80 when it does not say. */
export function terminalWidth(stream: { columns?: number }): number {
  return stream.columns && stream.columns > 0 ? stream.columns : 80
}

/**
 * Control characters as `cat -v` shows them: C0 as `^[`, `^G`… (tab and line feed kept, as grep
 * does), DEL as `^?`, C1 (U+0080-U+009F, which some terminals obey as escapes too) as `M-^[`…
 */
export function escapeTerminal(text: string): string {
  return text.replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g, (ch) => {
    const c = ch.charCodeAt(0)
    if (c >= 0x80) return 'M-^' + String.fromCharCode((c - 0x80) ^ 64)
    return '^' + String.fromCharCode(c ^ 64)
  })
}

/** A cell of a table: escaped, a tab as `^I` (it has no width a table can count). */
function safeCell(text: string): string {
  return escapeTerminal(text).replace(/\t/g, '^I')
}

/**
 * Wraps one line at spaces to `width` columns; a word longer than that is cut. Continuation lines
 * keep the line's indentation and list marker width (`- `, `  - `, `1. `).
 */
export function wrapLine(line: string, width: number): string[] {
  if (displayWidth(line) <= width) return [line]
  const lead = /^\s*(?:[-*] |\d+\. )?/.exec(line)![0]
  const indent = ' '.repeat(lead.length < width / 2 ? lead.length : 0)
  const out: string[] = []
  let cur = lead
  let curWidth = displayWidth(lead)
  const push = () => {
    out.push(cur.trimEnd())
    cur = indent
    curWidth = indent.length
  }
  for (const word of line.slice(lead.length).split(/ +/)) {
    if (!word) continue
    const w = displayWidth(word)
    const gap = curWidth > indent.length && cur !== lead ? 1 : 0
    if (curWidth + gap + w <= width) {
      cur += (gap ? ' ' : '') + word
      curWidth += gap + w
      continue
    }
    if (cur.trim()) push()
    // a word wider than the line: cut it into pieces that fit
    let rest = word
    while (indent.length + displayWidth(rest) > width) {
      const [piece, tail] = cut(rest, Math.max(1, width - indent.length))
      out.push(indent + piece)
      rest = tail
    }
    cur = indent + rest
    curWidth = indent.length + displayWidth(rest)
  }
  if (cur.trim()) out.push(cur.trimEnd())
  return out
}

/** The longest head of `s` that fits in `width` columns, and the rest. */
function cut(s: string, width: number): [string, string] {
  let w = 0
  let i = 0
  for (const ch of s) {
    const cw = displayWidth(ch)
    if (w + cw > width && i > 0) break
    w += cw
    i += ch.length
  }
  return [s.slice(0, i), s.slice(i)]
}

/** Every line of `text` wrapped to `width`. */
export function wrapText(text: string, width: number): string {
  return text
    .split('\n')
    .flatMap((l) => wrapLine(l, width))
    .join('\n')
}

export interface TableLayout {
  /** The terminal's width; null for no limit (`--format table` through a pipe). */
  width: number | null
  /** Columns (by index) whose cells may wrap; the others keep their width. Default: all. */
  wrap?: readonly number[]
  /** Columns (by index) to drop, first one first, while the table does not fit even wrapped. */
  drop?: readonly number[]
  /** The narrowest a wrapped column may get before columns are dropped (default 8). */
  minWrap?: number
}

/** Columns apart by two spaces, a rule under the header, none between rows (as kubectl, docker). */
const CHARS = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
  left: '', 'left-mid': '', right: '', 'right-mid': '', mid: '─', 'mid-mid': '  ', middle: '  ',
}
const GAP = 2

/** The width of a table drawn without wrapping. */
export function tableWidth(header: readonly string[], rows: readonly (readonly string[])[]): number {
  const widths = header.map((h) => lineWidth(safeCell(h)))
  for (const r of rows) for (let i = 0; i < widths.length; i++) widths[i] = Math.max(widths[i]!, lineWidth(safeCell(r[i] ?? '')))
  return widths.reduce((s, w) => s + w, GAP * (widths.length - 1))
}

/**
 * A table for a terminal (cli-table3: columns two spaces apart, a rule under the header), at most
 * `layout.width` columns wide: long cells wrap at spaces, and columns are dropped in `layout.drop`
 * order when even wrapped cells do not fit. Cells are escaped (log text is untrusted).
 */
export function fitTable(header: readonly string[], rows: readonly (readonly string[])[], layout: TableLayout): string {
  const Table = require('cli-table3') as typeof import('cli-table3')
  const head = header.map(safeCell)
  const body = rows.map((r) => r.map(safeCell))
  let active = header.map((_, i) => i)
  const naturals = head.map((h) => lineWidth(h))
  for (const r of body) for (let i = 0; i < naturals.length; i++) naturals[i] = Math.max(naturals[i]!, lineWidth(r[i] ?? ''))
  const natural = (i: number) => naturals[i]!
  const wraps = new Set(layout.wrap ?? active)
  const MIN_WRAP = layout.minWrap ?? 8
  let widths = new Map(active.map((i) => [i, natural(i)]))
  if (layout.width !== null) {
    const width = layout.width
    const dropOrder = [...(layout.drop ?? [])]
    for (;;) {
      const overhead = GAP * (active.length - 1)
      const total = active.reduce((s, i) => s + natural(i), 0) + overhead
      if (total <= width) break
      const flex = active.filter((i) => wraps.has(i) && natural(i) > MIN_WRAP)
      const fixed = active.filter((i) => !flex.includes(i)).reduce((s, i) => s + natural(i), 0)
      const avail = width - overhead - fixed
      if (flex.length && avail >= flex.length * MIN_WRAP) {
        share(flex, avail, MIN_WRAP)
        break
      }
      const next = dropOrder.shift()
      if (next === undefined) {
        // nothing more to drop: every wrapping column shares what is left, down to 4 columns each
        const all = active.filter((i) => wraps.has(i))
        const left = width - overhead - active.filter((i) => !wraps.has(i)).reduce((s, i) => s + natural(i), 0)
        share(all, Math.max(left, all.length * 4), 4)
        break
      }
      active = active.filter((i) => i !== next)
      widths = new Map(active.map((i) => [i, natural(i)]))
    }
  }
  /** Water-filling: the narrow columns keep their width, the wide ones share what is left. */
  function share(flex: number[], avail: number, floor: number) {
    let left = avail
    const order = [...flex].sort((a, b) => natural(a) - natural(b))
    order.forEach((i, k) => {
      const w = Math.min(natural(i), Math.max(floor, Math.floor(left / (order.length - k))))
      widths.set(i, w)
      left -= w
    })
  }
  const fit = (text: string, i: number) => text.split('\n').flatMap((l) => wrapLine(l, widths.get(i)!)).join('\n')
  const table = new Table({
    head: active.map((i) => fit(head[i]!, i)),
    colWidths: active.map((i) => widths.get(i)!),
    chars: CHARS,
    style: { head: [], border: [], compact: true, 'padding-left': 0, 'padding-right': 0 },
    wordWrap: false,
  })
  for (const r of body) table.push(active.map((i) => fit(r[i] ?? '', i)))
  return table.toString().replace(/ +$/gm, '') + '\n'
}

function lineWidth(cell: string): number {
  let w = 0
  for (const l of cell.split('\n')) w = Math.max(w, displayWidth(l))
  return w
}

/**
 * Markdown shown on a terminal: its tables drawn as tables fitted to `width`, every other line
 * wrapped, control characters escaped. Through a pipe the Markdown is written as it is.
 */
export function markdownForTerminal(md: string, width: number): string {
  const lines = md.split('\n')
  const out: string[] = []
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]!.startsWith('|')) {
      out.push(...wrapLine(escapeTerminal(lines[i]!), width))
      continue
    }
    const block: string[][] = []
    for (; i < lines.length && lines[i]!.startsWith('|'); i++) {
      if (/^\|(\s*:?-+:?\s*\|)+\s*$/.test(lines[i]!)) continue // the rule under the header
      block.push(cells(lines[i]!))
    }
    i--
    out.push(fitTable(block[0] ?? [], block.slice(1), { width }).replace(/\n$/, ''))
  }
  return out.join('\n')
}

/** The cells of a Markdown table row; `\|` is a bar inside a cell. */
function cells(row: string): string[] {
  const parts = row.trim().replace(/^\|/, '').replace(/\|$/, '').split(/(?<!\\)\|/)
  return parts.map((c) => c.trim().replace(/\\\|/g, '|'))
}
