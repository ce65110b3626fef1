// The packages finder: GitLab's filters, defaults and sorts (spec rest.md 2.4-2.6), used by the
// GraphQL connections and therefore by the REST shim.
import { Prisma } from '../generated/prisma/client.ts';
import type { Package, PackageStatus, PackageType, PrismaClient } from '../generated/prisma/client.ts';
import { PackageType as PackageTypes } from '../generated/prisma/enums.ts';
import { isStoredId } from './ids.ts';
import { likeLiteral } from './like.ts';
import { listedPackage, packageJson, type ListedPackage, type PackageIncludes } from './package-json.ts';
import {
  fieldColumn,
  paginate,
  prismaConditions,
  type Conditions,
  type Direction,
  type KeyValue,
  type OrderColumn,
  type Page,
  type PageArgs,
} from './pagination.ts';
import { sqlText } from './text.ts';

export type { ListedPackage, PackageIncludes };

/**
 * Statuses listed when no status is asked for (GitLab's DISPLAYABLE). The partial indexes of the
 * default listing (prisma/schema.prisma) repeat them in their predicate; test/domain/listing-plan.test.ts
 * fails when the two part.
 */
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

type Sql = Prisma.Sql;
const { sql, join, raw } = Prisma;

/** SQL conditions for `paginate`. */
const sqlConditions: Conditions<Sql> = {
  and: (parts) => (parts.length ? sql`(${join(parts, ' AND ')})` : sql`TRUE`),
  or: (parts) => (parts.length ? sql`(${join(parts, ' OR ')})` : sql`FALSE`),
  not: (part) => sql`NOT ${part}`,
};

const listOf = (values: readonly string[]) => raw(values.map((v) => `'${v}'`).join(', '));

/**
 * The conditions of a listing on `packages_packages p`: the projects in scope plus GitLab's filters and
 * defaults (`Packages::PackagesFinder`, `Packages::GroupPackagesFinder`). The default statuses and the
 * terraform exclusion are SQL literals, so the planner can use the partial indexes made for the default
 * listing. The version is compared exactly, each name term as a case-insensitive substring (`ILIKE`, served
 * by the trigram index); a version or term that no stored text can equal or contain (`sqlText`: it holds
 * U+0000) makes the listing match nothing, never sending that text to the database.
 */
export function packagesWhere(projectIds: number[], filters: PackageFilters): Sql {
  const and: Sql[] = [projectIds.length === 1 ? sql`p.project_id = ${projectIds[0]!}` : sql`p.project_id = ANY(${projectIds})`];
  and.push(filters.status ? sql`p.status = ${filters.status}::"PackageStatus"` : sql`p.status IN (${listOf(displayableStatuses)})`);
  and.push(filters.type ? sql`p.package_type = ${filters.type}::"PackageType"` : sql`p.package_type <> 'terraform_module'`);
  if (filters.version) {
    const version = sqlText(filters.version);
    and.push(version === null ? sql`FALSE` : sql`p.version = ${version}`);
  } else if (!filters.includeVersionless) {
    and.push(sql`p.version IS NOT NULL`);
  }
  for (const term of nameSearchTerms(filters.name ?? '')) {
    const text = sqlText(term);
    and.push(text === null ? sql`FALSE` : sql`p.name ILIKE ${`%${likeLiteral(text)}%`}`);
  }
  return sqlConditions.and(and);
}

/** A listed package with the path of its project when the listing is ordered by it. */
type PackageRow = ListedPackage & { projectPath?: string };

/** An ordering term of the page statement: inside it (`p.`, `pr.`) and over its result (`page.`). */
interface SqlOrderTerm {
  inner: string;
  outer: string;
}

const isText = (v: unknown) => typeof v === 'string';
const isoTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$/;
const typeNames: readonly string[] = Object.values(PackageTypes);

/**
 * A column of the listing's ordering: `column` of `packages_packages p` (or the project's path), with
 * the cursor values it `accepts` (others make the cursor invalid), compared as its own type (`cast`).
 */
function sqlColumn(
  column: 'created_at' | 'name' | 'version' | 'package_type' | 'id' | 'project_path',
  direction: Direction,
  value: (row: PackageRow) => KeyValue,
  accepts: (value: Exclude<KeyValue, null>) => boolean,
  options: { nullable?: boolean; cast?: string } = {},
): OrderColumn<PackageRow, Sql, SqlOrderTerm> {
  const inner = column === 'project_path' ? 'pr.path' : `p.${column}`;
  const expression = raw(inner);
  const operators = { gt: '>', lt: '<', equals: '=' } as const;
  return {
    direction,
    nullable: options.nullable ?? false,
    value,
    accepts,
    compare: (op, v) => sql`${expression} ${raw(operators[op])} ${v}${raw(options.cast ?? '')}`,
    isNull: (isNull) => sql`${expression} IS ${raw(isNull ? 'NULL' : 'NOT NULL')}`,
    // PostgreSQL's default NULL placement (last ascending, first descending) is the one cursors assume.
    orderBy: (d) => ({ inner: `${inner} ${d.toUpperCase()}`, outer: `page.${column} ${d.toUpperCase()}` }),
  };
}

/** Columns of an ordering: the sort key, then the id in the same direction (GitLab's project_path: id DESC). */
export function packageOrder(sort: PackageSort): OrderColumn<PackageRow, Sql, SqlOrderTerm>[] {
  const d = sort.direction;
  const id = (direction: Direction) => sqlColumn('id', direction, (row) => row.id, (v) => Number.isSafeInteger(v));
  switch (sort.key) {
    case 'created_at': {
      // An ISO 8601 time, as cursors carry it (PostgreSQL would refuse other text as a timestamptz).
      const isTime = (v: unknown) => typeof v === 'string' && isoTime.test(v) && !Number.isNaN(Date.parse(v));
      return [sqlColumn('created_at', d, (row) => row.createdAt.toISOString(), isTime, { cast: '::timestamptz' }), id(d)];
    }
    case 'name':
      return [sqlColumn('name', d, (row) => row.name, isText), id(d)];
    case 'version':
      return [sqlColumn('version', d, (row) => row.version, isText, { nullable: true }), id(d)];
    case 'type':
      // PostgreSQL orders an enum as it was declared, as GitLab orders its integer column.
      return [sqlColumn('package_type', d, (row) => row.packageType, (v) => typeNames.includes(String(v)), { cast: '::"PackageType"' }), id(d)];
    case 'project_path':
      return [sqlColumn('project_path', d, (row) => row.projectPath ?? null, isText), id('desc')];
  }
}

export interface PackageListing {
  projectIds: number[];
  filters: PackageFilters;
  sort: PackageSort;
}

/** A page of a listing, with the listing's count when it was asked for with the page. */
export interface PackagesPage extends Page<ListedPackage> {
  /** The count (`countPackages` with the same limit) when `findPackagesPage` was given `count`. */
  total?: number;
}

/** `SELECT count(*)` of a listing, stopping at `limit + 1` rows when there is a limit. */
function countSql(listing: Omit<PackageListing, 'sort'>, limit: number | null | undefined): Sql {
  const where = packagesWhere(listing.projectIds, listing.filters);
  return limit === null || limit === undefined
    ? sql`SELECT count(*)::int FROM packages_packages p WHERE ${where}`
    : sql`SELECT count(*)::int FROM (SELECT 1 FROM packages_packages p WHERE ${where} LIMIT ${limit + 1}) c`;
}

/**
 * One page of a listing in ONE SQL statement: the page's rows with the relations `include` asks for,
 * built as JSON by PostgreSQL, and, when `count` is given, the listing's count (as `countPackages`
 * with `count.limit`). Keyset or offset pages as `paginate` makes them; `CursorError` for a bad cursor.
 */
export function findPackagesPage(
  prisma: PrismaClient,
  listing: PackageListing,
  args: PageArgs,
  include: PackageIncludes = {},
  count?: { limit: number | null | undefined },
): Promise<PackagesPage> {
  const base = packagesWhere(listing.projectIds, listing.filters);
  const columns = packageOrder(listing.sort);
  const byPath = listing.sort.key === 'project_path';
  const from = byPath ? sql`packages_packages p JOIN projects pr ON pr.id = p.project_id` : sql`packages_packages p`;
  let total: number | undefined;
  const json = packageJson('page', include, byPath ? { projectPath: 'page.project_path' } : {});
  const pageSql = (where: Sql | undefined, orderBy: SqlOrderTerm[], take: number, skip: number | undefined) =>
    sql`WITH page AS (
        SELECT p.*${byPath ? sql`, pr.path AS project_path` : sql``} FROM ${from}
        WHERE ${where ? sqlConditions.and([base, where]) : base}
        ORDER BY ${raw(orderBy.map((t) => t.inner).join(', '))} LIMIT ${take}${skip ? sql` OFFSET ${skip}` : sql``})
      SELECT (SELECT coalesce(json_agg(${json} ORDER BY ${raw(orderBy.map((t) => t.outer).join(', '))}), '[]'::json) FROM page) AS rows
        ${count ? sql`, (${countSql(listing, count.limit)}) AS total` : sql``}`;
  return paginate({
    args,
    defaultSize: maxPageSize,
    maxSize: maxPageSize,
    columns,
    conditions: sqlConditions,
    find: async ({ where, orderBy, take, skip }) => {
      const [result] = await prisma.$queryRaw<{ rows: Record<string, unknown>[]; total?: number }[]>(pageSql(where, orderBy, take, skip));
      total = result?.total;
      return (result?.rows ?? []).map(listedPackage);
    },
    exists: async (where) => {
      const rows = await prisma.$queryRaw<unknown[]>(sql`SELECT 1 FROM ${from} WHERE ${sqlConditions.and([base, where])} LIMIT 1`);
      return rows.length > 0;
    },
  }).then((page) => ({ ...page, total }));
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
export async function countPackages(prisma: PrismaClient, listing: Omit<PackageListing, 'sort'>, limit?: number | null): Promise<number> {
  const [row] = await prisma.$queryRaw<{ count: number }[]>(countSql(listing, limit));
  return row!.count;
}

/**
 * The count of a listing with `filters` in each of several projects, in one statement (what
 * `countPackages` gives for each project alone, without a limit); projects without packages count 0.
 */
export async function countPackagesByProject(prisma: PrismaClient, projectIds: readonly number[], filters: PackageFilters): Promise<Map<number, number>> {
  const counts = new Map<number, number>(projectIds.map((id) => [id, 0]));
  if (projectIds.length === 0) return counts;
  const rows = await prisma.$queryRaw<{ project_id: number; count: number }[]>(
    sql`SELECT p.project_id, count(*)::int AS count FROM packages_packages p WHERE ${packagesWhere([...projectIds], filters)} GROUP BY p.project_id`,
  );
  for (const row of rows) counts.set(row.project_id, row.count);
  return counts;
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

const versionOrder = [fieldColumn<Package>('version', 'asc', { nullable: true }), fieldColumn<Package>('id', 'asc')];

export function findVersionsPage(
  prisma: PrismaClient,
  pkg: Pick<Package, 'id' | 'projectId' | 'packageType' | 'name' | 'version'>,
  args: PageArgs,
): Promise<Page<Package>> {
  const base = versionsWhere(pkg);
  const withBase = (where: object | undefined) => (where ? { AND: [base, where] } : base) as Prisma.PackageWhereInput;
  return paginate({
    args,
    defaultSize: maxPageSize,
    maxSize: maxPageSize,
    columns: versionOrder,
    conditions: prismaConditions,
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
