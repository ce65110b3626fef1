// Browser sessions: signing in with a token once, the HttpOnly session cookie, GraphQL only with yoga's
// CSRF-prevention header, downloads, signing out, expiry, and a revoked token ending its sessions
// (through the change feed, as in another process).
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChangeCaches } from '../src/db/cache.ts';
import { defineCaches } from '../src/domain/caches.ts';
import { runCleanup } from '../src/domain/cleanup.ts';
import { openDirectoryStorage } from '../src/domain/storage/directory.ts';
import type { PackageStorage } from '../src/domain/storage/storage.ts';
import { loadFixture } from '../src/fixture/load.ts';
import { createLogger } from '../src/logger.ts';
import { createApp, type App } from '../src/server.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';

const token = (user: string) => `glpat-${user.padEnd(20, '0')}`;
const ttl = 3600;

let db: TestDatabase;
let changes: ChangeCaches;
let app: App;
let storage: PackageStorage;
let root: string;

beforeAll(async () => {
  db = await createTestDatabase();
  changes = new ChangeCaches();
  await changes.start(db.listen);
  root = mkdtempSync(path.join(os.tmpdir(), 'pgw-sign-in-'));
  storage = await openDirectoryStorage(root);
  app = createApp({
    db: { prisma: db.prisma },
    config: { publicUrl: undefined, graphiql: false, exposeErrors: true, sessionTtlSeconds: ttl },
    logger: createLogger('silent'),
    caches: defineCaches(changes),
    files: { storage, maxFileBytes: 1 << 20 },
  });
  const soon = new Date(Date.now() + 600_000).toISOString();
  await loadFixture(db.prisma, {
    users: [
      { username: 'ann', tokens: [{ name: 't', token: token('ann'), scopes: ['api'] }] },
      { username: 'rita', tokens: [{ name: 't', token: token('rita'), scopes: ['read_api'] }] },
      { username: 'soon', tokens: [{ name: 't', token: token('soon'), scopes: ['api'], expires_at: soon }] },
      { username: 'gone', tokens: [{ name: 't', token: token('gone'), scopes: ['api'] }] },
    ],
    groups: [{ path: 'acme', visibility: 'private', members: ['ann', 'rita', 'soon', 'gone'].map((user) => ({ user, access_level: 'maintainer' })) }],
    projects: [{ path: 'acme/secret', visibility: 'private' }],
  });
  const projectId = (await db.prisma.project.findFirstOrThrow({ where: { fullPath: 'acme/secret' } })).id;
  const put = await app.fetch(
    new Request(`http://gw.test/api/v4/projects/${projectId}/packages/generic/tool/1.0.0/tool.bin`, { method: 'PUT', headers: { 'PRIVATE-TOKEN': token('ann') }, body: 'tool bytes' }),
  );
  expect(put.status).toBe(201);
});
afterAll(async () => {
  await changes?.close();
  await db?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

const request = (path: string, init: RequestInit = {}) => app.fetch(new Request(`http://gw.test${path}`, init));

async function signIn(user: string): Promise<{ response: Response; cookie: string; secret: string }> {
  const response = await request('/users/sign_in', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: token(user) }) });
  const setCookie = response.headers.get('set-cookie') ?? '';
  const secret = /^_gitlab_session=([^;]*)/.exec(setCookie)?.[1] ?? '';
  return { response, cookie: `_gitlab_session=${secret}`, secret };
}

const projectQuery = JSON.stringify({ query: '{ project(fullPath: "acme/secret") { fullPath } }' });
const graphql = (headers: Record<string, string>, body = projectQuery) =>
  request('/api/graphql', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

describe('POST /users/sign_in', () => {
  it('exchanges a token for an HttpOnly SameSite=Strict cookie whose secret is stored only as a digest', async () => {
    const { response, secret } = await signIn('ann');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ username: 'ann' });
    const attributes = response.headers.get('set-cookie')!.split('; ');
    expect(attributes[0]).toMatch(/^_gitlab_session=[A-Za-z0-9_-]{43}$/);
    expect(attributes.slice(1).sort()).toEqual(['HttpOnly', `Max-Age=${ttl}`, 'Path=/', 'SameSite=Strict'].sort());
    expect(response.headers.get('cache-control')).toBe('no-store');
    const rows = await db.prisma.webSession.findMany();
    expect(rows.map((r) => r.secretDigest)).toContain(createHash('sha256').update(secret).digest('hex'));
    expect(JSON.stringify(rows)).not.toContain(secret);
  });

  it('takes a form body too, and a read_api token', async () => {
    const form = await request('/users/sign_in', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `token=${token('rita')}` });
    expect(form.status).toBe(200);
    expect(await form.json()).toEqual({ username: 'rita' });
  });

  it('a session never outlives its token', async () => {
    const { response } = await signIn('soon');
    const maxAge = Number(/Max-Age=(\d+)/.exec(response.headers.get('set-cookie')!)![1]);
    expect(maxAge).toBeLessThanOrEqual(600);
    expect(maxAge).toBeGreaterThan(500);
  });

  it('refuses a bad token 401, no token 400, a huge body 413, writing nothing', async () => {
    const before = await db.prisma.webSession.count();
    const post = (body: string, type = 'application/json') => request('/users/sign_in', { method: 'POST', headers: { 'content-type': type }, body });
    const answers = [
      await post(JSON.stringify({ token: 'glpat-nobody-000000000000' })),
      await post('{"token": ""}'),
      await post('not json'),
      await post('[1, 2]'),
      await post(''),
      await post(JSON.stringify({ token: 42 })),
      await post(JSON.stringify({ token: 'x'.repeat(10_000) })),
    ];
    expect(await Promise.all(answers.map(async (a) => [a.status, await a.json()]))).toEqual([
      [401, { message: '401 Unauthorized' }],
      ...Array.from({ length: 5 }, () => [400, { message: '400 Bad request - token is missing' }]),
      [413, { message: '413 Request Entity Too Large' }],
    ]);
    for (const answer of answers) expect(answer.headers.get('set-cookie')).toBeNull();
    expect(await db.prisma.webSession.count()).toBe(before);
  });
});

describe('the session cookie', () => {
  it('signs GraphQL in only with the CSRF-prevention header; without it 403', async () => {
    const { cookie } = await signIn('ann');
    const signedIn = await graphql({ cookie, 'x-graphql-yoga-csrf': '1' });
    expect(await signedIn.json()).toEqual({ data: { project: { fullPath: 'acme/secret' } } });
    const forged = await graphql({ cookie });
    expect(forged.status).toBe(403);
    expect((await forged.json()).errors[0].message).toContain('x-graphql-yoga-csrf');
    // Without a cookie the private project is not there.
    expect(await (await graphql({})).json()).toEqual({ data: { project: null } });
  });

  it('a token given with the request takes precedence over the cookie', async () => {
    const { cookie } = await signIn('ann');
    const answer = await graphql({ cookie, 'PRIVATE-TOKEN': 'glpat-nobody-000000000000' });
    expect(answer.status).toBe(401);
  });

  it('follows download links (GET, no header needed); the REST API does not take it', async () => {
    const { cookie } = await signIn('ann');
    const projectId = (await db.prisma.project.findFirstOrThrow({ where: { fullPath: 'acme/secret' } })).id;
    const file = await db.prisma.packageFile.findFirstOrThrow({ where: { fileName: 'tool.bin' } });
    const download = await request(`/acme/secret/-/package_files/${file.id}/download`, { headers: { cookie } });
    expect(download.status).toBe(200);
    expect(await download.text()).toBe('tool bytes');
    expect((await request(`/acme/secret/-/package_files/${file.id}/download`)).status).toBe(404);
    const api = await request(`/api/v4/projects/${projectId}/packages`, { headers: { cookie, 'x-graphql-yoga-csrf': '1' } });
    expect(api.status).toBe(404);
  });

  it('GET /users/session names the user; signing out ends the session and clears the cookie', async () => {
    const { cookie } = await signIn('ann');
    const who = await request('/users/session', { headers: { cookie } });
    expect([who.status, await who.json()]).toEqual([200, { username: 'ann' }]);
    const out = await request('/users/sign_out', { method: 'POST', headers: { cookie } });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/^_gitlab_session=; Max-Age=0; Path=\/; HttpOnly; SameSite=Strict$/);
    const after = await graphql({ cookie, 'x-graphql-yoga-csrf': '1' });
    expect(after.status).toBe(401);
    expect(after.headers.get('set-cookie')).toContain('Max-Age=0');
    const gone = await request('/users/session', { headers: { cookie } });
    expect(gone.status).toBe(401);
    // Signing out again, or without a cookie, is fine.
    expect((await request('/users/sign_out', { method: 'POST', headers: { cookie } })).status).toBe(204);
    expect((await request('/users/sign_out', { method: 'POST' })).status).toBe(204);
  });

  it('revoking the token ends its sessions, through the change feed', async () => {
    const { cookie } = await signIn('gone');
    expect((await request('/users/session', { headers: { cookie } })).status).toBe(200);
    // Cached now; the revocation reaches the cache through LISTEN/NOTIFY, as from another process.
    expect((await request('/users/session', { headers: { cookie } })).status).toBe(200);
    await db.prisma.personalAccessToken.updateMany({ where: { user: { username: 'gone' } }, data: { revoked: true } });
    await expect.poll(async () => (await request('/users/session', { headers: { cookie } })).status, { timeout: 2000, interval: 20 }).toBe(401);
    expect((await graphql({ cookie, 'x-graphql-yoga-csrf': '1' })).status).toBe(401);
  });

  it('an expired session is refused, and the cleanup removes it', async () => {
    const { cookie, secret } = await signIn('rita');
    const digest = createHash('sha256').update(secret).digest('hex');
    await db.prisma.webSession.update({ where: { secretDigest: digest }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await expect.poll(async () => (await request('/users/session', { headers: { cookie } })).status, { timeout: 2000, interval: 20 }).toBe(401);
    const report = await runCleanup({ prisma: db.prisma, storage, delaySeconds: 86400 });
    expect(report.sessions).toBeGreaterThanOrEqual(1);
    expect(await db.prisma.webSession.findUnique({ where: { secretDigest: digest } })).toBeNull();
  });

  it('other methods on the sign-in paths are not the endpoints', async () => {
    // (GET /users/sign_in is the web interface's sign-in page.)
    for (const [method, path] of [['GET', '/users/sign_out'], ['POST', '/users/session'], ['DELETE', '/users/sign_in'], ['PUT', '/users/sign_out']] as const) {
      const answer = await request(path, { method });
      expect(answer.status, `${method} ${path}`).toBe(404);
      expect(answer.headers.get('set-cookie')).toBeNull();
    }
  });
});
