// The packageEvents subscription over server-sent events: fed by the trigger on packages_packages and
// PostgreSQL LISTEN/NOTIFY (so any writer's change arrives: the REST routes, a mutation, plain SQL), and
// filtered for each subscriber at delivery time.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDirectoryStorage } from '../../src/domain/storage/directory.ts';
import { loadFixture } from '../../src/fixture/load.ts';
import { PackageEventHub, packageEventsChannel, parsePackageEventNotice } from '../../src/graphql/package-events.ts';
import { createLogger } from '../../src/logger.ts';
import { createApp, type App } from '../../src/server.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { rest } from '../rest/support.ts';

const token = (user: string) => `glpat-${user.padEnd(20, '0')}`;

let db: TestDatabase;
let hub: PackageEventHub;
let app: App;
let root: string;
const projectIds: Record<string, number> = {};
let serial = 0;

beforeAll(async () => {
  db = await createTestDatabase();
  root = mkdtempSync(path.join(os.tmpdir(), 'pgw-events-'));
  hub = new PackageEventHub();
  await hub.start(db.listenTo(packageEventsChannel));
  app = createApp({
    db: { prisma: db.prisma },
    config: { publicUrl: undefined, graphiql: false, exposeErrors: true },
    logger: createLogger('silent'),
    files: { storage: await openDirectoryStorage(root), maxFileBytes: 1 << 20 },
    packageEvents: hub,
  });
  const user = (username: string) => ({ username, tokens: [{ name: 't', token: token(username), scopes: ['api'] }] });
  await loadFixture(db.prisma, {
    users: [user('maint'), user('outsider'), user('leaving'), user('revoked')],
    groups: [
      { path: 'acme', visibility: 'public', members: [{ user: 'maint', access_level: 'maintainer' }] },
      { path: 'acme/tools', visibility: 'public' },
    ],
    projects: [
      { path: 'acme/app', visibility: 'public' },
      { path: 'acme/tools/cli', visibility: 'public' },
      {
        path: 'acme/secret',
        visibility: 'private',
        members: [
          { user: 'leaving', access_level: 'developer' },
          { user: 'revoked', access_level: 'developer' },
        ],
      },
    ],
  });
  for (const p of await db.prisma.project.findMany()) projectIds[p.fullPath] = p.id;
});
afterAll(async () => {
  await hub?.close();
  await db?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

interface Event {
  data?: { packageEvents: { action: string; package: { name: string; project: { fullPath: string } } } };
  errors?: { message: string }[];
}

/** An open subscription: its events as they arrive, and whether the server ended the stream. */
class Subscription {
  readonly events: Event[] = [];
  ended = false;
  private readonly waiters = new Set<() => void>();
  private constructor(private readonly reader: ReadableStreamDefaultReader<Uint8Array>) {
    void this.pump();
  }

  static async open(user: string | null, args = ''): Promise<Subscription> {
    const query = `subscription { packageEvents${args} { action package { name project { fullPath } } } }`;
    const before = hub.size;
    const response = await app.fetch(
      new Request('http://gw.test/api/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...(user ? { 'PRIVATE-TOKEN': token(user) } : {}) },
        body: JSON.stringify({ query }),
      }),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const subscription = new Subscription(response.body!.getReader());
    // Subscribed once the hub counts it (yoga runs `subscribe` when the stream is first read).
    await until(() => hub.size > before || subscription.ended || subscription.events.length > 0);
    return subscription;
  }

  private async pump(): Promise<void> {
    const decoder = new TextDecoder();
    let text = '';
    for (;;) {
      const { done, value } = await this.reader.read().catch(() => ({ done: true, value: undefined }));
      if (done) break;
      text += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = text.indexOf('\n\n')) >= 0) {
        const block = text.slice(0, end);
        text = text.slice(end + 2);
        const lines = block.split('\n');
        if (lines.includes('event: next')) {
          const data = lines.find((l) => l.startsWith('data: '));
          if (data) this.events.push(JSON.parse(data.slice(6)) as Event);
        }
        this.wake();
      }
    }
    this.ended = true;
    this.wake();
  }

  private wake() {
    for (const waiter of this.waiters) waiter();
  }

  /** Waits until `count` events have arrived (or the stream ended, or 10 s passed). */
  async next(count = 1): Promise<Event[]> {
    await until(() => this.events.length >= count || this.ended);
    return this.events.slice(0, count);
  }

  async close(): Promise<void> {
    await this.reader.cancel().catch(() => {});
  }
}

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const publish = async (project: string, name = `pkg-${++serial}`) => {
  const answer = await rest(app, `/projects/${projectIds[project]}/packages/generic/${name}/1.0.0/a.bin`, { method: 'PUT', body: 'bytes', token: token('maint') });
  expect(answer.status).toBe(201);
  return (await db.prisma.package.findFirstOrThrow({ where: { name } })).id;
};
const summary = (events: Event[]) => events.map((e) => e.data ? [e.data.packageEvents.action, e.data.packageEvents.package.project.fullPath] : e.errors?.[0]?.message);

describe('packageEvents', () => {
  it('delivers CREATED, UPDATED, DESTROYED and RESTORED, from the REST routes and from plain SQL', async () => {
    const subscription = await Subscription.open('maint', '(projectPath: "acme/app")');
    const id = await publish('acme/app');
    await db.prisma.$executeRaw`UPDATE packages_packages SET status = 'deprecated' WHERE id = ${id}`;
    expect((await rest(app, `/projects/${projectIds['acme/app']}/packages/${id}`, { method: 'DELETE', token: token('maint') })).status).toBe(204);
    expect((await rest(app, `/projects/${projectIds['acme/app']}/packages/${id}/restore`, { method: 'POST', token: token('maint') })).status).toBe(204);
    const events = await subscription.next(4);
    expect(events.map((e) => e.data?.packageEvents.action)).toEqual(['CREATED', 'UPDATED', 'DESTROYED', 'RESTORED']);
    expect(events[0]!.data!.packageEvents.package.name).toBe(`pkg-${serial}`);
    await subscription.close();
  });

  it('a download (last_downloaded_at) sends no event', async () => {
    const subscription = await Subscription.open('maint', '(projectPath: "acme/app")');
    const name = `quiet-${++serial}`;
    await publish('acme/app', name);
    expect((await rest(app, `/projects/${projectIds['acme/app']}/packages/generic/${name}/1.0.0/a.bin`, { token: token('maint') })).status).toBe(200);
    await publish('acme/app');
    const events = await subscription.next(2);
    expect(events.map((e) => [e.data?.packageEvents.action, e.data?.packageEvents.package.name])).toEqual([
      ['CREATED', name],
      ['CREATED', `pkg-${serial}`],
    ]);
    await subscription.close();
  });

  it('never delivers a package of a private project to an outsider or an anonymous subscriber', async () => {
    const outsider = await Subscription.open('outsider');
    const anonymous = await Subscription.open(null);
    await publish('acme/secret');
    await publish('acme/app');
    expect(summary(await outsider.next(1))).toEqual([['CREATED', 'acme/app']]);
    expect(summary(await anonymous.next(1))).toEqual([['CREATED', 'acme/app']]);
    await outsider.close();
    await anonymous.close();
  });

  it('checks access when each event is delivered: a member removed meanwhile gets no more private events', async () => {
    const subscription = await Subscription.open('leaving');
    await publish('acme/secret');
    expect(summary(await subscription.next(1))).toEqual([['CREATED', 'acme/secret']]);
    const user = await db.prisma.user.findFirstOrThrow({ where: { username: 'leaving' } });
    await db.prisma.projectMember.deleteMany({ where: { userId: user.id } });
    await publish('acme/secret');
    await publish('acme/app');
    expect(summary(await subscription.next(2))).toEqual([
      ['CREATED', 'acme/secret'],
      ['CREATED', 'acme/app'],
    ]);
    await subscription.close();
  });

  it('a revoked token ends the subscription at its next event', async () => {
    const subscription = await Subscription.open('revoked');
    await db.prisma.personalAccessToken.updateMany({ where: { user: { username: 'revoked' } }, data: { revoked: true } });
    await publish('acme/app');
    await until(() => subscription.ended);
    expect(subscription.events).toEqual([]);
  });

  it('groupPath takes the group and its subgroups; projectPath one project', async () => {
    const group = await Subscription.open('maint', '(groupPath: "acme/tools")');
    const project = await Subscription.open('maint', '(projectPath: "acme/tools/cli")');
    await publish('acme/app');
    await publish('acme/tools/cli');
    expect(summary(await group.next(1))).toEqual([['CREATED', 'acme/tools/cli']]);
    expect(summary(await project.next(1))).toEqual([['CREATED', 'acme/tools/cli']]);
    await group.close();
    await project.close();
  });

  it("refuses a project the subscriber cannot see with GitLab's message, and both paths at once", async () => {
    const hidden = await Subscription.open('outsider', '(projectPath: "acme/secret")');
    expect(summary(await hidden.next(1))).toEqual(["The resource that you are attempting to access does not exist or you don't have permission to perform this action"]);
    const both = await Subscription.open('maint', '(projectPath: "acme/app", groupPath: "acme")');
    expect(summary(await both.next(1))).toEqual(['Give projectPath or groupPath, not both']);
  });

  it('a closed subscription leaves the hub; closing the hub ends the open ones', async () => {
    const before = hub.size;
    const first = await Subscription.open('maint');
    expect(hub.size).toBe(before + 1);
    await first.close();
    await until(() => hub.size === before);
    const own = new PackageEventHub();
    await own.start(db.listenTo(packageEventsChannel));
    const iterator = own.subscribe();
    const pending = iterator.next();
    await own.close();
    expect(await pending).toEqual({ done: true, value: undefined });
    expect(await own.subscribe().next()).toEqual({ done: true, value: undefined });
  });
});

describe('the cost of an event', () => {
  it('each delivery takes at most 4 SQL statements per subscriber (credential, package, project)', async () => {
    const subscription = await Subscription.open('maint', '(projectPath: "acme/app")');
    const id = await publish('acme/app');
    await subscription.next(1);
    let statements = 0;
    const stop = db.observeQueries(() => statements++);
    try {
      await db.prisma.$executeRaw`UPDATE packages_packages SET status = 'deprecated' WHERE id = ${id}`;
      await subscription.next(2);
    } finally {
      stop();
    }
    // The UPDATE itself is one statement.
    expect(statements - 1).toBeLessThanOrEqual(4);
    expect(statements - 1).toBeGreaterThan(0);
    await subscription.close();
  });
});

describe('packageEvents outside server-sent events', () => {
  it('asked for as plain JSON (POST or GET), it is answered 406 with a JSON body, not held open, and leaves no subscriber', async () => {
    const query = 'subscription { packageEvents { action } }';
    const post = await app.fetch(
      new Request('http://gw.test/api/graphql', { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ query }) }),
    );
    const get = await app.fetch(new Request(`http://gw.test/api/graphql?query=${encodeURIComponent(query)}`, { headers: { accept: 'application/json' } }));
    const before = hub.size;
    for (const answer of [post, get]) {
      expect(answer.status).toBe(406);
      expect(answer.headers.get('content-type')).toContain('json');
      expect(await answer.json()).toEqual({ errors: [{ message: '406 Not Acceptable' }] });
    }
    expect(hub.size).toBe(before);
  });
});

describe('parsePackageEventNotice', () => {
  it("reads the trigger's payload and refuses anything else", () => {
    expect(parsePackageEventNotice('{"action":"CREATED","id":3,"project_id":2}')).toEqual({ action: 'CREATED', packageId: 3, projectId: 2 });
    for (const payload of ['', 'projects', '{"action":"EXPLODED","id":3,"project_id":2}', '{"action":"CREATED","id":"3","project_id":2}', 'null']) {
      expect(parsePackageEventNotice(payload)).toBeNull();
    }
  });
});
