import { spawn } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { bounce, failed, sent, web } from '../../packages/mail/test/build.js'
import { BIN, EXAMPLES, odoolog } from '../helpers/run.js'

// The mail commands over stdin and the examples: boundaries of days and limit windows, temporary and
// permanent failures in every report, links that later records add, events while the input lasts.

function json(args: string[], input?: string) {
  const r = odoolog(args, { input })
  expect(r.stderr).toBe('')
  expect(r.status).toBe(0)
  return JSON.parse(r.stdout.toString())
}

function ndjson(args: string[], input?: string): Record<string, unknown>[] {
  return odoolog(args, { input }).stdout.toString().trim().split('\n').map((l) => JSON.parse(l))
}

/** TSV or CSV (no quoted line breaks in these) parsed back into objects. */
function table(args: string[], input?: string): Record<string, string>[] {
  const csv = args.includes('csv')
  const split = (l: string) => (csv ? l.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/).map((f) => f.replace(/^"|"$/g, '').replace(/""/g, '"')) : l.split('\t'))
  const [head, ...lines] = odoolog(args, { input }).stdout.toString().trimEnd().split(csv ? '\r\n' : '\n')
  const cols = split(head!)
  return lines.map((l) => Object.fromEntries(split(l).map((v, i) => [cols[i], v])))
}

describe('days and the 23:00 UTC limit window at their edges', () => {
  const log = [
    sent('2026-11-22T22:59:59.999Z', 1, 'anna@example.org'),
    sent('2026-11-22T23:00:00.000Z', 2, 'bob@example.net'),
    sent('2026-11-22T23:30:00.000Z', 3, 'carol@example.com'),
    sent('2026-11-22T23:59:59.999Z', 4, 'dave@example.com'),
    sent('2026-11-23T00:00:00.000Z', 5, 'erin@example.com'),
  ].join('')

  it('report limit: 22:59:59.999 is the previous window, 23:00:00.000 and 23:30 the next', () => {
    const r = json(['report', 'limit', '--limit', '2', '--format', 'json'], log)
    expect(r.windows.map((w: { start: string; end: string; attempts: number; reachedAt: string | null }) => [w.start, w.end, w.attempts, w.reachedAt])).toEqual([
      ['2026-11-21T23:00:00.000Z', '2026-11-22T23:00:00.000Z', 1, null],
      ['2026-11-22T23:00:00.000Z', '2026-11-23T23:00:00.000Z', 4, '2026-11-22T23:30:00.000Z'],
    ])
  })

  it('report retries --by day: 23:59:59.999 is that day, 00:00:00.000 the next', () => {
    expect(json(['report', 'retries', '--by', 'day', '--format', 'json'], log).map((d: { day: string; attempts: number }) => [d.day, d.attempts])).toEqual([
      ['2026-11-22', 4],
      ['2026-11-23', 1],
    ])
  })

  it('diagnose names the window that reached the limit', () => {
    const md = odoolog(['diagnose', '--limit', '2'], { input: log }).stdout.toString()
    expect(md).toContain('- Reached in the window from 2026-11-22 23:00:00 UTC: attempt 2 at 2026-11-22 23:30:00 UTC (4 in that window).')
  })
})

describe('temporary (4xx) and permanent (5xx) failures in every output', () => {
  // 101 is refused for now (421) then sent; 102 refused for good (550, recipient named); 103 (554, none)
  const log = [
    failed('2026-11-22T08:00:00.000Z', 101, 421, 'temp@example.org'),
    failed('2026-11-22T08:00:01.000Z', 102, 550, 'gone@example.net'),
    failed('2026-11-22T08:00:02.000Z', 103, 554),
    sent('2026-11-22T09:00:00.000Z', 101, 'temp@example.org'),
  ].join('')

  it('diagnose (Markdown): each code under its own heading, with its domain', () => {
    const md = odoolog(['diagnose'], { input: log }).stdout.toString()
    const permanent = md.slice(md.indexOf('## Permanent failures'), md.indexOf('## Temporary failures'))
    const temporary = md.slice(md.indexOf('## Temporary failures'), md.indexOf('## Daily limit'))
    expect(permanent).toContain('| 550 | example.net | 1 |')
    expect(permanent).toContain('| 554 | (unknown) | 1 |')
    expect(permanent).not.toContain('421')
    expect(temporary).toContain('| 421 | example.org | 1 |')
    expect(temporary).not.toMatch(/55\d/)
    expect(md).toContain('- mail 101 to t***@example.org: sent 60 minutes after its first attempt (2 attempts).')
  })

  it('diagnose --format json and report retries --by code', () => {
    const d = json(['diagnose', '--format', 'json'], log)
    expect(d).toMatchObject({ attempts: 4, sent: 1, failed: 3 })
    expect(d.permanent).toEqual([
      { code: 550, domain: 'example.net', count: 1 },
      { code: 554, domain: '(unknown)', count: 1 },
    ])
    expect(d.temporary).toEqual([{ code: 421, domain: 'example.org', count: 1 }])
    const byCode = json(['report', 'retries', '--by', 'code', '--format', 'json'], log)
    expect(byCode.map((r: { code: string; attempts: number; failed: number }) => [r.code, r.attempts, r.failed])).toEqual([
      ['(sent)', 1, 0],
      ['421', 1, 1],
      ['550', 1, 1],
      ['554', 1, 1],
    ])
  })

  it('mail: permanent is true for 5xx, false for 4xx, empty for a success, in NDJSON, CSV and TSV', () => {
    const want = [['101', 'false'], ['102', 'true'], ['103', 'true'], ['101', '']]
    expect(ndjson(['mail', '--format', 'ndjson'], log).map((a) => [String(a.mailId), a.permanent === null ? '' : String(a.permanent)])).toEqual(want)
    for (const f of ['csv', 'tsv']) expect(table(['mail', '--format', f], log).map((a) => [a.mailId, a.permanent])).toEqual(want)
  })
})

describe('what a later record adds reaches every format that can carry it', () => {
  it('examples: the bounce 2 h 20 min after mail 9003 gives its attempts their recipient (NDJSON, CSV, TSV, diagnose)', () => {
    for (const f of ['csv', 'tsv']) {
      const rows = table(['mail', '--mail-id', '9003', '--format', f, EXAMPLES])
      expect(rows.map((r) => [r.attempt, r.recipient])).toEqual([['1', 'jdoe@example.com'], ['2', 'jdoe@example.com'], ['3', 'jdoe@example.com']])
    }
    const events = ndjson(['mail', '--events', '--format', 'ndjson', EXAMPLES])
    expect(events.filter((e) => e.mailId === 9003).map((e) => [e.kind, e.recipient ?? e.bouncedAddress])).toEqual([
      ['attempt', 'jdoe@example.com'],
      ['attempt', 'jdoe@example.com'],
      ['attempt', 'jdoe@example.com'],
      ['bounce', 'jdoe@example.com'],
    ])
    const d = json(['diagnose', '--to', 'jdoe@example.com', '--format', 'json', EXAMPLES])
    expect(d.bounces.map((b: { mailId: number; bouncedAddress: string }) => [b.mailId, b.bouncedAddress])).toEqual([[9003, 'jdoe@example.com']])
    expect(d.noSmtpReason).toEqual([])
    expect(d.permanent).toEqual([{ code: 554, domain: 'example.com', count: 3 }])
  })

  it('a bounce logged after the attempt left (past the hold) carries the mail id and the address itself', () => {
    // 14–17: the success names no recipient; the bounce names the Message-Id only (no VERP), 9 hours later
    const log = sent('2026-11-22T08:00:00.000Z', 77) + web('2026-11-22T12:00:00.000Z') + bounce('2026-11-22T17:00:00.000Z', 77, 'jdoe@example.com')
    const events = ndjson(['mail', '--events', '--format', 'ndjson'], log)
    expect(events.map((e) => [e.kind, e.mailId, e.recipient ?? e.bouncedAddress ?? null])).toEqual([
      ['attempt', 77, null],
      ['bounce', 77, 'jdoe@example.com'],
    ])
    for (const f of ['csv', 'tsv']) {
      const b = table(['mail', '--events', '--format', f], log).find((r) => r.kind === 'bounce')!
      expect([b.mailId, b.bouncedAddress]).toEqual(['77', 'jdoe@example.com'])
    }
    expect(odoolog(['diagnose', '--to', 'jdoe@example.com'], { input: log }).stdout.toString()).toContain('| 2026-11-22 17:00:00 UTC | bounce | 77 |')
  })
})

describe('long lists in a diagnosis', () => {
  it('show the most recent ones and say how many there were', () => {
    let log = ''
    for (let k = 0; k < 130; k++) log += sent(Date.parse('2026-11-22T08:00:00Z') + k * 60e3, 100 + k) + bounce(Date.parse('2026-11-22T08:00:01Z') + k * 60e3, 100 + k, `u${k}@example.org`)
    const md = odoolog(['diagnose'], { input: log }).stdout.toString()
    const bounces = md.slice(md.indexOf('## Bounces'), md.indexOf('## Incoming'))
    expect(bounces).toContain('- 130 in all; the last 100 below (`odoolog mail --events` lists every one).')
    expect(bounces.match(/ bounced mail /g)).toHaveLength(100)
    expect(bounces).toContain('u129@example.org bounced mail 229')
    expect(bounces).not.toContain('u29@example.org')
    expect(json(['diagnose', '--format', 'json'], log).counts).toEqual({ noSmtpReason: 0, late: 0, bounces: 130, incoming: 0, timeline: 0, failures: 0 })
  })
})

describe('odoolog mail streams', () => {
  it('prints the events that are final while its input is still open', async () => {
    const p = spawn(process.execPath, [BIN, 'mail', '--format', 'ndjson'], { stdio: ['pipe', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '', LC_ALL: 'C' } })
    let out = ''
    const firstLine = new Promise<string>((resolve, reject) => {
      p.stdout.on('data', (d: Buffer) => {
        out += d.toString()
        if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')))
      })
      p.on('close', () => reject(new Error(`exited before a line: ${out}`)))
    })
    // mail 1, then a record seven hours later: mail 1 is final
    p.stdin.write(sent('2026-11-22T08:00:00.000Z', 1, 'anna@example.org') + sent('2026-11-22T15:00:00.000Z', 2, 'bob@example.net') + web('2026-11-22T15:00:01.000Z'))
    const timer = new Promise<string>((_, reject) => setTimeout(() => reject(new Error('no line while the input was open')), 20_000))
    expect(JSON.parse(await Promise.race([firstLine, timer]))).toMatchObject({ mailId: 1 })
    const closed = new Promise<number | null>((resolve) => p.on('close', resolve))
    p.stdin.end()
    expect(await closed).toBe(0)
    expect(out.trim().split('\n').map((l) => JSON.parse(l).mailId)).toEqual([1, 2])
  })
})
