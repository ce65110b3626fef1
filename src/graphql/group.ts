import type { Namespace } from '../generated/prisma/client.ts';
import { canReadGroup, listsPackagesInGroup } from '../domain/policy.ts';
import { countPackages } from '../domain/packages.ts';
import { findGroupByFullPath, findGroupsPage } from '../domain/projects.ts';
import { builder } from './builder.ts';
import { countOnlyConnection, offsetDescription, pageOrError, selectsOnlyCount, toConnection } from './connection.ts';
import { PackageGroupSortEnum, VisibilityLevelsEnum, parseSort } from './enums.ts';
import { PackageConnectionRef, PackageRef, packagesConnection, type PackageRow } from './package.ts';
import { parseGidOf } from './global-id.ts';
import { filtersFromArgs, listingSortArg, packageFilterArgs } from './project.ts';

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
          const includeSubgroups = args.includeSubgroups ?? true;
          const projects = await ctx.loaders.groupProjects.load({ group, includeSubgroups });
          const listed = projects.filter((p) => listsPackagesInGroup(ctx.viewer, p));
          for (const project of listed) ctx.loaders.project.prime(project.id, project);
          if (selectsOnlyCount(info, args)) {
            // A package belongs to one project: the group's count is the sum of its projects' counts.
            const filters = filtersFromArgs(args);
            return countOnlyConnection<PackageRow>(async (limit) => {
              if (limit !== null && limit !== undefined) return countPackages(ctx.prisma, { projectIds: listed.map((p) => p.id), filters }, limit);
              const counts = await ctx.loaders.packageCount.loadMany(listed.map((p) => ({ projectId: p.id, filters })));
              return counts.reduce<number>((sum, n) => {
                if (n instanceof Error) throw n;
                return sum + n;
              }, 0);
            });
          }
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

builder.queryField('groups', (t) =>
  t.connection({
    type: GroupRef,
    nullable: true,
    description: "Groups the viewer may see (GitLab's Query.groups): public ones, internal ones when signed in, the viewer's groups with their subgroups and ancestors; every one for an admin.",
    args: {
      search: t.arg.string({ required: false, description: 'Search query for group name or group full path (any case).' }),
      topLevelOnly: t.arg.boolean({ required: false, defaultValue: false, description: 'Only include top-level groups.' }),
      allAvailable: t.arg.boolean({
        required: false,
        defaultValue: true,
        description: 'When `true`, returns all accessible groups. When `false`, returns only groups where the user is a member. Unauthenticated requests always return all public groups.',
      }),
      ids: t.arg.idList({ required: false, description: 'Filter groups by IDs.' }),
      sort: t.arg.string({
        required: false,
        defaultValue: 'name_asc',
        description: 'Sort order of results. Format: `<field_name>_<sort_direction>`, for example: `id_desc` or `name_asc` (fields id, name, path, created_at, updated_at).',
      }),
    },
    resolve: async (_root, args, ctx) => {
      const listing = {
        search: args.search,
        topLevelOnly: args.topLevelOnly,
        allAvailable: args.allAvailable ?? true,
        ids: args.ids?.map((id) => parseGidOf(id, 'Group')),
        sort: listingSortArg(args.sort ?? 'name_asc'),
      };
      const page = await pageOrError(() => findGroupsPage(ctx.prisma, ctx.viewer, listing, args));
      for (const group of page.rows) ctx.loaders.namespace.prime(group.id, group);
      return toConnection(page);
    },
  }),
);
