import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { odoolog } from '../helpers/run.js'

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

describe('README examples are real output', () => {
  it.each([
    'odoolog report retries --by day --format json examples/logs/sample',
  ])('%s', (command) => {
    const r = odoolog(command.split(' ').slice(1), { cwd: ROOT })
    expect(r.stdout.toString()).toBe(shown(command))
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
