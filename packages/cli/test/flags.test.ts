import { describe, expect, it } from 'vitest'
import { GREP_FLAGS, MAIL_FLAGS, parseArgv, RETRIES_FLAGS } from '../src/flags.js'

const parseGrepArgv = (argv: string[]) => parseArgv(GREP_FLAGS, argv)

describe('parseGrepArgv: grep arguments as GNU getopt reads them', () => {
  it('clustered short flags, attached and separate values, long options with =', () => {
    expect(parseGrepArgv(['-inH', '-A3', '-B', '2', '--max-count=5', 'pat', 'dir'])).toEqual({ i: true, n: true, H: true, A: 3, B: 2, m: 5, args: ['pat', 'dir'] })
    expect(parseGrepArgv(['-e', 'a', '-eb', '--regexp=c', 'f'])).toEqual({ e: ['a', 'b', 'c'], args: ['f'] })
    expect(parseGrepArgv(['-m1c', 'x'])).toBeNull() // -m takes the rest of the cluster: "1c" is no number
  })
  it('options after operands, and -- ending options', () => {
    expect(parseGrepArgv(['pat', 'file', '-n'])).toEqual({ n: true, args: ['pat', 'file'] })
    expect(parseGrepArgv(['--', '-n', 'file'])).toEqual({ args: ['-n', 'file'] })
    expect(parseGrepArgv(['-', 'x'])).toEqual({ args: ['-', 'x'] })
  })
  it('keeps strings as typed: 554 and 007 stay strings; --color alone is auto', () => {
    expect(parseGrepArgv(['554', '007'])).toEqual({ args: ['554', '007'] })
    expect(parseGrepArgv(['--color', 'x'])).toEqual({ color: 'auto', args: ['x'] })
    expect(parseGrepArgv(['--colour=never', 'x'])).toEqual({ color: 'never', args: ['x'] })
  })
  it('repeatable record filters; odoolog flags', () => {
    expect(parseGrepArgv(['--level', 'ERROR', '--level=WARNING', '--records', '--since', '2026-11-17', '--all-logs', 'x'])).toEqual({
      level: ['ERROR', 'WARNING'], records: true, since: '2026-11-17', allLogs: true, args: ['x'],
    })
  })
  it('gives up (null) on what yargs must explain: unknown flags, help, a missing value', () => {
    for (const argv of [['--bogus', 'x'], ['-Z', 'x'], ['--help'], ['-A'], ['-A', 'x', 'y'], ['--count=yes', 'x']]) expect(parseGrepArgv(argv)).toBeNull()
  })
})

describe('parseArgv: the other commands', () => {
  it('camelCase keys, numbers, choices and defaults', () => {
    expect(parseArgv(MAIL_FLAGS, ['--to', 'j@x', '--mail-id', '9003', '--status=failed', 'dir'])).toEqual({ to: 'j@x', mailId: 9003, status: 'failed', args: ['dir'] })
    expect(parseArgv(RETRIES_FLAGS, ['dir'])).toEqual({ by: 'day', args: ['dir'] })
    expect(parseArgv(RETRIES_FLAGS, ['--by', 'week', 'dir'])).toBeNull() // yargs says which values are allowed
  })
})
