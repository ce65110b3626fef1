import { likeLiteral } from './like.ts';
import { sqlText } from './text.ts';
import type { Namespace, Project, PrismaClient } from '../generated/prisma/client.ts';

/**
 * The project with this full path (`acme/platform/api`), or null. Full paths are unique
 * case-insensitively in GitLab (`Project.find_by_full_path`); the lookup ignores case. A path no
 * stored path can equal (see `sqlText`: it holds U+0000) finds nothing without asking the database.
 */
export function findProjectByFullPath(prisma: PrismaClient, fullPath: string): Promise<Project | null> {
  const path = sqlText(fullPath);
  if (path === null) return Promise.resolve(null);
  return prisma.project.findFirst({ where: { fullPath: { equals: path, mode: 'insensitive' } } });
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
