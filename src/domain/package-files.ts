// The files of a package as GitLab lists them (spec rest.md 2.3, 3.4): only "installable" files
// (status `default`), ordered by id, creation time or file name, with the id as tie-breaker.
import type { PackageFile, PackageFileStatus, Prisma, PrismaClient } from '../generated/prisma/client.ts';
import { fieldColumn, paginate, prismaConditions, type Direction, type OrderColumn, type Page, type PageArgs } from './pagination.ts';

/** The file statuses GitLab lists and deletes (its "installable" package files). */
export const installableFileStatuses: PackageFileStatus[] = ['default'];

export type PackageFileOrderKey = 'id' | 'created_at' | 'file_name';
export interface PackageFileSort {
  key: PackageFileOrderKey;
  direction: Direction;
}

export const defaultPackageFileSort: PackageFileSort = { key: 'id', direction: 'asc' };
export const maxFilesPageSize = 100;

const fileColumn = (field: 'id' | 'createdAt' | 'fileName', direction: Direction, date = false) =>
  fieldColumn<PackageFile>(field, direction, { date });

/** The ordering: the sort key, then the id in the same direction (GitLab adds no tie-breaker). */
export function packageFileOrder(sort: PackageFileSort): OrderColumn<PackageFile>[] {
  const d = sort.direction;
  switch (sort.key) {
    case 'id':
      return [fileColumn('id', d)];
    case 'created_at':
      return [fileColumn('createdAt', d, true), fileColumn('id', d)];
    case 'file_name':
      return [fileColumn('fileName', d), fileColumn('id', d)];
  }
}

export function installableFilesWhere(packageId: number): Prisma.PackageFileWhereInput {
  return { packageId, status: { in: installableFileStatuses } };
}

export function findPackageFilesPage(
  prisma: PrismaClient,
  packageId: number,
  sort: PackageFileSort,
  args: PageArgs,
): Promise<Page<PackageFile>> {
  const base = installableFilesWhere(packageId);
  const withBase = (where: object | undefined) => (where ? { AND: [base, where] } : base) as Prisma.PackageFileWhereInput;
  return paginate({
    args,
    defaultSize: maxFilesPageSize,
    maxSize: maxFilesPageSize,
    columns: packageFileOrder(sort),
    conditions: prismaConditions,
    find: ({ where, orderBy, take, skip }) =>
      prisma.packageFile.findMany({ where: withBase(where), orderBy: orderBy as Prisma.PackageFileOrderByWithRelationInput[], take, skip }),
    exists: async (where) => (await prisma.packageFile.findFirst({ where: withBase(where), select: { id: true } })) !== null,
  });
}

/** Counts a package's installable files; with `limit`, stops counting at limit + 1 rows. */
export function countPackageFiles(prisma: PrismaClient, packageId: number, limit?: number | null): Promise<number> {
  return prisma.packageFile.count({
    where: installableFilesWhere(packageId),
    ...(limit !== null && limit !== undefined ? { take: limit + 1 } : {}),
  });
}
