// The packages finder: GitLab's filters, defaults and sorts (spec rest.md 2.4-2.6), used by the
// GraphQL connections and therefore by the REST shim.
import type { Prisma } from '../generated/prisma/client.ts';
import type { Package, PackageBuildInfo, PackageStatus, PackageType, Pipeline, User } from '../generated/prisma/client.ts';
import { PackageType as PackageTypes } from '../generated/prisma/enums.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { isStoredId } from './ids.ts';
import { likeLiteral } from './like.ts';
import { sqlText } from './text.ts';
import { fieldColumn, paginate, type OrderColumn, type Page, type PageArgs, type Direction } from './pagination.ts';

/** Statuses listed when no status is asked for (GitLab's DISPLAYABLE). */
export const displayableStatuses: PackageStatus[] = ['default', 'error', 'deprecated'];
/** Statuses with detail pages (`web_path`, single-package reads). */
export const detailedStatuses: PackageStatus[] = ['default', 'deprecated'];

export interface PackageFilters {
  name?: string | null;
  type?: PackageType | null;
  version?: string | null;
  status?: PackageStatus | null;
  includeVersionless?: boolean | null;
}

export type PackageOrderKey = 'created_at' | 'name' | 'version' | 'type' | 'project_path';
export interface PackageSort {
  key: PackageOrderKey;
  direction: Direction;
}

export const maxPageSize = 100;

/**
 * GitLab's fuzzy name search: the query squished, split on spaces (a "double-quoted phrase" is one
 * term), each term a case-insensitive substring, all terms required. `%`, `_` and `\` match literally.
 */
export function nameSearchTerms(query: string): string[] {
  const squished = query.trim().replace(/\s+/g, ' ');
  if (squished === '') return [];
  const terms: string[] = [];
  const pattern = /(?:^|\s)"([^"]+)"(?=\s|$)|(\S+)/g;
  for (const match of squished.matchAll(pattern)) terms.push(match[1] ?? match[2]!);
  return terms;
}


/** A condition no package meets (Prisma sends `in: []` as a constant false). */
const noPackage: Prisma.PackageWhereInput = { id: { in: [] } };

/**
 * The `where` of a listing: the projects in scope plus GitLab's filters and defaults
 * (`Packages::PackagesFinder`, `Packages::GroupPackagesFinder`). The version is compared exactly, each
 * name term as a substring; a version or term that no stored text can equal or contain (`sqlText`: it
 * holds U+0000) makes the listing match nothing, never sending that text to the database.
 */
export function packagesWhere(projectIds: number[], filters: PackageFilters): Prisma.PackageWhereInput {
  const and: Prisma.PackageWhereInput[] = [{ projectId: projectIds.length === 1 ? projectIds[0]! : { in: projectIds } }];
  and.push(filters.status ? { status: filters.status } : { status: { in: displayableStatuses } });
  and.push(filters.type ? { packageType: filters.type } : { packageType: { not: 'terraform_module' } });
  if (filters.version) {
    const version = sqlText(filters.version);
    and.push(version === null ? noPackage : { version });
  } else if (!filters.includeVersionless) {
    and.push({ version: { not: null } });
  }
  for (const term of nameSearchTerms(filters.name ?? '')) {
    const text = sqlText(term);
    and.push(text === null ? noPackage : { name: { contains: likeLiteral(text), mode: 'insensitive' } });
  }
  return { AND: and };
}

type PackageRow = Package & { project?: { path: string } } & PackageRelations;

const column = (field: 'createdAt' | 'name' | 'version' | 'packageType' | 'id', direction: Direction, options: { nullable?: boolean; date?: boolean } = {}) =>
  fieldColumn<PackageRow>(field, direction, options);

/** Prisma cannot compare enums with gt/lt: "after npm" is "one of the types declared after npm". */
const typeColumn = (direction: Direction): OrderColumn<PackageRow> => ({
  ...column('packageType', direction),
  compare: (op, value) => {
    const types = Object.values(PackageTypes);
    const at = types.indexOf(value as PackageType);
    if (op === 'equals') return { packageType: value };
    return { packageType: { in: op === 'gt' ? types.slice(at + 1) : types.slice(0, Math.max(at, 0)) } };
  },
});

const projectPathColumn = (direction: Direction): OrderColumn<PackageRow> => ({
  direction,
  nullable: false,
  value: (row) => row.project?.path ?? null,
  compare: (op, value) => ({ project: { path: op === 'equals' ? value : { [op]: value } } }),
  isNull: () => ({}),
  orderBy: (d) => ({ project: { path: d } }),
});

/** Columns of an ordering: the sort key, then the id in the same direction (GitLab's project_path: id DESC). */
export function packageOrder(sort: PackageSort): OrderColumn<PackageRow>[] {
  const d = sort.direction;
  switch (sort.key) {
    case 'created_at':
      return [column('createdAt', d, { date: true }), column('id', d)];
    case 'name':
      return [column('name', d), column('id', d)];
    case 'version':
      return [column('version', d, { nullable: true }), column('id', d)];
    case 'type':
      return [typeColumn(d), column('id', d)];
    case 'project_path':
      return [projectPathColumn(d), column('id', 'desc')];
  }
}

export interface PackageListing {
  projectIds: number[];
  filters: PackageFilters;
  sort: PackageSort;
}

/** Relations fetched in the same statement as the page (with relationJoins: one SQL statement). */
export interface PackageIncludes {
  tags?: boolean;
  /** How many newest pipelines (with their users) to fetch per package. */
  latestPipelines?: number;
  /**
   * The most recent build info (highest id) with its pipeline and the pipeline's user, as
   * `lastBuildInfo` (not fetched here when `latestPipelines` is asked for: both read the same relation).
   */
  lastBuildInfo?: boolean;
  /** Whether any build info links an existing pipeline, as `hasPipelines`. */
  hasPipelines?: boolean;
  /** The user who published the package, as `creator`. */
  creator?: boolean;
  /** The package's row of each per-type metadata table (at most one is set), under Prisma's relation names. */
  metadata?: boolean;
}

/** A package's build info with its pipeline (null when the pipeline was deleted) and the pipeline's user. */
export type BuildInfoWithPipeline = PackageBuildInfo & { pipeline: (Pipeline & { user: User | null }) | null };

/** What `findPackagesPage` adds to a row for the includes asked for. */
export interface PackageRelations {
  lastBuildInfo?: BuildInfoWithPipeline | null;
  hasPipelines?: boolean;
  creator?: User | null;
}

/** The per-type metadata relations of a package (Conan's metadata is on the package row). */
const metadataRelations = { mavenMetadatum: true, pypiMetadatum: true, nugetMetadatum: true, composerMetadatum: true } as const;

export function packageInclude(include: PackageIncludes, sortKey: PackageOrderKey): Prisma.PackageInclude | undefined {
  const result: Prisma.PackageInclude = {};
  if (sortKey === 'project_path') result.project = { select: { path: true } };
  if (include.tags) result.tags = { orderBy: { id: 'asc' } };
  if (include.latestPipelines) {
    result.buildInfos = {
      where: { pipelineId: { not: null } },
      orderBy: { pipelineId: 'desc' },
      take: include.latestPipelines,
      include: { pipeline: { include: { user: true } } },
    };
  } else if (include.lastBuildInfo) {
    result.buildInfos = { orderBy: { id: 'desc' }, take: 1, include: { pipeline: { include: { user: true } } } };
  }
  if (include.hasPipelines) result._count = { select: { buildInfos: { where: { pipelineId: { not: null } } } } };
  if (include.creator) result.creator = true;
  if (include.metadata) Object.assign(result, metadataRelations);
  return Object.keys(result).length ? result : undefined;
}

/** Moves what `packageInclude` fetched under Prisma's relation names to the names of `PackageRelations`. */
function withRelations<T extends Package>(row: T, include: PackageIncludes): T & PackageRelations {
  const out = row as T & PackageRelations & { buildInfos?: BuildInfoWithPipeline[]; _count?: { buildInfos: number } };
  if (include.lastBuildInfo && !include.latestPipelines) {
    out.lastBuildInfo = out.buildInfos?.[0] ?? null;
    delete out.buildInfos;
  }
  if (include.hasPipelines && out._count) {
    out.hasPipelines = out._count.buildInfos > 0;
    delete out._count;
  }
  return out;
}

export function findPackagesPage(
  prisma: PrismaClient,
  listing: PackageListing,
  args: PageArgs,
  include: PackageIncludes = {},
): Promise<Page<PackageRow>> {
  const base = packagesWhere(listing.projectIds, listing.filters);
  const columns = packageOrder(listing.sort);
  const withBase = (where: object | undefined) => (where ? { AND: [base, where] } : base) as Prisma.PackageWhereInput;
  return paginate({
    args,
    defaultSize: maxPageSize,
    maxSize: maxPageSize,
    columns,
    find: async ({ where, orderBy, take, skip }) => {
      const rows = await prisma.package.findMany({
        where: withBase(where),
        orderBy: orderBy as Prisma.PackageOrderByWithRelationInput[],
        take,
        skip,
        include: packageInclude(include, listing.sort.key),
      });
      return rows.map((row) => withRelations(row, include));
    },
    exists: async (where) => (await prisma.package.findFirst({ where: withBase(where), select: { id: true } })) !== null,
  });
}

/**
 * The package with this id in a project if its status is one listed by default (GitLab's REST
 * package lookup: hidden, processing and pending_destruction packages are not found).
 */
export function findListedPackage(prisma: PrismaClient, projectId: number, packageId: number): Promise<Package | null> {
  if (!isStoredId(packageId)) return Promise.resolve(null);
  return prisma.package.findFirst({ where: { id: packageId, projectId, status: { in: displayableStatuses } } });
}

/** Counts a listing; with `limit`, stops counting at limit + 1 rows. */
export function countPackages(prisma: PrismaClient, listing: Omit<PackageListing, 'sort'>, limit?: number | null): Promise<number> {
  return prisma.package.count({
    where: packagesWhere(listing.projectIds, listing.filters),
    ...(limit !== null && limit !== undefined
      ? {
          take: limit + 1,
          // With `take`, Prisma orders the rows (by id unless told, which forces a sort of every
          // matching row): by project, the filter index's own order, it stays an index-only scan.
          orderBy: { projectId: 'asc' },
        }
      : {}),
  });
}

/**
 * The other versions of a package (GraphQL `versions`): same project, type and exact name, listed
 * statuses, a version that is set and differs from this one; by version, then id.
 */
function versionsWhere(pkg: Pick<Package, 'id' | 'projectId' | 'packageType' | 'name' | 'version'>): Prisma.PackageWhereInput {
  return {
    projectId: pkg.projectId,
    packageType: pkg.packageType,
    name: pkg.name,
    status: { in: displayableStatuses },
    id: { not: pkg.id },
    AND: [{ version: { not: null } }, ...(pkg.version === null ? [] : [{ version: { not: pkg.version } }])],
  };
}

const versionOrder = [column('version', 'asc', { nullable: true }), column('id', 'asc')];

export function findVersionsPage(
  prisma: PrismaClient,
  pkg: Pick<Package, 'id' | 'projectId' | 'packageType' | 'name' | 'version'>,
  args: PageArgs,
): Promise<Page<PackageRow>> {
  const base = versionsWhere(pkg);
  const withBase = (where: object | undefined) => (where ? { AND: [base, where] } : base) as Prisma.PackageWhereInput;
  return paginate({
    args,
    defaultSize: maxPageSize,
    maxSize: maxPageSize,
    columns: versionOrder,
    find: ({ where, orderBy, take, skip }) =>
      prisma.package.findMany({ where: withBase(where), orderBy: orderBy as Prisma.PackageOrderByWithRelationInput[], take, skip }),
    exists: async (where) => (await prisma.package.findFirst({ where: withBase(where), select: { id: true } })) !== null,
  });
}

/** Counts the other versions of a package; with `limit`, stops at limit + 1. */
export function countVersions(
  prisma: PrismaClient,
  pkg: Pick<Package, 'id' | 'projectId' | 'packageType' | 'name' | 'version'>,
  limit?: number | null,
): Promise<number> {
  return prisma.package.count({ where: versionsWhere(pkg), ...(limit !== null && limit !== undefined ? { take: limit + 1 } : {}) });
}
