import { describe, expect, it } from 'vitest'
import { CliError } from '../src/errors.js'
import { DIAGNOSE_FLAGS, GREP_FLAGS, LIMIT_FLAGS, MAIL_FLAGS, parseArgv, RETRIES_FLAGS } from '../src/flags.js'

const grepArgv = (argv: string[]) => parseArgv(GREP_FLAGS, argv, 'grep')

/** The message of the CliError that parsing `argv` throws. */
function refusal(table: Parameters<typeof parseArgv>[0], argv: string[], command = 'mail'): { message: string; help: string | undefined; grepWording: boolean } {
  try {
    parseArgv(table, argv, command)
  } catch (e) {
    expect(e).toBeInstanceOf(CliError)
    const c = e as CliError
    return { message: c.message, help: c.help, grepWording: c.grepWording }
  }
  throw new Error(`accepted: ${argv.join(' ')}`)
}

describe('parseArgv: grep arguments as GNU getopt reads them', () => {
  it('clustered short flags, attached and separate values, long options with =', () => {
    expect(grepArgv(['-inH', '-A3', '-B', '2', '--max-count=5', 'pat', 'dir'])).toEqual({ i: true, n: true, H: true, A: 3, B: 2, m: 5, args: ['pat', 'dir'] })
    expect(grepArgv(['-e', 'a', '-eb', '--regexp=c', 'f'])).toEqual({ e: ['a', 'b', 'c'], args: ['f'] })
  })
  it('options after operands, -- ending options, unambiguous prefixes of long options', () => {
    expect(grepArgv(['pat', 'file', '-n'])).toEqual({ n: true, args: ['pat', 'file'] })
    expect(grepArgv(['--', '-n', 'file'])).toEqual({ args: ['-n', 'file'] })
    expect(grepArgv(['-', 'x'])).toEqual({ args: ['-', 'x'] })
    expect(grepArgv(['--fixed', '--max=2', '--line-n', 'x'])).toEqual({ F: true, m: 2, n: true, args: ['x'] })
    expect(refusal(GREP_FLAGS, ['--co', 'x'], 'grep').message).toBe("option '--co' is ambiguous: --count, --context, --color, --colour")
  })
  it('keeps strings as typed: 554 and 007 stay strings; --color alone is auto', () => {
    expect(grepArgv(['554', '007'])).toEqual({ args: ['554', '007'] })
    expect(grepArgv(['--color', 'x'])).toEqual({ color: 'auto', args: ['x'] })
    expect(grepArgv(['--colour=never', 'x'])).toEqual({ color: 'never', args: ['x'] })
  })
  it('repeatable record filters; levels in any case, comma-separated', () => {
    expect(grepArgv(['--level', 'error', '--level=Warning,info', '--records', '--since', '2026-11-17', '--all-logs', 'x'])).toEqual({
      level: ['ERROR', 'WARNING', 'INFO'], records: true, since: '2026-11-17', allLogs: true, args: ['x'],
    })
    expect(refusal(GREP_FLAGS, ['--level', 'ERROR,LOUD', 'x'], 'grep').message).toBe("--level: expected one of DEBUG, INFO, WARNING, ERROR, CRITICAL, got 'LOUD'")
  })
  it('unknown options keep their dash; a missing value and a value on a switch are named', () => {
    expect(refusal(GREP_FLAGS, ['-j', 'x'], 'grep')).toEqual({ message: 'unknown option: -j', help: 'grep', grepWording: false })
    expect(refusal(GREP_FLAGS, ['-ij', 'x'], 'grep').message).toBe('unknown option: -j')
    expect(refusal(GREP_FLAGS, ['--bogus', 'x'], 'grep').message).toBe('unknown option: --bogus')
    expect(refusal(GREP_FLAGS, ['-A'], 'grep').message).toBe('option requires a value: -A')
    expect(refusal(MAIL_FLAGS, ['--to']).message).toBe('option requires a value: --to')
    expect(refusal(GREP_FLAGS, ['--count=yes', 'x'], 'grep').message).toBe('option takes no value: --count')
  })
  it('help and version: --help everywhere, -h only where it is no grep flag, -V everywhere', () => {
    expect(grepArgv(['--help'])).toMatchObject({ help: true })
    expect(grepArgv(['-h', 'x'])).toEqual({ h: true, args: ['x'] })
    expect(parseArgv(MAIL_FLAGS, ['-h'], 'mail')).toMatchObject({ help: true })
    expect(grepArgv(['-V'])).toMatchObject({ version: true })
    expect(parseArgv(RETRIES_FLAGS, ['--version'], 'report retries')).toMatchObject({ version: true })
  })
})

describe("grep's own values: what GNU grep 3.8 accepts and refuses", () => {
  it('-m NUM: spaces before and a sign are fine, a negative is no limit, anything else is "invalid max count"', () => {
    expect(grepArgv(['-m', ' 2', 'x']).m).toBe(2)
    expect(grepArgv(['-m', '+2', 'x']).m).toBe(2)
    expect(grepArgv(['-m', '010', 'x']).m).toBe(10)
    expect(grepArgv(['-m', '-1', 'x']).m).toBeUndefined()
    expect(grepArgv(['-m', '99999999999999999999999', 'x']).m).toBe(Number.MAX_SAFE_INTEGER)
    for (const v of ['abc', '', '1k', '2 ', '0x1', '1.5']) expect(refusal(GREP_FLAGS, ['-m', v, 'x'], 'grep')).toEqual({ message: 'invalid max count', help: undefined, grepWording: true })
    expect(refusal(GREP_FLAGS, ['-m1c', 'x'], 'grep').message).toBe('invalid max count') // -m takes the rest of the cluster
  })
  it('-A/-B/-C NUM: a number >= 0 (-0 too), else "NUM: invalid context length argument"', () => {
    expect(grepArgv(['-A', '-0', '-B', ' 3', '-C', '+1', 'x'])).toMatchObject({ A: 0, B: 3, C: 1 })
    for (const v of ['-1', 'abc', '', '1 ', '0x1']) expect(refusal(GREP_FLAGS, ['-C', v, 'x'], 'grep')).toEqual({ message: `${v}: invalid context length argument`, help: undefined, grepWording: true })
  })
  it('--color=WHEN: yes/always/force, no/never/none, auto/tty/if-tty in any case; any other WHEN is the help', () => {
    expect(grepArgv(['--color=YES', 'x']).color).toBe('always')
    expect(grepArgv(['--colour=force', 'x']).color).toBe('always')
    expect(grepArgv(['--color=None', 'x']).color).toBe('never')
    expect(grepArgv(['--color=if-tty', 'x']).color).toBe('auto')
    expect(grepArgv(['--color=bogus', 'x'])).toMatchObject({ help: true })
    expect(grepArgv(['--color=', 'x'])).toMatchObject({ help: true })
  })
})

describe("odoolog's own values: checked before anything is read", () => {
  it('numbers are whole and in range', () => {
    expect(parseArgv(MAIL_FLAGS, ['--mail-id', '9003', '--code=554', 'dir'], 'mail')).toEqual({ mailId: 9003, code: 554, args: ['dir'] })
    expect(refusal(LIMIT_FLAGS, ['--limit', 'abc'], 'report limit')).toEqual({ message: "--limit: expected a whole number from 1 to 100000000, got 'abc'", help: 'report limit', grepWording: false })
    for (const v of ['0', '-5', '1.5', '1e3', '', ' 7', '99999999999999999999']) expect(refusal(LIMIT_FLAGS, ['--limit', v]).message).toMatch(/^--limit: expected a whole number/)
    expect(refusal(MAIL_FLAGS, ['--code', '999']).message).toBe("--code: expected a whole number from 200 to 599, got '999'")
    expect(refusal(MAIL_FLAGS, ['--mail-id', '0']).message).toBe("--mail-id: expected a whole number from 1 to 2147483647, got '0'")
  })
  it('enumerations in any case, given back as listed; unknown values refused with the list', () => {
    expect(parseArgv(MAIL_FLAGS, ['--status', 'FAILED', '--format', 'TSV'], 'mail')).toMatchObject({ status: 'failed', format: 'tsv' })
    expect(parseArgv(RETRIES_FLAGS, ['--by=Domain'], 'report retries')).toMatchObject({ by: 'domain' })
    expect(parseArgv(RETRIES_FLAGS, ['dir'], 'report retries')).toEqual({ by: 'day', args: ['dir'] })
    expect(refusal(RETRIES_FLAGS, ['--by', 'week']).message).toBe("--by: expected one of day, recipient, domain, code, mail, got 'week'")
    expect(refusal(LIMIT_FLAGS, ['--plan', 'gold']).message).toBe("--plan: expected one of paid, trial, free, got 'gold'")
    expect(refusal(MAIL_FLAGS, ['--format', 'json']).message).toBe("--format: expected one of table, ndjson, csv, tsv, got 'json'")
  })
  it('dates: a bad one, and --since after --until, are refused for every command', () => {
    for (const table of [GREP_FLAGS, MAIL_FLAGS, RETRIES_FLAGS, LIMIT_FLAGS, DIAGNOSE_FLAGS]) {
      expect(refusal(table, ['--since', '2026-11-25', '--until', '2026-11-20', 'x']).message).toBe('--since 2026-11-25 is after --until 2026-11-20: nothing could be selected')
      expect(refusal(table, ['--since', '2026-02-30', 'x']).message).toMatch(/^--since: expected a date/)
    }
    // the same day is a whole day: fine
    expect(parseArgv(MAIL_FLAGS, ['--since', '2026-11-20', '--until', '2026-11-20'], 'mail')).toMatchObject({ since: '2026-11-20' })
  })
  it('--limit with --plan is refused; diagnose takes --plan', () => {
    expect(refusal(LIMIT_FLAGS, ['--limit', '5', '--plan', 'trial']).message).toBe('--limit and --plan: give one or the other (a plan is a preset limit)')
    expect(refusal(DIAGNOSE_FLAGS, ['--plan', 'free', '--limit', '5']).message).toMatch(/^--limit and --plan/)
    expect(parseArgv(DIAGNOSE_FLAGS, ['--plan', 'Trial'], 'diagnose')).toMatchObject({ plan: 'trial' })
  })
})
