// One HTTP server: GraphQL at /api/graphql (GraphiQL on GET), the GitLab REST shim at /api/v4 (with
// the generic and npm package registries), package file downloads at /<project>/-/package_files/<id>/download,
// health at /-/health and /-/readiness, Prometheus metrics at /-/metrics. `createApp` is the whole
// app as a fetch handler, for the server and the tests alike.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import { createServerAdapter } from '@whatwg-node/server';
import { createYoga } from 'graphql-yoga';
import type { Config, HttpSettings } from './config.ts';
import { openDatabase, type Database } from './db/client.ts';
import { isDatabaseEmpty, loadFixture, formatSummary } from './fixture/load.ts';
import { applyMigrations, pendingMigrationNames } from './db/migrate.ts';
import { ChangeCaches } from './db/cache.ts';
import { defineCaches, noCaches, type DomainCaches } from './domain/caches.ts';
import { restoreWindowSeconds } from './domain/restore.ts';
import { authenticateSession } from './domain/sessions.ts';
import { PackageEventHub, packageEventsChannel } from './graphql/package-events.ts';
import { serveWebInterface } from './web-ui.ts';
import { clearSessionCookie, csrfHeader, isSignInRequest, mayUseSessionCookie, serveSignIn, sessionSecretFromRequest } from './sign-in.ts';
import { anonymous, authenticate, canWrite, type Viewer } from './domain/viewer.ts';
import { auditEventEntity } from './domain/audit.ts';
import { createContext, type AuditSink } from './graphql/context.ts';
import { errorMasking } from './graphql/errors.ts';
import { jsonWhateverAccepted } from './graphql/accept.ts';
import { graphiqlOptions, renderOfflineGraphiQL } from './graphql/graphiql.ts';
import { compiledExecution } from './graphql/execution.ts';
import { graphqlPlugins, limits } from './graphql/limits.ts';
import { isDatabaseUnavailable } from './db/unavailable.ts';
import { json, withBoundedBody, withJsonErrorBody } from './http.ts';
import { acceptHandedConnections, createHttpServer, drainServer, listeningUrl } from './http-server.ts';
import { schema } from './graphql/schema.ts';
import type { Logger } from './logger.ts';
import { createMetrics, metricsPath } from './metrics.ts';
import { serveApiDocs } from './rest/docs.ts';
import { handleRest, hasUnsupportedCredential, restPrefix } from './rest/router.ts';
import { matchProtocolRoute } from './rest/protocols.ts';
import { matchPackageFileDownload, servePackageFileDownload } from './rest/package-file-download.ts';
import { demoFixturePath } from './db/seed.ts';
import { startCleanupLoop } from './domain/cleanup.ts';
import { openPackageStorage } from './domain/storage/open.ts';
import type { PackageFiles } from './rest/package-files.ts';
import { createRateLimiter, type RateLimiter } from './rate-limit.ts';

export interface AppOptions {
  /** `observeQueries` and `poolStats` feed the SQL and pool metrics when present. */
  db: Pick<Database, 'prisma'> & Partial<Pick<Database, 'observeQueries' | 'poolStats'>>;
  /** `metricsAllow` absent: only loopback callers may read /-/metrics. */
  /** `packageCleanupDelaySeconds` absent: a deleted package stays restorable (no cleanup runs). */
  config: Pick<Config, 'publicUrl' | 'graphiql' | 'exposeErrors'> & Partial<Pick<Config, 'metricsAllow' | 'packageCleanupDelaySeconds' | 'sessionTtlSeconds'>>;
  logger: Logger;
  /** Rows cached between requests, emptied on change notifications; absent: nothing is cached. */
  caches?: DomainCaches;
  /**
   * Where package files are stored and the largest one accepted; absent (tests of other parts):
   * uploads answer 503 and downloads 404.
   */
  files?: PackageFiles;
  /** True once the process is shutting down: readiness answers 503 (health stays 200). Absent: never. */
  draining?: () => boolean;
  /** GitLab's user and IP rate limits (src/rate-limit.ts), checked after authentication; absent: no limits. */
  rateLimiter?: RateLimiter;
  /** The process's package events, for the `packageEvents` subscription; absent: it is refused. */
  packageEvents?: PackageEventHub;
}

/** The caller's end of the TCP connection (not X-Forwarded-For). */
export interface Client {
  address: string;
}

export interface App {
  /** Answers a request; without `client` the caller is unknown, and so not allowed /-/metrics. */
  fetch(request: Request, client?: Client): Promise<Response>;
}

/**
 * The token of a request: `PRIVATE-TOKEN` header, `Authorization: Bearer`, or `private_token`
 * parameter; with `basicAuth`, also the password of `Authorization: Basic` (the user name is not
 * checked, as GitLab's `basic_auth_personal_access_token` routes).
 */
export function tokenFromRequest(request: Request, url: URL, basicAuth = false): string | undefined {
  const header = request.headers.get('private-token')?.trim();
  if (header) return header;
  const authorization = request.headers.get('authorization') ?? '';
  const bearer = authorization.match(/^Bearer\s+(.+)$/i)?.[1]?.trim();
  if (bearer) return bearer;
  const basic = basicAuth ? authorization.match(/^Basic\s+([A-Za-z0-9+/=]+)$/i)?.[1] : undefined;
  if (basic) {
    const decoded = Buffer.from(basic, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon >= 0 && colon < decoded.length - 1) return decoded.slice(colon + 1);
  }
  return url.searchParams.get('private_token') || undefined;
}

const isGraphqlPath = (path: string) => path === '/api/graphql' || path.startsWith('/api/graphql/');

/**
 * The answer to a request the database could not serve (down, restarting, unreachable, or a statement
 * past DATABASE_STATEMENT_TIMEOUT_SECONDS): 503 with GitLab's message, as `errors` for GraphQL.
 */
function serviceUnavailable(graphql: boolean): Response {
  const message = '503 Service Unavailable';
  return json(503, graphql ? { errors: [{ message }] } : { message });
}

export function createApp({ db, config, logger, caches = noCaches(), files, rateLimiter, draining, packageEvents }: AppOptions): App {
  const { prisma } = db;
  const metrics = createMetrics({ allow: config.metricsAllow ?? [], db });
  const masking = errorMasking({ expose: config.exposeErrors, logger });
  const restore = config.packageCleanupDelaySeconds !== undefined ? { restoreWindowSeconds: restoreWindowSeconds(config.packageCleanupDelaySeconds) } : {};
  const yoga = createYoga<{
    viewer: Viewer;
    reauthenticate: () => Promise<Viewer | null>;
    baseUrl: string;
    requestId: string;
    audit: AuditSink;
    outage: { databaseUnavailable: boolean };
  }>({
    schema,
    graphqlEndpoint: '/api/graphql',
    graphiql: config.graphiql ? graphiqlOptions : false,
    renderGraphiQL: renderOfflineGraphiQL,
    landingPage: false,
    // The body is bounded before yoga sees it (withBoundedBody: the declared length, or a chunked body
    // read up to the limit); yoga's own limit would pipe every body through a web TransformStream.
    maxRequestBodySize: false,
    maskedErrors: masking.maskedErrors,
    logging: logger,
    plugins: [...graphqlPlugins(), metrics.graphqlPlugin, ...compiledExecution(), masking.plugin, jsonWhateverAccepted()],
    context: ({ viewer, reauthenticate, baseUrl, audit }) =>
      createContext({ prisma, viewer, reauthenticate, baseUrl, caches, audit, ...restore, ...(packageEvents ? { packageEvents } : {}) }),
  });

  const readiness = async () => {
    if (draining?.()) return json(503, { status: 'unavailable', reason: 'shutting down' });
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

  // A request's credential: a token, else (where the caller allows it) a browser session's secret.
  type Credential = { token?: string | undefined; session?: string | undefined };
  const authenticateCredential = (credential: Credential) =>
    credential.token === undefined && credential.session !== undefined
      ? authenticateSession(prisma, credential.session, new Date(), caches)
      : authenticate(prisma, credential.token, new Date(), caches);
  // Authentication, then the rate limit: `throttled` is the 429 answer of a request past its budget.
  const admit = async (request: Request, credential: string | undefined | Credential, client: Client | undefined) => {
    const auth = await authenticateCredential(typeof credential === 'object' ? credential : { token: credential });
    return { auth, throttled: rateLimiter ? await rateLimiter.check(request, auth, client) : null };
  };
  const signIn = { prisma, caches, ttlSeconds: config.sessionTtlSeconds ?? 7 * 86400, secure: config.publicUrl?.startsWith('https:') ?? false };

  // One structured line per audit_events row a request's changes committed (the row is the record).
  const auditSink = (client: Client | undefined, requestId: string): AuditSink => ({
    ipAddress: client?.address ?? null,
    logged: (event) => logger.info({ requestId, audit: auditEventEntity(event) }, 'audit event'),
  });

  const route = async (request: Request, url: URL, client: Client | undefined, requestId: string): Promise<Response> => {
    const path = url.pathname;
    if (path === '/-/health') return json(200, { status: 'ok' });
    if (path === '/-/readiness') return readiness();
    if (path === metricsPath && metrics.allows(client?.address)) return metrics.scrape();
    const baseUrl = config.publicUrl ?? url.origin;
    if (isSignInRequest(request.method, path)) {
      // Rate limited as anonymous requests (per IP): guessing tokens here costs the budget too.
      const throttled = rateLimiter ? await rateLimiter.check(request, { ok: true, viewer: anonymous }, client) : null;
      return throttled ?? serveSignIn(request, path, signIn);
    }
    if (isGraphqlPath(path)) {
      const token = tokenFromRequest(request, url);
      const session = token === undefined ? sessionSecretFromRequest(request) : undefined;
      if (session !== undefined && !mayUseSessionCookie(request)) {
        return json(403, { errors: [{ message: `A request signed in by the session cookie needs the ${csrfHeader} header (CSRF prevention)` }] });
      }
      const credential = { token, session };
      const { auth, throttled } = await admit(request, credential, client);
      if (throttled) return throttled;
      if (!auth.ok && session !== undefined) {
        return json(401, { errors: [{ message: 'Your session has ended: sign in again' }] }, { 'set-cookie': clearSessionCookie(signIn) });
      }
      if (!auth.ok) return json(401, { errors: [{ message: 'Invalid token' }] });
      const reauthenticate = async () => {
        const again = await authenticateCredential(credential);
        return again.ok ? again.viewer : null;
      };
      const bounded = await withBoundedBody(request, limits.maxRequestBytes);
      if (!bounded) return json(413, { errors: [{ message: `Request body too large: the limit is ${limits.maxRequestBytes} bytes` }] });
      const outage = { databaseUnavailable: false };
      const answer = await yoga.fetch(bounded, { viewer: auth.viewer, reauthenticate, baseUrl, requestId, audit: auditSink(client, requestId), outage });
      if (outage.databaseUnavailable) {
        await answer.body?.cancel();
        return serviceUnavailable(true);
      }
      return withJsonErrorBody(answer, 'graphql');
    }
    if (path === restPrefix || path.startsWith(`${restPrefix}/`)) {
      const basicAuth = matchProtocolRoute(request.method, path.slice(restPrefix.length))?.route.basicAuth ?? false;
      const { auth, throttled } = await admit(request, tokenFromRequest(request, url, basicAuth), client);
      if (throttled) return throttled;
      if (!auth.ok || hasUnsupportedCredential(request, url)) return json(401, { message: '401 Unauthorized' });
      const docs = await serveApiDocs(request, url); // /api/v4/openapi.json and /api/v4/docs, for anyone with no or a valid token
      if (docs) return docs;
      const actor = { ...auditSink(client, requestId), viewer: auth.viewer };
      return handleRest(request, url, { prisma, viewer: auth.viewer, canWrite: canWrite(auth.viewer), baseUrl, caches, actor, ...restore, ...(files ? { files } : {}) });
    }
    const download = request.method === 'GET' || request.method === 'HEAD' ? matchPackageFileDownload(path) : null;
    if (download) {
      // A download link followed in a signed-in browser carries the session cookie (GET and HEAD only).
      const token = tokenFromRequest(request, url);
      const { auth, throttled } = await admit(request, { token, session: token === undefined ? sessionSecretFromRequest(request) : undefined }, client);
      if (throttled) return throttled;
      if (!auth.ok) return json(401, { message: '401 Unauthorized' });
      return servePackageFileDownload({ prisma, viewer: auth.viewer, caches, ...(files ? { files } : {}) }, download, request.method === 'HEAD');
    }
    // The web interface's pages (GitLab's web paths) and assets; what reads data goes through GraphQL.
    const web = await serveWebInterface(request, path);
    if (web) return web;
    return json(404, { error: '404 Not Found' });
  };

  return {
    async fetch(request, client) {
      const requestId = request.headers.get('x-request-id') || randomUUID();
      const started = performance.now();
      const url = new URL(request.url);
      let response: Response;
      try {
        response = await route(request, url, client, requestId);
      } catch (error) {
        if (isDatabaseUnavailable(error)) {
          logger.warn({ err: error, requestId }, 'database unavailable');
          response = serviceUnavailable(isGraphqlPath(url.pathname));
        } else {
          logger.error({ err: error, requestId }, 'unhandled error');
          response = json(500, { message: '500 Internal Server Error' });
        }
      }
      response.headers.set('x-request-id', requestId);
      rateLimiter?.decorate(request, response);
      const ms = performance.now() - started;
      metrics.observeRequest(request.method, url.pathname, response.status, ms / 1000);
      logger.info({ requestId, method: request.method, path: url.pathname, status: response.status, ms: Math.round(ms) }, 'request');
      return response;
    },
  };
}

/**
 * Serves an app over HTTP with `settings`' limits (absent ones: the HTTP_* defaults; see
 * src/http-server.ts); resolves once listening.
 */
export async function listen(app: App, port: number, host: string, settings: Partial<HttpSettings> = {}): Promise<{ server: Server; url: string }> {
  const server = httpServerFor(app, settings);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return { server, url: listeningUrl(server) };
}

const httpServerFor = (app: App, settings: Partial<HttpSettings>) =>
  createHttpServer(
    createServerAdapter<{ req?: IncomingMessage }>((request, context) => {
      const address = context.req?.socket.remoteAddress;
      return app.fetch(request, address ? { address } : undefined);
    }),
    settings,
  );

/**
 * Stops accepting connections and drains the open ones (src/http-server.ts): requests on them are
 * answered with `Connection: close`, idle ones closed after a short grace, and what is left after
 * `timeoutMs` (default SHUTDOWN_TIMEOUT_SECONDS's, 10 s) destroyed. Resolves once all are closed.
 */
export function closeServer(server: Server, options: { timeoutMs?: number; onDeadline?: (open: number) => void } = {}): Promise<void> {
  return drainServer(server, options);
}

export interface RunningServer {
  url: string;
  server: Server;
  db: Database;
  close(): Promise<void>;
}

/** Applies pending migrations and loads the demo data into an empty database (when configured). */
export async function prepareDatabase(db: Database, config: Config, logger: Logger): Promise<void> {
  // The schema engine (WebAssembly) stays in memory once loaded: load it only when there is work.
  const applied = (await pendingMigrationNames(db.prisma)).length > 0 ? await applyMigrations(db.adapterFactory) : [];
  if (applied.length > 0) logger.info({ applied }, 'applied migrations');
  if (config.seedDemo && (await isDatabaseEmpty(db.prisma))) {
    const summary = await loadFixture(db.prisma, demoFixturePath);
    logger.info(`demo data: ${formatSummary(summary)}`);
  }
}

/**
 * Opens the database, prepares it (migrations, demo data; `prepare: false` when another process
 * did, as the cluster primary does for its workers), and listens; with `primaryUrl` (a cluster
 * worker), serves the connections the primary listening there hands over instead.
 */
export async function startServer(config: Config, logger: Logger, options: { prepare?: boolean; primaryUrl?: string } = {}): Promise<RunningServer> {
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, statementTimeoutMs: config.databaseStatementTimeoutSeconds * 1000 });
  let storage: Awaited<ReturnType<typeof openPackageStorage>>;
  try {
    if (options.prepare !== false) await prepareDatabase(db, config, logger);
    storage = await openPackageStorage(config.packageStorage);
  } catch (error) {
    await db.close();
    throw error;
  }
  // Caches between requests, emptied by change notifications from every process (and off while not listening).
  const changes = new ChangeCaches();
  await changes.start(db.listen);
  if (!changes.isLive) logger.warn('not listening for change notifications yet: serving without caches until connected');
  const packageEvents = new PackageEventHub();
  await packageEvents.start(db.listenTo(packageEventsChannel));
  let draining = false;
  const app = createApp({
    packageEvents,
    db,
    config,
    logger,
    draining: () => draining,
    caches: defineCaches(changes),
    files: { storage, maxFileBytes: config.maxPackageFileBytes },
    ...(config.rateLimit.enabled ? { rateLimiter: createRateLimiter({ prisma: db.prisma, settings: config.rateLimit, logger }) } : {}),
  });
  let server: Server;
  let url: string;
  if (options.primaryUrl !== undefined) {
    server = httpServerFor(app, config.http);
    acceptHandedConnections(server, process);
    url = options.primaryUrl;
  } else {
    ({ server, url } = await listen(app, config.port, config.host, config.http));
  }
  const cleanup = startCleanupLoop({
    prisma: db.prisma,
    storage,
    delaySeconds: config.packageCleanupDelaySeconds,
    intervalSeconds: config.packageCleanupIntervalSeconds,
    logger,
  });
  logger.info({ url, database: db.describe, packageStorage: storage.describe }, 'listening');
  let closing: Promise<void> | undefined;
  return {
    url,
    server,
    db,
    close: () =>
      (closing ??= (async () => {
        draining = true;
        const drained = closeServer(server, {
          timeoutMs: config.shutdownTimeoutSeconds * 1000,
          onDeadline: (open) => logger.warn({ open }, `connections still open after SHUTDOWN_TIMEOUT_SECONDS (${config.shutdownTimeoutSeconds}): destroyed`),
        });
        // Open subscriptions would hold their connections until the deadline: their streams end now.
        await packageEvents.close();
        await drained;
        await cleanup.stop();
        await changes.close();
        await storage.close();
        await db.close();
      })()),
  };
}
