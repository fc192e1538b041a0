// A generated month of a busy Odoo 18.0 database, as Odoo.sh keeps it (dated .gz archives rotated
// at 05:00 UTC, odoo.log.1, odoo.log), with what it holds counted as it is written, so that tests
// check the reports against the generator and not only against each other.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { bounce, failed, failedWith, queueRun, sent, web } from '../../packages/mail/test/build.js'

export const MONTH_START = Date.UTC(2026, 9, 1) // 2026-10-01
const HOUR = 3600e3
const DAY = 24 * HOUR

/** The hostile strings a report must show as text. */
export const PROBES = {
  address: '<script>alert(1)</script>@x.com',
  reason: "</table><img src=x onerror=alert(2)> \u001bc\u0007rejected",
  bounced: '<b>bold</b>@evil.example',
}

export interface Month {
  dir: string
  /** Per UTC day: attempts, sent, failed, as written. */
  days: Map<string, { attempts: number; sent: number; failed: number }>
  /** Days whose 23:00-to-23:00 window passes the limit of 200. */
  busyDays: string[]
  /** The day without queue runs from 06:00 to 14:00. */
  gapDay: string
  bounces: number
}

/**
 * 30 days: the mail queue cron every hour (none from 06:00 to 14:00 on the 13th), 30 to 80 attempts
 * a day (230 on the 10th and the 20th, past the daily limit, the attempts after the 200th of the
 * window refused for quota), every 10th attempt refused (554, 550 naming the recipient, or a 421 that
 * goes out an hour later), a bounce a day; with `probes`, the PROBES strings in a refusal and a bounce on the day before the last (among the last 100 failures a report lists).
 */
export function writeMonth(dir: string, opts: { probes?: boolean; days?: number } = {}): Month {
  const nDays = opts.days ?? 30
  const records: [number, string][] = []
  const days = new Map<string, { attempts: number; sent: number; failed: number }>()
  const count = (ms: number, ok: boolean) => {
    const k = new Date(ms).toISOString().slice(0, 10)
    let d = days.get(k)
    if (!d) days.set(k, (d = { attempts: 0, sent: 0, failed: 0 }))
    d.attempts++
    if (ok) d.sent++
    else d.failed++
  }
  let id = 50000
  let bounces = 0
  const retry: [number, string][] = []
  const busy = new Set([9, 19])
  const windowCount = new Map<number, number>()
  const gapDay = 12
  for (let day = 0; day < nDays; day++) {
    const d0 = MONTH_START + day * DAY
    const perDay = busy.has(day) ? 230 : 30 + ((day * 13) % 50)
    for (let h = 0; h < 24; h++) {
      if (day === gapDay && h >= 6 && h < 14) continue
      const start = d0 + h * HOUR + 5
      // this hour's share of the day's attempts, and last hour's temporary failures again
      const n = Math.floor((perDay * (h + 1)) / 24) - Math.floor((perDay * h) / 24)
      const batch: ((t: number) => void)[] = retry.splice(0).map(([mid, to]) => (t: number) => {
        records.push([t, sent(t, mid, to, 15)])
        count(t, true)
      })
      for (let k = 0; k < n; k++) {
        const mid = ++id
        const to = `user${mid % 97}@domain${mid % 5}.example`
        batch.push((t) => {
          const w = Math.floor((t + HOUR) / DAY) // the 23:00-to-23:00 window
          const nth = (windowCount.get(w) ?? 0) + 1
          windowCount.set(w, nth)
          if (nth > 200) {
            records.push([t, failedWith(t, mid, 'SMTPDataError', "(554, b'5.7.1 Daily sending quota exceeded for this sender, try again after 23:00 UTC')", 15)])
            count(t, false)
          } else if (mid % 10 === 0) {
            const kind = (mid / 10) % 3
            if (kind === 0) records.push([t, failed(t, mid, 554, undefined, 15)])
            else if (kind === 1) records.push([t, failed(t, mid, 550, to, 15)])
            else {
              records.push([t, failed(t, mid, 421, undefined, 15)])
              retry.push([mid, to])
            }
            count(t, false)
          } else {
            records.push([t, sent(t, mid, to, 15)])
            count(t, true)
          }
        })
      }
      const seconds = 0.2 + batch.length * 0.006
      const [a, b] = queueRun(start, seconds)
      records.push([start, a])
      batch.forEach((f, k) => f(start + 100 + k * 5))
      records.push([start + seconds * 1000, b])
      records.push([d0 + h * HOUR + 30 * 60e3, web(d0 + h * HOUR + 30 * 60e3)])
    }
    const bt = d0 + 20 * HOUR + 17 * 60e3
    records.push([bt, bounce(bt, id - 3, `user${(id - 3) % 97}@domain${(id - 3) % 5}.example`)])
    bounces++
    if (opts.probes && day === nDays - 2) {
      const t = d0 + 15 * HOUR + 30 * 60e3
      records.push([t, failed(t, ++id, 550, PROBES.address, 15)])
      count(t, false)
      records.push([t + 10, failedWith(t + 10, ++id, 'SMTPDataError', `(554, b'5.7.1 ${PROBES.reason}')`, 15)])
      count(t + 10, false)
      records.push([t + 20, bounce(t + 20, id, PROBES.bounced)])
      bounces++
    }
  }
  records.sort((x, y) => x[0] - y[0])
  // Odoo.sh rotation: a file per day from 05:00 UTC; the last is odoo.log, the one before odoo.log.1
  mkdirSync(dir, { recursive: true })
  const files = new Map<number, string[]>()
  for (const [t, text] of records) {
    const f = Math.floor((t - 5 * HOUR) / DAY)
    let list = files.get(f)
    if (!list) files.set(f, (list = []))
    list.push(text)
  }
  const keys = [...files.keys()].sort((a, b) => a - b)
  keys.forEach((f, i) => {
    const body = files.get(f)!.join('')
    if (i === keys.length - 1) writeFileSync(join(dir, 'odoo.log'), body)
    else if (i === keys.length - 2) writeFileSync(join(dir, 'odoo.log.1'), body)
    else writeFileSync(join(dir, `odoo.log.${new Date((f + 1) * DAY).toISOString().slice(0, 10)}.gz`), gzipSync(body))
  })
  const iso = (day: number) => new Date(MONTH_START + day * DAY).toISOString().slice(0, 10)
  return { dir, days, busyDays: [...busy].filter((d) => d < nDays).map(iso), gapDay: iso(gapDay), bounces }
}
