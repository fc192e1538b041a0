import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { failed } from '../../packages/mail/test/build.js'
import { followSession } from '../helpers/follow.js'
import { odoolog } from '../helpers/run.js'
import { onTerminal, ttyMissing } from '../helpers/tty.js'

// The README shows real output on the bundled examples: it must stay the output the code gives.
const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const readme = readFileSync(`${ROOT}README.md`, 'utf8')

/** The fenced block that follows `$ <command>` in the README (the command line included in the block). */
function shown(command: string): string {
  const at = readme.indexOf(`$ ${command}\n`)
  expect(at, `README shows '$ ${command}'`).toBeGreaterThan(0)
  const start = at + command.length + 3
  return readme.slice(start, readme.indexOf('```', start))
}

/** Words of a command line as a shell splits them (single quotes only, as the README uses). */
function words(line: string): string[] {
  return [...line.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]!)
}

/** Every output block of the README: `$ odoolog ARGS   # note`, then the output. */
const blocks = [...readme.matchAll(/```\n\$ (odoolog [^\n]*?)(?: {2,}# ([^\n]*))?\n([\s\S]*?)```/g)].map((m) => ({ command: m[1]!, note: m[2] ?? '', output: m[3]! }))

describe('README examples are real output', () => {
  it('every output block says the command it shows (bench output and the layout table aside)', () => {
    const lines = readme.split('\n')
    const firsts: string[] = []
    for (let k = 0, open = false; k < lines.length; k++) {
      if (!lines[k]!.startsWith('```')) continue
      if (!open && lines[k] === '```') firsts.push(lines[k + 1]!)
      open = !open
    }
    expect(blocks.length).toBeGreaterThanOrEqual(8)
    for (const first of firsts) expect(first).toMatch(/^(\$ odoolog |grep folder: |mail-dense folder: |packages\/search )/)
  })
  it.each(blocks.filter((b) => !b.note.includes('terminal') && !b.note.startsWith('following')).map((b) => [b.command, b]))('%s', (_c, b) => {
    const r = odoolog(words(b.command).slice(1), { cwd: ROOT })
    if (b.note.startsWith('excerpt')) expect(r.stdout.toString().startsWith(b.output)).toBe(true)
    else expect(r.stdout.toString()).toBe(b.output)
  })
  it.skipIf(ttyMissing()).each(blocks.filter((b) => b.note.includes('80-column terminal')).map((b) => [b.command, b]))('%s (on a terminal)', (_c, b) => {
    const r = onTerminal(words(b.command).slice(1), { cols: 80, cwd: ROOT, stderr: false })
    expect(r.text).toBe(b.output)
  })
  // `--follow` sessions: on a copy of the examples, Odoo refuses mail 9050 to jdoe while odoolog waits
  const following = blocks.filter((b) => b.note.startsWith('following'))
  it.skipIf(ttyMissing()).each(following.map((b) => [b.command, b]))('%s (a --follow session)', (_c, b) => {
    const root = mkdtempSync(`${tmpdir()}/odoolog-readme-`)
    try {
      cpSync(`${ROOT}examples/logs/sample`, `${root}/examples/logs/sample`, { recursive: true })
      const cols = /(\d+)-column terminal/.exec(b.note)
      const r = followSession(words(b.command).slice(1), {
        cwd: root,
        log: `${root}/examples/logs/sample/odoo.log`,
        text: failed('2026-11-26T15:02:00Z', 9050, 554, 'jdoe@example.com'),
        cols: cols ? Number(cols[1]) : undefined,
      })
      expect(r.status).toBe(0)
      expect(r.stdout).toBe(b.output)
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  })
  it('shows a --follow session of grep and of mail', () => {
    expect(following.map((b) => b.command.split(' ')[1])).toEqual(['grep', 'mail'])
  })
  it('the event schema examples are lines odoolog mail --events prints', () => {
    const lines = new Set(odoolog(['mail', '--events', '--format', 'ndjson', 'examples/logs/sample'], { cwd: ROOT }).stdout.toString().split('\n'))
    const examples = [...readme.matchAll(/```json\n\s*(\{"kind".*\})\n/g)].map((m) => m[1])
    expect(examples).toHaveLength(4)
    for (const e of examples) expect(lines.has(e!)).toBe(true)
  })
  it('Quick start: exactly two commands, the first runs a report on the bundled examples', () => {
    const block = readme.slice(readme.indexOf('## Quick start'))
    const cmds = block.slice(block.indexOf('```sh\n') + 6, block.indexOf('```', block.indexOf('```sh\n') + 6)).trim().split('\n')
    expect(cmds).toHaveLength(2)
    expect(cmds[0]).toContain('odoolog report retries --by day examples/logs/sample')
    expect(cmds[1]).toMatch(/ test$/)
  })
})

describe('the bundled examples', () => {
  it('are what their seeded generator writes, byte for byte', async () => {
    const { mkdtempSync, readdirSync } = await import('node:fs')
    const { tmpdir } = await import('node:os')
    const { spawnSync } = await import('node:child_process')
    const out = mkdtempSync(`${tmpdir()}/odoolog-examples-`)
    const r = spawnSync(process.execPath, [`${ROOT}examples/logs/generate.mjs`, out])
    expect(r.status).toBe(0)
    const names = readdirSync(`${ROOT}examples/logs/sample`).sort()
    expect(readdirSync(out).sort()).toEqual(names)
    for (const n of names) expect(readFileSync(`${out}/${n}`).equals(readFileSync(`${ROOT}examples/logs/sample/${n}`))).toBe(true)
  })
})
