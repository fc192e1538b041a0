#!/usr/bin/env node
// pnpm bench [--rounds N] [--size 1g]: odoolog side by side with zgrep, ripgrep and ugrep in one run.
// Every command's output is read through a pipe (never /dev/null, where grep-like tools stop at the
// first match). Prints medians, ratios to zgrep and to the floor, and odoolog's peak RSS.
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { corpus, NEEDLE } from './corpus.mjs'

const args = process.argv.slice(2)
const opt = (name, dflt) => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : dflt
}
const rounds = Number(opt('--rounds', '5'))
const size = opt('--size', '')
const mbPerDay = size === '1g' ? 34 : 12
const BIN = fileURLToPath(new URL('../packages/cli/bin/odoolog.js', import.meta.url))
const FLOOR = fileURLToPath(new URL('./floor.mjs', import.meta.url))

const dir = await corpus(mbPerDay)
const names = readdirSync(dir).filter((n) => n.startsWith('odoo.log'))
const dated = names.filter((n) => /\d{4}-\d{2}-\d{2}/.test(n)).sort()
const ordered = [...dated, 'odoo.log.1', 'odoo.log'].map((n) => join(dir, n))
const plain = [join(dir, 'odoo.log.1'), join(dir, 'odoo.log')]
const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0
const rssDir = mkdtempSync(join(tmpdir(), 'odoolog-rss-'))

/** Runs a command, reads all its stdout, returns seconds, output size and (for odoolog) peak RSS in MB. */
function run(cmd, argv, { rss = false, keep = false } = {}) {
  return new Promise((resolve, reject) => {
    const rssFile = join(rssDir, `${Math.random()}`)
    const [c, a] = rss ? ['/usr/bin/time', ['-f', '%M', '-o', rssFile, cmd, ...argv]] : [cmd, argv]
    const t0 = process.hrtime.bigint()
    const p = spawn(c, a, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, LC_ALL: 'C' } })
    let bytes = 0
    const chunks = []
    p.stdout.on('data', (d) => {
      bytes += d.length
      if (keep) chunks.push(d)
    })
    p.on('error', reject)
    p.on('close', (code) => {
      const s = Number(process.hrtime.bigint() - t0) / 1e9
      const mb = rss ? Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop()) / 1024 : null
      resolve({ s, bytes, code, mb, out: keep ? Buffer.concat(chunks) : null })
    })
  })
}

const node = process.execPath
const commands = [
  { name: 'zgrep -F', cmd: 'zgrep', argv: ['-F', NEEDLE, ...ordered] },
  { name: 'floor (Node inflate, 3 at a time)', cmd: node, argv: [FLOOR, dir] },
  { name: 'odoolog grep -F', cmd: node, argv: [BIN, 'grep', '-F', NEEDLE, dir], rss: true },
  ...(has('rg') ? [{ name: 'rg -z -F', cmd: 'rg', argv: ['-z', '-F', '--no-heading', '--with-filename', NEEDLE, ...ordered] }] : []),
  ...(has('ugrep') ? [{ name: 'ugrep -z -F', cmd: 'ugrep', argv: ['-z', '-F', NEEDLE, ...ordered] }] : []),
  { name: 'odoolog report retries --by day', cmd: node, argv: [BIN, 'report', 'retries', '--by', 'day', '--format', 'tsv', dir], rss: true },
  { name: 'grep -F (odoo.log + odoo.log.1)', cmd: 'grep', argv: ['-F', NEEDLE, ...plain] },
  { name: 'odoolog grep -F (odoo.log + odoo.log.1)', cmd: node, argv: [BIN, 'grep', '-F', NEEDLE, ...plain], rss: true },
]
if (!has('rg')) console.error('rg not installed: skipped (apt-get install ripgrep)')
if (!has('ugrep')) console.error('ugrep not installed: skipped (apt-get install ugrep)')

// Same lines as zgrep: odoolog names files DIR/NAME, zgrep as given, and the paths here are the same.
const z = await run('zgrep', ['-F', NEEDLE, ...ordered], { keep: true })
const o = await run(node, [BIN, 'grep', '-F', NEEDLE, dir], { keep: true })
const same = z.out.equals(o.out)
console.log(`corpus: ${dir} (${names.length} files), needle lines: ${z.out.toString().split('\n').length - 1}, odoolog output = zgrep output: ${same ? 'yes' : 'NO'}`)

const times = new Map(commands.map((c) => [c.name, []]))
const rss = new Map()
for (let r = 0; r < rounds; r++) {
  for (const c of r % 2 ? [...commands].reverse() : commands) {
    const res = await run(c.cmd, c.argv, { rss: c.rss })
    times.get(c.name).push(res.s)
    if (res.mb !== null) rss.set(c.name, Math.max(rss.get(c.name) ?? 0, res.mb))
  }
  if (process.stderr.isTTY) process.stderr.write(`\rround ${r + 1}/${rounds}`)
}
if (process.stderr.isTTY) process.stderr.write('\n')
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}
const med = new Map([...times].map(([k, v]) => [k, median(v)]))
const zg = med.get('zgrep -F')
const floor = med.get('floor (Node inflate, 3 at a time)')
const gp = med.get('grep -F (odoo.log + odoo.log.1)')
const rows = commands.map((c) => {
  const m = med.get(c.name)
  const plainRow = c.name.includes('odoo.log + odoo.log.1')
  return [c.name, m.toFixed(3), plainRow ? '' : (m / zg).toFixed(2), plainRow ? '' : (m / floor).toFixed(2), plainRow ? (m / gp).toFixed(2) : '', rss.has(c.name) ? rss.get(c.name).toFixed(0) : '']
})
const head = ['command', 'median s', 'x zgrep', 'x floor', 'x grep -F', 'peak RSS MB']
const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)))
const line = (r) => r.map((v, i) => (i === 0 ? v.padEnd(w[i]) : v.padStart(w[i]))).join('  ')
console.log(`${rounds} rounds, alternating order, ${process.platform} ${process.arch}, node ${process.version}`)
console.log(line(head))
for (const r of rows) console.log(line(r))
