import { defineConfig } from 'vitest/config';

// `npm run soak`: the 10-minute soak (SOAK_SECONDS to shorten it), with the registry harness.
export default defineConfig({
  test: {
    include: ['bench/soak.soak.ts'],
    globalSetup: ['test/harness/global-setup.ts'],
    testTimeout: 60 * 60_000,
    hookTimeout: 120_000,
  },
});
