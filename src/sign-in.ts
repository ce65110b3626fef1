// Signing in from a browser (src/domain/sessions.ts): the endpoints, and the session cookie on the
// requests that accept it.
//
//   POST /users/sign_in   {"token": "glpat-..."} (JSON, or a form's token=): 200 {"username"} and the
//                         cookie; 401 for a token that may not sign in; 400 without a token
//   POST /users/sign_out  ends the cookie's session, 204 and the cookie cleared (also without one)
//   GET  /users/session   200 {"username"} for a live session, 401 otherwise
//
// The cookie: `_gitlab_session=<secret>; Path=/; HttpOnly; SameSite=Strict; Max-Age=<seconds left>`,
// `Secure` when PUBLIC_URL is https. GraphQL takes it only from a request with yoga's CSRF-prevention
// header (`x-graphql-yoga-csrf`), which a cross-site form cannot send; package file downloads (GET and
// HEAD only) take it without; the REST API under /api/v4 never does (GitLab's API wants its own CSRF
// token with a session cookie).
import { parseCookie, stringifySetCookie } from 'cookie';
import type { PrismaClient } from './generated/prisma/client.ts';
import type { DomainCaches } from './domain/caches.ts';
import { authenticateSession, createSession, endSession, sessionCookieName } from './domain/sessions.ts';
import { json as jsonAnswer, withBoundedBody } from './http.ts';

/** yoga's CSRF-prevention header: a GraphQL request authenticated by the cookie must carry it. */
export const csrfHeader = 'x-graphql-yoga-csrf';

/** The largest sign-in body read, in bytes (a token is 26 to a few hundred characters). */
const maxSignInBytes = 4096;

/** The session cookie's secret in a request, or undefined. */
export function sessionSecretFromRequest(request: Request): string | undefined {
  const header = request.headers.get('cookie');
  if (!header) return undefined;
  try {
    return parseCookie(header)[sessionCookieName] || undefined;
  } catch {
    return undefined;
  }
}

/** Whether a GraphQL request may be authenticated by its session cookie (it carries the CSRF header). */
export function mayUseSessionCookie(request: Request): boolean {
  return request.headers.has(csrfHeader);
}

export interface SignInEnvironment {
  prisma: PrismaClient;
  caches: DomainCaches;
  ttlSeconds: number;
  /** Set the cookie's Secure attribute (PUBLIC_URL is https). */
  secure: boolean;
}

/** An answer never cached: it is about one browser's session. */
const json = (status: number, body: unknown, headers: Record<string, string> = {}) => jsonAnswer(status, body, { 'cache-control': 'no-store', ...headers });

const cookie = (env: SignInEnvironment, value: string, maxAge: number) =>
  stringifySetCookie(sessionCookieName, value, { path: '/', httpOnly: true, sameSite: 'strict', secure: env.secure, maxAge });

/** The Set-Cookie header that clears the session cookie. */
export function clearSessionCookie(env: Pick<SignInEnvironment, 'secure'>): string {
  return stringifySetCookie(sessionCookieName, '', { path: '/', httpOnly: true, sameSite: 'strict', secure: env.secure, maxAge: 0 });
}

/** The token of a sign-in body (JSON `{"token"}` or a form's `token=`), or undefined. */
async function tokenOfBody(request: Request): Promise<string | undefined> {
  const type = request.headers.get('content-type') ?? '';
  const text = await request.text();
  if (type.includes('application/x-www-form-urlencoded')) return new URLSearchParams(text).get('token')?.trim() || undefined;
  try {
    const body = JSON.parse(text) as unknown;
    const token = typeof body === 'object' && body !== null ? (body as { token?: unknown }).token : undefined;
    return typeof token === 'string' && token.trim() !== '' ? token.trim() : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether a request is for one of the sign-in endpoints: POST /users/sign_in, POST /users/sign_out,
 * GET or HEAD /users/session. Other methods on those paths are left to the rest of the server (the
 * web interface serves its sign-in page at GET /users/sign_in).
 */
export function isSignInRequest(method: string, path: string): boolean {
  if (path === '/users/session') return method === 'GET' || method === 'HEAD';
  return method === 'POST' && (path === '/users/sign_in' || path === '/users/sign_out');
}

/** Answers a request to one of the sign-in endpoints (isSignInRequest). */
export async function serveSignIn(request: Request, path: string, env: SignInEnvironment): Promise<Response> {
  if (path === '/users/sign_in') {
    const bounded = await withBoundedBody(request, maxSignInBytes);
    if (!bounded) return json(413, { message: '413 Request Entity Too Large' });
    const token = await tokenOfBody(bounded);
    if (token === undefined) return json(400, { message: '400 Bad request - token is missing' });
    const session = await createSession(env.prisma, token, { ttlSeconds: env.ttlSeconds, caches: env.caches });
    if (!session) return json(401, { message: '401 Unauthorized' });
    const maxAge = Math.max(0, Math.round((session.expiresAt.getTime() - Date.now()) / 1000));
    return json(200, { username: session.viewer.username }, { 'set-cookie': cookie(env, session.secret, maxAge) });
  }
  const secret = sessionSecretFromRequest(request);
  if (path === '/users/sign_out') {
    if (secret !== undefined) await endSession(env.prisma, secret, env.caches);
    return new Response(null, { status: 204, headers: { 'set-cookie': clearSessionCookie(env), 'cache-control': 'no-store' } });
  }
  const auth = secret === undefined ? null : await authenticateSession(env.prisma, secret, new Date(), env.caches);
  if (!auth?.ok || auth.viewer.kind !== 'user') return json(401, { message: '401 Unauthorized' }, secret !== undefined ? { 'set-cookie': clearSessionCookie(env) } : {});
  return json(200, { username: auth.viewer.username });
}
