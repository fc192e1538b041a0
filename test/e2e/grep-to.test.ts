// `odoolog grep --to ADDRESS`: whole records of the mails sent to one address, and every record that
// names it, in file order, with grep's output options. The folder below is built record by record with
// each record marked chosen or not by construction, so the expected bytes are the chosen records.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bounce, failed, failedWith, sent, stamp, web } from '../../packages/mail/test/build.js'
import { BIN, EXAMPLES, odoolog } from '../helpers/run.js'

const ADDR = 'maria.lopez@example.com'
const at = (iso: string) => Date.parse(iso)

/** A bounce routed to its mail by the VERP return path, as the examples' mail 9003. */
function verpBounce(t: number, id: number, address: string): string {
  return `${stamp(t)} 41 INFO acme-prod-1234567 odoo.addons.mail.models.mail_thread: Routing mail from Mail Delivery System <MAILER-DAEMON@mx.example.net> to bounce+${id}-sale.order-42@acme.com with Message-Id <B${id}@mx.example.net>: not routing bounce email from ${address} replying to ['<${id}.x@odoo-host>'] (model sale.order ID 42)\n`
}

/** [file, text of one or more records, chosen by `grep --to ADDR`, why]. */
type Piece = [file: string, text: string, chosen: boolean, why: string]

const PIECES: Piece[] = [
  ['odoo.log.2026-11-22.gz', web(at('2026-11-21T20:00:00Z')), false, 'werkzeug noise'],
  ['odoo.log.2026-11-22.gz', failed(at('2026-11-21T23:30:00Z'), 100, 554), true, 'mail 100: no recipient named; a bounce 5 h 40 min later (next file) names it'],
  ['odoo.log.2026-11-22.gz', sent(at('2026-11-21T23:31:00Z'), 101, 'marta.lopez@example.com'), true, "18.0 redacted m********ez@example.com: maria's redacted form too"],
  ['odoo.log.2026-11-22.gz', sent(at('2026-11-21T23:32:00Z'), 102, 'bob@example.net'), false, 'another recipient'],
  [
    'odoo.log.2026-11-22.gz',
    failedWith(at('2026-11-21T23:33:00Z'), 103, 'SMTPRecipientsRefused', `{'"Maria.Lopez@Example.com"': (550, b'5.1.1 <Maria.Lopez@Example.com>: no such user'), 'other@example.org': (550, b'5.1.1 <other@example.org>: no such user')}`),
    true,
    'a refusal of two recipients, hers quoted and in capitals',
  ],
  ['odoo.log.2026-11-22.gz', failed(at('2026-11-21T23:34:00Z'), 104, 554), false, 'a refusal never tied to her'],
  ['odoo.log.2026-11-22.gz', `${stamp(at('2026-11-21T23:35:00Z'))} 31 INFO acme-prod-1234567 werkzeug: 203.0.113.7 - - [21/Nov/2026 23:35:00] "GET /mail/unsubscribe?email=${ADDR}&token=x HTTP/1.1" 200 - 3 0.002 0.004\n`, true, 'names her literally'],
  ['odoo.log.2026-11-22.gz', `${stamp(at('2026-11-21T23:36:00Z'))} 33 INFO acme-prod-1234567 odoo.addons.base.models.res_partner: partner created for x${ADDR}.au\n`, false, 'a longer address that contains hers'],
  ['odoo.log.1', failed(at('2026-11-22T05:05:00Z'), 100, 554), true, 'mail 100 retried'],
  ['odoo.log.1', verpBounce(at('2026-11-22T05:10:00Z'), 100, ADDR), true, 'the bounce of mail 100 (VERP: failure records carry no Message-Id)'],
  ['odoo.log.1', failed(at('2026-11-22T05:20:00Z'), 105, 450, ADDR), true, 'mail 105 refused for a while, naming her'],
  ['odoo.log.1', sent(at('2026-11-22T06:20:00Z'), 105), true, 'mail 105 sent (14-17 wording, no recipient): a retry of a linked mail'],
  ['odoo.log.1', web(at('2026-11-22T07:00:00Z')), false, 'werkzeug noise'],
  ['odoo.log', sent(at('2026-11-23T06:00:00Z'), 106, ADDR), true, 'redacted, her own'],
  ['odoo.log', sent(at('2026-11-23T06:01:00Z'), 107, 'mario@example.com'), false, 'm****@example.com is not her redacted form'],
  ['odoo.log', bounce(at('2026-11-23T06:02:00Z'), 104, 'someone@example.com'), false, 'a bounce of another address'],
]
const FILES = ['odoo.log.2026-11-22.gz', 'odoo.log.1', 'odoo.log']

let dir: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'odoolog-to-'))
  for (const f of FILES) {
    const text = PIECES.filter((p) => p[0] === f).map((p) => p[1]).join('')
    writeFileSync(join(dir, f), f.endsWith('.gz') ? gzipSync(text) : text)
  }
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** Each line of the chosen pieces, as grep prints it: `DIR/FILE:` (and `N:`) before it. */
function expected(opts: { n?: boolean; only?: (p: Piece) => boolean } = {}): string {
  let out = ''
  for (const f of FILES) {
    let line = 1
    for (const p of PIECES.filter((q) => q[0] === f)) {
      const lines = p[1].replace(/\n$/, '').split('\n')
      if (p[2] && (opts.only ?? (() => true))(p)) for (let i = 0; i < lines.length; i++) out += `${join(dir, f)}:${opts.n ? `${line + i}:` : ''}${lines[i]}\n`
      line += lines.length
    }
  }
  return out
}

const records = (text: string) => text.split('\n').filter((l) => /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} /.test(l)).length

describe('odoolog grep --to', () => {
  it('prints the records of her mails and those that name her, whole, in file order, nothing else', () => {
    const r = odoolog(['grep', '--to', ADDR, dir])
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    expect(r.stdout.toString()).toBe(expected())
  })
  it('-n numbers every line of a record; --json has one object per record with its text', () => {
    expect(odoolog(['grep', '--to', ADDR, '-n', dir]).stdout.toString()).toBe(expected({ n: true }))
    const objs = odoolog(['grep', '--to', ADDR, '--json', dir]).stdout.toString().trim().split('\n').map((l) => JSON.parse(l))
    const chosen = PIECES.filter((p) => p[2])
    expect(objs.map((o) => o.text).join('\n') + '\n').toBe(chosen.map((p) => p[1]).join(''))
    expect(objs.every((o) => o.file.startsWith(dir) && o.time && o.level)).toBe(true)
  })
  it('-c counts records per file, -l names the files, -L none (exit 0 as grep 3.8: lines were selected), -q exits 0', () => {
    const counts = FILES.map((f) => `${join(dir, f)}:${records(PIECES.filter((p) => p[0] === f && p[2]).map((p) => p[1]).join(''))}\n`).join('')
    expect(odoolog(['grep', '--to', ADDR, '-c', dir]).stdout.toString()).toBe(counts)
    expect(odoolog(['grep', '--to', ADDR, '-l', dir]).stdout.toString()).toBe(FILES.map((f) => join(dir, f) + '\n').join(''))
    const none = odoolog(['grep', '--to', ADDR, '-L', dir])
    expect([none.status, none.stdout.toString()]).toEqual([0, ''])
    const q = odoolog(['grep', '--to', ADDR, '-q', dir])
    expect([q.status, q.stdout.length]).toEqual([0, 0])
  })
  it('with a PATTERN: her records that also match it (PATTERN first, or -e), -v the others', () => {
    const has550 = (p: Piece) => p[1].includes('550')
    expect(odoolog(['grep', '--to', ADDR, '550', dir]).stdout.toString()).toBe(expected({ only: has550 }))
    expect(odoolog(['grep', '--to', ADDR, '-e', '550', dir]).stdout.toString()).toBe(expected({ only: has550 }))
    expect(odoolog(['grep', '--to', ADDR, '-v', '550', dir]).stdout.toString()).toBe(expected({ only: (p) => !has550(p) }))
    const none = odoolog(['grep', '--to', ADDR, 'no such text', dir])
    expect([none.status, none.stdout.length]).toEqual([1, 0])
  })
  it('the address is matched normalized: capitals, a display name, angle brackets', () => {
    for (const a of ['Maria.Lopez@EXAMPLE.com', `"Maria Lopez" <${ADDR}>`, `<${ADDR}>`]) expect(odoolog(['grep', '--to', a, dir]).stdout.toString()).toBe(expected())
  })
  it('a single file, and standard input, are searched the same way', () => {
    const one = odoolog(['grep', '--to', ADDR, join(dir, 'odoo.log.1')]).stdout.toString()
    const fromFile = expected({ only: (p) => p[0] === 'odoo.log.1' }).replaceAll(`${join(dir, 'odoo.log.1')}:`, '')
    expect(one).toBe(fromFile)
    const text = PIECES.filter((p) => p[0] === 'odoo.log.1').map((p) => p[1]).join('')
    expect(odoolog(['grep', '--to', ADDR], { input: text }).stdout.toString()).toBe(fromFile)
  })
  it('every attempt that mail --to returns is inside a record grep --to prints (same file and line)', () => {
    const attempts = odoolog(['mail', '--to', ADDR, '--format', 'ndjson', dir]).stdout.toString().trim().split('\n').map((l) => JSON.parse(l))
    expect(attempts.map((a) => a.mailId)).toEqual([100, 101, 103, 100, 105, 105, 106])
    const printed = odoolog(['grep', '--to', ADDR, '--json', dir]).stdout.toString().trim().split('\n').map((l) => JSON.parse(l))
    for (const a of attempts) expect(printed.some((p) => p.file === a.file && p.line === a.line), `${a.file}:${a.line}`).toBe(true)
  })
  it('refuses context options and a value that is not one address, exit 2', () => {
    for (const args of [['-A', '1'], ['-C', '2'], ['-B', '0']]) {
      const r = odoolog(['grep', '--to', ADDR, ...args, dir])
      expect([r.status, r.stdout.length]).toEqual([2, 0])
      expect(r.stderr).toMatch(/--to selects whole records/)
    }
    for (const bad of ['maria', '@example.com', 'a@b.com,c@d.com', 'maria@']) {
      const r = odoolog(['grep', '--to', bad, dir])
      expect([r.status, r.stdout.length]).toEqual([2, 0])
      expect(r.stderr).toMatch(/--to: expected one email address/)
    }
  })
  it('a refusal of two recipients counts for each in report --by recipient and --by domain', () => {
    const rows = (by: string) => Object.fromEntries(JSON.parse(odoolog(['report', 'retries', '--by', by, '--format', 'json', dir]).stdout.toString()).map((r: Record<string, unknown>) => [r[by], r]))
    const byRcpt = rows('recipient')
    expect(byRcpt['other@example.org']).toMatchObject({ attempts: 1, failed: 1, codes: { 550: 1 } })
    // hers: mail 100 twice (named by its bounce), 103 (the two-recipient refusal), 105 twice
    expect(byRcpt[ADDR]).toMatchObject({ attempts: 5, failed: 4, sent: 1 })
    expect(byRcpt['"maria.lopez@example.com"']).toBeUndefined()
    const byDomain = rows('domain')
    expect(byDomain['example.org']).toMatchObject({ attempts: 1 })
    expect(Object.keys(byDomain).some((d) => d.includes('"'))).toBe(false)
  })
})

describe('grep --to on the bundled examples', () => {
  const ADDRESSES = ['jdoe@example.com', 'anna@example.org', 'bob@example.net', 'carol@example.com', 'nobody@example.org', 'dave@example.com', 'erin@example.com', 'frank@example.com', 'grace@example.com']
  it('for every recipient: each attempt of mail --to, and each record naming the address, is printed', () => {
    for (const a of ADDRESSES) {
      const printed = odoolog(['grep', '--to', a, '--json', EXAMPLES]).stdout.toString().trim().split('\n').filter(Boolean).map((l) => JSON.parse(l))
      const key = (x: { file: string; line: number }) => `${x.file}:${x.line}`
      const starts = new Set(printed.map(key))
      const inside = (x: { file: string; line: number }) => printed.some((p) => p.file === x.file && x.line >= p.line && x.line < p.line + p.text.split('\n').length)
      const attempts = odoolog(['mail', '--to', a, '--format', 'ndjson', EXAMPLES]).stdout.toString().trim().split('\n').filter(Boolean).map((l) => JSON.parse(l))
      for (const x of attempts) expect(inside(x), `${a}: attempt ${key(x)}`).toBe(true)
      const naming = odoolog(['grep', '--records', '-i', '-F', '--json', a, EXAMPLES]).stdout.toString().trim().split('\n').filter(Boolean).map((l) => JSON.parse(l))
      for (const x of naming) expect(starts.has(key(x)), `${a}: record naming it ${key(x)}`).toBe(true)
    }
  })
  it('jdoe: 7 attempts of 5 mails and the bounce, where grep -F finds the bounce alone', () => {
    const out = odoolog(['grep', '--to', 'jdoe@example.com', '--json', EXAMPLES]).stdout.toString().trim().split('\n').map((l) => JSON.parse(l))
    // the SMTP records (ir_mail_server) name no mail: each is followed by its mail's failure record
    const ids = new Set(out.filter((o) => o.logger !== 'odoo.addons.base.models.ir_mail_server').map((o) => /(?:ID |id: |bounce\+)(\d+)/.exec(o.text)?.[1]))
    expect([...ids].sort()).toEqual(['9001', '9003', '9012', '9030', '9040'])
    expect(out.filter((o) => o.logger === 'odoo.addons.base.models.ir_mail_server')).toHaveLength(3)
    expect(out.filter((o) => /successfully sent|failed sending mail/.test(o.text))).toHaveLength(7)
    expect(out.filter((o) => /not routing bounce email from jdoe@example.com/.test(o.text))).toHaveLength(1)
    expect(odoolog(['grep', '-c', '-h', '-F', 'jdoe@example.com', EXAMPLES]).stdout.toString().split('\n').filter((c) => c && c !== '0')).toEqual(['1'])
  })
  it('| head -1 ends quietly: one line out, nothing on stderr, exit 0', () => {
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${BIN}" grep --to jdoe@example.com "${EXAMPLES}" | head -1; echo "status \${PIPESTATUS:-0}" >&2`], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C' } })
    expect(r.stdout.toString().split('\n').filter(Boolean)).toHaveLength(1)
    expect(r.stderr.toString().replace(/status .*\n/, '')).toBe('')
  })
})

describe('grep --to on damaged input', () => {
  it('a truncated archive: her records before the damage, one line naming it, the other files, exit 2', () => {
    const d = mkdtempSync(join(tmpdir(), 'odoolog-to-bad-'))
    try {
      const T = at('2026-11-21T06:00:00Z')
      let text = ''
      for (let k = 0; k < 4000; k++) text += k % 500 === 0 ? sent(T + k * 1000, k, ADDR) : web(T + k * 1000) + `${stamp(T + k * 1000 + 1)} 7 INFO acme-prod-1234567 odoo.modules.registry: ${'x'.repeat((k * 7919) % 97)} ${k}\n`
      const gz = gzipSync(text, { level: 1 })
      // cut at 70%: whatever was inflated before the cut is searched
      const bad = gz.subarray(0, Math.floor(gz.length * 0.7))
      writeFileSync(join(d, 'odoo.log.2026-11-22.gz'), bad)
      writeFileSync(join(d, 'odoo.log'), sent(at('2026-11-23T06:00:00Z'), 9999, ADDR))
      const r = odoolog(['grep', '--to', ADDR, '-h', d])
      expect(r.status).toBe(2)
      expect(r.stderr).toMatch(new RegExp(`^odoolog: ${join(d, 'odoo.log.2026-11-22.gz').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: (invalid compressed data|unexpected end of file).*\n$`))
      const out = r.stdout.toString().split('\n').filter(Boolean)
      // the first mails of the archive (before the damage) and the mail of the next file
      expect(out[0]).toContain('Mail with ID 0 ')
      expect(out.length).toBeGreaterThanOrEqual(3)
      expect(out.length).toBeLessThan(9)
      expect(out.every((l) => l.includes(`'m********ez@example.com' successfully sent`))).toBe(true)
      expect(out[out.length - 1]).toContain('Mail with ID 9999 ')
    } finally {
      rmSync(d, { recursive: true, force: true })
    }
  })
})
