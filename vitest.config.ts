import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

// graphql 16 has no "exports" map: Node (and so every dependency) loads its CommonJS build, while
// Vite would pick the ESM one for our files. One copy only, or instanceof checks fail across them.
const graphqlEntry = createRequire(import.meta.url).resolve('graphql');

// The AWS SDK warns once per process that its 2027 releases will need Node 22; the suite runs on 20.
const quiet = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };

// The whole suite runs twice: on the embedded PGlite and on PostgreSQL (TEST_DATABASE_URL).
const shared = {
  include: ['test/**/*.test.ts'],
  testTimeout: 60_000,
  hookTimeout: 120_000,
};

export default defineConfig({
  resolve: { alias: [{ find: /^graphql$/, replacement: graphqlEntry }] },
  test: {
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    // Test files of a worker share its module cache: the server's module graph (Pothos schema, Prisma,
    // the AWS SDK) is imported once per worker instead of once per file (the suite took 754 s with
    // isolation, 502 s without). Files keep their state in their own hooks, never in module globals.
    isolate: false,
    maxWorkers: 2,
    projects: [
      { extends: true, test: { ...shared, name: 'pglite', env: { ...quiet, TEST_DB: 'pglite' } } },
      { extends: true, test: { ...shared, name: 'postgres', env: { ...quiet, TEST_DB: 'postgres' } } },
    ],
  },
});
