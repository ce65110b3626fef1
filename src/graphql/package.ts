import { GraphQLError, valueFromASTUntyped, type GraphQLResolveInfo } from 'graphql';
import type { Package, PackageTag, Project } from '../generated/prisma/client.ts';
import {
  destroyPackage,
  destroyPackageFile,
  destroyPackageFilesInProject,
  destroyPackagesInBulk,
  maxBulkDelete,
  MutationRefused,
} from '../domain/deletion.ts';
import {
  countPackages,
  countVersions,
  detailedStatuses,
  findPackagesPage,
  findVersionsPage,
  type ListedPackage,
  type PackageIncludes,
  type PackageListing,
} from '../domain/packages.ts';
import type { Page, PageArgs } from '../domain/pagination.ts';
import { canDestroyPackages, canReadPackages, canReadPipelines } from '../domain/policy.ts';
import { countPackageFiles, findPackageFilesPage } from '../domain/package-files.ts';
import { anyRuleMatches, deletionProtectedMessage } from '../domain/protection.ts';
import { builder, gitlabMutationField, type BuilderTypes } from './builder.ts';
import {
  countOf,
  offsetDescription,
  pageArgs,
  pageInMemory,
  pageOrError,
  selectedConnectionField,
  selectedNodeFields,
  toConnection,
  validCursorArgs,
} from './connection.ts';
import type { GraphQLContext } from './context.ts';
import { PackageStatusEnum, PackageTypeEnum } from './enums.ts';
import { GlobalIdError, parseGidOf } from './global-id.ts';
import type { PipelineWithUser } from './loaders.ts';
import { PackageFileConnectionRef, PackageFileRef, PackageFileSortEnum, parseFileSort } from './package-file.ts';
import { PipelineConnectionRef, PipelineRef } from './pipeline.ts';
import { ProjectRef, readableProject } from './project.ts';
import { TimeScalar } from './scalars.ts';

/** A package row, with the relations the page query may have fetched alongside it. */
export type PackageRow = ListedPackage & {
  /** How many pipelines per package the page query fetched (it asked for one more than it shows). */
  pipelinesFetched?: number;
};

/** Argument scalars taking GitLab gids of one model (and its subclasses). */
function gidScalar(name: 'PackagesPackageID' | 'PackagesPackageFileID', model: string) {
  const parseValue = (value: unknown) => {
    try {
      return parseGidOf(value, model);
    } catch (error) {
      if (error instanceof GlobalIdError) throw new GraphQLError(error.message);
      throw error;
    }
  };
  return builder.scalarType(name, {
    description: `A \`${model}\` global ID, such as "gid://gitlab/${model}/1".`,
    serialize: (value) => String(value),
    parseValue,
    // graphql-js's default, without the variables argument (a literal of this scalar holds none),
    // which graphql-jit does not pass.
    parseLiteral: (ast) => parseValue(valueFromASTUntyped(ast)),
  });
}
export const PackagesPackageID = gidScalar('PackagesPackageID', 'Packages::Package');
export const PackagesPackageFileID = gidScalar('PackagesPackageFileID', 'Packages::PackageFile');

export const PackageLinksRef = builder.objectRef<{ webPath: string | null }>('PackageLinks');
PackageLinksRef.implement({ fields: (t) => ({ webPath: t.exposeString('webPath', { nullable: true }) }) });

export const PackagePermissionsRef = builder.objectRef<{ destroyPackage: boolean }>('PackagePermissions');
PackagePermissionsRef.implement({ fields: (t) => ({ destroyPackage: t.exposeBoolean('destroyPackage') }) });

export const PackageTagRef = builder.objectRef<PackageTag>('PackageTag');
PackageTagRef.implement({
  fields: (t) => ({
    id: t.globalID({ resolve: (tag) => ({ type: 'PackageTag', id: tag.id }) }),
    name: t.exposeString('name'),
    createdAt: t.expose('createdAt', { type: TimeScalar }),
    updatedAt: t.expose('updatedAt', { type: TimeScalar }),
  }),
});
export const PackageTagConnectionRef = builder.connectionObject({ type: PackageTagRef, name: 'PackageTagConnection' });

async function projectOf(ctx: GraphQLContext, pkg: Package): Promise<Project> {
  const project = await ctx.loaders.project.load(pkg.projectId);
  if (!project) throw new Error(`project ${pkg.projectId} of package ${pkg.id} is missing`);
  return project;
}

/** GitLab's web path of a package: its detail page (terraform modules have their own registry page). */
export function packageWebPath(pkg: Package, project: Project): string | null {
  if (!detailedStatuses.includes(pkg.status)) return null;
  const section = pkg.packageType === 'terraform_module' ? 'terraform_module_registry' : 'packages';
  return `/${project.fullPath}/-/${section}/${pkg.id}`;
}

const pipelinesMaxPageSize = 20;

/** The fields every package type shares (Package, PackageBase, PackageDetailsType), but `id`. */
function packageFields(t: PothosSchemaTypes.ObjectFieldBuilder<BuilderTypes, PackageRow>) {
  return {
    name: t.exposeString('name'),
    version: t.exposeString('version', { nullable: true }),
    packageType: t.field({ type: PackageTypeEnum, resolve: (pkg) => pkg.packageType }),
    status: t.field({ type: PackageStatusEnum, resolve: (pkg) => pkg.status }),
    statusMessage: t.exposeString('statusMessage', { nullable: true }),
    createdAt: t.expose('createdAt', { type: TimeScalar }),
    updatedAt: t.expose('updatedAt', { type: TimeScalar }),
    project: t.field({ type: ProjectRef, resolve: (pkg, _args, ctx) => projectOf(ctx, pkg) }),
    _links: t.field({
      type: PackageLinksRef,
      resolve: async (pkg, _args, ctx) => ({ webPath: packageWebPath(pkg, await projectOf(ctx, pkg)) }),
    }),
    tags: t.connection({
      type: PackageTagRef,
      nullable: true,
      resolve: async (pkg, args, ctx) => {
        const tags = pkg.tags ?? (await ctx.loaders.tagsByPackage.load(pkg.id));
        // Tags are few per package: ascending by id, paged in memory.
        validCursorArgs(args);
        return toConnection(pageInMemory(tags, pageArgs(args), { maxSize: 100, direction: 'asc', complete: true }));
      },
    }, PackageTagConnectionRef),
    protectionRuleExists: t.boolean({
      resolve: async (pkg, _args, ctx) => anyRuleMatches(await ctx.loaders.protectionRulesByProject.load(pkg.projectId), pkg),
    }),
    userPermissions: t.field({
      type: PackagePermissionsRef,
      resolve: async (pkg, _args, ctx) => ({ destroyPackage: canDestroyPackages(ctx.viewer, await projectOf(ctx, pkg)) }),
    }),
  };
}

/** Every package type answers the same gid as `Package` (`gid://gitlab/Packages::Package/<id>`). */
const packageGid = (t: PothosSchemaTypes.ObjectFieldBuilder<BuilderTypes, PackageRow>) =>
  t.globalID({ resolve: (pkg) => ({ type: 'Package', id: pkg.id }) });

function pipelinesField(t: PothosSchemaTypes.ObjectFieldBuilder<BuilderTypes, PackageRow>) {
  return t.connection(
    {
      type: PipelineRef,
      nullable: true,
      description: 'Pipelines that built the package, newest first (at most 20 per page).',
      resolve: async (pkg, args, ctx) => {
        if (!canReadPipelines(ctx.viewer, await projectOf(ctx, pkg))) return null;
        validCursorArgs(args);
        // The page query may have fetched the newest pipelines already; else one batched load.
        const preloaded = pkg.buildInfos?.map((info) => info.pipeline).filter((p): p is PipelineWithUser => p !== null);
        const simple = !args.after && !args.before && !args.last && (args.first ?? pipelinesMaxPageSize) < (pkg.pipelinesFetched ?? 0);
        const pipelines =
          preloaded && simple ? dedupe(preloaded) : (await ctx.loaders.pipelinesByPackage.load(pkg.id)).map((r) => r.pipeline);
        const complete = !(preloaded && simple) || preloaded.length < (pkg.pipelinesFetched ?? 0);
        const page = pageInMemory(pipelines, pageArgs(args), { maxSize: pipelinesMaxPageSize, direction: 'desc', complete });
        return toConnection(page, async (limit) => {
          const all = (await ctx.loaders.pipelinesByPackage.load(pkg.id)).length;
          return limit === null || limit === undefined ? all : Math.min(all, limit + 1);
        });
      },
    },
    PipelineConnectionRef,
  );
}

function dedupe<T extends { id: number }>(rows: T[]): T[] {
  const seen = new Set<number>();
  return rows.filter((r) => !seen.has(r.id) && seen.add(r.id));
}

export const PackageRef = builder.objectRef<PackageRow>('Package');
builder.node(PackageRef, {
  description: 'Represents a package in the Package Registry.',
  id: { resolve: (pkg) => pkg.id },
  loadOne: (id, ctx) => readablePackage(ctx, Number(id)),
  isTypeOf: (value) => typeof value === 'object' && value !== null && 'packageType' in value,
  fields: (t) => ({ ...packageFields(t), pipelines: pipelinesField(t) }),
});

export const PackageBaseRef = builder.objectRef<PackageRow>('PackageBase');
PackageBaseRef.implement({
  description: 'Represents a package in the Package Registry (without its pipelines).',
  fields: (t) => ({ id: packageGid(t), ...packageFields(t) }),
});

const countField = {
  fields: (t: { int: (options: object) => unknown; arg: { int: (options: object) => unknown } }) => ({
    count: t.int({
      args: { limit: t.arg.int({ required: false, description: 'Stop counting at limit + 1.' }) },
      resolve: (connection: unknown, args: { limit?: number | null }) => countOf(connection, args.limit),
    }),
  }),
};

export const PackageConnectionRef = builder.connectionObject({
  type: PackageRef,
  name: 'PackageConnection',
  ...(countField as object),
});

export const PackageBaseConnectionRef = builder.connectionObject({
  type: PackageBaseRef,
  name: 'PackageBaseConnection',
  ...(countField as object),
});

export const PackageDetailsRef = builder.objectRef<PackageRow>('PackageDetailsType');
PackageDetailsRef.implement({
  description: 'Represents a package details in the Package Registry.',
  fields: (t) => ({
    id: packageGid(t),
    ...packageFields(t),
    pipelines: pipelinesField(t),
    lastDownloadedAt: t.expose('lastDownloadedAt', { type: TimeScalar, nullable: true }),
    publicPackage: t.boolean({
      nullable: true,
      resolve: async (pkg, _args, ctx) => (await projectOf(ctx, pkg)).visibility === 'public',
    }),
    versions: t.connection(
      {
        type: PackageBaseRef,
        nullable: true,
        description: 'Other versions of the package (same project, type and name), by version.',
        resolve: async (pkg, args, ctx) => {
          const page = await pageOrError(() => findVersionsPage(ctx.prisma, pkg, pageArgs(args)));
          return toConnection(page, (limit) => countVersions(ctx.prisma, pkg, limit));
        },
      },
      PackageBaseConnectionRef,
    ),
    packageFiles: t.connection(
      {
        type: PackageFileRef,
        nullable: true,
        args: {
          sort: t.arg({
            type: PackageFileSortEnum,
            required: false,
            defaultValue: 'ID_ASC',
            description: 'Order of the files (beyond GitLab: GitLab orders by id).',
          }),
          offset: t.arg.int({ required: false, description: offsetDescription }),
        },
        resolve: async (pkg, args, ctx) => {
          const page = await pageOrError(() =>
            findPackageFilesPage(ctx.prisma, pkg.id, parseFileSort(args.sort ?? 'ID_ASC'), pageArgs(args)),
          );
          return toConnection(page, (limit) => countPackageFiles(ctx.prisma, pkg.id, limit));
        },
      },
      PackageFileConnectionRef,
    ),
  }),
});

/** A package the viewer may read (any status), or null. */
export async function readablePackage(ctx: GraphQLContext, id: number): Promise<PackageRow | null> {
  const pkg = await ctx.loaders.package.load(id);
  if (!pkg) return null;
  const project = await readableProject(ctx, pkg.projectId);
  return project && canReadPackages(ctx.viewer, project) ? pkg : null;
}

/**
 * A page of a packages listing as a connection, in one SQL statement: the relations the query selects
 * on its nodes (tags, newest pipelines with their users, ...) and the `count` it selects come with the
 * page; a second `count` with another limit is counted apart.
 */
export async function packagesConnection(ctx: GraphQLContext, listing: PackageListing, args: PageArgs, info: GraphQLResolveInfo) {
  const include = includesForSelection(selectedNodeFields(info));
  const countArgs = selectedConnectionField(info, 'count');
  const countLimit = typeof countArgs?.limit === 'number' ? countArgs.limit : null;
  // Counted with the page unless the limit is refused (then the count field answers the error).
  const count = countArgs && (countLimit === null || countLimit >= 0) ? { limit: countLimit } : undefined;
  const page = await pageOrError(() => findPackagesPage(ctx.prisma, listing, pageArgs(args), include, count));
  for (const row of page.rows as PackageRow[]) row.pipelinesFetched = include.latestPipelines;
  return toConnection(page as Page<PackageRow>, (limit) =>
    count && page.total !== undefined && (limit ?? null) === count.limit ? Promise.resolve(page.total) : countPackages(ctx.prisma, listing, limit),
  );
}

/** Relations to fetch with a page of packages, from what the query selects on its nodes. */
export function includesForSelection(selected: Map<string, Record<string, unknown>>): PackageIncludes {
  const pipelines = selected.get('pipelines');
  const first = typeof pipelines?.first === 'number' ? pipelines.first : undefined;
  // A negative `first` is refused by the pipelines field itself: nothing to fetch for it.
  const simplePipelines = pipelines && !pipelines.after && !pipelines.before && !pipelines.last && (first === undefined || first >= 0);
  return {
    tags: selected.has('tags'),
    latestPipelines: simplePipelines ? Math.min(first ?? pipelinesMaxPageSize, pipelinesMaxPageSize) + 1 : undefined,
    lastBuildInfo: selected.has('lastBuildInfo'),
    hasPipelines: selected.has('hasPipelines'),
    creator: selected.has('creator'),
    metadata: selected.has('metadata'),
  };
}

builder.queryField('package', (t) =>
  t.field({
    type: PackageDetailsRef,
    nullable: true,
    description: 'A package the viewer may read, when its status is DEFAULT or DEPRECATED.',
    args: { id: t.arg({ type: PackagesPackageID, required: true }) },
    resolve: async (_root, args, ctx) => {
      const pkg = await readablePackage(ctx, args.id);
      return pkg && detailedStatuses.includes(pkg.status) ? pkg : null;
    },
  }),
);

/** Runs a delete, turning the refusals GitLab reports at the top level into GraphQL errors. */
async function topLevel<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof MutationRefused) throw new GraphQLError(error.message);
    throw error;
  }
}

/** GitLab's `deletion_protected_error_message(package_name)` (Mutations::Packages::DeleteProtection). */
const protectedNamed = (name: string) => `Package '${name}' is deletion protected.`;

gitlabMutationField('destroyPackage', {
  description:
    "Marks a package and its files for destruction (GitLab's Mutations::Packages::Destroy). A missing package, or one the viewer may not delete, is a top-level error; a deletion-protected one is reported in `errors`.",
  inputFields: (t) => ({ id: t.field({ type: PackagesPackageID, required: true, description: 'ID of the Package.' }) }),
  resolve: (input, ctx) =>
    topLevel(async () => ((await destroyPackage(ctx.prisma, ctx.actor, input.id)).protected ? [deletionProtectedMessage] : [])),
});

gitlabMutationField('destroyPackages', {
  description: `Marks packages and their files for destruction, at most ${maxBulkDelete} (GitLab's Mutations::Packages::BulkDestroy). The count is checked first, then every id (all or none); deletion-protected packages are skipped and named in \`errors\`.`,
  inputFields: (t) => ({
    ids: t.field({ type: [PackagesPackageID], required: true, description: `Global IDs of the Packages. Max ${maxBulkDelete}` }),
  }),
  resolve: (input, ctx) =>
    topLevel(async () => (await destroyPackagesInBulk(ctx.prisma, ctx.actor, input.ids)).protectedNames.map(protectedNamed)),
});

gitlabMutationField('destroyPackageFile', {
  description:
    "Marks a package file (status DEFAULT) for destruction (GitLab's Mutations::Packages::DestroyFile). A missing file, or one the viewer may not delete, is a top-level error; a file of a deletion-protected package is reported in `errors`.",
  inputFields: (t) => ({ id: t.field({ type: PackagesPackageFileID, required: true, description: 'ID of the Package file.' }) }),
  resolve: (input, ctx) =>
    topLevel(async () => ((await destroyPackageFile(ctx.prisma, ctx.actor, input.id)).protected ? [deletionProtectedMessage] : [])),
});

gitlabMutationField('destroyPackageFiles', {
  description: `Marks files of one project for destruction, at most ${maxBulkDelete} (GitLab's Mutations::Packages::DestroyFiles). Checked in GitLab's order: permission on the project, count, all files in that project (all or none); files of deletion-protected packages are skipped and their packages named in \`errors\`.`,
  inputFields: (t) => ({
    projectPath: t.id({ required: true, description: 'Project path where the packages cleanup policy is located.' }),
    ids: t.field({ type: [PackagesPackageFileID], required: true, description: 'IDs of the Package file.' }),
  }),
  resolve: (input, ctx) =>
    topLevel(async () =>
      (await destroyPackageFilesInProject(ctx.prisma, ctx.actor, String(input.projectPath), input.ids)).protectedNames.map(protectedNamed),
    ),
});
