// The npm registry API in-process: what npm's CLI does not show (the registry's own refusals), the
// access matrix, and that a refused publish keeps nothing. The CLI itself: test/clients/npm.test.ts.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, type Dirent } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDirectoryStorage } from '../../src/domain/storage/directory.ts';
import { loadFixture } from '../../src/fixture/load.ts';
import type { App } from '../../src/server.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { rest, restApp } from './support.ts';

const token = (user: string) => `glpat-npm-${user.padEnd(16, '0')}`;
let db: TestDatabase;
let app: App;
let root: string;
let ids: { open: number; shut: number };

beforeAll(async () => {
  db = await createTestDatabase();
  root = mkdtempSync(path.join(os.tmpdir(), 'pgw-npm-rest-'));
  app = restApp(db.prisma, 'https://gw.example', { storage: await openDirectoryStorage(root), maxFileBytes: 4096 });
  await loadFixture(db.prisma, {
    users: ['maint', 'dev', 'rep', 'outsider'].map((u) => ({ username: u, tokens: [{ name: 't', token: token(u), scopes: ['api'] }] })),
    groups: [
      {
        path: 'acme',
        visibility: 'public',
        package_settings: { npm_package_requests_forwarding: false },
        members: [
          { user: 'maint', access_level: 'maintainer' },
          { user: 'dev', access_level: 'developer' },
          { user: 'rep', access_level: 'reporter' },
        ],
      },
    ],
    projects: [
      { path: 'acme/open', visibility: 'public', protection_rules: [{ package_name_pattern: '@acme/locked*', package_type: 'npm', minimum_access_level_for_push: 'maintainer' }] },
      { path: 'acme/shut', visibility: 'private' },
    ],
  });
  const id = async (p: string) => (await db.prisma.project.findFirstOrThrow({ where: { fullPath: p } })).id;
  ids = { open: await id('acme/open'), shut: await id('acme/shut') };
});
afterAll(async () => {
  await db?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

const objects = () => (readdirSync(root, { recursive: true, withFileTypes: true }) as Dirent[]).filter((e) => e.isFile() && !e.parentPath.includes('.uploads')).length;
const state = async () => ({ packages: await db.prisma.package.count(), files: await db.prisma.packageFile.count(), objects: objects() });

/** The document `npm publish` sends for one version. */
function publishDocument(name: string, version: string, tarball = Buffer.from(`tarball of ${name}@${version}`), dist: Record<string, string> = {}) {
  return JSON.stringify({
    _id: name,
    name,
    'dist-tags': { latest: version },
    versions: {
      [version]: {
        name,
        version,
        readme: 'dropped',
        scripts: { postinstall: 'node x.js' },
        dependencies: { '@acme/base': '^2.0.0' },
        dist: { shasum: createHash('sha1').update(tarball).digest('hex'), integrity: `sha512-${createHash('sha512').update(tarball).digest('base64')}`, ...dist },
      },
    },
    _attachments: { [`${name}-${version}.tgz`]: { content_type: 'application/octet-stream', data: tarball.toString('base64'), length: tarball.length } },
  });
}
const encoded = (name: string) => name.replace('/', '%2f');
const publish = (project: number, name: string, body: string, user?: string, headers: Record<string, string> = {}) =>
  rest(app, `/projects/${project}/packages/npm/${encoded(name)}`, { method: 'PUT', body, headers: { 'content-type': 'application/json', ...headers }, ...(user ? { token: token(user) } : {}) });

describe('PUT /projects/:id/packages/npm/:package_name (npm publish)', () => {
  it('publishes: the package, its file, npm metadata without readme, hasInstallScript, its dependency and its tag', async () => {
    const answer = await publish(ids.open, '@acme/lib', publishDocument('@acme/lib', '1.0.0'), 'dev');
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ name: '@acme/lib', version: '1.0.0', package_type: 'npm', status: 'default', project_id: ids.open });
    const pkg = await db.prisma.package.findFirstOrThrow({
      where: { name: '@acme/lib' },
      include: { files: true, tags: true, npmMetadatum: true, dependencyLinks: { include: { dependency: true } } },
    });
    expect(pkg.files).toMatchObject([{ fileName: '@acme/lib-1.0.0.tgz', size: BigInt('tarball of @acme/lib@1.0.0'.length) }]);
    expect(pkg.tags.map((t) => t.name)).toEqual(['latest']);
    expect(pkg.npmMetadatum!.packageJson).toMatchObject({ name: '@acme/lib', hasInstallScript: true });
    expect(pkg.npmMetadatum!.packageJson).not.toHaveProperty('readme');
    expect(pkg.dependencyLinks.map((l) => [l.dependencyType, l.dependency.name, l.dependency.versionPattern])).toEqual([['dependencies', '@acme/base', '^2.0.0']]);
  });

  it.each([
    ['the same version again', () => publishDocument('@acme/lib', '1.0.0'), '@acme/lib', 'dev', 403, 'Package already exists.'],
    ['a version that is not SemVer', () => publishDocument('@acme/lib', '1.0'), '@acme/lib', 'dev', 400, 'Validation failed: Version should follow SemVer: https://semver.org'],
    ['an invalid name', () => publishDocument('@acme/my_inv@@lid', '1.0.0'), '@acme/my_inv@@lid', 'dev', 400, 'Validation failed: Name should be a valid NPM package name: https://github.com/npm/validate-npm-package-name#naming-rules.'],
    ['no attachment', () => JSON.stringify({ name: '@acme/x', versions: { '1.0.0': { name: '@acme/x' } } }), '@acme/x', 'dev', 400, 'Attachment data is empty.'],
    ['no version', () => JSON.stringify({ name: '@acme/x', versions: {} }), '@acme/x', 'dev', 400, 'Version is empty.'],
    ['a tarball that does not match its shasum', () => publishDocument('@acme/y', '1.0.0', undefined, { shasum: '0'.repeat(40) }), '@acme/y', 'dev', 400, 'Validation failed: the tarball does not match dist.shasum'],
    ['a developer under a maintainer push rule', () => publishDocument('@acme/locked-core', '1.0.0'), '@acme/locked-core', 'dev', 403, 'Package protected.'],
    ['a document that is not JSON', () => '{"name": "@acme/z", "versions": {', '@acme/z', 'dev', 400, 'Invalid json'],
  ])('refuses %s with GitLab’s answer and keeps nothing', async (_what, body, name, user, status, message) => {
    const before = await state();
    const answer = await publish(ids.open, name, body(), user);
    expect(answer).toMatchObject({ status, body: { message, error: message } });
    expect(await state()).toEqual(before);
  });

  it.each([
    ['anonymous', undefined, 401, { message: '401 Unauthorized' }],
    ['a reporter', 'rep', 403, { message: '403 Forbidden' }],
  ])('refuses %s', async (_who, user, status, body) => {
    expect(await publish(ids.open, '@acme/new', publishDocument('@acme/new', '1.0.0'), user)).toMatchObject({ status, body });
  });

  it('answers 413 for a tarball past the limit, and keeps nothing', async () => {
    const before = await state();
    const answer = await publish(ids.open, '@acme/huge', publishDocument('@acme/huge', '1.0.0', Buffer.alloc(5000, 7)), 'dev');
    expect(answer).toMatchObject({ status: 413, body: { message: '413 Request Entity Too Large' } });
    expect(await state()).toEqual(before);
  });

  it('deprecates with Npm-Command: deprecate (maintainers only)', async () => {
    const body = JSON.stringify({ name: '@acme/lib', versions: { '1.0.0': { name: '@acme/lib', deprecated: 'gone' } } });
    expect((await publish(ids.open, '@acme/lib', body, 'dev', { 'npm-command': 'deprecate' })).status).toBe(403);
    expect((await publish(ids.open, '@acme/lib', body, 'maint', { 'npm-command': 'deprecate' })).status).toBe(200);
    expect((await db.prisma.package.findFirstOrThrow({ where: { name: '@acme/lib' } })).status).toBe('deprecated');
    const none = await publish(ids.open, '@acme/lib', JSON.stringify({ versions: { '1.0.0': {} } }), 'maint', { 'npm-command': 'deprecate' });
    expect(none).toMatchObject({ status: 400, body: { message: '400 Bad request - "package versions to deprecate" not given' } });
  });
});

describe('GET /projects/:id/packages/npm/:package_name and the tarball', () => {
  beforeAll(async () => {
    expect((await publish(ids.shut, '@acme/inner', publishDocument('@acme/inner', '0.1.0'), 'dev')).status).toBe(200);
  });

  it('serves the package document to anonymous callers of a public project', async () => {
    const doc = await rest(app, `/projects/${ids.open}/packages/npm/@acme%2flib`);
    expect(doc.status).toBe(200);
    expect(doc.body).toMatchObject({
      name: '@acme/lib',
      'dist-tags': { latest: '1.0.0' },
      versions: {
        '1.0.0': {
          name: '@acme/lib',
          version: '1.0.0',
          deprecated: 'gone',
          hasInstallScript: true,
          dependencies: { '@acme/base': '^2.0.0' },
          dist: { tarball: `https://gw.example/api/v4/projects/${ids.open}/packages/npm/@acme/lib/-/@acme/lib-1.0.0.tgz` },
        },
      },
    });
    const tarball = await rest(app, `/projects/${ids.open}/packages/npm/@acme/lib/-/@acme/lib-1.0.0.tgz`);
    expect(tarball.status).toBe(200);
    expect(tarball.text).toBe('tarball of @acme/lib@1.0.0');
  });

  it.each([
    ['anonymous, the document of a private project', undefined, '@acme%2finner', 401, { message: '401 Unauthorized' }],
    ['anonymous, a tarball of a private project', undefined, '@acme/inner/-/@acme/inner-0.1.0.tgz', 404, { message: '404 Project Not Found' }],
    ['a non-member, the document of a private project', 'outsider', '@acme%2finner', 404, { message: '404 Project Not Found' }],
    ['an unknown package (forwarding off)', 'rep', '@acme%2fnothing', 404, { message: '404 Packages Not Found', error: 'Packages not found' }],
    ['a name with a path traversal', 'rep', '%2e%2e%2fetc', 400, { error: 'package_name should be a valid file path' }],
  ] as const)('answers %s', async (_what, user, suffix, status, body) => {
    const answer = await rest(app, `/projects/${ids.shut}/packages/npm/${suffix}`, user ? { token: token(user) } : {});
    expect(answer).toMatchObject({ status, body });
  });

  it('sends unknown packages on to registry.npmjs.org where forwarding is on (GitLab’s default)', async () => {
    await db.prisma.namespacePackageSetting.updateMany({ data: { npmPackageRequestsForwarding: null } });
    const answer = await app.fetch(new Request(`http://gw.test/api/v4/projects/${ids.open}/packages/npm/left-pad`));
    expect(answer.status).toBe(302);
    expect(answer.headers.get('location')).toBe('https://registry.npmjs.org/left-pad');
    await db.prisma.namespacePackageSetting.updateMany({ data: { npmPackageRequestsForwarding: false } });
  });
});

describe('dist-tags', () => {
  const tags = (user?: string) => rest(app, `/projects/${ids.open}/packages/npm/-/package/@acme%2flib/dist-tags`, user ? { token: token(user) } : {});
  const tag = (method: string, name: string, user: string, version?: string) =>
    rest(app, `/projects/${ids.open}/packages/npm/-/package/@acme%2flib/dist-tags/${name}`, { method, token: token(user), ...(version !== undefined ? { body: JSON.stringify(version), headers: { 'content-type': 'application/json' } } : {}) });

  it('lists, adds (developer+), moves and removes (maintainer+) tags', async () => {
    expect((await tags()).body).toEqual({ latest: '1.0.0' });
    expect((await tag('PUT', 'beta', 'rep', '1.0.0')).status).toBe(403);
    expect((await tag('PUT', 'beta', 'dev', '1.0.0')).status).toBe(204);
    expect((await tags()).body).toEqual({ latest: '1.0.0', beta: '1.0.0' });
    expect(await tag('PUT', 'beta', 'dev', '9.9.9')).toMatchObject({ status: 404, body: { error: 'Package not found' } });
    expect(await tag('PUT', 'beta', 'dev', ' ')).toMatchObject({ status: 400, body: { error: '"Version" not given' } });
    expect((await tag('DELETE', 'beta', 'dev')).status).toBe(403);
    expect((await tag('DELETE', 'beta', 'maint')).status).toBe(204);
    expect(await tag('DELETE', 'beta', 'maint')).toMatchObject({ status: 404, body: { message: '404 Package Tag Not Found', error: 'Package tag not found' } });
  });
});

// Found by fuzzing (test/fuzz): U+0000, which PostgreSQL's text and jsonb cannot hold, failed the
// statements of the npm routes (500s). In a path it names nothing; in a document it is refused.
describe('U+0000 in the npm routes', () => {
  const get = (suffix: string, user = 'maint') => rest(app, `/projects/${ids.open}/packages/npm/${suffix}`, { token: token(user) });
  const tag = (method: string, name: string, version?: string) =>
    rest(app, `/projects/${ids.open}/packages/npm/-/package/@acme%2flib/dist-tags/${name}`, {
      method,
      token: token('maint'),
      ...(version !== undefined ? { body: JSON.stringify(version), headers: { 'content-type': 'application/json' } } : {}),
    });
  const answer = (r: { status: number; body: unknown }) => [r.status, r.body];

  it('a package, file or tag name holding it answers as a name that exists nowhere', async () => {
    expect(answer(await get('@acme%2flib%00'))).toEqual(answer(await get('@acme%2fnowhere')));
    expect(answer(await get('%00/-/x.tgz'))).toEqual(answer(await get('@acme/nowhere/-/x.tgz')));
    expect(answer(await get('@acme/lib/-/@acme/lib-1.0.0.tgz%00'))).toEqual(answer(await get('@acme/lib/-/@acme/nowhere.tgz')));
    expect(answer(await get('-/package/@acme%2flib%00/dist-tags'))).toEqual([404, { message: '404 Package Not Found', error: 'Package not found' }]);
    expect(answer(await tag('PUT', 'beta', '1.0.0\u0000'))).toEqual([404, { message: '404 Package Not Found', error: 'Package not found' }]);
    expect(answer(await tag('DELETE', 'be%00ta'))).toEqual([404, { message: '404 Package Tag Not Found', error: 'Package tag not found' }]);
    // A tag to create cannot be stored at all: refused as invalid.
    expect(answer(await tag('PUT', 'be%00ta', '1.0.0'))).toEqual([400, { error: 'tag is invalid' }]);
  });

  it('a publish or deprecate document holding it anywhere is 400 Invalid json and keeps nothing', async () => {
    const withNul = (edit: (doc: Record<string, any>) => void) => {
      const doc = JSON.parse(publishDocument('@acme/nul', '1.0.0'));
      edit(doc);
      return JSON.stringify(doc);
    };
    const bodies = [
      withNul((d) => (d.versions['1.0.0'].description = 'a\u0000b')),
      withNul((d) => (d.versions['1.0.0'].dependencies = { 'dep\u0000': '1' })),
      withNul((d) => (d['dist-tags'] = { 'a\u0000': '1.0.0' })),
      withNul((d) => (d.name = d._id = d.versions['1.0.0'].name = '@acme/nul\u0000')),
    ];
    const before = await state();
    for (const body of bodies) expect(answer(await publish(ids.open, '@acme/nul', body, 'maint'))).toEqual([400, { message: 'Invalid json', error: 'Invalid json' }]);
    const deprecate = JSON.stringify({ name: '@acme/lib', versions: { '1.0.0': { name: '@acme/lib', deprecated: 'no\u0000pe' } } });
    expect(answer(await publish(ids.open, '@acme/lib', deprecate, 'maint', { 'npm-command': 'deprecate' }))).toEqual([400, { message: 'Invalid json', error: 'Invalid json' }]);
    expect(await state()).toEqual(before);
  });
});
