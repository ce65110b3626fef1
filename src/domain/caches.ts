// What the gateway caches between requests, and which tables each cache is read from (a change to
// any of them, by any process, empties it: src/db/cache.ts). Everything else is read per request.
import { ChangeCaches, type TableCache } from '../db/cache.ts';
import type { PackageProtectionRule, Project } from '../generated/prisma/client.ts';
import type { SessionRecord } from './sessions.ts';
import type { TokenRecord } from './viewer.ts';

export interface DomainCaches {
  /** Personal access tokens with their users and memberships, by token digest. */
  tokens: TableCache<string, TokenRecord>;
  /** Projects by id. */
  projects: TableCache<number, Project>;
  /** Project ids by lower-case full path. */
  projectIds: TableCache<string, number>;
  /** Each project's protection rules, id ascending. */
  protectionRules: TableCache<number, PackageProtectionRule[]>;
  /** Browser sessions (their token's digest and expiry), by secret digest. */
  sessions: TableCache<string, SessionRecord>;
}

/** Sizes: a token record with a few memberships is ~1 KB, a project row ~0.3 KB. */
const MAX_TOKENS = 10_000;
const MAX_PROJECTS = 20_000;
const MAX_SESSIONS = 10_000;

/** The caches, fed by `changes`. */
export function defineCaches(changes: ChangeCaches): DomainCaches {
  // A token's viewer holds its memberships' full paths: renaming a group or project changes it too.
  const tokenTables = ['personal_access_tokens', 'users', 'group_members', 'project_members', 'namespaces', 'projects'];
  return {
    tokens: changes.define(tokenTables, MAX_TOKENS),
    projects: changes.define(['projects'], MAX_PROJECTS),
    projectIds: changes.define(['projects'], MAX_PROJECTS),
    protectionRules: changes.define(['packages_protection_rules'], MAX_PROJECTS),
    sessions: changes.define(['web_sessions'], MAX_SESSIONS),
  };
}

/** Caches that never hold anything (no change feed: every read goes to the database). */
export function noCaches(): DomainCaches {
  return defineCaches(new ChangeCaches());
}

/**
 * Reads `key` through `cache`: the cached value, or `read()`'s (stored unless null or a change came
 * in while reading).
 */
export async function cached<K extends {}, V extends {}>(cache: TableCache<K, V>, key: K, read: () => Promise<V | null>): Promise<V | null> {
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const stamp = cache.stamp();
  const value = await read();
  if (value !== null) cache.set(key, value, stamp);
  return value;
}

/**
 * Reads many keys through `cache` at once: the cached values, and `load(misses)`'s for the others (one
 * call for all of them; each stored unless a change came in while loading). A key `load` leaves out
 * has no value.
 */
export async function cachedMany<K extends {}, V extends {}>(
  cache: TableCache<K, V>,
  keys: readonly K[],
  load: (misses: K[]) => Promise<Map<K, V>>,
): Promise<Map<K, V>> {
  const out = new Map<K, V>();
  const misses: K[] = [];
  for (const key of keys) {
    const hit = cache.get(key);
    if (hit !== undefined) out.set(key, hit);
    else misses.push(key);
  }
  if (misses.length === 0) return out;
  const stamp = cache.stamp();
  for (const [key, value] of await load(misses)) {
    cache.set(key, value, stamp);
    out.set(key, value);
  }
  return out;
}
