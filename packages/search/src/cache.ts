import { createHash, randomBytes } from 'node:crypto'
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs'
import { mkdir, readdir, rename, stat, unlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { gunzipSync, gzip, gzipSync } from 'node:zlib'
import type { LogSource } from './sources.js'

const gzipAsync = promisify(gzip)

/**
 * The format of every entry. Bump it whenever what a scan selects, or how an entry is laid out,
 * changes: an entry of another format is a miss (read again, written anew), never trusted.
 */
export const CACHE_FORMAT = 1

/** Past this many bytes in all, the least recently used entries go (down to 80% of it). */
export const CACHE_MAX_BYTES = 256 << 20

/**
 * An entry may take a tenth of its archive's bytes on disk (gzip as stored), plus this much for its
 * header: a day's archive of a real database is 100 KB and more, the bundled examples' 1-2 KB.
 */
export const ENTRY_SLACK = 4096

/** Entries whose body is at most this long are written when the search is done (see store). */
const DEFER_BODY = 16 << 10

/** Where odoolog keeps its cache: `$ODOOLOG_CACHE_DIR`, `$XDG_CACHE_HOME/odoolog`, `$HOME/.cache/odoolog`; null with none set. */
export function cacheDir(env: Readonly<Record<string, string | undefined>>): string | null {
  if (env.ODOOLOG_CACHE_DIR) return env.ODOOLOG_CACHE_DIR
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'odoolog')
  if (env.HOME) return join(env.HOME, '.cache', 'odoolog')
  return null
}

/**
 * A rotated file: `odoo.log.1`, a dated or numbered name, or gzip. It no longer changes once written;
 * `odoo.log` itself (the live file), stdin and pipes do.
 */
function rotated(src: LogSource): boolean {
  if (!src.handle || src.stdin || src.stream || src.error || !Number.isFinite(src.size)) return false
  const base = src.name.slice(src.name.lastIndexOf('/') + 1)
  return src.gzip || /\.log\.(?:\d+|\d{4}-\d{2}-\d{2})(?:\.gz)?$|\.log-\d{8}(?:\.gz)?$/.test(base)
}

/** Reads `len` bytes at `pos` into `buf[at..]`; throws when the file is shorter. */
function readFully(fd: number, buf: Buffer, at: number, len: number, pos: number): void {
  while (len > 0) {
    const n = readSync(fd, buf, at, len, pos)
    if (n === 0) throw new Error('file shorter than its size')
    at += n
    pos += n
    len -= n
  }
}

/** What an entry says of itself, checked against what the reader wants before its body is used. */
interface EntryHead {
  format: number
  kind: string
  sel: string
  id: string
  meta: unknown
}

/** One cache entry as read: what its writer said of the file, and its body. */
export interface CacheEntry {
  meta: unknown
  body: Buffer
}

/**
 * A cache of what odoolog learns from rotated log files, one entry per file and kind of reading,
 * keyed by the file's identity: device, inode, size, mtime, and hashes of its first and last 4 KiB.
 * A file whose identity changed (rewritten, truncated, replaced) finds no entry and is read again.
 *
 * Entries are gzip files with a CRC: one that is damaged, cut short or of another format is a miss.
 * Writes go to a temporary name, then rename: two runs at once never see half an entry. Nothing here
 * throws: a cache that cannot be read or written only costs speed (`writeError` says why).
 */
export class ArchiveCache {
  readonly dir: string
  readonly maxBytes: number
  hits = 0
  misses = 0
  written = 0
  /** The first failed write (an unwritable folder, a full disk); no later write is tried. */
  writeError: Error | null = null
  private pending: Promise<void>[] = []
  private deferred: (() => Promise<void>)[] = []
  private made = false

  constructor(dir: string, opts: { maxBytes?: number } = {}) {
    this.dir = dir
    this.maxBytes = opts.maxBytes ?? CACHE_MAX_BYTES
  }

  /** The identity of a rotated file, or null for one that can still change (or cannot be read). */
  identify(src: LogSource): string | null {
    if (!rotated(src)) return null
    // Synchronous, as load(): a few small reads, where each await of the thread pool left the main
    // thread idle for longer than the read (29 archives of the bench folder: 80 ms idle, warm).
    try {
      const fd = src.handle!.fd
      const st = fstatSync(fd, { bigint: true })
      // the size at open is what the search reads: a file that grew since is not that file
      if (Number(st.size) !== src.size) return null
      const h = createHash('sha1')
      const ends = Buffer.allocUnsafe(Math.min(8192, src.size))
      const first = Math.min(4096, src.size)
      readFully(fd, ends, 0, first, 0)
      const last = ends.length - first
      if (last > 0) readFully(fd, ends, first, last, src.size - last)
      h.update(ends)
      return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${h.digest('hex')}`
    } catch {
      return null
    }
  }

  private path(kind: string, sel: string, id: string): string {
    return join(this.dir, createHash('sha1').update(`${CACHE_FORMAT}\0${kind}\0${sel}\0${id}`).digest('hex') + '.odc')
  }

  /**
   * The entry of file `id` for `kind` read with `sel`, or null (none, damaged, another format or file,
   * or a `meta` that `accept` refuses).
   */
  load(kind: string, sel: string, id: string, accept: (meta: unknown) => boolean = () => true): CacheEntry | null {
    const path = this.path(kind, sel, id)
    let fd = -1
    try {
      fd = openSync(path, 'r')
      // An entry is trusted to say what a file holds: only one this user wrote (a cache folder
      // shared with others, through $ODOOLOG_CACHE_DIR, could otherwise feed a report made-up records)
      if (process.getuid && fstatSync(fd).uid !== process.getuid()) throw new Error('another owner')
      const raw = gunzipSync(readFileSync(fd))
      const nl = raw.indexOf(10)
      if (nl < 0) throw new Error('no header')
      const head = JSON.parse(raw.toString('utf8', 0, nl)) as EntryHead
      if (head.format !== CACHE_FORMAT || head.kind !== kind || head.sel !== sel || head.id !== id || !accept(head.meta)) throw new Error('another entry')
      this.hits++
      // (a use is the read itself: eviction goes by access time, which a read updates once a day
      // on the usual relatime mounts; a utimes() per hit cost 18 ms over 29 archives)
      return { meta: head.meta, body: raw.subarray(nl + 1) }
    } catch {
      this.misses++
      return null
    } finally {
      if (fd >= 0) closeSync(fd)
    }
  }

  /**
   * Writes an entry in the background, or a small one in settle() (which waits for them all). It is
   * dropped when it would take more than a `share`th of the file's `size` on disk (a tenth by default).
   */
  store(kind: string, sel: string, id: string, meta: unknown, body: Buffer, size: number, share = 10): void {
    if (this.writeError) return
    const head: EntryHead = { format: CACHE_FORMAT, kind, sel, id, meta }
    const path = this.path(kind, sel, id)
    const small = body.length <= DEFER_BODY
    const write = async () => {
      const raw = Buffer.concat([Buffer.from(JSON.stringify(head) + '\n'), body])
      // (a small one on this thread: a trip through the thread pool costs more than compressing it)
      const data = small ? gzipSync(raw, { level: 1 }) : await gzipAsync(raw, { level: 1 })
      if (data.length > size / share + ENTRY_SLACK) return
      if (!this.made) await mkdir(this.dir, { recursive: true, mode: 0o700 })
      this.made = true
      const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
      try {
        await writeFile(tmp, data, { mode: 0o600 })
        await rename(tmp, path)
        this.written++
      } catch (e) {
        await unlink(tmp).catch(() => {})
        throw e
      }
    }
    const done = (p: Promise<void>) =>
      p.catch((e: Error) => {
        this.writeError ??= e
      })
    // A small entry (grep's index of a file: a few hundred bytes) waits for settle(): written as
    // each file was read, through the thread pool, 29 of them slowed the inflating of the archives
    // beside them (cold `grep -F` over the bench folder: 0.53 s against 0.46 s without the cache)
    if (small) this.deferred.push(() => done(write()))
    else this.pending.push(done(write()))
  }

  /** Writes the small entries, waits for every write, then evicts the least recently used entries (by access time) past maxBytes (when anything was written). */
  async settle(): Promise<void> {
    this.pending.push(...this.deferred.splice(0).map((w) => w()))
    while (this.pending.length) await Promise.all(this.pending.splice(0))
    if (this.written) await this.evict().catch(() => {})
  }

  private async evict(): Promise<void> {
    const names = await readdir(this.dir)
    const now = Date.now()
    const entries: { path: string; size: number; used: number }[] = []
    let total = 0
    for (const n of names) {
      if (!n.endsWith('.odc') && !n.endsWith('.tmp')) continue
      const path = join(this.dir, n)
      const st = await stat(path).catch(() => null)
      if (!st) continue
      // a temporary file an interrupted run left behind
      if (n.endsWith('.tmp')) {
        if (now - st.mtimeMs > 3600e3) await unlink(path).catch(() => {})
        continue
      }
      entries.push({ path, size: st.size, used: Math.max(st.atimeMs, st.mtimeMs) })
      total += st.size
    }
    if (total <= this.maxBytes) return
    entries.sort((a, b) => a.used - b.used)
    for (const e of entries) {
      if (total <= this.maxBytes * 0.8) break
      await unlink(e.path).catch(() => {})
      total -= e.size
    }
  }
}
