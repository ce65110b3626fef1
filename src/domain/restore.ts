// Restoring a deleted package (beyond GitLab, whose registry cannot undo a delete): a package marked
// pending_destruction, whose bytes the cleanup (src/domain/cleanup.ts) has not yet removed, gets back
// the status it had and the files that were deleted with it. Files deleted one by one before the
// package stay deleted.
import type { PrismaClient, Project } from '../generated/prisma/client.ts';
import { recordAuditEvents, type AuditActor } from './audit.ts';
import { checkProjectForDelete, DeleteRefused, isProtectedFor } from './deletion.ts';
import { isStoredId } from './ids.ts';
import { deletionProtectedMessage } from './protection.ts';
import { lockPackageCoordinate } from './uploads.ts';

/**
 * A deleted package may be restored until this many seconds before the cleanup may take it, so that a
 * restore never races the cleanup of its files (every process's cleanup takes a package's files at
 * once, PACKAGE_CLEANUP_DELAY_SECONDS after the delete).
 */
export const restoreMarginSeconds = 60;

/** How long after its delete a package can be restored, in seconds, given the cleanup delay (never negative). */
export function restoreWindowSeconds(cleanupDelaySeconds: number): number {
  return Math.max(0, cleanupDelaySeconds - restoreMarginSeconds);
}

/** Why a restore changed nothing although the viewer may restore the package: the payload's `errors`. */
export const restoreRefusals = {
  protected: deletionProtectedMessage,
  cleanedUp: 'Package has been cleaned up and can no longer be restored.',
  exists: (name: string, version: string | null) => `Package '${name}' version '${version ?? ''}' already exists.`,
};

export interface RestoreRequest {
  /** The project the package must belong to; `undefined`: the package's own project. `null`: a project that was named and not found. */
  project?: Project | null;
  packageId: number;
  /** How long after its delete the package can be restored (restoreWindowSeconds), in seconds; Infinity: no limit. */
  windowSeconds: number;
  /** The clock (tests). */
  now?: Date;
}

/**
 * Restores one package marked pending_destruction, with the checks of a delete (GitLab's REST order:
 * token scope, project, Maintainer or higher, package) and then, reported as `errors` with nothing
 * changed: deletion protection, the restore window (past it, "cleaned up"), and another package of the
 * same project, type, name and version that is not deleted (a re-publish since the delete).
 *
 * Throws DeleteRefused: INSUFFICIENT_SCOPE, PROJECT_NOT_FOUND, FORBIDDEN, or PACKAGE_NOT_FOUND (no
 * such package pending destruction in the project, or one the viewer may not read, or one a
 * concurrent restore took first). In one transaction, under the package coordinate's lock (the one
 * uploads take): the package gets its status from before the delete (`default` when unknown), its
 * files marked with it (updated at or after the package's delete) get `default`, and one audit row
 * (package_registry_package_restored) is written. Resolves to `errors` (empty when restored).
 */
export async function restorePackage(prisma: PrismaClient, actor: AuditActor, request: RestoreRequest): Promise<string[]> {
  const { viewer } = actor;
  const pkg = isStoredId(request.packageId)
    ? await prisma.package.findFirst({ where: { id: request.packageId, status: 'pending_destruction' }, include: { project: true } })
    : null;
  const named = request.project !== undefined;
  let project: Project;
  try {
    project = checkProjectForDelete(viewer, named ? (request.project ?? null) : (pkg?.project ?? null));
  } catch (error) {
    // No project named: a package the viewer cannot see is a package not found.
    if (!named && error instanceof DeleteRefused && error.code === 'PROJECT_NOT_FOUND') throw new DeleteRefused('PACKAGE_NOT_FOUND');
    throw error;
  }
  if (!pkg || pkg.projectId !== project.id) throw new DeleteRefused('PACKAGE_NOT_FOUND');
  const withProject = { ...pkg, project };
  if (await isProtectedFor(prisma, viewer, withProject)) return [restoreRefusals.protected];
  const now = request.now ?? new Date();
  const deletedAfter = Number.isFinite(request.windowSeconds) ? new Date(now.getTime() - request.windowSeconds * 1000) : new Date(0);
  if (pkg.updatedAt < deletedAfter) return [restoreRefusals.cleanedUp];

  let emit = () => {};
  const errors = await prisma.$transaction(async (tx) => {
    await lockPackageCoordinate(tx, pkg);
    const other = await tx.package.findFirst({
      where: {
        id: { not: pkg.id },
        projectId: pkg.projectId,
        packageType: pkg.packageType,
        name: pkg.name,
        version: pkg.version,
        status: { not: 'pending_destruction' },
      },
      select: { id: true },
    });
    if (other) return [restoreRefusals.exists(pkg.name, pkg.version)];
    // Conditional: of concurrent restores one changes the row, and none after the window has closed.
    const rows = await tx.$queryRaw<{ id: number }[]>`
      UPDATE packages_packages SET status = COALESCE(status_before_destruction, 'default'), status_before_destruction = NULL, updated_at = ${now}
      WHERE id = ${pkg.id} AND status = 'pending_destruction' AND updated_at >= ${deletedAfter}
      RETURNING id`;
    if (rows.length === 0) throw new DeleteRefused('PACKAGE_NOT_FOUND');
    await tx.packageFile.updateMany({
      where: { packageId: pkg.id, status: 'pending_destruction', updatedAt: { gte: pkg.updatedAt } },
      data: { status: 'default', updatedAt: now },
    });
    emit = await recordAuditEvents(tx, actor, [{ eventName: 'package_registry_package_restored', package: withProject }]);
    return [];
  });
  emit();
  return errors;
}
