import { defineConfig } from 'vitest/config';

// The end-to-end suite (`npm run test:cluster`): a real etcd + kube-apiserver (built from Go
// modules by scripts/build-control-plane.sh, started once by test/cluster/harness/global-setup.ts)
// and the real registries of the integration harness.
export default defineConfig({
  test: {
    include: ['test/cluster/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'dist/**'],
    globalSetup: ['test/harness/global-setup.ts', 'test/cluster/harness/global-setup.ts'],
    // One API server for all files: running them one at a time keeps its load (and the 2-core
    // runner) predictable; tests inside a file still decide their own concurrency.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 300_000,
    teardownTimeout: 60_000,
  },
});
