import { describe, expect, it } from 'vitest'
import { EXAMPLES, odoolog } from '../helpers/run.js'

// Expectations computed by hand from the scripted story in examples/logs/generate.mjs (MAILS).

function json(args: string[]) {
  const r = odoolog(args)
  expect(r.stderr).toBe('')
  expect(r.status).toBe(0)
  return JSON.parse(r.stdout.toString())
}

function tsv(args: string[]): Record<string, string>[] {
  const [head, ...lines] = odoolog(args).stdout.toString().trimEnd().split('\n')
  const cols = head!.split('\t')
  return lines.map((l) => Object.fromEntries(l.split('\t').map((v, i) => [cols[i], v])))
}

function csv(text: string): string[][] {
  // RFC 4180, enough for our output: quoted fields may hold commas, quotes and line breaks
  const rows: string[][] = []
  let row: string[] = []
  let f = ''
  let q = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (q) {
      if (c === '"' && text[i + 1] === '"') (f += '"'), i++
      else if (c === '"') q = false
      else f += c
    } else if (c === '"') q = true
    else if (c === ',') row.push(f), (f = '')
    else if (c === '\r' && text[i + 1] === '\n') row.push(f), rows.push(row), (row = []), (f = ''), i++
    else f += c
  }
  return rows
}

describe('odoolog mail on the bundled examples', () => {
  it("--to shows that recipient's attempts with codes and reasons (redacted successes included)", () => {
    const lines = odoolog(['mail', '--to', 'jdoe@example.com', '--format', 'ndjson', EXAMPLES]).stdout.toString().trim().split('\n').map((l) => JSON.parse(l))
    expect(lines.map((a) => [a.mailId, a.status, a.smtpCode, a.attempt])).toEqual([
      [9001, 'sent', null, 1],
      [9003, 'failed', 554, 1],
      [9003, 'failed', 554, 2],
      [9003, 'failed', 554, 3],
      [9012, 'sent', null, 1],
      [9030, 'sent', null, 1],
      [9040, 'sent', null, 1],
    ])
    expect(lines[1]).toMatchObject({ recipient: 'jdoe@example.com', enhancedCode: '5.7.1', reason: '5.7.1 This mailbox is disabled (554.30)', permanent: true, errorClass: 'SMTPDataError', day: '2026-11-22' })
    expect(Object.keys(lines[0])).toEqual(['kind', 'time', 'day', 'mailId', 'status', 'messageId', 'from', 'recipient', 'recipients', 'smtpCode', 'enhancedCode', 'errorClass', 'reason', 'permanent', 'limit', 'attempt', 'file', 'line', 'pid', 'db'])
  })
  it('filters: --status, --code, --mail-id; CSV parses back with a header row', () => {
    const rows = csv(odoolog(['mail', '--status', 'failed', '--format', 'csv', EXAMPLES]).stdout.toString())
    expect(rows[0]![0]).toBe('kind')
    expect(rows.slice(1).map((r) => r[3])).toEqual(['9003', '9003', '9003', '9010', '9011', '9020', '9026', '9031', '9041'])
    expect(tsv(['mail', '--code', '554', EXAMPLES]).map((r) => r.mailId)).toEqual(['9003', '9003', '9003', '9026'])
    expect(tsv(['mail', '--mail-id', '9010', EXAMPLES]).map((r) => [r.status, r.attempt])).toEqual([['failed', '1'], ['sent', '2']])
  })
  it('--events has every kind; --stats counts on stderr', () => {
    const r = odoolog(['mail', '--events', '--stats', '--format', 'ndjson', EXAMPLES])
    const kinds = r.stdout.toString().trim().split('\n').map((l) => JSON.parse(l).kind)
    expect(kinds.filter((k) => k === 'attempt')).toHaveLength(19)
    expect(kinds.filter((k) => k === 'bounce')).toHaveLength(1)
    expect(kinds.filter((k) => k === 'incoming_error')).toHaveLength(1)
    expect(r.stderr).toMatch(/^records read: \d+, orphan lines: 0, events: attempt 19, queue_run 106, bounce 1, incoming_error 1\n$/)
  })
})

describe('odoolog report on the bundled examples', () => {
  it('retries --by day (json): one object per day, key named day', () => {
    expect(json(['report', 'retries', '--by', 'day', '--format', 'json', EXAMPLES])).toEqual([
      { day: '2026-11-22', attempts: 6, sent: 3, failed: 3, retries: 2, mails: 4, codes: { 554: 3 } },
      { day: '2026-11-23', attempts: 4, sent: 2, failed: 2, retries: 1, mails: 3, codes: { 421: 1, 550: 1 } },
      { day: '2026-11-24', attempts: 5, sent: 3, failed: 2, retries: 0, mails: 5, codes: { 553: 1, 554: 1 } },
      { day: '2026-11-25', attempts: 2, sent: 1, failed: 1, retries: 0, mails: 2, codes: {} },
      { day: '2026-11-26', attempts: 2, sent: 1, failed: 1, retries: 0, mails: 2, codes: {} },
    ])
  })
  it('retries --by recipient / domain / mail, TSV parsed back', () => {
    const rec = tsv(['report', 'retries', '--by', 'recipient', EXAMPLES])
    expect(rec.find((r) => r.recipient === 'jdoe@example.com')).toEqual({ recipient: 'jdoe@example.com', attempts: '3', sent: '0', failed: '3', retries: '2', mails: '1', codes: '554:3' })
    const dom = json(['report', 'retries', '--by', 'domain', '--format', 'json', EXAMPLES])
    expect(dom.find((r: { domain: string }) => r.domain === 'example.org')).toMatchObject({ attempts: 3, sent: 2, failed: 1 })
    expect(tsv(['report', 'retries', '--by', 'mail', EXAMPLES])[0]).toMatchObject({ mail: '9003', attempts: '3', retries: '2' })
  })
  it('--since/--until: a window boundary inside a file, an archive named a day after its content', () => {
    // odoo.log.2026-11-24.gz holds 11-23 05:00 to 11-24 05:00; this window starts inside it
    const r = json(['report', 'retries', '--since', '2026-11-23T09:00:01Z', '--until', '2026-11-24', '--format', 'json', EXAMPLES])
    expect(r.map((d: { day: string; attempts: number }) => [d.day, d.attempts])).toEqual([
      ['2026-11-23', 2],
      ['2026-11-24', 5],
    ])
    // numbering restarts with what was read: 9010's success is its first attempt seen
    const m = json(['report', 'retries', '--by', 'mail', '--since', '2026-11-23T09:00:00.900Z', '--until', '2026-11-23T10:00Z', '--format', 'json', EXAMPLES])
    expect(m).toEqual([{ mail: '9010', attempts: 1, sent: 1, failed: 0, retries: 0, mails: 1, codes: {} }, { mail: '9011', attempts: 1, sent: 0, failed: 1, retries: 0, mails: 1, codes: { 550: 1 } }])
  })
  it('limit: 23:00-to-23:00 UTC windows, when the limit was reached, quota failures', () => {
    const r = json(['report', 'limit', '--limit', '5', '--format', 'json', EXAMPLES])
    expect(r.windows.map((w: { start: string; attempts: number; reachedAt: string | null }) => [w.start, w.attempts, w.reachedAt])).toEqual([
      ['2026-11-21T23:00:00.000Z', 6, expect.stringMatching(/^2026-11-22T11:00:00\.\d{3}Z$/)],
      ['2026-11-22T23:00:00.000Z', 4, null],
      ['2026-11-23T23:00:00.000Z', 5, expect.stringMatching(/^2026-11-24T16:00:01\.\d{3}Z$/)],
      ['2026-11-24T23:00:00.000Z', 2, null],
      ['2026-11-25T23:00:00.000Z', 2, null],
    ])
    expect(r.failures.map((f: { mailId: number }) => f.mailId)).toEqual([9026])
    const table = odoolog(['report', 'limit', '--plan', 'free', '--format', 'table', EXAMPLES]).stdout.toString()
    expect(table).toContain('No window reached the limit of 20.')
    expect(table).toContain('wait for the reset, then press Retry')
  })
  it('queue: runs per day, median and longest, no stall in the examples', () => {
    const r = json(['report', 'queue', '--format', 'json', EXAMPLES])
    expect(r.days.map((d: { day: string; runs: number; attempts: number }) => [d.day, d.runs, d.attempts])).toEqual([
      ['2026-11-22', 19, 6],
      ['2026-11-23', 24, 4],
      ['2026-11-24', 24, 5],
      ['2026-11-25', 24, 2],
      ['2026-11-26', 15, 2],
    ])
    expect(r.gaps).toEqual([])
  })
  it('diagnose --to: a Markdown timeline for a ticket', () => {
    const out = odoolog(['diagnose', '--to', 'jdoe@example.com', EXAMPLES]).stdout.toString()
    expect(out).toContain('# Email diagnosis for jdoe@example.com')
    expect(out).toContain('| 2026-11-22 09:00:00 UTC | failed | 9003 | 1 | 554 5.7.1 | SMTPDataError: 5.7.1 This mailbox is disabled (554.30) |')
    expect(out).toContain('| 2026-11-22 11:20:01 UTC | bounce | 9003 |')
    expect(out.match(/\| sent \|/g)).toHaveLength(4)
  })
})
