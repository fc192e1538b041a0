import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { CACHE_DIR, EXAMPLES, odoolog } from '../helpers/run.js'

// What a Node-and-npm-only user does: pack the three packages (workspace ranges become versions),
// install the tarballs with `npm install -g --prefix`, run `odoolog`. Needs the npm registry for the
// dependencies (yargs, split2, ...), as every install does.

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const PACKAGES = ['search', 'mail', 'cli']
const pnpmVersion = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).packageManager.split('@')[1]
// the pnpm that runs this suite (`pnpm test`), else the pinned one through npx
const pnpm = process.env.npm_execpath?.includes('pnpm') ? [process.execPath, process.env.npm_execpath] : ['npx', '-y', `pnpm@${pnpmVersion}`]
// npm must not read the settings pnpm passes to the suite (npm_config_*, npm_package_*); the rest of
// the environment stays (certificate authorities, proxies)
// (its own cache folder: never the HOME's)
const cleanEnv = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k))), ODOOLOG_CACHE_DIR: CACHE_DIR }

const work = mkdtempSync(join(tmpdir(), 'odoolog-install-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

describe('install from the packed tarballs', () => {
  it('pnpm pack + npm install -g --prefix gives a working odoolog', { timeout: 300_000 }, () => {
    const packed = join(work, 'packed')
    for (const p of PACKAGES) {
      const r = spawnSync(pnpm[0]!, [...pnpm.slice(1), 'pack', '--pack-destination', packed], { cwd: join(ROOT, 'packages', p), env: { ...process.env }, encoding: 'utf8' })
      expect(r.status, r.stderr).toBe(0)
    }
    const tarballs = readdirSync(packed).filter((f) => f.endsWith('.tgz'))
    expect(tarballs.sort()).toEqual(['odoolog-cli-0.1.0.tgz', 'odoolog-mail-0.1.0.tgz', 'odoolog-search-0.1.0.tgz'])
    // workspace: ranges are rewritten to versions in the packed manifests
    const manifest = spawnSync('tar', ['-xOzf', join(packed, 'odoolog-cli-0.1.0.tgz'), 'package/package.json'], { encoding: 'utf8' })
    const cli = JSON.parse(manifest.stdout)
    expect(cli.dependencies['@odoolog/mail']).toBe('^0.1.0')
    expect(cli.license).toBe('MIT')
    expect(cli.engines.node).toMatch(/^>=20/)
    const listing = spawnSync('tar', ['-tzf', join(packed, 'odoolog-cli-0.1.0.tgz')], { encoding: 'utf8' }).stdout
    expect(listing).toContain('package/LICENSE')
    expect(listing).toContain('package/bundle/index.js')

    const prefix = join(work, 'prefix')
    const install = spawnSync('npm', ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', ...tarballs.map((t) => join(packed, t))], { env: cleanEnv, encoding: 'utf8', timeout: 240_000 })
    expect(install.status, install.stderr).toBe(0)

    const bin = join(prefix, 'bin', 'odoolog')
    const run = (args: string[]) => spawnSync(bin, args, { env: cleanEnv, input: '' })
    expect(run(['--version']).stdout.toString()).toBe(`odoolog ${cli.version}\n`)
    expect(run(['--help']).stdout.toString()).toContain('odoolog COMMAND [OPTIONS] [PATH...]')
    const report = run(['report', 'retries', '--by', 'day', EXAMPLES])
    expect(report.status).toBe(0)
    expect(report.stdout.toString()).toBe(odoolog(['report', 'retries', '--by', 'day', EXAMPLES]).stdout.toString())
    expect(run(['grep', '-c', 'failed sending mail', EXAMPLES]).stdout.toString()).toBe(odoolog(['grep', '-c', 'failed sending mail', EXAMPLES]).stdout.toString())

    // the command runs from the bundle alone (dist/ is the library's API): without the CLI's dist/,
    // every command still works, the help (yargs, loaded by a chunk) too
    rmSync(join(prefix, 'lib', 'node_modules', '@odoolog', 'cli', 'dist'), { recursive: true })
    expect(run(['--help']).stdout.toString()).toContain('odoolog COMMAND [OPTIONS] [PATH...]')
    expect(run(['report', 'retries', '--by', 'day', EXAMPLES]).stdout.toString()).toBe(report.stdout.toString())
    expect(run(['diagnose', EXAMPLES]).status).toBe(0)
    expect(run(['grep', '-c', 'failed sending mail', EXAMPLES]).stdout.toString()).toBe(odoolog(['grep', '-c', 'failed sending mail', EXAMPLES]).stdout.toString())
  })
})
