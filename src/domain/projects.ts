import { likeLiteral } from './like.ts';
import type { Namespace, Project, PrismaClient } from '../generated/prisma/client.ts';

/** Full paths are unique case-insensitively in GitLab; lookups ignore case. */
export function findProjectByFullPath(prisma: PrismaClient, fullPath: string): Promise<Project | null> {
  return prisma.project.findFirst({ where: { fullPath: { equals: fullPath, mode: 'insensitive' } } });
}

export function findGroupByFullPath(prisma: PrismaClient, fullPath: string): Promise<Namespace | null> {
  return prisma.namespace.findFirst({ where: { kind: 'group', fullPath: { equals: fullPath, mode: 'insensitive' } } });
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
