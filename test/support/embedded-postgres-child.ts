// A child process for postgres-server.test.ts: starts the suite's embedded PostgreSQL, prints its URL
// and data directory as one JSON line, then: `exit-code` sets a failing exit code, stops it and ends;
// `process-exit` leaves it running and calls process.exit(0), as a test runner does; `wait` waits to
// be interrupted.
import { startEmbeddedPostgres } from './postgres-server.ts';

const postgres = await startEmbeddedPostgres();
console.log(JSON.stringify({ url: postgres.url, dataRoot: postgres.dataRoot }));
if (process.argv[2] === 'exit-code') {
  process.exitCode = 3;
  await postgres.stop();
} else if (process.argv[2] === 'process-exit') {
  process.exit(0);
} else {
  setInterval(() => {}, 1_000);
}
