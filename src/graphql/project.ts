import { GraphQLError } from 'graphql';
import type { Project } from '../generated/prisma/client.ts';
import type { PackageFilters } from '../domain/packages.ts';
import { canReadGroup, canReadPackages, canReadProject } from '../domain/policy.ts';
import { countPackages } from '../domain/packages.ts';
import { findProjectByFullPath, findProjectsPage, listingSorts, parseListingSort, type ListingSort } from '../domain/projects.ts';
import type { ArgBuilder } from '@pothos/core';
import { builder, type BuilderTypes } from './builder.ts';
import { parseGidOf } from './global-id.ts';
import { countOnlyConnection, offsetDescription, pageOrError, selectsOnlyCount, toConnection } from './connection.ts';
import type { GraphQLContext } from './context.ts';
import { PackageSortEnum, PackageStatusEnum, PackageTypeEnum, VisibilityLevelsEnum, parseSort } from './enums.ts';
import { GroupRef } from './group.ts';
import { PackageConnectionRef, PackageRef, packagesConnection, type PackageRow } from './package.ts';

export const ProjectRef = builder.objectRef<Project>('Project');

/** Loads a project by id if the viewer may read it (through the per-request loader). */
export async function readableProject(ctx: GraphQLContext, id: number): Promise<Project | null> {
  const project = await ctx.loaders.project.load(id);
  return project && canReadProject(ctx.viewer, project) ? project : null;
}

/** The filter arguments of `packages` on Project and Group (spec graphql.md). */
export const packageFilterArgs = (t: ArgBuilder<BuilderTypes>) => ({
  packageName: t.string({ required: false, description: 'Search a package by name (fuzzy, per word).' }),
  packageType: t({ type: PackageTypeEnum, required: false, description: 'Filter by type; omitted: all but TERRAFORM_MODULE.' }),
  packageVersion: t.string({ required: false, description: 'Filter by exact version.' }),
  status: t({ type: PackageStatusEnum, required: false, description: 'Filter by status; omitted: DEFAULT, ERROR and DEPRECATED.' }),
  includeVersionless: t.boolean({ required: false, defaultValue: false, description: 'Include versionless packages.' }),
});

export function filtersFromArgs(args: {
  packageName?: string | null;
  packageType?: string | null;
  packageVersion?: string | null;
  status?: string | null;
  includeVersionless?: boolean | null;
}): PackageFilters {
  return {
    name: args.packageName,
    type: args.packageType as PackageFilters['type'],
    version: args.packageVersion,
    status: args.status as PackageFilters['status'],
    includeVersionless: args.includeVersionless,
  };
}

builder.node(ProjectRef, {
  id: { resolve: (project) => project.id },
  loadOne: (id, ctx) => readableProject(ctx, Number(id)),
  isTypeOf: (value) => typeof value === 'object' && value !== null && 'packagesEnabled' in value,
  fields: (t) => ({
    name: t.exposeString('name'),
    path: t.exposeString('path'),
    fullPath: t.exposeID('fullPath'),
    webUrl: t.string({ resolve: (project, _args, ctx) => `${ctx.baseUrl}/${project.fullPath}` }),
    visibility: t.field({ type: VisibilityLevelsEnum, resolve: (project) => project.visibility }),
    group: t.field({
      type: GroupRef,
      nullable: true,
      description: 'The group of the project; null for personal projects.',
      resolve: async (project, _args, ctx) => {
        const namespace = await ctx.loaders.namespace.load(project.namespaceId);
        return namespace?.kind === 'group' && canReadGroup(ctx.viewer, namespace) ? namespace : null;
      },
    }),
    packages: t.connection(
      {
        type: PackageRef,
        nullable: true,
        description: 'Packages of the project; null when the viewer may not read them.',
        args: {
          sort: t.arg({ type: PackageSortEnum, required: false, defaultValue: 'CREATED_DESC' }),
          ...packageFilterArgs(t.arg),
          offset: t.arg.int({ required: false, description: offsetDescription }),
        },
        resolve: async (project, args, ctx, info) => {
          if (!canReadPackages(ctx.viewer, project)) return null;
          if (selectsOnlyCount(info, args)) {
            const filters = filtersFromArgs(args);
            return countOnlyConnection<PackageRow>((limit) =>
              limit === null || limit === undefined
                ? ctx.loaders.packageCount.load({ projectId: project.id, filters })
                : countPackages(ctx.prisma, { projectIds: [project.id], filters }, limit),
            );
          }
          const listing = { projectIds: [project.id], filters: filtersFromArgs(args), sort: parseSort(args.sort ?? 'CREATED_DESC') };
          return packagesConnection(ctx, listing, args, info);
        },
      },
      PackageConnectionRef,
    ),
  }),
});

builder.queryField('project', (t) =>
  t.field({
    type: ProjectRef,
    nullable: true,
    args: { fullPath: t.arg.id({ required: true }) },
    resolve: async (_root, { fullPath }, ctx) => {
      const project = await findProjectByFullPath(ctx.prisma, String(fullPath), ctx.caches);
      if (!project || !canReadProject(ctx.viewer, project)) return null;
      ctx.loaders.project.prime(project.id, project);
      return project;
    },
  }),
);

/** A GitLab sort string of `Query.projects`/`Query.groups` parsed, or a GraphQL error naming the argument. */
export function listingSortArg(sort: string): ListingSort {
  const parsed = parseListingSort(sort);
  if (!parsed) throw new GraphQLError(`Argument 'sort' must be one of ${listingSorts.join(', ')}`, { extensions: { code: 'BAD_USER_INPUT' } });
  return parsed;
}

builder.queryField('projects', (t) =>
  t.connection({
    type: ProjectRef,
    nullable: true,
    description: "Projects the viewer may see (GitLab's Query.projects): public ones, internal ones when signed in, the viewer's own; every one for an admin.",
    args: {
      membership: t.arg.boolean({ required: false, description: 'Return only projects that the current user is a member of.' }),
      search: t.arg.string({ required: false, description: 'Search query, which can be for the project name or path (any case).' }),
      searchNamespaces: t.arg.boolean({ required: false, description: 'Include namespace in project search.' }),
      ids: t.arg.idList({ required: false, description: 'Filter projects by IDs.' }),
      sort: t.arg.string({
        required: false,
        description: 'Sort order of results. Format: `<field_name>_<sort_direction>`, for example: `id_desc` or `name_asc` (fields id, name, path, created_at, updated_at).',
      }),
    },
    resolve: async (_root, args, ctx) => {
      const listing = {
        membership: args.membership,
        search: args.search,
        searchNamespaces: args.searchNamespaces,
        ids: args.ids?.map((id) => parseGidOf(id, 'Project')),
        sort: listingSortArg(args.sort ?? 'id_desc'),
      };
      const page = await pageOrError(() => findProjectsPage(ctx.prisma, ctx.viewer, listing, args));
      for (const project of page.rows) ctx.loaders.project.prime(project.id, project);
      return toConnection(page);
    },
  }),
);
