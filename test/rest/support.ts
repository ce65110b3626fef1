// Helpers for the REST tests: an app over a database, requests under /api/v4 with exact headers and
// bodies, and a Prisma client that counts the SQL statements actually sent to the database.
import type { SqlDriverAdapter, SqlDriverAdapterFactory, SqlQuery, Transaction } from '@prisma/driver-adapter-utils';
import { PrismaClient } from '../../src/generated/prisma/client.ts';
import { createLogger } from '../../src/logger.ts';
import { createApp, type App } from '../../src/server.ts';
import type { PackageFiles } from '../../src/rest/package-files.ts';
import type { TestDatabase } from '../support/database.ts';

export const base = 'http://gw.test';

export function restApp(prisma: PrismaClient, publicUrl?: string, files?: PackageFiles): App {
  return createApp({
    db: { prisma },
    config: { publicUrl, graphiql: false, exposeErrors: true },
    logger: createLogger('silent'),
    ...(files ? { files } : {}),
  });
}

export interface RestResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed JSON body (undefined when empty). */
  body: unknown;
}

export interface RestInit {
  token?: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array<ArrayBuffer>;
}

/** A request to `/api/v4<path>` (path as sent, encoded), answered in-process. */
export async function rest(app: App, path: string, init: RestInit = {}): Promise<RestResponse> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.token) headers['PRIVATE-TOKEN'] = init.token;
  const response = await app.fetch(new Request(`${base}/api/v4${path}`, { method: init.method ?? 'GET', headers, body: init.body }));
  const text = await response.text();
  const isJson = response.headers.get('content-type')?.includes('json') ?? false;
  return { status: response.status, headers: response.headers, text, body: text === '' || !isJson ? undefined : JSON.parse(text) };
}

/** The pagination headers of a response, for exact comparison. */
export function pageHeaders(response: RestResponse): Record<string, string | null> {
  const names = ['X-Per-Page', 'X-Page', 'X-Next-Page', 'X-Prev-Page', 'X-Total', 'X-Total-Pages', 'Link'];
  return Object.fromEntries(names.map((name) => [name, response.headers.get(name)]));
}

/** The ids of a JSON array of entities. */
export const ids = (response: RestResponse) => (response.body as { id: number }[]).map((item) => item.id);

/** Wraps a driver adapter factory so that every SQL statement sent is recorded. */
function countingFactory(factory: SqlDriverAdapterFactory, log: SqlQuery[]): SqlDriverAdapterFactory {
  const record = (queryable: { queryRaw(q: SqlQuery): Promise<unknown>; executeRaw(q: SqlQuery): Promise<number> }) => ({
    queryRaw: (query: SqlQuery) => {
      log.push(query);
      return queryable.queryRaw(query);
    },
    executeRaw: (query: SqlQuery) => {
      log.push(query);
      return queryable.executeRaw(query);
    },
  });
  const wrapTransaction = (tx: Transaction): Transaction =>
    new Proxy(tx, {
      get(target, key) {
        if (key === 'queryRaw' || key === 'executeRaw') return record(target)[key];
        const value = Reflect.get(target, key);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  const wrapAdapter = (adapter: SqlDriverAdapter): SqlDriverAdapter =>
    new Proxy(adapter, {
      get(target, key) {
        if (key === 'queryRaw' || key === 'executeRaw') return record(target)[key];
        if (key === 'startTransaction') {
          return async (...args: Parameters<SqlDriverAdapter['startTransaction']>) => wrapTransaction(await target.startTransaction(...args));
        }
        const value = Reflect.get(target, key);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  return new Proxy(factory, {
    get(target, key) {
      if (key === 'connect') return async () => wrapAdapter(await target.connect());
      const value = Reflect.get(target, key);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** A second client on the test database whose SQL statements (with their arguments) are recorded. */
export function countingClient(db: TestDatabase): { prisma: PrismaClient; statements: SqlQuery[]; close(): Promise<void> } {
  const statements: SqlQuery[] = [];
  const prisma = new PrismaClient({ adapter: countingFactory(db.adapterFactory, statements) });
  return { prisma, statements, close: () => prisma.$disconnect() };
}
