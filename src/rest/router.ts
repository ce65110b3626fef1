// Serves GitLab's Packages REST API under /api/v4 from the route table: match the route, refuse a
// read-only token on a write, find the project or group (404/403 come before any 400, as in Grape),
// validate the parameters, run the row's GraphQL operation in-process on the gateway's schema (compiled
// once, graphql-jit), and
// answer GitLab's JSON with its pagination headers.
import { parse, validate, type ExecutionResult } from 'graphql';
import { compileQuery, isCompiledQuery } from 'graphql-jit';
import type { AuditActor } from '../domain/audit.ts';
import { createContext, type GraphQLContext } from '../graphql/context.ts';
import { variableErrors } from '../graphql/execution.ts';
import { schema } from '../graphql/schema.ts';
import { errors, RestError } from './errors.ts';
import { keysetHeaders, keysetRequest, offsetHeaders, offsetRequest, type LinkBase } from './pagination.ts';
import { parseQuery, validateParams } from './params.ts';
import { routes, type Route, type RouteInput, type RouteResult } from './routes.ts';
import { findGroup, findProject, scopeOperations, type ScopeOperation } from './scopes.ts';
import { Response } from '../http.ts';
import type { PackageFiles } from './package-files.ts';
import { matchProtocolRoute, serveProtocol } from './protocols.ts';

export const restPrefix = '/api/v4';

type ContextInput = Parameters<typeof createContext>[0];

export interface RestEnvironment {
  prisma: ContextInput['prisma'];
  /** The authenticated caller. */
  viewer: ContextInput['viewer'];
  /** Whether the caller's token allows writes (GitLab's `api` scope). */
  canWrite: boolean;
  /** `https://host` for absolute URLs: PUBLIC_URL, else the request's origin. */
  baseUrl: string;
  caches: ContextInput['caches'];
  /** The package storage (uploads and downloads of the protocol routes); absent: uploads 503, downloads 404. */
  files?: PackageFiles;
  /** The viewer as the audit log names it, and where its lines go. */
  actor: AuditActor;
  /** How long a deleted package stays restorable, in seconds; absent: no limit. */
  restoreWindowSeconds?: number;
}

/** A REST route's GraphQL operation, compiled once (graphql-jit) for the life of the process. */
export interface PreparedOperation {
  execute(variables: Record<string, unknown>, context: GraphQLContext): Promise<ExecutionResult> | ExecutionResult;
}

/**
 * Parses, validates and compiles an operation against the schema; throws at startup when it does not
 * fit. graphql-jit runs the same resolvers as graphql-js, without re-walking the document per request.
 */
function prepare(name: string, text: string): PreparedOperation {
  const document = parse(text);
  const problems = validate(schema, document);
  if (problems.length > 0) throw new Error(`REST route "${name}": its GraphQL operation is invalid: ${problems.map((p) => p.message).join('; ')}`);
  const compiled = compileQuery(schema, document);
  if (!isCompiledQuery(compiled)) throw new Error(`REST route "${name}": its GraphQL operation does not compile: ${JSON.stringify(compiled.errors)}`);
  return {
    execute: (variables, context) =>
      variableErrors(schema, document, undefined, variables) ?? (compiled.query(undefined, context, variables) as Promise<ExecutionResult> | ExecutionResult),
  };
}

interface PreparedRoute {
  route: Route<unknown>;
  segments: string[];
  operation: PreparedOperation;
  followUps: Map<string, PreparedOperation>;
}

const prepared: PreparedRoute[] = routes.map((route) => ({
  route,
  segments: route.path.split('/'),
  operation: prepare(route.name, route.operation),
  followUps: new Map(Object.entries(route.followUps ?? {}).map(([name, text]) => [name, prepare(`${route.name} (${name})`, text)])),
}));

const preparedScopes = new Map(
  (Object.entries(scopeOperations) as [ScopeOperation, string][]).map(([name, text]) => [name, prepare(name, text)]),
);

/** Runs a prepared operation; a top-level error with a known `extensions.code` becomes its REST error. */
async function run<T>(
  operation: PreparedOperation,
  variables: Record<string, unknown>,
  context: GraphQLContext,
  refusals: Route<unknown>['refusals'] = {},
): Promise<T> {
  const result = await operation.execute(variables, context);
  if (result.errors?.length) {
    for (const error of result.errors) {
      const code = error.extensions?.code;
      if (typeof code === 'string' && Object.hasOwn(refusals, code)) throw refusals[code]!();
    }
    const first = result.errors[0]!;
    throw new Error(`REST operation failed: ${result.errors.map((e) => e.message).join('; ')}`, { cause: first.originalError ?? first });
  }
  return result.data as T;
}

/** Matches a raw path (below the prefix) against a route's segments; path parameters come decoded. */
function match(segments: string[], raw: string[]): Record<string, string> | null {
  if (segments.length !== raw.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const pattern = segments[i]!;
    const part = raw[i]!;
    if (pattern.startsWith(':')) {
      if (part === '') return null;
      try {
        params[pattern.slice(1)] = decodeURIComponent(part);
      } catch {
        return null;
      }
    } else if (pattern !== part) {
      return null;
    }
  }
  return params;
}

/**
 * The headers of a JSON answer, a new object each time: a Response keeps the object it is given as
 * its headers and writes to it (x-request-id, content-length), so a shared one would carry one
 * answer's length into the next.
 */
const jsonHeaders = (): Record<string, string> => ({ 'Content-Type': 'application/json' });
const noKeyset = { perPage: 0, backward: false, id: null, mayLinkNext: false };

function reply(result: RouteResult, link: LinkBase, input: RouteInput): Response {
  switch (result.kind) {
    case 'noContent':
      return new Response(null, { status: 204 });
    case 'entity':
      return new Response(JSON.stringify(result.body), { status: 200, headers: jsonHeaders() });
    case 'offset': {
      const headers = offsetHeaders(link, input.page, { rowsOnPage: result.items.length, hasNextPage: result.hasNextPage, limitedCount: result.limitedCount });
      return new Response(JSON.stringify(result.items), { status: 200, headers: { ...jsonHeaders(), ...headers } });
    }
    case 'keyset': {
      const headers = keysetHeaders(link, input.keyset, { lastId: result.lastId, hasMore: result.hasMore });
      return new Response(JSON.stringify(result.items), { status: 200, headers: { ...jsonHeaders(), ...headers } });
    }
  }
}

/**
 * Credentials the gateway does not support (CI job tokens, deploy tokens) are answered as invalid
 * tokens (spec rest.md: out of scope, 401).
 */
export function hasUnsupportedCredential(request: Request, url: URL): boolean {
  return Boolean(request.headers.get('job-token') || request.headers.get('deploy-token') || url.searchParams.get('job_token'));
}

/**
 * The route table path a request matches, prefixed (`/api/v4/projects/:id/packages/:package_id`), or
 * undefined when no row matches; HEAD matches GET rows, as in `handleRest`. For metrics labels.
 */
export function matchedRoutePath(method: string, pathname: string): string | undefined {
  if (!pathname.startsWith(`${restPrefix}/`)) return undefined;
  const wanted = method === 'HEAD' ? 'GET' : method;
  const protocol = matchProtocolRoute(method, pathname.slice(restPrefix.length));
  if (protocol) return `${restPrefix}${protocol.route.template}`;
  const raw = pathname.slice(restPrefix.length).split('/');
  const entry = prepared.find((e) => e.route.method === wanted && match(e.segments, raw) !== null);
  return entry && `${restPrefix}${entry.route.path}`;
}

/** Serves one request under /api/v4 (the caller has authenticated it). */
export async function handleRest(request: Request, url: URL, env: RestEnvironment): Promise<Response> {
  const head = request.method === 'HEAD';
  try {
    const response = await serve(request, url, env, head ? 'GET' : request.method);
    return head ? new Response(null, { status: response.status, headers: response.headers }) : response;
  } catch (error) {
    if (error instanceof RestError) {
      return new Response(head ? null : JSON.stringify(error.body), { status: error.status, headers: { ...jsonHeaders(), ...error.headers } });
    }
    throw error;
  }
}

async function serve(request: Request, url: URL, env: RestEnvironment, method: string): Promise<Response> {
  const protocol = matchProtocolRoute(request.method, url.pathname.slice(restPrefix.length));
  if (protocol) return serveProtocol(protocol, request, url, env);
  const raw = url.pathname.slice(restPrefix.length).split('/');
  let found: { entry: PreparedRoute; pathParams: Record<string, string> } | undefined;
  for (const entry of prepared) {
    if (entry.route.method !== method) continue;
    const pathParams = match(entry.segments, raw);
    if (pathParams) {
      found = { entry, pathParams };
      break;
    }
  }
  if (!found) throw errors.noRoute();
  const { entry, pathParams } = found;
  const { route } = entry;

  // The API guard: a read-only token may not write.
  if (route.method !== 'GET' && !env.canWrite) throw errors.insufficientScope();

  const context = createContext({
    prisma: env.prisma,
    viewer: env.viewer,
    baseUrl: env.baseUrl,
    caches: env.caches,
    audit: env.actor,
    ...(env.restoreWindowSeconds !== undefined ? { restoreWindowSeconds: env.restoreWindowSeconds } : {}),
  });
  const runScope = <T>(name: ScopeOperation, variables: Record<string, unknown>) => run<T>(preparedScopes.get(name)!, variables, context);
  const id = pathParams.id!;
  const scope = route.scope === 'project' ? await findProject(id, runScope) : await findGroup(id, runScope);

  const { params } = validateParams(route.params, { ...parseQuery(url.search), ...pathParams });
  if (route.pagination === 'keyset') params.pagination = 'keyset';
  const input: RouteInput = {
    params,
    scope,
    page: offsetRequest(params),
    keyset: route.pagination === 'keyset' ? keysetRequest(params) : noKeyset,
    headers: request.headers,
    shape: { baseUrl: env.baseUrl },
    run: (name, variables) => run(entry.followUps.get(name)!, variables, context),
  };
  const data = await run<unknown>(entry.operation, route.variables(input), context, route.refusals);
  const result = await route.respond(data, input);
  const link: LinkBase = { baseUrl: env.baseUrl, path: url.pathname, params };
  return reply(result, link, input);
}
