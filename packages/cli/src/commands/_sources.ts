import { discover, stdinSource, type LogSource } from '@odoolog/search'
import type { Io } from '../io.js'
import { resolvePaths } from './_paths.js'

/** The sources of a report or mail command, and which PATH each came from. */
export interface Inputs {
  sources: LogSource[]
  /** Per PATH (as typed; stdin as `(standard input)`): the names of its sources. */
  paths: { path: string; names: string[] }[]
}

/** PATHs as grep takes them (folders, files, -, stdin when none and stdin brings data). */
export async function inputsFor(paths: readonly string[] | undefined, io: Io, allLogs = false): Promise<Inputs> {
  const p = resolvePaths(paths ?? [], io)
  if (p.stdin) {
    const s = stdinSource(io.stdin)
    return { sources: [s], paths: [{ path: s.name, names: [s.name] }] }
  }
  const out: Inputs = { sources: [], paths: [] }
  for (const path of p.list) {
    const found = await discover([path], { allLogs, stdin: io.stdin })
    out.sources.push(...found)
    out.paths.push({ path: path === '-' ? found[0]!.name : path, names: found.map((s) => s.name) })
  }
  return out
}

/** The PATHs every file of which was read to its end without one Odoo record. */
export function pathsWithoutRecords(inputs: Inputs, withoutRecords: readonly string[]): string[] {
  const none = new Set(withoutRecords)
  return inputs.paths.filter((p) => p.names.length && p.names.every((n) => none.has(n))).map((p) => p.path)
}
