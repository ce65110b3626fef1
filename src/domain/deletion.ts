// Soft deletes (GitLab's MarkPackageForDestructionService and package-file destroy): a package and
// its files become pending_destruction; a file alone likewise. Every check runs before any write,
// and each call writes in one transaction.
import type { Package, PackageFile, PrismaClient, Project } from '../generated/prisma/client.ts';
import { canDestroyPackages, projectAccessLevel } from './policy.ts';
import { isDeletionProtected } from './protection.ts';
import type { Viewer } from './viewer.ts';

export class NotFoundOrForbidden extends Error {
  override name = 'NotFoundOrForbidden';
  constructor() {
    super("The resource that you are attempting to access does not exist or you don't have permission to perform this action");
  }
}

export type PackageWithProject = Package & { project: Project };

/** Whether the viewer's access level on the package's project is below a matching rule's minimum. */
export async function isProtectedFor(prisma: PrismaClient, viewer: Viewer, pkg: PackageWithProject): Promise<boolean> {
  const rules = await prisma.packageProtectionRule.findMany({ where: { projectId: pkg.projectId, packageType: pkg.packageType } });
  return isDeletionProtected(rules, pkg, projectAccessLevel(viewer, pkg.project));
}

/** Marks packages (and their files) pending destruction in one transaction. */
export async function markPackagesForDestruction(prisma: PrismaClient, packageIds: number[]): Promise<void> {
  if (packageIds.length === 0) return;
  const now = new Date();
  await prisma.$transaction([
    prisma.package.updateMany({ where: { id: { in: packageIds } }, data: { status: 'pending_destruction', updatedAt: now } }),
    prisma.packageFile.updateMany({
      where: { packageId: { in: packageIds }, status: { not: 'pending_destruction' } },
      data: { status: 'pending_destruction', updatedAt: now },
    }),
  ]);
}

export async function markFilesForDestruction(prisma: PrismaClient, fileIds: number[]): Promise<void> {
  if (fileIds.length === 0) return;
  await prisma.packageFile.updateMany({
    where: { id: { in: fileIds } },
    data: { status: 'pending_destruction', updatedAt: new Date() },
  });
}

/**
 * Deletes packages for the GraphQL mutations: every id must name a package the viewer may delete
 * (else nothing changes and NotFoundOrForbidden is thrown); protected packages are skipped and named
 * in the returned errors; the rest are marked in one transaction.
 */
export async function destroyPackages(prisma: PrismaClient, viewer: Viewer, ids: number[]): Promise<{ errors: string[] }> {
  const unique = [...new Set(ids)];
  const packages = await prisma.package.findMany({ where: { id: { in: unique } }, include: { project: true } });
  if (packages.length !== unique.length || !packages.every((p) => canDestroyPackages(viewer, p.project))) {
    throw new NotFoundOrForbidden();
  }
  const rules = await prisma.packageProtectionRule.findMany({
    where: { projectId: { in: [...new Set(packages.map((p) => p.projectId))] } },
  });
  const errors: string[] = [];
  const deletable: number[] = [];
  for (const pkg of packages) {
    const projectRules = rules.filter((r) => r.projectId === pkg.projectId);
    if (isDeletionProtected(projectRules, pkg, projectAccessLevel(viewer, pkg.project))) errors.push(pkg.name);
    else deletable.push(pkg.id);
  }
  await markPackagesForDestruction(prisma, deletable);
  return { errors };
}

export type FileWithPackage = PackageFile & { package: PackageWithProject };

/** Loads files with their packages and projects, checking the viewer may delete each; throws otherwise. */
export async function deletableFiles(prisma: PrismaClient, viewer: Viewer, ids: number[]): Promise<FileWithPackage[]> {
  const unique = [...new Set(ids)];
  const files = await prisma.packageFile.findMany({
    where: { id: { in: unique }, status: 'default' },
    include: { package: { include: { project: true } } },
  });
  if (files.length !== unique.length || !files.every((f) => canDestroyPackages(viewer, f.package.project))) {
    throw new NotFoundOrForbidden();
  }
  return files;
}
