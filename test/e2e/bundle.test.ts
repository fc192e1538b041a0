import { spawnSync } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { BIN } from '../helpers/run.js'

// bin/odoolog.js starts from the build's bundle (bundle/, made by scripts/bundle.mjs) unless `tsc -b`
// has built dist/ since: a checkout must never run a stale bundle. Here the real bin runs beside two
// stand-in builds that say which one was loaded.

const work = mkdtempSync(join(tmpdir(), 'odoolog-bin-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

const standIn = (who: string) => `export const commandLine = () => []\nexport async function main() { process.stdout.write('${who}'); return 0 }\n`

function pkg(files: { bundle?: number; tsbuildinfo?: number }): string {
  const dir = mkdtempSync(join(work, 'pkg-'))
  mkdirSync(join(dir, 'bin'))
  mkdirSync(join(dir, 'dist'))
  copyFileSync(BIN, join(dir, 'bin', 'odoolog.js'))
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}')
  writeFileSync(join(dir, 'dist', 'index.js'), standIn('dist'))
  if (files.bundle !== undefined) {
    mkdirSync(join(dir, 'bundle'))
    writeFileSync(join(dir, 'bundle', 'index.js'), standIn('bundle'))
    utimesSync(join(dir, 'bundle', 'index.js'), files.bundle, files.bundle)
  }
  if (files.tsbuildinfo !== undefined) {
    writeFileSync(join(dir, 'tsconfig.tsbuildinfo'), '{}')
    utimesSync(join(dir, 'tsconfig.tsbuildinfo'), files.tsbuildinfo, files.tsbuildinfo)
  }
  return dir
}

const loaded = (dir: string) => spawnSync(process.execPath, [join(dir, 'bin', 'odoolog.js')], { encoding: 'utf8' }).stdout

describe('bin/odoolog.js: bundle or dist', () => {
  it('an installed package (no tsbuildinfo) runs its bundle', () => {
    expect(loaded(pkg({ bundle: 1_000_000 }))).toBe('bundle')
  })
  it('a checkout runs the bundle made after the last tsc build', () => {
    expect(loaded(pkg({ bundle: 1_000_100, tsbuildinfo: 1_000_000 }))).toBe('bundle')
  })
  it('a checkout where tsc built after the bundle runs dist/ (the bundle is stale)', () => {
    expect(loaded(pkg({ bundle: 1_000_000, tsbuildinfo: 1_000_100 }))).toBe('dist')
  })
  it('no bundle: dist/', () => {
    expect(loaded(pkg({ tsbuildinfo: 1_000_000 }))).toBe('dist')
    expect(loaded(pkg({}))).toBe('dist')
  })
})
