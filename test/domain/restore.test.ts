// Restoring a deleted package, through REST (POST /projects/:id/packages/:package_id/restore) and
// GraphQL (restorePackage): what comes back, who may, what is refused with nothing changed, and
// concurrent restores (on PostgreSQL they really overlap: a pool of 20 connections).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.ts';
import { restoreWindowSeconds } from '../../src/domain/restore.ts';
import { openDirectoryStorage } from '../../src/domain/storage/directory.ts';
import type { PackageFiles } from '../../src/rest/package-files.ts';
import { loadFixture } from '../../src/fixture/load.ts';
import { createLogger } from '../../src/logger.ts';
import { createApp, type App } from '../../src/server.ts';
import { createTestDatabase, openWideConnection, type TestDatabase } from '../support/database.ts';
import { rest, restApp } from '../rest/support.ts';

const token = (user: string) => `glpat-${user.padEnd(20, '0')}`;
const concurrency = 50;

let db: TestDatabase;
let wide: Pick<Database, 'prisma' | 'close'>;
let app: App;
let files: PackageFiles;
let root: string;
let projectId: number;
let otherProjectId: number;
let serial = 0;

beforeAll(async () => {
  db = await createTestDatabase();
  wide = await openWideConnection(db);
  root = mkdtempSync(path.join(os.tmpdir(), 'pgw-restore-'));
  files = { storage: await openDirectoryStorage(root), maxFileBytes: 1 << 20 };
  app = restApp(wide.prisma, undefined, files);
  const user = (username: string, scopes = ['api']) => ({ username, tokens: [{ name: 't', token: token(username), scopes }] });
  await loadFixture(db.prisma, {
    users: [user('maint'), user('dev'), user('owner'), user('reader', ['read_api'])],
    groups: [
      {
        path: 'acme',
        visibility: 'public',
        members: [
          { user: 'maint', access_level: 'maintainer' },
          { user: 'dev', access_level: 'developer' },
          { user: 'owner', access_level: 'owner' },
          { user: 'reader', access_level: 'maintainer' },
        ],
      },
    ],
    projects: [
      {
        path: 'acme/app',
        visibility: 'public',
        protection_rules: [{ package_name_pattern: 'guarded-*', package_type: 'generic', minimum_access_level_for_delete: 'owner' }],
      },
      { path: 'acme/other', visibility: 'public' },
    ],
  });
  projectId = (await db.prisma.project.findFirstOrThrow({ where: { fullPath: 'acme/app' } })).id;
  otherProjectId = (await db.prisma.project.findFirstOrThrow({ where: { fullPath: 'acme/other' } })).id;
});
afterAll(async () => {
  await wide?.close();
  await db?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});
beforeEach(async () => {
  await db.prisma.auditEvent.deleteMany();
});

const put = (name: string, file: string, user = 'maint') =>
  rest(app, `/projects/${projectId}/packages/generic/${name}/1.0.0/${file}`, { method: 'PUT', body: `bytes of ${file}`, token: token(user) });

/** A new generic package with `count` files, deleted through REST by its owner; its id and files' ids. */
async function deletedPackage(count = 2, prefix = 'pkg'): Promise<{ id: number; name: string; fileIds: number[] }> {
  const name = `${prefix}-${++serial}`;
  for (let i = 0; i < count; i++) expect((await put(name, `f${i}.bin`)).status).toBe(201);
  const pkg = await db.prisma.package.findFirstOrThrow({ where: { projectId, name }, include: { files: { orderBy: { id: 'asc' } } } });
  expect((await rest(app, `/projects/${projectId}/packages/${pkg.id}`, { method: 'DELETE', token: token('owner') })).status).toBe(204);
  await db.prisma.auditEvent.deleteMany();
  return { id: pkg.id, name, fileIds: pkg.files.map((f) => f.id) };
}

const restore = (pkgId: number, user = 'maint', project = projectId) =>
  rest(app, `/projects/${project}/packages/${pkgId}/restore`, { method: 'POST', token: token(user) });

const state = async (pkgId: number) => {
  const pkg = await db.prisma.package.findUniqueOrThrow({ where: { id: pkgId }, include: { files: { orderBy: { id: 'asc' } } } });
  return { status: pkg.status, files: pkg.files.map((f) => f.status) };
};

const graphql = (query: string, variables: Record<string, unknown>, user = 'maint') =>
  app
    .fetch(
      new Request('http://gw.test/api/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'PRIVATE-TOKEN': token(user) },
        body: JSON.stringify({ query, variables }),
      }),
    )
    .then(async (r) => ({ status: r.status, body: (await r.json()) as { data?: { restorePackage: { errors: string[]; clientMutationId: string | null } | null }; errors?: { message: string; extensions?: { code?: string } }[] } }));
const restoreMutation = 'mutation($id: PackagesPackageID!, $projectId: ID, $cid: String) { restorePackage(input: { id: $id, projectId: $projectId, clientMutationId: $cid }) { errors clientMutationId } }';
const pkgGid = (id: number) => `gid://gitlab/Packages::Package/${id}`;

describe('POST /projects/:id/packages/:package_id/restore', () => {
  it('204: the package and the files deleted with it are back, listed and downloadable, with one audit row', async () => {
    const pkg = await deletedPackage(2);
    expect(await state(pkg.id)).toEqual({ status: 'pending_destruction', files: ['pending_destruction', 'pending_destruction'] });
    const answer = await restore(pkg.id);
    expect(answer.status).toBe(204);
    expect(answer.text).toBe('');
    expect(await state(pkg.id)).toEqual({ status: 'default', files: ['default', 'default'] });
    const listed = await rest(app, `/projects/${projectId}/packages/${pkg.id}`, { token: token('maint') });
    expect(listed.status).toBe(200);
    const download = await rest(app, `/projects/${projectId}/packages/generic/${pkg.name}/1.0.0/f1.bin`, { token: token('maint') });
    expect(download.text).toBe('bytes of f1.bin');
    const audits = await db.prisma.auditEvent.findMany();
    expect(audits.map((a) => [a.eventName, (a.details as { target_id: number; custom_message: string }).target_id, (a.details as { custom_message: string }).custom_message])).toEqual([
      ['package_registry_package_restored', pkg.id, 'Generic package restored'],
    ]);
  });

  it('gives back the status the package had before its delete', async () => {
    const name = `errored-${++serial}`;
    expect((await put(name, 'a.bin')).status).toBe(201);
    const { id } = await db.prisma.package.findFirstOrThrow({ where: { projectId, name } });
    await db.prisma.package.update({ where: { id }, data: { status: 'error' } });
    expect((await rest(app, `/projects/${projectId}/packages/${id}`, { method: 'DELETE', token: token('maint') })).status).toBe(204);
    expect((await restore(id)).status).toBe(204);
    expect((await state(id)).status).toBe('error');
  });

  it('a file deleted alone before the package stays deleted', async () => {
    const name = `partly-${++serial}`;
    for (const file of ['keep.bin', 'gone.bin']) expect((await put(name, file)).status).toBe(201);
    const pkg = await db.prisma.package.findFirstOrThrow({ where: { projectId, name }, include: { files: { orderBy: { id: 'asc' } } } });
    const gone = pkg.files[1]!.id;
    expect((await rest(app, `/projects/${projectId}/packages/${pkg.id}/package_files/${gone}`, { method: 'DELETE', token: token('maint') })).status).toBe(204);
    // A later delete is seen as later even on a fast machine.
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect((await rest(app, `/projects/${projectId}/packages/${pkg.id}`, { method: 'DELETE', token: token('maint') })).status).toBe(204);
    expect((await restore(pkg.id)).status).toBe(204);
    expect(await state(pkg.id)).toEqual({ status: 'default', files: ['default', 'pending_destruction'] });
  });

  it('refuses a developer 403 and a read_api token with insufficient_scope, changing nothing', async () => {
    const pkg = await deletedPackage(1);
    expect(await restore(pkg.id, 'dev')).toMatchObject({ status: 403, body: { message: '403 Forbidden' } });
    expect(await restore(pkg.id, 'reader')).toMatchObject({ status: 403, body: { error: 'insufficient_scope' } });
    expect((await state(pkg.id)).status).toBe('pending_destruction');
    expect(await db.prisma.auditEvent.count()).toBe(0);
  });

  it('404 for a package not deleted, one of another project, a missing one and a missing project', async () => {
    const name = `live-${++serial}`;
    expect((await put(name, 'a.bin')).status).toBe(201);
    const live = await db.prisma.package.findFirstOrThrow({ where: { projectId, name } });
    expect(await restore(live.id)).toMatchObject({ status: 404, body: { message: '404 Not found' } });
    const deleted = await deletedPackage(1);
    expect(await restore(deleted.id, 'maint', otherProjectId)).toMatchObject({ status: 404, body: { message: '404 Not found' } });
    expect(await restore(999_999)).toMatchObject({ status: 404, body: { message: '404 Not found' } });
    expect(await restore(deleted.id, 'maint', 999_999)).toMatchObject({ status: 404, body: { message: '404 Project Not Found' } });
    expect((await state(deleted.id)).status).toBe('pending_destruction');
  });

  it('a deletion-protected package: 403 with the refusal for a maintainer, restored by an owner', async () => {
    const pkg = await deletedPackage(1, 'guarded');
    expect(await restore(pkg.id)).toMatchObject({ status: 403, body: { message: '403 Forbidden - Package is deletion protected.' } });
    expect((await state(pkg.id)).status).toBe('pending_destruction');
    expect((await restore(pkg.id, 'owner')).status).toBe(204);
  });

  it('400 once the restore window has passed (the cleanup may remove it), changing nothing', async () => {
    const delay = 3600;
    const windowed = createApp({
      db: { prisma: db.prisma },
      config: { publicUrl: undefined, graphiql: false, exposeErrors: true, packageCleanupDelaySeconds: delay },
      logger: createLogger('silent'),
      files,
    });
    const pkg = await deletedPackage(1);
    const deletedAt = new Date(Date.now() - (restoreWindowSeconds(delay) + 5) * 1000);
    await db.prisma.package.update({ where: { id: pkg.id }, data: { updatedAt: deletedAt } });
    await db.prisma.packageFile.updateMany({ where: { packageId: pkg.id }, data: { updatedAt: deletedAt } });
    const answer = await rest(windowed, `/projects/${projectId}/packages/${pkg.id}/restore`, { method: 'POST', token: token('maint') });
    expect(answer).toMatchObject({ status: 400, body: { message: '400 Bad request - Package has been cleaned up and can no longer be restored.' } });
    expect(await state(pkg.id)).toEqual({ status: 'pending_destruction', files: ['pending_destruction'] });
  });

  it('409 when the same name and version were published again since the delete', async () => {
    const pkg = await deletedPackage(1);
    expect((await put(pkg.name, 'new.bin')).status).toBe(201);
    expect(await restore(pkg.id)).toMatchObject({ status: 409, body: { message: `Package '${pkg.name}' version '1.0.0' already exists.` } });
    expect((await state(pkg.id)).status).toBe('pending_destruction');
    expect(await db.prisma.auditEvent.count({ where: { eventName: 'package_registry_package_restored' } })).toBe(0);
  });

  it(`${concurrency} concurrent restores of one package: one 204, the rest 404, one audit row`, async () => {
    const pkg = await deletedPackage(2);
    const answers = await Promise.all(Array.from({ length: concurrency }, () => restore(pkg.id)));
    const tally = answers.reduce<Record<number, number>>((t, a) => ({ ...t, [a.status]: (t[a.status] ?? 0) + 1 }), {});
    expect(tally).toEqual({ 204: 1, 404: concurrency - 1 });
    expect(await db.prisma.auditEvent.count({ where: { eventName: 'package_registry_package_restored' } })).toBe(1);
    expect(await state(pkg.id)).toEqual({ status: 'default', files: ['default', 'default'] });
  });
});

describe('the restorePackage mutation', () => {
  it('restores by global id alone, echoing clientMutationId', async () => {
    const pkg = await deletedPackage(1);
    const result = await graphql(restoreMutation, { id: pkgGid(pkg.id), cid: 'r1' });
    expect(result).toEqual({ status: 200, body: { data: { restorePackage: { errors: [], clientMutationId: 'r1' } } } });
    expect((await state(pkg.id)).status).toBe('default');
  });

  it('reports deletion protection in errors, and refusals as top-level errors with extensions.code', async () => {
    const guarded = await deletedPackage(1, 'guarded');
    expect((await graphql(restoreMutation, { id: pkgGid(guarded.id) })).body.data).toEqual({
      restorePackage: { errors: ['Package is deletion protected.'], clientMutationId: null },
    });
    const codeOf = async (variables: Record<string, unknown>, user?: string) => (await graphql(restoreMutation, variables, user)).body.errors?.[0]?.extensions?.code;
    expect(await codeOf({ id: pkgGid(guarded.id) }, 'dev')).toBe('FORBIDDEN');
    expect(await codeOf({ id: pkgGid(999_999) })).toBe('PACKAGE_NOT_FOUND');
    expect(await codeOf({ id: pkgGid(guarded.id), projectId: `gid://gitlab/Project/${otherProjectId}` })).toBe('PACKAGE_NOT_FOUND');
    expect(await codeOf({ id: pkgGid(guarded.id) }, 'reader')).toBe('INSUFFICIENT_SCOPE');
    expect((await state(guarded.id)).status).toBe('pending_destruction');
  });
});
