// Query.projects and Query.groups (GitLab's listings) with package counts: what they list is exactly
// what `project(fullPath:)` / `group(fullPath:)` let the same viewer read, and the counts of a page of
// projects or groups cost the same few statements whatever the page size.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFixture } from '../../src/fixture/load.ts';
import type { App } from '../../src/server.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { graphql, recordingClient, testApp } from '../support/graphql.ts';

const token = (user: string) => `glpat-${user}-listings-token-01`;
const users = ['root', 'ann', 'bob', 'cat'] as const;
const viewers = [undefined, ...users.map(token)];

const packages = (n: number, type = 'npm') =>
  Array.from({ length: n }, (_, i) => ({ name: `p${i}`, version: `1.0.${i}`, package_type: type }));

let db: TestDatabase;
let app: App;
beforeAll(async () => {
  db = await createTestDatabase();
  await loadFixture(db.prisma, {
    users: users.map((username) => ({
      username,
      name: username.toUpperCase(),
      admin: username === 'root',
      tokens: [{ name: 't', token: token(username), scopes: ['api'] }],
    })),
    groups: [
      { path: 'acme', name: 'Acme', visibility: 'public' },
      { path: 'acme/inner', name: 'Inner', visibility: 'private', members: [{ user: 'bob', access_level: 'developer' }] },
      { path: 'vault', name: 'Vault', visibility: 'private' },
      { path: 'vault/deep', name: 'Deep', visibility: 'private' },
      { path: 'corp', name: 'Corp', visibility: 'internal' },
      { path: 'zeta_x', name: 'Zeta', visibility: 'public' },
    ],
    projects: [
      { path: 'acme/web', name: 'Web', visibility: 'public', packages: [...packages(3), { name: 'gone', version: '1', package_type: 'npm', status: 'pending_destruction' }] },
      { path: 'acme/inner/core', name: 'Core', visibility: 'private', packages: packages(2, 'maven') },
      { path: 'vault/deep/box', name: 'Box', visibility: 'private', members: [{ user: 'ann', access_level: 'reporter' }], packages: packages(5) },
      { path: 'corp/tool', name: 'Tool', visibility: 'internal', packages: packages(1) },
      { path: 'zeta_x/web2', name: 'Web Two', visibility: 'public' },
    ],
  });
  app = testApp(db.prisma);
});
afterAll(() => db.close());

type Listing = { nodes: { fullPath: string; packages: { count: number } | null }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };

async function list(field: 'projects' | 'groups', viewer?: string, args = 'first: 100') {
  const body = await graphql<Record<string, Listing>, undefined>(
    app,
    `{ ${field}(${args}) { nodes { fullPath packages { count } } pageInfo { hasNextPage endCursor } } }`,
    undefined,
    viewer,
  );
  expect(body.errors).toBeUndefined();
  return body.data![field]!;
}

const paths = (listing: Listing) => listing.nodes.map((n) => n.fullPath);

describe('Query.projects', () => {
  it('lists exactly the projects project(fullPath:) shows each viewer, newest first (id_desc)', async () => {
    const all = paths(await list('projects', token('root')));
    expect(all).toEqual(['zeta_x/web2', 'corp/tool', 'vault/deep/box', 'acme/inner/core', 'acme/web']);
    for (const viewer of viewers) {
      const readable: string[] = [];
      for (const fullPath of all) {
        const body = await graphql<{ project: { fullPath: string } | null }, { p: string }>(app, 'query($p: ID!) { project(fullPath: $p) { fullPath } }', { p: fullPath }, viewer);
        if (body.data!.project) readable.push(fullPath);
      }
      expect(paths(await list('projects', viewer)), `viewer ${viewer ?? 'anonymous'}`).toEqual(readable);
    }
    expect(paths(await list('projects'))).toEqual(['zeta_x/web2', 'acme/web']);
    expect(paths(await list('projects', token('ann')))).toEqual(['zeta_x/web2', 'corp/tool', 'vault/deep/box', 'acme/web']);
  });

  it("counts each project's packages as project.packages.count does (default statuses), null where packages are not readable", async () => {
    const listing = await list('projects', token('root'));
    for (const node of listing.nodes) {
      const body = await graphql<{ project: { packages: { count: number; nodes: unknown[] } } }, { p: string }>(
        app,
        'query($p: ID!) { project(fullPath: $p) { packages(first: 100) { count nodes { id } } } }',
        { p: node.fullPath },
        token('root'),
      );
      expect(node.packages!.count).toBe(body.data!.project.packages.count);
      expect(node.packages!.count).toBe(body.data!.project.packages.nodes.length);
    }
    expect(listing.nodes.find((n) => n.fullPath === 'acme/web')!.packages!.count).toBe(3);
    expect(listing.nodes.find((n) => n.fullPath === 'vault/deep/box')!.packages!.count).toBe(5);
  });

  it('takes the filters of packages on a count-only selection, and count(limit:)', async () => {
    const body = await graphql<{ projects: { nodes: { fullPath: string; maven: { count: number }; capped: { count: number } }[] } }, undefined>(
      app,
      '{ projects(sort: "path_asc") { nodes { fullPath maven: packages(packageType: MAVEN) { count } capped: packages { count(limit: 1) } } } }',
      undefined,
      token('root'),
    );
    expect(body.errors).toBeUndefined();
    const byPath = Object.fromEntries(body.data!.projects.nodes.map((n) => [n.fullPath, n]));
    expect(byPath['acme/inner/core']!.maven.count).toBe(2);
    expect(byPath['acme/web']!.maven.count).toBe(0);
    expect(byPath['vault/deep/box']!.capped.count).toBe(2);
    expect(byPath['corp/tool']!.capped.count).toBe(1);
  });

  it('filters by membership, search (name or path, any case, wildcards literal), searchNamespaces and ids', async () => {
    expect(paths(await list('projects', token('ann'), 'membership: true'))).toEqual(['vault/deep/box']);
    expect(paths(await list('projects', token('bob'), 'membership: true'))).toEqual(['acme/inner/core']);
    expect(paths(await list('projects', undefined, 'membership: true'))).toEqual([]);
    expect(paths(await list('projects', token('root'), 'search: "WEB"'))).toEqual(['zeta_x/web2', 'acme/web']);
    expect(paths(await list('projects', token('root'), 'search: "%"'))).toEqual([]);
    expect(paths(await list('projects', token('root'), 'search: "deep"'))).toEqual([]);
    expect(paths(await list('projects', token('root'), 'search: "deep", searchNamespaces: true'))).toEqual(['vault/deep/box']);
    expect(paths(await list('projects', token('root'), 'search: "zeta_x", searchNamespaces: true'))).toEqual(['zeta_x/web2']);
    const { nodes } = (await graphql<{ projects: { nodes: { id: string }[] } }, undefined>(app, '{ projects(sort: "name_asc") { nodes { id } } }', undefined, token('root'))).data!.projects;
    const ids = [nodes[0]!.id, nodes[2]!.id];
    const picked = await graphql<{ projects: { nodes: { id: string }[] } }, { ids: string[] }>(app, 'query($ids: [ID!]) { projects(ids: $ids, sort: "name_asc") { nodes { id } } }', { ids }, token('root'));
    expect(picked.data!.projects.nodes.map((n) => n.id)).toEqual(ids);
    // An id the viewer may not see stays out.
    const hidden = await graphql<{ projects: { nodes: unknown[] } }, { ids: string[] }>(app, 'query($ids: [ID!]) { projects(ids: $ids) { nodes { id } } }', { ids }, token('cat'));
    expect(hidden.data!.projects.nodes.length).toBeLessThan(2);
  });

  it('sorts by GitLab sort strings and pages by keyset cursors, forward and back', async () => {
    expect(paths(await list('projects', token('root'), 'sort: "name_asc"'))).toEqual(['vault/deep/box', 'acme/inner/core', 'corp/tool', 'acme/web', 'zeta_x/web2']);
    expect(paths(await list('projects', token('root'), 'sort: "PATH_DESC"'))).toEqual(['zeta_x/web2', 'acme/web', 'corp/tool', 'acme/inner/core', 'vault/deep/box']);
    expect(paths(await list('projects', token('root'), 'sort: "id_asc"'))).toEqual(['acme/web', 'acme/inner/core', 'vault/deep/box', 'corp/tool', 'zeta_x/web2']);
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page = await list('projects', token('root'), `first: 2, sort: "name_asc"${after ? `, after: "${after}"` : ''}`);
      seen.push(...paths(page));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(['vault/deep/box', 'acme/inner/core', 'corp/tool', 'acme/web', 'zeta_x/web2']);
    const back = await list('projects', token('root'), `last: 2, sort: "name_asc", before: "${after}"`);
    expect(paths(back)).toEqual(['acme/inner/core', 'corp/tool']);
  });

  it('refuses an unknown sort, a bad cursor, a negative page size and a foreign id with a GraphQL error naming it', async () => {
    const cases: [string, RegExp][] = [
      ['sort: "stars_desc"', /Argument 'sort' must be one of id_asc, id_desc, name_asc/],
      ['after: "nope"', /Argument 'after' has an invalid cursor/],
      ['first: -1', /first/],
      ['ids: ["gid://gitlab/Group/1"]', /does not represent an instance of Project/],
    ];
    for (const [args, message] of cases) {
      const body = await graphql<unknown, undefined>(app, `{ projects(${args}) { nodes { id } } }`, undefined, token('root'));
      expect(body.status, args).toBe(200);
      expect(body.errors?.[0]?.message, args).toMatch(message);
    }
    // A cursor of the name ordering is not one of the id ordering's (a string where an id goes).
    const page = await list('projects', token('root'), 'first: 1, sort: "name_asc"');
    const body = await graphql<unknown, undefined>(app, `{ projects(after: "${page.pageInfo.endCursor}") { nodes { id } } }`, undefined, token('root'));
    expect(body.errors?.[0]?.message).toMatch(/Argument 'after' has an invalid cursor/);
  });
});

describe('Query.groups', () => {
  it('lists exactly the groups group(fullPath:) shows each viewer, by name (name_asc)', async () => {
    const all = paths(await list('groups', token('root')));
    expect(all).toEqual(['acme', 'corp', 'vault/deep', 'acme/inner', 'vault', 'zeta_x']);
    for (const viewer of viewers) {
      const readable: string[] = [];
      for (const fullPath of all) {
        const body = await graphql<{ group: { fullPath: string } | null }, { g: string }>(app, 'query($g: ID!) { group(fullPath: $g) { fullPath } }', { g: fullPath }, viewer);
        if (body.data!.group) readable.push(fullPath);
      }
      expect(paths(await list('groups', viewer)), `viewer ${viewer ?? 'anonymous'}`).toEqual(readable);
    }
    // ann is a member of a project only: she sees the private groups above it, not their siblings.
    expect(paths(await list('groups', token('ann')))).toEqual(['acme', 'corp', 'vault/deep', 'vault', 'zeta_x']);
  });

  it("counts each group's packages with its subgroups' as group.packages.count does, in what the viewer may list", async () => {
    for (const viewer of viewers) {
      const listing = await list('groups', viewer);
      for (const node of listing.nodes) {
        const body = await graphql<{ group: { packages: { count: number; nodes: unknown[] } } }, { g: string }>(
          app,
          'query($g: ID!) { group(fullPath: $g) { packages(first: 100) { count nodes { id } } } }',
          { g: node.fullPath },
          viewer,
        );
        expect(node.packages!.count, `${node.fullPath} for ${viewer ?? 'anonymous'}`).toBe(body.data!.group.packages.count);
      }
    }
    const root = Object.fromEntries((await list('groups', token('root'))).nodes.map((n) => [n.fullPath, n.packages!.count]));
    expect(root).toMatchObject({ acme: 5, 'acme/inner': 2, vault: 5, corp: 1, 'zeta_x': 0 });
    const anonymous = Object.fromEntries((await list('groups')).nodes.map((n) => [n.fullPath, n.packages!.count]));
    expect(anonymous).toEqual({ acme: 3, 'zeta_x': 0 });
  });

  it('filters by search, topLevelOnly, allAvailable and ids', async () => {
    expect(paths(await list('groups', token('root'), 'search: "DEEP"'))).toEqual(['vault/deep']);
    expect(paths(await list('groups', token('root'), 'search: "inner"'))).toEqual(['acme/inner']);
    expect(paths(await list('groups', token('root'), 'search: "_"'))).toEqual(['zeta_x']);
    expect(paths(await list('groups', token('root'), 'topLevelOnly: true'))).toEqual(['acme', 'corp', 'vault', 'zeta_x']);
    expect(paths(await list('groups', token('bob'), 'allAvailable: false'))).toEqual(['acme/inner']);
    expect(paths(await list('groups', undefined, 'allAvailable: false'))).toEqual(['acme', 'zeta_x']);
    const acme = (await graphql<{ group: { id: string } }, undefined>(app, '{ group(fullPath: "acme") { id } }')).data!.group.id;
    expect(paths(await list('groups', undefined, `ids: ["${acme}"]`))).toEqual(['acme']);
    expect(paths(await list('groups', token('root'), 'sort: "path_desc", first: 2'))).toEqual(['zeta_x', 'vault']);
  });
});

describe('the statements of a listing with package counts', () => {
  // Token (with memberships), the page, then one count statement (and for groups one of their projects),
  // whatever the page size.
  async function statements(field: 'projects' | 'groups', first: number) {
    const { client, log } = recordingClient(db.prisma);
    const body = await graphql<Record<string, Listing>, undefined>(
      testApp(client),
      `{ ${field}(first: ${first}, sort: "id_asc") { nodes { fullPath packages { count } } } }`,
      undefined,
      token('root'),
    );
    expect(body.errors).toBeUndefined();
    expect(body.data![field]!.nodes).toHaveLength(first);
    return log.length;
  }

  it('are the same for 1 and 5 projects, and at most 3', async () => {
    await statements('projects', 1);
    const one = await statements('projects', 1);
    const five = await statements('projects', 5);
    expect(five).toBe(one);
    expect(five).toBeLessThanOrEqual(3);
  });

  it('are the same for 1 and 6 groups, and at most 4', async () => {
    await statements('groups', 1);
    const one = await statements('groups', 1);
    const six = await statements('groups', 6);
    expect(six).toBe(one);
    expect(six).toBeLessThanOrEqual(4);
  });
});
