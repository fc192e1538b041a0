import { Readable } from 'node:stream'
import { stdinSource } from '@odoolog/search'
import { describe, expect, it } from 'vitest'
import { addressMatcher, normalizeAddress, parseSmtpFailure, readMailEvents, redactAddress, retriesReport, type AttemptEvent, type MailEvent } from '../src/index.js'
import { anonymize, failedWith, sent } from './build.js'

async function attempts(text: string): Promise<AttemptEvent[]> {
  const out: MailEvent[] = []
  for await (const e of readMailEvents([stdinSource(Readable.from([Buffer.from(text)]))])) out.push(e)
  return out.filter((e): e is AttemptEvent => e.kind === 'attempt')
}

describe("Odoo's email_anonymize and email_normalize", () => {
  it('a local part of at most 5 characters keeps its first; a longer one its first and last two', () => {
    expect(redactAddress('jdoe@example.com')).toBe('j***@example.com')
    expect(redactAddress('admin@example.com')).toBe('a****@example.com')
    expect(redactAddress('portal@example.com')).toBe('p***al@example.com')
    expect(redactAddress('maria.lopez@example.com')).toBe('m********ez@example.com')
    expect(redactAddress('a@example.com')).toBe('a@example.com')
    // the same rule as the fixtures' builder, at every length around the 5/6 edge
    for (const local of ['ab', 'abc', 'abcd', 'abcde', 'abcdef', 'abcdefg', 'a.very.long.local.part']) expect(redactAddress(`${local}@x.org`)).toBe(anonymize(`${local}@x.org`))
  })
  it('normalizes display names, quotes, angle brackets and case', () => {
    expect(normalizeAddress('"test@test.com"')).toBe('test@test.com')
    expect(normalizeAddress('"Jane Doe" <JDoe@Example.COM>')).toBe('jdoe@example.com')
    expect(normalizeAddress('Jane Doe <jdoe@example.com>')).toBe('jdoe@example.com')
    expect(normalizeAddress(' <X@Y.org> ')).toBe('x@y.org')
    expect(normalizeAddress("'a@b.c'")).toBe('a@b.c')
    // a non-ASCII local part keeps its case (Odoo lowers only ASCII ones); the domain is lowered
    expect(normalizeAddress('Jérôme@Example.FR')).toBe('Jérôme@example.fr')
  })
  it('an address matches itself normalized and its redacted form, which several addresses share', () => {
    const m = addressMatcher('Maria.Lopez@Example.com')
    expect(['maria.lopez@example.com', '"maria.lopez@example.com"', 'MARIA.LOPEZ@EXAMPLE.COM', 'm********ez@example.com'].map(m)).toEqual([true, true, true, true])
    expect(['marta.lopez@example.com', 'm****@example.com', 'm********ez@example.org', null].map(m)).toEqual([false, false, false, false])
    expect(addressMatcher('marta.lopez@example.com')('m********ez@example.com')).toBe(true)
  })
})

describe('SMTPRecipientsRefused of several recipients', () => {
  it('names each recipient once, normalized (8.0 without b, 18 with), the code and text of the first', () => {
    const v8 = parseSmtpFailure(`SMTPRecipientsRefused: {'"test@test.com"': (554, '5.7.1 <test@test.com>: Relay access denied'), 'test@test.com': (554, '5.7.1 <test@test.com>: Relay access denied')}`)
    expect(v8).toMatchObject({ recipient: 'test@test.com', recipients: ['test@test.com'], smtpCode: 554, enhancedCode: '5.7.1' })
    const two = parseSmtpFailure(`SMTPRecipientsRefused: {'a@x.com': (550, b'5.1.1 no such user'), 'B.Two@Y.org': (552, b"5.2.2 it's full")}`)
    expect(two).toMatchObject({ recipient: 'a@x.com', recipients: ['a@x.com', 'b.two@y.org'], smtpCode: 550, text: '5.1.1 no such user' })
    // text that looks like an entry inside a reply is not a recipient
    const inside = parseSmtpFailure(`SMTPRecipientsRefused: {'a@x.com': (550, b"5.1.1 see 'evil@z.com': (550, b'x')")}`)
    expect(inside.recipients).toEqual(['a@x.com'])
  })
  it('counts for each recipient in report --by recipient and --by domain; --to matches any of them', async () => {
    const text =
      failedWith('2026-11-22T08:00:00Z', 7, 'SMTPRecipientsRefused', `{'"Ann@A.com"': (550, b'5.1.1 no'), 'bob@b.org': (550, b'5.1.1 no')}`) +
      sent('2026-11-22T09:00:00Z', 8, 'maria.lopez@example.com')
    const evs = await attempts(text)
    expect(evs.map((e) => [e.mailId, e.recipient, e.recipients])).toEqual([
      [7, 'ann@a.com', ['ann@a.com', 'bob@b.org']],
      [8, 'm********ez@example.com', ['m********ez@example.com']],
    ])
    const by = (b: 'recipient' | 'domain') => Object.fromEntries(retriesReport(evs, b).map((r) => [r.key, r.attempts]))
    expect(by('recipient')).toEqual({ 'ann@a.com': 1, 'bob@b.org': 1, 'm********ez@example.com': 1 })
    expect(by('domain')).toEqual({ 'a.com': 1, 'b.org': 1, 'example.com': 1 })
  })
})

describe('recipientRecords (grep --to) streams', () => {
  it('a record leaves as soon as no later record can tie it, while the input is still open', async () => {
    const { PassThrough } = await import('node:stream')
    const { recipientRecords } = await import('../src/index.js')
    const input = new PassThrough()
    const it = recipientRecords([stdinSource(input)], 'maria.lopez@example.com')
    const T = Date.parse('2026-11-22T08:00:00Z')
    input.write(sent(T, 1, 'maria.lopez@example.com'))
    input.write(sent(T + 7 * 3600e3, 2, 'bob@example.net'))
    input.write(sent(T + 7 * 3600e3 + 1, 3, 'bob@example.net')) // ends the record of mail 2
    const first = await Promise.race([it.next(), new Promise<never>((_, no) => setTimeout(() => no(new Error('nothing while the input is open')), 10_000))])
    expect(first.done).toBe(false)
    const v = first.value
    const recs = v && 'kind' in v && v.kind === 'records' ? v.records : []
    expect(recs.map((r) => [r.line, r.bytes?.toString()])).toEqual([[1, sent(T, 1, 'maria.lopez@example.com')]])
    input.end()
    const rest = await it.next()
    expect(rest.done).toBe(true)
  })
})
