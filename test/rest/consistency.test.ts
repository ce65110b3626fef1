// E1 (and E2) answer the same packages in the same order as GraphQL's project.packages (group.packages)
// for every sort: the REST shim runs the schema's own filters and orderings.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ids, rest } from './support.ts';
import { openWorld, tokens, type World } from './world.ts';

let world: World;
beforeAll(async () => {
  world = await openWorld();
});
afterAll(() => world.db.close());

async function graphqlIds(owner: 'project' | 'group', fullPath: string, sort: string, extra = ''): Promise<number[]> {
  const query = `{ ${owner}(fullPath: "${fullPath}") { packages(sort: ${sort}, first: 100${extra}) { nodes { id } } } }`;
  const response = await world.app.fetch(
    new Request('http://gw.test/api/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'private-token': tokens.owner },
      body: JSON.stringify({ query }),
    }),
  );
  const body = (await response.json()) as { data: Record<string, { packages: { nodes: { id: string }[] } }> };
  return body.data[owner]!.packages.nodes.map((node) => Number(node.id.split('/').pop()));
}

async function restIds(path: string, query: string, perPage = 100): Promise<number[]> {
  const all: number[] = [];
  for (let page = 1; ; page++) {
    const response = await rest(world.app, `${path}?${query}&per_page=${perPage}&page=${page}`, { token: tokens.owner });
    expect(response.status).toBe(200);
    all.push(...ids(response));
    if (response.headers.get('x-next-page') === '') return all;
  }
}

const sorts = ['created_at', 'name', 'version', 'type'].flatMap((orderBy) => ['asc', 'desc'].map((sort) => [orderBy, sort] as const));
const graphqlSort = (orderBy: string, sort: string) =>
  `${{ created_at: 'CREATED', name: 'NAME', version: 'VERSION', type: 'TYPE', project_path: 'PROJECT_PATH' }[orderBy]}_${sort.toUpperCase()}`;

describe('E1 and GraphQL project.packages', () => {
  it.each(sorts)('order_by=%s sort=%s: the same ids in the same order (also paged by 3)', async (orderBy, sort) => {
    const expected = await graphqlIds('project', 'acme/platform/api', graphqlSort(orderBy, sort));
    expect(expected.length).toBe(8);
    expect(await restIds('/projects/40/packages', `order_by=${orderBy}&sort=${sort}`)).toEqual(expected);
    expect(await restIds('/projects/40/packages', `order_by=${orderBy}&sort=${sort}`, 3)).toEqual(expected);
  });

  it.each(sorts)('with versionless and every status of a type, order_by=%s sort=%s', async (orderBy, sort) => {
    const expected = await graphqlIds('project', 'acme/platform/api', graphqlSort(orderBy, sort), ', includeVersionless: true, status: DEFAULT');
    expect(expected).toContain(1007);
    expect(await restIds('/projects/40/packages', `order_by=${orderBy}&sort=${sort}&include_versionless=1&status=default`)).toEqual(expected);
  });
});

describe('E2 and GraphQL group.packages', () => {
  it.each([...sorts, ['project_path', 'asc'] as const, ['project_path', 'desc'] as const])(
    'order_by=%s sort=%s: the same ids in the same order',
    async (orderBy, sort) => {
      const expected = await graphqlIds('group', 'acme', graphqlSort(orderBy, sort));
      expect(expected.length).toBe(9);
      expect(await restIds('/groups/acme/packages', `order_by=${orderBy}&sort=${sort}`)).toEqual(expected);
    },
  );
});
