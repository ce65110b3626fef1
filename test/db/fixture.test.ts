import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FixtureError,
  formatSummary,
  isDatabaseEmpty,
  loadFixture,
  resetDatabase,
  type FixtureSummary,
} from '../../src/db/fixture.ts';
import { tokenDigest } from '../../src/domain/tokens.ts';
import type { PrismaClient } from '../../src/generated/prisma/client.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const examplePath = path.join(here, '../fixtures/example.json');
const demoPath = path.join(here, '../../src/db/demo-fixture.json');
const example = JSON.parse(readFileSync(examplePath, 'utf8')) as Record<string, unknown>;

const tables = [
  'users',
  'personal_access_tokens',
  'namespaces',
  'group_members',
  'projects',
  'project_members',
  'ci_pipelines',
  'packages_packages',
  'packages_tags',
  'packages_package_files',
  'packages_build_infos',
  'packages_package_file_build_infos',
  'packages_protection_rules',
];

async function counts(prisma: PrismaClient): Promise<Record<string, number>> {
  const rows = await prisma.$queryRawUnsafe<{ t: string; n: bigint }[]>(
    tables.map((t) => `SELECT '${t}' AS t, count(*) AS n FROM "${t}"`).join(' UNION ALL '),
  );
  return Object.fromEntries(rows.map((r) => [r.t, Number(r.n)]));
}

/** A valid little world to vary: one user, one group, one project with one package. */
function world(overrides: { users?: unknown[]; groups?: unknown[]; projects?: unknown[] } = {}) {
  return {
    users: [{ username: 'ann', tokens: [{ token: 'glpat-ann-test-000000001', scopes: ['api'] }] }],
    groups: [{ path: 'team', visibility: 'public' }],
    projects: [
      {
        path: 'team/app',
        pipelines: [{ key: 'b1', sha: 'a'.repeat(40) }],
        packages: [{ name: 'app', version: '1.0.0', package_type: 'npm', pipelines: ['b1'], files: [{ file_name: 'app.tgz', size: 1 }] }],
      },
    ],
    ...overrides,
  };
}

describe('loadFixture', () => {
  let db: TestDatabase;
  let prisma: PrismaClient;
  let tmp: string;
  beforeAll(async () => {
    db = await createTestDatabase();
    prisma = db.prisma;
    tmp = mkdtempSync(path.join(os.tmpdir(), 'pgw-fixture-'));
  });
  afterAll(async () => {
    await db.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('loads the example document of fixture.md', async () => {
    const summary = await loadFixture(prisma, example, { reset: true });
    expect(summary).toEqual<FixtureSummary>({
      users: 2,
      tokens: 2,
      groups: 2,
      projects: 1,
      memberships: 2,
      pipelines: 1,
      packages: 1,
      packageFiles: 1,
      tags: 1,
      protectionRules: 1,
    });
    expect(formatSummary(summary)).toBe(
      'loaded 2 users, 2 tokens, 2 groups, 1 project, 2 memberships, 1 pipeline, 1 package, 1 package file, 1 tag, 1 protection rule',
    );

    const root = await prisma.user.findUniqueOrThrow({ where: { username: 'root' }, include: { tokens: true } });
    expect(root).toMatchObject({ name: 'Administrator', admin: true, state: 'active' });
    expect(root.tokens[0]!.tokenDigest).toBe(tokenDigest('glpat-root-demo-0000000001'));
    expect(root.tokens[0]!.tokenDigest).not.toContain('glpat');
    const dev = await prisma.user.findUniqueOrThrow({ where: { username: 'dev' }, include: { tokens: true } });
    expect(dev).toMatchObject({ admin: false, name: 'Dee Veloper' });
    expect(dev.tokens[0]).toMatchObject({ name: 'ci', scopes: ['read_api'], revoked: false, expiresAt: new Date('2030-01-01T00:00:00Z') });

    const acme = await prisma.namespace.findUniqueOrThrow({ where: { fullPath: 'acme' }, include: { members: true } });
    const platform = await prisma.namespace.findUniqueOrThrow({ where: { fullPath: 'acme/platform' } });
    expect(acme).toMatchObject({ kind: 'group', name: 'Acme', path: 'acme', parentId: null, visibility: 'public' });
    expect(acme.members.map((m) => [m.userId, m.accessLevel])).toEqual([[dev.id, 30]]);
    expect(platform).toMatchObject({ path: 'platform', parentId: acme.id, visibility: 'private' });

    const project = await prisma.project.findUniqueOrThrow({
      where: { fullPath: 'acme/platform/api' },
      include: { members: true, pipelines: true, protectionRules: true },
    });
    expect(project).toMatchObject({ namespaceId: platform.id, path: 'api', name: 'API', visibility: 'private', packagesEnabled: true });
    expect(project.members.map((m) => [m.userId, m.accessLevel])).toEqual([[dev.id, 40]]);
    expect(project.pipelines).toEqual([
      expect.objectContaining({
        iid: 1,
        ref: 'main',
        sha: '2b6127f6bb6f475c4e81afcc2251e3f941e554f9',
        status: 'success',
        source: 'push',
        userId: dev.id,
        createdAt: new Date('2024-02-01T12:19:21Z'),
        updatedAt: new Date('2024-02-01T14:00:05Z'),
      }),
    ]);
    expect(project.protectionRules).toEqual([
      expect.objectContaining({ packageNamePattern: '@acme/*', packageType: 'npm', minimumAccessLevelForDelete: 50, minimumAccessLevelForPush: null }),
    ]);

    const pkg = await prisma.package.findFirstOrThrow({ include: { tags: true, buildInfos: true, files: { include: { buildInfos: true } } } });
    const pipelineId = project.pipelines[0]!.id;
    expect(pkg).toMatchObject({
      projectId: project.id,
      name: '@acme/api',
      version: '1.0.3',
      packageType: 'npm',
      status: 'default',
      creatorId: null,
      lastDownloadedAt: null,
      createdAt: new Date('2024-02-01T14:00:00Z'),
    });
    expect(pkg.tags.map((t) => [t.name, t.projectId])).toEqual([['latest', project.id]]);
    expect(pkg.buildInfos.map((b) => b.pipelineId)).toEqual([pipelineId]);
    expect(pkg.files).toEqual([
      expect.objectContaining({
        fileName: 'api-1.0.3.tgz',
        size: 2421n,
        fileMd5: '58e6a45a629910c6ff99145a688971ac',
        fileSha1: 'ebd193463d3915d7e22219f52740056dfd26cbfe',
        fileSha256: 'e3759306802d7379cb19db9ec18d25939cfb14fa848a65023022afca6dbb9671',
        status: 'default',
        createdAt: new Date('2024-02-01T14:00:01Z'),
      }),
    ]);
    expect(pkg.files[0]!.buildInfos.map((b) => b.pipelineId)).toEqual([pipelineId]);
  });

  it('stores conan metadata, statuses, creators, personal projects, and build infos in listed order', async () => {
    await loadFixture(
      prisma,
      {
        users: [
          { username: 'ann', name: 'Ann', state: 'blocked', tokens: [{ token: 'glpat-ann-test-000000001', scopes: ['api', 'read_api'], revoked: true }] },
        ],
        projects: [
          {
            path: 'ann/tools',
            members: [{ user: 'ann', access_level: 20 }],
            pipelines: [
              { key: 'a', sha: '1'.repeat(40), user: 'ann' },
              { key: 'b', sha: '2'.repeat(40), iid: 1 },
              { key: 'c', sha: '3'.repeat(40) },
            ],
            packages: [
              {
                name: 'zlib',
                version: '1.3',
                package_type: 'conan',
                conan: { username: 'acme', channel: 'stable' },
                status: 'error',
                status_message: 'upload failed',
                creator: 'ann',
                last_downloaded_at: '2024-05-01T10:00:00+02:00',
                pipelines: ['c', 'a'],
                files: [{ file_name: 'big.bin', size: '9007199254740993', pipelines: ['b'] }],
              },
              { name: 'tool', version: null, package_type: 'generic', status: 'hidden' },
            ],
          },
        ],
      },
      { reset: true },
    );
    const ann = await prisma.user.findUniqueOrThrow({ where: { username: 'ann' }, include: { tokens: true, ownedNamespaces: true } });
    expect(ann.state).toBe('blocked');
    expect(ann.tokens[0]).toMatchObject({ scopes: ['api', 'read_api'], revoked: true, expiresAt: null });
    // A personal project lives in the user's namespace, and its owner is an owner member.
    expect(ann.ownedNamespaces).toEqual([expect.objectContaining({ kind: 'user', path: 'ann', fullPath: 'ann', name: 'Ann' })]);
    const project = await prisma.project.findUniqueOrThrow({ where: { fullPath: 'ann/tools' }, include: { members: true, pipelines: { orderBy: { id: 'asc' } } } });
    expect(project.namespaceId).toBe(ann.ownedNamespaces[0]!.id);
    expect(project.members.map((m) => [m.userId, m.accessLevel])).toEqual([[ann.id, 50]]);
    // iids: explicit ones are kept, the others are numbered around them in order.
    expect(project.pipelines.map((p) => [p.iid, p.userId])).toEqual([
      [2, ann.id],
      [1, null],
      [3, null],
    ]);
    const byKey = Object.fromEntries(project.pipelines.map((p, i) => [['a', 'b', 'c'][i]!, p.id]));

    const conan = await prisma.package.findFirstOrThrow({
      where: { name: 'zlib' },
      include: { buildInfos: { orderBy: { id: 'asc' } }, files: { include: { buildInfos: true } } },
    });
    expect(conan).toMatchObject({
      conanUsername: 'acme',
      conanChannel: 'stable',
      status: 'error',
      statusMessage: 'upload failed',
      creatorId: ann.id,
      lastDownloadedAt: new Date('2024-05-01T08:00:00Z'),
    });
    // The last listed pipeline gets the highest build-info id: it is "the" pipeline of the package.
    expect(conan.buildInfos.map((b) => b.pipelineId)).toEqual([byKey.c, byKey.a]);
    expect(conan.files[0]!.size).toBe(9007199254740993n);
    expect(conan.files[0]!.buildInfos.map((b) => b.pipelineId)).toEqual([byKey.b]);
    expect(await prisma.package.findFirstOrThrow({ where: { name: 'tool' } })).toMatchObject({
      version: null,
      status: 'hidden',
      conanUsername: null,
    });
  });

  describe('rejects an invalid document, naming the JSON path, and changes nothing', () => {
    const pkg = (extra: object = {}) => ({ name: 'p', version: '1', package_type: 'npm', ...extra });
    const cases: [string, object, RegExp][] = [
      [
        'unknown package type',
        world({ projects: [{ path: 'team/app', packages: [pkg(), pkg({ package_type: 'npmm' })] }] }),
        /^projects\[0\]\.packages\[1\]\.package_type: unknown type "npmm"/,
      ],
      [
        'missing parent group',
        world({ groups: [{ path: 'team' }, { path: 'team/sub/deep' }] }),
        /^groups\[1\]\.path: parent group "team\/sub" not found/,
      ],
      ['subgroup listed before its parent', world({ groups: [{ path: 'team/sub' }, { path: 'team' }] }), /^groups\[0\]\.path: parent group "team" not found/],
      [
        'duplicate project path',
        world({ projects: [{ path: 'team/app' }, { path: 'team/App' }] }),
        /^projects\[1\]\.path: project path "team\/App" is also used by projects\[0\]/,
      ],
      ['duplicate group path', world({ groups: [{ path: 'team' }, { path: 'team' }] }), /^groups\[1\]\.path: group path "team" is also used by groups\[0\]/],
      ['duplicate username', world({ users: [{ username: 'ann' }, { username: 'ann' }] }), /^users\[1\]\.username: username "ann" is also used by users\[0\]/],
      [
        'unknown user in a membership',
        world({ groups: [{ path: 'team', members: [{ user: 'nobody', access_level: 'developer' }] }] }),
        /^groups\[0\]\.members\[0\]\.user: unknown user "nobody"/,
      ],
      [
        'bad access level',
        world({ projects: [{ path: 'team/app', members: [{ user: 'ann', access_level: 'admin' }] }] }),
        /^projects\[0\]\.members\[0\]\.access_level: bad access level "admin" \(expected guest, planner, reporter, developer, maintainer, owner or 10, 15, 20, 30, 40, 50\)/,
      ],
      [
        'bad access level number',
        world({ groups: [{ path: 'team', members: [{ user: 'ann', access_level: 35 }] }] }),
        /^groups\[0\]\.members\[0\]\.access_level: bad access level 35/,
      ],
      [
        'unknown namespace',
        world({ projects: [{ path: 'nowhere/app' }] }),
        /^projects\[0\]\.path: namespace "nowhere" not found/,
      ],
      [
        'unknown pipeline key',
        world({ projects: [{ path: 'team/app', pipelines: [{ key: 'b1', sha: 'x' }], packages: [pkg({ files: [{ file_name: 'f', size: 1, pipelines: ['b2'] }] })] }] }),
        /^projects\[0\]\.packages\[0\]\.files\[0\]\.pipelines\[0\]: unknown pipeline "b2"/,
      ],
      ['unknown creator', world({ projects: [{ path: 'team/app', packages: [pkg({ creator: 'zed' })] }] }), /^projects\[0\]\.packages\[0\]\.creator: unknown user "zed"/],
      ['missing file size', world({ projects: [{ path: 'team/app', packages: [pkg({ files: [{ file_name: 'f' }] })] }] }), /^projects\[0\]\.packages\[0\]\.files\[0\]\.size: /],
      ['bad scope', world({ users: [{ username: 'ann', tokens: [{ token: 't', scopes: ['write'] }] }] }), /^users\[0\]\.tokens\[0\]\.scopes\[0\]: unknown scope "write"/],
      ['bad timestamp', world({ groups: [{ path: 'team', created_at: 'yesterday' }] }), /^groups\[0\]\.created_at: expected an ISO 8601 timestamp/],
      ['conan fields on another type', world({ projects: [{ path: 'team/app', packages: [pkg({ conan: { username: 'a', channel: 'b' } })] }] }), /^projects\[0\]\.packages\[0\]\.conan: /],
      ['not an object', [] as unknown as object, /^the fixture must be a JSON object/],
    ];

    let before: Record<string, number>;
    beforeAll(async () => {
      await loadFixture(prisma, example, { reset: true });
      before = await counts(prisma);
    });

    it.each(cases)('%s', async (_name, doc, message) => {
      const error = await loadFixture(prisma, doc).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FixtureError);
      expect((error as Error).message).toMatch(message);
      expect(await counts(prisma)).toEqual(before);
    });

    it('undoes the reset too', async () => {
      const [, doc, message] = cases[0]!;
      await expect(loadFixture(prisma, doc, { reset: true })).rejects.toThrow(message);
      expect(await counts(prisma)).toEqual(before);
      expect(await prisma.user.count({ where: { username: 'root' } })).toBe(1);
    });
  });

  it('refuses to load over data that holds the same usernames or paths, and changes nothing', async () => {
    await loadFixture(prisma, example, { reset: true });
    const before = await counts(prisma);
    await expect(loadFixture(prisma, example)).rejects.toThrow(
      /^users\[0\]\.username: username "root" already exists in the database \(load with reset to replace its data\)/,
    );
    await expect(loadFixture(prisma, { groups: [{ path: 'ACME' }] })).rejects.toThrow(/^groups\[0\]\.path: path "acme" already exists in the database/);
    await expect(loadFixture(prisma, { groups: [{ path: 'dev' }] })).rejects.toThrow(/^groups\[0\]\.path: path "dev" already exists in the database/);
    await expect(loadFixture(prisma, { projects: [{ path: 'root/x' }, { path: 'x/y' }] })).rejects.toThrow(/^projects\[0\]\.path: namespace "root" not found/);
    await expect(
      loadFixture(prisma, { users: [{ username: 'eve', tokens: [{ token: 'glpat-root-demo-0000000001', scopes: ['api'] }] }] }),
    ).rejects.toThrow(/^users\[0\]\.tokens\[0\]\.token: this token already exists in the database/);
    expect(await counts(prisma)).toEqual(before);

    // Different names load next to what is there.
    const summary = await loadFixture(prisma, world());
    expect(summary.projects).toBe(1);
    expect(await prisma.project.count()).toBe(2);
  });

  it('with reset, empties the database first and restarts ids', async () => {
    expect(await prisma.user.count()).toBeGreaterThan(1);
    await loadFixture(prisma, world(), { reset: true });
    expect(await prisma.user.findMany({ select: { id: true, username: true } })).toEqual([{ id: 1, username: 'ann' }]);
    expect(await counts(prisma)).toMatchObject({ users: 1, namespaces: 1, projects: 1, packages_packages: 1, packages_protection_rules: 0, group_members: 0 });
  });

  it('keeps explicit ids, generates others around them, and later inserts do not collide', async () => {
    // Records without ids come first: their generated ids must avoid the explicit ones listed later.
    const doc = {
      users: [{ username: 'ann' }, { id: 1, username: 'bob' }, { id: 100, username: 'cy' }],
      groups: [{ id: 50, path: 'team' }],
      projects: [
        {
          path: 'team/one',
          pipelines: [{ key: 'q', sha: 'x' }],
          packages: [{ name: 'auto', version: '1', package_type: 'npm', pipelines: ['q'], files: [{ file_name: 'a', size: 1 }] }],
        },
        {
          id: 1,
          path: 'team/two',
          pipelines: [{ id: 1, key: 'p', sha: 'x' }],
          packages: [
            { id: 1, name: 'one', version: '1', package_type: 'npm', files: [{ id: 1, file_name: 'b', size: 2 }] },
            { id: 1000, name: 'big', version: '1', package_type: 'npm', pipelines: ['p'], files: [{ id: 7000, file_name: 'c', size: 3 }] },
          ],
        },
      ],
    };
    const file = path.join(tmp, 'ids.json');
    writeFileSync(file, JSON.stringify(doc));
    // The parsed document and the streamed file (scanned for ids first) give the same ids.
    for (const source of [doc, file]) {
      await loadFixture(prisma, source, { reset: true });
      const users = await prisma.user.findMany({ orderBy: { username: 'asc' }, select: { id: true, username: true } });
      expect(users).toEqual([
        { id: 2, username: 'ann' },
        { id: 1, username: 'bob' },
        { id: 100, username: 'cy' },
      ]);
      const projects = await prisma.project.findMany({ orderBy: { id: 'asc' }, include: { pipelines: true } });
      expect(projects.map((p) => [p.id, p.fullPath, p.namespaceId, p.pipelines.map((q) => q.id)])).toEqual([
        [1, 'team/two', 50, [1]],
        [2, 'team/one', 50, [2]],
      ]);
      expect((await prisma.package.findMany({ orderBy: { id: 'asc' } })).map((p) => [p.id, p.name])).toEqual([
        [1, 'one'],
        [2, 'auto'],
        [1000, 'big'],
      ]);
      expect((await prisma.packageFile.findMany({ orderBy: { id: 'asc' } })).map((f) => f.id)).toEqual([1, 2, 7000]);
    }

    const created = {
      user: await prisma.user.create({ data: { username: 'dee', name: 'Dee' } }),
      group: await prisma.namespace.create({ data: { name: 'g', path: 'g', fullPath: 'g' } }),
      project: await prisma.project.create({ data: { namespaceId: 50, name: 'x', path: 'x', fullPath: 'team/x' } }),
      pipeline: await prisma.pipeline.create({ data: { projectId: 1, iid: 9, sha: 'y', status: 'success' } }),
      package: await prisma.package.create({ data: { projectId: 1, name: 'new', packageType: 'npm' } }),
    };
    const file2 = await prisma.packageFile.create({ data: { packageId: created.package.id, fileName: 'n', size: 1n } });
    expect([created.user.id, created.group.id, created.project.id, created.pipeline.id, created.package.id, file2.id]).toEqual([
      101, 51, 3, 3, 1001, 7001,
    ]);
  });

  it('rejects an explicit id used twice or already in the database', async () => {
    const twice = { users: [{ id: 5, username: 'a' }, { id: 5, username: 'b' }] };
    await expect(loadFixture(prisma, twice, { reset: true })).rejects.toThrow(/^users\[1\]\.id: id 5 is also used by users\[0\]/);
    await loadFixture(prisma, { users: [{ id: 5, username: 'a' }] }, { reset: true });
    await expect(loadFixture(prisma, { users: [{ id: 5, username: 'b' }] })).rejects.toThrow(/^users\[0\]\.id: id 5 is already taken/);
  });

  it('streams a file path or a stream, in any key order, with the same result as the parsed document', async () => {
    const snapshot = async () => ({
      counts: await counts(prisma),
      packages: await prisma.package.findMany({
        orderBy: { id: 'asc' },
        select: { id: true, name: true, projectId: true, buildInfos: { select: { pipelineId: true } }, files: { select: { size: true } } },
      }),
      members: await prisma.projectMember.findMany({ select: { projectId: true, userId: true, accessLevel: true } }),
    });
    await loadFixture(prisma, example, { reset: true });
    const expected = await snapshot();

    expect(await loadFixture(prisma, examplePath, { reset: true })).toMatchObject({ packages: 1, packageFiles: 1 });
    expect(await snapshot()).toEqual(expected);
    await loadFixture(prisma, createReadStream(examplePath), { reset: true });
    expect(await snapshot()).toEqual(expected);

    // Keys sorted as JSON serializers may write them: users last, a project's packages before its path.
    const sortKeys = (value: unknown): unknown =>
      Array.isArray(value)
        ? value.map(sortKeys)
        : value && typeof value === 'object'
          ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, sortKeys(v)]))
          : value;
    const sorted = path.join(tmp, 'sorted.json');
    writeFileSync(sorted, JSON.stringify(sortKeys(example)));
    await loadFixture(prisma, sorted, { reset: true });
    expect(await snapshot()).toEqual(expected);

    // Packages streamed right after the path, the project's other fields (id, pipelines, members) after them.
    const [project] = example.projects as Record<string, unknown>[];
    const { path: projectPath, packages, ...rest } = project!;
    const late = path.join(tmp, 'late.json');
    writeFileSync(late, JSON.stringify({ ...example, projects: [{ path: projectPath, packages, ...rest, id: 42 }] }));
    await loadFixture(prisma, late, { reset: true });
    const moved = await snapshot();
    expect(moved.packages.map((p) => p.projectId)).toEqual([42]);
    expect({ ...moved, packages: moved.packages.map((p) => ({ ...p, projectId: 1 })), members: moved.members.map((m) => ({ ...m, projectId: 1 })) }).toEqual(expected);
  });

  it('loads many packages in batches with progress lines, and a late error undoes all of them', async () => {
    const count = 10_500;
    const packages = Array.from({ length: count }, (_, i) => ({
      name: `pkg-${i % 100}`,
      version: `1.0.${i}`,
      package_type: 'pypi',
      tags: i % 1000 === 0 ? ['latest'] : [],
      files: [
        { file_name: `pkg-${i}.whl`, size: i },
        { file_name: `pkg-${i}.tar.gz`, size: i + 1 },
      ],
    }));
    const file = path.join(tmp, 'many.json');
    writeFileSync(file, JSON.stringify(world({ projects: [{ path: 'team/many', packages }] })));
    const lines: string[] = [];
    const summary = await loadFixture(prisma, file, { reset: true, onProgress: (line) => lines.push(line) });
    expect(summary).toMatchObject({ packages: count, packageFiles: 2 * count, tags: 11 });
    expect(lines).toEqual(['… 10000 packages, 20000 package files']);
    expect(await prisma.packageFile.count()).toBe(2 * count);
    const before = await counts(prisma);

    // Fails after a first batch of 5,000 went to the database.
    packages[6000]!.package_type = 'npmm';
    writeFileSync(file, JSON.stringify(world({ projects: [{ path: 'team/many', packages: packages.slice(0, 6001) }] })));
    await expect(loadFixture(prisma, file, { reset: true })).rejects.toThrow(/^projects\[0\]\.packages\[6000\]\.package_type: unknown type "npmm"/);
    expect(await counts(prisma)).toEqual(before);
  });

  it('reports broken JSON and warns about unknown keys', async () => {
    const broken = path.join(tmp, 'broken.json');
    writeFileSync(broken, '{"users": [{"username": "a"},');
    await expect(loadFixture(prisma, broken, { reset: true })).rejects.toThrow(FixtureError);

    const lines: string[] = [];
    await loadFixture(prisma, world({ groups: [{ path: 'team', visiblity: 'public' }, { path: 'team/b', visiblity: 'public' }] }), {
      reset: true,
      onProgress: (line) => lines.push(line),
    });
    expect(lines).toEqual(['warning: groups[0].visiblity: unknown key, ignored']);
  });

  it('loads the bundled demo fixture, with every package type', async () => {
    const summary = await loadFixture(prisma, demoPath, { reset: true });
    expect(summary.packages).toBeGreaterThanOrEqual(30);
    const types = await prisma.package.groupBy({ by: ['packageType'] });
    expect(types.map((t) => t.packageType).sort()).toEqual(
      [
        'cargo',
        'composer',
        'conan',
        'debian',
        'generic',
        'golang',
        'helm',
        'maven',
        'ml_model',
        'npm',
        'nuget',
        'pypi',
        'rpm',
        'rubygems',
        'terraform_module',
      ].sort(),
    );
    const statuses = await prisma.package.groupBy({ by: ['status'] });
    expect(statuses.map((s) => s.status).sort()).toEqual(['default', 'deprecated', 'error', 'hidden', 'pending_destruction', 'processing']);
    expect(await prisma.user.findUniqueOrThrow({ where: { username: 'root' } })).toMatchObject({ admin: true });
    expect(await prisma.user.findUniqueOrThrow({ where: { username: 'blocked' } })).toMatchObject({ state: 'blocked' });
    expect(await prisma.packageProtectionRule.findFirstOrThrow()).toMatchObject({ packageNamePattern: '@acme/*', minimumAccessLevelForDelete: 50 });
    expect(await prisma.project.findUniqueOrThrow({ where: { fullPath: 'acme/platform/legacy' } })).toMatchObject({ packagesEnabled: false });
    expect(await prisma.package.count({ where: { packageType: 'conan', conanUsername: { not: null }, conanChannel: { not: null } } })).toBeGreaterThan(0);
    expect(await prisma.package.count({ where: { version: null } })).toBeGreaterThan(0);
    const personal = await prisma.project.findUniqueOrThrow({ where: { fullPath: 'dev/sandbox' }, include: { namespace: true, members: true } });
    expect(personal.namespace.kind).toBe('user');
    expect(personal.members).toEqual([expect.objectContaining({ accessLevel: 50 })]);
  });

  it('resetDatabase empties every table but the migrations, and isDatabaseEmpty tells', async () => {
    await loadFixture(prisma, example, { reset: true });
    expect(await isDatabaseEmpty(prisma)).toBe(false);
    await resetDatabase(prisma);
    expect(await isDatabaseEmpty(prisma)).toBe(true);
    expect(Object.values(await counts(prisma)).every((n) => n === 0)).toBe(true);
    const migrations = await prisma.$queryRawUnsafe<{ n: bigint }[]>('SELECT count(*) AS n FROM _prisma_migrations');
    expect(Number(migrations[0]!.n)).toBeGreaterThan(0);
  });
});
