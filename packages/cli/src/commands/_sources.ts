import { discover, stdinSource, type LogSource } from '@odoolog/search'
import type { Io } from '../io.js'
import { resolvePaths } from './_paths.js'

/** The sources of a report or mail command: PATHs as grep takes them (folders, files, -, stdin). */
export async function sourcesFor(paths: readonly string[] | undefined, io: Io, allLogs = false): Promise<LogSource[]> {
  const p = resolvePaths(paths ?? [], io)
  return p.stdin ? [stdinSource(io.stdin)] : discover(p.list, { allLogs, stdin: io.stdin })
}
