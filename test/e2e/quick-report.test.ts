import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, describe, expect, it } from 'vitest'
import { failed, queueRun, sent, web } from '../../packages/mail/test/build.js'
import { EXAMPLES, odoolog } from '../helpers/run.js'
import { rng } from '../helpers/rng.js'

// `report retries --by day` reads a mass mailing's logs (and any logs with --no-cache) without the
// parser (packages/mail/src/quick.ts). The parser still reads them with --since: a window that holds
// every record gives the same rows, so the two readings are compared here through the CLI.

const tmp = mkdtempSync(join(tmpdir(), 'odoolog-quick-cli-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

const DAY = 86400e3
const START = Date.UTC(2026, 10, 1, 5, 0, 0)

/** Four days of a mass mailing (a send every 2 s, refusals, retries an hour later), as Odoo.sh rotates them. */
function massMailing(): string {
  const dir = join(tmp, 'mass')
  mkdirSync(dir)
  const r = rng(7)
  let id = 1000
  const files: string[] = []
  for (let d = 0; d < 4; d++) {
    let text = ''
    const retry: number[] = []
    for (let t = START + d * DAY; t < START + (d + 1) * DAY; t += 2000) {
      if (t % 300e3 < 2000) text += queueRun(t, 1).join('')
      const x = r()
      if (x < 0.9) text += sent(t, id++, `c${id}@example.org`, 20 + (id % 3))
      else if (x < 0.94) {
        text += failed(t, id, 421, undefined, 20 + (id % 3))
        retry.push(id++)
      } else if (x < 0.96) text += failed(t, id++, 550, `gone${id}@example.org`, 20 + (id % 3))
      else text += web(t)
      if (retry.length && r() < 0.05) text += sent(t + 1000, retry.shift()!, `again@example.org`, 22)
    }
    files.push(text)
  }
  files.forEach((text, d) => {
    const name = d === 3 ? 'odoo.log' : d === 2 ? 'odoo.log.1' : `odoo.log.2026-11-0${d + 2}.gz`
    writeFileSync(join(dir, name), name.endsWith('.gz') ? gzipSync(text) : text)
  })
  return dir
}

describe('report retries --by day without the parser', () => {
  const dir = massMailing()

  it('gives the rows the parser gives, in every format', () => {
    for (const format of ['json', 'tsv', 'csv', 'table']) {
      const quick = odoolog(['report', 'retries', '--by', 'day', '--format', format, dir])
      const parser = odoolog(['report', 'retries', '--by', 'day', '--format', format, '--since', '2000-01-01', dir])
      expect(quick.stderr).toBe('')
      expect(quick.status).toBe(0)
      expect(quick.stdout.toString()).toBe(parser.stdout.toString())
    }
    const rows = JSON.parse(odoolog(['report', 'retries', '--by', 'day', '--format', 'json', dir]).stdout.toString())
    expect(rows.length).toBe(5)
    expect(rows.reduce((s: number, r: { attempts: number }) => s + r.attempts, 0)).toBeGreaterThan(150000)
    expect(rows.some((r: { retries: number; codes: Record<string, number> }) => r.retries > 0 && r.codes['421'] && r.codes['550'])).toBe(true)
  })

  it('with --no-cache, on the examples', () => {
    const quick = odoolog(['report', 'retries', '--by', 'day', '--format', 'json', '--no-cache', EXAMPLES])
    const parser = odoolog(['report', 'retries', '--by', 'day', '--format', 'json', '--since', '2000-01-01', EXAMPLES])
    expect(quick.status).toBe(0)
    expect(quick.stdout.toString()).toBe(parser.stdout.toString())
  })

  it('says the same on stderr, with the same status, for a PATH without records', () => {
    const notLog = join(tmp, 'notes.txt')
    writeFileSync(notLog, 'shopping list\n')
    const quick = odoolog(['report', 'retries', '--by', 'day', '--format', 'tsv', dir, notLog])
    const parser = odoolog(['report', 'retries', '--by', 'day', '--format', 'tsv', '--since', '2000-01-01', dir, notLog])
    expect(quick.stderr).toBe(`odoolog: ${notLog}: no Odoo log record\n`)
    expect(quick.stderr).toBe(parser.stderr)
    expect(quick.status).toBe(0)
    expect(quick.stdout.toString()).toBe(parser.stdout.toString())
    const only = odoolog(['report', 'retries', '--by', 'day', '--no-cache', notLog])
    expect(only.stdout.toString()).toBe('')
    expect(only.stderr).toBe(`odoolog: ${notLog}: no Odoo log record\n`)
    expect(only.status).toBe(1)
  })

  it('gives up early in a file (a coloured line): the parser reads the same files again, from their start', () => {
    const mixed = join(tmp, 'mixed')
    mkdirSync(mixed)
    const day = (from: number, n: number, id: number) => Array.from({ length: n }, (_, i) => sent(from + i * 2, id + i, `m${i}@example.org`))
    writeFileSync(join(mixed, 'odoo.log.2026-11-02.gz'), gzipSync(day(START, 4000, 700).join('')))
    // 6 MB: the quick reading leaves it in its first block, with the rest unread
    const lines = day(START + DAY, 40000, 9000)
    lines.splice(500, 0, `\x1b[32m${sent(START + DAY + 1000, 1)}`)
    writeFileSync(join(mixed, 'odoo.log.1'), lines.join(''))
    writeFileSync(join(mixed, 'odoo.log'), sent(START + 2 * DAY, 9999))
    const quick = odoolog(['report', 'retries', '--by', 'day', '--format', 'tsv', '--no-cache', mixed])
    const parser = odoolog(['report', 'retries', '--by', 'day', '--format', 'tsv', '--since', '2000-01-01', mixed])
    expect(quick.stderr).toBe('')
    expect(quick.status).toBe(0)
    expect(quick.stdout.toString()).toBe(parser.stdout.toString())
    expect(quick.stdout.toString()).toContain('\t40001\t40001\t')
  })

  it('a PATH that cannot be read: the parser reads the others and names it, as without the quick reading', () => {
    const missing = join(tmp, 'no-such-file.log')
    const quick = odoolog(['report', 'retries', '--by', 'day', '--format', 'tsv', '--no-cache', dir, missing])
    const parser = odoolog(['report', 'retries', '--by', 'day', '--format', 'tsv', '--since', '2000-01-01', dir, missing])
    expect(quick.status).toBe(2)
    expect(quick.stderr).toContain(missing)
    expect(quick.stderr).toBe(parser.stderr)
    expect(quick.stdout.toString()).toBe(parser.stdout.toString())
    expect(quick.stdout.toString().split('\n').length).toBe(7)
  })

  it('a damaged archive: the parser reads it, prints what it could read and names the file', () => {
    const bad = join(tmp, 'bad')
    mkdirSync(bad)
    const text = Array.from({ length: 3000 }, (_, i) => sent(START + i * 1000, 500 + i, `d${i}@example.org`)).join('')
    const gz = gzipSync(text)
    gz[gz.length - 20]! ^= 0xff
    writeFileSync(join(bad, 'odoo.log.2026-11-02.gz'), gz)
    writeFileSync(join(bad, 'odoo.log'), sent(START + 2 * DAY, 9999))
    const r = odoolog(['report', 'retries', '--by', 'day', '--format', 'tsv', '--no-cache', bad])
    expect(r.status).toBe(2)
    expect(r.stderr).toContain('odoo.log.2026-11-02.gz')
    expect(r.stdout.toString()).toContain('2026-11-03\t1\t1\t0\t0\t1\t')
  })
})
