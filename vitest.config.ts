import { defineConfig } from 'vitest/config'

// .ci/run sets ODOOLOG_TEST_JSON to read exact counts; people get the default reporter only.
const json = process.env.ODOOLOG_TEST_JSON

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: json ? ['default', ['json', { outputFile: json }]] : ['default'],
  },
})
