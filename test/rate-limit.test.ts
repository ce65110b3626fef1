// GitLab's user and IP rate limits (src/rate-limit.ts): budgets per token and per client IP, counted in
// the database (shared by every app over it), GitLab's 429 answer and RateLimit-* headers.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, type RateLimitSettings } from '../src/config.ts';
import { openDatabase, type Database } from '../src/db/client.ts';
import { loadFixture } from '../src/fixture/load.ts';
import type { PrismaClient } from '../src/generated/prisma/client.ts';
import { createLogger, type Logger } from '../src/logger.ts';
import { createRateLimiter, throttleHeaders, type RateLimiter } from '../src/rate-limit.ts';
import { createApp, startServer, type App } from '../src/server.ts';
import { createScratchPostgres, createTestDatabase, testDbMode, type TestDatabase } from './support/database.ts';

const tokens = { ann: 'glpat-ann-ratelimit-00001', bob: 'glpat-bob-ratelimit-00001' };
const silent = createLogger('silent');

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  await loadFixture(db.prisma, {
    users: [
      { username: 'ann', name: 'Ann', tokens: [{ name: 't', token: tokens.ann, scopes: ['api'] }] },
      { username: 'bob', name: 'Bob', tokens: [{ name: 't', token: tokens.bob, scopes: ['api'] }] },
    ],
    groups: [{ path: 'pub', visibility: 'public' }],
    projects: [{ path: 'pub/site', visibility: 'public', packages: [{ name: 'pkg', version: '1.0.0', package_type: 'npm' }] }],
  });
});
afterAll(() => db.close());

// 15 s into a minute: a 60 s window ends 45 s later, at 12:01:00.
const start = Date.UTC(2030, 0, 1, 12, 0, 15);
let clock = start;
beforeEach(async () => {
  clock = start;
  await db.prisma.$executeRaw`DELETE FROM rate_limit_counters`;
});

const settings = (overrides: Partial<RateLimitSettings> = {}): RateLimitSettings => ({
  enabled: true,
  authenticated: { requests: 3, periodSeconds: 60 },
  unauthenticated: { requests: 2, periodSeconds: 60 },
  headersOnAllResponses: false,
  ...overrides,
});

const limiter = (overrides: Partial<RateLimitSettings> = {}, prisma: PrismaClient = db.prisma, logger: Logger = silent) =>
  createRateLimiter({ prisma, settings: settings(overrides), logger, now: () => clock });

const appWith = (rateLimiter: RateLimiter | undefined, prisma: PrismaClient = db.prisma): App =>
  createApp({
    db: { prisma },
    config: { publicUrl: undefined, graphiql: false, exposeErrors: true },
    logger: silent,
    ...(rateLimiter ? { rateLimiter } : {}),
  });

/** A GET (or, with `graphql`, a POST of `{ __typename }`) from `ip`, with `token` when given. */
function call(app: App, target: string, options: { token?: string; ip?: string; graphql?: boolean } = {}) {
  const headers: Record<string, string> = options.token ? { 'private-token': options.token } : {};
  const init: RequestInit = options.graphql
    ? { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) }
    : { headers };
  return app.fetch(new Request(`http://gw.test${target}`, init), { address: options.ip ?? '192.0.2.1' });
}

const packages = '/api/v4/projects/pub%2Fsite/packages';
const statuses = async (responses: Promise<Response>[]) => (await Promise.all(responses)).map((r) => r.status);
async function times(n: number, send: () => Promise<Response>) {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await send()).status);
  return out;
}

const rateLimitHeaders = (response: Response) =>
  Object.fromEntries(
    [...response.headers].map(([name, value]) => [name.toLowerCase(), value]).filter(([name]) => name!.startsWith('ratelimit-') || name === 'retry-after'),
  );

describe('rate limits', () => {
  it("answer the request past a token's budget 429 with GitLab's body, Retry-After and RateLimit-* headers", async () => {
    const app = appWith(limiter());
    for (let i = 0; i < 3; i++) {
      const ok = await call(app, packages, { token: tokens.ann });
      expect(ok.status).toBe(200);
      expect(rateLimitHeaders(ok)).toEqual({}); // as GitLab: only throttled answers carry them by default
    }
    const throttled = await call(app, packages, { token: tokens.ann });
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('content-type')).toBe('text/plain');
    expect(await throttled.text()).toBe('Retry later\n');
    expect(rateLimitHeaders(throttled)).toEqual({
      'ratelimit-name': 'throttle_authenticated_api',
      'ratelimit-limit': '3',
      'ratelimit-observed': '4',
      'ratelimit-remaining': '0',
      'ratelimit-reset': String(Date.UTC(2030, 0, 1, 12, 1, 0) / 1000),
      'ratelimit-resettime': 'Tue, 01 Jan 2030 12:01:00 GMT',
      'retry-after': '45',
    });
    expect(throttled.headers.get('x-request-id')).toBeTruthy();
  });

  it('count GraphQL, REST and downloads against one budget, and answer each 429 past it', async () => {
    const app = appWith(limiter());
    const download = '/pub/site/-/package_files/1/download';
    expect(await statuses([call(app, '/api/graphql', { token: tokens.ann, graphql: true })])).toEqual([200]);
    expect(await statuses([call(app, packages, { token: tokens.ann })])).toEqual([200]);
    expect(await statuses([call(app, download, { token: tokens.ann })])).toEqual([404]);
    expect(await times(1, () => call(app, '/api/graphql', { token: tokens.ann, graphql: true }))).toEqual([429]);
    expect(await times(1, () => call(app, packages, { token: tokens.ann }))).toEqual([429]);
    expect(await times(1, () => call(app, download, { token: tokens.ann }))).toEqual([429]);
  });

  it('give each token its own budget, wherever its requests come from', async () => {
    const app = appWith(limiter());
    expect(await times(4, () => call(app, packages, { token: tokens.ann, ip: '192.0.2.1' }))).toEqual([200, 200, 200, 429]);
    expect(await times(1, () => call(app, packages, { token: tokens.ann, ip: '198.51.100.9' }))).toEqual([429]);
    expect(await times(4, () => call(app, packages, { token: tokens.bob, ip: '192.0.2.1' }))).toEqual([200, 200, 200, 429]);
  });

  it('give each IP its own budget for anonymous requests and tokens that do not authenticate', async () => {
    const app = appWith(limiter());
    const anonymous = await times(3, () => call(app, packages, { ip: '192.0.2.1' }));
    expect(anonymous).toEqual([200, 200, 429]);
    const throttled = await call(app, packages, { ip: '192.0.2.1' });
    expect(throttled.headers.get('ratelimit-name')).toBe('throttle_unauthenticated_api');
    expect(throttled.headers.get('ratelimit-observed')).toBe('4'); // throttled requests count too, as Rack::Attack's
    expect(await times(3, () => call(app, packages, { ip: '203.0.113.5', token: 'glpat-nobody-knows-this' }))).toEqual([401, 401, 429]);
    expect(await times(1, () => call(app, packages, { ip: '::ffff:203.0.113.5' }))).toEqual([429]); // the same IPv4 caller
    expect(await times(1, () => call(app, packages, { ip: '2001:db8::1' }))).toEqual([200]);
    expect(await times(1, () => call(app, packages, { token: tokens.ann, ip: '192.0.2.1' }))).toEqual([200]);
  });

  it('reset with the next window, and the ended windows are deleted', async () => {
    const app = appWith(limiter());
    expect(await times(3, () => call(app, packages))).toEqual([200, 200, 429]);
    clock = Date.UTC(2030, 0, 1, 12, 0, 59, 999);
    expect(await times(1, () => call(app, packages))).toEqual([429]);
    clock = Date.UTC(2030, 0, 1, 12, 1, 0);
    expect(await times(3, () => call(app, packages))).toEqual([200, 200, 429]);
    await expect
      .poll(() => db.prisma.rateLimitCounter.findMany({ select: { windowStart: true, count: true } }))
      .toEqual([{ windowStart: new Date(Date.UTC(2030, 0, 1, 12, 1, 0)), count: 3 }]);
  });

  it('are shared by two app instances over one database', async () => {
    // On PostgreSQL a second client with its own pool, as a second gateway process has.
    const other: Database | null = testDbMode === 'postgres' ? await openDatabase({ databaseUrl: db.url!, dataDir: '', poolSize: 2 }) : null;
    try {
      const first = appWith(limiter());
      const second = appWith(limiter({}, other?.prisma ?? db.prisma), other?.prisma ?? db.prisma);
      expect(await times(2, () => call(first, packages, { token: tokens.ann }))).toEqual([200, 200]);
      expect(await times(1, () => call(second, packages, { token: tokens.ann }))).toEqual([200]);
      expect(await times(1, () => call(second, packages, { token: tokens.ann }))).toEqual([429]);
      expect(await times(1, () => call(first, packages, { token: tokens.ann }))).toEqual([429]);
      // Concurrent requests from both: each counted once (one upsert each), 2 of 3 anonymous requests admitted.
      const both = await statuses([call(first, packages), call(second, packages), call(first, packages)]);
      expect(both.sort()).toEqual([200, 200, 429]);
    } finally {
      await other?.close();
    }
  });

  it('never apply to health, readiness and metrics', async () => {
    const app = appWith(limiter({ unauthenticated: { requests: 1, periodSeconds: 60 } }));
    for (const target of ['/-/health', '/-/readiness', '/-/metrics']) {
      expect(await times(5, () => call(app, target, { ip: '127.0.0.1' }))).toEqual([200, 200, 200, 200, 200]);
    }
    expect(await db.prisma.rateLimitCounter.count()).toBe(0);
  });

  it('leave a kind of caller unlimited, and uncounted, when its budget is 0', async () => {
    const app = appWith(limiter({ authenticated: { requests: 0, periodSeconds: 60 } }));
    expect(await times(6, () => call(app, packages, { token: tokens.ann }))).toEqual([200, 200, 200, 200, 200, 200]);
    expect(await times(3, () => call(app, packages))).toEqual([200, 200, 429]);
    expect(await db.prisma.rateLimitCounter.findMany({ select: { key: true } })).toEqual([{ key: 'api:ip:192.0.2.1' }]);
  });

  it('send the RateLimit-* headers on every answer with RATE_LIMIT_HEADERS_ON_ALL_RESPONSES', async () => {
    const app = appWith(limiter({ headersOnAllResponses: true }));
    const ok = await call(app, packages, { token: tokens.ann });
    expect(ok.status).toBe(200);
    expect(rateLimitHeaders(ok)).toEqual({
      'ratelimit-name': 'throttle_authenticated_api',
      'ratelimit-limit': '3',
      'ratelimit-observed': '1',
      'ratelimit-remaining': '2',
      'ratelimit-reset': String(Date.UTC(2030, 0, 1, 12, 1, 0) / 1000),
    });
    expect((await call(app, packages, { token: 'glpat-nobody-knows-this' })).headers.get('ratelimit-name')).toBe('throttle_unauthenticated_api');
    await times(2, () => call(app, packages, { token: tokens.ann }));
    const throttled = await call(app, packages, { token: tokens.ann });
    expect(throttled.status).toBe(429);
    expect(rateLimitHeaders(throttled)).toMatchObject({ 'ratelimit-observed': '4', 'retry-after': '45' });
  });

  it('let requests through, and log it, when the database does not answer', async () => {
    const unreachable = await openDatabase({ databaseUrl: 'postgresql://nobody@127.0.0.1:1/none', dataDir: '' });
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    try {
      const app = appWith(limiter({ unauthenticated: { requests: 1, periodSeconds: 60 } }, unreachable.prisma, createLogger('warn', sink)));
      expect(await times(3, () => call(app, packages))).toEqual([200, 200, 200]);
      expect(lines.filter((line) => line.msg === 'rate limit not checked (database error): request let through')).toHaveLength(3);
    } finally {
      await unreachable.close();
    }
  });

  it('add exactly one SQL statement to a request', async () => {
    let statements = 0;
    const stop = db.observeQueries(() => statements++);
    try {
      const plain = appWith(undefined);
      const limited = appWith(limiter({ authenticated: { requests: 1000, periodSeconds: 60 }, unauthenticated: { requests: 1000, periodSeconds: 60 } }));
      const requests = [
        (app: App) => call(app, packages, { token: tokens.bob }),
        (app: App) => call(app, packages),
        (app: App) => call(app, '/api/graphql', { token: tokens.bob, graphql: true }),
      ];
      // Warm up: the token's last_used_at and the limiter's first deletion of ended windows (both not awaited).
      for (const send of requests) await Promise.all([send(plain), send(limited)]);
      await new Promise((resolve) => setTimeout(resolve, 200));
      for (const send of requests) {
        const counted = async (app: App) => {
          const before = statements;
          expect((await send(app)).status).toBe(200);
          return statements - before;
        };
        const without = await counted(plain);
        expect(await counted(limited)).toBe(without + 1);
      }
    } finally {
      stop();
    }
  });
});

describe('throttleHeaders', () => {
  it("scale RateLimit-Limit to 60 seconds, rounded up, as GitLab's rounded_limit", () => {
    const at = Date.UTC(2021, 0, 5, 10, 30, 0) / 1000;
    expect(throttleHeaders({ name: 'throttle_authenticated_api', limit: 7200, periodSeconds: 3600, observed: 7201, nowSeconds: at }, true)).toEqual({
      'RateLimit-Name': 'throttle_authenticated_api',
      'RateLimit-Limit': '120',
      'RateLimit-Observed': '7201',
      'RateLimit-Remaining': '0',
      'RateLimit-Reset': String(Date.UTC(2021, 0, 5, 11, 0, 0) / 1000),
      'RateLimit-ResetTime': 'Tue, 05 Jan 2021 11:00:00 GMT',
      'Retry-After': '1800',
    });
    expect(throttleHeaders({ name: 'throttle_unauthenticated_api', limit: 100, periodSeconds: 120, observed: 50, nowSeconds: at }, false)['RateLimit-Limit']).toBe('50');
    expect(throttleHeaders({ name: 'throttle_unauthenticated_api', limit: 1, periodSeconds: 3600, observed: 1, nowSeconds: at }, false)['RateLimit-Limit']).toBe('1');
  });
});

describe('RATE_LIMIT_* settings', () => {
  it("are off by default, in development and production alike, with GitLab's default budgets", () => {
    const expected = { enabled: false, authenticated: { requests: 7200, periodSeconds: 3600 }, unauthenticated: { requests: 3600, periodSeconds: 3600 }, headersOnAllResponses: false };
    expect(loadConfig({}).rateLimit).toEqual(expected);
    expect(loadConfig({ NODE_ENV: 'production' }).rateLimit).toEqual(expected);
  });

  it('are read', () => {
    expect(
      loadConfig({
        RATE_LIMIT_ENABLED: 'true',
        RATE_LIMIT_AUTHENTICATED_REQUESTS: '100',
        RATE_LIMIT_AUTHENTICATED_PERIOD_SECONDS: '60',
        RATE_LIMIT_UNAUTHENTICATED_REQUESTS: '0',
        RATE_LIMIT_UNAUTHENTICATED_PERIOD_SECONDS: '86400',
        RATE_LIMIT_HEADERS_ON_ALL_RESPONSES: 'yes',
      }).rateLimit,
    ).toEqual({ enabled: true, authenticated: { requests: 100, periodSeconds: 60 }, unauthenticated: { requests: 0, periodSeconds: 86400 }, headersOnAllResponses: true });
  });

  it.each([
    [{ RATE_LIMIT_ENABLED: 'maybe' }, /RATE_LIMIT_ENABLED="maybe" must be true or false/],
    [{ RATE_LIMIT_AUTHENTICATED_REQUESTS: '-1' }, /RATE_LIMIT_AUTHENTICATED_REQUESTS="-1" must be an integer from 0 to 1000000000/],
    [{ RATE_LIMIT_UNAUTHENTICATED_PERIOD_SECONDS: '0' }, /RATE_LIMIT_UNAUTHENTICATED_PERIOD_SECONDS="0" must be an integer from 1 to 86400/],
    [{ RATE_LIMIT_AUTHENTICATED_PERIOD_SECONDS: '86401' }, /RATE_LIMIT_AUTHENTICATED_PERIOD_SECONDS="86401" must be an integer from 1 to 86400/],
  ])('refuse %o', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('limit the started server by TCP peer address when enabled, and not when unset', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pgw-rate-limit-'));
    const scratch = testDbMode === 'postgres' ? await createScratchPostgres() : null;
    const env = {
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      SEED_DEMO: 'false',
      PACKAGE_CLEANUP_INTERVAL_SECONDS: '0',
      PACKAGE_STORAGE_PATH: path.join(dir, 'packages'),
      ...(scratch ? { DATABASE_URL: scratch.url } : { DATA_DIR: path.join(dir, 'data') }),
    };
    try {
      const limited = await startServer(loadConfig({ ...env, RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_UNAUTHENTICATED_REQUESTS: '1' }), silent);
      try {
        expect((await fetch(`${limited.url}/api/v4/openapi.json`)).status).toBe(200);
        const throttled = await fetch(`${limited.url}/api/v4/openapi.json`);
        expect(throttled.status).toBe(429);
        expect(throttled.headers.get('ratelimit-name')).toBe('throttle_unauthenticated_api');
        expect((await fetch(`${limited.url}/-/health`)).status).toBe(200);
        expect(await limited.db.prisma.rateLimitCounter.findMany({ select: { key: true, count: true } })).toEqual([{ key: 'api:ip:127.0.0.1', count: 2 }]);
      } finally {
        await limited.close();
      }
      const unlimited = await startServer(loadConfig({ ...env, RATE_LIMIT_UNAUTHENTICATED_REQUESTS: '1' }), silent);
      try {
        for (let i = 0; i < 3; i++) expect((await fetch(`${unlimited.url}/api/v4/openapi.json`)).status).toBe(200);
      } finally {
        await unlimited.close();
      }
    } finally {
      await scratch?.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
