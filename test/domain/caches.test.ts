// Caches between requests (src/domain/caches.ts over src/db/cache.ts): what a warm request costs in
// SQL, that a change by anyone (plain SQL here) reaches the cache through NOTIFY, and that while the
// listening connection is down nothing is served from a cache.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChangeCaches, type TableCache } from '../../src/db/cache.ts';
import { listenerApplicationName, type ChangeListener } from '../../src/db/change-feed.ts';
import { defineCaches } from '../../src/domain/caches.ts';
import { createLogger } from '../../src/logger.ts';
import { createApp, type App } from '../../src/server.ts';
import { packagesQuery } from '../../bench/targets.ts';
import { loadFixture } from '../../src/fixture/load.ts';
import { createTestDatabase, testDbMode, type TestDatabase } from '../support/database.ts';
import { worldToken } from '../support/graphql.ts';

/** Polls `check` every 20 ms until it holds or `ms` pass; returns the time it took. */
async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check()) return Date.now() - started;
    if (Date.now() - started > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('ChangeCaches', () => {
  /** Caches fed by a hand-driven listener. */
  async function caches() {
    let feed!: ChangeListener;
    const changes = new ChangeCaches();
    await changes.start(async (listener) => {
      feed = listener;
      return async () => {};
    });
    const a: TableCache<string, string> = changes.define(['users'], 10);
    const b: TableCache<string, string> = changes.define(['projects'], 10);
    return { changes, a, b, feed: () => feed };
  }

  it('caches nothing until the listener is connected', async () => {
    const { a, feed } = await caches();
    a.set('k', 'v', a.stamp());
    expect(a.get('k')).toBeUndefined();
    feed().state(true);
    a.set('k', 'v', a.stamp());
    expect(a.get('k')).toBe('v');
  });

  it('a notification empties the caches read from that table, and only those', async () => {
    const { a, b, feed } = await caches();
    feed().state(true);
    a.set('k', 'a', a.stamp());
    b.set('k', 'b', b.stamp());
    feed().notify('projects');
    expect([a.get('k'), b.get('k')]).toEqual(['a', undefined]);
  });

  it('a value read before a change is not stored after it', async () => {
    const { a, feed } = await caches();
    feed().state(true);
    const stamp = a.stamp();
    feed().notify('users'); // arrives while the value is being read
    a.set('k', 'stale', stamp);
    expect(a.get('k')).toBeUndefined();
  });

  it('losing the connection empties every cache and turns caching off until it is back', async () => {
    const { a, b, changes, feed } = await caches();
    feed().state(true);
    a.set('k', 'a', a.stamp());
    b.set('k', 'b', b.stamp());
    feed().state(false);
    expect(changes.isLive).toBe(false);
    expect([a.get('k'), b.get('k')]).toEqual([undefined, undefined]);
    a.set('k', 'a', a.stamp());
    expect(a.get('k')).toBeUndefined();
    feed().state(true);
    expect(a.get('k')).toBeUndefined(); // back empty: changes made meanwhile were not heard
  });
});

describe(`caches between requests (${testDbMode})`, () => {
  let db: TestDatabase;
  let app: App;
  let changes: ChangeCaches;
  let statements = 0;
  const maint = worldToken('maint'); // maintainer of group pub

  beforeAll(async () => {
    db = await createTestDatabase();
    await loadFixture(db.prisma, 'test/fixtures/graphql-world.json');
    db.observeQueries(() => statements++);
    changes = new ChangeCaches();
    await changes.start(db.listen);
    app = createApp({ db, config: { publicUrl: undefined, graphiql: false, exposeErrors: true }, logger: createLogger('silent'), caches: defineCaches(changes) });
  });
  afterAll(async () => {
    await changes.close();
    await db.close();
  });

  const graphqlList = (token: string, first: number) =>
    app.fetch(
      new Request('http://gw.test/api/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'private-token': token },
        body: JSON.stringify({ query: packagesQuery, variables: { fullPath: 'pub/app', first } }),
      }),
    );
  const restList = (token: string, perPage: number) =>
    app.fetch(new Request(`http://gw.test/api/v4/projects/pub%2Fapp/packages?per_page=${perPage}`, { headers: { 'private-token': token } }));

  /** SQL statements `send` makes. */
  async function cost(send: () => Promise<Response>): Promise<{ status: number; statements: number }> {
    const before = statements;
    const response = await send();
    await response.arrayBuffer();
    await new Promise((resolve) => setTimeout(resolve, 10)); // let fire-and-forget bookkeeping report
    return { status: response.status, statements: statements - before };
  }

  it('listens on this database', () => {
    expect(changes.isLive).toBe(true);
  });

  it('warm: ONE SQL statement for a page of packages with its relations and count, REST E1 and the GraphQL list, at any page size', async () => {
    for (const size of [1, 20, 100]) {
      await cost(() => graphqlList(maint, size)); // warms the token, project and protection rules
      expect(await cost(() => graphqlList(maint, size))).toEqual({ status: 200, statements: 1 });
      await cost(() => restList(maint, size));
      expect(await cost(() => restList(maint, size))).toEqual({ status: 200, statements: 1 });
    }
  });

  it('a second count with another limit is counted apart, and both are right', async () => {
    const query = `query($fullPath: ID!) { project(fullPath: $fullPath) { packages(first: 2) { count capped: count(limit: 1) nodes { id } } } }`;
    const send = () =>
      app.fetch(
        new Request('http://gw.test/api/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'private-token': maint },
          body: JSON.stringify({ query, variables: { fullPath: 'pub/app' } }),
        }),
      );
    await cost(send);
    const before = statements;
    const body = (await (await send()).json()) as { data: { project: { packages: { count: number; capped: number } } } };
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(statements - before).toBe(2);
    const listed = await db.prisma.package.count({ where: { project: { fullPath: 'pub/app' }, status: { in: ['default', 'error', 'deprecated'] }, packageType: { not: 'terraform_module' }, version: { not: null } } });
    expect(body.data.project.packages).toEqual({ count: listed, capped: Math.min(listed, 2), nodes: expect.any(Array) });
  });

  it('a token revoked with plain SQL is refused within 1 s, and one made valid again is accepted', async () => {
    const dev = worldToken('dev');
    expect((await graphqlList(dev, 1)).status).toBe(200);
    await db.prisma.$executeRawUnsafe(`UPDATE personal_access_tokens SET revoked = true WHERE user_id = (SELECT id FROM users WHERE username = 'dev')`);
    const ms = await within(1000, async () => (await graphqlList(dev, 1)).status === 401);
    expect(ms).toBeLessThan(1000);
    await db.prisma.$executeRawUnsafe(`UPDATE personal_access_tokens SET revoked = false WHERE user_id = (SELECT id FROM users WHERE username = 'dev')`);
    await within(1000, async () => (await graphqlList(dev, 1)).status === 200);
  });

  it('a membership removed with plain SQL stops access within 1 s', async () => {
    // rep reads the private project priv/secret as a member; without the membership it is not found.
    const rep = worldToken('rep');
    const read = async () => (await app.fetch(new Request('http://gw.test/api/v4/projects/priv%2Fsecret/packages', { headers: { 'private-token': rep } }))).status;
    const before = await read();
    expect(before).toBe(200);
    const removed = await db.prisma.$queryRawUnsafe<{ namespace_id: number; user_id: number; access_level: number }[]>(
      `DELETE FROM group_members WHERE user_id = (SELECT id FROM users WHERE username = 'rep') RETURNING namespace_id, user_id, access_level`,
    );
    const projectRows = await db.prisma.$queryRawUnsafe<{ project_id: number; user_id: number; access_level: number }[]>(
      `DELETE FROM project_members WHERE user_id = (SELECT id FROM users WHERE username = 'rep') RETURNING project_id, user_id, access_level`,
    );
    expect(removed.length + projectRows.length).toBeGreaterThan(0);
    await within(1000, async () => (await read()) === 404);
  });

  it('a protection rule added with plain SQL shows within 1 s', async () => {
    const exists = async () => {
      const body = (await (await graphqlList(maint, 100)).json()) as { data: { project: { packages: { nodes: { name: string; packageType: string; protectionRuleExists: boolean }[] } } } };
      return body.data.project.packages.nodes.some((n) => n.protectionRuleExists && n.name === 'zzz');
    };
    expect(await exists()).toBe(false);
    await db.prisma.$executeRawUnsafe(
      `INSERT INTO packages_protection_rules (project_id, package_name_pattern, package_type, minimum_access_level_for_delete, updated_at)
       SELECT id, 'zzz', 'maven', 50, now() FROM projects WHERE full_path = 'pub/app'`,
    );
    await within(1000, exists);
  });

  it.runIf(testDbMode === 'postgres')('while the listening connection is down, nothing is cached; then it reconnects', async () => {
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    try {
      const dbName = new URL(db.url!).pathname.slice(1);
      await cost(() => graphqlList(maint, 20));
      expect((await cost(() => graphqlList(maint, 20))).statements).toBe(1);
      const killed = await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND datname = $2`,
        [listenerApplicationName, dbName],
      );
      expect(killed.rowCount).toBe(1);
      await within(1000, async () => !changes.isLive);
      // Uncached: the token, the project and the protection rules are read again, every time.
      expect((await cost(() => graphqlList(maint, 20))).statements).toBeGreaterThanOrEqual(4);
      expect((await cost(() => graphqlList(maint, 20))).statements).toBeGreaterThanOrEqual(4);
      // A change made while no one listens is seen at once (nothing cached to go stale).
      const dev = worldToken('dev');
      await db.prisma.$executeRawUnsafe(`UPDATE users SET state = 'blocked' WHERE username = 'dev'`);
      expect((await graphqlList(dev, 1)).status).toBe(401);
      await db.prisma.$executeRawUnsafe(`UPDATE users SET state = 'active' WHERE username = 'dev'`);
      await within(5000, async () => changes.isLive);
      await cost(() => graphqlList(maint, 20));
      expect((await cost(() => graphqlList(maint, 20))).statements).toBe(1);
    } finally {
      await admin.end();
    }
  });
});
