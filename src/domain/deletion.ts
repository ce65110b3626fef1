// Soft deletes (GitLab's MarkPackageForDestructionService and package-file destroy): a package and
// its files become pending_destruction; a file alone likewise. Every check runs before any write,
// and each call writes in one transaction.
import type { Package, PrismaClient, Project } from '../generated/prisma/client.ts';
import { recordAuditEvents, type AuditActor } from './audit.ts';
import { isStoredId } from './ids.ts';
import { installableFileStatuses } from './package-files.ts';
import { displayableStatuses, findListedPackage } from './packages.ts';
import { findProjectByFullPath } from './projects.ts';
import { canDestroyPackages, canReadPackages, canReadProject, projectAccessLevel } from './policy.ts';
import { isDeletionProtected } from './protection.ts';
import { canWrite, type Viewer } from './viewer.ts';

/**
 * A refusal GitLab's delete mutations report as a top-level GraphQL error (its
 * `raise_resource_not_available_error!`, Gitlab::Graphql::Authorize::AuthorizeResource), with this
 * message; nothing has been changed.
 */
export class MutationRefused extends Error {
  override name = 'MutationRefused';
}

/** GitLab's RESOURCE_ACCESS_ERROR: the object is missing, or the viewer may not act on it. */
export class NotFoundOrForbidden extends MutationRefused {
  override name = 'NotFoundOrForbidden';
  constructor() {
    super("The resource that you are attempting to access does not exist or you don't have permission to perform this action");
  }
}

/** GitLab's limit on ids per bulk delete mutation (MAX_PACKAGES, MAXIMUM_FILES). */
export const maxBulkDelete = 100;

export type PackageWithProject = Package & { project: Project };

/** Whether the viewer's access level on the package's project is below a matching rule's minimum. */
export async function isProtectedFor(prisma: PrismaClient, viewer: Viewer, pkg: PackageWithProject): Promise<boolean> {
  const rules = await prisma.packageProtectionRule.findMany({ where: { projectId: pkg.projectId, packageType: pkg.packageType } });
  return isDeletionProtected(rules, pkg, projectAccessLevel(viewer, pkg.project));
}

/**
 * Marks the packages and their files pending destruction, in one transaction, with one audit row per
 * package (GitLab's MarkPackageForDestructionService and its audit event). The change is conditional
 * (`status <> 'pending_destruction'`, under the rows' locks): of concurrent calls naming one package,
 * exactly one changes it. Resolves to the ids of the packages this call changed.
 */
export async function markPackagesForDestruction(prisma: PrismaClient, actor: AuditActor, packages: readonly PackageWithProject[]): Promise<number[]> {
  if (packages.length === 0) return [];
  const now = new Date();
  let emit = () => {};
  const changed = await prisma.$transaction(async (tx) => {
    // The status it had is kept for restorePackage (src/domain/restore.ts).
    const rows = await tx.$queryRaw<{ id: number }[]>`
      UPDATE packages_packages SET status_before_destruction = status, status = 'pending_destruction', updated_at = ${now}
      WHERE id = ANY(${packages.map((p) => p.id)}::int[]) AND status <> 'pending_destruction'
      RETURNING id`;
    const ids = new Set(rows.map((r) => r.id));
    if (ids.size === 0) return ids;
    // A statement of its own, after the packages' row locks are held: it also sees the files that an
    // upload to one of them committed while this transaction waited for the lock.
    await tx.packageFile.updateMany({
      where: { packageId: { in: [...ids] }, status: { not: 'pending_destruction' } },
      data: { status: 'pending_destruction', updatedAt: now },
    });
    const audited = packages.filter((p) => ids.has(p.id));
    emit = await recordAuditEvents(tx, actor, audited.map((p) => ({ eventName: 'package_registry_package_deleted', package: p })));
    return ids;
  });
  emit();
  return [...changed];
}

/**
 * Marks files pending destruction (those still installable: a conditional change, so of concurrent
 * calls naming one file exactly one changes it), with one audit row per file, in one transaction.
 * Resolves to the ids of the files this call changed.
 */
export async function markFilesForDestruction(
  prisma: PrismaClient,
  actor: AuditActor,
  files: ReadonlyArray<{ id: number; fileName: string; package: PackageWithProject }>,
): Promise<number[]> {
  if (files.length === 0) return [];
  let emit = () => {};
  const changed = await prisma.$transaction(async (tx) => {
    const rows = await tx.packageFile.updateManyAndReturn({
      where: { id: { in: files.map((f) => f.id) }, status: { in: installableFileStatuses } },
      data: { status: 'pending_destruction', updatedAt: new Date() },
      select: { id: true },
    });
    const ids = new Set(rows.map((r) => r.id));
    const audited = files.filter((f) => ids.has(f.id));
    emit = await recordAuditEvents(
      tx,
      actor,
      audited.map((f) => ({ eventName: 'package_registry_package_file_deleted', package: f.package, file: f })),
    );
    return ids;
  });
  emit();
  return [...changed];
}

/**
 * Whether the viewer may run mutations at all: GitLab's `Mutations::BaseMutation.authorized?`
 * (app/graphql/mutations/base_mutation.rb) asks for the global `execute_graphql_mutation` permission
 * (refused to anonymous users, app/policies/global_policy.rb) and a token with the `api` scope, before
 * the mutation's own checks run. Refused like a missing permission.
 */
export function mayRunMutations(viewer: Viewer): boolean {
  return viewer.kind === 'user' && canWrite(viewer);
}

function checkMayRunMutations(viewer: Viewer): void {
  if (!mayRunMutations(viewer)) throw new NotFoundOrForbidden();
}

/** Names of the protected packages, in the order given, each once; and the ids of the others. */
async function splitProtected(
  prisma: PrismaClient,
  viewer: Viewer,
  packages: readonly PackageWithProject[],
): Promise<{ protectedNames: string[]; deletable: Set<number> }> {
  const projectIds = [...new Set(packages.map((p) => p.projectId))];
  const rules = projectIds.length
    ? await prisma.packageProtectionRule.findMany({ where: { projectId: { in: projectIds } } })
    : [];
  const protectedNames: string[] = [];
  const deletable = new Set<number>();
  for (const pkg of packages) {
    const projectRules = rules.filter((r) => r.projectId === pkg.projectId);
    if (isDeletionProtected(projectRules, pkg, projectAccessLevel(viewer, pkg.project))) {
      if (!protectedNames.includes(pkg.name)) protectedNames.push(pkg.name);
    } else {
      deletable.add(pkg.id);
    }
  }
  return { protectedNames, deletable };
}

/**
 * `destroyPackage`, in the order of GitLab's Mutations::Packages::Destroy
 * (app/graphql/mutations/packages/destroy.rb): the viewer may run mutations; `authorized_find!` (the
 * package exists, in any status, and the viewer has `destroy_package` on it), else NotFoundOrForbidden;
 * deletion protection (`protected: true`, nothing changed); then the package and its files are marked
 * pending destruction (MarkPackageForDestructionService).
 */
export async function destroyPackage(prisma: PrismaClient, actor: AuditActor, id: number): Promise<{ protected: boolean }> {
  const { viewer } = actor;
  checkMayRunMutations(viewer);
  const pkg = isStoredId(id) ? await prisma.package.findUnique({ where: { id }, include: { project: true } }) : null;
  if (!pkg || !canDestroyPackages(viewer, pkg.project)) throw new NotFoundOrForbidden();
  if (await isProtectedFor(prisma, viewer, pkg)) return { protected: true };
  // A package already pending destruction stays so (GitLab's service sets the status again): no change, no audit row.
  await markPackagesForDestruction(prisma, actor, [pkg]);
  return { protected: false };
}

/**
 * `destroyPackages`, in the order of GitLab's Mutations::Packages::BulkDestroy
 * (app/graphql/mutations/packages/bulk_destroy.rb), which declares no `authorize`:
 * 1. the viewer may run mutations (BaseMutation.authorized?), else NotFoundOrForbidden;
 * 2. more than 100 ids: `Cannot delete more than 100 packages`, before any id is looked up or
 *    authorized (so also for a viewer who may delete none of them);
 * 3. every id names a package GitLab's bulk delete finds (`Packages::Package.displayable`: status
 *    DEFAULT, ERROR or DEPRECATED) and the viewer has `destroy_package` on each, else
 *    NotFoundOrForbidden: a mix of deletable and other ids changes nothing. GitLab drops unknown ids
 *    and checks permissions per batch of 20 (MarkPackagesForDestructionService), after filtering
 *    protected packages out; the gateway checks every id before anything (one call, all or none);
 * 4. deletion protection: protected packages are skipped and their names returned (in id order, as
 *    GitLab's `find_each`); the others are marked pending destruction in one transaction.
 */
export async function destroyPackagesInBulk(prisma: PrismaClient, actor: AuditActor, ids: readonly number[]): Promise<{ protectedNames: string[] }> {
  const { viewer } = actor;
  checkMayRunMutations(viewer);
  if (ids.length > maxBulkDelete) throw new MutationRefused(`Cannot delete more than ${maxBulkDelete} packages`);
  const unique = [...new Set(ids)];
  if (!unique.every(isStoredId)) throw new NotFoundOrForbidden();
  const packages = await prisma.package.findMany({
    where: { id: { in: unique }, status: { in: displayableStatuses } },
    include: { project: true },
    orderBy: { id: 'asc' },
  });
  if (packages.length !== unique.length || !packages.every((p) => canDestroyPackages(viewer, p.project))) {
    throw new NotFoundOrForbidden();
  }
  const { protectedNames, deletable } = await splitProtected(prisma, viewer, packages);
  // Packages a concurrent call marked meanwhile are left to it (each is deleted, and audited, once).
  await markPackagesForDestruction(prisma, actor, packages.filter((p) => deletable.has(p.id)));
  return { protectedNames };
}

/**
 * `destroyPackageFile`, in the order of GitLab's Mutations::Packages::DestroyFile
 * (app/graphql/mutations/packages/destroy_file.rb): the viewer may run mutations; `authorized_find!`
 * (the file exists with status DEFAULT, and the viewer has `destroy_package` on its project), else
 * NotFoundOrForbidden; deletion protection of its package (`protected: true`, nothing changed); then
 * the file is marked pending destruction.
 */
export async function destroyPackageFile(prisma: PrismaClient, actor: AuditActor, id: number): Promise<{ protected: boolean }> {
  const { viewer } = actor;
  checkMayRunMutations(viewer);
  const file = isStoredId(id)
    ? await prisma.packageFile.findFirst({
        where: { id, status: { in: installableFileStatuses } },
        include: { package: { include: { project: true } } },
      })
    : null;
  if (!file || !canDestroyPackages(viewer, file.package.project)) throw new NotFoundOrForbidden();
  if (await isProtectedFor(prisma, viewer, file.package)) return { protected: true };
  // Deleted by a concurrent call since it was found: as if it had not been found.
  if ((await markFilesForDestruction(prisma, actor, [file])).length === 0) throw new NotFoundOrForbidden();
  return { protected: false };
}

/**
 * `destroyPackageFiles`, in the order of GitLab's Mutations::Packages::DestroyFiles
 * (app/graphql/mutations/packages/destroy_files.rb):
 * 1. the viewer may run mutations (BaseMutation.authorized?), else NotFoundOrForbidden;
 * 2. `authorized_find!(project_path)`: the project exists and the viewer has `destroy_package` on it,
 *    else NotFoundOrForbidden (before the ids are counted);
 * 3. more than 100 ids: `Cannot delete more than 100 files`;
 * 4. `ensure_file_access!`: the ids name files (status DEFAULT) all in that project, else
 *    `All files must be in the requested project`, whoever may see the other project. GitLab ignores
 *    unknown ids unless none is known; the gateway refuses any id that names no file (all or none);
 * 5. deletion protection per package (`filter_protected_files`): files of protected packages are
 *    skipped and the package names returned once each; the other files are marked pending destruction.
 */
export async function destroyPackageFilesInProject(
  prisma: PrismaClient,
  actor: AuditActor,
  projectPath: string,
  ids: readonly number[],
): Promise<{ protectedNames: string[] }> {
  const { viewer } = actor;
  checkMayRunMutations(viewer);
  const project = await findProjectByFullPath(prisma, projectPath);
  if (!project || !canDestroyPackages(viewer, project)) throw new NotFoundOrForbidden();
  if (ids.length > maxBulkDelete) throw new MutationRefused(`Cannot delete more than ${maxBulkDelete} files`);
  const outside = () => new MutationRefused('All files must be in the requested project');
  const unique = [...new Set(ids)];
  if (unique.length === 0 || !unique.every(isStoredId)) throw outside();
  const files = await prisma.packageFile.findMany({
    where: { id: { in: unique }, status: { in: installableFileStatuses } },
    include: { package: true },
    orderBy: { id: 'asc' },
  });
  if (files.length !== unique.length || files.some((f) => f.package.projectId !== project.id)) throw outside();
  const packages = [...new Map(files.map((f) => [f.packageId, { ...f.package, project }])).values()];
  const { protectedNames, deletable } = await splitProtected(prisma, viewer, packages);
  const byPackage = new Map(packages.map((p) => [p.id, p]));
  const marked = files.filter((f) => deletable.has(f.packageId)).map((f) => ({ ...f, package: byPackage.get(f.packageId)! }));
  await markFilesForDestruction(prisma, actor, marked);
  return { protectedNames };
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

/**
 * Checks common to both deletes (and to restorePackage): the token may write, the project is visible,
 * the viewer may delete there. Throws DeleteRefused; returns the project.
 */
export function checkProjectForDelete(viewer: Viewer, project: Project | null): Project {
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
export async function destroyProjectPackage(prisma: PrismaClient, actor: AuditActor, request: ScopedDelete): Promise<{ protected: boolean }> {
  const { viewer } = actor;
  const project = checkProjectForDelete(viewer, request.project);
  const pkg = await packageInProject(prisma, project, request.packageId);
  if (modifiedSince(pkg.updatedAt, request.unmodifiedSince)) throw new DeleteRefused('PRECONDITION_FAILED');
  if (await isProtectedFor(prisma, viewer, pkg)) return { protected: true };
  // Deleted by a concurrent request since it was found: 404, as the later requests of a sequence get.
  if ((await markPackagesForDestruction(prisma, actor, [pkg])).length === 0) throw new DeleteRefused('PACKAGE_NOT_FOUND');
  return { protected: false };
}

/**
 * Deletes (soft) one file of a package of a project with GitLab's REST checks, in its order: project,
 * delete permission, package, deletion protection (before the file is looked up), file,
 * If-Unmodified-Since.
 */
export async function destroyProjectPackageFile(
  prisma: PrismaClient,
  actor: AuditActor,
  request: ScopedDelete & { fileId: number },
): Promise<{ protected: boolean }> {
  const { viewer } = actor;
  const project = checkProjectForDelete(viewer, request.project);
  const pkg = await packageInProject(prisma, project, request.packageId);
  if (await isProtectedFor(prisma, viewer, pkg)) return { protected: true };
  const file = isStoredId(request.fileId)
    ? await prisma.packageFile.findFirst({ where: { id: request.fileId, packageId: pkg.id, status: { in: installableFileStatuses } } })
    : null;
  if (!file) throw new DeleteRefused('PACKAGE_FILE_NOT_FOUND');
  if (modifiedSince(file.updatedAt, request.unmodifiedSince)) throw new DeleteRefused('PRECONDITION_FAILED');
  if ((await markFilesForDestruction(prisma, actor, [{ ...file, package: pkg }])).length === 0) throw new DeleteRefused('PACKAGE_FILE_NOT_FOUND');
  return { protected: false };
}
