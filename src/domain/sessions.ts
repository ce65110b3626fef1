// Browser sessions (beyond GitLab's API, in the way of its web sign-in): a personal access token is
// given once, at sign-in, and exchanged for a random secret the browser keeps in an HttpOnly cookie.
// The server keeps the secret's SHA-256 digest, the token it stands for and an expiry; a request with
// the cookie authenticates as that token, through the same checks and cache as the token itself, so
// revoking or expiring the token (or blocking its user) ends its sessions at once, in every process.
import { randomBytes } from 'node:crypto';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { cached, noCaches, type DomainCaches } from './caches.ts';
import { digestsEqual, tokenDigest } from './tokens.ts';
import { anonymous, authenticate, authenticateTokenDigest, type Authentication, type Viewer } from './viewer.ts';

/** GitLab's session cookie name. */
export const sessionCookieName = '_gitlab_session';

/** What the session cache holds for a secret digest. */
export interface SessionRecord {
  secretDigest: string;
  /** The digest of the session's token (personal_access_tokens.token_digest). */
  tokenDigest: string;
  expiresAt: Date;
}

export interface SessionCreated {
  /** The cookie's value: 43 characters of base64url (32 random bytes). Shown once, never stored. */
  secret: string;
  expiresAt: Date;
  viewer: Viewer & { kind: 'user' };
}

const uncached = noCaches();

/** Scopes that let a token sign in (the web interface reads through the API). */
const signInScopes = ['api', 'read_api'];

/**
 * Signs in: `token` (a personal access token) must be valid (as `authenticate` checks) with the `api`
 * or `read_api` scope. The session expires after `ttlSeconds`, or when the token does, whichever
 * comes first. Resolves to the new secret, or null when the token may not sign in (nothing written).
 */
export async function createSession(
  prisma: PrismaClient,
  token: string,
  options: { ttlSeconds: number; now?: Date; caches?: DomainCaches },
): Promise<SessionCreated | null> {
  const now = options.now ?? new Date();
  if (token === '') return null;
  const auth = await authenticate(prisma, token, now, options.caches ?? uncached);
  if (!auth.ok || auth.viewer.kind !== 'user' || !auth.viewer.scopes.some((s) => signInScopes.includes(s))) return null;
  const viewer = auth.viewer;
  const row = await prisma.personalAccessToken.findUnique({ where: { id: viewer.tokenId }, select: { expiresAt: true } });
  if (!row) return null;
  const byTtl = new Date(now.getTime() + options.ttlSeconds * 1000);
  const expiresAt = row.expiresAt !== null && row.expiresAt < byTtl ? row.expiresAt : byTtl;
  const secret = randomBytes(32).toString('base64url');
  await prisma.webSession.create({ data: { secretDigest: tokenDigest(secret), tokenId: viewer.tokenId, expiresAt } });
  return { secret, expiresAt, viewer };
}

async function findSession(prisma: PrismaClient, digest: string): Promise<SessionRecord | null> {
  const row = await prisma.webSession.findUnique({
    where: { secretDigest: digest },
    select: { secretDigest: true, expiresAt: true, token: { select: { tokenDigest: true } } },
  });
  return row && { secretDigest: row.secretDigest, tokenDigest: row.token.tokenDigest, expiresAt: row.expiresAt };
}

/**
 * The viewer of a session cookie's secret: invalid when the session is unknown, ended or expired, or
 * its token no longer authenticates (revoked, expired, user blocked). At most two SQL statements (the
 * session, the token), none when both are cached.
 */
export async function authenticateSession(prisma: PrismaClient, secret: string, now = new Date(), caches: DomainCaches = uncached): Promise<Authentication> {
  if (secret === '') return { ok: true, viewer: anonymous };
  const digest = tokenDigest(secret);
  const session = await cached(caches.sessions, digest, () => findSession(prisma, digest));
  if (!session || !digestsEqual(session.secretDigest, digest) || session.expiresAt <= now) return { ok: false, reason: 'invalid_token' };
  return authenticateTokenDigest(prisma, session.tokenDigest, now, caches);
}

/**
 * Signs out: the session of this secret ends (nothing when there is none), in this process at once
 * (its cache entry is dropped) and in the others when the change notification reaches them.
 */
export async function endSession(prisma: PrismaClient, secret: string, caches: DomainCaches = uncached): Promise<void> {
  if (secret === '') return;
  const digest = tokenDigest(secret);
  await prisma.webSession.deleteMany({ where: { secretDigest: digest } });
  caches.sessions.forget(digest);
}

/** Removes the sessions expired before `now`; resolves to how many (the cleanup loop runs it). */
export async function removeExpiredSessions(prisma: PrismaClient, now = new Date()): Promise<number> {
  return (await prisma.webSession.deleteMany({ where: { expiresAt: { lte: now } } })).count;
}
