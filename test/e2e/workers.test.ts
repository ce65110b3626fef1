// WORKERS=2 (src/cluster.ts): two gateway processes on one port over PostgreSQL. Both answer, a token
// revoked with plain SQL is refused by both within 1 s (each has its own cache, kept in step by the
// change notifications), and a SIGTERM to the whole process group (what a supervisor sends) lets each
// worker finish its shutdown, then the primary exits with code 0.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createScratchPostgres, testDbMode } from '../support/database.ts';
import { waitForListening } from '../support/processes.ts';

const miaToken = 'glpat-mia-demo-00000000003';

/** Pids of the node processes whose parent is `pid` (not tsx's esbuild helper). */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        return parent === pid && readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('src/cli.ts');
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe.runIf(testDbMode === 'postgres' && process.platform === 'linux')('WORKERS=2', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('serves from two processes whose caches follow changes, and stops cleanly', async () => {
    const scratch = await createScratchPostgres();
    cleanups.push(scratch.drop);
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', DATABASE_URL: scratch.url, WORKERS: '2' };
    // Its own process group, so the test can signal the group as a supervisor would.
    const primary = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    primary.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    // 'close', not 'exit': the last log lines (the workers share the primary's stdout) may still be in
    // the pipe when the primary's exit is reported.
    const exited = new Promise<number | null>((resolve) => primary.once('close', (code) => resolve(code)));
    cleanups.push(async () => {
      if (primary.exitCode === null) process.kill(-primary.pid!, 'SIGKILL');
    });
    const url = await waitForListening(primary);
    // The primary forked exactly two, and both serve (each logs it). Waiting for both matters: a worker
    // still loading its modules when the group is signalled ends with the signal, without a line.
    await expect.poll(() => childrenOf(primary.pid!).length, { timeout: 30_000 }).toBe(2);
    const workersListening = () => output.split('\n').filter((line) => line.includes('"msg":"listening"') && line.includes('"worker":')).length;
    await expect.poll(workersListening, { timeout: 60_000 }).toBe(2);

    const status = async () => (await fetch(`${url}/api/v4/projects/acme%2Fplatform%2Fapi/packages`, { headers: { 'PRIVATE-TOKEN': miaToken } })).status;
    // Many requests over new connections reach both workers; all are served and cached.
    const first = await Promise.all(Array.from({ length: 20 }, status));
    expect(new Set(first)).toEqual(new Set([200]));

    const client = new pg.Client({ connectionString: scratch.url });
    await client.connect();
    await client.query(`UPDATE personal_access_tokens SET revoked = true WHERE token_digest IS NOT NULL AND name = 'release'`);
    await client.end();
    const revokedAt = Date.now();
    await expect.poll(async () => new Set(await Promise.all(Array.from({ length: 20 }, status))), { timeout: 1000, interval: 50 }).toEqual(new Set([401]));
    expect(Date.now() - revokedAt).toBeLessThan(1000);

    process.kill(-primary.pid!, 'SIGTERM'); // the group: the primary and both workers at once
    expect(await exited).toBe(0);
    const stopped = output.split('\n').filter((line) => line.includes('"msg":"stopped"'));
    // Both workers (the group signal is left to the primary, which asks each to drain) and the primary.
    expect(stopped.filter((line) => line.includes('"worker":')), output).toHaveLength(2);
    expect(stopped.filter((line) => !line.includes('"worker":')), output).toHaveLength(1);
  }, 120_000);
});
