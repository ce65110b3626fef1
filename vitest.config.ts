import { defineConfig } from 'vitest/config';

// The whole suite runs twice: on the embedded PGlite and on PostgreSQL (TEST_DATABASE_URL).
const shared = {
  include: ['test/**/*.test.ts'],
  testTimeout: 60_000,
  hookTimeout: 120_000,
};

export default defineConfig({
  test: {
    pool: 'forks',
    maxWorkers: 2,
    projects: [
      { test: { ...shared, name: 'pglite', env: { TEST_DB: 'pglite' } } },
      { test: { ...shared, name: 'postgres', env: { TEST_DB: 'postgres' } } },
    ],
  },
});
