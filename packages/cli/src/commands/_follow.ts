import { statSync } from 'node:fs'
import { closeAll, type FollowOptions, type FollowSwitch, type LogSource } from '@odoolog/search'
import { CliError } from '../errors.js'
import { say, type Io } from '../io.js'

/**
 * `--follow`: which path is followed. One PATH: a folder follows its `odoo.log` (read after the
 * folder's other files), a file follows that file. Standard input is refused (a pipe streams
 * already), and so is `--until` (the follow would never reach it).
 * @throws {CliError} for anything but one folder or one file.
 */
export function followPath(paths: { stdin: boolean; list: readonly string[] }, a: { until?: string }, command: string): string {
  const usage = (m: string) => new CliError(`--follow: ${m}`, 'E_USAGE', { help: command })
  if (paths.stdin || paths.list.includes('-')) throw usage('standard input streams already: pipe it without --follow')
  if (paths.list.length !== 1) throw usage('follow one folder (its odoo.log) or one file')
  if (a.until !== undefined) throw usage('--until ends what --follow keeps reading: use one or the other')
  const p = paths.list[0]!
  let dir = false
  try {
    dir = statSync(p).isDirectory()
  } catch {
    // a missing file: discover() reports it, and the follow waits for it, as tail -F does
  }
  return dir ? (p.endsWith('/') ? p : p + '/') + 'odoo.log' : p
}

/**
 * The sources with the followed one last (a folder lists `--all-logs` files after odoo.log).
 * @throws {CliError} when the followed file is gzip: an archive does not grow.
 */
export async function followLast(sources: LogSource[], path: string): Promise<LogSource[]> {
  const i = sources.findIndex((s) => s.name === path)
  if (i < 0) return sources
  const src = sources[i]!
  if (src.gzip) {
    await closeAll(sources)
    throw new CliError(`--follow: ${path} is gzip-compressed: an archive does not grow`, 'E_USAGE')
  }
  return [...sources.slice(0, i), ...sources.slice(i + 1), src]
}

export function followOptions(path: string, env: Io['env']): FollowOptions {
  // ODOOLOG_FOLLOW_POLL_ONLY=1: no fs.watch, a stat every 250 ms (what NFS and overlay mounts get)
  return { path, watch: !env.ODOOLOG_FOLLOW_POLL_ONLY }
}

/**
 * SIGINT and SIGTERM end a follow quietly (the search stops, what was final is out, the exit status
 * says whether anything was selected). `dispose` puts the default handlers back.
 */
export function stopOnSignals(): { signal: AbortSignal; dispose: () => void } {
  const ac = new AbortController()
  const stop = () => ac.abort()
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
  return {
    signal: ac.signal,
    dispose: () => {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
    },
  }
}

/** One line on stderr when the followed path is read anew, as tail -F says it. */
export function sayFile(io: Io, name: string, why: FollowSwitch): void {
  const what = { rotated: 'replaced (rotated); reading the new file', truncated: 'truncated; reading it from its start', appeared: 'has appeared; reading it' }[why]
  say(io, `${name}: ${what}`)
}
