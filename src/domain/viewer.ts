import type { PrismaClient } from '../generated/prisma/client.ts';
import { cached, noCaches, type DomainCaches } from './caches.ts';
import { digestsEqual, tokenDigest } from './tokens.ts';

/** Who is asking: nobody, or a user authenticated by a personal access token. */
export type Viewer =
  | { kind: 'anonymous' }
  | {
      kind: 'user';
      id: number;
      username: string;
      admin: boolean;
      /** The personal access token the request carried (personal_access_tokens.id). */
      tokenId: number;
      /** Scopes of the token used (`api`, `read_api`). */
      scopes: readonly string[];
      /** The user's memberships, loaded with the token so access checks need no more SQL. */
      memberships: Memberships;
    };

export interface Memberships {
  /** Group memberships by group full path (they apply to subgroups and their projects). */
  groups: ReadonlyArray<{ fullPath: string; accessLevel: number }>;
  /** Direct project memberships (personal projects are stored as owner memberships). */
  projects: ReadonlyArray<{ projectId: number; fullPath: string; accessLevel: number }>;
}

export const anonymous: Viewer = { kind: 'anonymous' };

export type Authentication = { ok: true; viewer: Viewer } | { ok: false; reason: 'invalid_token' };

// GitLab refreshes last_used_at at most every 10 minutes; so do we, to keep reads read-only.
const lastUsedRefreshMs = 10 * 60 * 1000;
const uncached = noCaches();

const tokenSelect = {
  id: true,
  tokenDigest: true,
  scopes: true,
  expiresAt: true,
  revoked: true,
  lastUsedAt: true,
  user: {
    select: {
      id: true,
      username: true,
      admin: true,
      state: true,
      groupMemberships: { select: { accessLevel: true, namespace: { select: { fullPath: true } } } },
      projectMembers: { select: { projectId: true, accessLevel: true, project: { select: { fullPath: true } } } },
    },
  },
} as const;

/** A stored token with what its viewer needs: what the token cache holds (see caches.ts). */
export interface TokenRecord {
  id: number;
  tokenDigest: string;
  expiresAt: Date | null;
  revoked: boolean;
  userActive: boolean;
  /** When last_used_at was last written (by this process, or as read). */
  lastUsedAt: Date | null;
  /** The viewer the token authenticates while it is valid. */
  viewer: Viewer & { kind: 'user' };
}

/** The token with this digest and its user's memberships (one SQL statement), or null. */
async function findToken(prisma: PrismaClient, digest: string): Promise<TokenRecord | null> {
  const row = await prisma.personalAccessToken.findUnique({ where: { tokenDigest: digest }, select: tokenSelect });
  if (!row) return null;
  return {
    id: row.id,
    tokenDigest: row.tokenDigest,
    expiresAt: row.expiresAt,
    revoked: row.revoked,
    userActive: row.user.state === 'active',
    lastUsedAt: row.lastUsedAt,
    viewer: {
      kind: 'user',
      id: row.user.id,
      username: row.user.username,
      admin: row.user.admin,
      tokenId: row.id,
      scopes: row.scopes,
      memberships: {
        groups: row.user.groupMemberships.map((m) => ({ fullPath: m.namespace.fullPath, accessLevel: m.accessLevel })),
        projects: row.user.projectMembers.map((m) => ({ projectId: m.projectId, fullPath: m.project.fullPath, accessLevel: m.accessLevel })),
      },
    },
  };
}

/**
 * Resolves a personal access token to a viewer. No token means anonymous; an unknown, expired or
 * revoked token, or a blocked user's token, is invalid (GitLab's `AccessTokenValidationService`).
 * The token is looked up by its digest through `caches.tokens` (at most one SQL statement; none when
 * cached); expiry is checked against `now` at every use. `last_used_at` is written at most every 10
 * minutes per token, without waiting for it.
 */
export async function authenticate(
  prisma: PrismaClient,
  token: string | undefined,
  now = new Date(),
  caches: DomainCaches = uncached,
): Promise<Authentication> {
  if (token === undefined || token === '') return { ok: true, viewer: anonymous };
  return authenticateTokenDigest(prisma, tokenDigest(token), now, caches);
}

/**
 * `authenticate` for a token known by its digest (a browser session's token, src/domain/sessions.ts):
 * the same checks, the same cache, the same bookkeeping.
 */
export async function authenticateTokenDigest(prisma: PrismaClient, digest: string, now = new Date(), caches: DomainCaches = uncached): Promise<Authentication> {
  const record = await cached(caches.tokens, digest, () => findToken(prisma, digest));
  // The lookup is by digest (an index); the comparison below is over digests, in constant time.
  if (!record || !digestsEqual(record.tokenDigest, digest)) return { ok: false, reason: 'invalid_token' };
  if (record.revoked || (record.expiresAt !== null && record.expiresAt <= now) || !record.userActive) {
    return { ok: false, reason: 'invalid_token' };
  }
  if (record.lastUsedAt === null || now.getTime() - record.lastUsedAt.getTime() > lastUsedRefreshMs) {
    record.lastUsedAt = now;
    // Bookkeeping only: a failure here must not fail the request. (The change triggers ignore this column.)
    prisma.personalAccessToken.update({ where: { id: record.id }, data: { lastUsedAt: now } }).catch(() => {});
  }
  return { ok: true, viewer: record.viewer };
}

/** Whether the viewer's token allows writes (GitLab: the `api` scope). */
export function canWrite(viewer: Viewer): boolean {
  return viewer.kind === 'anonymous' || viewer.scopes.includes('api');
}

