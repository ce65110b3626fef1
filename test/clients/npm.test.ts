// Node's own npm CLI, unchanged, against the gateway's project-level npm registry over real HTTP:
// publish two versions of a scoped package (and the package it depends on), view, dist-tag
// add/ls/rm, deprecate, then install in a fresh folder with integrity checked; the REST list, GraphQL
// and GitLab's getPackageDetails show what was published; the REST delete removes it. With the
// directory storage and with an S3-compatible one.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetPackageDetailsDocument, GetPackageFilesDocument, GetPackagesDocument } from '../graphql/generated/graphql.ts';
import { startPackageServer, type PackageServer, type StorageKind } from './package-server.ts';

const maintainerToken = 'glpat-npm-maintainer-00001';
const developerToken = 'glpat-npm-developer-000001';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe.each<StorageKind>(['directory', 's3'])('the npm CLI, %s storage', (kind) => {
  let server: PackageServer;
  let work: string;
  let projectId: number;
  let registry: string;

  beforeAll(async () => {
    server = await startPackageServer(kind, {
      users: [
        { username: 'maint', name: 'Mai Ntainer', tokens: [{ name: 'npm', token: maintainerToken, scopes: ['api'] }] },
        { username: 'dev', tokens: [{ name: 'npm', token: developerToken, scopes: ['api'] }] },
      ],
      groups: [
        {
          path: 'acme',
          visibility: 'public',
          // Unknown packages answer 404 here instead of going on to registry.npmjs.org.
          package_settings: { npm_package_requests_forwarding: false },
          members: [
            { user: 'maint', access_level: 'maintainer' },
            { user: 'dev', access_level: 'developer' },
          ],
        },
      ],
      projects: [{ path: 'acme/web', visibility: 'public' }],
    });
    projectId = (await server.db.prisma.project.findFirstOrThrow({ where: { fullPath: 'acme/web' } })).id;
    registry = `${server.url}/api/v4/projects/${projectId}/packages/npm/`;
    work = mkdtempSync(path.join(os.tmpdir(), 'pgw-npm-'));
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  /** Runs npm with its own user config (the registry for @acme and a token, as GitLab's docs set them) and cache. */
  const npm = (args: string[], options: { cwd?: string; token?: string | null; cache?: string } = {}): Promise<Run> => {
    const token = options.token === undefined ? maintainerToken : options.token;
    const rc = path.join(work, `npmrc-${token ?? 'anonymous'}`);
    const authority = registry.replace(/^https?:/, '');
    writeFileSync(rc, `@acme:registry=${registry}\n${token ? `${authority}:_authToken=${token}\n` : ''}`);
    const env = {
      ...process.env,
      npm_config_userconfig: rc,
      npm_config_cache: options.cache ?? path.join(work, 'cache'),
      npm_config_update_notifier: 'false',
      npm_config_fund: 'false',
      npm_config_audit: 'false',
      npm_config_fetch_retries: '0',
    };
    for (const key of Object.keys(env)) if (/^npm_config_(registry|_auth|\/\/)/i.test(key)) delete env[key as keyof typeof env];
    return new Promise((resolve) => {
      execFile('npm', args, { cwd: options.cwd ?? work, env, encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
  };
  const ok = (run: Run) => {
    if (run.code !== 0) throw new Error(`npm failed (${run.code}): ${run.stderr}`);
    return run.stdout;
  };

  /** A package folder with package.json and one module. */
  const packageFolder = (name: string, version: string, extra: Record<string, unknown> = {}) => {
    const folder = path.join(work, `${name.replace(/\W/g, '_')}-${version}`);
    mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, 'package.json'), JSON.stringify({ name, version, main: 'index.js', license: 'MIT', ...extra }, null, 2));
    writeFileSync(path.join(folder, 'index.js'), `module.exports = ${JSON.stringify(`${name}@${version}`)};\n`);
    return folder;
  };

  const api = async (pathname: string, init: RequestInit = {}) => {
    const response = await fetch(`${server.url}${pathname}`, { ...init, headers: { 'PRIVATE-TOKEN': maintainerToken, ...init.headers } });
    return { status: response.status, body: response.status === 204 ? null : await response.json() };
  };
  const graphql = (query: string, variables: Record<string, unknown>) =>
    api('/api/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });

  it('publishes two versions of a scoped package and the package they depend on', async () => {
    ok(await npm(['publish'], { cwd: packageFolder('@acme/util', '1.0.0') }));
    const dependency = { dependencies: { '@acme/util': '^1.0.0' }, devDependencies: { typescript: '^5.0.0' } };
    ok(await npm(['publish'], { cwd: packageFolder('@acme/hello', '1.0.0', dependency) }));
    ok(await npm(['publish', '--tag', 'next'], { cwd: packageFolder('@acme/hello', '1.1.0', dependency) }));
    // The same version again: npm itself refuses once it has read the package document (the
    // registry's 403 `Package already exists.` is tested in test/rest/npm-packages.test.ts).
    const again = await npm(['publish'], { cwd: packageFolder('@acme/hello', '1.0.0', dependency) });
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('cannot publish over the previously published versions: 1.0.0');
  });

  it('npm view reads the package document: versions, dist-tags, tarball, shasum and integrity', async () => {
    const view = JSON.parse(ok(await npm(['view', '@acme/hello', '--json'])));
    expect(view.versions).toEqual(['1.0.0', '1.1.0']);
    expect(view['dist-tags']).toEqual({ latest: '1.0.0', next: '1.1.0' });
    expect(view.dist.tarball).toBe(`${registry}@acme/hello/-/@acme/hello-1.0.0.tgz`);
    const file = await server.db.prisma.packageFile.findFirstOrThrow({ where: { fileName: '@acme/hello-1.0.0.tgz' } });
    expect(view.dist.shasum).toBe(file.fileSha1);
    expect(view.dist.integrity).toMatch(/^sha512-[A-Za-z0-9+/]{86}==$/);
    expect(view.dependencies).toEqual({ '@acme/util': '^1.0.0' });
  });

  it('npm dist-tag add, ls and rm', async () => {
    ok(await npm(['dist-tag', 'add', '@acme/hello@1.1.0', 'beta']));
    expect(ok(await npm(['dist-tag', 'ls', '@acme/hello'])).trim().split('\n').sort()).toEqual(['beta: 1.1.0', 'latest: 1.0.0', 'next: 1.1.0']);
    ok(await npm(['dist-tag', 'rm', '@acme/hello', 'beta']));
    expect(ok(await npm(['dist-tag', 'ls', '@acme/hello'])).trim().split('\n').sort()).toEqual(['latest: 1.0.0', 'next: 1.1.0']);
    // A developer may add tags but not remove them (destroy_package is maintainer+).
    const refused = await npm(['dist-tag', 'rm', '@acme/hello', 'next'], { token: developerToken });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('403');
  });

  it('npm deprecate marks the version deprecated (status and package.json)', async () => {
    ok(await npm(['deprecate', '@acme/hello@1.0.0', 'use 1.1.0']));
    expect(ok(await npm(['view', '@acme/hello@1.0.0', 'deprecated'])).trim()).toBe('use 1.1.0');
    const pkg = await server.db.prisma.package.findFirstOrThrow({ where: { name: '@acme/hello', version: '1.0.0' }, include: { npmMetadatum: true } });
    expect(pkg.status).toBe('deprecated');
    expect(pkg.npmMetadatum!.packageJson).toMatchObject({ deprecated: 'use 1.1.0', name: '@acme/hello', version: '1.0.0' });
    ok(await npm(['deprecate', '@acme/hello@1.0.0', '']));
    expect((await server.db.prisma.package.findUniqueOrThrow({ where: { id: pkg.id } })).status).toBe('default');
  });

  it('npm install in a fresh folder resolves the right versions and checks their integrity', async () => {
    const app = path.join(work, 'app');
    mkdirSync(app);
    writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', version: '0.0.0', private: true }));
    // `latest` is 1.0.0: a range above it makes npm pick among the versions.
    ok(await npm(['install', '@acme/hello@^1.1.0'], { cwd: app, token: null, cache: path.join(work, 'fresh-cache') }));
    const installed = JSON.parse(readFileSync(path.join(app, 'node_modules/@acme/hello/package.json'), 'utf8'));
    expect(installed.version).toBe('1.1.0');
    expect(readFileSync(path.join(app, 'node_modules/@acme/util/index.js'), 'utf8')).toContain('@acme/util@1.0.0');
    const lock = JSON.parse(readFileSync(path.join(app, 'package-lock.json'), 'utf8'));
    const view = JSON.parse(ok(await npm(['view', '@acme/hello@1.1.0', '--json'])));
    expect(lock.packages['node_modules/@acme/hello']).toMatchObject({ version: '1.1.0', integrity: view.dist.integrity });
    const downloaded = await server.db.prisma.package.findFirstOrThrow({ where: { name: '@acme/hello', version: '1.1.0' } });
    expect(downloaded.lastDownloadedAt).not.toBeNull();
  });

  it('the REST list, GraphQL and getPackageDetails show the published package; the REST delete removes it', async () => {
    const list = await api(`/api/v4/projects/${projectId}/packages?package_name=@acme/hello&order_by=version`);
    expect(list.status).toBe(200);
    expect((list.body as { version: string; package_type: string; tags: { name: string }[] }[]).map((p) => [p.version, p.package_type, p.tags.map((t) => t.name)])).toEqual([
      ['1.0.0', 'npm', ['latest']],
      ['1.1.0', 'npm', ['next']],
    ]);
    const hello = (list.body as { id: number; version: string }[]).find((p) => p.version === '1.1.0')!;
    const files = await api(`/api/v4/projects/${projectId}/packages/${hello.id}/package_files`);
    expect(files.body).toMatchObject([{ file_name: '@acme/hello-1.1.0.tgz' }]);

    const listed = await graphql(print(GetPackagesDocument), { fullPath: 'acme/web', isGroupPage: false, packageName: '@acme/hello', sort: 'VERSION_ASC' });
    expect(listed.body.data.project.packages.nodes.map((n: { version: string; tags: { nodes: { name: string }[] } }) => [n.version, n.tags.nodes.map((t) => t.name)])).toEqual([
      ['1.0.0', ['latest']],
      ['1.1.0', ['next']],
    ]);

    const details = await graphql(print(GetPackageDetailsDocument), { id: `gid://gitlab/Packages::Package/${hello.id}` });
    expect(details.body.errors).toBeUndefined();
    const pkg = details.body.data.package;
    expect(pkg).toMatchObject({ name: '@acme/hello', version: '1.1.0', packageType: 'NPM', npmUrl: registry.replace(/\/$/, ''), metadata: null });
    const packageFiles = await graphql(print(GetPackageFilesDocument), { id: `gid://gitlab/Packages::Package/${hello.id}` });
    const [file] = packageFiles.body.data.package.packageFiles.nodes;
    expect(file).toMatchObject({ fileName: '@acme/hello-1.1.0.tgz', downloadPath: expect.stringMatching(/^\/acme\/web\/-\/package_files\/\d+\/download$/) });
    // The web download route serves the same bytes npm installed.
    const web = await fetch(`${server.url}${file.downloadPath}`, { headers: { 'PRIVATE-TOKEN': maintainerToken } });
    expect(web.status).toBe(200);
    expect(createHash('sha1').update(Buffer.from(await web.arrayBuffer())).digest('hex')).toBe(file.fileSha1);
    expect(pkg.dependencyLinks.nodes.map((l: { dependencyType: string; dependency: { name: string; versionPattern: string } }) => [l.dependencyType, l.dependency.name, l.dependency.versionPattern]).sort()).toEqual([
      ['DEPENDENCIES', '@acme/util', '^1.0.0'],
      ['DEV_DEPENDENCIES', 'typescript', '^5.0.0'],
    ]);

    expect((await api(`/api/v4/projects/${projectId}/packages/${hello.id}`, { method: 'DELETE' })).status).toBe(204);
    const view = JSON.parse(ok(await npm(['view', '@acme/hello', '--json'])));
    expect(view.versions).toEqual(['1.0.0']);
  });
});
