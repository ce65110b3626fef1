// Before the suite:
// - the typed documents of test/graphql (gitignored), generated against the committed schema.graphql
//   (which schema-artifact.test.ts holds equal to the live schema), so a document that no longer
//   validates fails the run;
// - dist/cli.mjs and the web interface in dist/web (`npm run build`, what `npm start` runs first), for
//   test/e2e/start.test.ts and test/web, built once so that the two halves never write them while the
//   other reads them;
// - the PostgreSQL server of the PostgreSQL half (test/support/postgres-server.ts), handed to the
//   test processes as TEST_DATABASE_URL, and stopped after the run.
// Vitest runs this once per project (pglite, postgres) in one process: both share one server.
import { execFileSync } from 'node:child_process';
import { generate } from '@graphql-codegen/cli';
import { documents, documentsOutput } from '../../codegen.ts';
import { suitePostgres, type SuitePostgres } from './postgres-server.ts';

interface Shared {
  postgres: Promise<SuitePostgres>;
  users: number;
}
const key = Symbol.for('packages-gateway.suite-postgres');
const shared = globalThis as typeof globalThis & { [key]?: Shared };

export default async function setup() {
  await generate({ schema: 'schema.graphql', documents, generates: { 'test/graphql/generated/': documentsOutput }, silent: true }, true);

  let state = shared[key];
  if (!state) {
    execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
    state = shared[key] = { postgres: suitePostgres(), users: 0 };
    const postgres = await state.postgres;
    console.log(`PostgreSQL half of the suite: ${postgres.description}`);
  }
  state.users += 1;
  const postgres = await state.postgres;
  process.env.TEST_DATABASE_URL = postgres.url;

  return async () => {
    state.users -= 1;
    if (state.users === 0) {
      delete shared[key];
      await postgres.stop();
    }
  };
}
