import { createReadStream } from 'node:fs'
import { pipeline, type Readable } from 'node:stream'
import { createGunzip } from 'node:zlib'
import { fileError } from './errors.js'
import { isGzip, type LogSource } from './sources.js'

// Large inflate chunks: fewer, larger blocks for the scanner. `grep -F` over the bench folder
// (360 MB, 30 files): 0.63 s with Node's 64 KiB defaults, 0.38 s with 256 KiB inflate chunks, 0.33 s
// with 512 KiB (124 MB peak RSS), 0.32 s with 1 MiB (135 MB). Reads of 256 KiB: zlib inflates a whole
// read before back-pressure applies, and 1 MiB reads gave the same time with ~10 MB more peak RSS.
const READ_CHUNK = 256 << 10
const INFLATE_CHUNK = 512 << 10

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
      // the number, not the FileHandle: a stream given the handle stays its 'close' listener until the
      // handle closes (at the end of the search), and so did its zlib stream with its 512 KiB buffer:
      // 150 MB over a 300-file folder
      fd: source.handle.fd,
      start: 0,
      end: source.size - 1,
      highWaterMark: READ_CHUNK,
      autoClose: false,
      signal,
    })
    input = source.gzip ? pipeline(raw, createGunzip({ chunkSize: INFLATE_CHUNK }), () => {}) : raw
  }
  let emitted = 0
  try {
    for await (const chunk of input) {
      emitted += (chunk as Buffer).length
      yield chunk as Buffer
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException)?.code
    if (source.gzip && !source.stdin && (code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR')) yield* salvage(source, emitted)
    throw fileError(source.name, e)
  }
}

/**
 * zlib drops the output chunk it was filling when it meets damage: with large chunks, hundreds of
 * KB of good lines before the damage. Inflate the file again in 1 KiB steps and hand over what
 * comes after the `skip` bytes already given, up to the damage (gzip -d gives all; this loses < 1 KiB).
 */
async function* salvage(source: LogSource, skip: number): AsyncGenerator<Buffer> {
  let seen = 0
  try {
    // by name: the failed stream has closed the file it had open
    const raw = createReadStream(source.name, { start: 0, end: source.size - 1, highWaterMark: 16 << 10 })
    for await (const c of pipeline(raw, createGunzip({ chunkSize: 1024 }), () => {}) as AsyncIterable<Buffer>) {
      if (seen + c.length > skip) yield seen >= skip ? c : c.subarray(skip - seen)
      seen += c.length
    }
  } catch {
    // the same damage again: everything before it has been handed over
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

// Files inflated ahead of their turn hold at most this much each, then wait (back-pressure), so a
// search that prints every line (`-v`, `''`) over a big folder stays within the memory bound.
// `grep -F` over the bench folder: 0.37 s with 2 MiB, 0.36 s with 4 MiB, 0.33 s with 6 MiB; over the
// 1 GB folder, peak RSS 137, 146 and 154 MB: 4 MiB keeps both under 150 MB.
const AHEAD_CAP = 4 << 20

/** One source read ahead into a bounded queue; iterating it yields the same chunks, errors last. */
class Pump implements AsyncIterable<Buffer> {
  private chunks: Buffer[] = []
  private bytes = 0
  private done = false
  private error: unknown = null
  private wake: (() => void) | null = null
  private room: (() => void) | null = null

  private readonly ctrl = new AbortController()

  constructor(source: LogSource) {
    void this.run(source, this.ctrl.signal)
  }

  private async run(source: LogSource, signal: AbortSignal) {
    try {
      for await (const c of readBytes(source, signal)) {
        this.chunks.push(c)
        this.bytes += c.length
        this.signal()
        if (this.bytes > AHEAD_CAP) await new Promise<void>((r) => (this.room = r))
        if (signal.aborted) break
      }
    } catch (e) {
      this.error = e
    } finally {
      this.done = true
      this.signal()
    }
  }

  private signal() {
    const w = this.wake
    this.wake = null
    w?.()
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
    try {
      yield* this.drain()
    } finally {
      this.stop() // the consumer stopped early (-m, -l, a closed pipe) or read all
    }
  }

  private async *drain(): AsyncGenerator<Buffer> {
    for (;;) {
      const c = this.chunks.shift()
      if (c) {
        this.bytes -= c.length
        if (this.room && this.bytes <= AHEAD_CAP / 2) {
          const r = this.room
          this.room = null
          r()
        }
        yield c
        continue
      }
      if (this.done) {
        if (this.error) throw this.error
        return
      }
      await new Promise<void>((r) => (this.wake = r))
    }
  }

  /** Ends the read and frees what it holds. */
  stop() {
    if (!this.done) this.ctrl.abort()
    this.chunks = []
    this.bytes = 0
    const r = this.room
    this.room = null
    r?.()
  }
}

/**
 * Reads up to `ahead` sources beyond the current one at once: zlib inflates in libuv's thread pool,
 * so several archives inflate in parallel while the scanner works, and output stays in file order.
 */
export class Prefetcher {
  private pumps = new Map<number, Pump>()

  constructor(
    private readonly sources: readonly LogSource[],
    private readonly wanted: (k: number) => boolean,
    private readonly ahead = 2,
  ) {}

  /** The bytes of source k; starts the next ones in the background. */
  bytes(k: number): AsyncIterable<Buffer> {
    let started = 0
    for (let j = k; j < this.sources.length && started <= this.ahead; j++) {
      if (!this.wanted(j)) continue
      started++
      if (!this.pumps.has(j) && !this.sources[j]!.stdin) this.pumps.set(j, new Pump(this.sources[j]!))
    }
    const p = this.pumps.get(k)
    this.pumps.delete(k)
    return p ?? readBytes(this.sources[k]!)
  }

  /** Stops every read still going (an early end: -q, -l, a closed pipe). */
  close() {
    for (const p of this.pumps.values()) p.stop()
    this.pumps.clear()
  }
}
