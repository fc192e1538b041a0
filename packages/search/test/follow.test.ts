import { appendFileSync, mkdtempSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { discover, follow, type FollowItem } from '../src/index.js'

const dir = mkdtempSync(join(tmpdir(), 'odoolog-followlib-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** Pulls items until `until` says stop; the bytes as text, the other items by kind. */
async function pull(it: AsyncGenerator<FollowItem>, until: (seen: string[]) => boolean): Promise<string[]> {
  const seen: string[] = []
  while (!until(seen)) {
    const r = await it.next()
    if (r.done) break
    const v = r.value
    seen.push(v.kind === 'bytes' ? v.data.toString() : v.kind === 'switch' ? `switch:${v.why}` : 'idle')
  }
  return seen
}

const last = (s: string[]) => s[s.length - 1]

describe('follow()', () => {
  it('hands over the file from its start, says idle once it is quiet, then the bytes appended, a truncation, a rotation', async () => {
    const path = join(dir, 'odoo.log')
    writeFileSync(path, 'one\n')
    const [src] = await discover([path])
    const ac = new AbortController()
    const it = follow(src!, { path, quietMs: 50, pollMs: 20 }, ac.signal)
    expect(await pull(it, (s) => last(s) === 'idle')).toEqual(['one\n', 'idle'])
    appendFileSync(path, 'two\n')
    expect(await pull(it, (s) => last(s) === 'idle')).toEqual(['two\n', 'idle'])
    truncateSync(path, 0)
    appendFileSync(path, '3\n')
    expect(await pull(it, (s) => last(s) === 'idle')).toEqual(['switch:truncated', '3\n', 'idle'])
    appendFileSync(path, 'four\n')
    renameSync(path, path + '.1')
    appendFileSync(path + '.1', 'late\n')
    writeFileSync(path, 'new\n')
    const seen = await pull(it, (s) => last(s) === 'idle')
    // the old file to its end (a write after the rename included), then the new one
    expect(seen.filter((x) => x !== 'idle').map((x) => (x.startsWith('switch:') ? `[${x}]` : x)).join('')).toBe('four\nlate\n[switch:rotated]new\n')
    ac.abort()
    expect((await it.next()).done).toBe(true)
    await src!.handle?.close()
  })

  it('waits for a path that does not exist yet, and ends at once when aborted while waiting', async () => {
    const path = join(dir, 'later.log')
    const ac = new AbortController()
    const it = follow(null, { path, quietMs: 30, pollMs: 20, watch: false }, ac.signal)
    expect(await pull(it, (s) => s.length === 1)).toEqual(['idle'])
    writeFileSync(path, 'here\n')
    expect(await pull(it, (s) => last(s) === 'idle')).toEqual(['switch:appeared', 'here\n', 'idle'])
    const t0 = Date.now()
    const next = it.next()
    setTimeout(() => ac.abort(), 50)
    expect((await next).done).toBe(true)
    expect(Date.now() - t0).toBeLessThan(1000)
  })
})
