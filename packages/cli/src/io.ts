import type { Readable, Writable } from 'node:stream'
import type { Progress } from '@odoolog/search'

/** Everything the CLI touches outside itself, injectable for in-process tests. */
export interface Io {
  stdout: Writable & { isTTY?: boolean; columns?: number }
  stderr: Writable & { isTTY?: boolean }
  stdin: Readable & { isTTY?: boolean }
  env: Record<string, string | undefined>
}

export function processIo(): Io {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env }
}

/**
 * Writes to stdout with back-pressure. A closed pipe (`odoolog … | head -1`) is a normal stop:
 * `closed` turns true and every later write is dropped, silently.
 */
export class Output {
  closed = false
  private failure: Error | null = null

  constructor(private readonly stream: Writable) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') this.closed = true
      else this.failure = e
    })
  }

  /** Resolves false once the reader has gone away. */
  async write(data: string | Buffer): Promise<boolean> {
    if (this.failure) throw this.failure
    if (this.closed || this.stream.destroyed) {
      this.closed = true
      return false
    }
    if (!this.stream.write(data)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.stream.off('drain', done)
          this.stream.off('close', done)
          this.stream.off('error', done)
          resolve()
        }
        this.stream.on('drain', done)
        this.stream.on('close', done)
        this.stream.on('error', done)
      })
    }
    return !this.closed
  }
}

/** Colour for a stream: `always`, `never`, or `auto` (a TTY, and NO_COLOR unset or empty, TERM not dumb). */
export function useColor(mode: string | undefined, stream: { isTTY?: boolean }, env: Io['env']): boolean {
  if (mode === 'always' || mode === 'yes' || mode === 'force') return true
  if (mode === 'never' || mode === 'no' || mode === 'none') return false
  return !!stream.isTTY && !env.NO_COLOR && env.TERM !== 'dumb'
}

/**
 * `odoolog: 12/30 files, 140 MB` on stderr, rewritten in place, for scans longer than about a second,
 * and only when stderr is a terminal; erased when the scan ends.
 */
export class ProgressLine {
  private readonly start: number
  private last = 0
  private shown = false

  constructor(
    private readonly stream: Writable & { isTTY?: boolean },
    private readonly clock: () => number = Date.now,
  ) {
    this.start = clock()
  }

  update(p: Progress) {
    if (!this.stream.isTTY) return
    const now = this.clock()
    if (now - this.start < 1000 || now - this.last < 200) return
    this.last = now
    this.shown = true
    this.stream.write(`\r\x1b[Kodoolog: ${p.filesDone}/${p.files} files, ${Math.round(p.bytes / 1e6)} MB`)
  }

  done() {
    if (this.shown) this.stream.write('\r\x1b[K')
    this.shown = false
  }
}
