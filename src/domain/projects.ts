import { likeLiteral } from './like.ts';
import { sqlText } from './text.ts';
import type { Namespace, Project, PrismaClient } from '../generated/prisma/client.ts';
import { noCaches, type DomainCaches } from './caches.ts';

const uncached = noCaches();
// Stored paths are ASCII (letters, digits, `_`, `.`, `-`, `/`); only such keys are cached, so that a
// cache key folds case exactly as PostgreSQL's case-insensitive match does.
const asciiPath = /^[\x21-\x7e]*$/;

/**
 * The project with this full path (`acme/platform/api`), or null. Full paths are unique
 * case-insensitively in GitLab (`Project.find_by_full_path`); the lookup ignores case. A path no
 * stored path can equal (see `sqlText`: it holds U+0000) finds nothing without asking the database.
 * Found projects go through `caches.projectIds` and `caches.projects` (no SQL when cached).
 */
export async function findProjectByFullPath(prisma: PrismaClient, fullPath: string, caches: DomainCaches = uncached): Promise<Project | null> {
  const path = sqlText(fullPath);
  if (path === null) return null;
  const key = asciiPath.test(path) ? path.toLowerCase() : undefined;
  const id = key === undefined ? undefined : caches.projectIds.get(key);
  const hit = id === undefined ? undefined : caches.projects.get(id);
  if (hit) return hit;
  const stamp = caches.projects.stamp();
  const project = await prisma.project.findFirst({ where: { fullPath: { equals: path, mode: 'insensitive' } } });
  if (project && key !== undefined) {
    caches.projectIds.set(key, project.id, stamp);
    caches.projects.set(project.id, project, stamp);
  }
  return project;
}

/**
 * The group with this full path (`acme` or `acme/platform`), or null; case-insensitive, as
 * `Group.find_by_full_path`. A path no stored path can equal (`sqlText`) finds nothing.
 */
export function findGroupByFullPath(prisma: PrismaClient, fullPath: string): Promise<Namespace | null> {
  const path = sqlText(fullPath);
  if (path === null) return Promise.resolve(null);
  return prisma.namespace.findFirst({ where: { kind: 'group', fullPath: { equals: path, mode: 'insensitive' } } });
}

/** Projects of a group, and of its subgroups unless `includeSubgroups` is false. */
export function findGroupProjects(prisma: PrismaClient, group: Namespace, includeSubgroups: boolean): Promise<Project[]> {
  return prisma.project.findMany({
    where: includeSubgroups
      ? { OR: [{ namespaceId: group.id }, { fullPath: { startsWith: `${likeLiteral(group.fullPath)}/` } }] }
      : { namespaceId: group.id },
    orderBy: { id: 'asc' },
  });
}

/** The project with this id, or null; through `caches.projects` (no SQL when cached). */
export async function findProjectById(prisma: PrismaClient, id: number, caches: DomainCaches = uncached): Promise<Project | null> {
  if (!Number.isSafeInteger(id) || id <= 0 || id > 2 ** 31 - 1) return null;
  const hit = caches.projects.get(id);
  if (hit) return hit;
  const stamp = caches.projects.stamp();
  const project = await prisma.project.findUnique({ where: { id } });
  if (project) caches.projects.set(project.id, project, stamp);
  return project;
}
