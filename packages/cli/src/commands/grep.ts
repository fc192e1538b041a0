import { existsSync, readFileSync } from 'node:fs'
import type { Readable } from 'node:stream'
import { recipientRecords } from '@odoolog/mail'
import { ArchiveCache, cacheDir, discover, fsPath, grep, grepChosen, parseGrepColors, stdinSource, type FileRule, type GrepOptions, type PatternSyntax } from '@odoolog/search'
import { CliError, ExitCode } from '../errors.js'
import { Output, say as sayTo, useColor, type Io } from '../io.js'
import { followLast, followOptions, followPath, sayFile, stopOnSignals } from './_follow.js'
import { resolvePaths } from './_paths.js'

export interface GrepArgs {
  args: string[]
  e?: string | string[]
  F?: boolean
  E?: boolean
  G?: boolean
  P?: boolean
  i?: boolean
  v?: boolean
  w?: boolean
  x?: boolean
  c?: boolean
  l?: boolean
  L?: boolean
  n?: boolean
  b?: boolean
  H?: boolean
  h?: boolean
  o?: boolean
  q?: boolean
  s?: boolean
  m?: number
  A?: number
  B?: number
  C?: number
  color?: string
  records?: boolean
  since?: string
  until?: string
  level?: string | string[]
  db?: string | string[]
  logger?: string | string[]
  y?: boolean
  json?: boolean
  allLogs?: boolean
  noCache?: boolean
  to?: string
  follow?: boolean
  f?: string[]
  label?: string
  Z?: boolean
  z?: boolean
  T?: boolean
  binaryFiles?: 'binary' | 'text' | 'without-match'
  fileRules?: FileRule[]
  excludeDir?: string[]
  d?: 'read' | 'skip' | 'recurse'
  D?: 'read' | 'skip'
}

/** `odoolog grep`: maps grep's flags onto the search library and writes what it yields. */
export async function grepCommand(a: GrepArgs, io: Io): Promise<ExitCode> {
  const positional = [...a.args]
  let patterns: (string | Buffer)[]
  if (a.e !== undefined || a.f !== undefined) patterns = [...([] as string[]).concat(a.e ?? []).map(String), ...(await patternFiles(a.f ?? [], io.stdin))]
  else if (a.to !== undefined) {
    // PATTERN is optional with --to: a first argument that names an existing file or folder is a PATH
    patterns = positional.length && positional[0] !== '-' && !existsSync(positional[0]!) ? [String(positional.shift())] : ['']
  } else {
    if (positional.length === 0) throw new CliError('no PATTERN given (odoolog grep [OPTIONS] PATTERN [PATH...])', 'E_USAGE', { help: 'grep' })
    patterns = [String(positional.shift())]
  }
  if (a.to !== undefined && (a.A !== undefined || a.B !== undefined || a.C !== undefined)) {
    throw new CliError('--to selects whole records: context lines (-A, -B, -C) do not apply', 'E_USAGE', { help: 'grep' })
  }
  if (a.follow && (a.c || a.l || a.L || a.q)) {
    throw new CliError('--follow: -c, -l, -L and -q need the end of the input', 'E_USAGE', { help: 'grep' })
  }
  // grep 3.8: -m 0 selects nothing and reads nothing (the pattern is not even compiled), unless -l/-L
  // must list files
  if (a.m === 0 && !a.l && !a.L) return 1
  const syntax: PatternSyntax = a.F ? 'fixed' : a.P ? 'perl' : a.E ? 'extended' : 'basic'
  const color = useColor(a.color, io.stdout, io.env)
  const colors = color ? parseGrepColors(io.env.GREP_COLORS, io.env.GREP_COLOR) : undefined
  // grep 3.8 still honours GREP_COLOR, with a warning, where GREP_COLORS does not override it
  if (colors?.warning) sayTo(io, colors.warning)
  const paths = resolvePaths(positional, io)
  const followed = a.follow ? followPath(paths, a, 'grep') : null
  let sources = paths.stdin
    ? [stdinSource(io.stdin, a.label)]
    : await discover(paths.list, { allLogs: a.allLogs, stdin: io.stdin, label: a.label, files: a.fileRules, excludeDirs: a.excludeDir, directories: a.d, devices: a.D })
  if (followed) sources = await followLast(sources, followed)
  const options: GrepOptions = {
    patterns,
    syntax,
    ignoreCase: a.i || a.y,
    wordRegexp: a.w,
    lineRegexp: a.x,
    invert: a.v,
    count: a.c,
    filesWithMatches: a.l,
    filesWithoutMatch: a.L,
    lineNumber: a.n,
    byteOffset: a.b,
    // grep decides by the PATHs given, before --include/--exclude or -d skip leave some out
    withFilename: a.H ? true : a.h ? false : paths.list.length > 1 || paths.hasDir || sources.length > 1,
    onlyMatching: a.o,
    quiet: a.q,
    maxCount: a.m,
    after: a.A ?? a.C,
    before: a.B ?? a.C,
    binaryFiles: a.binaryFiles,
    nullAfterName: a.Z,
    nullData: a.z,
    initialTab: a.T,
    records: a.records || a.to !== undefined,
    since: a.since,
    until: a.until,
    levels: list(a.level),
    dbs: list(a.db),
    loggers: list(a.logger),
    json: a.json,
    colors,
    escapeControl: !!io.stdout.isTTY,
  }
  // the index of rotated files (an unwritable cache folder only costs speed: grep's stderr stays grep's)
  const dir = a.noCache || a.to !== undefined ? null : cacheDir(io.env)
  if (dir) options.cache = new ArchiveCache(dir)
  const signals = followed ? stopOnSignals() : null
  if (followed) {
    options.follow = followOptions(followed, io.env)
    options.signal = signals!.signal
  }
  const out = new Output(io.stdout)
  const say = (line: string) => sayTo(io, line)
  const it =
    a.to !== undefined
      ? grepChosen(sources, options, recipientRecords(sources, a.to, { since: a.since, until: a.until, lines: !!(a.n || a.json), follow: options.follow, signal: options.signal }))
      : grep(sources, options)
  let summary
  try {
    for (;;) {
      const r = await it.next()
      if (r.done) {
        summary = r.value
        break
      }
      const ev = r.value
      if (ev.kind === 'output') {
        if (!(await out.write(ev.data))) {
          await it.return(undefined as never)
          return ExitCode.Match
        }
      } else if (ev.kind === 'binary') say(`${ev.file}: binary file matches`)
      else if (ev.kind === 'warning') say(`warning: ${ev.message}`)
      else if (ev.kind === 'error' && !a.s) say(ev.error.message)
      else if (ev.kind === 'file') sayFile(io, ev.source.name, ev.why)
    }
  } finally {
    signals?.dispose()
  }
  if (a.q && summary.selected) return ExitCode.Match
  if (summary.errors > 0) return ExitCode.Error
  return summary.selected ? ExitCode.Match : ExitCode.NoMatch
}


/** `--level ERROR --level WARNING` and `--level ERROR,WARNING` alike. */
function list(v: string | string[] | undefined): string[] | undefined {
  if (v === undefined) return undefined
  return ([] as string[]).concat(v).flatMap((x) => String(x).split(',')).filter(Boolean)
}

/**
 * -f FILE: one pattern per line, as bytes (a final line end ends the last pattern, an empty FILE
 * holds none); `-f -` reads stdin. A FILE that cannot be read is grep's error, before any search.
 */
async function patternFiles(files: readonly string[], stdin: Readable): Promise<Buffer[]> {
  const out: Buffer[] = []
  for (const f of files) {
    let data: Buffer
    try {
      data = f === '-' ? await readAll(stdin) : readFileSync(fsPath(f))
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? ''
      const why = { ENOENT: 'No such file or directory', EISDIR: 'Is a directory', EACCES: 'Permission denied' }[code] ?? (e as Error).message
      throw new CliError(`${f}: ${why}`, 'E_USAGE', { grepWording: true })
    }
    if (data.length === 0) continue
    out.push(data[data.length - 1] === 10 ? data.subarray(0, data.length - 1) : data)
  }
  return out
}

async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = []
  for await (const c of stream) parts.push(Buffer.isBuffer(c) ? c : Buffer.from(c as string))
  return Buffer.concat(parts)
}
