import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The end-to-end suite needs a control plane; it runs with `npm run test:cluster`.
    exclude: ['**/node_modules/**', 'dist/**', 'test/cluster/**'],
    // Starts the real registries (anonymous, basic, token) once for all integration tests.
    globalSetup: ['test/harness/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
