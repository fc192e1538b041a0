import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect } from 'vitest'

export const BIN = fileURLToPath(new URL('../../packages/cli/bin/odoolog.js', import.meta.url))
export const EXAMPLES = fileURLToPath(new URL('../../examples/logs/sample', import.meta.url))

export interface Run {
  status: number | null
  stdout: Buffer
  stderr: string
}

/**
 * The cache of the runs of one test file: a folder of its own (never the HOME's), shared by its runs,
 * so every e2e test that runs a report twice over an archive also reads it from the cache.
 */
export const CACHE_DIR = mkdtempSync(join(tmpdir(), 'odoolog-test-cache-'))
process.on('exit', () => rmSync(CACHE_DIR, { recursive: true, force: true }))

const baseEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', HOME: process.env.HOME ?? '/tmp', ODOOLOG_CACHE_DIR: CACHE_DIR }

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
export function gnuGrep(args: string[], opts: { cwd?: string; input?: Buffer | string; env?: Record<string, string> } = {}): Run {
  const r = spawnSync('grep', args, { cwd: opts.cwd, input: opts.input ?? '', env: { ...baseEnv, ...opts.env }, maxBuffer: 1 << 30 })
  return { status: r.status, stdout: r.stdout ?? Buffer.alloc(0), stderr: r.stderr?.toString() ?? '' }
}

/** Why GNU grep cannot serve as the oracle here, or null when it can. */
export function gnuGrepMissing(): string | null {
  const r = spawnSync('grep', ['--version'], { env: baseEnv })
  if (r.error || r.status !== 0) return 'grep is not installed'
  return /GNU grep/.test(r.stdout.toString()) ? null : 'grep is not GNU grep'
}

/**
 * `odoolog grep ARGS` against `grep ARGS` in `cwd`: the same stdout bytes, exit status and stderr in
 * grep's words (`odoolog:` read as `grep:`); `stderr: 'first'` compares the first line only (usage
 * text differs after it).
 */
export function expectSameAsGrep(args: string[], opts: { cwd: string; env?: Record<string, string>; stderr?: 'first' | 'all' }): void {
  const g = gnuGrep(args, { cwd: opts.cwd, env: opts.env })
  const o = odoolog(['grep', ...args], { cwd: opts.cwd, env: opts.env })
  expect(o.stdout.toString('latin1')).toBe(g.stdout.toString('latin1'))
  expect(o.status).toBe(g.status)
  const ours = o.stderr.replace(/^odoolog: /gm, 'grep: ')
  if (opts.stderr === 'first') expect(ours.split('\n')[0]).toBe(g.stderr.split('\n')[0])
  else expect(ours).toBe(g.stderr)
}
