import type { PackageFile } from '../generated/prisma/client.ts';
import type { PackageFileSort } from '../domain/package-files.ts';
import { canReadPackages } from '../domain/policy.ts';
import { builder } from './builder.ts';
import { readableProject } from './project.ts';
import { TimeScalar } from './scalars.ts';
import { countOf } from './connection.ts';

export const PackageFileRef = builder.objectRef<PackageFile>('PackageFile');

builder.node(PackageFileRef, {
  id: { resolve: (file) => file.id },
  loadOne: async (id, ctx) => {
    const file = await ctx.prisma.packageFile.findUnique({ where: { id: Number(id) }, include: { package: true } });
    if (!file || file.status !== 'default') return null;
    const project = await readableProject(ctx, file.package.projectId);
    return project && canReadPackages(ctx.viewer, project) ? file : null;
  },
  isTypeOf: (value) => typeof value === 'object' && value !== null && 'fileName' in value,
  fields: (t) => ({
    fileName: t.exposeString('fileName'),
    size: t.string({ resolve: (file) => file.size.toString() }),
    fileMd5: t.exposeString('fileMd5', { nullable: true }),
    fileSha1: t.exposeString('fileSha1', { nullable: true }),
    fileSha256: t.exposeString('fileSha256', { nullable: true }),
    createdAt: t.expose('createdAt', { type: TimeScalar }),
    updatedAt: t.expose('updatedAt', { type: TimeScalar }),
    downloadPath: t.string({
      resolve: async (file, _args, ctx) => {
        const pkg = await ctx.loaders.package.load(file.packageId);
        const project = pkg && (await ctx.loaders.project.load(pkg.projectId));
        return `/${project?.fullPath}/-/package_files/${file.id}/download`;
      },
    }),
  }),
});

export const PackageFileConnectionRef = builder.connectionObject({
  type: PackageFileRef,
  name: 'PackageFileConnection',
  fields: (t) => ({
    count: t.int({
      description: 'The number of files (beyond GitLab).',
      args: { limit: t.arg.int({ required: false, description: 'Stop counting at limit + 1.' }) },
      resolve: (connection, args) => countOf(connection, args.limit),
    }),
  }),
});

const fileSorts = ['ID_ASC', 'ID_DESC', 'CREATED_ASC', 'CREATED_DESC', 'FILE_NAME_ASC', 'FILE_NAME_DESC'] as const;
export type FileSortName = (typeof fileSorts)[number];

export const PackageFileSortEnum = builder.enumType('PackageFileSort', {
  description: 'Orders of package files (beyond GitLab); ties are broken by id in the same direction.',
  values: fileSorts,
});

/** `FILE_NAME_DESC` -> file_name, descending. */
export function parseFileSort(name: FileSortName): PackageFileSort {
  const direction = name.endsWith('_ASC') ? 'asc' : 'desc';
  const keys = { ID: 'id', CREATED: 'created_at', FILE_NAME: 'file_name' } as const;
  return { key: keys[name.slice(0, name.lastIndexOf('_')) as keyof typeof keys], direction };
}
