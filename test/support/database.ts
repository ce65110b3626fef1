// One fresh, migrated database per test file, in the mode this vitest project runs (TEST_DB):
// an in-memory PGlite, or a new database on the PostgreSQL server of TEST_DATABASE_URL.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database } from '../../src/db/client.ts';
import { applyMigrations } from '../../src/db/migrate.ts';
import { defaultTestDatabaseUrl } from './postgres-server.ts';

export type TestDbMode = 'pglite' | 'postgres';
export const testDbMode: TestDbMode = process.env.TEST_DB === 'postgres' ? 'postgres' : 'pglite';
/** Set by the global setup (test/support/global-setup.ts): the configured server, or an embedded one. */
export const adminUrl = process.env.TEST_DATABASE_URL || defaultTestDatabaseUrl;

export interface TestDatabase extends Database {
  /** How to reach this database from another process: the DATABASE_URL/DATA_DIR environment. */
  env: Record<string, string>;
  /** Connection string when on PostgreSQL. */
  url?: string;
}

async function withAdmin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** A new PostgreSQL database, dropped by `drop()`. */
export async function createScratchPostgres(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `pgw_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  await withAdmin((c) => c.query(`CREATE DATABASE "${name}"`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => withAdmin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => {}),
  };
}

/**
 * Opens a migrated, empty database for one test file. For PGlite, `dataDir` may name an on-disk
 * directory (to share it with a child process after closing); by default it is in memory.
 */
export async function createTestDatabase(options: { dataDir?: string; migrate?: boolean } = {}): Promise<TestDatabase> {
  if (testDbMode === 'postgres') {
    const scratch = await createScratchPostgres();
    const db = await openDatabase({ databaseUrl: scratch.url, dataDir: '', poolSize: 4 });
    if (options.migrate !== false) await applyMigrations(db.adapterFactory);
    return {
      ...db,
      url: scratch.url,
      env: { DATABASE_URL: scratch.url },
      close: async () => {
        await db.close();
        await scratch.drop();
      },
    };
  }
  const dataDir = options.dataDir ?? 'memory://';
  const db = await openDatabase({ dataDir });
  if (options.migrate !== false) await applyMigrations(db.adapterFactory);
  return { ...db, env: { DATA_DIR: dataDir } };
}

/**
 * A connection for requests that must really overlap: on PostgreSQL a second client of the test
 * database with a pool of `poolSize` connections (the test database's own has 4); on PGlite, which
 * serialises everything, the test database itself (closing it then does nothing).
 */
export async function openWideConnection(db: TestDatabase, poolSize = 20): Promise<Pick<Database, 'prisma' | 'close'>> {
  if (testDbMode !== 'postgres') return { prisma: db.prisma, close: async () => {} };
  return openDatabase({ databaseUrl: db.url!, dataDir: '', poolSize });
}
