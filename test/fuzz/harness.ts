// The fuzzing harness: the REST world (test/fixtures/rest-world.json) in a fresh database, the whole app
// in-process as the server runs it (masked errors, caches emptied by change notifications, a directory
// package storage), and what the runner needs to hold each answer to the oracle (oracle.ts): the SQL
// statements each request sent, the error lines it logged, a fingerprint of every table's rows and a
// listing of the storage, to show that a refused request left both as they were.
import { mkdtempSync, readdirSync, rmSync, statSync, type Dirent } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { ChangeCaches } from '../../src/db/cache.ts';
import { defineCaches } from '../../src/domain/caches.ts';
import { openDirectoryStorage } from '../../src/domain/storage/directory.ts';
import { loadFixture } from '../../src/fixture/load.ts';
import { createLogger } from '../../src/logger.ts';
import { createApp, type App } from '../../src/server.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { countingClient } from '../rest/support.ts';

/** A generated request, as plain data (so that fast-check can print and shrink it). */
export interface FuzzRequest {
  method: string;
  /** Path and query as sent (raw: the URL parser normalizes it as Node's server does). */
  path: string;
  headers: [string, string][];
  /** A whole body, or one sent in chunks that may be cut off (the client going away). */
  body?: string | { chunks: string[]; cut?: 'ECONNRESET' | 'AbortError' };
  /** The TCP peer (only loopback may read /-/metrics). */
  client?: string;
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

/** Columns a refused request may still write, by table, and why. */
const writableColumns: Record<string, string[]> = {
  // GitLab refreshes a token's last_used_at on use (at most every 10 minutes), whatever the answer.
  personal_access_tokens: ['last_used_at'],
};
// Rate limits count every request, refused or not; _prisma_migrations is not the app's.
const skippedTables = new Set(['rate_limit_counters', '_prisma_migrations']);

export interface FuzzWorld {
  db: TestDatabase;
  app: App;
  /** Root of the package storage. */
  storageRoot: string;
  /** The SQL statements the app has sent since the last call, emptied. */
  takeStatements(): string[];
  /** Error log lines written since the last call, emptied. */
  takeErrorLogs(): string[];
  /** The app's tables (those the fingerprint covers). */
  tables: string[];
  /** Tables other tables' foreign keys point at: a DELETE there may cascade. */
  referenced: Set<string>;
  /** The rows of `tables` (default: every app table), hashed per table, in one statement. */
  fingerprint(tables?: readonly string[]): Promise<Record<string, string>>;
  close(): Promise<void>;
}

/** Largest package file the fuzzed app accepts (small, so that generated bodies cross it). */
export const maxFileBytes = 4096;

/**
 * Opens the fuzzing world: a fresh database of this project's kind with the REST world loaded, a
 * package storage in a temporary directory (in memory where /dev/shm exists: uploads fsync), and the
 * app with masked errors and caches (as in production) and a logger that keeps error lines.
 */
export async function openFuzzWorld(): Promise<FuzzWorld> {
  const db = await createTestDatabase();
  await loadFixture(db.prisma, 'test/fixtures/rest-world.json');
  const tmp = statSync('/dev/shm', { throwIfNoEntry: false })?.isDirectory() ? '/dev/shm' : os.tmpdir();
  const storageRoot = mkdtempSync(path.join(tmp, 'pgw-fuzz-'));
  const storage = await openDirectoryStorage(storageRoot);
  let errors: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      errors.push(String(chunk));
      done();
    },
  });
  const logger = createLogger('error', sink as never);
  // The app's own client records its statements: a request that sent no write cannot have changed a row.
  const counting = countingClient(db);
  // The caches between requests, emptied by the database's change notifications, as the server runs.
  const changes = new ChangeCaches();
  await changes.start(db.listen);
  const app = createApp({
    db: { prisma: counting.prisma },
    config: { publicUrl: undefined, graphiql: true, exposeErrors: false },
    logger,
    caches: defineCaches(changes),
    files: { storage, maxFileBytes },
  });

  const columns = await db.prisma.$queryRawUnsafe<{ table_name: string; column_name: string }[]>(
    `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`,
  );
  const tables = new Map<string, string[]>();
  for (const { table_name: table, column_name: column } of columns) {
    if (skippedTables.has(table) || writableColumns[table]?.includes(column)) continue;
    tables.set(table, [...(tables.get(table) ?? []), column]);
  }
  const parents = await db.prisma.$queryRawUnsafe<{ table_name: string }[]>(
    `SELECT DISTINCT ccu.table_name FROM information_schema.constraint_column_usage ccu
       JOIN information_schema.table_constraints tc ON tc.constraint_name = ccu.constraint_name AND tc.constraint_schema = ccu.constraint_schema
      WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = 'public'`,
  );
  // Per table: its row count and an md5 of all its rows (as text, sorted): any insert, update or delete shows.
  const hashOf = (table: string) =>
    `(SELECT count(*) || ':' || coalesce(md5(string_agg(r, '|' ORDER BY r)), '') FROM (SELECT ROW(${tables
      .get(table)!
      .map((c) => `"${c}"`)
      .join(', ')})::text AS r FROM "${table}") s) AS "${table}"`;
  const fingerprintSql = (names: readonly string[]) => `SELECT ${names.map(hashOf).join(', ')}`;

  return {
    db,
    app,
    storageRoot,
    takeStatements: () => counting.statements.splice(0).map((s) => s.sql),
    takeErrorLogs: () => {
      const taken = errors;
      errors = [];
      return taken;
    },
    tables: [...tables.keys()],
    referenced: new Set(parents.map((p) => p.table_name)),
    fingerprint: async (names = [...tables.keys()]) =>
      names.length === 0 ? {} : (await db.prisma.$queryRawUnsafe<Record<string, string>[]>(fingerprintSql(names)))[0]!,
    close: async () => {
      await changes.close();
      await counting.close();
      await db.close();
      rmSync(storageRoot, { recursive: true, force: true });
    },
  };
}

/**
 * Every file under the storage root, partial uploads included, one name a line. Names are enough: an
 * object's bytes never change (random keys; a put writes a new partial file and renames it into place).
 */
export function storageListing(root: string): string {
  return (readdirSync(root, { recursive: true, withFileTypes: true }) as Dirent[])
    .filter((e) => e.isFile())
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)))
    .sort()
    .join('\n');
}

/** The body of a request: a string, or a stream of its chunks that fails as a client going away. */
function bodyOf(body: FuzzRequest['body']): BodyInit | undefined {
  if (body === undefined || typeof body === 'string') return body;
  const chunks = body.chunks.map((c) => new TextEncoder().encode(c));
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = chunks.shift();
      if (next) controller.enqueue(next);
      else if (body.cut === 'ECONNRESET') controller.error(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
      else if (body.cut === 'AbortError') controller.error(new DOMException('The operation was aborted.', 'AbortError'));
      else controller.close();
    },
  });
}

/** The Request a generated request describes. */
export function toRequest(request: FuzzRequest): Request {
  const method = request.method.toUpperCase();
  const body = method === 'GET' || method === 'HEAD' ? undefined : bodyOf(request.body);
  return new Request(`http://gw.test${request.path}`, {
    method: request.method,
    headers: request.headers,
    body,
    ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
  } as RequestInit);
}

/** Sends a request and reads its whole answer; rejects when that takes longer than `timeoutMs` (a hang). */
export async function send(app: App, request: FuzzRequest, timeoutMs: number): Promise<Answer> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms (a hang)`)), timeoutMs);
  });
  try {
    return await Promise.race([
      (async () => {
        const response = await app.fetch(toRequest(request), request.client ? { address: request.client } : undefined);
        return { status: response.status, headers: response.headers, text: await response.text() };
      })(),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
