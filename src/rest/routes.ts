// The route table of GitLab's Packages REST API (spec rest.md): one row per endpoint, each naming its
// path, its parameters, the GraphQL operation it runs on the gateway's schema, how the parameters
// become that operation's variables, how the result becomes GitLab's JSON, and its pagination.
// Filters, permissions and deletes live in the schema (and src/domain), never here.
import {
  numericId,
  packageEntity,
  packageFileEntity,
  packageFileSelection,
  packageSelection,
  pipelineEntity,
  pipelineSelection,
  versionSelection,
  type EntityName,
  type PackageData,
  type PackageFileData,
  type PipelineData,
  type ShapeContext,
  type VersionData,
} from './entities.ts';
import { errors, type RestError } from './errors.ts';
import { maxCountLimit, type KeysetRequest, type OffsetRequest } from './pagination.ts';
import { changeRoutes } from './change-routes.ts';
import { param, paginationParams, restGid, type ParamSpec, type ParamValue } from './params.ts';

/** What a row's functions receive. */
export interface RouteInput {
  /** Validated parameters (path and query), coerced, with defaults. */
  params: Record<string, ParamValue>;
  /** The gid of the project or group the path names (already found and readable). */
  scope: string;
  /** The page asked for (offset rows). */
  page: OffsetRequest;
  /** The keyset position asked for (keyset rows). */
  keyset: KeysetRequest;
  headers: Headers;
  shape: ShapeContext;
  /** Runs one of the row's follow-up operations. */
  run<T>(name: string, variables: Record<string, unknown>): Promise<T>;
}

/** What a row answers: a page of entities (with what its pagination needs), one entity, or nothing. */
export type RouteResult =
  | { kind: 'offset'; items: unknown[]; limitedCount: number; hasNextPage: boolean }
  | { kind: 'keyset'; items: unknown[]; lastId: number | null; hasMore: boolean }
  | { kind: 'entity'; body: unknown }
  | { kind: 'noContent' };

export interface Route<Data = never> {
  name: string;
  method: 'GET' | 'POST' | 'DELETE';
  /** Below /api/v4; `:name` segments match one path segment (no slash). */
  path: string;
  /** What the `:id` segment names; looked up (and authorized) before the parameters are validated. */
  scope: 'project' | 'group';
  pagination: 'offset' | 'keyset' | 'none';
  /** Grape's declarations, in declaration order (which orders the error messages). */
  params: ParamSpec[];
  /** The GraphQL operation (parsed and validated at startup). */
  operation: string;
  /** Further operations the row may run (parsed and validated at startup). */
  followUps?: Record<string, string>;
  variables(input: RouteInput): Record<string, unknown>;
  /** Top-level GraphQL errors, by `extensions.code`, answered as REST errors. */
  refusals?: Record<string, () => RestError>;
  /** For the API description (src/rest/openapi.ts): the entity a success answers (an array of it when paginated). */
  entity?: EntityName;
  /** For the API description: the REST errors `respond` may throw, by name. */
  throws?: Record<string, () => RestError>;
  respond(data: Data, input: RouteInput): RouteResult | Promise<RouteResult>;
}

const route = <Data>(row: Route<Data>) => row as unknown as Route<unknown>;

// ---------------------------------------------------------------------------------------------
// Parameters

const packageTypes = [
  'maven', 'npm', 'conan', 'nuget', 'pypi', 'composer', 'generic', 'golang', 'debian', 'rubygems', 'helm',
  'terraform_module', 'rpm', 'ml_model', 'cargo',
] as const;
const packageStatuses = ['default', 'hidden', 'processing', 'error', 'pending_destruction', 'deprecated'] as const;

const id = param.string('id', { required: true });
const packageId = param.integer('package_id', { required: true });
const sortParam = param.string('sort', { values: ['asc', 'desc'], default: 'asc' });
const packageFilterParams = [
  param.string('package_type', { values: packageTypes }),
  param.string('package_name'),
  param.string('package_version'),
  param.boolean('include_versionless'),
  param.string('status', { values: packageStatuses }),
];

// ---------------------------------------------------------------------------------------------
// Parameters to GraphQL arguments


const sortKeys: Record<string, string> = {
  created_at: 'CREATED',
  name: 'NAME',
  version: 'VERSION',
  type: 'TYPE',
  project_path: 'PROJECT_PATH',
  id: 'ID',
  file_name: 'FILE_NAME',
};
const sortOf = (params: RouteInput['params']) => `${sortKeys[String(params.order_by)]}_${String(params.sort).toUpperCase()}`;
const upper = (value: ParamValue) => (typeof value === 'string' ? value.toUpperCase() : null);

const packageFilterVariables = ({ params }: RouteInput) => ({
  packageName: typeof params.package_name === 'string' ? params.package_name : null,
  packageType: upper(params.package_type ?? null),
  packageVersion: typeof params.package_version === 'string' ? params.package_version : null,
  status: upper(params.status ?? null),
  includeVersionless: params.include_versionless === true,
});

const pageVariables = ({ page }: RouteInput) => ({ first: page.first, offset: page.offset, countLimit: maxCountLimit });


// ---------------------------------------------------------------------------------------------
// Result shapes

interface Connection<Node> {
  count: number;
  pageInfo: { hasNextPage: boolean };
  nodes: Node[];
}
const offsetList = <Node>(connection: Connection<Node>, entity: (node: Node) => unknown): RouteResult => ({
  kind: 'offset',
  items: connection.nodes.map(entity),
  limitedCount: connection.count,
  hasNextPage: connection.pageInfo.hasNextPage,
});

type InProject<T> = { node: { package: T | null } | null };

function found<T>(pkg: T | null | undefined): T {
  if (!pkg) throw errors.recordNotFound();
  return pkg;
}


const packageFilterArgs = `
  packageName: $packageName, packageType: $packageType, packageVersion: $packageVersion, status: $status,
  includeVersionless: $includeVersionless`;
const packageFilterVariableDefinitions = `
  $packageName: String, $packageType: PackageTypeEnum, $packageVersion: String, $status: PackageStatus,
  $includeVersionless: Boolean!`;

// ---------------------------------------------------------------------------------------------
// The table

export const routes: Route<unknown>[] = [
  route<{ node: { packages: Connection<PackageData> | null } | null }>({
    name: 'E1 list project packages',
    method: 'GET',
    path: '/projects/:id/packages',
    scope: 'project',
    pagination: 'offset',
    params: [
      id,
      ...paginationParams,
      param.string('order_by', { values: ['created_at', 'name', 'version', 'type'], default: 'created_at' }),
      sortParam,
      ...packageFilterParams,
    ],
    operation: `
      query RestProjectPackages($project: ID!, $first: Int!, $offset: Int!, $countLimit: Int!, $sort: PackageSort!,
        ${packageFilterVariableDefinitions}) {
        node(id: $project) {
          ... on Project {
            packages(first: $first, offset: $offset, sort: $sort, ${packageFilterArgs}) {
              count(limit: $countLimit)
              pageInfo { hasNextPage }
              nodes { ${packageSelection} }
            }
          }
        }
      }`,
    variables: (input) => ({ project: input.scope, ...pageVariables(input), sort: sortOf(input.params), ...packageFilterVariables(input) }),
    entity: 'Package',
    respond: (data, input) => offsetList(found(data.node?.packages), (pkg) => packageEntity(pkg, input.shape)),
  }),

  route<{ node: { packages: Connection<PackageData> | null } | null }>({
    name: 'E2 list group packages',
    method: 'GET',
    path: '/groups/:id/packages',
    scope: 'group',
    pagination: 'offset',
    params: [
      id,
      param.boolean('exclude_subgroups', { default: false }),
      ...paginationParams,
      param.string('order_by', { values: ['created_at', 'name', 'version', 'type', 'project_path'], default: 'created_at' }),
      sortParam,
      ...packageFilterParams,
    ],
    operation: `
      query RestGroupPackages($group: ID!, $first: Int!, $offset: Int!, $countLimit: Int!, $sort: PackageGroupSort!,
        $includeSubgroups: Boolean!, ${packageFilterVariableDefinitions}) {
        node(id: $group) {
          ... on Group {
            packages(first: $first, offset: $offset, sort: $sort, includeSubgroups: $includeSubgroups, ${packageFilterArgs}) {
              count(limit: $countLimit)
              pageInfo { hasNextPage }
              nodes { ${packageSelection} }
            }
          }
        }
      }`,
    variables: (input) => ({
      group: input.scope,
      ...pageVariables(input),
      sort: sortOf(input.params),
      includeSubgroups: input.params.exclude_subgroups !== true,
      ...packageFilterVariables(input),
    }),
    entity: 'GroupPackage',
    respond: (data, input) => offsetList(found(data.node?.packages), (pkg) => packageEntity(pkg, input.shape, { group: true })),
  }),

  route<InProject<PackageData & { detailedInfo: boolean; versions: VersionsPage }>>({
    name: 'E3 get a project package',
    method: 'GET',
    path: '/projects/:id/packages/:package_id',
    scope: 'project',
    pagination: 'none',
    params: [id, packageId],
    operation: `
      query RestProjectPackage($project: ID!, $package: PackagesPackageID!) {
        node(id: $project) {
          ... on Project {
            package(id: $package) {
              detailedInfo
              ${packageSelection}
              versions(first: 100) { pageInfo { hasNextPage endCursor } nodes { ${versionSelection} } }
            }
          }
        }
      }`,
    followUps: {
      versions: `
        query RestPackageVersions($project: ID!, $package: PackagesPackageID!, $after: String!) {
          node(id: $project) {
            ... on Project {
              package(id: $package) {
                versions(first: 100, after: $after) { pageInfo { hasNextPage endCursor } nodes { ${versionSelection} } }
              }
            }
          }
        }`,
    },
    variables: (input) => ({ project: input.scope, package: restGid('Package', input.params.package_id!) }),
    entity: 'PackageDetail',
    throws: { recordNotFound: errors.recordNotFound, packageNotFound: errors.packageNotFound },
    respond: async (data, input) => {
      const pkg = found(data.node?.package);
      if (!pkg.detailedInfo) throw errors.packageNotFound();
      // GitLab lists every other version; the connection gives them 100 at a time.
      const versions = [...pkg.versions.nodes];
      let page = pkg.versions.pageInfo;
      while (page.hasNextPage && page.endCursor) {
        const more = await input.run<InProject<{ versions: VersionsPage }>>('versions', {
          project: input.scope,
          package: restGid('Package', input.params.package_id!),
          after: page.endCursor,
        });
        const next = found(more.node?.package).versions;
        versions.push(...next.nodes);
        page = next.pageInfo;
      }
      return { kind: 'entity', body: packageEntity(pkg, input.shape, { versions }) };
    },
  }),

  route<InProject<{ id: string; packageFiles: Connection<PackageFileData> }>>({
    name: 'E4 list package files',
    method: 'GET',
    path: '/projects/:id/packages/:package_id/package_files',
    scope: 'project',
    pagination: 'offset',
    params: [
      id,
      packageId,
      ...paginationParams,
      param.string('order_by', { values: ['id', 'created_at', 'file_name'], default: 'id' }),
      sortParam,
    ],
    operation: `
      query RestPackageFiles($project: ID!, $package: PackagesPackageID!, $first: Int!, $offset: Int!, $countLimit: Int!,
        $sort: PackageFileSort!) {
        node(id: $project) {
          ... on Project {
            package(id: $package) {
              id
              packageFiles(first: $first, offset: $offset, sort: $sort) {
                count(limit: $countLimit)
                pageInfo { hasNextPage }
                nodes { ${packageFileSelection} }
              }
            }
          }
        }
      }`,
    variables: (input) => ({
      project: input.scope,
      package: restGid('Package', input.params.package_id!),
      ...pageVariables(input),
      sort: sortOf(input.params),
    }),
    entity: 'PackageFile',
    throws: { recordNotFound: errors.recordNotFound },
    respond: (data, input) => {
      const pkg = found(data.node?.package);
      const packageIdValue = numericId(pkg.id);
      return offsetList(pkg.packageFiles, (file) => packageFileEntity(file, packageIdValue, input.shape));
    },
  }),

  route<{
    node: {
      userPermissions: { readPipeline: boolean };
      package: {
        detailedInfo: boolean;
        buildInfos: { pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean }; nodes: { id: string; pipeline: PipelineData | null }[] };
      } | null;
    } | null;
  }>({
    name: 'E5 list package pipelines',
    method: 'GET',
    path: '/projects/:id/packages/:package_id/pipelines',
    scope: 'project',
    pagination: 'keyset',
    params: [
      id,
      ...paginationParams,
      packageId,
      param.string('cursor'),
      // GitLab declares per_page again, restricted to 1..20.
      param.integer('per_page', { default: 20, values: { min: 1, max: 20 } }),
    ],
    operation: `
      query RestPackagePipelines($project: ID!, $package: PackagesPackageID!, $first: Int, $last: Int, $idBelow: Int, $idAbove: Int) {
        node(id: $project) {
          ... on Project {
            userPermissions { readPipeline }
            package(id: $package) {
              detailedInfo
              buildInfos(first: $first, last: $last, idBelow: $idBelow, idAbove: $idAbove) {
                pageInfo { hasNextPage hasPreviousPage }
                nodes { id pipeline { ${pipelineSelection} } }
              }
            }
          }
        }
      }`,
    variables: ({ scope, params, keyset }) => ({
      project: scope,
      package: restGid('Package', params.package_id!),
      ...(keyset.backward ? { last: keyset.perPage, idAbove: keyset.id } : { first: keyset.perPage, idBelow: keyset.id }),
    }),
    entity: 'Pipeline',
    throws: { recordNotFound: errors.recordNotFound, packageNotFound: errors.packageNotFoundNotFound, forbidden: errors.forbidden },
    respond: (data, input) => {
      const pkg = found(data.node?.package);
      if (!pkg.detailedInfo) throw errors.packageNotFoundNotFound();
      if (!data.node!.userPermissions.readPipeline) throw errors.forbidden();
      const infos = pkg.buildInfos;
      // The page's pipelines, each once, newest (highest id) first.
      const pipelines = new Map<number, PipelineData>();
      for (const info of infos.nodes) if (info.pipeline) pipelines.set(numericId(info.pipeline.id), info.pipeline);
      const items = [...pipelines.entries()].sort(([a], [b]) => b - a).map(([, p]) => pipelineEntity(p, input.shape));
      const last = infos.nodes.at(-1);
      const hasMore = input.keyset.backward ? infos.pageInfo.hasPreviousPage : infos.pageInfo.hasNextPage;
      return { kind: 'keyset', items, lastId: last ? numericId(last.id) : null, hasMore };
    },
  }),
  ...changeRoutes,
];

interface VersionsPage {
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: VersionData[];
}
