// A child process for postgres-server.test.ts: starts the suite's embedded PostgreSQL, prints its URL
// and data directory as one JSON line, then either sets a failing exit code and stops it
// (`exit-code`), or waits to be interrupted (`wait`).
import { startEmbeddedPostgres } from './postgres-server.ts';

const postgres = await startEmbeddedPostgres();
console.log(JSON.stringify({ url: postgres.url, dataRoot: postgres.dataRoot }));
if (process.argv[2] === 'exit-code') {
  process.exitCode = 3;
  await postgres.stop();
} else {
  setInterval(() => {}, 1_000);
}
