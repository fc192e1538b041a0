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
}

/** GNU grep's default colours. */
export const DEFAULT_COLORS: GrepColors = { ms: '01;31', mc: '01;31', sl: '', cx: '', fn: '35', ln: '32', bn: '32', se: '36', el: true }

/** Applies a GREP_COLORS value (`ms=01;31:fn=35:ne`) on top of the defaults. */
export function parseGrepColors(spec: string | undefined): GrepColors {
  const c: GrepColors = { ...DEFAULT_COLORS }
  for (const part of (spec ?? '').split(':')) {
    const [k, v] = part.split('=')
    if (k === 'ne') c.el = false
    else if (k === 'mt' && v !== undefined) c.ms = c.mc = v
    else if (k && v !== undefined && k in c && k !== 'el') (c as unknown as Record<string, string>)[k] = v
  }
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
