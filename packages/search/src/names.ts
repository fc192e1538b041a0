/**
 * Command-line bytes that are not UTF-8 (a pattern `$'\xe9'`, a file named `$'\xe9name.txt'`)
 * travel as strings the way Python's surrogateescape carries them: each byte that is no part of a
 * valid UTF-8 sequence is the lone low surrogate U+DC00 + byte (U+DC80..U+DCFF). Valid UTF-8
 * never decodes to a lone surrogate, so the bytes come back exactly.
 */

const ESCAPE = /(?<![\uD800-\uDBFF])[\uDC80-\uDCFF]/

const fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/** Bytes as a string: UTF-8 where they are, the escapes elsewhere. */
export function decodeBytes(b: Uint8Array): string {
  try {
    return fatal.decode(b)
  } catch {
    // some bytes are not UTF-8: decode sequence by sequence
  }
  let out = ''
  for (let i = 0; i < b.length; ) {
    const x = b[i]!
    const n = x < 0x80 ? 1 : x >= 0xc2 && x <= 0xdf ? 2 : x >= 0xe0 && x <= 0xef ? 3 : x >= 0xf0 && x <= 0xf4 ? 4 : 0
    if (n > 0 && i + n <= b.length) {
      try {
        out += fatal.decode(b.subarray(i, i + n))
        i += n
        continue
      } catch {
        // not a valid sequence: escape its first byte
      }
    }
    out += String.fromCharCode(0xdc00 + x)
    i++
  }
  return out
}

/** The bytes a string stands for: UTF-8, with escaped bytes as themselves. */
export function stringBytes(s: string): Buffer {
  if (!ESCAPE.test(s)) return Buffer.from(s, 'utf8')
  const parts: Buffer[] = []
  let last = 0
  const re = new RegExp(ESCAPE.source, 'g')
  for (let m = re.exec(s); m; m = re.exec(s)) {
    parts.push(Buffer.from(s.slice(last, m.index), 'utf8'), Buffer.from([s.charCodeAt(m.index) - 0xdc00]))
    last = m.index + 1
  }
  parts.push(Buffer.from(s.slice(last), 'utf8'))
  return Buffer.concat(parts)
}

/** A path for node:fs: the string itself, or its bytes when it holds escaped bytes. */
export function fsPath(s: string): string | Buffer {
  return ESCAPE.test(s) ? stringBytes(s) : s
}
