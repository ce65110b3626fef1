// The web route GitLab's frontend links a package file with (GraphQL `PackageFile.downloadPath`,
// GitLab's Projects::Packages::PackageFilesController#download): `/<project full path>/-/package_files/<id>/download`.
// Outside /api/v4, with the API's tokens, and GitLab's rule: read_package on the project.
import { openDownload } from '../domain/downloads.ts';
import { isStoredId } from '../domain/ids.ts';
import { canReadPackages, type ProjectFacts } from '../domain/policy.ts';
import { findProjectByFullPath } from '../domain/projects.ts';
import type { DomainCaches } from '../domain/caches.ts';
import type { Viewer } from '../domain/viewer.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { json } from '../http.ts';
import { fileResponse, type PackageFiles } from './package-files.ts';

/** `/<project full path>/-/package_files/<id>/download`: the project path and the file id. */
const downloadPath = /^\/(.+)\/-\/package_files\/(\d{1,12})\/download$/;

/** The project path and file id of a web download path, or null. */
export function matchPackageFileDownload(pathname: string): { projectPath: string; fileId: number } | null {
  const found = downloadPath.exec(pathname);
  if (!found) return null;
  try {
    return { projectPath: decodeURIComponent(found[1]!), fileId: Number(found[2]) };
  } catch {
    return null;
  }
}

const notFound = () => json(404, { message: '404 Not Found' });

/**
 * Sends the file: 404 (`{"message":"404 Not Found"}`) when the project is missing, the viewer may not
 * read its packages (GitLab's web answer to anyone without access; it sends anonymous browsers to the
 * sign-in page, which the gateway does not have), or the file is not one of the project's, is deleted
 * (pending destruction, itself or its package) or has no stored bytes. Updates the package's
 * last_downloaded_at.
 */
export async function servePackageFileDownload(
  env: { prisma: PrismaClient; viewer: Viewer; caches: DomainCaches; files?: PackageFiles },
  target: { projectPath: string; fileId: number },
  head: boolean,
) {
  const project = await findProjectByFullPath(env.prisma, target.projectPath, env.caches);
  if (!project || !canReadPackages(env.viewer, project as ProjectFacts)) return notFound();
  // An id no row can have (ids are PostgreSQL integers: 2147483648 and up) names no file: 404, as
  // GitLab answers any unknown file id, not an error of the query.
  if (!isStoredId(target.fileId)) return notFound();
  const file = await env.prisma.packageFile.findFirst({
    where: { id: target.fileId, status: { not: 'pending_destruction' }, package: { projectId: project.id, status: { not: 'pending_destruction' } } },
  });
  if (!file || !env.files) return notFound();
  const opened = await openDownload(env.prisma, env.files.storage, file);
  return opened ? fileResponse(opened, {}, head) : notFound();
}
