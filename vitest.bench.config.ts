import { defineConfig } from 'vitest/config';

// Benchmarks, not tests: `npm run bench`. They use the same registry harness as the tests and
// write their figures to bench/results/.
export default defineConfig({
  test: {
    include: ['bench/**/*.run.ts'],
    globalSetup: ['test/harness/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 30 * 60_000,
    hookTimeout: 120_000,
  },
});
