import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { BIN, gnuGrepMissing } from '../helpers/run.js'

// grep searches the files after the current one as their bytes arrive and holds their output until
// their turn. Here the first input is stdin, written only after a pause: by then the two files after it
// have been searched to their end, or (the big one) have filled their output queue and wait. What
// comes out must be grep's bytes and status all the same: a file that stopped early (-l, -m), one that
// matched nothing (-L, -c), a binary one, one whose output overflowed the queue.

const skip = gnuGrepMissing()
const dir = mkdtempSync(join(tmpdir(), 'odoolog-ahead-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const line = (i: number, msg: string) => `2026-11-0${1 + (i % 9)} 05:00:${String(i % 60).padStart(2, '0')},000 7 INFO db odoo.addons.mail.models.mail_mail: ${msg} \n`
const files: Record<string, string | Buffer> = {
  'stdin.txt': Array.from({ length: 300 }, (_, i) => line(i, i % 7 ? `werkzeug ${i}` : `mail ${i} sent`)).join(''),
  'early.log': line(1, 'mail first') + Array.from({ length: 2000 }, (_, i) => line(i, `mail ${i} then more`)).join(''),
  'none.log': Array.from({ length: 500 }, (_, i) => line(i, `nothing ${i}`)).join(''),
  'binary.log': Buffer.concat([Buffer.from(line(2, 'text before')), Buffer.from('mail \0 in a binary part\n'), Buffer.from(line(3, 'mail after'))]),
  // ~6 MB, every line selected: more output than a file ahead may hold (4 MiB), so its search waits
  'big.log': Array.from({ length: 60_000 }, (_, i) => line(i, `mail ${i} ${'x'.repeat(i % 40)}`)).join(''),
}
for (const [name, body] of Object.entries(files)) writeFileSync(join(dir, name), body)

const rest = ['early.log', 'none.log', 'binary.log', 'big.log']
// every file once right after stdin, where it is searched ahead while stdin waits
const orders = rest.map((_, k) => [...rest.slice(k), ...rest.slice(0, k)])
const cases: string[][] = [
  ['mail'],
  ['-l', 'mail'],
  ['-L', 'mail'],
  ['-c', 'mail'],
  ['-m1', '-c', 'mail'],
  ['-m2', '-n', 'mail'],
  ['-m', '0', 'mail'],
  ['-b', '-o', 'mail [0-9]*'],
  ['-v', '-h', 'mail'],
  ['-c', '-I', 'mail'],
  ['--null', '-l', 'then'],
]

function run(cmd: string) {
  const r = spawnSync('sh', ['-c', cmd], { cwd: dir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C' }, maxBuffer: 1 << 30 })
  return { status: r.status, stdout: r.stdout }
}
const q = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`

describe.skipIf(skip)('grep: files searched ahead of their turn print as grep does', () => {
  for (const args of cases) {
    it(`grep ${args.join(' ')}`, () => {
      for (const order of orders) {
        const argv = [...args, '-', ...order].map(q).join(' ')
        const ours = run(`(sleep 0.5; cat stdin.txt) | ${q(process.execPath)} ${q(BIN)} grep ${argv}`)
        const gnu = run(`cat stdin.txt | grep ${argv}`)
        expect(ours.stdout.toString('latin1'), order.join(' ')).toBe(gnu.stdout.toString('latin1'))
        expect(ours.status, order.join(' ')).toBe(gnu.status)
      }
    })
  }
})
