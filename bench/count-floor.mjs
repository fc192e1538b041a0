// The least a Node program can do for `report retries --by day` on the mail-dense folder: inflate
// three files at a time (as floor.mjs), find the two messages with Buffer#indexOf (native), read the
// day and the mail id at fixed places, and count attempts and retries per day in a typed hash table.
// No record rules (a message quoted in a traceback counts), no other message (SMTP-only failures,
// test-mode skips), no codes, no time order: a yardstick for the bench, not a reader. Its output is
// `day attempts retries` lines; the bench checks its total against zgrep -c's.
import { createReadStream, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { createGunzip } from 'node:zlib'

const dir = process.argv[2]
const files = readdirSync(dir).filter((n) => n.startsWith('odoo.log'))
const SENT = Buffer.from('successfully sent')
const FAILED = Buffer.from('failed sending mail (id: ')
const WITH_ID = Buffer.from(' with ID ')
const NL = 10

// open addressing, mail id -> attempts (ids are positive integers)
const SIZE = 1 << 22
const keys = new Float64Array(SIZE)
const seen = new Uint8Array(SIZE)
/** Whether the mail had an attempt before. */
function again(id) {
  let h = Math.imul(id | 0, 0x9e3779b1) >>> 10
  while (keys[h] !== 0 && keys[h] !== id) h = (h + 1) & (SIZE - 1)
  keys[h] = id
  return seen[h]++ > 0
}

const days = new Map() // YYYYMMDD -> [attempts, retries]
const digit = (b, p) => b[p] - 0x30
function count(b, lineAt, id) {
  const day = ((digit(b, lineAt) * 10 + digit(b, lineAt + 1)) * 100 + digit(b, lineAt + 2) * 10 + digit(b, lineAt + 3)) * 1e4 +
    (digit(b, lineAt + 5) * 10 + digit(b, lineAt + 6)) * 100 + digit(b, lineAt + 8) * 10 + digit(b, lineAt + 9)
  let d = days.get(day)
  if (!d) days.set(day, (d = [0, 0]))
  d[0]++
  if (again(id)) d[1]++
}

function digits(b, p) {
  let id = 0
  while (b[p] >= 0x30 && b[p] <= 0x39) id = id * 10 + b[p++] - 0x30
  return id
}

/** Whole lines only. */
function lines(b) {
  for (let i = 0; (i = b.indexOf(SENT, i)) !== -1; i += SENT.length) {
    const at = b.lastIndexOf(NL, i) + 1
    const w = b.indexOf(WITH_ID, at)
    if (w !== -1 && w < i) count(b, at, digits(b, w + WITH_ID.length))
  }
  for (let i = 0; (i = b.indexOf(FAILED, i)) !== -1; i += FAILED.length) count(b, b.lastIndexOf(NL, i) + 1, digits(b, i + FAILED.length))
}

async function one(name) {
  const src = createReadStream(join(dir, name), { highWaterMark: 1 << 20 })
  const stages = name.endsWith('.gz') ? [src, createGunzip({ chunkSize: 256 << 10 })] : [src]
  await pipeline(...stages, async function (chunks) {
    let rest = null
    for await (const c of chunks) {
      const b = rest ? Buffer.concat([rest, c]) : c
      const end = b.lastIndexOf(NL) + 1
      lines(b.subarray(0, end))
      rest = b.subarray(end)
    }
    if (rest?.length) lines(rest)
  })
}
const queue = [...files]
await Promise.all([0, 1, 2].map(async () => {
  while (queue.length) await one(queue.shift())
}))
const iso = (n) => `${String(n).slice(0, 4)}-${String(n).slice(4, 6)}-${String(n).slice(6)}`
process.stdout.write([...days].sort((x, y) => x[0] - y[0]).map(([day, [a, r]]) => `${iso(day)} ${a} ${r}\n`).join(''))
