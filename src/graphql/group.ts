import type { Namespace } from '../generated/prisma/client.ts';
import { canReadGroup, listsPackagesInGroup } from '../domain/policy.ts';
import { findGroupByFullPath, findGroupProjects } from '../domain/projects.ts';
import { builder } from './builder.ts';
import { offsetDescription } from './connection.ts';
import { PackageGroupSortEnum, VisibilityLevelsEnum, parseSort } from './enums.ts';
import { PackageConnectionRef, PackageRef, packagesConnection } from './package.ts';
import { filtersFromArgs, packageFilterArgs } from './project.ts';

export const GroupRef = builder.objectRef<Namespace>('Group');

builder.node(GroupRef, {
  id: { resolve: (group) => group.id },
  loadOne: async (id, ctx) => {
    const group = await ctx.loaders.namespace.load(Number(id));
    return group?.kind === 'group' && canReadGroup(ctx.viewer, group) ? group : null;
  },
  isTypeOf: (value) => typeof value === 'object' && value !== null && 'kind' in value && 'parentId' in value,
  fields: (t) => ({
    name: t.exposeString('name'),
    path: t.exposeString('path'),
    fullPath: t.exposeID('fullPath'),
    webUrl: t.string({ resolve: (group, _args, ctx) => `${ctx.baseUrl}/groups/${group.fullPath}` }),
    visibility: t.field({ type: VisibilityLevelsEnum, resolve: (group) => group.visibility }),
    parent: t.field({
      type: GroupRef,
      nullable: true,
      resolve: async (group, _args, ctx) => {
        if (group.parentId === null) return null;
        const parent = await ctx.loaders.namespace.load(group.parentId);
        return parent && canReadGroup(ctx.viewer, parent) ? parent : null;
      },
    }),
    packages: t.connection(
      {
        type: PackageRef,
        nullable: true,
        description: 'Packages of the projects in the group (and its subgroups) that the viewer may see.',
        args: {
          sort: t.arg({ type: PackageGroupSortEnum, required: false, defaultValue: 'CREATED_DESC' }),
          ...packageFilterArgs(t.arg),
          includeSubgroups: t.arg.boolean({
            required: false,
            defaultValue: true,
            description: 'Include the projects of subgroups (REST: exclude_subgroups inverted).',
          }),
          offset: t.arg.int({ required: false, description: offsetDescription }),
        },
        resolve: async (group, args, ctx, info) => {
          const projects = await findGroupProjects(ctx.prisma, group, args.includeSubgroups ?? true);
          const listed = projects.filter((p) => listsPackagesInGroup(ctx.viewer, p));
          for (const project of listed) ctx.loaders.project.prime(project.id, project);
          const listing = {
            projectIds: listed.map((p) => p.id),
            filters: filtersFromArgs(args),
            sort: parseSort(args.sort ?? 'CREATED_DESC'),
          };
          return packagesConnection(ctx, listing, args, info);
        },
      },
      PackageConnectionRef,
    ),
  }),
});

builder.queryField('group', (t) =>
  t.field({
    type: GroupRef,
    nullable: true,
    args: { fullPath: t.arg.id({ required: true }) },
    resolve: async (_root, { fullPath }, ctx) => {
      const group = await findGroupByFullPath(ctx.prisma, String(fullPath));
      if (!group || !canReadGroup(ctx.viewer, group)) return null;
      ctx.loaders.namespace.prime(group.id, group);
      return group;
    },
  }),
);
