import { statSync } from 'node:fs'
import { defaultLogDir } from '@odoolog/search'
import type { Io } from '../io.js'

/**
 * PATH arguments as grep takes them, with one rule of odoolog's: no PATH reads stdin only when stdin
 * brings data (a pipe or a regular file); on a terminal, `/dev/null` or a closed stdin it is ~/logs.
 * `hasDir` says whether a folder was named (names are then shown, as grep -r).
 */
export function resolvePaths(paths: readonly string[], io: Io): { stdin: boolean; list: string[]; hasDir: boolean } {
  if (paths.length === 0) {
    if (io.stdinIsData ?? !io.stdin.isTTY) return { stdin: true, list: [], hasDir: false }
    return { stdin: false, list: [defaultLogDir()], hasDir: true }
  }
  const hasDir = paths.some((p) => {
    try {
      return p !== '-' && statSync(p).isDirectory()
    } catch {
      return false
    }
  })
  return { stdin: false, list: [...paths], hasDir }
}
