import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/db/client.ts';
import { createLogger } from '../src/logger.ts';
import { closeServer, createApp, listen, type App } from '../src/server.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { createUserWithToken } from './support/users.ts';

const config = { publicUrl: undefined, graphiql: true, exposeErrors: true };
const logger = createLogger('silent');

async function overHttp<T>(app: App, run: (url: string) => Promise<T>): Promise<T> {
  const { server, url } = await listen(app, 0, '127.0.0.1');
  try {
    return await run(url);
  } finally {
    await closeServer(server);
  }
}

describe('server', () => {
  let db: TestDatabase;
  let app: App;
  let token: string;
  const badTokens: Record<string, string> = {};
  beforeAll(async () => {
    db = await createTestDatabase();
    app = createApp({ db, config, logger });
    token = (await createUserWithToken(db.prisma, 'alice')).token;
    badTokens.expired = (await createUserWithToken(db.prisma, 'old', { expiresAt: new Date('2021-01-01') })).token;
    badTokens.revoked = (await createUserWithToken(db.prisma, 'gone', { revoked: true })).token;
    badTokens.blocked = (await createUserWithToken(db.prisma, 'banned', { state: 'blocked' })).token;
    badTokens.unknown = 'glpat-nobody-knows-this-one';
  });
  afterAll(() => db.close());

  const currentUser = (init: { headers?: Record<string, string>; query?: string } = {}) =>
    app.fetch(
      new Request(`http://gw.test/api/graphql${init.query ?? ''}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...init.headers },
        body: JSON.stringify({ query: '{ currentUser { id username webUrl } }' }),
      }),
    );

  it('health and readiness answer 200 over real HTTP', async () => {
    await overHttp(app, async (url) => {
      const health = await fetch(`${url}/-/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });
      const ready = await fetch(`${url}/-/readiness`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: 'ok' });
    });
  });

  it('readiness is 503 with a reason when the database is unreachable', async () => {
    const unreachable = await openDatabase({ databaseUrl: 'postgresql://nobody@127.0.0.1:1/none', dataDir: '' });
    try {
      await overHttp(createApp({ db: unreachable, config, logger }), async (url) => {
        const ready = await fetch(`${url}/-/readiness`);
        expect(ready.status).toBe(503);
        expect(await ready.json()).toEqual({ status: 'unavailable', reason: 'database unreachable' });
        expect((await fetch(`${url}/-/health`)).status).toBe(200);
      });
    } finally {
      await unreachable.close();
    }
  });

  it('readiness is 503 while migrations are pending', async () => {
    const empty = await createTestDatabase({ migrate: false });
    try {
      const ready = await createApp({ db: empty, config, logger }).fetch(new Request('http://gw.test/-/readiness'));
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ status: 'unavailable', reason: expect.stringMatching(/^pending migrations: \d+_init/) });
    } finally {
      await empty.close();
    }
  });

  it('anonymous requests have no current user', async () => {
    const response = await currentUser();
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { currentUser: null } });
  });

  it.each([
    ['PRIVATE-TOKEN header', (t: string) => ({ headers: { 'PRIVATE-TOKEN': t } })],
    ['Authorization: Bearer', (t: string) => ({ headers: { Authorization: `Bearer ${t}` } })],
    ['private_token parameter', (t: string) => ({ query: `?private_token=${encodeURIComponent(t)}` })],
  ])('authenticates with the %s', async (_name, how) => {
    const response = await currentUser(how(token));
    const body = await response.json();
    expect(body.data.currentUser).toEqual({
      id: expect.stringMatching(/^gid:\/\/gitlab\/User\/\d+$/),
      username: 'alice',
      webUrl: 'http://gw.test/alice',
    });
  });

  it.each(['unknown', 'expired', 'revoked', 'blocked'])('answers a %s token with 401 Invalid token', async (kind) => {
    const response = await currentUser({ headers: { 'PRIVATE-TOKEN': badTokens[kind]! } });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ errors: [{ message: 'Invalid token' }] });
  });

  it('unknown paths are a JSON 404 and every response carries a request id', async () => {
    const response = await app.fetch(new Request('http://gw.test/nope', { headers: { 'x-request-id': 'abc-123' } }));
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('x-request-id')).toBe('abc-123');
    expect(await response.json()).toEqual({ error: '404 Not Found' });
  });

  it('serves GraphiQL on GET', async () => {
    const response = await app.fetch(new Request('http://gw.test/api/graphql', { headers: { accept: 'text/html' } }));
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('graphiql');
  });
});

/** A database whose every statement fails with a bug's error (not an outage): `prisma.<model>.<method>()` rejects. */
const brokenDatabase = () => {
  const fail = async () => {
    throw new TypeError("Cannot read properties of undefined (reading 'id') at /work/src/domain/projects.ts:12");
  };
  const model = new Proxy({}, { get: () => fail });
  return { prisma: new Proxy({}, { get: (_target, property) => (String(property).startsWith('$') ? fail : model) }) } as never;
};

describe('unexpected errors', () => {
  const query = (app: App) =>
    app.fetch(
      new Request('http://gw.test/api/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': 'req-42' },
        body: JSON.stringify({ query: '{ project(fullPath: "a/b") { id } }' }),
      }),
    );
  const logSink = (lines: Record<string, unknown>[]) =>
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });

  it('are masked by default (no message of the cause, no stack trace) and logged with the request id', async () => {
    const lines: Record<string, unknown>[] = [];
    const defaults = loadConfig({});
    expect(defaults.exposeErrors).toBe(false);
    const app = createApp({ db: brokenDatabase(), config: defaults, logger: createLogger('error', logSink(lines)) });
    const response = await query(app);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ data: { project: null }, errors: [{ message: 'Unexpected error.', locations: [{ line: 1, column: 3 }], path: ['project'], extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
    expect(text).not.toMatch(/stack|originalError|\.ts|prisma/i);
    const logged = lines.find((line) => line.msg === 'unexpected GraphQL error');
    expect(logged).toMatchObject({ requestId: 'req-42', err: { message: expect.any(String), stack: expect.any(String) } });
  });

  it('carry their cause only with EXPOSE_ERRORS=true', async () => {
    const app = createApp({ db: brokenDatabase(), config: loadConfig({ EXPOSE_ERRORS: 'true' }), logger });
    const body = await (await query(app)).json();
    expect(body.errors[0].extensions.originalError).toMatchObject({ message: expect.any(String), stack: expect.any(String) });
  });

  it('from a database that cannot be reached are 503 Service Unavailable, for GraphQL, REST and downloads alike, and logged as warnings', async () => {
    const unreachable = await openDatabase({ databaseUrl: 'postgresql://nobody@127.0.0.1:1/none', dataDir: '' });
    const lines: Record<string, unknown>[] = [];
    try {
      const app = createApp({ db: unreachable, config: loadConfig({}), logger: createLogger('warn', logSink(lines)) });
      const graphql = await query(app);
      expect([graphql.status, await graphql.json()]).toEqual([503, { errors: [{ message: '503 Service Unavailable' }] }]);
      for (const path of ['/api/v4/projects/1/packages', '/acme/app/-/package_files/1/download']) {
        const answer = await app.fetch(new Request(`http://gw.test${path}`));
        expect([path, answer.status, await answer.json()]).toEqual([path, 503, { message: '503 Service Unavailable' }]);
      }
      expect((await app.fetch(new Request('http://gw.test/-/readiness'))).status).toBe(503);
      expect((await app.fetch(new Request('http://gw.test/-/health'))).status).toBe(200);
      expect(lines.filter((line) => line.msg === 'database unavailable').map((line) => [line.level, line.requestId !== undefined])).toEqual([
        [40, true],
        [40, true],
        [40, true],
      ]);
      expect(lines.filter((line) => line.msg === 'unexpected GraphQL error' || line.msg === 'unhandled error')).toEqual([]);
    } finally {
      await unreachable.close();
    }
  });
});
