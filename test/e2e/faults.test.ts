import { spawnSync } from 'node:child_process'
import { createWriteStream, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { finished } from 'node:stream/promises'
import { constants as zc, createGzip, gunzipSync, gzipSync } from 'node:zlib'
import { beforeAll, describe, expect, it } from 'vitest'
import { BIN, gnuGrep, gnuGrepMissing, odoolog } from '../helpers/run.js'

const rec = (i: number) => `2026-05-01 08:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')},000 4 INFO db odoo.addons.mail.models.mail_mail: Mail with ID ${i} and Message-Id '<m${i}@x>' successfully sent \n`

let dir: string
let good: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'odoolog-faults-'))
  good = Array.from({ length: 3000 }, (_, i) => rec(i)).join('')
  const gz = gzipSync(good, { level: 1 })
  writeFileSync(join(dir, 'good.log'), good)
  writeFileSync(join(dir, 'trunc.gz'), gz.subarray(0, Math.floor(gz.length / 2)))
  const corrupt = Buffer.from(gz)
  corrupt.fill(0x55, 2000, 2100)
  writeFileSync(join(dir, 'corrupt.gz'), corrupt)
})

describe('damaged and missing input: clear one-line errors, nothing lost', () => {
  it('a truncated gzip: every complete line before the damage is searched, one line names the file, exit 2', () => {
    const r = odoolog(['grep', '-c', 'successfully', 'trunc.gz', 'good.log'], { cwd: dir })
    expect(r.stderr).toBe('odoolog: trunc.gz: unexpected end of file\n')
    expect(r.status).toBe(2)
    // the complete lines zlib can give back from the half file, counted by GNU grep if present
    const partial = gunzipSync(readFileSync(join(dir, 'trunc.gz')), { finishFlush: zc.Z_SYNC_FLUSH })
    const complete = partial.subarray(0, partial.lastIndexOf(10) + 1)
    const n = complete.toString().split('\n').length - 1
    expect(n).toBeGreaterThan(100)
    expect(r.stdout.toString()).toBe(`trunc.gz:${n}\ngood.log:3000\n`)
    if (!gnuGrepMissing()) expect(gnuGrep(['-c', 'successfully'], { input: complete }).stdout.toString()).toBe(`${n}\n`)
    const lines = odoolog(['grep', 'successfully', 'trunc.gz'], { cwd: dir })
    expect(lines.stdout.equals(complete)).toBe(true)
  })
  it('a corrupt gzip: the matches before the damage, then the error; other files still searched', async () => {
    const r = odoolog(['grep', '-h', 'ID 1 ', 'corrupt.gz', 'good.log'], { cwd: dir })
    expect(r.stderr).toMatch(/^odoolog: corrupt\.gz: invalid compressed data \(.+\)\n$/)
    expect(r.stdout.toString()).toBe(rec(1) + rec(1))
    expect(r.status).toBe(2)
    // zlib drops the output chunk it was filling at the damage: odoolog inflates the file again
    // member by member, and gives exactly what gzip -d gives before it stops (zgrep's input)
    const gz = spawnSync('gzip', ['-cd', 'corrupt.gz'], { cwd: dir, maxBuffer: 1 << 26 })
    expect(gz.status).not.toBe(0)
    const all = odoolog(['grep', '-a', '', 'corrupt.gz'], { cwd: dir })
    expect(all.stdout.length).toBeGreaterThan(100_000)
    const complete = gz.stdout.subarray(0, gz.stdout.lastIndexOf(10) + 1)
    expect(all.stdout.subarray(0, complete.length).equals(complete)).toBe(true)
    expect(all.stdout.length - gz.stdout.length).toBe(gz.stdout[gz.stdout.length - 1] === 10 ? 0 : 1) // grep ends the last line
    const count = Number(odoolog(['grep', '-c', 'successfully', 'corrupt.gz'], { cwd: dir }).stdout.toString())
    expect(count).toBe(complete.toString('latin1').split('\n').filter((l) => l.includes('successfully')).length + (gz.stdout.subarray(complete.length).includes('successfully') ? 1 : 0))
  })
  it('a stored gzip (gzip -0) damaged across block headers: the bytes before the damage, then the error', () => {
    // zlib never called back the write that met this damage: the run exited with Node's 13, no
    // output and no message
    const stored = gzipSync(good, { level: 0 })
    stored.fill(0x55, 70_000, stored.length - 70_000)
    writeFileSync(join(dir, 'stored.gz'), stored)
    const r = odoolog(['grep', '-c', 'successfully', 'stored.gz', 'good.log'], { cwd: dir })
    expect(r.stderr).toMatch(/^odoolog: stored\.gz: invalid compressed data \(.+\)\n$/)
    expect(r.status).toBe(2)
    const gz = spawnSync('gzip', ['-cd', 'stored.gz'], { cwd: dir, maxBuffer: 1 << 26 })
    expect(gz.status).not.toBe(0)
    const complete = gz.stdout.subarray(0, gz.stdout.lastIndexOf(10) + 1)
    const n = complete.toString('latin1').split('\n').filter((l) => l.includes('successfully')).length
    // the first stored block at least (65,535 bytes, 501 lines); gzip -d gives the second one too,
    // whose end is damaged: zlib drops the output of the read that meets the damage
    const [, ours] = /^stored\.gz:(\d+)\ngood\.log:3000\n$/.exec(r.stdout.toString()) ?? []
    expect(Number(ours)).toBeGreaterThanOrEqual(good.slice(0, 65_535).split('\n').length - 1)
    expect(Number(ours)).toBeLessThanOrEqual(n)
  })
  it('a missing file: reported in its turn, the others searched, exit 2 (or 0 with -q and a match)', () => {
    const r = odoolog(['grep', '-c', 'ID 7 ', 'nope.log', 'good.log'], { cwd: dir })
    expect(r.stderr).toBe('odoolog: nope.log: No such file or directory\n')
    expect(r.stdout.toString()).toBe('good.log:1\n')
    expect(r.status).toBe(2)
    expect(odoolog(['grep', '-q', 'ID 7 ', 'nope.log', 'good.log'], { cwd: dir }).status).toBe(0)
    const quiet = odoolog(['grep', '-s', 'x', 'nope.log'], { cwd: dir })
    expect([quiet.status, quiet.stderr]).toEqual([2, ''])
  })
  it("an unknown flag: a short usage message naming the command's help; a bad pattern: grep's message alone; nothing on stdout, exit 2", () => {
    for (const [args, help] of [[['grep', '--bogus', 'x', 'good.log'], ' grep'], [['grep'], ' grep'], [['nosuchcommand'], '']] as const) {
      const r = odoolog([...args], { cwd: dir })
      expect(r.stdout.length).toBe(0)
      expect(r.status).toBe(2)
      expect(r.stderr).toMatch(new RegExp(`^odoolog: .+\nTry 'odoolog${help} --help' for more information\\.\n$`))
    }
    for (const args of [['grep', 'a\\(', 'good.log'], ['grep', '-E', '(', 'good.log']]) {
      const r = odoolog(args, { cwd: dir })
      expect([r.stdout.length, r.status, r.stderr]).toEqual([0, 2, 'odoolog: Unmatched ( or \\(\n'])
    }
  })
  it('a folder with no Odoo log: exit 2', () => {
    const empty = mkdtempSync(join(tmpdir(), 'odoolog-empty-'))
    const r = odoolog(['grep', 'x', empty])
    expect(r.status).toBe(2)
    expect(r.stderr).toContain('no Odoo log in this directory')
  })
  it('a closed pipe (| head -1) ends the run at once, silently, exit 0', () => {
    const r = spawnSync('bash', ['-c', `node ${BIN} grep '' good.log good.log good.log | head -1; echo "status=\${PIPESTATUS[0]}" >&2`], { cwd: dir })
    expect(r.stdout.toString()).toBe('good.log:' + rec(0))
    expect(r.stderr.toString()).toBe('status=0\n')
  })
  it('PATTERN and PATH stay strings: 554 and 007 are not numbers; "" selects every line', () => {
    writeFileSync(join(dir, '007'), 'code 554\nx\n')
    expect(odoolog(['grep', '554', '007'], { cwd: dir }).stdout.toString()).toBe('code 554\n')
    expect(odoolog(['grep', '-c', '', '007'], { cwd: dir }).stdout.toString()).toBe('2\n')
  })
})

describe('colour and terminals', () => {
  it('auto is off through a pipe, always wins, NO_COLOR does not turn always off', () => {
    expect(odoolog(['grep', 'ID 5 ', 'good.log'], { cwd: dir }).stdout.toString()).not.toContain('\x1b[')
    const always = odoolog(['grep', '--color=always', 'ID 5 ', 'good.log'], { cwd: dir, env: { NO_COLOR: '1' } })
    expect(always.stdout.toString()).toContain('\x1b[01;31m\x1b[KID 5 \x1b[m\x1b[K')
    const custom = odoolog(['grep', '--color=always', 'ID 5 ', 'good.log'], { cwd: dir, env: { GREP_COLORS: 'ms=04;32:ne' } })
    expect(custom.stdout.toString()).toContain('\x1b[04;32mID 5 \x1b[m')
  })
})

describe('memory stays flat', () => {
  it('a gzip bomb (1 GiB of zeros) is searched in flat memory', async () => {
    const bomb = join(dir, 'bomb.gz')
    const gz = createGzip({ level: 1 })
    const out = createWriteStream(bomb)
    gz.pipe(out)
    const zeros = Buffer.alloc(1 << 20)
    for (let i = 0; i < 1024; i++) if (!gz.write(zeros)) await new Promise((r) => gz.once('drain', r))
    gz.end()
    await finished(out)
    const script = `import { main } from ${JSON.stringify(new URL('../../packages/cli/dist/index.js', import.meta.url).href)}
const code = await main(['grep', '-c', 'jdoe', ${JSON.stringify(bomb)}])
process.stderr.write('RSS ' + process.resourceUsage().maxRSS + ' code ' + code)`
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { maxBuffer: 1 << 20 })
    expect(r.stdout.toString()).toBe('0\n')
    const [, rssKb, code] = /RSS (\d+) code (\d+)/.exec(r.stderr.toString())!
    expect(code).toBe('1')
    expect(Number(rssKb)).toBeLessThan(150 * 1024)
  }, 120_000)
})

