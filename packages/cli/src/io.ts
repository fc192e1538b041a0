import { fstatSync } from 'node:fs'
import type { Readable, Writable } from 'node:stream'
import { stringBytes, type Progress } from '@odoolog/search'
import { escapeTerminal, terminalWidth, wrapText } from './terminal.js'

/** Everything the CLI touches outside itself, injectable for in-process tests. */
export interface Io {
  stdout: Writable & { isTTY?: boolean; columns?: number }
  stderr: Writable & { isTTY?: boolean; columns?: number }
  stdin: Readable & { isTTY?: boolean }
  env: Record<string, string | undefined>
  /**
   * Whether stdin brings data, so that no PATH means stdin: a pipe (a FIFO or a socket) or a regular
   * file. A terminal, `/dev/null` or a closed stdin does not: no PATH then means ~/logs.
   * Unset (in-process tests): data unless stdin is a TTY.
   */
  stdinIsData?: boolean
}

export function processIo(): Io {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    // a getter: process.stdin opens fd 0, which only a command that reads stdin needs
    get stdin() {
      return process.stdin
    },
    env: process.env,
    stdinIsData: stdinIsData(),
  }
}

function stdinIsData(): boolean {
  try {
    // bigint: on Node 20.20, a plain fstatSync of a pipe left the shared stat array in a state that
    // made the next ESM import resolve a package by its symlinked path (yargs could not find cliui)
    const st = fstatSync(0, { bigint: true })
    return st.isFIFO() || st.isSocket() || st.isFile()
  } catch {
    return false // closed
  }
}

/**
 * Lines for people on stderr, each as `odoolog: LINE` (a hint line as it is). On a terminal, control
 * characters are shown escaped (messages quote file names and log text, which outsiders can write)
 * and lines wrap at its width.
 */
export function say(io: Pick<Io, 'stderr'>, message: string, hint = ''): void {
  note(io, `odoolog: ${message}`)
  if (hint) note(io, hint)
}

/** One line for people on stderr, as it is through a pipe; escaped and wrapped on a terminal. */
export function note(io: Pick<Io, 'stderr'>, line: string): void {
  if (io.stderr.isTTY) io.stderr.write(wrapText(escapeTerminal(line), terminalWidth(io.stderr)) + '\n')
  // a name typed with bytes that are not UTF-8 is printed with those bytes, as grep prints it
  else io.stderr.write(/[\uDC80-\uDCFF]/.test(line) ? stringBytes(line + '\n') : line + '\n')
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
