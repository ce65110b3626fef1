// GitLab's generic packages API in-process: validations, roles, duplicates, protection, statuses,
// downloads and what a refused upload leaves (nothing). The real-client version is test/clients/curl.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, type Dirent } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDirectoryStorage } from '../../src/domain/storage/directory.ts';
import { loadFixture } from '../../src/fixture/load.ts';
import type { App } from '../../src/server.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { countingClient, rest, restApp } from './support.ts';

const token = (user: string) => `glpat-${user.padEnd(20, '0')}`;
const users = ['root', 'owner', 'maint', 'dev', 'rep', 'guest', 'outsider', 'reader'];

let db: TestDatabase;
let app: App;
let root: string;
let ids: { open: number; shut: number; strict: number };

beforeAll(async () => {
  db = await createTestDatabase();
  root = mkdtempSync(path.join(os.tmpdir(), 'pgw-generic-'));
  const storage = await openDirectoryStorage(root);
  app = restApp(db.prisma, undefined, { storage, maxFileBytes: 1024 });
  await loadFixture(db.prisma, {
    users: users.map((u) => ({
      username: u,
      admin: u === 'root',
      tokens: [{ name: 't', token: token(u), scopes: u === 'reader' ? ['read_api'] : ['api'] }],
    })),
    groups: [
      {
        path: 'acme',
        visibility: 'public',
        members: [
          { user: 'owner', access_level: 'owner' },
          { user: 'maint', access_level: 'maintainer' },
          { user: 'dev', access_level: 'developer' },
          { user: 'reader', access_level: 'developer' },
          { user: 'rep', access_level: 'reporter' },
          { user: 'guest', access_level: 'guest' },
        ],
      },
      { path: 'strict', visibility: 'public', package_settings: { generic_duplicates_allowed: false, generic_duplicate_exception_regex: '.*-SNAPSHOT' },
        members: [{ user: 'dev', access_level: 'developer' }] },
    ],
    projects: [
      {
        path: 'acme/open',
        visibility: 'public',
        protection_rules: [{ package_name_pattern: 'release-*', package_type: 'generic', minimum_access_level_for_push: 'maintainer' }],
      },
      { path: 'acme/shut', visibility: 'private' },
      { path: 'strict/app', visibility: 'public' },
    ],
  });
  const id = async (p: string) => (await db.prisma.project.findFirstOrThrow({ where: { fullPath: p } })).id;
  ids = { open: await id('acme/open'), shut: await id('acme/shut'), strict: await id('strict/app') };
});
afterAll(async () => {
  await db?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

const objects = () => (readdirSync(root, { recursive: true, withFileTypes: true }) as Dirent[]).filter((e) => e.isFile() && !e.parentPath.includes('.uploads')).length;
const put = (project: number, rest_: string, body: string, user?: string, headers: Record<string, string> = {}) =>
  rest(app, `/projects/${project}/packages/generic/${rest_}`, { method: 'PUT', body, headers, ...(user ? { token: token(user) } : {}) });
const get = (project: number, rest_: string, user?: string) => rest(app, `/projects/${project}/packages/generic/${rest_}`, user ? { token: token(user) } : {});

describe('PUT /projects/:id/packages/generic/:name/:version/:file', () => {
  it('stores the file: 201 Created, then the exact bytes, checksum header and last_downloaded_at on GET', async () => {
    const created = await put(ids.open, 'tool/1.0.0/tool.bin', 'binary bytes', 'dev');
    expect(created).toMatchObject({ status: 201, body: { message: '201 Created' } });
    const pkg = await db.prisma.package.findFirstOrThrow({ where: { projectId: ids.open, name: 'tool' }, include: { files: true } });
    expect(pkg).toMatchObject({ version: '1.0.0', packageType: 'generic', status: 'default', lastDownloadedAt: null });
    expect(pkg.files[0]).toMatchObject({ fileName: 'tool.bin', size: 12n, fileSha256: createHash('sha256').update('binary bytes').digest('hex') });

    const got = await get(ids.open, 'tool/1.0.0/tool.bin');
    expect(got.status).toBe(200);
    expect(got.text).toBe('binary bytes');
    expect(got.headers.get('content-type')).toBe('application/octet-stream');
    expect(got.headers.get('content-disposition')).toBe(`attachment; filename="tool.bin"; filename*=UTF-8''tool.bin`);
    expect(got.headers.get('x-checksum-sha256')).toBe(pkg.files[0]!.fileSha256);
    const after = await db.prisma.package.findUniqueOrThrow({ where: { id: pkg.id } });
    expect(after.lastDownloadedAt).not.toBeNull();
    expect(after.updatedAt).toEqual(pkg.updatedAt);
  });

  it('adds a file to an existing package; the newest file of a name is the one served', async () => {
    expect((await put(ids.open, 'tool/1.0.0/tool.bin', 'newer bytes', 'dev')).status).toBe(201);
    expect((await put(ids.open, 'tool/1.0.0/notes.txt', 'notes', 'dev')).status).toBe(201);
    expect(await db.prisma.package.count({ where: { projectId: ids.open, name: 'tool' } })).toBe(1);
    expect((await get(ids.open, 'tool/1.0.0/tool.bin')).text).toBe('newer bytes');
  });

  it('answers the file record with select=package_file, and a path goes into the stored name', async () => {
    const answer = await put(ids.open, 'tool/1.0.0/docs/api/index.html?select=package_file', '<html>', 'dev');
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ file_name: 'docs%2Fapi%2Findex.html', size: 6, file_store: 1, status: 'default', project_id: ids.open });
    const got = await get(ids.open, 'tool/1.0.0/docs/api/index.html');
    expect(got.text).toBe('<html>');
    expect(got.headers.get('content-disposition')).toContain('filename="index.html"');
  });

  it('sets the status the PUT gives: hidden packages download but do not list', async () => {
    expect((await put(ids.open, 'secret/2.0/s.bin?status=hidden', 'x', 'dev')).status).toBe(201);
    expect((await db.prisma.package.findFirstOrThrow({ where: { name: 'secret' } })).status).toBe('hidden');
    expect((await get(ids.open, 'secret/2.0/s.bin')).status).toBe(200);
    expect((await rest(app, `/projects/${ids.open}/packages?package_name=secret`)).body).toEqual([]);
  });

  it.each([
    ['my package/1.0/f.bin', 'package_name is invalid'],
    // GitLab's "application security" cases (an HTTP client resolves a literal `..` segment itself).
    ['my-package%2f%2e%2e%2f/1.0/f.bin', 'package_name is invalid, package_name should be a valid file path'],
    ['my-package/1.0/%2e%2e%2f.ssh%2fauthorized_keys', 'file_name is invalid, file_name should be a valid file path'],
    ['my-package/1.0/..%2F.ssh%2Fauthorized_keys', 'file_name is invalid, file_name should be a valid file path'],
    ['pkg/..1.2.3/f.bin', 'package_version is invalid'],
    ['pkg/1.2.3-4%2F..%2F..%2F/f.bin', 'package_version is invalid'],
    ['pkg/1.0/~f.bin', 'file_name is invalid'],
    ['pkg/1.0/f.bin@', 'file_name is invalid'],
    ['pkg/1.0/f.bin?status=processing', 'status does not have a valid value'],
    ['pkg/1.0/f.bin?select=everything', 'select does not have a valid value'],
  ])('refuses %s with 400 %j and keeps nothing', async (suffix, message) => {
    const before = { packages: await db.prisma.package.count(), objects: objects() };
    const answer = await put(ids.open, suffix, 'x', 'dev');
    expect(answer).toMatchObject({ status: 400, body: { error: message } });
    expect({ packages: await db.prisma.package.count(), objects: objects() }).toEqual(before);
  });

  it.each([
    ['anonymous', ids => ids.open, undefined, 401, { message: '401 Unauthorized' }],
    ['a read_api token', ids => ids.open, 'reader', 403, { error: 'insufficient_scope' }],
    ['a reporter', ids => ids.open, 'rep', 403, { message: '403 Forbidden' }],
    ['a guest', ids => ids.open, 'guest', 403, { message: '403 Forbidden' }],
    ['a non-member of a public project', ids => ids.open, 'outsider', 403, { message: '403 Forbidden' }],
    ['a non-member of a private project', ids => ids.shut, 'outsider', 404, { message: '404 Not Found' }],
    ['an unknown project', () => 999999, 'dev', 404, { message: '404 Not Found' }],
    ['a developer under a maintainer push rule', ids => ids.open, 'dev', 403, { message: '403 Forbidden - Package protected.' }, 'release-app'],
  ] as [string, (i: typeof ids) => number, string | undefined, number, object, string?][])('refuses %s and keeps nothing', async (_who, project, user, status, body, name = 'other') => {
    const before = { packages: await db.prisma.package.count(), files: await db.prisma.packageFile.count(), objects: objects() };
    const answer = await put(project(ids), `${name}/1.0/f.bin`, 'x', user);
    expect(answer.status).toBe(status);
    expect(answer.body).toMatchObject(body);
    if (status === 401) expect(answer.headers.get('www-authenticate')).toBe('Basic realm="GitLab Packages Registry"');
    expect({ packages: await db.prisma.package.count(), files: await db.prisma.packageFile.count(), objects: objects() }).toEqual(before);
  });

  it('lets maintainers and admins past the push rule', async () => {
    expect((await put(ids.open, 'release-app/1.0/f.bin', 'm', 'maint')).status).toBe(201);
    expect((await put(ids.open, 'release-app/1.0/g.bin', 'r', 'root')).status).toBe(201);
  });

  it('accepts a token as the password of HTTP Basic auth, as curl --user sends it', async () => {
    const basic = `Basic ${Buffer.from(`dev:${token('dev')}`).toString('base64')}`;
    expect((await put(ids.open, 'basic/1.0/f.bin', 'b', undefined, { authorization: basic })).status).toBe(201);
  });

  it('refuses a duplicate file where the namespace forbids duplicates, unless the exception regex matches', async () => {
    expect((await put(ids.strict, 'lib/1.0/lib.jar', 'one', 'dev')).status).toBe(201);
    const before = { files: await db.prisma.packageFile.count(), objects: objects() };
    const duplicate = await put(ids.strict, 'lib/1.0/lib.jar', 'two', 'dev');
    expect(duplicate).toMatchObject({ status: 400, body: { message: '400 Bad request - Duplicate package is not allowed' } });
    expect({ files: await db.prisma.packageFile.count(), objects: objects() }).toEqual(before);
    // Another file name is no duplicate; a version matching the exception regex allows duplicates.
    expect((await put(ids.strict, 'lib/1.0/lib.pom', 'pom', 'dev')).status).toBe(201);
    expect((await put(ids.strict, 'lib/1.1-SNAPSHOT/lib.jar', 'a', 'dev')).status).toBe(201);
    expect((await put(ids.strict, 'lib/1.1-SNAPSHOT/lib.jar', 'b', 'dev')).status).toBe(201);
  });

  it('creates a new package when the one of that name and version is pending destruction', async () => {
    const old = await db.prisma.package.findFirstOrThrow({ where: { projectId: ids.strict, name: 'lib', version: '1.0' } });
    await db.prisma.package.update({ where: { id: old.id }, data: { status: 'pending_destruction' } });
    expect((await put(ids.strict, 'lib/1.0/lib.jar', 'again', 'dev')).status).toBe(201);
    expect(await db.prisma.package.count({ where: { projectId: ids.strict, name: 'lib', version: '1.0' } })).toBe(2);
    expect((await get(ids.strict, 'lib/1.0/lib.jar')).text).toBe('again');
  });

  it('answers 413 beyond the file limit, declared or streamed, and keeps nothing', async () => {
    const before = { files: await db.prisma.packageFile.count(), objects: objects() };
    const big = await put(ids.open, 'big/1.0/big.bin', 'x'.repeat(1025), 'dev');
    expect(big).toMatchObject({ status: 413, body: { message: '413 Request Entity Too Large' } });
    // A chunked body (no Content-Length) is cut at the limit while it streams.
    const stream = new ReadableStream({ start(c) { for (let i = 0; i < 5; i++) c.enqueue(new Uint8Array(300)); c.close(); } });
    const response = await app.fetch(
      new Request(`http://gw.test/api/v4/projects/${ids.open}/packages/generic/big/1.0/big.bin`, {
        method: 'PUT', body: stream, headers: { 'PRIVATE-TOKEN': token('dev') }, duplex: 'half',
      } as RequestInit),
    );
    expect(response.status).toBe(413);
    expect({ files: await db.prisma.packageFile.count(), objects: objects() }).toEqual(before);
  });
});

describe('GET /projects/:id/packages/generic/:name/:version/:file', () => {
  beforeAll(async () => {
    expect((await put(ids.shut, 'inner/1.0/inner.bin', 'private bytes', 'dev')).status).toBe(201);
  });

  it.each([
    ['anonymous on a private project', undefined, 401, { message: '401 Unauthorized' }],
    ['a guest of a private project', 'guest', 403, { message: '403 Forbidden' }],
    ['a non-member of a private project', 'outsider', 404, { message: '404 Not Found' }],
  ] as const)('refuses %s', async (_who, user, status, body) => {
    const answer = await get(ids.shut, 'inner/1.0/inner.bin', user);
    expect(answer).toMatchObject({ status, body });
  });

  it('serves reporters of a private project', async () => {
    expect((await get(ids.shut, 'inner/1.0/inner.bin', 'rep')).text).toBe('private bytes');
  });

  it.each([
    ['an unknown package', 'nothing/1.0/inner.bin'],
    ['an unknown version', 'inner/9.9/inner.bin'],
    ['an unknown file', 'inner/1.0/other.bin'],
  ])('answers 404 Not found for %s', async (_what, suffix) => {
    expect(await get(ids.shut, suffix, 'rep')).toMatchObject({ status: 404, body: { message: '404 Not found' } });
  });

  it('does not serve a file of an error package or a deleted file', async () => {
    expect((await put(ids.open, 'broken/1.0/b.bin', 'b', 'dev')).status).toBe(201);
    const pkg = await db.prisma.package.findFirstOrThrow({ where: { name: 'broken' } });
    await db.prisma.package.update({ where: { id: pkg.id }, data: { status: 'error' } });
    expect((await get(ids.open, 'broken/1.0/b.bin')).status).toBe(404);
    await db.prisma.package.update({ where: { id: pkg.id }, data: { status: 'default' } });
    await db.prisma.packageFile.updateMany({ where: { packageId: pkg.id }, data: { status: 'pending_destruction' } });
    expect((await get(ids.open, 'broken/1.0/b.bin')).status).toBe(404);
  });

  it('answers 404 for a fixture file, which has no bytes', async () => {
    const project = await db.prisma.project.findUniqueOrThrow({ where: { id: ids.open } });
    const pkg = await db.prisma.package.create({ data: { projectId: project.id, name: 'listed', version: '1', packageType: 'generic' } });
    await db.prisma.packageFile.create({ data: { packageId: pkg.id, fileName: 'only-metadata.bin', size: 10n } });
    expect(await get(ids.open, 'listed/1/only-metadata.bin')).toMatchObject({ status: 404, body: { message: '404 Not Found' } });
  });
});

describe('SQL statements per request', () => {
  it('a download costs at most 4 statements (token, project, file, last_downloaded_at) and an upload at most 13 (with rules, settings, journal, lock, rows, audit event)', async () => {
    const counting = countingClient(db);
    try {
      const storage = await openDirectoryStorage(root);
      const counted = restApp(counting.prisma, undefined, { storage, maxFileBytes: 1024 });
      counting.statements.length = 0;
      expect((await rest(counted, `/projects/${ids.open}/packages/generic/counted/1.0/c.bin`, { method: 'PUT', body: 'c', token: token('dev') })).status).toBe(201);
      expect(counting.statements.length).toBeLessThanOrEqual(13);
      counting.statements.length = 0;
      expect((await rest(counted, `/projects/${ids.open}/packages/generic/counted/1.0/c.bin`, { token: token('dev') })).text).toBe('c');
      expect(counting.statements.length).toBeLessThanOrEqual(4);
    } finally {
      await counting.close();
    }
  });
});
