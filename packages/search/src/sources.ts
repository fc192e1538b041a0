import { open, readdir, stat, type FileHandle } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { constants as zc, gunzipSync } from 'node:zlib'
import { fileError, SearchError } from './errors.js'
import { keepFile, type FileRule } from './globs.js'
import { fsPath } from './names.js'
import { firstHeaderTime } from './records.js'

/**
 * One input, fixed when the search starts: its file is already open, so a rotation during the
 * scan neither loses nor repeats anything, and a live file is read up to its size at open.
 */
export interface LogSource {
  /** The name used in output: as typed, `DIR/NAME` for a folder's files, `(standard input)`. */
  readonly name: string
  /** Only with `stdin`: the stream itself. */
  readonly stdin?: Readable
  /** The open file, or null for stdin or when `error` is set. */
  readonly handle: FileHandle | null
  /** Bytes to read (the size at open). */
  readonly size: number
  readonly gzip: boolean
  /** First record timestamp (`YYYY-MM-DD HH:MM:SS,mmm`, UTC) where it was looked up, else null. */
  readonly firstTime: string | null
  /** Opening failed: reported in this source's turn, the others are still searched. */
  readonly error?: SearchError
  /**
   * Not a regular file (a pipe, a FIFO, `/dev/stdin`, `<(zcat x.gz)`): read to its end, whatever
   * its size, gzip or not by its first bytes (size is Infinity, gzip false until read).
   */
  readonly stream?: boolean
}

export interface DiscoverOptions {
  /** Include install.log, update.log, pip.log and pg_long_queries.log found in folders. */
  allLogs?: boolean
  /** Look up each file's first record time even for files named one by one. */
  readFirstTimes?: boolean
  /** What a missing PATH list means; the CLI passes stdin or ~/logs. */
  stdin?: Readable
  /** grep's --include/--exclude, in order: a folder's files by base name, PATHs by name suffix. */
  files?: readonly FileRule[]
  /** grep's --exclude-dir: folder PATHs whose name (or a suffix after a `/`) matches are skipped. */
  excludeDirs?: readonly string[]
  /** grep's -d: `recurse` (odoolog's way: a folder is a logs folder), `skip` them, `read` (an error, as grep). */
  directories?: 'read' | 'skip' | 'recurse'
  /** grep's -D skip: FIFOs, sockets and devices named as PATH are skipped (stdin never). */
  devices?: 'read' | 'skip'
  /** The name stdin takes in output (grep's --label). */
  label?: string
}

const ODOO_LOG = /^odoo\.log(?:\.1|\.\d+|\.\d{4}-\d{2}-\d{2}|-\d{8})?(?:\.gz)?$/
const OTHER_LOG = /^(?:install|update|pip|pg_long_queries)\.log(?:\.\d+|\.\d{4}-\d{2}-\d{2}|-\d{8})?(?:\.gz)?$/

/** The default folder when no PATH is given on a TTY. */
export function defaultLogDir(): string {
  return join(homedir(), 'logs')
}

/**
 * Resolves PATH arguments to the ordered list of sources and opens them all.
 * A folder gives its Odoo server logs oldest first (by first record time; by name where a file has
 * none); files keep argument order; `-` is stdin. Errors for single paths are kept in their source.
 * A PATH that cannot be read, and a folder that holds no Odoo server log (`E_NO_LOGS`), become a
 * source carrying its error: the other PATHs are still searched.
 */
export async function discover(paths: readonly string[], opts: DiscoverOptions = {}): Promise<LogSource[]> {
  const out: LogSource[] = []
  for (const p of paths) {
    if (p === '-') {
      out.push(stdinSource(opts.stdin ?? process.stdin, opts.label))
      continue
    }
    let st
    try {
      st = await stat(fsPath(p))
    } catch (e) {
      // (grep still reports a PATH that --exclude names but that does not exist)
      out.push(failed(p, e))
      continue
    }
    if (st.isDirectory()) {
      if (opts.directories === 'skip' || opts.excludeDirs?.some((g) => keepFile(p.replace(/\/+$/, ''), [{ glob: g, include: true }], true))) continue
      if (opts.directories === 'read') out.push(failed(p, Object.assign(new Error('Is a directory'), { code: 'EISDIR' })))
      else out.push(...(await discoverDir(p, opts)))
      continue
    }
    if (opts.files && !keepFile(p, opts.files, true)) continue
    if (opts.devices === 'skip' && (st.isFIFO() || st.isSocket() || st.isCharacterDevice() || st.isBlockDevice())) continue
    out.push(await openSource(p, opts.readFirstTimes ?? false))
  }
  return out
}

export function stdinSource(stream: Readable, label = '(standard input)'): LogSource {
  return { name: label, stdin: stream, handle: null, size: Infinity, gzip: false, firstTime: null }
}

async function discoverDir(dir: string, opts: DiscoverOptions): Promise<LogSource[]> {
  const all = (await readdir(fsPath(dir))).filter((n) => ODOO_LOG.test(n) || (opts.allLogs && OTHER_LOG.test(n)))
  if (!all.some((n) => ODOO_LOG.test(n))) {
    const error = new SearchError(`${dir}: no Odoo log in this directory (expected odoo.log, odoo.log.1, odoo.log.YYYY-MM-DD.gz)`, 'E_NO_LOGS', dir)
    return [{ name: dir, handle: null, size: 0, gzip: false, firstTime: null, error }]
  }
  // --include/--exclude may leave none: then nothing is searched there, as grep -r
  const names = opts.files ? all.filter((n) => keepFile(n, opts.files!, false)) : all
  const prefix = dir.endsWith('/') ? dir : dir + '/'
  const sources = await Promise.all(names.map((n) => openSource(prefix + n, true)))
  const odoo = sources.filter((s) => ODOO_LOG.test(baseName(s.name)))
  const others = sources.filter((s) => !ODOO_LOG.test(baseName(s.name)))
  return [...orderByTime(odoo), ...others.sort((a, b) => a.name.localeCompare(b.name))]
}

function baseName(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1)
}

/** Oldest first by first record time; files without one by what their name says of their age. */
export function orderByTime(sources: LogSource[]): LogSource[] {
  return [...sources].sort((a, b) => {
    if (a.firstTime && b.firstTime && a.firstTime !== b.firstTime) return a.firstTime < b.firstTime ? -1 : 1
    return nameAge(b.name) - nameAge(a.name) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
  })
}

/** Larger is older: dated names by date, then odoo.log.N by N, odoo.log newest of all. */
function nameAge(path: string): number {
  const n = baseName(path)
  const d = /\.(\d{4})-?(\d{2})-?(\d{2})(?:\.gz)?$/.exec(n) ?? /-(\d{4})(\d{2})(\d{2})(?:\.gz)?$/.exec(n)
  if (d) return 2e9 - Number(d[1]! + d[2]! + d[3]!)
  const k = /\.log\.(\d+)(?:\.gz)?$/.exec(n)
  return k ? Number(k[1]) : 0
}

function failed(name: string, e: unknown): LogSource {
  return { name, handle: null, size: 0, gzip: false, firstTime: null, error: fileError(name, e) }
}

/** How much of a file discovery reads for its first record time: a little, then more if need be. */
const HEAD_READS = [1024, 16 * 1024]

async function openSource(path: string, readFirstTime: boolean): Promise<LogSource> {
  let handle: FileHandle | undefined
  try {
    handle = await open(fsPath(path), 'r')
    const st = await handle.stat()
    if (st.isDirectory()) throw Object.assign(new Error('Is a directory'), { code: 'EISDIR' })
    // a pipe has no size and no position: reading its head here would take bytes from the search
    if (!st.isFile()) return { name: path, handle, size: Infinity, gzip: false, firstTime: null, stream: true }
    // The first record's time orders the folder. It is nearly always in the first KiB (of gzip, too);
    // only a file that starts with something else is read further (16 KiB, as much as ever).
    let gzip = false
    let firstTime: string | null = null
    for (const want of HEAD_READS) {
      const head = Buffer.allocUnsafe(Math.min(st.size, want))
      const { bytesRead } = await handle.read(head, 0, head.length, 0)
      const first = head.subarray(0, bytesRead)
      gzip = isGzip(first)
      const last = bytesRead >= st.size || want === HEAD_READS[HEAD_READS.length - 1]
      if (!readFirstTime) break
      firstTime = firstHeaderTime(gzip ? inflateHead(first) : first)
      if (firstTime !== null || last) break
    }
    return { name: path, handle, size: st.size, gzip, firstTime }
  } catch (e) {
    await handle?.close()
    return failed(path, e)
  }
}

export function isGzip(head: Buffer): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b
}

/** Inflates the start of a gzip file without reading it whole (a partial stream is fine here). */
function inflateHead(head: Buffer): Buffer {
  for (let len = head.length; len > 0; len = len > 512 ? len >> 2 : 0) {
    try {
      return gunzipSync(head.subarray(0, len), { finishFlush: zc.Z_SYNC_FLUSH, maxOutputLength: 4 << 20 })
    } catch {
      // too much output from that much input (or damage): try less
    }
  }
  return Buffer.alloc(0)
}

/** Closes every source that is still open (used when a search stops early). */
export async function closeAll(sources: readonly LogSource[]): Promise<void> {
  await Promise.all(sources.map((s) => s.handle?.close().catch(() => {})))
}
