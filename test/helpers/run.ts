import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export const BIN = fileURLToPath(new URL('../../packages/cli/bin/odoolog.js', import.meta.url))
export const EXAMPLES = fileURLToPath(new URL('../../examples/logs/sample', import.meta.url))

export interface Run {
  status: number | null
  stdout: Buffer
  stderr: string
}

const baseEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', HOME: process.env.HOME ?? '/tmp' }

/** Spawns the built odoolog binary, as a user would run it (stdout is a pipe, not a TTY). */
export function odoolog(args: string[], opts: { cwd?: string; input?: Buffer | string; env?: Record<string, string> } = {}): Run {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: opts.cwd,
    input: opts.input ?? '',
    env: { ...baseEnv, ...opts.env },
    maxBuffer: 1 << 30,
  })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString() }
}

/** GNU grep with LC_ALL=C (bytes; invalid UTF-8 is text). */
export function gnuGrep(args: string[], opts: { cwd?: string; input?: Buffer | string } = {}): Run {
  const r = spawnSync('grep', args, { cwd: opts.cwd, input: opts.input ?? '', env: baseEnv, maxBuffer: 1 << 30 })
  return { status: r.status, stdout: r.stdout ?? Buffer.alloc(0), stderr: r.stderr?.toString() ?? '' }
}

/** Why GNU grep cannot serve as the oracle here, or null when it can. */
export function gnuGrepMissing(): string | null {
  const r = spawnSync('grep', ['--version'], { env: baseEnv })
  if (r.error || r.status !== 0) return 'grep is not installed'
  return /GNU grep/.test(r.stdout.toString()) ? null : 'grep is not GNU grep'
}
