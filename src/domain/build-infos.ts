// Build infos link a package (or a package file) to the pipelines that built it. GitLab's package
// `pipeline` is the pipeline of the most recent build info (highest id), and its package pipelines
// endpoint pages over the build infos that have a pipeline, newest first (spec rest.md 3.5, 4.1).
import type { Pipeline, Prisma, PrismaClient, User } from '../generated/prisma/client.ts';
import type { BuildInfoWithPipeline } from './package-json.ts';
import { fieldColumn, paginate, prismaConditions, type Page, type PageArgs } from './pagination.ts';

export const maxBuildInfosPageSize = 20;

const withPipeline = { pipeline: { include: { user: true } } } as const;

const byIdDescending = [fieldColumn<{ id: number }>('id', 'desc')];

/** Bounds on the build info ids of a page, besides the cursors. */
export interface BuildInfoIdBounds {
  idBelow?: number | null;
  idAbove?: number | null;
}

/** A page of a package's build infos that have a pipeline, by id descending. */
export function findBuildInfosPage(
  prisma: PrismaClient,
  packageId: number,
  args: PageArgs,
  bounds: BuildInfoIdBounds = {},
): Promise<Page<BuildInfoWithPipeline>> {
  const id: Prisma.IntFilter = {};
  if (bounds.idBelow !== null && bounds.idBelow !== undefined) id.lt = bounds.idBelow;
  if (bounds.idAbove !== null && bounds.idAbove !== undefined) id.gt = bounds.idAbove;
  const base: Prisma.PackageBuildInfoWhereInput = { packageId, pipelineId: { not: null }, ...(Object.keys(id).length ? { id } : {}) };
  const withBase = (where: object | undefined) => (where ? { AND: [base, where] } : base) as Prisma.PackageBuildInfoWhereInput;
  return paginate<BuildInfoWithPipeline, object, object>({
    args,
    defaultSize: maxBuildInfosPageSize,
    maxSize: maxBuildInfosPageSize,
    columns: byIdDescending,
    conditions: prismaConditions,
    find: ({ where, orderBy, take, skip }) =>
      prisma.packageBuildInfo.findMany({
        where: withBase(where),
        orderBy: orderBy as Prisma.PackageBuildInfoOrderByWithRelationInput[],
        take,
        skip,
        include: withPipeline,
      }),
    exists: async (where) => (await prisma.packageBuildInfo.findFirst({ where: withBase(where), select: { id: true } })) !== null,
  });
}

/** The most recent build info (highest id) of each package that has one. */
export async function lastBuildInfos(prisma: PrismaClient, packageIds: number[]): Promise<BuildInfoWithPipeline[]> {
  const rows = await prisma.packageBuildInfo.findMany({
    where: { packageId: { in: packageIds } },
    orderBy: [{ packageId: 'asc' }, { id: 'desc' }],
    distinct: ['packageId'],
    include: withPipeline,
  });
  return rows;
}

/** The ids of the packages some existing pipeline built. */
export async function packagesWithPipelines(prisma: PrismaClient, packageIds: number[]): Promise<number[]> {
  const rows = await prisma.packageBuildInfo.findMany({
    where: { packageId: { in: packageIds }, pipelineId: { not: null } },
    distinct: ['packageId'],
    select: { packageId: true },
  });
  return rows.map((r) => r.packageId);
}

/** The distinct pipelines that built each package file, newest (highest id) first. */
export async function pipelinesOfPackageFiles(
  prisma: PrismaClient,
  fileIds: number[],
): Promise<{ packageFileId: number; pipeline: Pipeline & { user: User | null } }[]> {
  const rows = await prisma.packageFileBuildInfo.findMany({
    where: { packageFileId: { in: fileIds }, pipelineId: { not: null } },
    orderBy: [{ packageFileId: 'asc' }, { pipelineId: 'desc' }],
    distinct: ['packageFileId', 'pipelineId'],
    include: withPipeline,
  });
  return rows.map((r) => ({ packageFileId: r.packageFileId, pipeline: r.pipeline! }));
}
