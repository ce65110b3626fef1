// The names under which the PostgreSQL client prepares its statements (node-postgres then parses and
// plans each text once per connection).
import { describe, expect, it } from 'vitest';
import { maxPreparedStatements, openDatabase, preparedStatementNames } from '../../src/db/client.ts';
import { createScratchPostgres, testDbMode } from '../support/database.ts';

describe('prepared statement names', () => {
  it('one name per statement text, the same for the same text, distinct for distinct texts', () => {
    const nameOf = preparedStatementNames();
    const a = nameOf({ sql: 'SELECT 1' });
    expect(a).toMatch(/^pgw_[\w-]+$/);
    expect(nameOf({ sql: 'SELECT 1' })).toBe(a);
    expect(nameOf({ sql: 'SELECT 2' })).not.toBe(a);
    // Another client (another process) names the same text the same way.
    expect(preparedStatementNames()({ sql: 'SELECT 1' })).toBe(a);
  });

  it(`past ${maxPreparedStatements} distinct texts, new ones go unnamed; named ones keep their names`, () => {
    const nameOf = preparedStatementNames();
    const first = nameOf({ sql: 'SELECT 0' });
    for (let i = 1; i < maxPreparedStatements; i++) expect(nameOf({ sql: `SELECT ${i}` })).not.toBe('');
    expect(nameOf({ sql: 'SELECT -1' })).toBe('');
    expect(nameOf({ sql: 'SELECT 0' })).toBe(first);
  });
});

describe.runIf(testDbMode === 'postgres')('prepared statements on PostgreSQL', () => {
  it("the client's statements are prepared on the connection under their names, once", async () => {
    const scratch = await createScratchPostgres();
    // One connection, so the session that prepared is the session asked.
    const db = await openDatabase({ databaseUrl: scratch.url, dataDir: '', poolSize: 1 });
    try {
      for (let i = 0; i < 3; i++) expect(await db.prisma.$queryRaw<{ n: number }[]>`SELECT ${i}::int AS n`).toEqual([{ n: i }]);
      const prepared = await db.prisma.$queryRaw<{ name: string; statement: string }[]>`SELECT name, statement FROM pg_prepared_statements`;
      const ours = prepared.filter((p) => p.statement.includes('::int AS n'));
      expect(ours).toHaveLength(1);
      expect(ours[0]!.name).toBe(preparedStatementNames()({ sql: ours[0]!.statement }));
    } finally {
      await db.close();
      await scratch.drop();
    }
  });
});
