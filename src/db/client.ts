import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlDriverAdapterFactory, SqlMigrationAwareDriverAdapterFactory, SqlQueryable } from '@prisma/driver-adapter-utils';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { PrismaClient } from '../generated/prisma/client.ts';
import { listenPGlite, listenPostgres, type Listen } from './change-feed.ts';
import { lockDataDir } from './data-dir-lock.ts';

export type { PrismaClient };

export interface DatabaseOptions {
  /** PostgreSQL connection string; absent means embedded PGlite in `dataDir`. */
  databaseUrl?: string | undefined;
  /** PGlite data directory; `memory://` for a throwaway in-memory database. */
  dataDir: string;
  /** Pool size for PostgreSQL. */
  poolSize?: number;
  /**
   * PostgreSQL's `statement_timeout` for the pool's connections, in milliseconds: a statement running
   * longer is cancelled by the server (SQLSTATE 57014, see unavailable.ts). Absent or 0: none.
   */
  statementTimeoutMs?: number;
}

/**
 * How long getting a connection from the pool may take, in milliseconds: opening one to a server that
 * does not answer, or waiting for a busy pool to free one. After it the statement fails (a 503).
 */
export const connectTimeoutMs = 5_000;

/** An open database: the Prisma client plus what migrations need. Nothing else knows the mode. */
export interface Database {
  prisma: PrismaClient;
  /** The driver adapter factory, for the in-process schema engine (migrations). */
  adapterFactory: SqlMigrationAwareDriverAdapterFactory;
  /** Human-readable location for logs (no credentials). */
  describe: string;
  /**
   * Calls `listener` after every SQL statement the Prisma client sends through the driver adapter
   * (`queryRaw`/`executeRaw`, failed ones too) with its duration in milliseconds. Migrations (which use
   * `adapterFactory`) are not observed. Returns a function that removes the listener.
   */
  observeQueries(listener: (durationMs: number) => void): () => void;
  /** The PostgreSQL pool's connection counts; absent for PGlite (one in-process connection, no pool). */
  poolStats?(): PoolStats;
  /** Listens for change notifications (see change-feed.ts), for caches. */
  listen: Listen;
  /** Listens on another channel (a plain identifier), over a connection of its own. */
  listenTo(channel: string): Listen;
  close(): Promise<void>;
}

/** Connection counts of a pool, sampled when called. */
export interface PoolStats {
  /** Open connections, idle or in use. */
  total: number;
  idle: number;
  /** Callers waiting for a connection. */
  waiting: number;
}

type QueryListener = (durationMs: number) => void;

/** Wraps a queryable so each `queryRaw`/`executeRaw` reports its duration; transactions are wrapped too. */
function observeQueryable<T extends SqlQueryable>(target: T, listeners: Set<QueryListener>): T {
  return new Proxy(target, {
    get(object, property) {
      const value: unknown = Reflect.get(object, property, object);
      if (typeof value !== 'function') return value;
      if (property === 'queryRaw' || property === 'executeRaw') {
        return async (...args: unknown[]) => {
          const started = performance.now();
          try {
            return await value.apply(object, args);
          } finally {
            const ms = performance.now() - started;
            for (const listener of listeners) listener(ms);
          }
        };
      }
      if (property === 'startTransaction') {
        return async (...args: unknown[]) => observeQueryable(await value.apply(object, args), listeners);
      }
      return value.bind(object);
    },
  });
}

/** The adapter factory the Prisma client uses: the given one, with every connection it makes observed. */
function observeFactory(factory: SqlDriverAdapterFactory, listeners: Set<QueryListener>): SqlDriverAdapterFactory {
  return new Proxy(factory, {
    get(object, property) {
      const value: unknown = Reflect.get(object, property, object);
      if (property === 'connect') return async () => observeQueryable(await factory.connect(), listeners);
      return typeof value === 'function' ? value.bind(object) : value;
    },
  });
}

function queryObservers() {
  const listeners = new Set<QueryListener>();
  return {
    listeners,
    observeQueries(listener: QueryListener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
}

/**
 * A PGlite database with the extensions the migrations create (`pg_trgm`, for the name search's
 * trigram index), which PGlite ships but loads only when asked. `dataDir` absent: in memory.
 */
export function createPGlite(dataDir?: string): Promise<PGlite> {
  return PGlite.create(dataDir, { extensions: { pg_trgm } });
}

/** How many distinct statements each PostgreSQL connection keeps prepared, at most. */
export const maxPreparedStatements = 1_000;

/**
 * Names the client's statements so that each connection parses and plans a statement's text once and
 * then only binds and executes it (PostgreSQL's extended protocol; node-postgres keeps the names per
 * connection). The name is a digest of the text, so equal texts share it; past `maxPreparedStatements`
 * distinct texts, new ones go unnamed ('': parsed each time), which bounds what a connection holds. Needs a
 * direct connection or PgBouncer 1.21+ with `max_prepared_statements` set.
 */
export function preparedStatementNames(): (query: { sql: string }) => string {
  const names = new Map<string, string>();
  return ({ sql }) => {
    let name = names.get(sql);
    if (name === undefined && names.size < maxPreparedStatements) {
      name = `pgw_${createHash('sha1').update(sql).digest('base64url')}`;
      names.set(sql, name);
    }
    return name ?? ''; // node-postgres sends a statement without a name ('') unnamed
  };
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const { listeners, observeQueries } = queryObservers();
  if (options.databaseUrl) {
    // Our own pool (the adapter accepts one), so its counts can be read; the adapter leaves it open
    // on dispose, `close` ends it. Migrations and the client share it.
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: connectTimeoutMs,
      // Sent at connection start-up, so it holds for every statement on the connection.
      ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
    });
    // As the adapter does for its own pools: an idle connection's error (a server restart) must not
    // crash the process; the next statement reports it.
    pool.on('error', () => {});
    const adapterFactory = new PrismaPg(pool);
    const clientFactory = new PrismaPg(pool, { statementNameGenerator: preparedStatementNames() });
    const prisma = new PrismaClient({ adapter: observeFactory(clientFactory, listeners) });
    const url = new URL(options.databaseUrl);
    return {
      prisma,
      adapterFactory,
      describe: `postgresql://${url.host}${url.pathname}`,
      observeQueries,
      poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
      listen: listenPostgres(options.databaseUrl),
      listenTo: (channel) => listenPostgres(options.databaseUrl!, 500, channel),
      close: async () => {
        await prisma.$disconnect();
        if (!pool.ended) await pool.end();
      },
    };
  }
  const onDisk = !options.dataDir.startsWith('memory://');
  if (onDisk) mkdirSync(options.dataDir, { recursive: true });
  const unlock = onDisk ? lockDataDir(options.dataDir) : () => {};
  let pglite: PGlite;
  try {
    pglite = await createPGlite(options.dataDir);
  } catch (error) {
    unlock();
    throw error;
  }
  const adapterFactory = new PrismaPGlite(pglite);
  const prisma = new PrismaClient({ adapter: observeFactory(adapterFactory, listeners) });
  return {
    prisma,
    adapterFactory,
    describe: `pglite:${options.dataDir}`,
    observeQueries,
    listen: listenPGlite(pglite),
    listenTo: (channel) => listenPGlite(pglite, channel),
    close: async () => {
      await prisma.$disconnect();
      if (!pglite.closed) await pglite.close();
      unlock();
    },
  };
}
