import { createReadStream } from 'node:fs'
import { pipeline, type Readable } from 'node:stream'
import { createGunzip } from 'node:zlib'
import { fileError } from './errors.js'
import { isGzip, type LogSource } from './sources.js'

// Large reads and inflate chunks: fewer, larger blocks for the scanner (Node's default is 64 KiB).
const READ_CHUNK = 1 << 20
const INFLATE_CHUNK = 256 << 10

/**
 * The bytes of one source, inflated when it is gzip (by magic bytes, never by name; multi-member
 * streams whole). Damage ends the iteration with a SearchError after every good byte was yielded.
 */
export async function* readBytes(source: LogSource, signal?: AbortSignal): AsyncGenerator<Buffer> {
  let input: AsyncIterable<Buffer>
  if (source.stdin) input = sniffed(source.stdin)
  else {
    if (!source.handle) return
    if (source.size === 0) return
    const raw = createReadStream('', {
      fd: source.handle,
      start: 0,
      end: source.size - 1,
      highWaterMark: READ_CHUNK,
      autoClose: false,
      signal,
    })
    input = source.gzip ? pipeline(raw, createGunzip({ chunkSize: INFLATE_CHUNK }), () => {}) : raw
  }
  try {
    for await (const chunk of input) yield chunk as Buffer
  } catch (e) {
    throw fileError(source.name, e)
  }
}

/** Stdin may be gzip too: look at its first bytes, then inflate or pass through. */
async function* sniffed(stream: Readable): AsyncGenerator<Buffer> {
  const it = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>
  const first = await it.next()
  if (first.done) return
  let head: Buffer = Buffer.from(first.value)
  while (head.length < 2) {
    const more = await it.next()
    if (more.done) break
    head = Buffer.concat([head, more.value])
  }
  if (!isGzip(head)) {
    yield head
    for (let r = await it.next(); !r.done; r = await it.next()) yield r.value
    return
  }
  async function* rest() {
    yield head
    for (let r = await it.next(); !r.done; r = await it.next()) yield r.value
  }
  const { Readable: R } = await import('node:stream')
  yield* pipeline(R.from(rest()), createGunzip({ chunkSize: INFLATE_CHUNK }), () => {}) as AsyncIterable<Buffer>
}
