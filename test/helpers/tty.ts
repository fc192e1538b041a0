import { spawnSync } from 'node:child_process'
import { BIN, CACHE_DIR } from './run.js'

/** Why commands cannot be run under a pseudo-terminal here (`script` from util-linux), or null. */
export function ttyMissing(): string | null {
  const r = spawnSync('script', ['--version'])
  if (r.error || r.status !== 0) return 'script (util-linux) is not installed'
  const probe = spawnSync('script', ['-qec', 'test -t 1 && echo tty', '/dev/null'])
  return probe.stdout?.toString().includes('tty') ? null : 'no pseudo-terminal can be opened here'
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`

/**
 * Runs the built odoolog with stdout and stderr on a pseudo-terminal `cols` wide (stdin too, unless
 * `stdinFile` redirects it). Returns what the terminal received, line ends as `\n`, and the exit status.
 * `stderr: false` sends stderr to /dev/null, so that only stdout is seen.
 */
export function onTerminal(args: string[], opts: { cols?: number; env?: Record<string, string>; stdinFile?: string; stderr?: boolean; cwd?: string } = {}) {
  const cmd = [process.execPath, BIN, ...args].map(quote).join(' ') + (opts.stdinFile ? ` < ${quote(opts.stdinFile)}` : '') + (opts.stderr === false ? ' 2>/dev/null' : '')
  const r = spawnSync('script', ['-qec', `stty cols ${opts.cols ?? 80} rows 40; ${cmd}`, '/dev/null'], {
    cwd: opts.cwd,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ODOOLOG_CACHE_DIR: CACHE_DIR, LC_ALL: 'C.UTF-8', TERM: 'xterm', ...opts.env },
    maxBuffer: 1 << 28,
  })
  return { status: r.status, text: r.stdout.toString().replace(/\r\n/g, '\n') }
}

/** The widest line, in terminal columns (colour sequences take none; every character here takes one). */
export function widest(text: string): number {
  let max = 0
  for (const line of text.replace(/\x1b\[[0-9;]*[mK]/g, '').split('\n')) max = Math.max(max, [...line].length)
  return max
}
