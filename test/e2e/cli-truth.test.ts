import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, describe, expect, it } from 'vitest'
import { failed, sent, web } from '../../packages/mail/test/build.js'
import { BIN, EXAMPLES, gnuGrep, gnuGrepMissing, odoolog } from '../helpers/run.js'
import { onTerminal, ttyMissing, widest } from '../helpers/tty.js'

// The CLI on everything but good input: refused values, nothing read, nothing selected, terminals
// (escaping and width), help and version, the stdin rule. Every case spawns the built bin.

const tmp = mkdtempSync(join(tmpdir(), 'odoolog-cli-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))
const file = (name: string, data: string | Buffer) => {
  const p = join(tmp, name)
  writeFileSync(p, data)
  return p
}
const PASSWD = file('passwd', 'root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n')
const EMPTY = file('empty.log', '')
const MISSING = join(tmp, 'no-such-dir')
// a folder with a log, but no Odoo server log
const NO_LOGS = join(tmp, 'no-logs')
mkdirSync(NO_LOGS)
writeFileSync(join(NO_LOGS, 'pip.log'), 'Collecting odoo\n')
const REPORTS = [['mail'], ['mail', '--events'], ['report', 'retries'], ['report', 'retries', '--by', 'recipient'], ['report', 'limit'], ['report', 'queue'], ['diagnose'], ['diagnose', '--to', 'jdoe@example.com']]
const FORMATS: Record<string, string[]> = { mail: ['tsv', 'csv', 'ndjson', 'table'], report: ['tsv', 'csv', 'ndjson', 'json', 'table'], diagnose: ['markdown', 'json'] }

describe('refused values: one line naming the flag, nothing on stdout, exit 2, before anything is read', () => {
  it.each([
    [['report', 'limit', '--limit', 'abc'], "--limit: expected a whole number from 1 to 100000000, got 'abc'", 'report limit'],
    [['report', 'limit', '--limit', '0'], "--limit: expected a whole number from 1 to 100000000, got '0'", 'report limit'],
    [['diagnose', '--limit=-3'], "--limit: expected a whole number from 1 to 100000000, got '-3'", 'diagnose'],
    [['mail', '--mail-id', '12x'], "--mail-id: expected a whole number from 1 to 2147483647, got '12x'", 'mail'],
    [['mail', '--code', '5544'], "--code: expected a whole number from 200 to 599, got '5544'", 'mail'],
    [['mail', '--status', 'bounced'], "--status: expected one of sent, failed, got 'bounced'", 'mail'],
    [['mail', '--format', 'xml'], "--format: expected one of table, ndjson, csv, tsv, got 'xml'", 'mail'],
    [['report', 'retries', '--by', 'week'], "--by: expected one of day, recipient, domain, code, mail, got 'week'", 'report retries'],
    [['report', 'limit', '--plan', 'gold'], "--plan: expected one of paid, trial, free, got 'gold'", 'report limit'],
    [['grep', '--level', 'LOUD', 'x'], "--level: expected one of DEBUG, INFO, WARNING, ERROR, CRITICAL, got 'LOUD'", 'grep'],
    [['report', 'queue', '--since', '2026-13-01'], "--since: expected a date (2026-11-17) or an ISO date-time (2026-11-17T23:00, 2026-11-17T23:00:00+01:00), got '2026-13-01'", 'report queue'],
    [['grep', '--since', '2026-11-25', '--until', '2026-11-20', 'x'], '--since 2026-11-25 is after --until 2026-11-20: nothing could be selected', 'grep'],
    [['diagnose', '--since', '2026-11-25T10:00', '--until', '2026-11-25T09:00'], '--since 2026-11-25T10:00 is after --until 2026-11-25T09:00: nothing could be selected', 'diagnose'],
    [['report', 'limit', '--limit', '5', '--plan', 'trial'], '--limit and --plan: give one or the other (a plan is a preset limit)', 'report limit'],
    [['grep', '-j', 'x'], 'unknown option: -j', 'grep'],
    [['mail', '--bogus'], 'unknown option: --bogus', 'mail'],
    [['report', 'weekly'], 'unknown report: weekly (retries, limit or queue)', 'report'],
    [['frobnicate'], 'unknown command: frobnicate (grep, mail, report or diagnose)', ''],
    [[], 'name a command: grep, mail, report or diagnose', ''],
  ])('%j', (args, message, help) => {
    // a PATH that would be read is given: the refusal must come first
    const r = odoolog(args.length ? [...args, EXAMPLES] : args)
    expect(r.stdout.toString()).toBe('')
    expect(r.status).toBe(2)
    expect(r.stderr).toBe(`odoolog: ${message}\nTry 'odoolog${help ? ` ${help}` : ''} --help' for more information.\n`)
  })

  it('enumerations in any case', () => {
    const upper = odoolog(['mail', '--status', 'FAILED', '--format', 'NDJSON', EXAMPLES])
    const lower = odoolog(['mail', '--status', 'failed', '--format', 'ndjson', EXAMPLES])
    expect(upper.status).toBe(0)
    expect(upper.stdout.toString()).toBe(lower.stdout.toString())
    expect(upper.stdout.toString()).toContain('"status":"failed"')
  })

  it('bad regexes in the words grep uses, with no hint and no wrapper', () => {
    for (const [args, msg] of [[['grep', '\\(', EXAMPLES], 'Unmatched ( or \\('], [['grep', '-P', '(', EXAMPLES], 'missing closing parenthesis'], [['grep', '-P', 'a)', EXAMPLES], 'unmatched closing parenthesis'], [['grep', '-P', '*a', EXAMPLES], 'quantifier does not follow a repeatable item']] as const) {
      const r = odoolog([...args])
      expect(r.status).toBe(2)
      expect(r.stdout.toString()).toBe('')
      expect(r.stderr).toBe(`odoolog: ${msg}\n`)
    }
  })
})

describe.skipIf(gnuGrepMissing())("grep's own values: accepted and refused exactly as GNU grep 3.8", () => {
  const input = 'a1\nb2\na3\nb4\na5\n'
  it.each([
    ['-m', '2'], ['-m', ' 2'], ['-m', '+2'], ['-m', '-1'], ['-m', '0'], ['-m', '010'], ['-m', '99999999999999999999999'], ['-m', 'abc'], ['-m', ''], ['-m', '2 '], ['-m', '1k'], ['-m', '0x1'],
    ['-A', '1'], ['-A', '-0'], ['-A', ' 1'], ['-A', '-1'], ['-A', 'x'], ['-B', '1 '], ['-C', '+1'], ['-C', '99999999999999999999'], ['-C', ''],
    ['--color=always'], ['--colour=YES'], ['--color=never'], ['--color=tty'], ['--color=if-tty'],
  ])('%s %j', (...flag) => {
    const args = [...flag, 'a', '-']
    const ours = odoolog(['grep', ...args], { input })
    const theirs = gnuGrep(args, { input })
    expect(ours.status).toBe(theirs.status)
    expect(ours.stdout.toString()).toBe(theirs.stdout.toString())
    expect(ours.stderr.replace(/^odoolog:/, 'grep:')).toBe(theirs.stderr)
  })
  it('--color=WHEN with any other WHEN shows the help and exits 0, as grep 3.8 does', () => {
    for (const v of ['bogus', '']) {
      const ours = odoolog(['grep', `--color=${v}`, 'a', '-'], { input })
      expect(gnuGrep([`--color=${v}`, 'a', '-'], { input }).status).toBe(0)
      expect(ours.status).toBe(0)
      expect(ours.stdout.toString()).toContain('odoolog grep [OPTIONS] PATTERN [PATH...]')
    }
  })
})

describe('nothing read, nothing reported', () => {
  it.each(REPORTS)('%s: an unreadable PATH prints nothing on stdout, in every format, exit 2', (...cmd) => {
    for (const format of FORMATS[cmd[0]!]!) {
      const r = odoolog([...cmd, '--format', format, MISSING])
      expect(r.stdout.toString()).toBe('')
      expect(r.status).toBe(2)
      expect(r.stderr).toBe(`odoolog: ${MISSING}: No such file or directory\n`)
    }
  })
  it.each(REPORTS)('%s: with a readable PATH besides, that one is reported and the exit status is 2', (...cmd) => {
    const alone = odoolog([...cmd, '--format', cmd[0] === 'diagnose' ? 'json' : 'ndjson', EXAMPLES])
    const both = odoolog([...cmd, '--format', cmd[0] === 'diagnose' ? 'json' : 'ndjson', MISSING, EXAMPLES])
    expect(alone.status).toBe(0)
    expect(both.status).toBe(2)
    expect(both.stdout.length).toBeGreaterThan(0)
    if (cmd[0] !== 'diagnose') return expect(both.stdout.toString()).toBe(alone.stdout.toString())
    // the same diagnosis; its `files` name the PATH that could not be read
    const [a, b] = [JSON.parse(alone.stdout.toString()), JSON.parse(both.stdout.toString())]
    expect(b.files.failed).toEqual([{ file: MISSING, error: 'No such file or directory' }])
    expect({ ...b, files: null }).toEqual({ ...a, files: null })
  })
  it.each(REPORTS)('%s: a file with no Odoo record, an empty file, a folder with no Odoo log', (...cmd) => {
    for (const [path, status, note] of [
      [PASSWD, 1, `${PASSWD}: no Odoo log record`],
      [EMPTY, 1, `${EMPTY}: no Odoo log record`],
      [NO_LOGS, 2, `${NO_LOGS}: no Odoo log in this directory (expected odoo.log, odoo.log.1, odoo.log.YYYY-MM-DD.gz)`],
    ] as const) {
      const r = odoolog([...cmd, path])
      expect(r.stdout.toString()).toBe('')
      expect(r.status).toBe(status)
      expect(r.stderr).toBe(`odoolog: ${note}\n`)
    }
    const piped = odoolog([...cmd], { input: readFileSync(PASSWD) })
    expect([piped.stdout.toString(), piped.status, piped.stderr]).toEqual(['', 1, 'odoolog: (standard input): no Odoo log record\n'])
  })
  it('a gzip archive damaged in the middle: what came before is reported, the file is named, exit 2', () => {
    // the damage falls among the web requests logged after the two mails
    const good = [sent('2026-11-22T08:00:00Z', 1, 'anna@example.org'), sent('2026-11-22T09:00:00Z', 2, 'bob@example.org')].join('')
    let noise = ''
    for (let k = 0; noise.length < 400_000; k++) noise += web(Date.parse('2026-11-22T09:00:01Z') + k)
    const gz = gzipSync(good + noise)
    const broken = file('odoo.log.2026-11-23.gz', gz.subarray(0, gz.length - 20))
    const r = odoolog(['mail', '--format', 'ndjson', broken])
    expect(r.status).toBe(2)
    expect(r.stdout.toString().trim().split('\n').map((l) => JSON.parse(l).mailId)).toEqual([1, 2])
    expect(r.stderr).toMatch(new RegExp(`^odoolog: ${broken}: .*\n$`))
  })
})

describe('exit status: 0 something selected, 1 nothing, 2 an error', () => {
  const log = [sent('2026-11-22T08:00:00Z', 1, 'anna@example.org'), failed('2026-11-22T09:00:00Z', 2, 554, 'bob@example.net')].join('')
  it('mail: nothing at all when nothing is selected (not even the CSV header), exit 1', () => {
    for (const format of FORMATS.mail!) {
      const none = odoolog(['mail', '--to', 'nobody@example.com', '--format', format], { input: log })
      expect([none.stdout.toString(), none.status, none.stderr]).toEqual(['', 1, ''])
      expect(odoolog(['mail', '--to', 'bob@example.net', '--format', format], { input: log }).status).toBe(0)
    }
  })
  it('reports and diagnose: nothing on stdout and a note on stderr when nothing is selected, exit 1', () => {
    const cases: [string[], string][] = [
      [['report', 'retries', '--since', '2026-12-01'], 'no send attempt since 2026-12-01'],
      [['report', 'limit', '--until', '2026-11-01'], 'no send attempt until 2026-11-01'],
      [['report', 'queue'], 'no run of the mail queue cron in the input'],
      [['diagnose', '--to', 'nobody@example.com'], 'no mail to nobody@example.com in the input'],
    ]
    for (const [args, note] of cases) {
      const r = odoolog(args, { input: log })
      expect([r.stdout.toString(), r.status, r.stderr]).toEqual(['', 1, `odoolog: ${note}\n`])
    }
    for (const args of [['report', 'retries'], ['report', 'limit'], ['diagnose'], ['diagnose', '--to', 'bob@example.net']]) expect(odoolog(args, { input: log }).status).toBe(0)
  })
})

describe('diagnose --to', () => {
  // 3 attempts to anna, 2 to bob, in one 23:00 window: with a limit of 4, the database reached it
  const log = [
    sent('2026-11-22T08:00:00Z', 1, 'anna@example.org'),
    sent('2026-11-22T08:01:00Z', 2, 'bob@example.net'),
    sent('2026-11-22T08:02:00Z', 3, 'anna@example.org'),
    sent('2026-11-22T08:03:00Z', 4, 'bob@example.net'),
    failed('2026-11-22T08:04:00Z', 5, 554, 'anna@example.org'),
  ].join('')
  it("reports the recipient's mails, but the daily limit counts every attempt of the database", () => {
    const d = JSON.parse(odoolog(['diagnose', '--to', 'bob@example.net', '--limit', '4', '--format', 'json'], { input: log }).stdout.toString())
    expect(d.attempts).toBe(2)
    expect(d.limit.windows.map((w: { attempts: number; reachedAt: string | null }) => [w.attempts, w.reachedAt])).toEqual([[5, '2026-11-22T08:03:00.000Z']])
    const md = odoolog(['diagnose', '--to', 'bob@example.net', '--limit', '4'], { input: log }).stdout.toString()
    expect(md).toContain('## Daily limit (4 a day, reset at 23:00 UTC): every attempt of the database, not only these')
    expect(md).toContain('attempt 4 at 2026-11-22 08:03:00 UTC (5 in that window)')
  })
  it('the JSON carries every section the Markdown shows: the recipient and the timeline too', () => {
    const d = JSON.parse(odoolog(['diagnose', '--to', 'anna@example.org', '--format', 'json'], { input: log }).stdout.toString())
    expect(d.recipient).toBe('anna@example.org')
    expect(d.timeline.map((e: { mailId: number; status: string }) => [e.mailId, e.status])).toEqual([[1, 'sent'], [3, 'sent'], [5, 'failed']])
    expect(d.counts.timeline).toBe(3)
    const md = odoolog(['diagnose', '--to', 'anna@example.org'], { input: log }).stdout.toString()
    for (const heading of md.match(/^## .*/gm)!) {
      const key = { Timeline: 'timeline', 'Permanent failures': 'permanent', 'Temporary failures': 'temporary', 'Daily limit': 'limit', 'Failures with no SMTP reason': 'noSmtpReason', 'Sent late': 'late', Bounces: 'bounces', 'Incoming mail errors': 'incoming' }[heading.slice(3).split(/ \(|:/)[0]!]
      expect(key, heading).toBeDefined()
      expect(d).toHaveProperty(key!)
    }
  })
})

describe('help and version', () => {
  const version = JSON.parse(readFileSync(new URL('../../packages/cli/package.json', import.meta.url), 'utf8')).version
  it.each([[['-h']], [['--help']], [['help']], [['help', 'mail']], [['mail', '--help']], [['mail', '-h']], [['grep', '--help']], [['help', 'report', 'limit']], [['report', 'limit', '-h']], [['report', '--help']], [['diagnose', '--help']]])('%j prints help on stdout, exit 0', (args) => {
    const r = odoolog(args)
    expect(r.status).toBe(0)
    expect(r.stderr).toBe('')
    const text = r.stdout.toString()
    expect(text).toMatch(/^odoolog /)
    expect(widest(text)).toBeLessThanOrEqual(80)
    // examples are whole commands, each on its own line
    for (const line of text.split('\n').filter((l) => /^ {2}odoolog /.test(l))) expect(line).toMatch(/^ {2}odoolog \S.*\S$/)
  })
  it('help lists [PATH...] and the values of every enumeration', () => {
    const mail = odoolog(['help', 'mail']).stdout.toString()
    expect(mail).toContain('odoolog mail [OPTIONS] [PATH...]')
    expect(mail).toContain('[choices: "sent", "failed"]')
    expect(mail).toContain('"table", "ndjson", "csv", "tsv"')
    expect(odoolog(['help', 'report', 'retries']).stdout.toString()).toMatch(/"day", "recipient", "domain",\s+"code", "mail"/)
    expect(odoolog(['report', 'limit', '--help']).stdout.toString()).toContain('[choices: "paid", "trial", "free"]')
    expect(odoolog(['grep', '--help']).stdout.toString()).toMatch(/"DEBUG", "INFO", "WARNING", "ERROR",\s+"CRITICAL"/)
    expect(odoolog(['--help']).stdout.toString()).toContain('No PATH: stdin when it is a pipe or a file, else ~/logs')
  })
  it("--version and -V print the CLI package's version", () => {
    for (const args of [['--version'], ['-V'], ['mail', '--version'], ['grep', '-V']]) {
      const r = odoolog(args)
      expect([r.stdout.toString(), r.status]).toEqual([`odoolog ${version}\n`, 0])
    }
  })
  it('odoolog completion prints a shell completion script; the shell asks it for commands and flags', () => {
    expect(odoolog(['completion']).stdout.toString()).toContain('odoolog --get-yargs-completions')
    expect(odoolog(['--get-yargs-completions', 'odoolog', '']).stdout.toString().split('\n')).toEqual(expect.arrayContaining(['grep', 'mail', 'report', 'diagnose']))
    expect(odoolog(['--get-yargs-completions', 'odoolog', 'mail', '--']).stdout.toString().split('\n')).toEqual(expect.arrayContaining(['--to', '--status', '--format']))
  })
})

describe('stdin: read when it is a pipe or a file, else ~/logs', () => {
  const home = mkdtempSync(join(tmpdir(), 'odoolog-home-'))
  afterAll(() => rmSync(home, { recursive: true, force: true }))
  mkdirSync(join(home, 'logs'))
  writeFileSync(join(home, 'logs', 'odoo.log'), sent('2026-11-22T08:00:00Z', 7, 'home@example.org'))
  const piped = sent('2026-11-22T08:00:00Z', 8, 'pipe@example.org')
  const ids = (stdin: 'pipe' | 'ignore' | number | 'devnull') => {
    const fd = stdin === 'devnull' ? 'ignore' : stdin
    const r = spawnSync(process.execPath, [BIN, 'mail', '--format', 'ndjson'], { input: stdin === 'pipe' ? piped : undefined, stdio: [fd, 'pipe', 'pipe'], env: { PATH: process.env.PATH!, HOME: home } })
    return r.stdout.toString().trim().split('\n').filter(Boolean).map((l) => JSON.parse(l).mailId)
  }
  it('a pipe is read', () => expect(ids('pipe')).toEqual([8]))
  it('a regular file is read', async () => {
    const { openSync, closeSync } = await import('node:fs')
    const fd = openSync(file('stdin.log', piped), 'r')
    expect(ids(fd)).toEqual([8])
    closeSync(fd)
  })
  it('/dev/null (what "ignore" gives) is no input: ~/logs is read', () => expect(ids('devnull')).toEqual([7]))
  it.skipIf(ttyMissing())('a terminal is no input: ~/logs is read', () => {
    const r = onTerminal(['mail', '--format', 'ndjson'], { env: { HOME: home } })
    expect(r.text).toContain('"mailId":7')
  })
})

describe.skipIf(ttyMissing())('on a terminal', () => {
  // outsiders write into the log: a recipient and a reason that carry escape sequences
  const evil = 'ev\x1b]0;pwned\x07il@example.com'
  const long = 'a.very.long.local.part.that.goes.on.and.on.and.never.ends@mail.subdomain.example-company.com'
  const log = [
    sent('2026-11-22T08:00:00Z', 1, 'anna@example.org'),
    failed('2026-11-22T09:00:00Z', 2, 554, evil),
    failed('2026-11-22T10:00:00Z', 3, 550, long),
    failed('2026-11-22T11:00:00Z', 4, 421),
    failed('2026-11-23T09:00:00Z', 5, 553, long),
  ].join('')
  const busy = file('busy.log', log)

  it('control characters of log text are shown as ^[ and ^G, never sent raw (tables, Markdown, reports)', () => {
    for (const args of [['mail'], ['mail', '--events'], ['report', 'retries', '--by', 'recipient'], ['diagnose', '--to', evil]]) {
      const r = onTerminal([...args, busy], { cols: 200 })
      expect(r.text, args.join(' ')).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/)
      expect(r.text, args.join(' ')).toContain('^[]0;pwned^G')
    }
  })
  it('error messages that quote a name escape it too', () => {
    const r = onTerminal(['mail', join(tmp, 'bad\x1b[31mname')])
    expect(r.text).toContain('bad^[[31mname: No such file or directory')
  })
  it('piped output stays byte-exact', () => {
    const r = odoolog(['mail', '--format', 'tsv', busy])
    expect(r.stdout.toString()).toContain('ev\x1b]0;pwned\x07il@example.com')
  })
  it.each([80, 60])('every command fits %i columns, examples and the busy log alike', (cols) => {
    for (const path of [EXAMPLES, busy]) {
      for (const args of REPORTS.concat([['report', 'retries', '--by', 'code'], ['report', 'retries', '--by', 'domain'], ['report', 'limit', '--limit', '2'], ['--help'], ['grep', '--help']])) {
        const r = onTerminal([...args, path], { cols })
        expect(widest(r.text), `${args.join(' ')} ${path}`).toBeLessThanOrEqual(cols)
      }
    }
  })
  it('messages on stderr wrap too, and say the same words', () => {
    const r = onTerminal(['mail', '--stats', NO_LOGS, EXAMPLES], { cols: 60 })
    expect(widest(r.text)).toBeLessThanOrEqual(60)
    expect(r.text.replace(/\s+/g, ' ')).toContain(`odoolog: ${NO_LOGS}: no Odoo log in this directory (expected odoo.log, odoo.log.1, odoo.log.YYYY-MM-DD.gz)`)
    expect(r.text.replace(/\s+/g, ' ')).toContain('records read: 1379, orphan lines: 0, events: attempt 19, queue_run 106, bounce 1, incoming_error 1, files with errors: 1')
  })
  it('tables: no rule between rows; mail shows time, mail, status, recipient, code, reason first', () => {
    const r = onTerminal(['mail', EXAMPLES], { stderr: false })
    const [head, rule, ...rows] = r.text.trimEnd().split('\n')
    expect(head!.split(/ {2,}/)).toEqual(['time (UTC)', 'mail', 'status', 'recipient', 'code', 'reason'])
    expect(rule).toMatch(/^[─ ]+$/)
    expect(rows.filter((l) => /^[─ ]+$/.test(l))).toEqual([])
    expect(rows[0]).toMatch(/^2026-11-22 08:00:00 {2}9001 {2}sent {4}j\*\*\*@example\.com$/)
    // wider: the attempt number and the error class come back
    expect(onTerminal(['mail', EXAMPLES], { cols: 160, stderr: false }).text.split('\n')[0]!.split(/ {2,}/)).toEqual(['time (UTC)', 'mail', 'status', 'recipient', 'code', 'reason', 'try', 'error'])
  })
  it('long cells wrap rather than being cut: every word of a reason is there', () => {
    const r = onTerminal(['mail', '--format', 'table', busy], { stderr: false })
    const words = r.text.replace(/\s+/g, ' ')
    for (const w of ['Recipient', 'address', 'rejected']) expect(words).toContain(w)
  })
  it('piped tables and Markdown are not wrapped', () => {
    const md = odoolog(['diagnose', busy]).stdout.toString()
    expect(md).toContain(`| 550 | mail.subdomain.example-company.com | 1 |`)
    expect(widest(odoolog(['mail', '--format', 'table', busy]).stdout.toString())).toBeGreaterThan(120)
  })
})
