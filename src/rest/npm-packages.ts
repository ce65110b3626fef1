// GitLab's npm registry API at project level (lib/api/npm_project_packages.rb and
// lib/api/concerns/packages/npm_endpoints.rb), what `npm publish`, `npm view`, `npm install`,
// `npm dist-tag` and `npm deprecate` call once a scope points at
// `<host>/api/v4/projects/<id>/packages/npm/`. The rules live in src/domain/npm-packages.ts.
import type { Project } from '../generated/prisma/client.ts';
import { openDownload } from '../domain/downloads.ts';
import { NpmDocumentError } from '../domain/npm-document.ts';
import { distTags, findNpmPackages, npmPackageDocument } from '../domain/npm-metadata.ts';
import { addDistTag, deprecateNpmPackage, NpmRefused, publishNpmPackage, removeDistTag } from '../domain/npm-packages.ts';
import { findPackageSettingChains, resolvePackageSettings } from '../domain/package-settings.ts';
import { canCreatePackages, canDestroyPackages, canReadPackages, canReadProject, type ProjectFacts } from '../domain/policy.ts';
import { Response, json } from '../http.ts';
import { errors, RestError } from './errors.ts';
import { fileResponse, findProjectParam, requestBody, unauthorizedWithRealm, uploadError } from './package-files.ts';
import { isSafeFilePath } from './params.ts';
import { sqlText } from '../domain/text.ts';
import type { ProtocolContext, ProtocolRoute } from './protocols.ts';

const npmError = (status: number, message: string) => new RestError(status, { message, error: message });
/** The npm helpers' `not_found!(resource)`: `{"message":"404 Package Not Found","error":"Package not found"}`. */
const npmNotFound = (resource: string) =>
  new RestError(404, { message: `404 ${resource.replace(/\b\w/g, (c) => c.toUpperCase())} Not Found`, error: `${resource} not found` });
/** `bad_request_missing_attribute!(attribute)`. */
const missing = (attribute: string) =>
  new RestError(400, { message: `400 Bad request - "${attribute}" not given`, error: `"${attribute}" not given` });

const decode = (part: string) => {
  try {
    return decodeURIComponent(part);
  } catch {
    throw errors.validation('package_name is invalid');
  }
};

/** The `package_name` path parameter, decoded, through GitLab's `file_path: true` check. */
function packageName(raw: string): string {
  const name = decode(raw);
  if (!isSafeFilePath(name)) throw errors.validation('package_name should be a valid file path');
  return name;
}

/**
 * The project of an npm route (GitLab's `user_project(action: :read_package)`): missing or unreadable,
 * 401 to anonymous callers where the route authenticates non-public requests, else
 * `404 Project Not Found`; readable without its packages, 403.
 */
async function npmProject(context: ProtocolContext, id: string, authenticateNonPublic: boolean): Promise<Project> {
  const { env } = context;
  const project = await findProjectParam(env.prisma, id, env.caches);
  const refuse = () => (authenticateNonPublic && env.viewer.kind === 'anonymous' ? unauthorizedWithRealm() : npmNotFound('Project'));
  if (!project || !canReadProject(env.viewer, project as ProjectFacts)) throw refuse();
  if (!canReadPackages(env.viewer, project as ProjectFacts)) throw errors.forbidden();
  return project;
}

/** Whether a request for a package the project lacks goes on to npmjs.org (the namespace's npm_package_requests_forwarding). */
async function forwards(context: ProtocolContext, project: Project | null): Promise<boolean> {
  if (!project) return resolvePackageSettings({ own: null, ancestors: [] }).npmPackageRequestsForwarding ?? true;
  const namespacePath = project.fullPath.slice(0, project.fullPath.lastIndexOf('/'));
  const chains = await findPackageSettingChains(context.env.prisma, [namespacePath]);
  return resolvePackageSettings(chains.get(namespacePath)!).npmPackageRequestsForwarding ?? true;
}

const npmjs = 'https://registry.npmjs.org';
const redirect = (location: string) => new Response(null, { status: 302, headers: { Location: location } });

async function packageDocument(context: ProtocolContext, groups: string[]): Promise<Response> {
  const { env } = context;
  const name = packageName(groups[2]!);
  // GitLab looks the packages up before it authorizes, so that an unknown package can go to npmjs.org.
  const project = await findProjectParam(env.prisma, groups[1]!, env.caches);
  const packages = project ? await findNpmPackages(env.prisma, project.id, name) : [];
  if ((!project || packages.length === 0) && (await forwards(context, project))) return redirect(`${npmjs}/${encodeURIComponent(name).replace(/^%40/, '@')}`);
  const readable = await npmProject(context, groups[1]!, true);
  if (packages.length === 0) throw npmNotFound('Packages');
  const tarballUrl = (pkg: { name: string }, file: { fileName: string }) =>
    `${env.baseUrl}/api/v4/projects/${readable.id}/packages/npm/${pkg.name}/-/${file.fileName}`;
  return json(200, npmPackageDocument(name, packages, tarballUrl));
}

async function tarball(context: ProtocolContext, groups: string[]): Promise<Response> {
  const { env } = context;
  const name = packageName(groups[2]!);
  const fileName = decode(groups[3]!);
  const project = await npmProject(context, groups[1]!, false);
  const packages = await findNpmPackages(env.prisma, project.id, name);
  // by_name_and_file_name: the newest package of the name that has a file of this name (none for a
  // file name holding U+0000, which no stored name can: `sqlText`).
  const files = sqlText(fileName) === null ? [] : await env.prisma.packageFile.findMany({
    where: { packageId: { in: packages.map((p) => p.id) }, fileName, status: 'default' },
    orderBy: [{ packageId: 'desc' }, { id: 'desc' }],
    take: 1,
  });
  const file = files[0];
  if (!file) throw npmNotFound('Package');
  const found = context.filesIfAny();
  const opened = found && (await openDownload(env.prisma, found.storage, file));
  if (!opened) throw errors.notFound();
  return fileResponse(opened, {}, context.head);
}

async function publish(context: ProtocolContext, groups: string[]): Promise<Response> {
  const { env, request } = context;
  if (env.viewer.kind === 'anonymous') throw unauthorizedWithRealm();
  const name = packageName(groups[2]!);
  const project = await npmProject(context, groups[1]!, false);
  const { body } = requestBody(request);
  try {
    if (request.headers.get('npm-command') === 'deprecate') {
      await deprecateNpmPackage(env.prisma, { project, viewer: env.viewer, name, body });
      return json(200, {});
    }
    const files = context.files();
    const pkg = await publishNpmPackage({ prisma: env.prisma, storage: files.storage, maxFileBytes: files.maxFileBytes }, { project, actor: env.actor, urlName: name, body });
    return json(200, {
      id: pkg.id,
      project_id: pkg.projectId,
      created_at: pkg.createdAt,
      updated_at: pkg.updatedAt,
      name: pkg.name,
      version: pkg.version,
      package_type: pkg.packageType,
      creator_id: pkg.creatorId,
      status: pkg.status,
      status_message: pkg.statusMessage,
      last_downloaded_at: pkg.lastDownloadedAt,
    });
  } catch (error) {
    if (error instanceof NpmRefused) {
      if (error.message === '403 Forbidden') throw errors.forbidden();
      if (error.message.endsWith('not given')) throw missing('package versions to deprecate');
      if (error.message === 'versions is missing') throw errors.validation('versions is missing');
      throw npmError(error.status, error.message);
    }
    if (error instanceof NpmDocumentError) throw npmError(400, error.message.startsWith('invalid JSON') ? 'Invalid json' : error.message);
    throw uploadError(error);
  }
}

async function listDistTags(context: ProtocolContext, groups: string[]): Promise<Response> {
  const name = packageName(groups[2]!);
  if (name.trim() === '') throw missing('Package Name');
  const project = await npmProject(context, groups[1]!, true);
  const packages = await findNpmPackages(context.env.prisma, project.id, name);
  if (packages.length === 0) throw npmNotFound('Package');
  return json(200, distTags(packages));
}

/** The body of `npm dist-tag add`: the version as a JSON string (or, leniently, bare text). */
async function versionBody(request: Request): Promise<string> {
  const text = (await request.text()).slice(0, 1024);
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'string' ? value.trim() : '';
  } catch {
    return text.trim();
  }
}

async function putDistTag(context: ProtocolContext, groups: string[]): Promise<Response> {
  const { env } = context;
  if (env.viewer.kind === 'anonymous') throw unauthorizedWithRealm();
  const name = packageName(groups[2]!);
  const tag = decode(groups[3]!);
  const version = await versionBody(context.request);
  if (name.trim() === '') throw missing('Package Name');
  if (version === '') throw missing('Version');
  if (tag.trim() === '') throw missing('Tag');
  // A tag no stored name can be (U+0000: PostgreSQL's text cannot hold it) is refused as invalid
  // rather than failing the statement; a version holding it names no package (404 below).
  if (sqlText(tag) === null) throw errors.validation('tag is invalid');
  const project = await npmProject(context, groups[1]!, false);
  if (!canCreatePackages(env.viewer, project as ProjectFacts)) throw errors.forbidden();
  if (sqlText(name) === null || sqlText(version) === null || !(await addDistTag(env.prisma, project.id, name, version, tag))) throw npmNotFound('Package');
  return new Response(null, { status: 204 });
}

async function deleteDistTag(context: ProtocolContext, groups: string[]): Promise<Response> {
  const { env } = context;
  if (env.viewer.kind === 'anonymous') throw unauthorizedWithRealm();
  const name = packageName(groups[2]!);
  const tag = decode(groups[3]!);
  if (name.trim() === '') throw missing('Package Name');
  if (tag.trim() === '') throw missing('Tag');
  const project = await npmProject(context, groups[1]!, false);
  if (!canDestroyPackages(env.viewer, project as ProjectFacts)) throw errors.forbidden();
  // A name or tag holding U+0000 names no tag (`sqlText`): nothing to remove.
  if (sqlText(name) === null || sqlText(tag) === null || !(await removeDistTag(env.prisma, project.id, name, tag))) throw npmNotFound('Package tag');
  return new Response(null, { status: 204 });
}

const base = String.raw`^\/projects\/([^/]+)\/packages\/npm`;
const distTagsPath = new RegExp(`${base}/-/package/(.+)/dist-tags$`);
const distTagPath = new RegExp(`${base}/-/package/(.+)/dist-tags/([^/]+)$`);

export const npmRoutes: ProtocolRoute[] = [
  { name: 'npm dist-tags', method: 'GET', pattern: distTagsPath, template: '/projects/:id/packages/npm/-/package/:package_name/dist-tags', handle: listDistTags },
  { name: 'npm dist-tag add', method: 'PUT', pattern: distTagPath, template: '/projects/:id/packages/npm/-/package/:package_name/dist-tags/:tag', handle: putDistTag },
  { name: 'npm dist-tag remove', method: 'DELETE', pattern: distTagPath, template: '/projects/:id/packages/npm/-/package/:package_name/dist-tags/:tag', handle: deleteDistTag },
  { name: 'npm tarball', method: 'GET', pattern: new RegExp(`${base}/(.+?)/-/(.+)$`), template: '/projects/:id/packages/npm/:package_name/-/:file_name', handle: tarball },
  { name: 'npm publish or deprecate', method: 'PUT', pattern: new RegExp(`${base}/([^/]+)$`), template: '/projects/:id/packages/npm/:package_name', handle: publish },
  { name: 'npm package document', method: 'GET', pattern: new RegExp(`${base}/([^/]+)$`), template: '/projects/:id/packages/npm/:package_name', handle: packageDocument },
];
