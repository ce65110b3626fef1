// Concurrent deletes of one package or file, through every path (REST, GraphQL, bulk), and deletes
// racing uploads and downloads. On PostgreSQL the requests really overlap (a pool of 20 connections);
// on PGlite they are serialised, and the same outcome must hold. Before the state change was made
// conditional, 50 concurrent REST deletes of one package on PostgreSQL answered eight 204s.
import { mkdtempSync, readdirSync, rmSync, type Dirent } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.ts';
import { openDirectoryStorage } from '../../src/domain/storage/directory.ts';
import { loadFixture } from '../../src/fixture/load.ts';
import type { App } from '../../src/server.ts';
import { createTestDatabase, openWideConnection, type TestDatabase } from '../support/database.ts';
import { rest, restApp } from '../rest/support.ts';

const token = (user: string) => `glpat-${user.padEnd(20, '0')}`;
const concurrency = 50;

let db: TestDatabase;
/** The connection the app uses: on PostgreSQL a pool large enough for the requests to overlap. */
let wide: Pick<Database, 'prisma' | 'close'>;
let app: App;
let root: string;
let projectId: number;
let serial = 0;

beforeAll(async () => {
  db = await createTestDatabase();
  wide = await openWideConnection(db);
  root = mkdtempSync(path.join(os.tmpdir(), 'pgw-races-'));
  app = restApp(wide.prisma, undefined, { storage: await openDirectoryStorage(root), maxFileBytes: 1 << 20 });
  await loadFixture(db.prisma, {
    users: [{ username: 'maint', tokens: [{ name: 't', token: token('maint'), scopes: ['api'] }] }],
    groups: [{ path: 'acme', visibility: 'public', members: [{ user: 'maint', access_level: 'maintainer' }] }],
    projects: [{ path: 'acme/app', visibility: 'public' }],
  });
  projectId = (await db.prisma.project.findFirstOrThrow({ where: { fullPath: 'acme/app' } })).id;
});
afterAll(async () => {
  await wide?.close();
  await db?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});
beforeEach(async () => {
  await db.prisma.auditEvent.deleteMany();
});

const put = (name: string, file: string, body: string) =>
  rest(app, `/projects/${projectId}/packages/generic/${name}/1.0.0/${file}`, { method: 'PUT', body, token: token('maint') });

/** A new generic package with `files` stored files; its id and its files' ids. */
async function newPackage(files = 1): Promise<{ id: number; fileIds: number[] }> {
  const name = `pkg-${++serial}`;
  for (let i = 0; i < files; i++) expect((await put(name, `f${i}.bin`, `bytes ${i}`)).status).toBe(201);
  const pkg = await db.prisma.package.findFirstOrThrow({ where: { projectId, name }, include: { files: true } });
  await db.prisma.auditEvent.deleteMany();
  return { id: pkg.id, fileIds: pkg.files.map((f) => f.id) };
}

const graphql = (query: string, variables: Record<string, unknown>) =>
  app
    .fetch(
      new Request('http://gw.test/api/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'PRIVATE-TOKEN': token('maint') },
        body: JSON.stringify({ query, variables }),
      }),
    )
    .then(async (r) => ({ status: r.status, body: (await r.json()) as { data?: Record<string, { errors: string[] } | null>; errors?: unknown[] } }));

const times = <T>(n: number, run: () => Promise<T>) => Promise.all(Array.from({ length: n }, run));
const tally = (statuses: number[]) => statuses.reduce<Record<number, number>>((t, s) => ({ ...t, [s]: (t[s] ?? 0) + 1 }), {});
const audits = (eventName: string) => db.prisma.auditEvent.count({ where: { eventName } });

describe('concurrent deletes of one package or file change it once', () => {
  it(`${concurrency} REST DELETEs of one package: one 204, the rest 404, one audit row`, async () => {
    const pkg = await newPackage(2);
    const answers = await times(concurrency, () => rest(app, `/projects/${projectId}/packages/${pkg.id}`, { method: 'DELETE', token: token('maint') }));
    expect(tally(answers.map((a) => a.status))).toEqual({ 204: 1, 404: concurrency - 1 });
    expect(answers.find((a) => a.status === 404)?.body).toEqual({ message: '404 Not found' });
    expect(await audits('package_registry_package_deleted')).toBe(1);
    expect(await db.prisma.packageFile.count({ where: { packageId: pkg.id, status: { not: 'pending_destruction' } } })).toBe(0);
  });

  it(`${concurrency} REST DELETEs of one package file: one 204, the rest 404, one audit row`, async () => {
    const pkg = await newPackage(2);
    const fileId = pkg.fileIds[0]!;
    const answers = await times(concurrency, () =>
      rest(app, `/projects/${projectId}/packages/${pkg.id}/package_files/${fileId}`, { method: 'DELETE', token: token('maint') }),
    );
    expect(tally(answers.map((a) => a.status))).toEqual({ 204: 1, 404: concurrency - 1 });
    expect(await audits('package_registry_package_file_deleted')).toBe(1);
    expect(await db.prisma.packageFile.findUniqueOrThrow({ where: { id: pkg.fileIds[1]! } })).toMatchObject({ status: 'default' });
  });

  it(`${concurrency} GraphQL destroyPackage calls: the package is marked, and audited, once`, async () => {
    const pkg = await newPackage();
    const answers = await times(concurrency, () =>
      graphql('mutation($id: PackagesPackageID!) { destroyPackage(input: { id: $id }) { errors } }', { id: `gid://gitlab/Packages::Package/${pkg.id}` }),
    );
    // GitLab's destroyPackage finds a package in any status, so a repeat succeeds without changing it.
    expect(answers.every((a) => a.status === 200 && a.body.data?.destroyPackage?.errors.length === 0)).toBe(true);
    expect(await audits('package_registry_package_deleted')).toBe(1);
  });

  it(`${concurrency} GraphQL destroyPackageFile calls: one succeeds, the others are refused as not found`, async () => {
    const pkg = await newPackage(2);
    const answers = await times(concurrency, () =>
      graphql('mutation($id: PackagesPackageFileID!) { destroyPackageFile(input: { id: $id }) { errors } }', { id: `gid://gitlab/Packages::PackageFile/${pkg.fileIds[0]}` }),
    );
    const succeeded = answers.filter((a) => a.body.data?.destroyPackageFile?.errors.length === 0);
    expect(succeeded).toHaveLength(1);
    expect(answers.filter((a) => a.body.errors !== undefined)).toHaveLength(concurrency - 1);
    expect(await audits('package_registry_package_file_deleted')).toBe(1);
  });

  it('overlapping destroyPackages calls leave every package deleted once', async () => {
    const pkgs = await Promise.all(Array.from({ length: 6 }, () => newPackage()));
    const gid = (i: number) => `gid://gitlab/Packages::Package/${pkgs[i]!.id}`;
    // Ten calls, each naming three neighbouring packages of six: every package is named by several.
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, call) =>
        graphql('mutation($ids: [PackagesPackageID!]!) { destroyPackages(input: { ids: $ids }) { errors } }', {
          ids: [gid(call % 6), gid((call + 1) % 6), gid((call + 2) % 6)],
        }),
      ),
    );
    // A call whose packages another one marked first finds them no longer displayable: refused, changing nothing.
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(answers.some((a) => a.body.data?.destroyPackages?.errors.length === 0)).toBe(true);
    const ids = pkgs.map((p) => p.id);
    expect(await db.prisma.package.count({ where: { id: { in: ids }, status: 'pending_destruction' } })).toBe(6);
    const rows = await db.prisma.auditEvent.findMany({ where: { eventName: 'package_registry_package_deleted' } });
    expect(rows.map((r) => (r.details as { target_id: number }).target_id).sort((a, b) => a - b)).toEqual([...ids].sort((a, b) => a - b));
  });
});

/** Stored objects (not uploads under way) and the object keys of file rows: each must have the other. */
async function storageAndRowsAgree(): Promise<void> {
  const stored = (readdirSync(root, { recursive: true, withFileTypes: true }) as Dirent[]).filter((e) => e.isFile() && !e.parentPath.includes('.uploads'));
  const rows = await db.prisma.packageFile.findMany({ where: { objectKey: { not: null } }, select: { objectKey: true } });
  expect(stored.length).toBe(rows.length);
  expect(await db.prisma.packageFileUpload.count()).toBe(0);
}

describe('a delete racing uploads and downloads leaves a consistent state', () => {
  it('uploads to a package while it is deleted: no file row without bytes, no bytes without a row, no live file in a deleted package', async () => {
    const pkg = await newPackage();
    const name = (await db.prisma.package.findUniqueOrThrow({ where: { id: pkg.id } })).name;
    const answers = await Promise.all([
      ...Array.from({ length: 10 }, (_, i) => put(name, `late-${i}.bin`, `late ${i}`)),
      rest(app, `/projects/${projectId}/packages/${pkg.id}`, { method: 'DELETE', token: token('maint') }),
    ]);
    expect(answers.every((a) => a.status === 201 || a.status === 204)).toBe(true);
    await storageAndRowsAgree();
    // An upload that committed before the delete was marked with it; one after it went to a new package.
    expect(await db.prisma.packageFile.count({ where: { packageId: pkg.id, status: 'default' } })).toBe(0);
    const files = await db.prisma.packageFile.findMany({ where: { fileName: { startsWith: 'late-' }, package: { name } }, include: { package: true } });
    expect(files).toHaveLength(10);
    for (const file of files) expect(file.status === 'pending_destruction').toBe(file.package.status === 'pending_destruction');
  });

  it('downloads of a file while its package is deleted: each answers the whole file or 404', async () => {
    const pkg = await newPackage();
    const name = (await db.prisma.package.findUniqueOrThrow({ where: { id: pkg.id } })).name;
    const download = () => rest(app, `/projects/${projectId}/packages/generic/${name}/1.0.0/f0.bin`, { token: token('maint') });
    const answers = await Promise.all([
      ...Array.from({ length: 10 }, download),
      rest(app, `/projects/${projectId}/packages/${pkg.id}`, { method: 'DELETE', token: token('maint') }),
      ...Array.from({ length: 10 }, download),
    ]);
    for (const answer of answers.filter((a) => a.status === 200)) expect(answer.text).toBe('bytes 0');
    expect(answers.every((a) => [200, 204, 404].includes(a.status))).toBe(true);
    expect((await download()).status).toBe(404);
    await storageAndRowsAgree();
  });
});
