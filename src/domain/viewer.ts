import type { PrismaClient } from '../generated/prisma/client.ts';
import { digestsEqual, tokenDigest } from './tokens.ts';

/** Who is asking: nobody, or a user authenticated by a personal access token. */
export type Viewer =
  | { kind: 'anonymous' }
  | {
      kind: 'user';
      id: number;
      username: string;
      admin: boolean;
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

/**
 * Resolves a personal access token to a viewer. No token means anonymous; an unknown, expired or
 * revoked token, or a blocked user's token, is invalid. One SQL statement: the token joined to its user and the user's memberships.
 */
export async function authenticate(
  prisma: PrismaClient,
  token: string | undefined,
  now = new Date(),
): Promise<Authentication> {
  if (token === undefined || token === '') return { ok: true, viewer: anonymous };
  const digest = tokenDigest(token);
  const row = await prisma.personalAccessToken.findUnique({
    where: { tokenDigest: digest },
    select: {
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
    },
  });
  // The lookup is by digest (an index); the comparison below is over digests, in constant time.
  if (!row || !digestsEqual(row.tokenDigest, digest)) return { ok: false, reason: 'invalid_token' };
  if (row.revoked || (row.expiresAt !== null && row.expiresAt <= now) || row.user.state !== 'active') {
    return { ok: false, reason: 'invalid_token' };
  }
  if (row.lastUsedAt === null || now.getTime() - row.lastUsedAt.getTime() > lastUsedRefreshMs) {
    // Bookkeeping only: a failure here must not fail the request.
    prisma.personalAccessToken.update({ where: { id: row.id }, data: { lastUsedAt: now } }).catch(() => {});
  }
  return {
    ok: true,
    viewer: {
      kind: 'user',
      id: row.user.id,
      username: row.user.username,
      admin: row.user.admin,
      scopes: row.scopes,
      memberships: {
        groups: row.user.groupMemberships.map((m) => ({ fullPath: m.namespace.fullPath, accessLevel: m.accessLevel })),
        projects: row.user.projectMembers.map((m) => ({
          projectId: m.projectId,
          fullPath: m.project.fullPath,
          accessLevel: m.accessLevel,
        })),
      },
    },
  };
}

/** Whether the viewer's token allows writes (GitLab: the `api` scope). */
export function canWrite(viewer: Viewer): boolean {
  return viewer.kind === 'anonymous' || viewer.scopes.includes('api');
}

