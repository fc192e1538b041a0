import { PassThrough, Readable } from 'node:stream'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { stdinSource } from '@odoolog/search'
import { describe, expect, it } from 'vitest'
import { diagnose, HOLD_MS, LINK_DAYS, LIST_CAP, MAX_HELD, readMailBatches, readMailEvents, retriesReport, type AttemptEvent, type MailEvent, type RetriesBy, type RetriesRow } from '../src/index.js'
import { bounce, failed, sent, web } from './build.js'

const T0 = Date.parse('2026-11-22T08:00:00.000Z')
const H = 3600e3

async function all(text: string | Iterable<string>): Promise<MailEvent[]> {
  const out: MailEvent[] = []
  for await (const e of readMailEvents([stdinSource(Readable.from(typeof text === 'string' ? [Buffer.from(text)] : text))])) out.push(e)
  return out
}

const attempts = (evs: MailEvent[]) => evs.filter((e): e is AttemptEvent => e.kind === 'attempt')

/** Rejects if the promise has not settled in `ms`: the events must come while the input is open. */
function soon<T>(p: Promise<T>, ms = 10_000): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`nothing after ${ms} ms`)), ms))])
}

describe('events leave the parser as soon as they are final', () => {
  it('yields the first event while the input is still open, and holds a recent one', async () => {
    const input = new PassThrough()
    const it = readMailEvents([stdinSource(input)])
    input.write(sent(T0, 1, 'anna@example.org'))
    input.write(sent(T0 + HOLD_MS + 60e3, 2, 'bob@example.net'))
    input.write(web(T0 + HOLD_MS + 61e3)) // ends the record of mail 2
    const first = await soon(it.next())
    expect(first.value).toMatchObject({ kind: 'attempt', mailId: 1, attempt: 1 })
    // mail 2 is not final yet (a record logged within HOLD_MS could still complete it): it waits
    const second = it.next()
    let settled = false
    void second.then(() => (settled = true))
    await new Promise((r) => setTimeout(r, 200))
    expect(settled).toBe(false)
    input.end()
    expect((await second).value).toMatchObject({ mailId: 2 })
    expect((await it.next()).done).toBe(true)
  })

  it('a burst of more than MAX_HELD events flows before the input ends, in time order, none lost', async () => {
    const n = MAX_HELD + 5000
    const input = new PassThrough()
    const batches = readMailBatches([stdinSource(input)])
    const lines: string[] = []
    // a mass mailing: n mails within twenty minutes, each a few ms apart, a 421 refusal every 50th
    for (let k = 0; k < n; k++) lines.push(k % 50 === 7 ? failed(T0 + k * 40, 1000 + k, 421) : sent(T0 + k * 40, 1000 + k, `user${k}@example.org`))
    input.write(lines.join(''))
    const first = await soon(batches.next())
    expect(first.done).toBe(false)
    const events = [...(first.value as MailEvent[])]
    expect(events.length).toBeGreaterThan(0)
    input.end()
    for (let r = await batches.next(); !r.done; r = await batches.next()) events.push(...r.value)
    expect(events).toHaveLength(n)
    const times = events.map((e) => e.time)
    expect(times).toEqual([...times].sort())
    expect(attempts(events).filter((a) => a.status === 'failed')).toHaveLength(Math.floor((n - 8) / 50) + 1)
  })

  it('memory stays flat: 40 days of 10,000 mails a day go through without holding them', async () => {
    const days = 40
    const perDay = 10_000
    const samples: number[] = []
    let count = 0
    function* log() {
      for (let d = 0; d < days; d++) {
        const chunk: string[] = []
        for (let k = 0; k < perDay; k++) {
          const id = 100_000 + d * perDay + k
          const t = T0 + d * 24 * H + k * 8000
          chunk.push(k % 100 === 3 ? failed(t, id, 554, `user${k}@example.org`) : sent(t, id, `user${k}@example.org`))
        }
        yield Buffer.from(chunk.join(''))
      }
    }
    // live memory, not garbage yet to be collected: a full collection before each sample
    setFlagsFromString('--expose-gc')
    const gc = runInNewContext('gc') as () => void
    let day = ''
    for await (const batch of readMailBatches([stdinSource(Readable.from(log()))])) {
      count += batch.length
      if (batch[0]!.day === day) continue
      day = batch[0]!.day
      gc()
      samples.push(process.memoryUsage().heapUsed)
    }
    expect(count).toBe(days * perDay)
    console.log(samples.map((x) => Math.round(x / 2 ** 20)).join(' '))
    // holding every event (the parser before it streamed) took ~1 KB each: 400 MB here, growing
    // 10 MB a day; flat is what the first days' state (indexes filling up) leaves, and no more
    expect(Math.max(...samples)).toBeLessThan(100 * 2 ** 20)
    expect(samples[samples.length - 1]! - samples[9]!).toBeLessThan(8 * 2 ** 20)
  })
})

describe('what later records add', () => {
  it('a bounce within the hold gives the earlier attempts their recipient', async () => {
    const evs = await all(failed(T0, 9003, 554) + failed(T0 + H, 9003, 554) + sent(T0 + 90 * 60e3, 9004) + bounce(T0 + 2 * H + 20 * 60e3, 9004, 'jdoe@example.com'))
    // 9003 refused twice (554, no recipient logged), 9004 sent (14–17: no recipient) then bounced
    expect(attempts(evs).map((a) => [a.mailId, a.attempt, a.recipient])).toEqual([
      [9003, 1, null],
      [9003, 2, null],
      [9004, 1, 'jdoe@example.com'],
    ])
    expect(evs.find((e) => e.kind === 'bounce')).toMatchObject({ mailId: 9004, bouncedAddress: 'jdoe@example.com' })
  })

  it('a bounce hours after the attempt left carries the link itself: mail id (by Message-Id) and address', async () => {
    const late = T0 + HOLD_MS + 2 * H
    const evs = await all(sent(T0, 77) + web(T0 + H) + bounce(late, 77, 'jdoe@example.com'))
    expect(attempts(evs)[0]).toMatchObject({ mailId: 77, recipient: null }) // it was out before the bounce came
    expect(evs.find((e) => e.kind === 'bounce')).toMatchObject({ mailId: 77, bouncedAddress: 'jdoe@example.com' })
  })

  it('a retry a day later is attempt 2 and takes the recipient its first refusal named', async () => {
    const evs = await all(failed(T0, 500, 421, 'carol@example.com') + web(T0 + 12 * H) + failed(T0 + 24 * H, 500, 451) + sent(T0 + 48 * H, 500))
    expect(attempts(evs).map((a) => [a.attempt, a.status, a.smtpCode, a.recipient])).toEqual([
      [1, 'failed', 421, 'carol@example.com'],
      [2, 'failed', 451, 'carol@example.com'],
      [3, 'sent', null, 'carol@example.com'],
    ])
  })
})

describe('the per-mail index (one map: a count, or the info a mail needs)', () => {
  it('a mail that went out is sent again (a resend): its count goes on, whether it had info or not', async () => {
    const evs = await all(
      failed(T0, 810, 421, 'eve@example.com') + sent(T0 + H, 810) + sent(T0 + H, 811, 'ann@example.com') + web(T0 + HOLD_MS + 2 * H) + sent(T0 + HOLD_MS + 3 * H, 810) + sent(T0 + HOLD_MS + 3 * H, 811, 'ann@example.com'),
    )
    expect(attempts(evs).map((a) => [a.mailId, a.attempt, a.status, a.recipient])).toEqual([
      [810, 1, 'failed', 'eve@example.com'],
      [810, 2, 'sent', 'eve@example.com'],
      [811, 1, 'sent', 'a**@example.com'], // 18.0 logs it redacted
      [810, 3, 'sent', null], // its info was dropped once it went out: only its count is kept
      [811, 2, 'sent', 'a**@example.com'],
    ])
  })

  it('bounces that name only a Message-Id find each of 300 mails, hours after they left', async () => {
    let log = ''
    for (let i = 0; i < 300; i++) log += sent(T0 + i * 1000, 20000 + i, `u${i}@example.com`)
    log += web(T0 + HOLD_MS + H)
    for (let i = 0; i < 300; i += 7) log += bounce(T0 + HOLD_MS + 2 * H + i, 20000 + i, `u${i}@example.com`)
    const bounces = (await all(log)).filter((e) => e.kind === 'bounce')
    expect(bounces).toHaveLength(43)
    for (const b of bounces) expect(b.mailId).toBe(20000 + Number(/^u(\d+)@/.exec(b.bouncedAddress!)![1]))
  })

  it('a bounce for a Message-Id no mail had links to none', async () => {
    const evs = await all(sent(T0, 830, 'x@example.com') + bounce(T0 + H, 831, 'y@example.com'))
    expect(evs.find((e) => e.kind === 'bounce')).toMatchObject({ mailId: null, bouncedAddress: 'y@example.com' })
  })
})

describe('per-mail state is bounded in time', () => {
  it(`a mail tried again within LINK_DAYS keeps its count and recipient; later, it counts from 1`, async () => {
    const day = 24 * H
    const web3 = [1, 2, 3].map((d) => web(T0 + d * day)).join('')
    const near = await all(failed(T0, 600, 421, 'dan@example.com') + web3 + failed(T0 + (LINK_DAYS - 0.5) * day, 600, 421))
    expect(attempts(near).map((a) => [a.attempt, a.recipient])).toEqual([[1, 'dan@example.com'], [2, 'dan@example.com']])
    const days = Array.from({ length: 2 * LINK_DAYS + 2 }, (_, d) => web(T0 + d * day)).join('')
    const far = await all(failed(T0, 600, 421, 'dan@example.com') + days + failed(T0 + (2 * LINK_DAYS + 2) * day, 600, 421))
    expect(attempts(far).map((a) => [a.attempt, a.recipient])).toEqual([[1, 'dan@example.com'], [1, null]])
  })
})

/** The report as it was computed before it streamed: a set of mail ids per group. */
function naiveRetries(events: MailEvent[], by: RetriesBy): Omit<RetriesRow, 'key'>[] & { key: string }[] {
  const rows = new Map<string, RetriesRow & { ids: Set<number> }>()
  for (const e of events) {
    if (e.kind !== 'attempt') continue
    const key = by === 'day' ? e.day : by === 'code' ? (e.smtpCode !== null ? String(e.smtpCode) : e.status === 'sent' ? '(sent)' : '(no code)') : by === 'mail' ? String(e.mailId ?? '(unknown)') : (e.recipient ?? '(unknown)')
    let r = rows.get(key)
    if (!r) rows.set(key, (r = { key, attempts: 0, sent: 0, failed: 0, retries: 0, mails: 0, codes: {}, ids: new Set() }))
    r.attempts++
    if (e.status === 'sent') r.sent++
    else r.failed++
    if (e.attempt !== null && e.attempt > 1) r.retries++
    if (e.mailId !== null) r.ids.add(e.mailId)
    if (e.smtpCode !== null) r.codes[e.smtpCode] = (r.codes[e.smtpCode] ?? 0) + 1
  }
  const out = [...rows.values()].map(({ ids, ...r }) => ({ ...r, mails: ids.size }))
  return by === 'day' ? out.sort((a, b) => (a.key < b.key ? -1 : 1)) : out.sort((a, b) => b.attempts - a.attempts || (a.key < b.key ? -1 : 1))
}

describe('report tallies keep counters, not events', () => {
  it('retries: distinct mails per group equal a set per group, on seeded random retries', async () => {
    let seed = 42
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
    let text = ''
    const codes = [421, 451, 550, 554]
    for (let k = 0; k < 3000; k++) {
      // 200 mails retried up to days apart, across midnights, with codes that come and go
      const t = T0 + k * 97_000
      const id = 1 + Math.floor(rand() * 200)
      text += rand() < 0.5 ? failed(t, id, codes[Math.floor(rand() * 4)]!, rand() < 0.5 ? `u${id}@example.org` : undefined) : sent(t, id, `u${id}@example.org`)
    }
    const evs = await all(text)
    for (const by of ['day', 'code', 'mail', 'recipient'] as const) expect(retriesReport(evs, by)).toEqual(naiveRetries(evs, by))
  })

  it('diagnose keeps the last LIST_CAP of each list and counts them all', async () => {
    const n = LIST_CAP + 37
    let text = ''
    for (let k = 0; k < n; k++) text += sent(T0 + k * 60e3, 1000 + k) + bounce(T0 + k * 60e3 + 1000, 1000 + k, `u${k}@example.org`)
    const d = diagnose(await all(text), 200)
    expect(d.counts.bounces).toBe(n)
    expect(d.bounces).toHaveLength(LIST_CAP)
    expect(d.bounces.map((b) => b.mailId)).toEqual(Array.from({ length: LIST_CAP }, (_, k) => 1000 + 37 + k))
    expect(d.attempts).toBe(n)
  })
})
