import { defineConfig } from 'vitest/config';

// `npm run fuzz`: the fast-check properties (*.fuzz.test.ts) with FUZZ_RUNS cases per unit of
// weight (test/fuzz/fuzz-runs.ts); the tally setup prints how many cases ran in all.
export default defineConfig({
  test: {
    include: ['src/**/*.fuzz.test.ts', 'test/**/*.fuzz.test.ts'],
    globalSetup: ['test/harness/global-setup.ts', 'test/fuzz/fuzz-tally.ts'],
    testTimeout: 30 * 60_000,
    hookTimeout: 120_000,
  },
});
