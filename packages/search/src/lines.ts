import { Readable } from 'node:stream'
import split2 from 'split2'
import { readBytes } from './bytes.js'
import type { LogSource } from './sources.js'

/**
 * The text lines of one source (plain or gzip), decoded as UTF-8 by split2 (multibyte characters
 * survive chunk splits; CRLF and a last line without a newline are handled). For consumers that
 * want strings; the grep engine scans raw bytes instead, which keeps invalid UTF-8 byte-exact.
 */
export async function* readLines(source: LogSource, signal?: AbortSignal): AsyncGenerator<string> {
  const lines = Readable.from(readBytes(source, signal)).pipe(split2(/\r?\n/))
  try {
    for await (const line of lines) yield line as string
  } finally {
    lines.destroy()
  }
}
