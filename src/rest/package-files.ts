// What the package protocol endpoints (generic, npm, the web download) share: the storage they use,
// the project an `:id` names with GitLab's answers when the caller may not see it, the request body
// as a stream, the answer that sends a file, and the REST errors of a failed upload.
import type { Project } from '../generated/prisma/client.ts';
import type { Download } from '../domain/downloads.ts';
import { findProjectByFullPath, findProjectById } from '../domain/projects.ts';
import { canReadPackages, canReadProject, type ProjectFacts } from '../domain/policy.ts';
import { FileTooLarge, StorageError, type PackageStorage } from '../domain/storage/storage.ts';
import { UploadAbandoned, UploadIncomplete } from '../domain/uploads.ts';
import type { DomainCaches } from '../domain/caches.ts';
import type { Viewer } from '../domain/viewer.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { Response } from '../http.ts';
import { errors, RestError } from './errors.ts';

/** Where package files are stored and the largest one accepted (MAX_PACKAGE_FILE_BYTES). */
export interface PackageFiles {
  storage: PackageStorage;
  maxFileBytes: number;
}

/** GitLab's Basic realm for package registries (lib/api/helpers/packages/basic_auth_helpers.rb). */
export const packagesRealm = 'Basic realm="GitLab Packages Registry"';

/** `unauthorized!` as the package helpers answer it: 401 with the Basic realm. */
export const unauthorizedWithRealm = () => new RestError(401, { message: '401 Unauthorized' }, { 'WWW-Authenticate': packagesRealm });

/** The project an `:id` path parameter (as sent, encoded) names (a numeric id, or a full path containing `/`), or null. */
export async function findProjectParam(prisma: PrismaClient, raw: string, caches: DomainCaches): Promise<Project | null> {
  let id: string;
  try {
    id = decodeURIComponent(raw);
  } catch {
    return null;
  }
  if (/^\d+$/.test(id)) return findProjectById(prisma, Number(id), caches);
  return id.includes('/') ? findProjectByFullPath(prisma, id, caches) : null;
}

/**
 * The project for a package protocol request, as GitLab's BasicAuthHelpers#authorized_project_find!
 * answers: missing or unreadable, 401 (with the Basic realm) to anonymous callers and `404 Not Found`
 * to others; with `read_package`, a caller who sees the project but not its packages gets 403.
 */
export async function authorizedProject(
  env: { prisma: PrismaClient; viewer: Viewer; caches: DomainCaches },
  id: string,
  action: 'read_project' | 'read_package',
): Promise<Project> {
  const refuse = () => (env.viewer.kind === 'anonymous' ? unauthorizedWithRealm() : errors.notFound());
  const project = await findProjectParam(env.prisma, id, env.caches);
  if (!project) throw refuse();
  const facts = project as ProjectFacts;
  if (action === 'read_package' && !canReadPackages(env.viewer, facts)) {
    throw canReadProject(env.viewer, facts) ? errors.forbidden() : refuse();
  }
  if (!canReadProject(env.viewer, facts)) throw refuse();
  return project;
}

/** The request's body as a byte stream and its declared length (absent for a chunked body). */
export function requestBody(request: Request): { body: AsyncIterable<Uint8Array>; declaredBytes?: number } {
  const declared = request.headers.get('content-length');
  const body = (request.body ?? (async function* () {})()) as AsyncIterable<Uint8Array>;
  return declared !== null && /^\d+$/.test(declared) ? { body, declaredBytes: Number(declared) } : { body };
}

/** `413 Request Entity Too Large`, GitLab's `file_too_large!` (what Workhorse answers past the upload's maximum size). */
export const fileTooLarge = () => new RestError(413, { message: '413 Request Entity Too Large' });

/**
 * The REST error for a failed upload, or the error itself when it is not one an upload makes: too
 * large 413; a body that ended early or failed (the client went away) 400; the storage failing, or
 * the cleanup having taken the upload, 503.
 */
export function uploadError(error: unknown): unknown {
  if (error instanceof FileTooLarge) return fileTooLarge();
  if (error instanceof UploadIncomplete) return errors.apiError(400, `400 Bad request - ${error.message}`);
  if (error instanceof StorageError || error instanceof UploadAbandoned) return errors.apiError(503, '503 Service Unavailable');
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || (error as Error | undefined)?.name === 'AbortError') {
    return errors.apiError(400, '400 Bad request - the upload was cut off');
  }
  return error;
}

/** Refuses a declared length beyond the limit before any byte is read. */
export function checkDeclaredLength(declaredBytes: number | undefined, files: PackageFiles): void {
  if (declaredBytes !== undefined && declaredBytes > files.maxFileBytes) throw fileTooLarge();
}

/**
 * ActionDispatch::Http::ContentDisposition.format: `attachment; filename="<ASCII, others as ?>";
 * filename*=UTF-8''<percent-encoded>`.
 */
export function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '?').replace(/["\\]/g, '\\$&');
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/**
 * The answer that sends a file (GitLab's present_disk_file!): application/octet-stream as an
 * attachment under its file name, its length, `Content-Transfer-Encoding: binary`, plus `headers`.
 * For HEAD the body is closed unread.
 */
export function fileResponse(download: Download, headers: Record<string, string> = {}, head = false): Response {
  const { file, body } = download;
  if (head) body.destroy();
  // A generic file published under a path is stored as `path%2Fto%2Fname`: the download is `name`.
  const name = decodeURIComponentSafe(file.fileName).split('/').pop() || file.fileName;
  return new Response(head ? null : (body as unknown as ReadableStream), {
    status: 200,
    headers: {
      'Content-Type': 'application/octet-stream',
      'Content-Disposition': contentDisposition(name),
      'Content-Transfer-Encoding': 'binary',
      'Content-Length': String(file.size),
      ...headers,
    },
  });
}

const decodeURIComponentSafe = (value: string) => {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
};
