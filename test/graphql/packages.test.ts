// The packages connection on Project and Group: every filter, sort and default, pagination, count.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/server.ts';
import type { TestDatabase } from '../support/database.ts';
import { graphql, openWorld, worldToken } from '../support/graphql.ts';

let db: TestDatabase;
let app: App;
beforeAll(async () => ({ db, app } = await openWorld()));
afterAll(() => db.close());

/** Ids of `packages(<args>)` on a project (or group), first page of up to 100. */
async function ids(path: string, args = '', options: { group?: boolean; token?: string } = {}): Promise<number[]> {
  const root = options.group ? 'group' : 'project';
  const body = await graphql<Record<string, { packages: { nodes: { id: string }[] } } | null>, undefined>(
    app,
    `{ ${root}(fullPath: "${path}") { packages${args ? `(${args})` : ''} { nodes { id } } } }`,
    undefined,
    options.token ?? worldToken('root'),
  );
  expect(body.errors).toBeUndefined();
  return body.data![root]!.packages.nodes.map((n) => Number(n.id.split('/').pop()));
}

describe('Project.packages filters and defaults', () => {
  it('lists displayable, versioned, non-terraform packages, newest first', async () => {
    expect(await ids('pub/app')).toEqual([15, 13, 12, 11, 10, 8, 7, 2, 1, 3, 16]);
  });

  it.each([
    ['DEFAULT', [15, 12, 11, 10, 2, 1, 3, 16]],
    ['HIDDEN', [14, 6]],
    ['ERROR', [13, 7]],
    ['DEPRECATED', [8]],
    ['PENDING_DESTRUCTION', [9]],
    ['PROCESSING', []],
  ])('status: %s is exactly that status', async (status, expected) => {
    expect(await ids('pub/app', `status: ${status}`)).toEqual(expected);
  });

  it('packageType: each type returns only its own, TERRAFORM_MODULE only when asked', async () => {
    expect(await ids('pub/app', 'packageType: TERRAFORM_MODULE')).toEqual([4]);
    expect(await ids('pub/app', 'packageType: NUGET')).toEqual([2]);
    expect(await ids('pub/app', 'packageType: MAVEN')).toEqual([3]);
    expect(await ids('pub/app', 'packageType: CONAN')).toEqual([16]);
    expect(await ids('pub/app', 'packageType: NPM')).toEqual([15, 13, 12, 8, 1]);
    expect(await ids('pub/app', 'packageType: CARGO')).toEqual([]);
  });

  it('includeVersionless adds versionless packages; packageVersion is exact and wins over it', async () => {
    expect(await ids('pub/app', 'includeVersionless: true')).toEqual([15, 13, 12, 11, 10, 8, 7, 5, 2, 1, 3, 16]);
    expect(await ids('pub/app', 'packageVersion: "3.0.0"')).toEqual([12]);
    expect(await ids('pub/app', 'packageVersion: "3.0.0", includeVersionless: true')).toEqual([12]);
    expect(await ids('pub/app', 'packageVersion: "3.0"')).toEqual([]);
  });

  it('packageName is a case-insensitive, per-word substring match', async () => {
    expect(await ids('pub/app', 'packageName: "FOO"')).toEqual([13, 12, 2, 1]);
    expect(await ids('pub/app', 'packageName: "foo bar"')).toEqual([2]);
    expect(await ids('pub/app', 'packageName: "  pub   foo1 "')).toEqual([13, 12, 1]);
    expect(await ids('pub/app', 'packageName: "\\"foo.bar\\""')).toEqual([2]);
    expect(await ids('pub/app', 'packageName: ""')).toEqual(await ids('pub/app'));
  });

  it('packageName matches %, _ and \\ literally', async () => {
    expect(await ids('pub/app', 'packageName: "%"')).toEqual([10]);
    expect(await ids('pub/app', 'packageName: "0_r"')).toEqual([]);
    expect(await ids('pub/app', 'packageName: "%_"')).toEqual([10]);
    expect(await ids('pub/app', 'packageName: "100"')).toEqual([11, 10]);
    expect(await ids('pub/app', 'packageName: "\\\\"')).toEqual([]);
  });
});

describe('Project.packages sorts (id tie-breaker in the sort direction)', () => {
  it.each([
    ['CREATED_ASC', [16, 3, 1, 2, 7, 8, 10, 11, 12, 13, 15]],
    ['CREATED_DESC', [15, 13, 12, 11, 10, 8, 7, 2, 1, 3, 16]],
    // Byte order: '1' < '@' < 'F' < 'b' (upper case before lower case).
    ['NAME_ASC', [10, 11, 1, 12, 13, 2, 7, 16, 8, 15, 3]],
    ['NAME_DESC', [3, 15, 8, 16, 7, 2, 13, 12, 1, 11, 10]],
    ['VERSION_ASC', [8, 7, 10, 11, 15, 16, 3, 13, 2, 12, 1]],
    ['VERSION_DESC', [1, 12, 2, 13, 3, 16, 15, 11, 10, 7, 8]],
    // GitLab's integer codes: maven 1, npm 2, conan 3, nuget 4, pypi 5, generic 7.
    ['TYPE_ASC', [3, 1, 8, 12, 13, 15, 16, 2, 7, 10, 11]],
    ['TYPE_DESC', [11, 10, 7, 2, 16, 15, 13, 12, 8, 1, 3]],
  ])('%s', async (sort, expected) => {
    expect(await ids('pub/app', `sort: ${sort}`)).toEqual(expected);
  });

  it("GitLab's sorting example: name, created, version, type over three packages", async () => {
    const three = 'packageName: "o", packageType: NPM';
    expect(await ids('pub/app', `${three}, sort: NAME_ASC`)).toEqual([1, 12, 13, 8, 15]);
  });

  it('versionless packages sort last ascending and first descending', async () => {
    expect((await ids('pub/app', 'includeVersionless: true, sort: VERSION_ASC')).at(-1)).toBe(5);
    expect((await ids('pub/app', 'includeVersionless: true, sort: VERSION_DESC'))[0]).toBe(5);
  });
});

describe('Group.packages', () => {
  it('lists the packages of projects in the group and its subgroups, hiding registries switched off', async () => {
    expect(await ids('pub', '', { group: true })).toEqual([60, 20, 15, 13, 12, 11, 10, 8, 7, 2, 1, 3, 16]);
    expect(await ids('pub', 'includeSubgroups: false', { group: true })).toEqual([60, 15, 13, 12, 11, 10, 8, 7, 2, 1, 3, 16]);
  });

  it('leaves out private projects the viewer is not a reporter of', async () => {
    const anonymous = await graphql<{ group: { packages: { nodes: { id: string }[] } } }, undefined>(
      app,
      '{ group(fullPath: "pub") { packages { nodes { id } } } }',
    );
    const seen = anonymous.data!.group.packages.nodes.map((n) => Number(n.id.split('/').pop()));
    expect(seen).toEqual([20, 15, 13, 12, 11, 10, 8, 7, 2, 1, 3, 16]);
    expect(await ids('pub', '', { group: true, token: worldToken('rep') })).toContain(60);
    expect(await ids('pub', '', { group: true, token: worldToken('guest') })).not.toContain(60);
  });

  it('sorts by project path (the project slug), ids descending within a project', async () => {
    // Slugs: app (pub/app), hush (pub/hush), lib (pub/sub/lib).
    expect(await ids('pub', 'sort: PROJECT_PATH_ASC', { group: true })).toEqual([16, 15, 13, 12, 11, 10, 8, 7, 3, 2, 1, 60, 20]);
    expect(await ids('pub', 'sort: PROJECT_PATH_DESC', { group: true })).toEqual([20, 60, 16, 15, 13, 12, 11, 10, 8, 7, 3, 2, 1]);
  });

  it('pages through PROJECT_PATH sorts without repeats or gaps', async () => {
    const all = await ids('pub', 'sort: PROJECT_PATH_ASC', { group: true });
    expect(await walk('group', 'pub', 'sort: PROJECT_PATH_ASC', 4)).toEqual(all);
  });

  it('applies filters across projects', async () => {
    expect(await ids('pub', 'packageName: "lib"', { group: true })).toEqual([20, 8]);
  });
});

interface PageBody {
  packages: {
    count: number;
    nodes: { id: string }[];
    pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  };
}

async function page(root: 'project' | 'group', path: string, args: string) {
  const body = await graphql<Record<string, PageBody>, undefined>(
    app,
    `{ ${root}(fullPath: "${path}") { packages(${args}) { count nodes { id } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } }`,
    undefined,
    worldToken('root'),
  );
  expect(body.errors).toBeUndefined();
  const p = body.data![root]!.packages;
  return { ...p, ids: p.nodes.map((n) => Number(n.id.split('/').pop())) };
}

/** Walks all pages forwards with `first: size`. */
async function walk(root: 'project' | 'group', path: string, args: string, size: number): Promise<number[]> {
  const seen: number[] = [];
  let after: string | null = null;
  for (let i = 0; i < 20; i++) {
    const p = await page(root, path, `${args}, first: ${size}${after ? `, after: "${after}"` : ''}`);
    seen.push(...p.ids);
    if (!p.pageInfo.hasNextPage) break;
    after = p.pageInfo.endCursor;
  }
  return seen;
}

describe('cursor pagination', () => {
  it.each(['CREATED_DESC', 'CREATED_ASC', 'NAME_ASC', 'VERSION_DESC', 'VERSION_ASC', 'TYPE_ASC', 'TYPE_DESC'])('forwards over %s gives every row once', async (sort) => {
    const all = await ids('pub/app', `sort: ${sort}, includeVersionless: true`);
    expect(await walk('project', 'pub/app', `sort: ${sort}, includeVersionless: true`, 3)).toEqual(all);
  });

  it('backwards with last/before gives every row once, in order', async () => {
    const all = await ids('pub/app');
    const seen: number[][] = [];
    let before: string | null = null;
    for (let i = 0; i < 10; i++) {
      const p = await page('project', 'pub/app', `last: 4${before ? `, before: "${before}"` : ''}`);
      seen.unshift(p.ids);
      if (!p.pageInfo.hasPreviousPage) break;
      before = p.pageInfo.startCursor;
    }
    expect(seen.flat()).toEqual(all);
  });

  it('reports pages on both sides exactly', async () => {
    const first = await page('project', 'pub/app', 'first: 4');
    expect(first.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const second = await page('project', 'pub/app', `first: 4, after: "${first.pageInfo.endCursor}"`);
    expect(second.ids).toEqual([10, 8, 7, 2]);
    expect(second.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
    const last = await page('project', 'pub/app', `first: 4, after: "${second.pageInfo.endCursor}"`);
    expect(last.ids).toEqual([1, 3, 16]);
    expect(last.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    const back = await page('project', 'pub/app', `last: 4, before: "${second.pageInfo.startCursor}"`);
    expect(back.ids).toEqual([15, 13, 12, 11]);
    expect(back.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
  });

  it('is stable when rows are inserted between requests', async () => {
    const first = await page('project', 'pub/sub/lib', 'first: 1, sort: CREATED_ASC');
    expect(first.ids).toEqual([20]);
    const project = await db.prisma.project.findUniqueOrThrow({ where: { fullPath: 'pub/sub/lib' } });
    // Inserted before and after the cursor, and with the same created_at as the cursor row.
    const created = await db.prisma.package.createManyAndReturn({
      data: [
        { projectId: project.id, name: 'early', version: '1', packageType: 'npm', createdAt: new Date('2020-01-01T00:00:00Z') },
        { projectId: project.id, name: 'late', version: '1', packageType: 'npm', createdAt: new Date('2030-01-01T00:00:00Z') },
        { projectId: project.id, name: 'tie', version: '1', packageType: 'npm', createdAt: new Date('2024-02-01T10:00:00Z') },
      ],
    });
    const byName = Object.fromEntries(created.map((p) => [p.name, p.id]));
    const rest = await page('project', 'pub/sub/lib', `first: 10, sort: CREATED_ASC, after: "${first.pageInfo.endCursor}"`);
    expect(rest.ids).toEqual([byName.tie, byName.late]);
  });

  it('caps the page size at 100 and rejects a bad cursor with an error naming the argument', async () => {
    const bad = await graphql(app, '{ project(fullPath: "pub/app") { packages(after: "nonsense") { nodes { id } } } }');
    expect(bad.status).toBe(200);
    expect(bad.errors?.[0]?.message).toBe("Argument 'after' has an invalid cursor");
    const negative = await graphql(app, '{ project(fullPath: "pub/app") { packages(first: -1) { nodes { id } } } }');
    expect(negative.errors?.[0]?.message).toBe("Argument 'first' must be a non-negative integer");
  });

  it('rejects a cursor whose values do not fit the columns of the sort (not a database error)', async () => {
    const cursor = (values: unknown[]) => Buffer.from(JSON.stringify(values)).toString('base64url');
    const cases: [string, unknown[]][] = [
      ['CREATED_DESC', ['not a time', 1]],
      ['CREATED_DESC', ['1', 1]],
      ['CREATED_DESC', ['2024-13-45T99:00:00Z', 1]],
      ['CREATED_DESC', ['2024-01-01T00:00:00.000Z', 'one']],
      ['CREATED_DESC', ['2024-01-01T00:00:00.000Z', 1.5]],
      ['TYPE_ASC', ['not_a_type', 1]],
      ['NAME_ASC', [42, 1]],
      ['VERSION_DESC', [true, 1]],
    ];
    for (const [sort, values] of cases) {
      for (const argument of ['after', 'before']) {
        const body = await graphql(
          app,
          `{ project(fullPath: "pub/app") { packages(sort: ${sort}, ${argument}: "${cursor(values)}") { nodes { id } } } }`,
        );
        expect([sort, values, argument, body.status, body.errors?.[0]?.message]).toEqual([
          sort, values, argument, 200, `Argument '${argument}' has an invalid cursor`,
        ]);
      }
    }
    // A well-typed cursor still pages (a time in any ISO form PostgreSQL reads).
    const ok = await graphql(app, `{ project(fullPath: "pub/app") { packages(sort: CREATED_DESC, after: "${cursor(['2099-01-01T00:00:00Z', 1])}") { nodes { id } } } }`);
    expect(ok.errors).toBeUndefined();
  });
});

describe('count', () => {
  it('counts the whole filtered set, or stops at limit + 1', async () => {
    expect((await page('project', 'pub/app', 'first: 2')).count).toBe(11);
    expect((await page('project', 'pub/app', 'first: 2, status: HIDDEN')).count).toBe(2);
    const limited = await graphql<{ project: { packages: { count: number } } }, undefined>(
      app,
      '{ project(fullPath: "pub/app") { packages { count(limit: 3) } } }',
    );
    expect(limited.data!.project.packages.count).toBe(4);
    const roomy = await graphql<{ project: { packages: { count: number } } }, undefined>(
      app,
      '{ project(fullPath: "pub/app") { packages { count(limit: 50) } } }',
    );
    expect(roomy.data!.project.packages.count).toBe(11);
  });

  it('refuses negative sizes and count limits with errors naming the argument, on the list and its nested connections', async () => {
    const cases: [string, string][] = [
      ['packages(first: 2) { count(limit: -1) }', "Argument 'limit' must be a non-negative integer"],
      ['packages(first: 2) { nodes { id pipelines(first: -1) { nodes { id } } } }', "Argument 'first' must be a non-negative integer"],
      ['packages(first: 2) { nodes { id pipelines(last: -1) { nodes { id } } } }', "Argument 'last' must be a non-negative integer"],
      ['packages(first: 2) { nodes { id tags(first: -3) { nodes { name } } } }', "Argument 'first' must be a non-negative integer"],
      ['packages(first: 2) { nodes { id pipelines(first: 1) { count(limit: -2) } } }', "Argument 'limit' must be a non-negative integer"],
    ];
    for (const [selection, message] of cases) {
      const body = await graphql(app, `{ project(fullPath: "pub/app") { ${selection} } }`, undefined, worldToken('root'));
      expect([selection, body.status, body.errors?.[0]?.message]).toEqual([selection, 200, message]);
    }
    // The same list with a valid limit counts with the page.
    const ok = await graphql<{ project: { packages: { count: number } } }, never>(app, '{ project(fullPath: "pub/app") { packages(first: 2) { count(limit: 0) } } }', undefined, worldToken('root'));
    expect(ok.errors).toBeUndefined();
    expect(ok.data!.project.packages.count).toBe(1);
  });
});
