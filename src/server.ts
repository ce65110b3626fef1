// One HTTP server: GraphQL at /api/graphql (GraphiQL on GET), the GitLab REST shim at /api/v4,
// health at /-/health and /-/readiness. `createApp` is the whole app as a fetch handler, for the
// server and the tests alike.
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServerAdapter } from '@whatwg-node/server';
import { createYoga } from 'graphql-yoga';
import type { Config } from './config.ts';
import { openDatabase, type Database } from './db/client.ts';
import { isDatabaseEmpty, loadFixture, formatSummary } from './db/fixture.ts';
import { applyMigrations, pendingMigrationNames } from './db/migrate.ts';
import { authenticate, canWrite, type Viewer } from './domain/viewer.ts';
import { createContext } from './graphql/context.ts';
import { graphqlPlugins } from './graphql/limits.ts';
import { schema } from './graphql/schema.ts';
import type { Logger } from './logger.ts';
import { handleRest, hasUnsupportedCredential, restPrefix } from './rest/router.ts';
import { demoFixturePath } from './db/seed.ts';

export interface AppOptions {
  db: Pick<Database, 'prisma'>;
  config: Pick<Config, 'publicUrl' | 'graphiql' | 'exposeErrors'>;
  logger: Logger;
}

export interface App {
  fetch(request: Request): Promise<Response>;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });

/** The token of a request: `PRIVATE-TOKEN` header, `Authorization: Bearer`, or `private_token` parameter. */
export function tokenFromRequest(request: Request, url: URL): string | undefined {
  const header = request.headers.get('private-token')?.trim();
  if (header) return header;
  const bearer = request.headers.get('authorization')?.match(/^Bearer\s+(.+)$/i)?.[1]?.trim();
  if (bearer) return bearer;
  return url.searchParams.get('private_token') || undefined;
}

export function createApp({ db, config, logger }: AppOptions): App {
  const { prisma } = db;
  const yoga = createYoga<{ viewer: Viewer; baseUrl: string }>({
    schema,
    graphqlEndpoint: '/api/graphql',
    graphiql: config.graphiql ? { title: 'packages-gateway' } : false,
    landingPage: false,
    maskedErrors: config.exposeErrors ? { isDev: true } : true,
    logging: logger,
    plugins: graphqlPlugins(),
    context: ({ viewer, baseUrl }) => createContext({ prisma, viewer, baseUrl }),
  });

  const readiness = async () => {
    try {
      await prisma.$queryRawUnsafe('SELECT 1');
      const pending = await pendingMigrationNames(prisma as never);
      if (pending.length > 0) return json(503, { status: 'unavailable', reason: `pending migrations: ${pending.join(', ')}` });
      return json(200, { status: 'ok' });
    } catch (error) {
      logger.warn({ err: error }, 'readiness check failed');
      return json(503, { status: 'unavailable', reason: 'database unreachable' });
    }
  };

  const route = async (request: Request, url: URL): Promise<Response> => {
    const path = url.pathname;
    if (path === '/-/health') return json(200, { status: 'ok' });
    if (path === '/-/readiness') return readiness();
    const baseUrl = config.publicUrl ?? url.origin;
    if (path === '/api/graphql' || path.startsWith('/api/graphql/')) {
      const auth = await authenticate(prisma, tokenFromRequest(request, url));
      if (!auth.ok) return json(401, { errors: [{ message: 'Invalid token' }] });
      return yoga.fetch(request, { viewer: auth.viewer, baseUrl });
    }
    if (path === restPrefix || path.startsWith(`${restPrefix}/`)) {
      const auth = await authenticate(prisma, tokenFromRequest(request, url));
      if (!auth.ok || hasUnsupportedCredential(request, url)) return json(401, { message: '401 Unauthorized' });
      return handleRest(request, url, { prisma, viewer: auth.viewer, canWrite: canWrite(auth.viewer), baseUrl });
    }
    return json(404, { error: '404 Not Found' });
  };

  return {
    async fetch(request) {
      const requestId = request.headers.get('x-request-id') || randomUUID();
      const started = performance.now();
      const url = new URL(request.url);
      let response: Response;
      try {
        response = await route(request, url);
      } catch (error) {
        logger.error({ err: error, requestId }, 'unhandled error');
        response = json(500, { message: '500 Internal Server Error' });
      }
      response.headers.set('x-request-id', requestId);
      logger.info(
        { requestId, method: request.method, path: url.pathname, status: response.status, ms: Math.round(performance.now() - started) },
        'request',
      );
      return response;
    },
  };
}

/** Serves an app over HTTP; resolves once listening. */
export async function listen(app: App, port: number, host: string): Promise<{ server: Server; url: string }> {
  const server = createServer(createServerAdapter((request: Request) => app.fetch(request)));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${shown === '0.0.0.0' ? '127.0.0.1' : shown === '[::]' ? '[::1]' : shown}:${address.port}`;
  return { server, url };
}

/** Stops accepting connections and waits for open ones to finish. */
export function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}

export interface RunningServer {
  url: string;
  server: Server;
  db: Database;
  close(): Promise<void>;
}

/** Opens the database, applies pending migrations, loads the demo data into an empty database, and listens. */
export async function startServer(config: Config, logger: Logger): Promise<RunningServer> {
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const applied = await applyMigrations(db.adapterFactory);
    if (applied.length > 0) logger.info({ applied }, 'applied migrations');
    if (config.seedDemo && (await isDatabaseEmpty(db.prisma))) {
      const summary = await loadFixture(db.prisma, demoFixturePath);
      logger.info(`demo data: ${formatSummary(summary)}`);
    }
  } catch (error) {
    await db.close();
    throw error;
  }
  const app = createApp({ db, config, logger });
  const { server, url } = await listen(app, config.port, config.host);
  logger.info({ url, database: db.describe }, 'listening');
  let closing: Promise<void> | undefined;
  return {
    url,
    server,
    db,
    close: () =>
      (closing ??= (async () => {
        await closeServer(server);
        await db.close();
      })()),
  };
}
