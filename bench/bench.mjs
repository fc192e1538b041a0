#!/usr/bin/env node
// pnpm bench [--rounds N] [--size 1g] [--mail-days N] [--only grep|mail] [--against CHECKOUT]: odoolog side by side with
// zgrep, ripgrep and ugrep in one run. Every command's output is read through a pipe (never /dev/null,
// where grep-like tools stop at the first match). Prints medians, ratios and odoolog's peak RSS.
//   --against CHECKOUT  also runs the odoolog built in another checkout (a before/after in one run)
//   --only grep|mail    one of the two folders
// odoolog's cache: every run starts with an empty cache folder of its own (it writes its entries:
// cold), but the rows marked (warm), which read a folder filled by one run before the rounds.
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { corpus, NEEDLE, ONE_ID } from './corpus.mjs'
import { contact, expectedTotals, mailCorpus } from './mail-corpus.mjs'

/** A regex with a class run, alternation and an interval: the automaton's row (zgrep -E is its peer). */
const REGEX = "SMTP[A-Za-z]+: \\{'[a-z0-9.]+@example\\.(org|com)': \\(5[0-9]{2}"

const args = process.argv.slice(2)
const opt = (name, dflt) => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : dflt
}
const rounds = Number(opt('--rounds', '5'))
const size = opt('--size', '')
const mailDays = Number(opt('--mail-days', '30'))
const against = opt('--against', '')
const only = opt('--only', '')
const mbPerDay = size === '1g' ? 34 : 12
const BIN = fileURLToPath(new URL('../packages/cli/bin/odoolog.js', import.meta.url))
const OTHER = against ? join(resolve(against), 'packages/cli/bin/odoolog.js') : null
const FLOOR = fileURLToPath(new URL('./floor.mjs', import.meta.url))
const COUNT_FLOOR = fileURLToPath(new URL('./count-floor.mjs', import.meta.url))
const node = process.execPath
const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0
const rssDir = mkdtempSync(join(tmpdir(), 'odoolog-rss-'))
if (!has('rg')) console.error('rg not installed: skipped (apt-get install ripgrep)')
if (!has('ugrep')) console.error('ugrep not installed: skipped (apt-get install ugrep)')

/** The folder's files, oldest first, as zgrep and the peers are given them. */
function ordered(dir) {
  const names = readdirSync(dir).filter((n) => n.startsWith('odoo.log'))
  return [...names.filter((n) => /\d{4}-\d{2}-\d{2}/.test(n)).sort(), 'odoo.log.1', 'odoo.log'].map((n) => join(dir, n))
}

/**
 * Runs a command and reads its stdout: seconds, bytes, peak RSS in MB (with `rss`, for odoolog), and
 * with `first`, the seconds to its first line (then it is stopped, as `| head -1` would).
 */
function run(cmd, argv, { rss = false, keep = false, first = false, cache = null } = {}) {
  return new Promise((resolve, reject) => {
    const rssFile = join(rssDir, `${Math.random()}`)
    const [c, a] = rss ? ['/usr/bin/time', ['-f', '%M', '-o', rssFile, cmd, ...argv]] : [cmd, argv]
    const cold = cache ? null : join(rssDir, `cache-${Math.random()}`)
    const t0 = process.hrtime.bigint()
    const p = spawn(c, a, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, LC_ALL: 'C', ODOOLOG_CACHE_DIR: cache ?? cold } })
    let bytes = 0
    let firstAt = null
    const chunks = []
    p.stdout.on('data', (d) => {
      bytes += d.length
      if (keep) chunks.push(d)
      if (first && firstAt === null && d.includes(10)) {
        firstAt = Number(process.hrtime.bigint() - t0) / 1e9
        p.stdout.destroy()
      }
    })
    p.on('error', reject)
    p.on('close', (code) => {
      const s = first ? firstAt : Number(process.hrtime.bigint() - t0) / 1e9
      const mb = rss ? Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop()) / 1024 : null
      if (cold) rmSync(cold, { recursive: true, force: true })
      resolve({ s, bytes, code, mb, out: keep ? Buffer.concat(chunks) : null })
    })
  })
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

/** Alternating rounds over a section's commands; prints its table (ratios to the `base` row). */
async function section(title, commands, ratios) {
  const times = new Map(commands.map((c) => [c.name, []]))
  const rss = new Map()
  // the warm rows' cache, filled by one run of each
  for (const c of commands) if (c.cache) await run(c.cmd, c.argv, { cache: c.cache })
  for (let r = 0; r < rounds; r++) {
    for (const c of r % 2 ? [...commands].reverse() : commands) {
      const res = await run(c.cmd, c.argv, { rss: c.rss, first: c.first, cache: c.cache })
      times.get(c.name).push(res.s)
      if (res.mb !== null) rss.set(c.name, Math.max(rss.get(c.name) ?? 0, res.mb))
    }
    if (process.stderr.isTTY) process.stderr.write(`\r${title}: round ${r + 1}/${rounds}`)
  }
  if (process.stderr.isTTY) process.stderr.write('\n')
  const med = new Map([...times].map(([k, v]) => [k, median(v)]))
  const head = ['command', 'median s', ...ratios.map((x) => `x ${x.label}`), 'peak RSS MB']
  const rows = commands.map((c) => {
    const m = med.get(c.name)
    return [c.name, m.toFixed(3), ...ratios.map((x) => (x.applies(c) ? (m / med.get(x.base)).toFixed(2) : '')), rss.has(c.name) ? rss.get(c.name).toFixed(0) : '']
  })
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)))
  const line = (r) => r.map((v, i) => (i === 0 ? v.padEnd(w[i]) : v.padStart(w[i]))).join('  ')
  console.log(`\n${title}: ${rounds} rounds, alternating order, ${process.platform} ${process.arch}, node ${process.version}`)
  console.log(line(head))
  for (const r of rows) console.log(line(r))
}

/** Bytes in a folder's files (the cache's size against the logs'). */
const bytesIn = (dir) => readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0)

/** An odoolog command run with a cache that one run before the rounds has filled (newer than any --against build). */
function warm(name, argv, cache) {
  return { name: `odoolog ${name} (warm)`, cmd: node, argv: [BIN, ...argv], rss: true, cache }
}

/** odoolog commands, and the same with the other checkout's build when --against is given. */
function odoolog(name, argv, extra = {}) {
  const mine = { name: `odoolog ${name}`, cmd: node, argv: [BIN, ...argv], rss: !extra.first, ...extra }
  return OTHER ? [mine, { ...mine, name: `against: odoolog ${name}`, argv: [OTHER, ...argv] }] : [mine]
}

// --- the grep folder: 30 days, werkzeug-heavy, a few hundred mails a day ---
if (only !== 'mail') {
  const dir = await corpus(mbPerDay)
  const files = ordered(dir)
  const plain = [join(dir, 'odoo.log.1'), join(dir, 'odoo.log')]
  const warmCache = join(rssDir, 'warm-grep-folder')
  const commands = [
    { name: 'zgrep -F', cmd: 'zgrep', argv: ['-F', NEEDLE, ...files] },
    { name: 'floor (Node inflate, 3 at a time)', cmd: node, argv: [FLOOR, dir] },
    ...odoolog('grep -F', ['grep', '-F', NEEDLE, dir]),
    // newer than any --against build
    { name: 'odoolog grep --to', cmd: node, argv: [BIN, 'grep', '--to', NEEDLE, dir], rss: true },
    ...(has('rg') ? [{ name: 'rg -z -F', cmd: 'rg', argv: ['-z', '-F', '--no-heading', '--with-filename', NEEDLE, ...files] }] : []),
    ...(has('ugrep') ? [{ name: 'ugrep -z -F', cmd: 'ugrep', argv: ['-z', '-F', NEEDLE, ...files] }] : []),
    // a regex: the automaton runs on the lines holding `SMTP` (issue 8's engine)
    { name: 'zgrep -E (regex)', cmd: 'zgrep', argv: ['-E', REGEX, ...files] },
    ...odoolog('grep -E (regex)', ['grep', '-E', REGEX, dir]),
    ...odoolog('report retries --by day', ['report', 'retries', '--by', 'day', '--format', 'tsv', dir]),
    warm('report retries --by day', ['report', 'retries', '--by', 'day', '--format', 'tsv', dir], warmCache),
    // one mail's Message-Id, which one archive holds: warm, grep's index leaves the other 27 unread
    { name: 'zgrep -F (one archive\'s id)', cmd: 'zgrep', argv: ['-F', ONE_ID, ...files] },
    ...(has('ugrep') ? [{ name: 'ugrep -z -F (one archive\'s id)', cmd: 'ugrep', argv: ['-z', '-F', ONE_ID, ...files] }] : []),
    ...odoolog('grep -F (one archive\'s id)', ['grep', '-F', ONE_ID, dir]),
    warm('grep -F (one archive\'s id)', ['grep', '-F', ONE_ID, dir], warmCache),
    warm('grep -F', ['grep', '-F', NEEDLE, dir], warmCache),
    { name: 'grep -F (odoo.log + odoo.log.1)', cmd: 'grep', argv: ['-F', NEEDLE, ...plain] },
    ...odoolog('grep -F (odoo.log + odoo.log.1)', ['grep', '-F', NEEDLE, ...plain]),
    // start-up: Node's own, and odoolog's over an empty input
    { name: 'start-up: node -e 0', cmd: node, argv: ['-e', '0'] },
    ...odoolog('start-up: grep x /dev/null', ['grep', 'x', '/dev/null']),
  ]
  // Same lines as zgrep: odoolog names files DIR/NAME, zgrep as given, and the paths here are the same.
  const z = await run('zgrep', ['-F', NEEDLE, ...files], { keep: true })
  const o = await run(node, [BIN, 'grep', '-F', NEEDLE, dir], { keep: true })
  console.log(`corpus: ${dir} (${files.length} files), needle lines: ${z.out.toString().split('\n').length - 1}, odoolog output = zgrep output: ${z.out.equals(o.out) ? 'yes' : 'NO'}`)
  const isPlain = (c) => c.name.includes('odoo.log + odoo.log.1')
  const isStart = (c) => c.name.includes('start-up')
  const isOne = (c) => c.name.includes("one archive's id")
  const folder = (c) => !isPlain(c) && !isStart(c) && !isOne(c)
  await section('grep folder', commands, [
    { label: 'zgrep', base: 'zgrep -F', applies: folder },
    { label: 'zgrep (id)', base: "zgrep -F (one archive's id)", applies: (c) => isOne(c) && !c.name.startsWith('zgrep') },
    ...(has('ugrep') ? [{ label: 'ugrep -z', base: "ugrep -z -F (one archive's id)", applies: (c) => isOne(c) && c.name.startsWith('odoolog') }] : []),
    { label: 'floor', base: 'floor (Node inflate, 3 at a time)', applies: folder },
    ...(has('rg') ? [{ label: 'rg -z', base: 'rg -z -F', applies: (c) => folder(c) && c.name.includes('-F') }] : []),
    { label: 'node -e 0', base: 'start-up: node -e 0', applies: isStart },
    { label: 'grep -F', base: 'grep -F (odoo.log + odoo.log.1)', applies: isPlain },
    // grep --to reads every record of her mails (tracebacks, bounces): its cost against a text search
    { label: 'odoolog -F', base: 'odoolog grep -F', applies: (c) => c.name === 'odoolog grep --to' },
    { label: 'zgrep -E', base: 'zgrep -E (regex)', applies: (c) => c.name.endsWith('grep -E (regex)') && !c.name.startsWith('zgrep') },
  ])
  const zr = await run('zgrep', ['-E', REGEX, ...files], { keep: true })
  const or = await run(node, [BIN, 'grep', '-E', REGEX, dir], { keep: true })
  console.log(`regex ${REGEX}: ${zr.out.toString().split('\n').length - 1} lines, odoolog output = zgrep output: ${zr.out.equals(or.out) ? 'yes' : 'NO'}`)
  const zo = await run('zgrep', ['-F', ONE_ID, ...files], { keep: true })
  const wo = await run(node, [BIN, 'grep', '-F', ONE_ID, dir], { keep: true, cache: warmCache })
  console.log(`one archive's id ${ONE_ID}: ${zo.out.toString().split('\n').length - 1} lines, warm odoolog output = zgrep output: ${zo.out.equals(wo.out) ? 'yes' : 'NO'}`)
  const cold = await run(node, [BIN, 'report', 'retries', '--by', 'day', '--format', 'tsv', dir], { keep: true })
  const hot = await run(node, [BIN, 'report', 'retries', '--by', 'day', '--format', 'tsv', dir], { keep: true, cache: warmCache })
  console.log(`report retries, warm output = cold output: ${cold.out.equals(hot.out) ? 'yes' : 'NO'}; the cache: ${bytesIn(warmCache)} bytes for ${bytesIn(dir)} bytes of logs on disk (${((100 * bytesIn(warmCache)) / bytesIn(dir)).toFixed(2)}%)`)
}

// --- the mail-dense folder: a mass mailing, 20,000 mails a day ---
if (only !== 'grep') {
  const dir = await mailCorpus({ days: mailDays })
  const files = ordered(dir)
  const zc = { name: "zgrep -c 'successfully sent' 'failed sending mail'", cmd: 'zgrep', argv: ['-c', '-e', 'successfully sent', '-e', 'failed sending mail', ...files] }
  const floor = { name: 'floor (Node inflate, 3 at a time)', cmd: node, argv: [FLOOR, dir] }
  // a yardstick, not a reader: the two messages counted per day and mail, with no record rules
  const countOnly = { name: 'count only (Node: inflate, indexOf, per-mail table)', cmd: node, argv: [COUNT_FLOOR, dir] }
  const commands = [
    zc,
    floor,
    countOnly,
    ...odoolog('report retries --by day', ['report', 'retries', '--by', 'day', '--format', 'tsv', dir]),
    // entries over a tenth of their archive are not written: a mass mailing's are
    warm('report retries --by day', ['report', 'retries', '--by', 'day', '--format', 'tsv', dir], join(rssDir, 'warm-mail-folder')),
    ...odoolog('report limit', ['report', 'limit', '--format', 'tsv', dir]),
    ...odoolog('report queue', ['report', 'queue', '--format', 'tsv', dir]),
    ...odoolog('diagnose', ['diagnose', dir]),
    // the HTML report (newer than any --against build): its cost beside the Markdown's
    { name: 'odoolog diagnose --format html', cmd: node, argv: [BIN, 'diagnose', '--format', 'html', dir], rss: true },
    ...odoolog('mail --format ndjson', ['mail', '--format', 'ndjson', dir]),
    ...odoolog('mail --format ndjson: first line', ['mail', '--format', 'ndjson', dir], { first: true }),
    // one recipient's records through every mail record of the mass mailing (newer than any --against build)
    { name: 'odoolog grep --to (one contact)', cmd: node, argv: [BIN, 'grep', '--to', contact(4242), dir], rss: true },
  ]
  // exactly the right totals: the generator's own count, zgrep's, and the report's
  const want = expectedTotals(mailDays)
  const zr = await run(zc.cmd, zc.argv, { keep: true })
  const zTotal = zr.out.toString().trim().split('\n').reduce((n, l) => n + Number(l.slice(l.lastIndexOf(':') + 1)), 0)
  const rep = await run(node, [BIN, 'report', 'retries', '--by', 'day', '--format', 'json', dir], { keep: true })
  const days = JSON.parse(rep.out.toString())
  const sum = (k) => days.reduce((n, d) => n + d[k], 0)
  const same = sum('attempts') === want.attempts && sum('sent') === want.sent && sum('failed') === want.failed && zTotal === want.attempts
  const co = await run(countOnly.cmd, countOnly.argv, { keep: true })
  const coRows = co.out.toString().trim().split('\n').map((l) => l.split(' ').map(Number))
  const coSame = coRows.reduce((n, r) => n + r[1], 0) === sum('attempts') && coRows.reduce((n, r) => n + r[2], 0) === sum('retries')
  const html = await run(node, [BIN, 'diagnose', '--format', 'html', dir], { keep: true })
  console.log(`\ndiagnose --format html on the mail corpus: ${html.out.length} bytes`)
  console.log(`mail corpus: ${dir} (${files.length} files), attempts written ${want.attempts} (${want.sent} sent, ${want.failed} failed), zgrep -c ${zTotal}, report ${sum('attempts')} (${sum('sent')} sent, ${sum('failed')} failed): ${same ? 'same' : 'DIFFERENT'}; count only: attempts and retries ${coSame ? 'the same' : 'DIFFERENT'}`)
  const isOdoolog = (c) => c.name.includes('odoolog') && !c.first
  await section('mail-dense folder', commands, [
    { label: 'zgrep -c', base: zc.name, applies: (c) => c !== zc && !c.first },
    { label: 'floor', base: floor.name, applies: isOdoolog },
    { label: 'count only', base: countOnly.name, applies: isOdoolog },
  ])
}
