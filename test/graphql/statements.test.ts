// SQL statements per request do not grow with the page size (DataLoaders and relations fetched with
// the page). Counted with a Prisma query recorder: one operation is one SQL statement (relationJoins).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFixture } from '../../src/fixture/load.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { graphql, recordingClient, testApp } from '../support/graphql.ts';

/** The ceiling we hold the packages list to, whatever the page size: token (with memberships), project,
 * page (with tags and newest pipelines with their users), count, protection rules. */
const ceiling = 5;

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  const pipelines = Array.from({ length: 5 }, (_, i) => ({
    key: `p${i}`, sha: `${i}`.repeat(40), ref: 'main', status: 'success', user: i % 2 ? 'ann' : 'bob',
  }));
  await loadFixture(db.prisma, {
    users: [
      { username: 'ann', name: 'Ann', tokens: [{ name: 't', token: 'glpat-ann-statements-0001', scopes: ['api'] }] },
      { username: 'bob', name: 'Bob' },
    ],
    groups: [{ path: 'big', visibility: 'private', members: [{ user: 'ann', access_level: 'maintainer' }] }],
    projects: [
      {
        path: 'big/registry',
        visibility: 'private',
        pipelines,
        protection_rules: [{ package_name_pattern: 'pkg-1*', package_type: 'npm', minimum_access_level_for_delete: 'owner' }],
        packages: Array.from({ length: 120 }, (_, i) => ({
          name: `pkg-${i}`,
          version: `1.0.${i}`,
          package_type: i % 3 ? 'npm' : 'maven',
          created_at: new Date(Date.UTC(2024, 0, 1, 0, i)).toISOString(),
          tags: i % 2 ? ['latest'] : [],
          pipelines: [`p${i % 5}`, `p${(i + 1) % 5}`],
        })),
      },
    ],
  });
});
afterAll(() => db.close());

const listQuery = `query($first: Int) {
  project(fullPath: "big/registry") {
    packages(first: $first) {
      count
      nodes {
        id name version
        project { fullPath }
        tags { nodes { name } }
        pipelines(first: 1) { nodes { id user { name } } }
        protectionRuleExists
        userPermissions { destroyPackage }
        _links { webPath }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
}`;

async function statementsFor(first: number) {
  const { client, log } = recordingClient(db.prisma);
  const body = await graphql<{ project: { packages: { nodes: { pipelines: { nodes: { user: { name: string } }[] } }[] } } }, { first: number }>(
    testApp(client),
    listQuery,
    { first },
    'glpat-ann-statements-0001',
  );
  expect(body.errors).toBeUndefined();
  expect(body.data!.project.packages.nodes).toHaveLength(first);
  return { log: [...log], nodes: body.data!.project.packages.nodes };
}

describe('SQL statements per request', () => {
  it('are the same for 1, 20 and 100 packages, and at most the ceiling', async () => {
    // The token's last_used_at is refreshed at most every 10 minutes: do it before measuring.
    await statementsFor(1);
    const one = await statementsFor(1);
    const twenty = await statementsFor(20);
    const hundred = await statementsFor(100);
    expect(twenty.log).toEqual(one.log);
    expect(hundred.log).toEqual(one.log);
    expect(one.log.length).toBeLessThanOrEqual(ceiling);
    console.info(`SQL statements for the packages list: ${one.log.length} (${one.log.join(', ')})`);
    // The relations really were resolved (newest pipeline first, with its user).
    expect(hundred.nodes[0]!.pipelines.nodes).toHaveLength(1);
    expect(hundred.nodes.every((n) => n.pipelines.nodes[0]!.user.name.length > 0)).toBe(true);
  });
});
