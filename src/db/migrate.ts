// Prisma's schema engine, run in-process as WebAssembly over our driver adapter, so migrations need
// no native binary. The migrations folder keeps Prisma's format, so `prisma migrate deploy` accepts
// the same folder and the same database.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';
import * as engineBindings from '@prisma/schema-engine-wasm/schema_engine_bg';
import type { MigrationList, SchemaEngine } from '@prisma/schema-engine-wasm/schema_engine_bg';
import { postgreSplitterOptions, splitQuery } from 'dbgate-query-splitter';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { projectRoot } from '../root.ts';
import { createPGlite } from './client.ts';

const root = projectRoot;
export const schemaPath = path.join(root, 'prisma/schema.prisma');
export const migrationsDir = path.join(root, 'prisma/migrations');

const noFilter = { externalTables: [], externalEnums: [] };
const emptyMigrationMarker = '-- This is an empty migration.';

let wasmReady: Promise<void> | undefined;

/** Node 20 cannot import .wasm: instantiate the engine's module by hand, once per process. */
function loadEngineWasm(): Promise<void> {
  wasmReady ??= (async () => {
    const require = createRequire(import.meta.url);
    const bindingsFile = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
    const bytes = readFileSync(path.join(path.dirname(bindingsFile), 'schema_engine_bg.wasm'));
    const { instance } = await WebAssembly.instantiate(bytes, {
      './schema_engine_bg.js': engineBindings as unknown as WebAssembly.ModuleImports,
    });
    const exports = instance.exports as WebAssembly.Exports & { __wbindgen_start(): void };
    (engineBindings as unknown as { __wbg_set_wasm(e: unknown): void }).__wbg_set_wasm(exports);
    exports.__wbindgen_start();
  })();
  return wasmReady;
}

/**
 * The adapter with `executeScript` sending one statement at a time, split where PostgreSQL would end
 * them (dbgate-query-splitter: quotes, comments, `$$` bodies). @prisma/adapter-pg splits a script at
 * every `;`, which cuts a function body in pieces. PGlite's adapter runs a script whole: left as is.
 */
function wholeStatements(adapter: SqlDriverAdapter): SqlDriverAdapter {
  if (adapter.adapterName !== '@prisma/adapter-pg') return adapter;
  return new Proxy(adapter, {
    get(target, property) {
      if (property === 'executeScript') {
        return async (script: string) => {
          for (const item of splitQuery(script, postgreSplitterOptions)) {
            const sql = typeof item === 'string' ? item : item.text;
            await target.executeRaw({ sql, args: [], argTypes: [] });
          }
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

async function withEngine<T>(
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
  run: (engine: SchemaEngine) => Promise<T>,
): Promise<T> {
  await loadEngineWasm();
  const schema = readFileSync(schemaPath, 'utf8');
  // The engine opens its own connections (a pool, on PostgreSQL) and never closes them: track them
  // and dispose of them when done, or the process lingers until the pool's idle timeout.
  const opened: SqlDriverAdapter[] = [];
  const track = async (connect: Promise<SqlDriverAdapter>) => {
    const adapter = wholeStatements(await connect);
    opened.push(adapter);
    return adapter;
  };
  const tracked: SqlMigrationAwareDriverAdapterFactory = {
    provider: adapterFactory.provider,
    adapterName: adapterFactory.adapterName,
    connect: () => track(adapterFactory.connect()),
    connectToShadowDb: () => track(adapterFactory.connectToShadowDb()),
  };
  const engine = await engineBindings.SchemaEngine.new(
    { datamodels: [[schemaPath, schema]] },
    () => {},
    bindMigrationAwareSqlAdapterFactory(tracked),
  );
  try {
    return await run(engine);
  } finally {
    engine.free();
    await Promise.all(opened.map((adapter) => adapter.dispose()));
  }
}

/** The migrations folder as the engine wants it (what the Prisma CLI reads off disk). */
export function readMigrations(dir = migrationsDir): MigrationList {
  const lockPath = path.join(dir, 'migration_lock.toml');
  const names = existsSync(dir)
    ? readdirSync(dir, { withFileTypes: true })
        .filter((e) => e.isDirectory() && existsSync(path.join(dir, e.name, 'migration.sql')))
        .map((e) => e.name)
        .sort()
    : [];
  return {
    baseDir: dir,
    lockfile: {
      path: 'migration_lock.toml',
      content: existsSync(lockPath) ? readFileSync(lockPath, 'utf8') : null,
    },
    shadowDbInitScript: '',
    migrationDirectories: names.map((name) => ({
      path: name,
      migrationFile: {
        path: 'migration.sql',
        content: { tag: 'ok', value: readFileSync(path.join(dir, name, 'migration.sql'), 'utf8') },
      },
    })),
  } as MigrationList;
}

/** Applies pending migrations (what `prisma migrate deploy` does); returns the names applied. */
export async function applyMigrations(
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
  dir = migrationsDir,
): Promise<string[]> {
  const migrationsList = readMigrations(dir);
  return withEngine(adapterFactory, async (engine) => {
    const out = await engine.applyMigrations({ migrationsList, filters: noFilter });
    return out.appliedMigrationNames;
  });
}

/** Names of migrations in the folder that the database has not finished applying. */
export async function pendingMigrationNames(prisma: PrismaClient, dir = migrationsDir): Promise<string[]> {
  const wanted = readMigrations(dir).migrationDirectories.map((m) => m.path);
  let applied: Set<string>;
  try {
    const rows = await prisma.$queryRawUnsafe<{ migration_name: string }[]>(
      'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
    );
    applied = new Set(rows.map((r) => r.migration_name));
  } catch (error) {
    // No bookkeeping table yet: nothing is applied.
    if (/_prisma_migrations/.test(String(error))) applied = new Set();
    else throw error;
  }
  return wanted.filter((name) => !applied.has(name));
}

/**
 * SQL that takes a database migrated with the folder to `schema.prisma`: the migrations are replayed
 * on a scratch in-memory PGlite and the engine diffs that database against the schema. An empty
 * result means the folder and the schema agree.
 */
export async function diffMigrationsToSchema(dir = migrationsDir): Promise<string | null> {
  const scratch = await createPGlite();
  try {
    const factory = new PrismaPGlite(scratch);
    await applyMigrations(factory, dir);
    const schema = readFileSync(schemaPath, 'utf8');
    const result = await withEngine(factory, (engine) =>
      engine.diff({
        from: { tag: 'schemaDatasource', files: [{ path: schemaPath, content: schema }], configDir: root },
        to: { tag: 'schemaDatamodel', files: [{ path: schemaPath, content: schema }] },
        script: true,
        exitCode: null,
        filters: noFilter,
      } as Parameters<SchemaEngine['diff']>[0]),
    );
    const sql = (result as unknown as { stdout?: string }).stdout ?? '';
    return sql.trim() === '' || sql.includes(emptyMigrationMarker) ? null : sql;
  } finally {
    await scratch.close();
  }
}

/** Writes a new migration from the schema diff (`prisma migrate dev --create-only`); null when none is needed. */
export async function createMigration(name: string, dir = migrationsDir, now = new Date()): Promise<string | null> {
  if (!/^[a-z0-9_]+$/i.test(name)) throw new Error(`migration name "${name}" may use only letters, digits and _`);
  const sql = await diffMigrationsToSchema(dir);
  if (sql === null) return null;
  const stamp = now.toISOString().replace(/\D/g, '').slice(0, 14);
  const folder = path.join(dir, `${stamp}_${name}`);
  mkdirSync(folder, { recursive: true });
  writeFileSync(path.join(folder, 'migration.sql'), sql.endsWith('\n') ? sql : `${sql}\n`);
  const lock = path.join(dir, 'migration_lock.toml');
  if (!existsSync(lock)) {
    writeFileSync(
      lock,
      '# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = "postgresql"\n',
    );
  }
  return folder;
}
