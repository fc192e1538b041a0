import { PassThrough, Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { main, ProgressLine, type Io } from '../src/index.js'
import { VERSION } from '../src/main.js'

const EXAMPLES = fileURLToPath(new URL('../../../examples/logs/sample', import.meta.url))

/** In-process run with in-memory streams; `tty` makes stdout claim to be a terminal. */
async function run(argv: string[], opts: { tty?: boolean; env?: Record<string, string>; stdin?: string } = {}) {
  const out = new PassThrough()
  const err = new PassThrough()
  const chunks: Buffer[] = []
  const errs: Buffer[] = []
  out.on('data', (c) => chunks.push(c))
  err.on('data', (c) => errs.push(c))
  const stdin = Readable.from(opts.stdin !== undefined ? [Buffer.from(opts.stdin)] : []) as Io['stdin']
  const io: Io = { stdout: Object.assign(out, { isTTY: opts.tty, columns: 120 }), stderr: err, stdin, env: opts.env ?? {} }
  const code = await main(argv, io)
  return { code, stdout: Buffer.concat(chunks).toString(), stderr: Buffer.concat(errs).toString() }
}

describe('formats follow the terminal', () => {
  it('a table on a TTY, TSV through a pipe (report and mail alike)', async () => {
    const tty = await run(['report', 'retries', EXAMPLES], { tty: true })
    expect(tty.stdout.split('\n')[1]).toMatch(/^─+( {2}─+)+$/)
    expect(tty.stdout).toContain('sent █ failed ░')
    const piped = await run(['report', 'retries', EXAMPLES])
    expect(piped.stdout.split('\n')[0]).toBe('day\tattempts\tsent\tfailed\tretries\tmails\tcodes')
    expect((await run(['mail', EXAMPLES], { tty: true })).stdout).toMatch(/^2026-11-22 09:00:00 {2}9003 {2}failed/m)
    expect((await run(['mail', EXAMPLES])).stdout.split('\n')[0]!.split('\t')[0]).toBe('kind')
  })
  it('grep colours only on a TTY, never with NO_COLOR, always with --color=always', async () => {
    const pat = ['grep', '-m1', 'SMTPDataError', EXAMPLES]
    expect((await run(pat, { tty: true })).stdout).toContain('\x1b[01;31m\x1b[KSMTPDataError\x1b[m\x1b[K')
    expect((await run(pat, { tty: true, env: { NO_COLOR: '1' } })).stdout).not.toContain('\x1b[')
    expect((await run(pat)).stdout).not.toContain('\x1b[')
    expect((await run(['grep', '--color=always', ...pat.slice(1)])).stdout).toContain('\x1b[35m\x1b[K')
  })
  it('on a TTY, control characters of log text are shown escaped, never sent raw', async () => {
    const r = await run(['grep', '--color=never', 'favicon', '-'], { tty: true, stdin: 'GET "\x1b[33m/favicon.ico\x1b[0m" 404\n' })
    expect(r.stdout).toBe('GET "^[[33m/favicon.ico^[[0m" 404\n')
    const piped = await run(['grep', 'favicon', '-'], { stdin: 'GET "\x1b[33m/favicon.ico\x1b[0m" 404\n' })
    expect(piped.stdout).toBe('GET "\x1b[33m/favicon.ico\x1b[0m" 404\n')
  })
})

describe('exit codes and messages', () => {
  it('grep: 0 match, 1 none, 2 error; reports 0 or 2', async () => {
    expect((await run(['grep', '-q', '9003', EXAMPLES])).code).toBe(0)
    expect((await run(['grep', '-q', 'no-such-text', EXAMPLES])).code).toBe(1)
    expect((await run(['grep', 'x', '/no/such/dir'])).code).toBe(2)
    expect((await run(['report', 'queue', EXAMPLES])).code).toBe(0)
    const bad = await run(['report', 'retries', '--by', 'week', EXAMPLES])
    expect(bad.code).toBe(2)
    expect(bad.stdout).toBe('')
    expect(bad.stderr).toBe("odoolog: --by: expected one of day, recipient, domain, code, mail, got 'week'\nTry 'odoolog report retries --help' for more information.\n")
  })
  it('diagnose --format html and json name the file that could not be read; nothing read, no report', async () => {
    const html = await run(['diagnose', '--format', 'html', EXAMPLES, '/no/such/odoo.log'])
    expect(html.code).toBe(2)
    expect(html.stdout).toContain('Files that could not be read (1): <code>/no/such/odoo.log</code> (No such file or directory)')
    expect(html.stderr).toBe('odoolog: /no/such/odoo.log: No such file or directory\n')
    const json = JSON.parse((await run(['diagnose', '--format', 'json', EXAMPLES, '/no/such/odoo.log'])).stdout)
    expect(json.files.failed).toEqual([{ file: '/no/such/odoo.log', error: 'No such file or directory' }])
    expect(json.files.read).toHaveLength(5)
    const none = await run(['diagnose', '--format', 'html', '/no/such/odoo.log'])
    expect([none.code, none.stdout]).toEqual([2, ''])
    const empty = await run(['diagnose', '--format', 'html'], { stdin: 'not an odoo log\n' })
    expect([empty.code, empty.stdout, empty.stderr]).toEqual([1, '', 'odoolog: (standard input): no Odoo log record\n'])
  })
  it('--help and --version exit 0 and print to stdout', async () => {
    const help = await run(['grep', '--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('odoolog grep [OPTIONS] PATTERN [PATH...]')
    expect((await run(['--version'])).stdout).toBe(`odoolog ${VERSION}\n`)
  })
})

describe('progress on stderr', () => {
  const sink = (tty: boolean) => {
    const chunks: string[] = []
    const s = Object.assign(new PassThrough(), { isTTY: tty })
    s.on('data', (c) => chunks.push(c.toString()))
    return { s, text: () => chunks.join('') }
  }
  it('after about a second, on a terminal only, erased at the end', async () => {
    let now = 0
    const tty = sink(true)
    const p = new ProgressLine(tty.s, () => now)
    p.update({ filesDone: 1, files: 30, bytes: 5e6 })
    now = 1500
    p.update({ filesDone: 12, files: 30, bytes: 140e6 })
    now = 1600 // too soon after the last redraw
    p.update({ filesDone: 13, files: 30, bytes: 150e6 })
    p.done()
    await new Promise((r) => setImmediate(r))
    expect(tty.text()).toBe('\r\x1b[Kodoolog: 12/30 files, 140 MB\r\x1b[K')
    const piped = sink(false)
    const q = new ProgressLine(piped.s, () => now)
    now = 5000
    q.update({ filesDone: 1, files: 2, bytes: 1 })
    q.done()
    await new Promise((r) => setImmediate(r))
    expect(piped.text()).toBe('')
  })
})
