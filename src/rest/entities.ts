// GitLab's REST entities (spec rest.md 4): the GraphQL selections each needs and the shaping of the
// result into GitLab's JSON, key order and presence conditions included.
import { parseGid } from '../graphql/global-id.ts';

/** What every shaping needs besides the data. */
export interface ShapeContext {
  /** `https://host` (PUBLIC_URL or the request's origin), for absolute URLs. */
  baseUrl: string;
}

/** A gid's numeric id. */
export const numericId = (gid: string): number => parseGid(gid).id;

const lower = (value: string) => value.toLowerCase();
const absolute = (url: string | null, ctx: ShapeContext) => (url !== null && url.startsWith('/') ? `${ctx.baseUrl}${url}` : url);

// ---------------------------------------------------------------------------------------------
// UserBasic and Package::Pipeline

export const userSelection = 'id username publicEmail name state avatarUrl webUrl';
export interface UserData {
  id: string;
  username: string;
  publicEmail: string | null;
  name: string;
  state: string;
  avatarUrl: string | null;
  webUrl: string;
}

/** UserBasic: id, username, public_email, name, state, locked, avatar_url, web_url. */
export function userEntity(user: UserData, ctx: ShapeContext) {
  return {
    id: numericId(user.id),
    username: user.username,
    public_email: user.publicEmail,
    name: user.name,
    state: user.state,
    locked: false,
    avatar_url: absolute(user.avatarUrl, ctx),
    web_url: user.webUrl,
  };
}

export const pipelineSelection = `id iid project { id } sha ref status source createdAt updatedAt path user { ${userSelection} }`;
export interface PipelineData {
  id: string;
  iid: string;
  project: { id: string } | null;
  sha: string;
  ref: string | null;
  status: string;
  source: string | null;
  createdAt: string;
  updatedAt: string;
  path: string | null;
  user: UserData | null;
}

/** Package::Pipeline: id, iid, project_id, sha, ref, status, source, created_at, updated_at, web_url, user. */
export function pipelineEntity(pipeline: PipelineData, ctx: ShapeContext) {
  return {
    id: numericId(pipeline.id),
    iid: Number(pipeline.iid),
    project_id: pipeline.project ? numericId(pipeline.project.id) : null,
    sha: pipeline.sha,
    ref: pipeline.ref,
    status: lower(pipeline.status),
    source: pipeline.source,
    created_at: pipeline.createdAt,
    updated_at: pipeline.updatedAt,
    web_url: absolute(pipeline.path, ctx),
    user: pipeline.user ? userEntity(pipeline.user, ctx) : null,
  };
}

// ---------------------------------------------------------------------------------------------
// Tags

export const tagsSelection = 'tags(first: 100) { nodes { id name createdAt updatedAt } }';
interface TagsData {
  tags: { nodes: { id: string; name: string; createdAt: string; updatedAt: string }[] } | null;
}

/** Raw `packages_tags` records: id, package_id, name, created_at, updated_at, project_id. */
function tagEntities(pkg: TagsData, packageId: number, projectId: number) {
  return (pkg.tags?.nodes ?? []).map((tag) => ({
    id: numericId(tag.id),
    package_id: packageId,
    name: tag.name,
    created_at: tag.createdAt,
    updated_at: tag.updatedAt,
    project_id: projectId,
  }));
}

// ---------------------------------------------------------------------------------------------
// Package, PackageVersion

const lastPipelineSelection = `lastBuildInfo { pipeline { ${pipelineSelection} } }`;

/** The selection of a package for the Package entity (on Package and PackageDetailsType alike). */
export const packageSelection = `
  id name version packageType status
  metadata { ... on ConanMetadata { recipe } }
  _links { webPath }
  userPermissions { destroyPackage }
  project { id fullPath userPermissions { readProject readPipeline } }
  createdAt lastDownloadedAt
  creator { id }
  ${tagsSelection}
  ${lastPipelineSelection}
  hasPipelines`;

export interface PackageData extends TagsData {
  id: string;
  name: string;
  version: string | null;
  packageType: string;
  status: string;
  metadata: { recipe?: string } | null;
  _links: { webPath: string | null };
  userPermissions: { destroyPackage: boolean };
  project: { id: string; fullPath: string; userPermissions: { readProject: boolean; readPipeline: boolean } };
  createdAt: string;
  lastDownloadedAt: string | null;
  creator: { id: string } | null;
  lastBuildInfo: { pipeline: PipelineData | null } | null;
  hasPipelines: boolean;
}

export const versionSelection = `id version createdAt ${tagsSelection} ${lastPipelineSelection}`;
export interface VersionData extends TagsData {
  id: string;
  version: string | null;
  createdAt: string;
  lastBuildInfo: { pipeline: PipelineData | null } | null;
}

/** PackageVersion: id, version, created_at, tags, and pipeline when it has a build info. */
export function versionEntity(version: VersionData, projectId: number, ctx: ShapeContext) {
  const id = numericId(version.id);
  return {
    id,
    version: version.version,
    created_at: version.createdAt,
    tags: tagEntities(version, id, projectId),
    ...(version.lastBuildInfo ? { pipeline: version.lastBuildInfo.pipeline && pipelineEntity(version.lastBuildInfo.pipeline, ctx) } : {}),
  };
}

export interface PackageEntityOptions {
  /** The group listing adds project_id and project_path. */
  group?: boolean;
  /** The single-package read adds the other versions. */
  versions?: VersionData[];
}

/** The Package entity, in GitLab's key order. */
export function packageEntity(pkg: PackageData, ctx: ShapeContext, options: PackageEntityOptions = {}) {
  const id = numericId(pkg.id);
  const projectId = numericId(pkg.project.id);
  const conan = pkg.packageType === 'CONAN' && pkg.metadata?.recipe !== undefined;
  const readPipeline = pkg.project.userPermissions.readPipeline;
  const links: Record<string, string> = {};
  if (pkg._links.webPath !== null) links.web_path = pkg._links.webPath;
  if (pkg.userPermissions.destroyPackage) links.delete_api_path = `${ctx.baseUrl}/api/v4/projects/${projectId}/packages/${id}`;
  return {
    id,
    name: conan ? pkg.metadata!.recipe! : pkg.name,
    ...(conan ? { conan_package_name: pkg.name } : {}),
    version: pkg.version,
    package_type: lower(pkg.packageType),
    status: lower(pkg.status),
    _links: links,
    created_at: pkg.createdAt,
    last_downloaded_at: pkg.lastDownloadedAt,
    creator_id: pkg.creator ? numericId(pkg.creator.id) : null,
    ...(options.group ? { project_id: projectId } : {}),
    ...(options.group && pkg.project.userPermissions.readProject ? { project_path: pkg.project.fullPath } : {}),
    tags: tagEntities(pkg, id, projectId),
    ...(pkg.lastBuildInfo && readPipeline
      ? { pipeline: pkg.lastBuildInfo.pipeline && pipelineEntity(pkg.lastBuildInfo.pipeline, ctx) }
      : {}),
    ...(pkg.hasPipelines && readPipeline ? { pipelines: [] } : {}),
    ...(options.versions ? { versions: options.versions.map((v) => versionEntity(v, projectId, ctx)) } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// PackageFile

export const packageFileSelection = `id fileName size fileMd5 fileSha1 fileSha256 createdAt pipelines { ${pipelineSelection} }`;
export interface PackageFileData {
  id: string;
  fileName: string;
  size: string;
  fileMd5: string | null;
  fileSha1: string | null;
  fileSha256: string | null;
  createdAt: string;
  pipelines: PipelineData[] | null;
}

/** PackageFile: id, package_id, created_at, file_name, size, hashes, and pipelines when it has any. */
export function packageFileEntity(file: PackageFileData, packageId: number, ctx: ShapeContext) {
  return {
    id: numericId(file.id),
    package_id: packageId,
    created_at: file.createdAt,
    file_name: file.fileName,
    size: Number(file.size),
    file_md5: file.fileMd5,
    file_sha1: file.fileSha1,
    file_sha256: file.fileSha256,
    ...(file.pipelines && file.pipelines.length > 0 ? { pipelines: file.pipelines.map((p) => pipelineEntity(p, ctx)) } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// The entities' shapes, as data, for the API description (src/rest/openapi.ts). Keep them in step
// with the builders above: test/rest/openapi.test.ts compares them with entities the builders make.

/** The entities the API description names (a key of `entityShapes`). */
export type EntityName =
  | 'UserBasic'
  | 'Pipeline'
  | 'Tag'
  | 'PackageLinks'
  | 'PackageVersion'
  | 'Package'
  | 'GroupPackage'
  | 'PackageDetail'
  | 'PackageFile';

/** One key of an entity: its JSON type; `when` marks a key present only under that condition. */
export type FieldShape = { nullable?: boolean; when?: string } & (
  | { type: 'integer' | 'string' | 'boolean' | 'date-time' }
  | { type: 'entity'; entity: EntityName }
  | { type: 'list'; entity: EntityName }
);

/** An entity's keys, in the builder's key order. */
export type EntityShape = Readonly<Record<string, FieldShape>>;

const integer: FieldShape = { type: 'integer' };
const string: FieldShape = { type: 'string' };
const time: FieldShape = { type: 'date-time' };
const nullable = (field: FieldShape): FieldShape => ({ ...field, nullable: true });
const entity = (name: EntityName): FieldShape => ({ type: 'entity', entity: name });
const list = (name: EntityName): FieldShape => ({ type: 'list', entity: name });
const when = (condition: string, field: FieldShape): FieldShape => ({ ...field, when: condition });

/** The Package entity's keys for `packageEntity`'s options (group listing, single read with versions). */
function packageShape(options: { group?: boolean; versions?: boolean } = {}): EntityShape {
  return {
    id: integer,
    name: string,
    conan_package_name: when('the package is a conan package (`name` is then its recipe)', string),
    version: nullable(string),
    package_type: string,
    status: string,
    _links: entity('PackageLinks'),
    created_at: time,
    last_downloaded_at: nullable(time),
    creator_id: nullable(integer),
    ...(options.group
      ? { project_id: integer, project_path: when('the caller may read the project', string) }
      : {}),
    tags: list('Tag'),
    pipeline: when('the package has a build info and the caller may read pipelines', nullable(entity('Pipeline'))),
    pipelines: when('the package has pipelines and the caller may read them (always empty)', list('Pipeline')),
    ...(options.versions ? { versions: list('PackageVersion') } : {}),
  };
}

/** Every entity's shape, by the name the API description gives it. */
export const entityShapes: Readonly<Record<EntityName, EntityShape>> = {
  UserBasic: {
    id: integer,
    username: string,
    public_email: nullable(string),
    name: string,
    state: string,
    locked: { type: 'boolean' },
    avatar_url: nullable(string),
    web_url: string,
  },
  Pipeline: {
    id: integer,
    iid: integer,
    project_id: nullable(integer),
    sha: string,
    ref: nullable(string),
    status: string,
    source: nullable(string),
    created_at: time,
    updated_at: time,
    web_url: nullable(string),
    user: nullable(entity('UserBasic')),
  },
  Tag: { id: integer, package_id: integer, name: string, created_at: time, updated_at: time, project_id: integer },
  PackageLinks: {
    web_path: when('the package has a page (status default or deprecated)', string),
    delete_api_path: when('the caller may delete the package', string),
  },
  PackageVersion: {
    id: integer,
    version: nullable(string),
    created_at: time,
    tags: list('Tag'),
    pipeline: when('the version has a build info', nullable(entity('Pipeline'))),
  },
  Package: packageShape(),
  GroupPackage: packageShape({ group: true }),
  PackageDetail: packageShape({ versions: true }),
  PackageFile: {
    id: integer,
    package_id: integer,
    created_at: time,
    file_name: string,
    size: integer,
    file_md5: nullable(string),
    file_sha1: nullable(string),
    file_sha256: nullable(string),
    pipelines: when('the file was built by pipelines', list('Pipeline')),
  },
};
