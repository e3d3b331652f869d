import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // The fault suite has its own config and command (npm run test:faults).
    exclude: ['tests/faults/**', 'node_modules/**'],
    // Separate processes: SQLite connections and child processes stay per test file.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Fail on a leaked handle (open pool, server, child) instead of hanging the run.
    teardownTimeout: 10_000,
  },
});
