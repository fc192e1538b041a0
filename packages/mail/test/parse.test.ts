import { readFileSync } from 'node:fs'
import { Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { stdinSource } from '@odoolog/search'
import { describe, expect, it } from 'vitest'
import { readMailEvents, type AttemptEvent, type MailEvent, type ParseResult } from '../src/index.js'

const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url)), 'utf8')

async function parse(text: string | Buffer[], opts = {}): Promise<{ events: MailEvent[]; result: ParseResult }> {
  const chunks = typeof text === 'string' ? [Buffer.from(text)] : text
  const it = readMailEvents([stdinSource(Readable.from(chunks))], opts)
  const events: MailEvent[] = []
  for (;;) {
    const r = await it.next()
    if (r.done) return { events, result: r.value }
    events.push(r.value)
  }
}

const attempts = (evs: MailEvent[]) => evs.filter((e): e is AttemptEvent => e.kind === 'attempt')
const brief = (a: AttemptEvent) => [a.mailId, a.status, a.smtpCode, a.enhancedCode, a.errorClass, a.recipient, a.attempt]

describe('14.0–17.0 wordings', () => {
  it('reads successes, merges the SMTP record into its failure, keeps an unclaimed SMTP failure, drops test-mode sends', async () => {
    const { events, result } = await parse(fixture('v14.log'))
    expect(attempts(events).map(brief)).toEqual([
      [8812, 'sent', null, null, null, 'jdoe@exampel.com', 1],
      [8815, 'failed', 554, '5.7.1', 'SMTPDataError', null, 1],
      [null, 'failed', 550, '5.1.1', 'SMTPRecipientsRefused', 'jdoe@example.com', null],
      [8816, 'failed', 553, '5.7.1', 'SMTPSenderRefused', null, 1],
      [8818, 'sent', null, null, null, null, 1],
    ])
    const f = attempts(events)[1]!
    expect(f).toMatchObject({ reason: '5.7.1 Message rejected: Email address is not verified.', permanent: true, limit: false, time: '2024-05-06T09:02:11.415Z', day: '2024-05-06', pid: 31, db: 'acme-prod-1234567', line: 10 })
    expect(attempts(events)[3]!.from).toBe('sales@acme.com')
    expect(result.events).toEqual({ attempt: 5, queue_run: 1, bounce: 1, incoming_error: 0 })
    expect(result.records).toBe(16) // every record, not only the mail ones
  })
  it('ties the bounce to its mail (VERP and Message-Id) and gives that mail its recipient', async () => {
    const { events } = await parse(fixture('v14.log'))
    const b = events.find((e) => e.kind === 'bounce')!
    expect(b).toMatchObject({ sender: 'Mail Delivery System <MAILER-DAEMON@mx.example.net>', bouncedAddress: 'jdoe@exampel.com', mailId: 8812, originalMessageIds: ['<486239017523641.1714983301.337104082107544-openerp-42-sale.order@odoo-host>'] })
  })
  it('a queue run (backtick wording) counts the attempts of its worker and takes its duration from the records', async () => {
    const { events } = await parse(fixture('v14.log'))
    expect(events.find((e) => e.kind === 'queue_run')).toMatchObject({ cron: 'Mail: Email Queue Manager', cronId: null, attempts: 1, sent: 1, failed: 0, duration: 0.678, outcome: 'done' })
  })
  it('17.0: a From assertion (no SMTP record), Exception while processing, later 17.x success and Job done', async () => {
    const { events } = await parse(fixture('v17.log'))
    const a = attempts(events)
    expect(a.map(brief)).toEqual([
      [9331, 'failed', null, null, 'AssertionError', null, 1],
      [9332, 'failed', null, null, 'SMTPServerDisconnected', null, 1],
      [9333, 'sent', null, null, null, 'k****@example.com', 1],
    ])
    expect(a[0]!.reason).toBe("Malformed 'Return-Path' or 'From' address: Sales Team - It should contain one valid plain ASCII email")
    expect(a[1]!.messageId).toBe('<110293847566102.1719914405.120334148406982-openerp-77-crm.lead@odoo-host>')
    expect(a[1]!.reason).toBe('Connection unexpectedly closed')
    const runs = events.filter((e) => e.kind === 'queue_run')
    expect(runs.map((r) => r.kind === 'queue_run' && [r.attempts, r.duration])).toEqual([[2, 0.989], [1, 0.819]])
    const inc = events.find((e) => e.kind === 'incoming_error')!
    expect(inc).toMatchObject({ serverType: 'imap', server: 'Catchall', errorClass: 'ValueError', time: '2024-05-06T09:40:02.664Z' })
    expect(events[0]!.kind).toBe('incoming_error') // time order, though logged last
  })
})

describe('18.0 and 19.0 wordings', () => {
  it('one-line tuple reprs, redacted recipients, a 4xx limit, the 18 cron lines', async () => {
    const { events } = await parse(fixture('v18.log'))
    const a = attempts(events)
    expect(a.map(brief)).toEqual([
      [10412, 'sent', null, null, null, 'j***@example.com', 1],
      [10413, 'failed', 553, '5.7.1', 'SMTPSenderRefused', null, 1],
      [10414, 'failed', 421, '4.7.0', 'SMTPDataError', null, 1],
    ])
    expect(a[0]).toMatchObject({ from: 'invoicing@acme.com', messageId: '<662019384756120.1747033201.005512952804565-openerp-15-account.move@odoo-host>' })
    expect(a[2]).toMatchObject({ permanent: false, limit: true, reason: '4.7.0 Try again later, rate limit reached' })
    expect(events.find((e) => e.kind === 'queue_run')).toMatchObject({ cronId: 3, duration: 0.698, processed: 2, remaining: 0, attempts: 3, sent: 1, failed: 2 })
    const bounce = events.find((e) => e.kind === 'bounce')!
    expect(bounce).toMatchObject({ sender: 'MAILER-DAEMON@mx.example.net', bouncedAddress: null, mailId: null })
    expect(events.filter((e) => e.kind === 'bounce')).toHaveLength(1) // the alias match is no bounce
    expect(events.filter((e) => e.kind === 'incoming_error').map((e) => e.kind === 'incoming_error' && [e.serverType, e.server, e.errorClass])).toEqual([
      [null, 'Archive', 'error'],
      ['gmail', 'Support', 'TimeoutError'],
    ])
  })
  it('19.0: one summary line per run, failed runs told apart', async () => {
    const { events } = await parse(fixture('v19.log'))
    expect(events.filter((e) => e.kind === 'queue_run').map((e) => e.kind === 'queue_run' && [e.outcome, e.processed, e.remaining, e.duration, e.attempts])).toEqual([
      ['done', 5, 0, 0.53, 1],
      ['failed', 0, 3, 0.53, 0],
    ])
  })
  it('8.0: ERROR-level SMTP records with Python 2 reprs, failed sending mail.mail <id>', async () => {
    const { events } = await parse(fixture('v8.log'))
    expect(attempts(events).map(brief)).toEqual([
      [77, 'failed', 554, '5.7.1', 'SMTPRecipientsRefused', 'x@y.com', 1],
      [null, 'failed', 451, '4.3.0', 'SMTPDataError', null, null],
    ])
    expect(events.find((e) => e.kind === 'queue_run')).toMatchObject({ cron: 'Email Queue Manager', attempts: 2 })
  })
})

describe('prefixes, ANSI, chunk boundaries', () => {
  const base = fixture('v14.log')
  const expected = parse(base).then((r) => r.events.map(({ file: _f, ...e }) => e))
  const prefixed = (p: string) => base.split('\n').map((l) => (l ? p + l : l)).join('\n')
  it.each([
    ['docker compose', 'odoo_app_1  | '],
    ['journald', 'Apr 06 14:12:10 host python3[95545]: '],
    ['a viewer clock glued on', '6/11/2020 14:26:06'],
  ])('%s prefixes on every line give the same events', async (_name, p) => {
    const { events, result } = await parse(prefixed(p))
    expect(events.map(({ file: _f, ...e }) => e)).toEqual(await expected)
    expect(result.orphanLines).toBe(0)
  })
  it('ANSI colour codes around the level are stripped first', async () => {
    const colored = base.replace(/ (INFO|ERROR) /g, ' \x1b[1;32m\x1b[1;49m$1\x1b[0m ')
    expect((await parse(colored)).events.map(({ file: _f, ...e }) => e)).toEqual(await expected)
  })
  it('records cut anywhere across chunks give the same events', async () => {
    const buf = Buffer.from(base)
    for (let c = 1; c < buf.length; c += 37) {
      const { events } = await parse([buf.subarray(0, c), buf.subarray(c)])
      expect(events.map(({ file: _f, ...e }) => e)).toEqual(await expected)
    }
  })
  it('lines before the first header are counted as orphan lines, never lost', async () => {
    const { result } = await parse('pasted line one\npasted line two\n' + base)
    expect(result.orphanLines).toBe(2)
  })
  it('--since keeps later attempts only and numbers attempts within what was read', async () => {
    const { events } = await parse(fixture('v14.log'), { since: '2024-05-06T09:03:00Z' })
    expect(attempts(events).map((a) => a.mailId)).toEqual([null, 8816, 8818])
  })
})
