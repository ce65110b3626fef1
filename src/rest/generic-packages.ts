// GitLab's generic packages API (lib/api/generic_packages.rb): PUT a file under a name and a version,
// GET it back. The bytes stream through the package storage; the rules live in
// src/domain/generic-packages.ts.
import type { PackageFile, Project } from '../generated/prisma/client.ts';
import { openDownload } from '../domain/downloads.ts';
import {
  findGenericPackageFile,
  genericPackageFileNameRegex,
  genericPackageNameRegex,
  genericPackageVersionRegex,
  genericUploadStatuses,
  publishGenericFile,
  PublishRefused,
} from '../domain/generic-packages.ts';
import { errors } from './errors.ts';
import { json } from '../http.ts';
import { authorizedProject, checkDeclaredLength, fileResponse, requestBody, unauthorizedWithRealm, uploadError } from './package-files.ts';
import { param, parseQuery, validateParams, type ParamSpec } from './params.ts';
import type { ProtocolContext, ProtocolRoute } from './protocols.ts';

// GitLab: `:package_name/*package_version/(*path/):file_name`, the version matched lazily.
const genericPath = /^\/projects\/([^/]+)\/packages\/generic\/([^/]+)\/(.+?)\/(?:(.+)\/)?([^/]+)$/;

const pathParams: ParamSpec[] = [
  param.string('package_name', { required: true, regexp: genericPackageNameRegex, filePath: true }),
  param.string('package_version', { required: true, regexp: genericPackageVersionRegex }),
  param.string('path', { filePath: true }),
  param.string('file_name', { required: true, regexp: genericPackageFileNameRegex, filePath: true }),
];
const putParams: ParamSpec[] = [
  ...pathParams,
  param.string('status', { values: genericUploadStatuses }),
  param.string('select', { values: ['package_file'] }),
];

const decode = (part: string | undefined) => {
  if (part === undefined) return undefined;
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
};

/** The validated parameters of a generic path (400 with Grape's messages) and the stored file name. */
function genericParams(context: ProtocolContext, groups: string[], specs: ParamSpec[]) {
  const [, , name, version, path, fileName] = groups;
  const raw: Record<string, string> = { ...(parseQuery(context.url.search) as Record<string, string>) };
  raw.package_name = decode(name)!;
  raw.package_version = decode(version)!;
  raw.file_name = decode(fileName)!;
  if (path !== undefined) raw.path = decode(path)!;
  else delete raw.path;
  const { params } = validateParams(specs, raw);
  const p = params as Record<string, string | undefined>;
  // GitLab's encoded_file_name: with a path, `path/file_name` URI-encoded as one component.
  const storedName = p.path ? encodeURIComponent(`${p.path}/${p.file_name}`) : p.file_name!;
  return { name: p.package_name!, version: p.package_version!, fileName: storedName, status: p.status, select: p.select };
}

/** GitLab's `present response[:package_file]`: the file record as Rails serialises the model. */
function packageFileRecord(file: PackageFile, project: Project, storageKind: 'directory' | 's3') {
  return {
    id: file.id,
    package_id: file.packageId,
    created_at: file.createdAt,
    updated_at: file.updatedAt,
    size: Number(file.size),
    file_store: storageKind === 's3' ? 2 : 1,
    file_md5: file.fileMd5,
    file_sha1: file.fileSha1,
    file_name: file.fileName,
    file: { url: null },
    file_sha256: file.fileSha256,
    verification_retry_at: null,
    verified_at: null,
    verification_failure: null,
    verification_retry_count: null,
    verification_checksum: null,
    verification_state: 0,
    verification_started_at: null,
    status: file.status,
    file_final_path: null,
    project_id: project.id,
    new_file_path: null,
  };
}

async function upload(context: ProtocolContext, groups: string[]): Promise<Response> {
  const { env } = context;
  // authenticate_non_get!, before the parameters are validated.
  if (env.viewer.kind === 'anonymous') throw unauthorizedWithRealm();
  const params = genericParams(context, groups, putParams);
  const project = await authorizedProject(env, groups[1]!, 'read_project');
  const files = context.files();
  const { body, declaredBytes } = requestBody(context.request);
  checkDeclaredLength(declaredBytes, files);
  let file: PackageFile;
  try {
    file = await publishGenericFile(
      { prisma: env.prisma, storage: files.storage, maxFileBytes: files.maxFileBytes },
      {
        project,
        actor: env.actor,
        name: params.name,
        version: params.version,
        fileName: params.fileName,
        ...(params.status ? { status: params.status as 'default' | 'hidden' } : {}),
        body,
        ...(declaredBytes === undefined ? {} : { declaredBytes }),
      },
    );
  } catch (error) {
    if (error instanceof PublishRefused) {
      if (error.reason === 'forbidden') throw errors.forbidden();
      if (error.reason === 'protected') throw errors.forbiddenBecause('Package protected.');
      throw errors.apiError(400, '400 Bad request - Duplicate package is not allowed');
    }
    throw uploadError(error);
  }
  if (params.select === 'package_file') return json(200, packageFileRecord(file, project, files.storage.describe.startsWith('s3:') ? 's3' : 'directory'));
  return json(201, { message: '201 Created' });
}

async function download(context: ProtocolContext, groups: string[]): Promise<Response> {
  const { env } = context;
  const params = genericParams(context, groups, pathParams);
  const project = await authorizedProject(env, groups[1]!, 'read_package');
  const file = await findGenericPackageFile(env.prisma, project.id, params.name, params.version, params.fileName);
  if (!file) throw errors.recordNotFound();
  const found = context.filesIfAny();
  const opened = found && (await openDownload(env.prisma, found.storage, file));
  if (!opened) throw errors.notFound();
  const extra: Record<string, string> = file.fileSha256 ? { 'X-Checksum-SHA256': file.fileSha256 } : {};
  return fileResponse(opened, extra, context.head);
}

export const genericRoutes: ProtocolRoute[] = [
  {
    name: 'generic package file upload',
    method: 'PUT',
    pattern: genericPath,
    template: '/projects/:id/packages/generic/:package_name/:package_version/:file_name',
    basicAuth: true,
    handle: upload,
  },
  {
    name: 'generic package file download',
    method: 'GET',
    pattern: genericPath,
    template: '/projects/:id/packages/generic/:package_name/:package_version/:file_name',
    basicAuth: true,
    handle: download,
  },
];
