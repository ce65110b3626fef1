import type { PrismaClient } from '../generated/prisma/client.ts';
import type { AuditActor } from '../domain/audit.ts';
import type { DomainCaches } from '../domain/caches.ts';
import type { Viewer } from '../domain/viewer.ts';
import { createLoaders, type Loaders } from './loaders.ts';
import type { PackageEventHub } from './package-events.ts';

/** Everything a resolver may use; a new one per request (loaders cache per request). */
export interface GraphQLContext {
  prisma: PrismaClient;
  viewer: Viewer;
  /** Absolute base of the instance (`https://host`), for web URLs. */
  baseUrl: string;
  loaders: Loaders;
  /** Rows cached between requests (projects, protection rules; see domain/caches.ts). */
  caches: DomainCaches;
  /** The viewer as the audit log names it (and where its lines go), for the changes a mutation makes. */
  actor: AuditActor;
  /** How long after its delete a package can be restored, in seconds (domain/restore.ts restoreWindowSeconds). */
  restoreWindowSeconds: number;
  /**
   * The request's credential authenticated again (a long-lived subscription checks it at every event):
   * its viewer now, or null when it is no longer valid.
   */
  reauthenticate(): Promise<Viewer | null>;
  /** The process's package events (subscriptions); absent: `packageEvents` is refused. */
  packageEvents?: PackageEventHub;
}

/** Where audit log lines go and the caller's address; absent (tests): rows are written, lines are not. */
export type AuditSink = Pick<AuditActor, 'ipAddress' | 'logged'>;

/** What a context is made of; `restoreWindowSeconds` absent: no cleanup runs, a deleted package stays restorable. */
export interface ContextInput {
  prisma: PrismaClient;
  viewer: Viewer;
  baseUrl: string;
  caches: DomainCaches;
  audit?: AuditSink;
  restoreWindowSeconds?: number;
  /** Absent: the viewer stays as it is. */
  reauthenticate?: () => Promise<Viewer | null>;
  packageEvents?: PackageEventHub;
}

export function createContext(input: ContextInput): GraphQLContext {
  const { audit = { ipAddress: null, logged: () => {} }, restoreWindowSeconds = Number.POSITIVE_INFINITY, reauthenticate, ...rest } = input;
  return {
    ...rest,
    actor: { ipAddress: audit.ipAddress, logged: audit.logged, viewer: input.viewer },
    loaders: createLoaders(input.prisma, input.caches),
    restoreWindowSeconds,
    reauthenticate: reauthenticate ?? (async () => input.viewer),
  };
}
