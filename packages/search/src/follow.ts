import { watch, type FSWatcher } from 'node:fs'
import { open, stat, type FileHandle } from 'node:fs/promises'
import { dirname } from 'node:path'
import { fileError } from './errors.js'
import type { LogSource } from './sources.js'

/** `--follow`: keep reading one file by its path as it grows, across rotation and truncation. */
export interface FollowOptions {
  /** The path followed (`DIR/odoo.log`, or the one FILE named); its source is the last one searched. */
  path: string
  /**
   * How long the file must stay quiet before its last record counts as final (ms, default 300).
   * Odoo writes a record, traceback included, in one write: 300 ms of silence means it is whole.
   */
  quietMs?: number
  /** How often the path is checked when no change notice comes (ms, default 250). */
  pollMs?: number
  /** Listen for change notices with fs.watch (default true); polling alone where they never come (NFS, overlay). */
  watch?: boolean
}

/** Why the followed path is read from a new start. */
export type FollowSwitch = 'rotated' | 'truncated' | 'appeared'

export type FollowItem =
  /** The next bytes of the file being followed. */
  | { kind: 'bytes'; data: Buffer }
  /** Nothing new for `quietMs` after the last bytes: what was read is all there is for now. */
  | { kind: 'idle' }
  /**
   * What follows is read from the start of `source`: the path now names a new file (`rotated`; the
   * old one was read to its end first), the file shrank (`truncated`, as with copytruncate), or the
   * path did not exist when the search started (`appeared`).
   */
  | { kind: 'switch'; source: LogSource; why: FollowSwitch }

const CHUNK = 256 << 10

/**
 * The bytes of the followed file from its start, then as they are written, as `tail -F` reads: at
 * the end of the file, the path is looked at (its inode and device, the file's size); a new file
 * under the path is taken once the old one has been read to its end, and a file that shrank is
 * read again from its start. Waits on fs.watch notices of the folder and a stat every `pollMs`,
 * whichever comes first. `first` is the source already opened for the path (null when the path
 * did not exist); its handle is closed by the caller, every later one here. Ends when `signal` aborts.
 * A read error ends the iteration with a SearchError naming the path.
 */
export async function* follow(first: LogSource | null, opts: FollowOptions, signal: AbortSignal): AsyncGenerator<FollowItem> {
  const quietMs = opts.quietMs ?? 300
  const pollMs = opts.pollMs ?? 250
  const name = first?.name ?? opts.path
  let handle: FileHandle | null = first?.handle ?? null
  let owned = false // whether `handle` is ours to close
  let id = handle ? identity(await handle.stat()) : ''
  let pos = 0
  let lastData = Date.now()
  let idleSaid = false
  let replaced = false // the path names another file: read this one to its end, then switch
  let why: FollowSwitch = 'appeared' // what opening the path next means

  let wake: (() => void) | null = null
  const poke = () => {
    const w = wake
    wake = null
    w?.()
  }
  signal.addEventListener('abort', poke)
  let watcher: FSWatcher | null = null
  if (opts.watch ?? true) {
    try {
      // the folder, not the file: a watch on the file follows its inode through a rename
      watcher = watch(dirname(opts.path), { persistent: false }, poke)
      watcher.on('error', () => {
        watcher?.close()
        watcher = null
      })
    } catch {
      watcher = null // no notices here (inotify limits, a filesystem without them): polling only
    }
  }
  try {
    while (!signal.aborted) {
      if (handle) {
        let got = false
        try {
          for (;;) {
            const buf = Buffer.allocUnsafe(CHUNK)
            const { bytesRead } = await handle.read(buf, 0, CHUNK, pos)
            if (bytesRead === 0) break
            pos += bytesRead
            got = true
            // a short read is copied: a small line must not hold 256 KiB while it is carried
            yield { kind: 'bytes', data: bytesRead < CHUNK >> 2 ? Buffer.from(buf.subarray(0, bytesRead)) : buf.subarray(0, bytesRead) }
            if (signal.aborted) return
          }
        } catch (e) {
          throw fileError(name, e)
        }
        if (got) {
          lastData = Date.now()
          idleSaid = false
          continue // read until a read returns nothing
        }
        if (replaced) {
          // read to its end after the path moved on: now the new file
          if (owned) await handle.close().catch(() => {})
          handle = null
          replaced = false
          why = 'rotated'
          continue
        }
        const size = (await handle.stat()).size
        if (size < pos) {
          pos = 0
          yield { kind: 'switch', source: live(name, handle), why: 'truncated' }
          continue
        }
        const now = await statPath(opts.path)
        if (now !== null && now !== id) {
          replaced = true
          continue // one more read of the old file: what was written just before the rename
        }
      } else {
        const next = await openPath(opts.path)
        if (next) {
          ;({ handle, id } = next)
          owned = true
          pos = 0
          yield { kind: 'switch', source: live(name, handle), why }
          continue
        }
      }
      const quiet = Date.now() - lastData
      if (!idleSaid && quiet >= quietMs) {
        idleSaid = true
        yield { kind: 'idle' }
        continue
      }
      const wait = idleSaid ? pollMs : Math.min(pollMs, quietMs - quiet)
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          wake = null
          resolve()
        }, wait)
        wake = () => {
          clearTimeout(t)
          resolve()
        }
      })
    }
  } finally {
    signal.removeEventListener('abort', poke)
    watcher?.close()
    if (owned) await handle?.close().catch(() => {})
  }
}

function identity(st: { dev: number; ino: number }): string {
  return `${st.dev}:${st.ino}`
}

async function statPath(path: string): Promise<string | null> {
  try {
    return identity(await stat(path))
  } catch {
    return null // renamed, the new file not there yet
  }
}

async function openPath(path: string): Promise<{ handle: FileHandle; id: string } | null> {
  let handle: FileHandle
  try {
    handle = await open(path, 'r')
  } catch {
    return null
  }
  return { handle, id: identity(await handle.stat()) }
}

/** A file being followed: its bytes come from follow(), not from a size fixed at open. */
function live(name: string, handle: FileHandle): LogSource {
  return { name, handle, size: Infinity, gzip: false, firstTime: null }
}
