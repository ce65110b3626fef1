import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyMigrations,
  createMigration,
  diffMigrationsToSchema,
  migrationsDir,
  pendingMigrationNames,
  readMigrations,
} from '../../src/db/migrate.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

describe('migrations', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
  });
  afterAll(() => db.close());

  it('apply from empty, are recorded as Prisma does, and applying again is a no-op', async () => {
    const all = readMigrations().migrationDirectories.map((m) => m.path);
    expect(all.length).toBeGreaterThan(0);
    expect(await pendingMigrationNames(db.prisma)).toEqual(all);

    expect(await applyMigrations(db.adapterFactory)).toEqual(all);
    const rows = await db.prisma.$queryRawUnsafe<{ migration_name: string; checksum: string; applied_steps_count: number }[]>(
      'SELECT migration_name, checksum, applied_steps_count FROM _prisma_migrations ORDER BY migration_name',
    );
    expect(rows.map((r) => r.migration_name)).toEqual(all);
    for (const row of rows) {
      expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
      expect(row.applied_steps_count).toBe(1);
    }
    expect(await pendingMigrationNames(db.prisma)).toEqual([]);

    expect(await applyMigrations(db.adapterFactory)).toEqual([]);
    const again = await db.prisma.$queryRawUnsafe<{ n: bigint }[]>('SELECT count(*) AS n FROM _prisma_migrations');
    expect(Number(again[0]!.n)).toBe(all.length);
    // The schema is really there.
    expect(await db.prisma.package.count()).toBe(0);
  });

  it('sorts package names in byte order in every database', async () => {
    const rows = await db.prisma.$queryRawUnsafe<{ v: string }[]>(
      `SELECT v FROM (VALUES ('b'), ('B'), ('a'), ('_')) AS t(v) ORDER BY v COLLATE "C"`,
    );
    const columns = await db.prisma.$queryRawUnsafe<{ collation_name: string | null }[]>(
      `SELECT collation_name FROM information_schema.columns WHERE table_name = 'packages_packages' AND column_name IN ('name', 'version')`,
    );
    expect(rows.map((r) => r.v)).toEqual(['B', '_', 'a', 'b']);
    expect(columns.map((c) => c.collation_name)).toEqual(['C', 'C']);
  });
});

describe('the migrations folder', () => {
  it('matches schema.prisma (the engine finds nothing to migrate)', async () => {
    expect(await diffMigrationsToSchema()).toBeNull();
  });

  it('a new migration is written from the schema diff, in Prisma folder format', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pgw-migrations-'));
    try {
      const folder = await createMigration('init', dir, new Date('2030-01-02T03:04:05Z'));
      expect(folder).toBe(path.join(dir, '20300102030405_init'));
      const list = readMigrations(dir);
      expect(list.lockfile.content).toContain('provider = "postgresql"');
      const sql = (list.migrationDirectories[0]!.migrationFile.content as { value: string }).value;
      expect(sql).toContain('CREATE TABLE "packages_packages"');
      // Nothing left to create once that migration exists.
      expect(await createMigration('again', dir)).toBeNull();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(migrationsDir).toMatch(/prisma[/\\]migrations$/);
  });
});
