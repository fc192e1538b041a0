/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// `odoolog diagnose --format html` opened in a real browser (Debian's Chromium through playwright-core):
// from file://, with and without JavaScript, on the examples and on a generated month with hostile
// strings in it. Skips with the reason where Chromium is missing; .ci/run installs it.
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromiumMissing, launch, openFile, type Opened } from '../helpers/browser.js'
import { PROBES, writeMonth, type Month } from '../helpers/month.js'
import { EXAMPLES, odoolog } from '../helpers/run.js'

const missing = chromiumMissing()
if (missing) console.warn(`skipping the browser tests: ${missing}`)

const tmp = mkdtempSync(join(tmpdir(), 'odoolog-html-'))
let browser: Browser
let month: Month

/** Writes the report and its JSON for the same arguments; the exit status must be 0. */
function report(name: string, args: string[], cwd?: string): { file: string; json: any } {
  const html = odoolog(['diagnose', '--format', 'html', ...args], { cwd })
  expect(html.status, html.stderr.toString()).toBe(0)
  const file = join(tmp, `${name}.html`)
  writeFileSync(file, html.stdout)
  const json = odoolog(['diagnose', '--format', 'json', ...args], { cwd })
  expect(json.status).toBe(0)
  return { file, json: JSON.parse(json.stdout.toString()) }
}

/** What a reader sees: totals, per-day rows, windows and queue rows, as the DOM holds them. */
async function figures(page: Page) {
  return page.evaluate(() => {
    const num = (el: Element | null) => Number(el?.textContent)
    const totals: Record<string, number> = {}
    for (const dd of document.querySelectorAll('[data-total]')) totals[(dd as HTMLElement).dataset.total!] = num(dd)
    const rows = (sel: string) =>
      [...document.querySelectorAll(sel)].map((tr) => {
        const o: Record<string, string | number> = {}
        for (const td of tr.querySelectorAll('[data-field]')) o[(td as HTMLElement).dataset.field!] = num(td)
        return { key: (tr as HTMLElement).dataset.day ?? (tr as HTMLElement).dataset.window!, ...o }
      })
    return { totals, days: rows('#day-table tbody tr'), windows: rows('#windows tbody tr'), queue: rows('#queue-table tbody tr') }
  })
}

/** The checks every report passes: no console error, no request, no dialog; the DOM's figures are the JSON's. */
async function checkReport(o: Opened, json: any) {
  expect(o.consoleErrors).toEqual([])
  expect(o.pageErrors).toEqual([])
  expect(o.requests).toEqual([])
  expect(o.dialogs).toEqual([])
  const f = await figures(o.page)
  expect(f.totals).toEqual({ attempts: json.attempts, sent: json.sent, failed: json.failed, late: json.counts.late, bounces: json.counts.bounces, incoming: json.counts.incoming })
  expect(f.days).toEqual(json.days.map((d: any) => ({ key: d.day, attempts: d.attempts, sent: d.sent, failed: d.failed, retries: d.retries, mails: d.mails })))
  expect(f.windows).toEqual(json.limit.windows.map((w: any) => ({ key: w.start, attempts: w.attempts })))
  expect(f.queue).toEqual(json.queue.days.map((q: any) => ({ key: q.day, runs: q.runs })))
  // accessible basics: a language, headings that never skip a level, a header cell for every column
  const a11y = await o.page.evaluate(() => {
    const levels = [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].map((h) => Number(h.tagName[1]))
    const tables = [...document.querySelectorAll('table')].map((t) => ({ heads: t.querySelectorAll('thead th').length, cols: t.querySelector('tbody tr')?.children.length ?? 0 }))
    const charts = [...document.querySelectorAll('svg')].map((s) => ({ role: s.getAttribute('role'), label: (s.getAttribute('aria-labelledby') ?? '').split(' ').map((id) => document.getElementById(id)?.textContent ?? '').join(' ') }))
    return { lang: document.documentElement.lang, levels, tables, charts }
  })
  expect(a11y.lang).toBe('en')
  expect(a11y.levels[0]).toBe(1)
  a11y.levels.forEach((l, i) => i && expect(l).toBeLessThanOrEqual(a11y.levels[i - 1]! + 1))
  for (const t of a11y.tables) if (t.cols) expect(t.heads).toBe(t.cols)
  expect(a11y.charts.length).toBeGreaterThan(0)
  for (const c of a11y.charts) {
    expect(c.role).toBe('img')
    expect(c.label.trim().length).toBeGreaterThan(10)
  }
}

describe.skipIf(!!missing)('diagnose --format html in Chromium', () => {
  beforeAll(async () => {
    browser = await launch()
    month = writeMonth(join(tmp, 'month'), { probes: true })
  }, 60_000)
  afterAll(async () => {
    await browser?.close()
    rmSync(tmp, { recursive: true, force: true })
  })

  it('the examples: every section, figures equal to the JSON, no request, no console error; a screenshot', async () => {
    // named as a reader would type it, from the repository's root (the README's picture shows it)
    const { file, json } = report('examples', ['examples/logs/sample'], join(EXAMPLES, '../../..'))
    const o = await openFile(browser, file)
    await checkReport(o, json)
    const sections = await o.page.$$eval('main > section', (s) => s.map((x) => x.id))
    expect(sections).toEqual(['advice', 'days', 'codes', 'queue', 'failures', 'late', 'bounces', 'incoming'])
    const header = await o.page.textContent('header')
    expect(header).toMatch(/Files read \(5\): examples\/logs\/sample\/: odoo\.log\.2026-11-23\.gz, odoo\.log\.2026-11-24\.gz, odoo\.log\.2026-11-25\.gz, odoo\.log\.1, odoo\.log\./)
    // each piece of advice names its evidence; the examples call for these
    const advice = await o.page.$$eval('#advice li', (l) => l.map((x) => x.textContent ?? ''))
    expect(advice.some((a) => /permanent failure/.test(a) && /554 from example\.com \(3\)/.test(a))).toBe(true)
    expect(advice.some((a) => /23:00 UTC/.test(a) && /1 failure naming a quota/.test(a))).toBe(true)
    expect(advice.some((a) => /mail\.bounce\.alias/.test(a) && /2 failures with no SMTP code/.test(a))).toBe(true)
    const shot = join(tmp, 'examples.png')
    await o.page.screenshot({ path: shot, fullPage: true })
    expect(statSync(shot).size).toBeGreaterThan(10_000)
    // the README's picture comes from this same page: ODOOLOG_SCREENSHOT=$PWD/docs/diagnose-html.png,
    // from the top to the end of the chart per day
    const readmeShot = process.env.ODOOLOG_SCREENSHOT
    if (readmeShot) {
      const chart = (await o.page.locator('#days figure').boundingBox())!
      mkdirSync(dirname(readmeShot), { recursive: true })
      await o.page.screenshot({ path: readmeShot, clip: { x: 0, y: 0, width: 1100, height: Math.ceil(chart.y + chart.height + 16) }, fullPage: true })
    }
    await o.close()
  }, 60_000)

  it('a generated month: figures equal to the JSON and to what was written, the limit windows and the cron gap shown', async () => {
    const { file, json } = report('month', [month.dir])
    expect(statSync(file).size).toBeLessThan(1_000_000)
    // the JSON against the generator, so that the two agreeing means something
    expect(json.days.map((d: any) => [d.day, d.attempts, d.sent, d.failed])).toEqual([...month.days].map(([day, d]) => [day, d.attempts, d.sent, d.failed]))
    expect(json.counts.bounces).toBe(month.bounces)
    const o = await openFile(browser, file)
    await checkReport(o, json)
    const reached = await o.page.$$eval('#windows tbody tr', (rows) => rows.filter((r) => (r as HTMLTableRowElement).cells[5]!.textContent).map((r) => (r as HTMLElement).dataset.window!.slice(0, 10)))
    // a window starts at 23:00 the day before the busy day
    expect(reached.map((d) => new Date(Date.parse(d) + 86400e3).toISOString().slice(0, 10))).toEqual(month.busyDays)
    expect(await o.page.locator('#days svg circle.reached').count()).toBe(month.busyDays.length)
    expect(await o.page.textContent('#gaps')).toContain(`${month.gapDay} 05:00:00`)
    // one bar group per day with attempts, its numbers in its tooltip
    const tips = await o.page.$$eval('#days svg g > title', (t) => t.map((x) => x.textContent ?? '').filter((x) => /^\d{4}-\d\d-\d\d: /.test(x)))
    expect(tips).toEqual(json.days.map((d: any) => `${d.day}: ${d.attempts} attempts, ${d.sent} sent, ${d.failed} failed`))
    await o.page.screenshot({ path: join(tmp, 'month.png'), fullPage: true })
    await o.close()
  }, 120_000)

  it('log text renders as text: a <script> address, a reason with </table> and <img onerror>, ESC and BEL bytes', async () => {
    const { file } = report('probes', [month.dir])
    const o = await openFile(browser, file)
    expect(o.dialogs).toEqual([])
    expect(o.requests).toEqual([])
    const dom = await o.page.evaluate(() => ({
      scripts: document.scripts.length,
      images: document.images.length,
      tables: document.querySelectorAll('table').length,
      sortable: document.querySelectorAll('table.sortable').length,
      failures: [...document.querySelectorAll('#failure-table td')].map((td) => td.textContent ?? ''),
      bounces: [...document.querySelectorAll('#bounces td')].map((td) => td.textContent ?? ''),
      codes: [...document.querySelectorAll('#permanent td')].map((td) => td.textContent ?? ''),
    }))
    expect(dom.scripts).toBe(1)
    expect(dom.images).toBe(0)
    expect(dom.tables).toBe(dom.sortable) // no table came from the log
    expect(dom.failures).toContain(PROBES.address)
    expect(dom.failures.some((c) => c.includes('</table><img src=x onerror=alert(2)> ^[c^Grejected'))).toBe(true)
    expect(dom.bounces).toContain(PROBES.bounced)
    expect(dom.codes).toContain('x.com')
    await o.close()
  }, 60_000)

  it('with JavaScript off: the charts, tables and advice are all there; sorting is the only thing lost', async () => {
    const { file } = report('nojs', [EXAMPLES])
    const o = await openFile(browser, file, { javaScript: false })
    const dom = await o.page.evaluate(() => ({
      bars: document.querySelectorAll('#days svg rect.sent').length,
      rows: document.querySelectorAll('#day-table tbody tr').length,
      buttons: document.querySelectorAll('th button').length,
      advice: document.querySelectorAll('#advice li').length,
    }))
    expect(dom).toEqual({ bars: 5, rows: 5, buttons: 0, advice: 7 })
    expect(o.consoleErrors).toEqual([])
    await o.close()
  }, 60_000)

  it('with JavaScript on: a click on a column header sorts the table, numbers as numbers', async () => {
    const { file } = report('sort', [month.dir])
    const o = await openFile(browser, file)
    const column = async () => o.page.$$eval('#day-table tbody tr td[data-field="attempts"]', (tds) => tds.map((td) => Number(td.textContent)))
    const before = await column()
    await o.page.click('#day-table thead th:nth-child(2) button')
    const up = await column()
    expect(up).toEqual([...before].sort((a, b) => a - b))
    expect(await o.page.getAttribute('#day-table thead th:nth-child(2)', 'aria-sort')).toBe('ascending')
    await o.page.click('#day-table thead th:nth-child(2) button')
    expect(await column()).toEqual([...before].sort((a, b) => b - a))
    expect(o.consoleErrors).toEqual([])
    await o.close()
  }, 60_000)

  it('prints: the charts are in the print layout and a PDF comes out', async () => {
    const { file } = report('print', [EXAMPLES])
    const o = await openFile(browser, file)
    await o.page.emulateMedia({ media: 'print' })
    const box = await o.page.locator('#days svg').boundingBox()
    expect(box && box.width > 300 && box.height > 100).toBe(true)
    const pdf = await o.page.pdf({ format: 'A4' })
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-')
    expect(o.consoleErrors).toEqual([])
    await o.close()
  }, 60_000)

  it('--to: the recipient timeline comes first, the redacted successes in it as logged', async () => {
    const { file, json } = report('to', ['--to', 'jdoe@example.com', EXAMPLES])
    const o = await openFile(browser, file)
    await checkReport(o, json)
    const sections = await o.page.$$eval('main > section', (s) => s.map((x) => x.id))
    expect(sections[0]).toBe('timeline')
    const rows = await o.page.$$eval('#timeline tbody tr', (r) => r.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)))
    expect(rows.length).toBe(json.timeline.length)
    expect(rows.filter((r) => r[1] === 'sent').map((r) => r[4])).toEqual(json.timeline.filter((e: any) => e.status === 'sent').map((e: any) => e.recipient))
    expect(rows.some((r) => r[4] === 'j***@example.com')).toBe(true)
    await o.close()
  }, 60_000)
})
