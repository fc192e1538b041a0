import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { BIN, CACHE_DIR } from './run.js'

/**
 * The built odoolog run with `--follow` in the background (stdout a pipe), its output collected
 * with the time each piece arrived, so that a test can write to the log and wait for the result.
 */
export class Following {
  readonly child: ChildProcess
  stdout = ''
  stderr = ''
  private arrivals: { at: number; length: number }[] = []
  private waiters: (() => void)[] = []
  private exited: Promise<{ status: number | null; signal: NodeJS.Signals | null }>

  constructor(args: string[], env: Record<string, string> = {}) {
    this.child = spawn(process.execPath, [BIN, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', HOME: process.env.HOME ?? '/tmp', ODOOLOG_CACHE_DIR: CACHE_DIR, ...env },
    })
    this.child.stdout!.on('data', (d: Buffer) => {
      this.stdout += d.toString('latin1')
      this.arrivals.push({ at: Date.now(), length: this.stdout.length })
      this.wake()
    })
    this.child.stderr!.on('data', (d: Buffer) => {
      this.stderr += d.toString()
      this.wake()
    })
    this.exited = new Promise((resolve) => this.child.on('exit', (status, signal) => resolve({ status, signal })))
  }

  private wake() {
    const w = this.waiters
    this.waiters = []
    for (const f of w) f()
  }

  /**
   * Waits until stdout holds `text` (after `from`, a position in stdout) and returns the time it
   * arrived; throws after `timeoutMs` with what came.
   */
  async waitFor(text: string, from = 0, timeoutMs = 10_000): Promise<number> {
    const end = Date.now() + timeoutMs
    for (;;) {
      const at = this.stdout.indexOf(text, from)
      if (at >= 0) return this.arrivals.find((a) => a.length >= at + text.length)!.at
      const left = end - Date.now()
      if (left <= 0) throw new Error(`no ${JSON.stringify(text)} after ${timeoutMs} ms; stdout:\n${this.stdout.slice(from)}\nstderr:\n${this.stderr}`)
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left)
        this.waiters.push(() => {
          clearTimeout(t)
          resolve()
        })
      })
    }
  }

  /** Waits until stderr holds `text`. */
  async waitForStderr(text: string, timeoutMs = 10_000): Promise<void> {
    const end = Date.now() + timeoutMs
    while (!this.stderr.includes(text)) {
      if (Date.now() > end) throw new Error(`no ${JSON.stringify(text)} on stderr after ${timeoutMs} ms:\n${this.stderr}`)
      await sleep(20)
    }
  }

  /** Sends `signal` and waits for the exit (killed after `timeoutMs`, which fails the test's expectations). */
  async stop(signal: NodeJS.Signals = 'SIGINT', timeoutMs = 5000): Promise<{ status: number | null; signal: NodeJS.Signals | null; ms: number }> {
    const t0 = Date.now()
    this.child.kill(signal)
    return this.exit(timeoutMs, t0)
  }

  /** Waits for the process to end by itself. */
  async exit(timeoutMs = 5000, t0 = Date.now()): Promise<{ status: number | null; signal: NodeJS.Signals | null; ms: number }> {
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs)
    const r = await this.exited
    clearTimeout(timer)
    return { ...r, ms: Date.now() - t0 }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms))
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`

/**
 * A whole `--follow` session as a person sees it: odoolog started in `cwd`, `text` appended to `log`
 * after `appendAfterMs`, SIGINT at `stopAfterMs` (timeout --preserve-status, so the exit status is
 * odoolog's). With `cols`, stdout is a pseudo-terminal that wide (script from util-linux).
 * Returns stdout as received (line ends as `\n`) and the exit status.
 */
export function followSession(args: string[], o: { cwd: string; log: string; text: string; cols?: number; appendAfterMs?: number; stopAfterMs?: number }): { status: number | null; stdout: string } {
  const piece = `${o.log}.append`
  writeFileSync(piece, o.text)
  const run = [process.execPath, BIN, ...args].map(quote).join(' ')
  const cmd = `(sleep ${(o.appendAfterMs ?? 1500) / 1000}; cat ${quote(piece)} >> ${quote(o.log)}; rm ${quote(piece)}) & timeout --preserve-status -s INT ${(o.stopAfterMs ?? 4000) / 1000} ${run}; echo "[exit $?]"`
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', LC_ALL: o.cols ? 'C.UTF-8' : 'C', TERM: 'xterm' }
  const r = o.cols
    ? spawnSync('script', ['-qec', `stty cols ${o.cols} rows 40; ${cmd} 2>/dev/null`, '/dev/null'], { cwd: o.cwd, env })
    : spawnSync('sh', ['-c', cmd], { cwd: o.cwd, env })
  const out = r.stdout.toString().replace(/\r\n/g, '\n')
  const m = /\[exit (\d+)\]\n$/.exec(out)
  return { status: m ? Number(m[1]) : null, stdout: m ? out.slice(0, m.index) : out }
}
