import { statSync } from 'node:fs'
import { defaultLogDir } from '@odoolog/search'
import type { Io } from '../io.js'

/**
 * PATH arguments as grep takes them: `-`, or none while stdin is not a TTY, is stdin; none on a
 * TTY is ~/logs. `hasDir` says whether a folder was named (names are then shown, as grep -r).
 */
export function resolvePaths(paths: readonly string[], io: Io): { stdin: boolean; list: string[]; hasDir: boolean } {
  if (paths.length === 0) {
    if (!io.stdin.isTTY) return { stdin: true, list: [], hasDir: false }
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
