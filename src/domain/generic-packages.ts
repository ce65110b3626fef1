// GitLab's generic package registry (lib/api/generic_packages.rb and
// app/services/packages/generic/create_package_file_service.rb): files under a name and a version,
// added one PUT at a time, fetched by file name.
import type { Readable } from 'node:stream';
import type { PackageFile, PackageStatus, Prisma, Project } from '../generated/prisma/client.ts';
import { recordAuditEvents, type AuditActor } from './audit.ts';
import { duplicatesAllowed } from './package-settings.ts';
import { canCreatePackages, projectAccessLevel, type ProjectFacts } from './policy.ts';
import { isPushProtected } from './protection.ts';
import { lockPackageCoordinate, storeUpload, type UploadTarget } from './uploads.ts';
import type { Viewer } from './viewer.ts';

// Gitlab::Regex::Packages (lib/gitlab/regex/packages.rb).
/** `generic_package_name_regex` (= maven_file_name_regex). */
export const genericPackageNameRegex = /^[A-Za-z0-9._\-+]+$/;
/** `generic_package_version_regex` (= maven_version_regex): word characters, `+`, `.`, `-`, no `..`. */
export const genericPackageVersionRegex = /^(?!.*\.\.)[A-Za-z0-9_+.-]+$/;
/** `generic_package_file_name_regex`: `~` and `@` allowed, but not first or last (GitLab 17.x). */
export const genericPackageFileNameRegex = /^(?![~@])[A-Za-z0-9._\-+~@]+(?<![~@])$/;

/** The statuses a PUT may give (ALLOWED_STATUSES). */
export const genericUploadStatuses = ['default', 'hidden'] as const;

/** Why a publish was refused, as GitLab's API answers it; nothing was stored. */
export class PublishRefused extends Error {
  override name = 'PublishRefused';
  constructor(readonly reason: 'forbidden' | 'protected' | 'duplicate') {
    super(reason);
  }
}

export interface GenericUpload {
  project: Project;
  /** The publisher, as the audit log names it. */
  actor: AuditActor;
  name: string;
  version: string;
  /** The stored file name (GitLab's `encoded_file_name`: `path/` and the file name, when a path is given). */
  fileName: string;
  /** The package's new status, when the PUT gives one. */
  status?: (typeof genericUploadStatuses)[number];
  body: Readable | AsyncIterable<Uint8Array>;
  /** The request's Content-Length, when it declared one. */
  declaredBytes?: number;
}

type Tx = Prisma.TransactionClient;

async function isProtected(tx: Pick<Tx, 'packageProtectionRule'>, viewer: Viewer, project: Project, name: string): Promise<boolean> {
  const rules = await tx.packageProtectionRule.findMany({ where: { projectId: project.id, packageType: 'generic' } });
  return isPushProtected(rules, { name, packageType: 'generic' }, projectAccessLevel(viewer, project));
}

/** The package of this name and version that is not pending destruction, locked until the transaction ends. */
async function lockedPackage(tx: Tx, projectId: number, name: string, version: string): Promise<{ id: number; status: PackageStatus } | null> {
  const rows = await tx.$queryRaw<{ id: number; status: PackageStatus }[]>`
    SELECT id, status::text AS status FROM packages_packages
    WHERE project_id = ${projectId} AND package_type = 'generic' AND name = ${name} AND version = ${version}
      AND status <> 'pending_destruction'
    ORDER BY id DESC LIMIT 1 FOR UPDATE`;
  return rows[0] ?? null;
}

async function isDuplicate(tx: Pick<Tx, 'packageFile' | 'namespacePackageSetting'>, project: Project, packageId: number | undefined, upload: GenericUpload): Promise<boolean> {
  if (packageId === undefined) return false;
  if (await duplicatesAllowed(tx, project.namespaceId, 'generic', upload)) return false;
  const existing = await tx.packageFile.findFirst({
    where: { packageId, fileName: upload.fileName, status: { not: 'pending_destruction' } },
    select: { id: true },
  });
  return existing !== null;
}

/**
 * Publishes one file of a generic package (GitLab's CreatePackageFileService): the caller needs
 * `create_package` (developer+), no push protection rule may match, and when the namespace forbids
 * duplicates the package may not already have a file of this name. The package (name, version, not
 * pending destruction) is found or created; a given status is set on it. Refusals come before the
 * body is read and are checked again, under a lock on the package, when the file is committed.
 * Resolves to the file's row. Throws PublishRefused, or storeUpload's errors (FileTooLarge,
 * UploadIncomplete, the body's error); nothing is kept on any throw.
 */
export async function publishGenericFile(target: UploadTarget, upload: GenericUpload): Promise<PackageFile> {
  const { prisma } = target;
  const { project, actor, name, version } = upload;
  const { viewer } = actor;
  let audited = () => {};
  if (!canCreatePackages(viewer, project as ProjectFacts)) throw new PublishRefused('forbidden');
  if (await isProtected(prisma, viewer, project, name)) throw new PublishRefused('protected');
  const existing = await prisma.package.findFirst({
    where: { projectId: project.id, packageType: 'generic', name, version, status: { not: 'pending_destruction' } },
    select: { id: true },
  });
  if (await isDuplicate(prisma, project, existing?.id, upload)) throw new PublishRefused('duplicate');

  const file = await storeUpload(
    target,
    upload.body,
    async (tx, stored) => {
      await lockPackageCoordinate(tx, { projectId: project.id, packageType: 'generic', name, version });
      if (await isProtected(tx, viewer, project, name)) throw new PublishRefused('protected');
      const found = await lockedPackage(tx, project.id, name, version);
      if (await isDuplicate(tx, project, found?.id, upload)) throw new PublishRefused('duplicate');
      let packageId: number;
      if (found) {
        packageId = found.id;
        if (upload.status && upload.status !== found.status) await tx.package.update({ where: { id: packageId }, data: { status: upload.status } });
      } else {
        const creatorId = viewer.kind === 'user' ? viewer.id : null;
        const created = await tx.package.create({
          data: { projectId: project.id, name, version, packageType: 'generic', status: upload.status ?? 'default', creatorId },
          select: { id: true },
        });
        packageId = created.id;
      }
      const created = await tx.packageFile.create({
        data: {
          packageId,
          fileName: upload.fileName,
          size: BigInt(stored.size),
          fileMd5: stored.md5,
          fileSha1: stored.sha1,
          fileSha256: stored.sha256,
          objectKey: stored.objectKey,
        },
      });
      // Every file a PUT adds is a publish (GitLab audits package_registry_package_published per upload).
      const audit = { id: packageId, name, version, packageType: 'generic' as const, project };
      audited = await recordAuditEvents(tx, actor, [{ eventName: 'package_registry_package_published', package: audit }]);
      return created;
    },
    upload.declaredBytes === undefined ? {} : { declaredBytes: upload.declaredBytes },
  );
  audited();
  return file;
}

/**
 * The file a generic download serves (Packages::Generic::PackageFinder, then PackageFileFinder): the
 * newest installable package (status default or hidden) of this exact name and version, and its
 * newest file of this name with status default; null when there is none.
 */
export async function findGenericPackageFile(
  prisma: Pick<Tx, 'packageFile'>,
  projectId: number,
  name: string,
  version: string,
  fileName: string,
): Promise<PackageFile | null> {
  return prisma.packageFile.findFirst({
    where: {
      fileName,
      status: 'default',
      package: { projectId, packageType: 'generic', name, version, status: { in: ['default', 'hidden'] } },
    },
    orderBy: [{ packageId: 'desc' }, { id: 'desc' }],
  });
}
