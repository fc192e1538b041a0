import { createReadStream, open as fsOpen, read as fsRead } from 'node:fs'
import { pipeline, type Readable } from 'node:stream'
import { open } from 'node:fs/promises'
import { crc32, createGunzip, createInflateRaw, type Gunzip } from 'node:zlib'
import { fileError } from './errors.js'
import { isGzip, type LogSource } from './sources.js'

// Large inflate chunks: fewer, larger blocks for the scanner. `grep -F` over the bench folder
// (360 MB, 30 files): 0.63 s with Node's 64 KiB defaults, 0.38 s with 256 KiB inflate chunks, 0.33 s
// with 512 KiB (124 MB peak RSS), 0.32 s with 1 MiB (135 MB). Reads of 256 KiB: zlib inflates a whole
// read before back-pressure applies, and 1 MiB reads gave the same time with ~10 MB more peak RSS.
/**
 * Plain files are read 288 KiB at a time from offset 0: three of GNU grep's 96 KiB buffers, so a
 * read never ends inside one (grep.ts decides "binary" per grep buffer, as grep does).
 */
const READ_CHUNK = 3 * 96 * 1024
const INFLATE_CHUNK = 512 << 10

/**
 * What a stream over a source's handle may do with its fd: read it. A stream destroyed before its end
 * (a reading left early) closes its fd even with autoClose off; the FileHandle then closed it again
 * in closeAll, by then perhaps another file's number, and a second reading of the source failed with
 * EBADF. The source's handle owns the fd and closes it (closeAll).
 */
const BORROWED = {
  open: fsOpen,
  read: fsRead,
  close: (_fd: number, cb: (err: NodeJS.ErrnoException | null) => void) => cb(null),
} as unknown as NonNullable<Parameters<typeof createReadStream>[1] & object>['fs']

/**
 * The bytes of one source, inflated when it is gzip (by magic bytes, never by name; multi-member
 * streams whole). Damage ends the iteration with a SearchError after every good byte was yielded.
 */
export async function* readBytes(source: LogSource, signal?: AbortSignal): AsyncGenerator<Buffer> {
  let input: AsyncIterable<Buffer>
  let gunzip: Gunzip | null = null
  if (source.stdin) input = sniffed(source.stdin)
  else if (source.stream && source.handle) {
    // from where it stands to its end (grep reads a FIFO's writer to EOF, not up to a size)
    input = sniffed(createReadStream('', { fd: source.handle.fd, highWaterMark: READ_CHUNK, autoClose: false, fs: BORROWED, signal }))
  } else {
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
      fs: BORROWED,
      signal,
    })
    gunzip = source.gzip ? createGunzip({ chunkSize: INFLATE_CHUNK }) : null
    input = gunzip ? pipeline(raw, gunzip, () => {}) : raw
  }
  let emitted = 0
  try {
    for await (const chunk of input) {
      emitted += (chunk as Buffer).length
      yield chunk as Buffer
    }
    // Node's gunzip ends quietly at zero padding after the last member; zgrep's `gzip -cdfq`
    // passes those zeros on (grep then counts them as NUL-ended lines)
    if (gunzip && source.handle) {
      for (let at = gunzip.bytesWritten; at < source.size; ) {
        const piece = Buffer.alloc(Math.min(64 << 10, source.size - at))
        const { bytesRead } = await source.handle.read(piece, 0, piece.length, at)
        if (bytesRead === 0) break
        yield piece.subarray(0, bytesRead)
        at += bytesRead
      }
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException)?.code
    if (source.gzip && !source.stdin && !source.stream && (code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR')) {
      try {
        yield* salvage(source, emitted)
      } catch {
        // the damage, met again: everything before it has been handed over
        throw fileError(source.name, e)
      }
      return // only trailing garbage after the last member: the file was read whole
    }
    throw fileError(source.name, e)
  }
}

/**
 * zlib drops the output chunk it was filling when it meets damage (with large chunks, hundreds of KB
 * of good lines before the damage), and Node's gunzip takes any byte after a member but zeros for
 * the start of another: a file with trailing garbage failed whole. So a file whose inflate failed is
 * read again as gzip -d reads it (gzipMembers), and what comes after the `skip` bytes already given
 * is handed over: all of it up to real damage, or the whole file when the damage was trailing
 * garbage (passed on as data, and the search goes on quietly, as zgrep does).
 */
async function* salvage(source: LogSource, skip: number): AsyncGenerator<Buffer> {
  let seen = 0
  for await (const c of gzipMembers(source.name, source.size)) {
    if (seen + c.length > skip) yield seen >= skip ? c : c.subarray(skip - seen)
    seen += c.length
  }
}

/**
 * The bytes of a gzip file member by member, as gzip -d gives them: each member's header read here,
 * its deflate data inflated raw (zlib says where it ended), its CRC and size checked. Bytes after a
 * member that open no other (trailing garbage, zero padding) are passed on as they are, as zgrep's
 * `gzip -cdfq` does. Throws at damage after yielding everything before it.
 * @throws {Error} with a zlib-like code (`Z_DATA_ERROR`, `Z_BUF_ERROR`) at damage.
 */
async function* gzipMembers(name: string, size: number): AsyncGenerator<Buffer> {
  // by name: the failed stream has closed the fd it was given; no further than the size at open
  const fh = await open(name, 'r')
  const damage = (what: string, code = 'Z_DATA_ERROR') => Object.assign(new Error(what), { code })
  try {
    const readAt = async (pos: number, want: number): Promise<Buffer> => {
      const len = Math.max(0, Math.min(want, size - pos))
      const b = Buffer.alloc(len)
      const { bytesRead } = await fh.read(b, 0, len, pos)
      return b.subarray(0, bytesRead)
    }
    let pos = 0
    for (let member = 0; ; member++) {
      const head = await readAt(pos, 10)
      if (head.length === 0) return
      if (member > 0 && (head[0] !== 0x1f || head[1] !== 0x8b)) {
        // trailing bytes that open no member: zgrep's `gzip -cdfq` passes them on as they are
        for (let b = head; b.length; b = await readAt(pos, 64 << 10)) {
          pos += b.length
          yield b
        }
        return
      }
      if (head.length < 10) throw damage('unexpected end of file', 'Z_BUF_ERROR')
      if (head[2] !== 8) throw damage('unknown compression method')
      const flags = head[3]!
      if (flags & 0xe0) throw damage('unknown header flags set')
      let p = pos + 10
      if (flags & 4) {
        const x = await readAt(p, 2)
        if (x.length < 2) throw damage('unexpected end of file', 'Z_BUF_ERROR')
        p += 2 + (x[0]! | (x[1]! << 8))
      }
      for (const bit of [8, 16]) {
        if (!(flags & bit)) continue
        // a zero-terminated name or comment
        for (;;) {
          const b = await readAt(p, 256)
          if (!b.length) throw damage('unexpected end of file', 'Z_BUF_ERROR')
          const z = b.indexOf(0)
          p += z < 0 ? b.length : z + 1
          if (z >= 0) break
        }
      }
      if (flags & 2) p += 2
      // the deflate data: fed in pieces until zlib ends the stream (it consumes no byte past its end)
      const inf = createInflateRaw({ chunkSize: 64 << 10 })
      const out: Buffer[] = []
      let ended = false
      let failure: Error | null = null
      inf.on('data', (c: Buffer) => out.push(c))
      inf.on('end', () => (ended = true))
      inf.on('error', (e) => (failure = e))
      let crc = 0
      let length = 0
      const drain = function* () {
        for (const c of out.splice(0)) {
          crc = crc32(c, crc)
          length += c.length
          yield c
        }
      }
      let at = p
      while (!ended && !failure) {
        const piece = await readAt(at, 64 << 10)
        if (!piece.length) {
          inf.end()
          await new Promise<void>((r) => inf.once('close', r).once('end', r).once('error', r))
          yield* drain()
          if (!ended) throw failure ?? damage('unexpected end of file', 'Z_BUF_ERROR')
          break
        }
        at += piece.length
        // zlib calls back no write that meets damage (it errors instead): that wait never ended,
        // and a run over such a file exited with Node's 13 (a promise left pending) and no output
        await new Promise<void>((r) => {
          const done = () => {
            inf.off('error', done).off('close', done)
            r()
          }
          inf.once('error', done).once('close', done)
          inf.write(piece, done)
        })
        await new Promise<void>((r) => setImmediate(r))
        yield* drain()
      }
      if (failure) throw failure
      inf.destroy()
      const end = p + inf.bytesWritten
      const trailer = await readAt(end, 8)
      if (trailer.length < 8) throw damage('unexpected end of file', 'Z_BUF_ERROR')
      if (trailer.readUInt32LE(0) !== crc >>> 0 || trailer.readUInt32LE(4) !== length % 2 ** 32) throw damage('incorrect data check')
      pos = end + 8
    }
  } finally {
    await fh.close()
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

/**
 * What a file's bytes go through as they arrive, when its search can run ahead of its turn: grep.ts's
 * per-file scanner (output only; nothing it does depends on the files before it).
 */
export interface AheadScan {
  push(chunk: Buffer): Buffer | null
  flush(): Buffer | null
  readonly stopped: boolean
}

/**
 * One source read ahead into a bounded queue; iterating it yields the same chunks, errors last. With
 * a scan, the queue holds what the scan printed instead of the bytes: a file searched ahead of its
 * turn holds only its output, and its inflate never waits for the file before it to be read.
 */
class Pump implements AsyncIterable<Buffer> {
  private chunks: Buffer[] = []
  private bytes = 0
  private done = false
  private error: unknown = null
  private wake: (() => void) | null = null
  private room: (() => void) | null = null

  private readonly ctrl = new AbortController()

  constructor(source: LogSource, scan?: AheadScan) {
    void this.run(source, this.ctrl.signal, scan)
  }

  private async run(source: LogSource, signal: AbortSignal, scan?: AheadScan) {
    try {
      for await (const c of scan ? scanned(readBytes(source, signal), scan) : readBytes(source, signal)) {
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

/** The output of a scan fed `bytes`, its flush last; stops reading once the scan has stopped. */
async function* scanned(bytes: AsyncIterable<Buffer>, scan: AheadScan): AsyncGenerator<Buffer> {
  if (scan.stopped) return // -m 0 reads nothing, as grep
  for await (const chunk of bytes) {
    const out = scan.push(chunk)
    if (out) yield out
    if (scan.stopped) return
  }
  const out = scan.flush()
  if (out) yield out
}

/**
 * Reads up to `ahead` sources beyond the current one at once: zlib inflates in libuv's thread pool,
 * so several archives inflate in parallel while the scanner works, and output stays in file order.
 * With `scanOf`, each file is searched as its bytes arrive (see Pump), and bytes(k) yields output.
 */
export class Prefetcher {
  private pumps = new Map<number, Pump>()

  constructor(
    private readonly sources: readonly LogSource[],
    private readonly wanted: (k: number) => boolean,
    private readonly ahead = 2,
    private readonly scanOf?: (k: number) => AheadScan,
  ) {}

  /** The bytes of source k (or, with scanOf, its output); starts the next ones in the background. */
  bytes(k: number): AsyncIterable<Buffer> {
    let started = 0
    for (let j = k; j < this.sources.length && started <= this.ahead; j++) {
      if (!this.wanted(j)) continue
      started++
      if (!this.pumps.has(j) && !this.sources[j]!.stdin) this.pumps.set(j, new Pump(this.sources[j]!, this.scanOf?.(j)))
    }
    const p = this.pumps.get(k)
    this.pumps.delete(k)
    if (p) return p
    return this.scanOf ? scanned(readBytes(this.sources[k]!), this.scanOf(k)) : readBytes(this.sources[k]!)
  }

  /** Stops every read still going (an early end: -q, -l, a closed pipe). */
  close() {
    for (const p of this.pumps.values()) p.stop()
    this.pumps.clear()
  }
}
