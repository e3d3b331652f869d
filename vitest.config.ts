import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Separate processes: SQLite connections and child processes stay per test file.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Fail on a leaked handle (open pool, server, child) instead of hanging the run.
    teardownTimeout: 10_000,
  },
});
