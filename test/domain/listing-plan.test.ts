// The indexes made for the listings are the ones PostgreSQL can use for the statements the finder sends:
// the partial indexes of the default listing (their predicate is implied by the finder's literal
// conditions), and the trigram index for the name search. Plans, not timings: each statement the
// finder sent is EXPLAINed with sequential scans priced out, so a plan naming another index (or none)
// means the index cannot serve that statement.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPackagesPage, type PackageListing } from '../../src/domain/packages.ts';
import { loadFixture } from '../../src/fixture/load.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { countingClient } from '../rest/support.ts';

let db: TestDatabase;
let projectIds: number[];
beforeAll(async () => {
  db = await createTestDatabase();
  const packages = (prefix: string) =>
    Array.from({ length: 300 }, (_, i) => ({
      name: `${prefix}-${['audit', 'billing', 'cache'][i % 3]}-${i}`,
      version: i % 10 === 0 ? null : `1.0.${i}`,
      package_type: i % 50 === 0 ? 'terraform_module' : 'npm',
      status: i % 7 === 0 ? 'hidden' : 'default',
      created_at: new Date(Date.UTC(2024, 0, 1, 0, i)).toISOString(),
    }));
  await loadFixture(db.prisma, {
    groups: [{ path: 'org', visibility: 'public' }],
    projects: [
      { path: 'org/one', visibility: 'public', packages: packages('one') },
      { path: 'org/two', visibility: 'public', packages: packages('two') },
    ],
  });
  projectIds = (await db.prisma.project.findMany({ orderBy: { id: 'asc' }, select: { id: true } })).map((p) => p.id);
  await db.prisma.$executeRawUnsafe('ANALYZE');
});
afterAll(() => db.close());

/** The indexes in the plan of the page statement `findPackagesPage` sends for `listing`. */
async function indexesUsed(listing: PackageListing, options: { only?: string } = {}): Promise<string[]> {
  const counting = countingClient(db);
  try {
    await findPackagesPage(counting.prisma, listing, { first: 20 }, { tags: true }, { limit: null });
    const statement = counting.statements.find((s) => s.sql.startsWith('WITH page AS'));
    expect(statement).toBeDefined();
    // In a transaction that is rolled back: with `only`, the other indexes of the table are dropped first.
    const rollback = new Error('rollback');
    let plan: unknown;
    await db.prisma
      .$transaction(async (tx) => {
        await tx.$executeRawUnsafe('SET LOCAL enable_seqscan = off');
        if (options.only) {
          const others = await tx.$queryRawUnsafe<{ name: string }[]>(
            `SELECT indexname AS name FROM pg_indexes WHERE tablename = 'packages_packages' AND indexname NOT IN ($1, 'packages_packages_pkey')`,
            options.only,
          );
          for (const { name } of others) await tx.$executeRawUnsafe(`DROP INDEX "${name}"`);
        }
        plan = await tx.$queryRawUnsafe(`EXPLAIN (FORMAT JSON) ${statement!.sql}`, ...statement!.args);
        throw rollback;
      })
      .catch((error: unknown) => {
        if (error !== rollback) throw error;
      });
    return [...JSON.stringify(plan).matchAll(/"Index Name":\s*"([^"]+)"/g)].map((m) => m[1]!);
  } finally {
    await counting.close();
  }
}

const sorted = (key: PackageListing['sort']['key'], direction: 'asc' | 'desc' = 'desc'): PackageListing['sort'] => ({ key, direction });

describe('the listing statements can use the indexes made for them', () => {
  it("a project's default listing: a partial index of the default listing, for the page and the count", async () => {
    for (const key of ['created_at', 'name', 'version', 'type'] as const) {
      const used = await indexesUsed({ projectIds: [projectIds[0]!], filters: {}, sort: sorted(key) });
      expect([key, used.filter((name) => name.startsWith('packages_listed_')).length]).toEqual([key, 2]);
    }
  });

  it("a group's default listing: the partial index of its sort across projects", async () => {
    const used = await indexesUsed({ projectIds, filters: {}, sort: sorted('created_at') });
    expect(used.some((name) => name.startsWith('packages_listed_'))).toBe(true);
  });

  it('a name search: the trigram index', async () => {
    // On this little data the listing's own index may win; without it, the search must still find its
    // rows through the trigram index, not by reading the table.
    const used = await indexesUsed({ projectIds, filters: { name: 'audit-27' }, sort: sorted('created_at') }, { only: 'packages_name_trgm_idx' });
    expect(used).toContain('packages_name_trgm_idx');
  });

  it('an explicit status is not the default listing: the (project, status) index', async () => {
    const used = await indexesUsed({ projectIds: [projectIds[0]!], filters: { status: 'hidden' }, sort: sorted('created_at') });
    expect(used).toContain('packages_packages_project_id_status_created_at_id_idx');
    expect(used.some((name) => name.startsWith('packages_listed_'))).toBe(false);
  });
});
