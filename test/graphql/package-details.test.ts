// GitLab's getPackageDetails, getPackageMetadata and getGroupPackageSettings with real data: per-type
// metadata, dependency links, the install URL formulas and Group.packageSettings. The data beyond the
// GraphQL world is inserted here with Prisma.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instanceForwarding, resolvePackageSettings, defaultPackageSetting } from '../../src/domain/package-settings.ts';
import type { App } from '../../src/server.ts';
import type { TestDatabase } from '../support/database.ts';
import { gid, graphql, openWorld, recordingClient, testApp, worldToken } from '../support/graphql.ts';
import { GetGroupPackageSettingsDocument, GetPackageDetailsDocument, GetPackageMetadataDocument } from './generated/graphql.ts';

let db: TestDatabase;
let app: App;

const pkg = (id: number) => gid('Packages::Package', id);
const base = 'https://gitlab.example.com/api/v4';

// Packages of the world (test/fixtures/graphql-world.json) and the ones created below.
const ids = {
  npm: 1, // @pub/foo1 3.1.0, pub/app (public, group pub = 1)
  npmOlder: 12, // @pub/foo1 3.0.0, pub/app
  nuget: 2, // Foo.Bar, pub/app
  maven: 3, // zzz, pub/app
  generic: 10, // 100%_real, pub/app
  conan: 16, // many-pipelines, pub/app
  secret: 30, // npm, priv/secret (private, group priv = 3)
  sublib: 20, // npm, pub/sub/lib (public, group pub/sub = 2)
  pypi: 40, // tool, int/tool (internal, group int = 4)
  composer: 701,
  composerLicenses: 702,
  composerBare: 703,
  mavenBare: 704,
  personal: 801, // composer, in a user's namespace
  manyLinks: 705, // nuget with 60 dependency links
} as const;

beforeAll(async () => {
  ({ db, app } = await openWorld('https://gitlab.example.com'));
  const p = db.prisma;
  const created = new Date('2024-03-01T10:00:00.000Z');
  const newPackage = (id: number, name: string, packageType: 'composer' | 'maven' | 'nuget', projectId = 1) =>
    p.package.create({ data: { id, projectId, name, version: '1.2.0', packageType, createdAt: created, updatedAt: created } });

  // Metadata of each kind.
  await p.packageMavenMetadatum.create({
    data: { packageId: ids.maven, appGroup: 'com.example', appName: 'zzz', appVersion: '1.1.1', path: 'com/example/zzz/1.1.1', createdAt: created, updatedAt: created },
  });
  await p.packageNugetMetadatum.create({
    data: {
      packageId: ids.nuget,
      licenseUrl: 'https://licenses.example.com/MIT',
      projectUrl: 'https://foo.example.com',
      iconUrl: 'https://foo.example.com/icon.png',
      authors: 'Foo Authors',
      description: 'Foo for .NET',
    },
  });
  await p.packagePypiMetadatum.create({
    data: {
      packageId: ids.pypi,
      requiredPython: '>=3.9',
      summary: 'A tool',
      keywords: 'tool,cli',
      authorEmail: 'Tool Author <tool@example.com>',
      description: '# Tool',
      descriptionContentType: 'text/markdown',
      metadataVersion: '2.1',
    },
  });
  await newPackage(ids.composer, 'acme/lib', 'composer');
  await p.packageComposerMetadatum.create({
    data: { packageId: ids.composer, targetSha: 'a'.repeat(40), composerJson: { name: 'acme/lib', type: 'library', license: 'MIT', version: '1.2.0' } },
  });
  await newPackage(ids.composerLicenses, 'acme/dual', 'composer');
  await p.packageComposerMetadatum.create({
    data: { packageId: ids.composerLicenses, targetSha: 'b'.repeat(40), composerJson: { license: ['MIT', 'Apache-2.0'] } },
  });
  await newPackage(ids.composerBare, 'acme/bare', 'composer');
  await newPackage(ids.mavenBare, 'bare', 'maven');
  await p.packageNpmMetadatum.create({ data: { packageId: ids.npm, packageJson: { name: '@pub/foo1', version: '3.1.0' } } });

  // Dependencies: (name, version pattern) rows shared between packages, linked with a type.
  const dependency = (name: string, versionPattern: string) =>
    p.packageDependency.upsert({ where: { name_versionPattern: { name, versionPattern } }, create: { name, versionPattern }, update: {} });
  const link = async (packageId: number, dep: { id: number }, dependencyType: 'dependencies' | 'dev_dependencies' | 'bundle_dependencies' | 'peer_dependencies', targetFramework?: string) => {
    const row = await p.packageDependencyLink.create({ data: { packageId, dependencyId: dep.id, dependencyType } });
    if (targetFramework) await p.packageNugetDependencyLinkMetadatum.create({ data: { dependencyLinkId: row.id, targetFramework } });
    return row;
  };
  const lodash = await dependency('lodash', '^4.17.21');
  await link(ids.npm, lodash, 'dependencies');
  await link(ids.npm, await dependency('jest', '^29.0.0'), 'dev_dependencies');
  await link(ids.npm, await dependency('left-pad', '1.3.0'), 'bundle_dependencies');
  // A NuGet metadatum on an npm package's link is not shown (GitLab reads it for NuGet packages only).
  await link(ids.npm, await dependency('react', '>=18'), 'peer_dependencies', 'net6.0');
  await link(ids.npmOlder, await dependency('lodash', '^4.17.21'), 'dependencies');
  await link(ids.nuget, await dependency('Newtonsoft.Json', '13.0.1'), 'dependencies', 'net6.0');
  await link(ids.nuget, await dependency('System.Text.Json', '8.0.0'), 'dependencies', '.NETStandard2.0');
  await link(ids.nuget, await dependency('Polly', '[7.0.0, )'), 'dependencies');
  await newPackage(ids.manyLinks, 'Many.Links', 'nuget');
  for (let i = 0; i < 60; i++) await link(ids.manyLinks, await dependency(`Dep${i}`, `${i}.0.0`), 'dependencies', 'net8.0');

  // A personal project (a user's namespace, no group).
  const userNamespace = await p.namespace.create({ data: { kind: 'user', name: 'Dee Developer', path: 'dev', fullPath: 'dev', ownerId: 4, visibility: 'public' } });
  await p.project.create({ data: { id: 800, namespaceId: userNamespace.id, name: 'Tools', path: 'tools', fullPath: 'dev/tools', visibility: 'public' } });
  await newPackage(ids.personal, 'dev/tools', 'composer', 800);

  // Package settings: priv (3) has a row; its subgroup priv/team has one that the lock overrides.
  await p.namespacePackageSetting.create({
    data: {
      namespaceId: 3,
      mavenDuplicatesAllowed: false,
      mavenDuplicateExceptionRegex: '.*-SNAPSHOT',
      genericDuplicatesAllowed: false,
      genericDuplicateExceptionRegex: 'nightly-.*',
      nugetDuplicatesAllowed: false,
      nugetDuplicateExceptionRegex: '.*-beta',
      terraformModuleDuplicatesAllowed: true,
      terraformModuleDuplicateExceptionRegex: 'infra-.*',
      npmPackageRequestsForwarding: false,
      lockNpmPackageRequestsForwarding: true,
      pypiPackageRequestsForwarding: false,
      nugetSymbolServerEnabled: true,
      auditEventsEnabled: true,
    },
  });
  const team = await p.namespace.create({ data: { name: 'Team', path: 'team', fullPath: 'priv/team', parentId: 3, visibility: 'private' } });
  await p.namespacePackageSetting.create({ data: { namespaceId: team.id, npmPackageRequestsForwarding: true, mavenPackageRequestsForwarding: false } });
});
afterAll(() => db.close());

const details = (id: number, token?: string, on = app) => graphql(on, GetPackageDetailsDocument, { id: pkg(id) }, token);
const metadata = async (id: number, token?: string) => {
  const body = await graphql(app, GetPackageMetadataDocument, { id: pkg(id) }, token);
  expect(body.errors).toBeUndefined();
  return body.data!.package!.metadata;
};

describe('Package.metadata', () => {
  it('composer: the target SHA and the composer.json fields', async () => {
    expect(await metadata(ids.composer)).toEqual({ targetSha: 'a'.repeat(40), composerJson: { license: 'MIT', version: '1.2.0' } });
    // A license list is shown as JSON; absent keys are null.
    expect(await metadata(ids.composerLicenses)).toEqual({
      targetSha: 'b'.repeat(40),
      composerJson: { license: '["MIT","Apache-2.0"]', version: null },
    });
  });

  it('conan: the recipe from the package row', async () => {
    expect(await metadata(ids.conan)).toEqual({
      id: gid('Packages::Conan::Metadatum', ids.conan),
      packageChannel: 'stable',
      packageUsername: 'acme',
      recipe: 'many-pipelines/1.0.0@acme/stable',
      recipePath: 'many-pipelines/1.0.0/acme/stable',
    });
  });

  it('maven: app group, name, version and path', async () => {
    expect(await metadata(ids.maven)).toEqual({
      id: gid('Packages::Maven::Metadatum', ids.maven),
      appName: 'zzz',
      appGroup: 'com.example',
      appVersion: '1.1.1',
      path: 'com/example/zzz/1.1.1',
    });
  });

  it('nuget: the icon, license and project URLs', async () => {
    expect(await metadata(ids.nuget)).toEqual({
      id: gid('Packages::Nuget::Metadatum', ids.nuget),
      iconUrl: 'https://foo.example.com/icon.png',
      licenseUrl: 'https://licenses.example.com/MIT',
      projectUrl: 'https://foo.example.com',
    });
  });

  it('pypi: the package metadata fields (every GitLab field)', async () => {
    const token = worldToken('dev');
    expect(await metadata(ids.pypi, token)).toEqual({
      id: gid('Packages::Pypi::Metadatum', ids.pypi),
      authorEmail: 'Tool Author <tool@example.com>',
      keywords: 'tool,cli',
      requiredPython: '>=3.9',
      summary: 'A tool',
    });
    const body = await graphql<{ package: { metadata: Record<string, unknown> } }, undefined>(
      app,
      `{ package(id: "${pkg(ids.pypi)}") { metadata { __typename ... on PypiMetadata { description descriptionContentType metadataVersion } } } }`,
      undefined,
      token,
    );
    expect(body.data!.package.metadata).toEqual({ __typename: 'PypiMetadata', description: '# Tool', descriptionContentType: 'text/markdown', metadataVersion: '2.1' });
  });

  it('maven metadata has its dates, conan uses the package dates', async () => {
    const body = await graphql<{ maven: { metadata: unknown }; conan: { createdAt: string; metadata: { createdAt: string } } }, undefined>(
      app,
      `{ maven: package(id: "${pkg(ids.maven)}") { metadata { ... on MavenMetadata { createdAt updatedAt } } }
         conan: package(id: "${pkg(ids.conan)}") { createdAt metadata { ... on ConanMetadata { createdAt } } } }`,
    );
    expect(body.data!.maven.metadata).toEqual({ createdAt: '2024-03-01T10:00:00.000Z', updatedAt: '2024-03-01T10:00:00.000Z' });
    expect(body.data!.conan.metadata.createdAt).toBe(body.data!.conan.createdAt);
  });

  it('npm and generic packages have no metadata, even with a stored package.json', async () => {
    expect(await metadata(ids.npm)).toBeNull();
    expect(await metadata(ids.generic)).toBeNull();
  });

  it('a package of a metadata type without a metadata row has null', async () => {
    expect(await metadata(ids.composerBare)).toBeNull();
    expect(await metadata(ids.mavenBare)).toBeNull();
  });

  it('is on every package type of a list, fetched with the page (no statement of its own)', async () => {
    const { client, log } = recordingClient(db.prisma);
    const body = await graphql<{ project: { packages: { nodes: { name: string; metadata: { __typename: string } | null }[] } } }, undefined>(
      testApp(client, 'https://gitlab.example.com'),
      `{ project(fullPath: "pub/app") { packages(first: 100) { nodes { name metadata { __typename } } } } }`,
    );
    const byName = Object.fromEntries(body.data!.project.packages.nodes.map((n) => [n.name, n.metadata?.__typename ?? null]));
    expect(byName).toMatchObject({
      zzz: 'MavenMetadata', 'Foo.Bar': 'NugetMetadata', 'acme/lib': 'ComposerMetadata', 'many-pipelines': 'ConanMetadata',
      'acme/bare': null, bare: null, '@pub/foo1': null, '100%_real': null, broken: null,
    });
    const without = recordingClient(db.prisma);
    await graphql(testApp(without.client, 'https://gitlab.example.com'), `{ project(fullPath: "pub/app") { packages(first: 100) { nodes { name } } } }`);
    expect(log).toEqual(without.log);
  });
});

describe('PackageDetailsType.dependencyLinks', () => {
  type Links = { id: string; dependency: { id: string; name: string; versionPattern: string } | null; dependencyType: string; metadata: unknown }[];
  const linksOf = async (id: number) => {
    const body = await details(id);
    expect(body.errors).toBeUndefined();
    return body.data!.package!.dependencyLinks!.nodes as Links;
  };

  it('NuGet links carry their target framework (null when the link has none)', async () => {
    const links = await linksOf(ids.nuget);
    expect(links.map((l) => [l.dependency!.name, l.dependency!.versionPattern, l.dependencyType, l.metadata])).toEqual([
      ['Newtonsoft.Json', '13.0.1', 'DEPENDENCIES', { id: expect.stringMatching(/^gid:\/\/gitlab\/Packages::Nuget::DependencyLinkMetadatum\/\d+$/), targetFramework: 'net6.0' }],
      ['System.Text.Json', '8.0.0', 'DEPENDENCIES', { id: expect.any(String), targetFramework: '.NETStandard2.0' }],
      ['Polly', '[7.0.0, )', 'DEPENDENCIES', null],
    ]);
    expect(links[0]!.id).toMatch(/^gid:\/\/gitlab\/Packages::DependencyLink\/\d+$/);
    expect(links[0]!.dependency!.id).toMatch(/^gid:\/\/gitlab\/Packages::Dependency\/\d+$/);
    // The link metadata's id is the link's.
    expect((links[0]!.metadata as { id: string }).id.split('/').at(-1)).toBe(links[0]!.id.split('/').at(-1));
  });

  it('every dependency type; metadata only for NuGet packages; shared dependency rows', async () => {
    const links = await linksOf(ids.npm);
    expect(links.map((l) => [l.dependency!.name, l.dependencyType, l.metadata])).toEqual([
      ['lodash', 'DEPENDENCIES', null],
      ['jest', 'DEV_DEPENDENCIES', null],
      ['left-pad', 'BUNDLE_DEPENDENCIES', null],
      ['react', 'PEER_DEPENDENCIES', null],
    ]);
    const older = await linksOf(ids.npmOlder);
    expect(older.map((l) => l.dependency!.id)).toEqual([links[0]!.dependency!.id]);
    expect(await db.prisma.packageDependency.count({ where: { name: 'lodash' } })).toBe(1);
  });

  it('a package without dependencies has an empty connection', async () => {
    expect(await linksOf(ids.maven)).toEqual([]);
  });

  it('pages at most 100 links, by id', async () => {
    const body = await graphql<{ package: { dependencyLinks: { nodes: { dependency: { name: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } } }, { id: string; after?: string }>(
      app,
      `query($id: PackagesPackageID!, $after: String) { package(id: $id) { dependencyLinks(first: 25, after: $after) { nodes { dependency { name } } pageInfo { hasNextPage endCursor } } } }`,
      { id: pkg(ids.manyLinks) },
    );
    const first = body.data!.package.dependencyLinks;
    expect(first.nodes.map((n) => n.dependency.name)).toEqual(Array.from({ length: 25 }, (_, i) => `Dep${i}`));
    expect(first.pageInfo.hasNextPage).toBe(true);
    const next = await graphql<typeof body.data & object, { id: string; after?: string }>(
      app,
      `query($id: PackagesPackageID!, $after: String) { package(id: $id) { dependencyLinks(first: 100, after: $after) { nodes { dependency { name } } pageInfo { hasNextPage endCursor } } } }`,
      { id: pkg(ids.manyLinks), after: first.pageInfo.endCursor },
    );
    expect(next.data!.package.dependencyLinks.nodes).toHaveLength(35);
    expect(next.data!.package.dependencyLinks.pageInfo.hasNextPage).toBe(false);
  });
});

describe('install URLs', () => {
  const urls = async (id: number, token?: string, on = app) => {
    const body = await details(id, token, on);
    expect(body.errors).toBeUndefined();
    const p = body.data!.package!;
    return {
      npmUrl: p.npmUrl, mavenUrl: p.mavenUrl, conanUrl: p.conanUrl, nugetUrl: p.nugetUrl, pypiUrl: p.pypiUrl,
      pypiSetupUrl: p.pypiSetupUrl, composerUrl: p.composerUrl, composerConfigRepositoryUrl: p.composerConfigRepositoryUrl,
    };
  };

  it('public project: every formula, pypiUrl without a token', async () => {
    expect(await urls(ids.maven)).toEqual({
      npmUrl: `${base}/projects/1/packages/npm`,
      mavenUrl: `${base}/projects/1/packages/maven`,
      conanUrl: `${base}/projects/1/packages/conan`,
      nugetUrl: `${base}/projects/1/packages/nuget/index.json`,
      pypiUrl: `${base}/projects/1/packages/pypi/simple`,
      pypiSetupUrl: `${base}/projects/1/packages/pypi`,
      composerUrl: `${base}/group/1/-/packages/composer/packages.json`,
      composerConfigRepositoryUrl: 'gitlab.example.com/1',
    });
  });

  it('private project: every formula, pypiUrl with the personal token placeholder', async () => {
    expect(await urls(ids.secret, worldToken('owner'))).toEqual({
      npmUrl: `${base}/projects/3/packages/npm`,
      mavenUrl: `${base}/projects/3/packages/maven`,
      conanUrl: `${base}/projects/3/packages/conan`,
      nugetUrl: `${base}/projects/3/packages/nuget/index.json`,
      pypiUrl: 'https://__token__:<your_personal_token>@gitlab.example.com/api/v4/projects/3/packages/pypi/simple',
      pypiSetupUrl: `${base}/projects/3/packages/pypi`,
      composerUrl: `${base}/group/3/-/packages/composer/packages.json`,
      composerConfigRepositoryUrl: 'gitlab.example.com/3',
    });
  });

  it('internal project: pypiUrl carries the token placeholder too', async () => {
    expect((await urls(ids.pypi, worldToken('dev'))).pypiUrl).toBe(
      'https://__token__:<your_personal_token>@gitlab.example.com/api/v4/projects/4/packages/pypi/simple',
    );
  });

  it("composer URLs use the project's own group (a subgroup), and are null outside a group", async () => {
    const sub = await urls(ids.sublib);
    expect([sub.composerUrl, sub.composerConfigRepositoryUrl]).toEqual([`${base}/group/2/-/packages/composer/packages.json`, 'gitlab.example.com/2']);
    const personal = await urls(ids.personal);
    expect(personal.npmUrl).toBe(`${base}/projects/800/packages/npm`);
    expect([personal.composerUrl, personal.composerConfigRepositoryUrl]).toEqual([null, null]);
  });

  it("without PUBLIC_URL they use the request's origin; a PUBLIC_URL path is kept, the repository name has the host only", async () => {
    const fromRequest = await urls(ids.maven, undefined, testApp(db.prisma));
    expect([fromRequest.npmUrl, fromRequest.pypiUrl, fromRequest.composerConfigRepositoryUrl]).toEqual([
      'http://gw.test/api/v4/projects/1/packages/npm',
      'http://gw.test/api/v4/projects/1/packages/pypi/simple',
      'gw.test/1',
    ]);
    const withPath = await urls(ids.secret, worldToken('owner'), testApp(db.prisma, 'https://example.com:8443/gitlab'));
    expect([withPath.mavenUrl, withPath.pypiUrl, withPath.composerConfigRepositoryUrl]).toEqual([
      'https://example.com:8443/gitlab/api/v4/projects/3/packages/maven',
      'https://__token__:<your_personal_token>@example.com:8443/gitlab/api/v4/projects/3/packages/pypi/simple',
      'example.com/3',
    ]);
  });
});

describe('getPackageDetails', () => {
  it('returns the whole document for a NuGet package', async () => {
    const body = await details(ids.nuget, worldToken('pubmaint'));
    expect(body.errors).toBeUndefined();
    expect(body.data!.package).toMatchObject({
      id: pkg(ids.nuget),
      name: 'Foo.Bar',
      packageType: 'NUGET',
      version: '2.0.4',
      status: 'DEFAULT',
      publicPackage: true,
      protectionRuleExists: false,
      project: { id: gid('Project', 1), path: 'app', name: 'App', fullPath: 'pub/app' },
      tags: { nodes: [] },
      versions: { count: 0 },
      metadata: { id: gid('Packages::Nuget::Metadatum', ids.nuget), iconUrl: 'https://foo.example.com/icon.png' },
      userPermissions: { destroyPackage: true },
    });
  });

  it('returns the Maven metadata fields of the document', async () => {
    const body = await details(ids.maven);
    expect(body.data!.package!.metadata).toEqual({ id: gid('Packages::Maven::Metadatum', ids.maven), appName: 'zzz', appGroup: 'com.example', appVersion: '1.1.1' });
  });

  it('is null for a caller who may not read the package', async () => {
    for (const token of [undefined, worldToken('outsider'), worldToken('guest')]) {
      const body = await details(ids.secret, token);
      expect(body.errors).toBeUndefined();
      expect(body.data!.package).toBeNull();
    }
    const meta = await graphql(app, GetPackageMetadataDocument, { id: pkg(ids.pypi) });
    expect(meta.data!.package).toBeNull();
  });

  it('SQL statements: the same for 3 and 60 dependency links, at most the ceiling', async () => {
    /** token, package, project, group, tags, newest pipelines, versions page and count, dependency
     * links (with dependencies and NuGet metadata), NuGet metadata, protection rules. */
    const ceiling = 11;
    const statementsFor = async (id: number) => {
      const { client, log } = recordingClient(db.prisma);
      const body = await details(id, worldToken('pubmaint'), testApp(client, 'https://gitlab.example.com'));
      expect(body.errors).toBeUndefined();
      return log;
    };
    await statementsFor(ids.nuget); // the token's last_used_at is refreshed at most every 10 minutes
    const few = await statementsFor(ids.nuget);
    const many = await statementsFor(ids.manyLinks);
    expect(many).toEqual(few);
    expect(few.length).toBeLessThanOrEqual(ceiling);
    console.info(`SQL statements for getPackageDetails: ${few.length} (${few.join(', ')})`);
  });
});

describe('Group.packageSettings', () => {
  const settings = async (fullPath: string, isGroupPage: boolean, token?: string) => {
    const body = await graphql(app, GetGroupPackageSettingsDocument, { fullPath, isGroupPage }, token);
    expect(body.errors).toBeUndefined();
    return body.data!;
  };
  const all = `packageSettings {
    mavenDuplicatesAllowed mavenDuplicateExceptionRegex genericDuplicatesAllowed genericDuplicateExceptionRegex
    nugetDuplicatesAllowed nugetDuplicateExceptionRegex terraformModuleDuplicatesAllowed terraformModuleDuplicateExceptionRegex
    mavenPackageRequestsForwarding lockMavenPackageRequestsForwarding mavenPackageRequestsForwardingLocked
    npmPackageRequestsForwarding lockNpmPackageRequestsForwarding npmPackageRequestsForwardingLocked
    pypiPackageRequestsForwarding lockPypiPackageRequestsForwarding pypiPackageRequestsForwardingLocked
    nugetSymbolServerEnabled auditEventsEnabled
  }`;
  const allOf = async (fullPath: string, token: string) => {
    const body = await graphql<{ group: { packageSettings: Record<string, unknown> | null } }, undefined>(
      app,
      `{ group(fullPath: "${fullPath}") { ${all} } }`,
      undefined,
      token,
    );
    expect(body.errors).toBeUndefined();
    return body.data!.group.packageSettings;
  };

  it("a group without a row has GitLab's defaults (forwarding from the instance)", async () => {
    expect(await settings('pub', true, worldToken('pubowner'))).toEqual({
      group: { id: gid('Group', 1), packageSettings: { mavenPackageRequestsForwarding: true, npmPackageRequestsForwarding: true, pypiPackageRequestsForwarding: true } },
    });
    expect(await allOf('pub', worldToken('pubowner'))).toEqual({
      mavenDuplicatesAllowed: true, mavenDuplicateExceptionRegex: '',
      genericDuplicatesAllowed: true, genericDuplicateExceptionRegex: '',
      nugetDuplicatesAllowed: true, nugetDuplicateExceptionRegex: '',
      terraformModuleDuplicatesAllowed: false, terraformModuleDuplicateExceptionRegex: '',
      mavenPackageRequestsForwarding: true, lockMavenPackageRequestsForwarding: false, mavenPackageRequestsForwardingLocked: false,
      npmPackageRequestsForwarding: true, lockNpmPackageRequestsForwarding: false, npmPackageRequestsForwardingLocked: false,
      pypiPackageRequestsForwarding: true, lockPypiPackageRequestsForwarding: false, pypiPackageRequestsForwardingLocked: false,
      nugetSymbolServerEnabled: false, auditEventsEnabled: false,
    });
  });

  it('a group with a row shows its values', async () => {
    expect(await allOf('priv', worldToken('owner'))).toEqual({
      mavenDuplicatesAllowed: false, mavenDuplicateExceptionRegex: '.*-SNAPSHOT',
      genericDuplicatesAllowed: false, genericDuplicateExceptionRegex: 'nightly-.*',
      nugetDuplicatesAllowed: false, nugetDuplicateExceptionRegex: '.*-beta',
      terraformModuleDuplicatesAllowed: true, terraformModuleDuplicateExceptionRegex: 'infra-.*',
      mavenPackageRequestsForwarding: true, lockMavenPackageRequestsForwarding: false, mavenPackageRequestsForwardingLocked: false,
      npmPackageRequestsForwarding: false, lockNpmPackageRequestsForwarding: true, npmPackageRequestsForwardingLocked: false,
      pypiPackageRequestsForwarding: false, lockPypiPackageRequestsForwarding: false, pypiPackageRequestsForwardingLocked: false,
      nugetSymbolServerEnabled: true, auditEventsEnabled: true,
    });
  });

  it("a subgroup: an ancestor's lock wins, unset values cascade from the nearest ancestor", async () => {
    expect(await allOf('priv/team', worldToken('owner'))).toMatchObject({
      mavenDuplicatesAllowed: true, // the subgroup's own row (duplicates settings do not cascade)
      mavenPackageRequestsForwarding: false, mavenPackageRequestsForwardingLocked: false, // its own value
      npmPackageRequestsForwarding: false, npmPackageRequestsForwardingLocked: true, // locked by priv
      lockNpmPackageRequestsForwarding: false,
      pypiPackageRequestsForwarding: false, pypiPackageRequestsForwardingLocked: false, // unset: priv's
    });
  });

  it("through a project's group (GitLab's project page variant)", async () => {
    expect(await settings('priv/secret', false, worldToken('owner'))).toEqual({
      project: { id: gid('Project', 3), group: { id: gid('Group', 3), packageSettings: { mavenPackageRequestsForwarding: true, npmPackageRequestsForwarding: false, pypiPackageRequestsForwarding: false } } },
    });
  });

  it('only owners (of the group or an ancestor) and administrators may read them', async () => {
    const readers = { anonymous: undefined, pubmaint: worldToken('pubmaint'), outsider: worldToken('outsider'), pubowner: worldToken('pubowner'), root: worldToken('root') };
    const seen = Object.fromEntries(
      await Promise.all(Object.entries(readers).map(async ([who, token]) => [who, (await settings('pub', true, token)).group!.packageSettings !== null])),
    );
    expect(seen).toEqual({ anonymous: false, pubmaint: false, outsider: false, pubowner: true, root: true });
    // Maintainers of priv see the group but not its settings; its owner sees a subgroup's.
    expect((await settings('priv', true, worldToken('maint'))).group).toEqual({ id: gid('Group', 3), packageSettings: null });
    expect((await settings('priv/team', true, worldToken('owner'))).group!.packageSettings).not.toBeNull();
  });

  it('the instance settings end the cascade, and an instance lock wins over the group', () => {
    const own = { ...defaultPackageSetting, npmPackageRequestsForwarding: true };
    expect(resolvePackageSettings({ own, ancestors: [] }).npmPackageRequestsForwarding).toBe(true);
    const locked = { ...instanceForwarding, npm: { value: false, locked: true } };
    const view = resolvePackageSettings({ own, ancestors: [] }, locked);
    expect([view.npmPackageRequestsForwarding, view.npmPackageRequestsForwardingLocked]).toEqual([false, true]);
    expect(resolvePackageSettings({ own: null, ancestors: [] }, { ...instanceForwarding, maven: { value: false, locked: false } }).mavenPackageRequestsForwarding).toBe(false);
  });
});
