// The audit log: a publish and a delete (REST and GraphQL) each write one audit_events row and one
// structured log line, and an administrator lists them through GitLab's GET /api/v4/audit_events.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDirectoryStorage } from '../../src/domain/storage/directory.ts';
import { loadFixture } from '../../src/fixture/load.ts';
import { createLogger } from '../../src/logger.ts';
import { createApp, type App } from '../../src/server.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { rest } from './support.ts';

const token = (user: string) => `glpat-${user.padEnd(20, '0')}`;

let db: TestDatabase;
let app: App;
let root: string;
let projectId: number;
const lines: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  db = await createTestDatabase();
  root = mkdtempSync(path.join(os.tmpdir(), 'pgw-audit-'));
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  app = createApp({
    db: { prisma: db.prisma },
    config: { publicUrl: undefined, graphiql: false, exposeErrors: true },
    logger: createLogger('info', sink),
    files: { storage: await openDirectoryStorage(root), maxFileBytes: 1 << 20 },
  });
  await loadFixture(db.prisma, {
    users: [
      { username: 'root', admin: true, tokens: [{ name: 't', token: token('root'), scopes: ['api'] }] },
      { username: 'maint', tokens: [{ name: 't', token: token('maint'), scopes: ['api'] }] },
    ],
    groups: [{ path: 'acme', visibility: 'public', members: [{ user: 'maint', access_level: 'maintainer' }] }],
    projects: [{ path: 'acme/app', visibility: 'public' }, { path: 'acme/other', visibility: 'public' }],
  });
  projectId = (await db.prisma.project.findFirstOrThrow({ where: { fullPath: 'acme/app' } })).id;
});
afterAll(async () => {
  await db?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});
beforeEach(async () => {
  await db.prisma.auditEvent.deleteMany();
  lines.length = 0;
});

const auditLines = () => lines.filter((line) => line.msg === 'audit event');
const upload = (name: string) =>
  rest(app, `/projects/${projectId}/packages/generic/${name}/1.0.0/a.bin`, { method: 'PUT', body: 'bytes', token: token('maint') });

describe('audit events', () => {
  it('a publish and a REST delete each write one row and one log line naming the author, the token and the package', async () => {
    expect((await upload('tool')).status).toBe(201);
    const pkg = await db.prisma.package.findFirstOrThrow({ where: { projectId, name: 'tool' } });
    expect((await rest(app, `/projects/${projectId}/packages/${pkg.id}`, { method: 'DELETE', token: token('maint') })).status).toBe(204);

    const maint = await db.prisma.user.findFirstOrThrow({ where: { username: 'maint' }, include: { tokens: true } });
    const rows = await db.prisma.auditEvent.findMany({ orderBy: { id: 'asc' } });
    expect(rows.map((r) => r.eventName)).toEqual(['package_registry_package_published', 'package_registry_package_deleted']);
    for (const r of rows) {
      expect(r).toMatchObject({ authorId: maint.id, tokenId: maint.tokens[0]!.id, entityType: 'Project', entityId: projectId });
      expect(r.details).toMatchObject({ author_name: 'maint', target_id: pkg.id, target_type: 'Packages::Package', target_details: 'acme/app/tool-1.0.0', token_id: maint.tokens[0]!.id });
    }
    expect(rows[1]!.details).toMatchObject({ custom_message: 'Generic package deleted' });
    const logged = auditLines();
    expect(logged).toHaveLength(2);
    expect(logged.map((l) => (l.audit as { id: number }).id)).toEqual(rows.map((r) => r.id));
    expect(typeof logged[0]!.requestId).toBe('string');
  });

  it('a GraphQL destroyPackageFile writes a file event; a refused delete writes nothing', async () => {
    expect((await upload('lib')).status).toBe(201);
    const file = await db.prisma.packageFile.findFirstOrThrow({ where: { package: { projectId, name: 'lib' } } });
    await db.prisma.auditEvent.deleteMany();
    lines.length = 0;
    const destroy = (tok: string) =>
      app.fetch(new Request('http://gw.test/api/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'PRIVATE-TOKEN': tok },
        body: JSON.stringify({ query: 'mutation($id: PackagesPackageFileID!) { destroyPackageFile(input: { id: $id }) { errors } }', variables: { id: `gid://gitlab/Packages::PackageFile/${file.id}` } }),
      })).then((r) => r.json() as Promise<{ data?: unknown; errors?: unknown[] }>);

    // An unknown token is refused (401) and writes no row.
    expect((await destroy(token('nobody'))).errors).toBeDefined();
    expect(await db.prisma.auditEvent.count()).toBe(0);
    expect(await destroy(token('maint'))).toEqual({ data: { destroyPackageFile: { errors: [] } } });
    const rows = await db.prisma.auditEvent.findMany();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ eventName: 'package_registry_package_file_deleted' });
    expect(rows[0]!.details).toMatchObject({ target_id: file.id, target_type: 'Packages::PackageFile', target_details: 'acme/app/lib-1.0.0/a.bin' });
    expect(auditLines()).toHaveLength(1);
  });

  it('GET /audit_events: administrators only, newest first, with the filters and GET /audit_events/:id', async () => {
    expect((await upload('one')).status).toBe(201);
    expect((await upload('two')).status).toBe(201);
    const other = await db.prisma.project.findFirstOrThrow({ where: { fullPath: 'acme/other' } });

    expect((await rest(app, '/audit_events')).status).toBe(401);
    expect((await rest(app, '/audit_events', { token: token('maint') })).status).toBe(403);

    const all = await rest(app, '/audit_events', { token: token('root') });
    expect(all.status).toBe(200);
    const events = all.body as Array<{ id: number; event_name: string; entity_id: number; details: { target_details: string } }>;
    expect(events.map((e) => e.details.target_details)).toEqual(['acme/app/two-1.0.0', 'acme/app/one-1.0.0']);
    expect(all.headers.get('x-total')).toBe('2');

    const filtered = await rest(app, `/audit_events?entity_type=Project&entity_id=${other.id}`, { token: token('root') });
    expect(filtered.body).toEqual([]);
    const mine = await rest(app, `/audit_events?entity_type=Project&entity_id=${projectId}&per_page=1`, { token: token('root') });
    expect((mine.body as unknown[]).length).toBe(1);
    expect(mine.headers.get('x-next-page')).toBe('2');
    const future = await rest(app, '/audit_events?created_after=2999-01-01T00:00:00Z', { token: token('root') });
    expect(future.body).toEqual([]);
    expect((await rest(app, '/audit_events?created_after=yesterday', { token: token('root') })).status).toBe(400);

    const one = await rest(app, `/audit_events/${events[0]!.id}`, { token: token('root') });
    expect(one.body).toMatchObject({ id: events[0]!.id, event_name: 'package_registry_package_published', entity_type: 'Project', entity_id: projectId });
    expect(await rest(app, '/audit_events/999999', { token: token('root') })).toMatchObject({ status: 404, body: { message: '404 Audit Event Not Found' } });
  });
});
