// Soft deletes (GitLab's MarkPackageForDestructionService and package-file destroy): a package and
// its files become pending_destruction; a file alone likewise. Every check runs before any write,
// and each call writes in one transaction.
import type { Package, PackageFile, PrismaClient, Project } from '../generated/prisma/client.ts';
import { isStoredId } from './ids.ts';
import { installableFileStatuses } from './package-files.ts';
import { findListedPackage } from './packages.ts';
import { canDestroyPackages, canReadPackages, canReadProject, projectAccessLevel } from './policy.ts';
import { isDeletionProtected } from './protection.ts';
import { canWrite, type Viewer } from './viewer.ts';

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
  // A read_api token never deletes: refused like a missing permission, before any lookup.
  if (!canWrite(viewer)) throw new NotFoundOrForbidden();
  const unique = [...new Set(ids)];
  if (!unique.every(isStoredId)) throw new NotFoundOrForbidden();
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
  if (!canWrite(viewer)) throw new NotFoundOrForbidden();
  const unique = [...new Set(ids)];
  if (!unique.every(isStoredId)) throw new NotFoundOrForbidden();
  const files = await prisma.packageFile.findMany({
    where: { id: { in: unique }, status: 'default' },
    include: { package: { include: { project: true } } },
  });
  if (files.length !== unique.length || !files.every((f) => canDestroyPackages(viewer, f.package.project))) {
    throw new NotFoundOrForbidden();
  }
  return files;
}

/**
 * Why a delete of one package (or one of its files) in a given project was refused, in the order
 * GitLab's REST API checks (spec rest.md 3.6, 3.7).
 */
export type DeleteRefusal =
  | 'INSUFFICIENT_SCOPE'
  | 'PROJECT_NOT_FOUND'
  | 'FORBIDDEN'
  | 'PACKAGE_NOT_FOUND'
  | 'PACKAGE_FILE_NOT_FOUND'
  | 'PRECONDITION_FAILED';

export class DeleteRefused extends Error {
  override name = 'DeleteRefused';
  constructor(readonly code: DeleteRefusal) {
    super(
      code === 'PRECONDITION_FAILED'
        ? 'The resource was modified after the given time'
        : code === 'INSUFFICIENT_SCOPE'
          ? 'The request requires higher privileges than provided by the access token.'
          : "The resource that you are attempting to access does not exist or you don't have permission to perform this action",
    );
  }
}

export interface ScopedDelete {
  /** The project named by the request, null when missing. */
  project: Project | null;
  packageId: number;
  /** Refuse when the object changed after this time (HTTP If-Unmodified-Since). */
  unmodifiedSince?: Date | null;
}

/** Checks common to both deletes: the token may write, the project is visible, the viewer may delete there. */
function checkProject(viewer: Viewer, project: Project | null): Project {
  if (!canWrite(viewer)) throw new DeleteRefused('INSUFFICIENT_SCOPE');
  if (!project || !canReadProject(viewer, project)) throw new DeleteRefused('PROJECT_NOT_FOUND');
  // Checked before the package is looked up: a developer deleting a missing package is refused too.
  if (!canReadPackages(viewer, project) || !canDestroyPackages(viewer, project)) throw new DeleteRefused('FORBIDDEN');
  return project;
}

/** The package GitLab's REST API finds by id in a project: one of the listed statuses. */
async function packageInProject(prisma: PrismaClient, project: Project, packageId: number): Promise<PackageWithProject> {
  const pkg = await findListedPackage(prisma, project.id, packageId);
  if (!pkg) throw new DeleteRefused('PACKAGE_NOT_FOUND');
  return { ...pkg, project };
}

const modifiedSince = (updatedAt: Date, since: Date | null | undefined) => since != null && updatedAt > since;

/**
 * Deletes (soft) one package of a project with GitLab's REST checks, in its order: project, delete
 * permission, package, If-Unmodified-Since, deletion protection. Returns `protected: true` (and
 * changes nothing) when a protection rule blocks the viewer; throws DeleteRefused otherwise.
 */
export async function destroyProjectPackage(prisma: PrismaClient, viewer: Viewer, request: ScopedDelete): Promise<{ protected: boolean }> {
  const project = checkProject(viewer, request.project);
  const pkg = await packageInProject(prisma, project, request.packageId);
  if (modifiedSince(pkg.updatedAt, request.unmodifiedSince)) throw new DeleteRefused('PRECONDITION_FAILED');
  if (await isProtectedFor(prisma, viewer, pkg)) return { protected: true };
  await markPackagesForDestruction(prisma, [pkg.id]);
  return { protected: false };
}

/**
 * Deletes (soft) one file of a package of a project with GitLab's REST checks, in its order: project,
 * delete permission, package, deletion protection (before the file is looked up), file,
 * If-Unmodified-Since.
 */
export async function destroyProjectPackageFile(
  prisma: PrismaClient,
  viewer: Viewer,
  request: ScopedDelete & { fileId: number },
): Promise<{ protected: boolean }> {
  const project = checkProject(viewer, request.project);
  const pkg = await packageInProject(prisma, project, request.packageId);
  if (await isProtectedFor(prisma, viewer, pkg)) return { protected: true };
  const file = isStoredId(request.fileId)
    ? await prisma.packageFile.findFirst({ where: { id: request.fileId, packageId: pkg.id, status: { in: installableFileStatuses } } })
    : null;
  if (!file) throw new DeleteRefused('PACKAGE_FILE_NOT_FOUND');
  if (modifiedSince(file.updatedAt, request.unmodifiedSince)) throw new DeleteRefused('PRECONDITION_FAILED');
  await markFilesForDestruction(prisma, [file.id]);
  return { protected: false };
}
