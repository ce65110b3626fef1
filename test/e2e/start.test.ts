// The README's way of starting, end to end: `npm start` (here: what it runs, package.json's start
// command on the bundled dist/cli.mjs, which the suite's global setup builds with `npm run build` as
// npm's prestart does; run by `sh -c 'exec …'` so that SIGTERM reaches node, as under a supervisor) on a fresh embedded database loads the demo data, answers
// GraphQL with a demo token, and exits by itself on SIGTERM.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createScratchPostgres, testDbMode } from '../support/database.ts';
import { waitForListening } from '../support/processes.ts';

const demoToken = 'glpat-root-demo-0000000001';

// On the embedded database (what `npm start` uses) and, in the PostgreSQL run, on a new PostgreSQL database.
describe(`npm start on ${testDbMode === 'pglite' ? 'the embedded database' : 'PostgreSQL'}`, () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'pgw-e2e-'));
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves the demo data over HTTP and stops cleanly on SIGTERM', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'info' };
    delete env.DATABASE_URL;
    if (testDbMode === 'postgres') {
      const scratch = await createScratchPostgres();
      cleanups.push(scratch.drop);
      env.DATABASE_URL = scratch.url;
    }
    const { scripts } = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
    expect(scripts.prestart).toBe('npm run --silent build');
    expect(scripts.start).toMatch(/^node .*dist\/cli\.mjs serve$/);
    expect(scripts.start).toContain("--max-old-space-size=${HEAP_LIMIT_MB:-1024}");
    const child = spawn('sh', ['-c', `exec ${scripts.start}`], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await waitForListening(child);
      const response = await fetch(`${url}/api/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'PRIVATE-TOKEN': demoToken },
        body: JSON.stringify({ query: '{ currentUser { username } project(fullPath: "acme/platform/api") { packages(first: 5) { count nodes { name } } } }' }),
      });
      expect(response.status).toBe(200);
      const body = await response.json();
      expect(body.errors).toBeUndefined();
      expect(body.data.currentUser).toEqual({ username: 'root' });
      expect(body.data.project.packages.count).toBeGreaterThan(0);
      expect((await fetch(`${url}/-/readiness`)).status).toBe(200);
    } finally {
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      // Exits by itself: no forced kill here, and PGlite is closed (else the process would hang).
      expect(await exited).toBe(0);
    }
  }, 120_000); // beyond waitForListening's 90 s: a fresh embedded database on a busy machine starts slowly
});
