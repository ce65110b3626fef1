import type { Project } from '../generated/prisma/client.ts';
import type { PackageFilters } from '../domain/packages.ts';
import { canReadGroup, canReadPackages, canReadProject } from '../domain/policy.ts';
import { findProjectByFullPath } from '../domain/projects.ts';
import type { ArgBuilder } from '@pothos/core';
import { builder, type BuilderTypes } from './builder.ts';
import { offsetDescription } from './connection.ts';
import type { GraphQLContext } from './context.ts';
import { PackageSortEnum, PackageStatusEnum, PackageTypeEnum, VisibilityLevelsEnum, parseSort } from './enums.ts';
import { GroupRef } from './group.ts';
import { PackageConnectionRef, PackageRef, packagesConnection } from './package.ts';

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
