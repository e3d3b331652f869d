import { defineConfig } from 'vitest/config';

// The fault suite (`npm run test:faults`): kills, database restarts, dropped connections, hostile
// input. Slower than the unit suite and bounded as a whole to about ten minutes, so it runs on its own.
export default defineConfig({
  test: {
    include: ['tests/faults/**/*.test.ts'],
    pool: 'forks',
    // One scenario at a time: each one loads the machine on purpose.
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 60_000,
    teardownTimeout: 10_000,
  },
});
