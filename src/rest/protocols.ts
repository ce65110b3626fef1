// The package protocol endpoints under /api/v4 (generic packages, the npm registry): routes that
// take and send package files, which no GraphQL operation can carry. Unlike the rows of routes.ts
// they call the domain (src/domain) directly; they share its rules with GraphQL (policy, protection,
// soft delete), so what they publish is what GraphQL and the JSON endpoints list. The audit events
// API (audit-events.ts), which GraphQL does not carry either, is served the same way.
import { auditEventRoutes } from './audit-events.ts';
import { errors } from './errors.ts';
import { genericRoutes } from './generic-packages.ts';
import { npmRoutes } from './npm-packages.ts';
import type { PackageFiles } from './package-files.ts';
import type { RestEnvironment } from './router.ts';

export interface ProtocolContext {
  request: Request;
  url: URL;
  env: RestEnvironment;
  /** A HEAD request (answered as GET without a body). */
  head: boolean;
  /** The package storage; 503 when this app has none. */
  files(): PackageFiles;
  /** The package storage, or undefined when this app has none. */
  filesIfAny(): PackageFiles | undefined;
}

export interface ProtocolRoute {
  name: string;
  method: 'GET' | 'PUT' | 'DELETE';
  /** Matched against the raw (still encoded) path below /api/v4; the groups go to `handle`. */
  pattern: RegExp;
  /** The path as GitLab's documentation writes it, for the API description and metrics. */
  template: string;
  /** Whether a personal access token may come as the password of HTTP Basic auth (GitLab's `basic_auth_personal_access_token`). */
  basicAuth?: boolean;
  handle(context: ProtocolContext, groups: string[]): Promise<Response>;
}

export const protocolRoutes: ProtocolRoute[] = [...npmRoutes, ...genericRoutes, ...auditEventRoutes];

/** The protocol route a request matches and its groups, or undefined. HEAD matches GET routes. */
export function matchProtocolRoute(method: string, pathBelowPrefix: string): { route: ProtocolRoute; groups: string[] } | undefined {
  const wanted = method === 'HEAD' ? 'GET' : method;
  for (const route of protocolRoutes) {
    if (route.method !== wanted) continue;
    const found = route.pattern.exec(pathBelowPrefix);
    if (found) return { route, groups: [...found].map((g) => g ?? undefined) as string[] };
  }
  return undefined;
}

/** Runs a matched protocol route (the caller has authenticated the request and answers RestErrors). */
export function serveProtocol(
  matched: { route: ProtocolRoute; groups: string[] },
  request: Request,
  url: URL,
  env: RestEnvironment,
): Promise<Response> {
  // The API guard: a read-only token may not write.
  if (matched.route.method !== 'GET' && !env.canWrite) throw errors.insufficientScope();
  const context: ProtocolContext = {
    request,
    url,
    env,
    head: request.method === 'HEAD',
    files: () => {
      if (!env.files) throw errors.apiError(503, '503 Service Unavailable');
      return env.files;
    },
    filesIfAny: () => env.files,
  };
  return matched.route.handle(context, matched.groups);
}
