// Two processes on one PostgreSQL: a running server caches tokens, and revoking one with the CLI (another
// process) makes the server refuse it within 1 s, through the change notification. PostgreSQL only:
// an embedded PGlite database is opened by one process at a time.
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { createScratchPostgres, testDbMode } from '../support/database.ts';
import { waitForListening } from '../support/processes.ts';

const run = promisify(execFile);
const miaToken = 'glpat-mia-demo-00000000003'; // demo data: mia's "release" token

describe.runIf(testDbMode === 'postgres')('a token revoked by another process', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('is refused by a running server within 1 s', async () => {
    const scratch = await createScratchPostgres();
    cleanups.push(scratch.drop);
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', DATABASE_URL: scratch.url };
    const server = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    cleanups.push(async () => {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    });
    const url = await waitForListening(server);
    const status = async () =>
      (await fetch(`${url}/api/v4/projects/acme%2Fplatform%2Fapi/packages`, { headers: { 'PRIVATE-TOKEN': miaToken } })).status;
    expect(await status()).toBe(200);
    expect(await status()).toBe(200); // now served from the cache

    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'token:revoke', '--user', 'mia', '--name', 'release'], { env });
    expect(stdout).toContain('revoked 1 token(s)');
    const revokedAt = Date.now();
    let refusedAfter: number | undefined;
    while (Date.now() - revokedAt < 1000) {
      if ((await status()) === 401) {
        refusedAfter = Date.now() - revokedAt;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(refusedAfter, 'the revoked token was still accepted 1 s after the CLI finished').toBeDefined();
    expect(refusedAfter!).toBeLessThan(1000);
  });
});
