#!/usr/bin/env node
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8'
import { PerformanceObserver } from 'node:perf_hooks'
import { statSync } from 'node:fs'
// The mail commands promote every event they hold to the old generation; V8's default growth let it
// reach 4x the live heap (225 MB peak RSS for a report over the mail-dense bench folder); growing by
// 1.5x keeps it at ~155 MB for the same time (major GCs run concurrently on the second core).
setFlagsFromString('--heap-growing-percent=50')
// The young generation grows to 2 x 16 MB while held events survive its collections (34 MB of the
// mail commands' ~150 MB peak RSS). Once it has reached 16 MB, it stops growing: peak RSS 120-133 MB
// for `report retries` and `diagnose` over the mail-dense bench folder, in the same time (7-8 s).
// The flag is read at each growth; the heap's own size limits can only be set at start-up.
const young = new PerformanceObserver(() => {
  if ((getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0) < 16 << 20) return
  setFlagsFromString('--semi-space-growth-factor=1')
  young.disconnect()
})
young.observe({ entryTypes: ['gc'] })
// The bundle that scripts/bundle.mjs made of dist/ (30 ms less start-up), unless `tsc -b` has built
// since (in a checkout it touches tsconfig.tsbuildinfo, which no installed package has): else dist/.
const bundled = new URL('../bundle/index.js', import.meta.url)
const made = statSync(bundled, { throwIfNoEntry: false })?.mtimeMs ?? -1
const built = statSync(new URL('../tsconfig.tsbuildinfo', import.meta.url), { throwIfNoEntry: false })?.mtimeMs ?? -1
const { commandLine, main } = await import(made >= built && made >= 0 ? bundled.href : '../dist/index.js')
process.exitCode = await main(commandLine())
