/** GREP_COLORS-style SGR codes (`ms=01;31:fn=35:ne`), and how grep paints and escapes. */
export interface GrepColors {
  ms: string
  mc: string
  sl: string
  cx: string
  fn: string
  ln: string
  bn: string
  se: string
  /** false with GREP_COLORS `ne`: no erase-to-end-of-line after each SGR sequence. */
  el: boolean
  /** GREP_COLORS `rv`: with -v, selected lines take `cx` and context lines `sl`. */
  rv: boolean
}

/** GNU grep's default colours. */
export const DEFAULT_COLORS: GrepColors = { ms: '01;31', mc: '01;31', sl: '', cx: '', fn: '35', ln: '32', bn: '32', se: '36', el: true, rv: false }

const CAPS = new Set(['mt', 'ms', 'mc', 'fn', 'ln', 'bn', 'se', 'sl', 'cx'])

/**
 * Colours from GREP_COLORS (`ms=01;31:fn=35:ne`) over the defaults, read as grep 3.8 reads it:
 * an unknown name is skipped, a value may hold only digits and `;`, and the first character that
 * breaks that (or a second `=`) ends the reading, keeping what came before. The deprecated
 * GREP_COLOR (digits and `;` only) sets `mt` first; `warning` is grep's when it still has effect.
 */
export function parseGrepColors(spec: string | undefined, legacy?: string): GrepColors & { warning?: string } {
  const c: GrepColors & { warning?: string } = { ...DEFAULT_COLORS }
  const old = legacy && /^[0-9;]+$/.test(legacy) ? legacy : undefined
  if (old) c.ms = c.mc = old
  let setMs = false
  let setMc = false
  const apply = (name: string, val: string | null) => {
    if (CAPS.has(name) && val !== null) {
      if (name === 'mt') setMs = setMc = true
      if (name === 'ms') setMs = true
      if (name === 'mc') setMc = true
      if (name === 'mt') c.ms = val
      else (c as unknown as Record<string, string>)[name] = val
    }
    if (name === 'mt') c.mc = c.ms
    if (name === 'mt' && val === null) setMc = setMs
    if (name === 'rv') c.rv = true
    if (name === 'ne') c.el = false
  }
  const p = spec ?? ''
  let name = ''
  let val: string | null = null
  for (let i = 0; p && i <= p.length; i++) {
    const ch = p[i]
    if (ch === undefined || ch === ':') {
      apply(name, val)
      name = ''
      val = null
    } else if (ch === '=') {
      if (name === '' || val !== null) break
      val = ''
    } else if (val === null) name += ch
    else if (ch === ';' || (ch >= '0' && ch <= '9')) val += ch
    else break
  }
  if (old && (!setMs || !setMc)) c.warning = `warning: GREP_COLOR='${legacy}' is deprecated; use GREP_COLORS='mt=${legacy}'`
  return c
}

/** `text` in SGR colour `code`, as grep writes it (`ESC[<code>mESC[K` … `ESC[mESC[K`); plain when empty. */
export function paint(code: string, text: string, c: GrepColors): string {
  if (!code) return text
  const el = c.el ? '\x1b[K' : ''
  return `\x1b[${code}m${el}${text}\x1b[m${el}`
}

/** Control characters (escape sequences arrive in request paths) as ^X, never raw to a terminal. */
export function escapeControl(text: string): string {
  return text.replace(/[\x00-\x08\x0b-\x1f\x7f]/g, (ch) => '^' + String.fromCharCode(ch.charCodeAt(0) ^ 64))
}
