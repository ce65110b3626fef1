import { likeLiteral } from './like.ts';
import { sqlText } from './text.ts';
import type { Namespace, Prisma, Project, PrismaClient } from '../generated/prisma/client.ts';
import { noCaches, type DomainCaches } from './caches.ts';
import { isStoredId } from './ids.ts';
import { fieldColumn, paginate, prismaConditions, type Direction, type OrderColumn, type Page, type PageArgs } from './pagination.ts';
import { memberGroupsWhere, memberProjectsWhere, readableGroupsWhere, readableProjectsWhere } from './policy.ts';
import type { Viewer } from './viewer.ts';

/** Page size cap of the project and group listings (GitLab's `max_page_size`). */
export const maxListingPageSize = 100;

const uncached = noCaches();
// Stored paths are ASCII (letters, digits, `_`, `.`, `-`, `/`); only such keys are cached, so that a
// cache key folds case exactly as PostgreSQL's case-insensitive match does.
const asciiPath = /^[\x21-\x7e]*$/;

/**
 * The project with this full path (`acme/platform/api`), or null. Full paths are unique
 * case-insensitively in GitLab (`Project.find_by_full_path`); the lookup ignores case. A path no
 * stored path can equal (see `sqlText`: it holds U+0000) finds nothing without asking the database.
 * Found projects go through `caches.projectIds` and `caches.projects` (no SQL when cached).
 */
export async function findProjectByFullPath(prisma: PrismaClient, fullPath: string, caches: DomainCaches = uncached): Promise<Project | null> {
  const path = sqlText(fullPath);
  if (path === null) return null;
  const key = asciiPath.test(path) ? path.toLowerCase() : undefined;
  const id = key === undefined ? undefined : caches.projectIds.get(key);
  const hit = id === undefined ? undefined : caches.projects.get(id);
  if (hit) return hit;
  const stamp = caches.projects.stamp();
  const project = await prisma.project.findFirst({ where: { fullPath: { equals: path, mode: 'insensitive' } } });
  if (project && key !== undefined) {
    caches.projectIds.set(key, project.id, stamp);
    caches.projects.set(project.id, project, stamp);
  }
  return project;
}

/**
 * The group with this full path (`acme` or `acme/platform`), or null; case-insensitive, as
 * `Group.find_by_full_path`. A path no stored path can equal (`sqlText`) finds nothing.
 */
export function findGroupByFullPath(prisma: PrismaClient, fullPath: string): Promise<Namespace | null> {
  const path = sqlText(fullPath);
  if (path === null) return Promise.resolve(null);
  return prisma.namespace.findFirst({ where: { kind: 'group', fullPath: { equals: path, mode: 'insensitive' } } });
}

/** The project with this id, or null; through `caches.projects` (no SQL when cached). */
export async function findProjectById(prisma: PrismaClient, id: number, caches: DomainCaches = uncached): Promise<Project | null> {
  if (!Number.isSafeInteger(id) || id <= 0 || id > 2 ** 31 - 1) return null;
  const hit = caches.projects.get(id);
  if (hit) return hit;
  const stamp = caches.projects.stamp();
  const project = await prisma.project.findUnique({ where: { id } });
  if (project) caches.projects.set(project.id, project, stamp);
  return project;
}

/** How `Query.projects` and `Query.groups` may be sorted: GitLab's `<field>_<direction>` strings. */
const sortFields = {
  id: 'id',
  name: 'name',
  path: 'path',
  created: 'createdAt',
  created_at: 'createdAt',
  updated: 'updatedAt',
  updated_at: 'updatedAt',
} as const;

/** The sort strings `parseListingSort` accepts, for error messages and descriptions. */
export const listingSorts = Object.keys(sortFields).flatMap((field) => [`${field}_asc`, `${field}_desc`]);

export interface ListingSort {
  field: (typeof sortFields)[keyof typeof sortFields];
  direction: Direction;
}

/**
 * A GitLab sort string (`id_desc`, `name_asc`, `created_at_desc`...; case-insensitive) as a field and a
 * direction; null when it is none of `listingSorts`.
 */
export function parseListingSort(sort: string): ListingSort | null {
  const match = /^(.+)_(asc|desc)$/.exec(sort.toLowerCase());
  const field = match && Object.hasOwn(sortFields, match[1]!) ? sortFields[match[1] as keyof typeof sortFields] : undefined;
  return field ? { field, direction: match![2] as Direction } : null;
}

type Listed = { id: number; name: string; path: string; createdAt: Date; updatedAt: Date };
const isTime = (v: unknown) => typeof v === 'string' && !Number.isNaN(Date.parse(v));

/** The ordering of a listing: the sort field, then the id the same way (cursor values checked by type). */
function listingOrder<Row extends Listed>(sort: ListingSort): OrderColumn<Row>[] {
  const id = { ...fieldColumn<Row>('id', sort.direction), accepts: (v: unknown) => Number.isSafeInteger(v) };
  if (sort.field === 'id') return [id];
  const date = sort.field === 'createdAt' || sort.field === 'updatedAt';
  const key = { ...fieldColumn<Row>(sort.field, sort.direction, { date }), accepts: date ? isTime : (v: unknown) => typeof v === 'string' };
  return [key, id];
}

/** A case-insensitive substring condition on some text columns, wildcards taken literally. */
function containsAny(fields: readonly string[], search: string): object {
  const text = sqlText(search);
  if (text === null) return { id: -1 };
  return { OR: fields.map((field) => ({ [field]: { contains: likeLiteral(text), mode: 'insensitive' } })) };
}

export interface ProjectListing {
  /** Only projects the viewer is a member of (GitLab's `membership: true`). */
  membership?: boolean | null;
  /** Substring of the name or path (and, with `searchNamespaces`, of the full path), any case. */
  search?: string | null;
  searchNamespaces?: boolean | null;
  ids?: readonly number[] | null;
  sort: ListingSort;
}

/**
 * A page of the projects the viewer may see (GitLab's `Resolvers::ProjectsResolver` over
 * `ProjectsFinder`): public ones, internal ones when signed in, the viewer's own, every one for an
 * admin; `CursorError` for a bad cursor. Pages of at most 100.
 */
export function findProjectsPage(prisma: PrismaClient, viewer: Viewer, listing: ProjectListing, args: PageArgs): Promise<Page<Project>> {
  const and: Prisma.ProjectWhereInput[] = [readableProjectsWhere(viewer)];
  if (listing.membership) and.push(memberProjectsWhere(viewer) ?? { id: -1 });
  if (listing.search) and.push(containsAny(listing.searchNamespaces ? ['name', 'path', 'fullPath'] : ['name', 'path'], listing.search));
  if (listing.ids) and.push({ id: { in: listing.ids.filter(isStoredId) } });
  const base: Prisma.ProjectWhereInput = { AND: and };
  const withBase = (where: object | undefined) => (where ? { AND: [base, where] } : base) as Prisma.ProjectWhereInput;
  return paginate({
    args,
    defaultSize: maxListingPageSize,
    maxSize: maxListingPageSize,
    columns: listingOrder<Project>(listing.sort),
    conditions: prismaConditions,
    find: ({ where, orderBy, take, skip }) =>
      prisma.project.findMany({ where: withBase(where), orderBy: orderBy as Prisma.ProjectOrderByWithRelationInput[], take, skip }),
    exists: async (where) => (await prisma.project.findFirst({ where: withBase(where), select: { id: true } })) !== null,
  });
}

export interface GroupListing {
  /** Substring of the name or the full path, any case. */
  search?: string | null;
  topLevelOnly?: boolean | null;
  /** false: only the groups the viewer is a member of (ignored when anonymous, as GitLab does). */
  allAvailable?: boolean | null;
  ids?: readonly number[] | null;
  sort: ListingSort;
}

/**
 * A page of the groups the viewer may see (GitLab's `Resolvers::GroupsResolver` over `GroupsFinder`,
 * default sort `name_asc`); `CursorError` for a bad cursor. Pages of at most 100.
 */
export function findGroupsPage(prisma: PrismaClient, viewer: Viewer, listing: GroupListing, args: PageArgs): Promise<Page<Namespace>> {
  const and: Prisma.NamespaceWhereInput[] = [readableGroupsWhere(viewer)];
  const members = memberGroupsWhere(viewer);
  if (listing.allAvailable === false && members) and.push(members);
  if (listing.topLevelOnly) and.push({ parentId: null });
  if (listing.search) and.push(containsAny(['name', 'fullPath'], listing.search));
  if (listing.ids) and.push({ id: { in: listing.ids.filter(isStoredId) } });
  const base: Prisma.NamespaceWhereInput = { AND: and };
  const withBase = (where: object | undefined) => (where ? { AND: [base, where] } : base) as Prisma.NamespaceWhereInput;
  return paginate({
    args,
    defaultSize: maxListingPageSize,
    maxSize: maxListingPageSize,
    columns: listingOrder<Namespace>(listing.sort),
    conditions: prismaConditions,
    find: ({ where, orderBy, take, skip }) =>
      prisma.namespace.findMany({ where: withBase(where), orderBy: orderBy as Prisma.NamespaceOrderByWithRelationInput[], take, skip }),
    exists: async (where) => (await prisma.namespace.findFirst({ where: withBase(where), select: { id: true } })) !== null,
  });
}

/**
 * The projects of several groups in one statement (id ascending): for each group id, its own projects
 * and, with `includeSubgroups`, those of its subgroups.
 */
export async function findProjectsOfGroups(prisma: PrismaClient, groups: readonly Namespace[], includeSubgroups: boolean): Promise<Map<number, Project[]>> {
  const result = new Map<number, Project[]>(groups.map((g) => [g.id, []]));
  if (groups.length === 0) return result;
  const projects = await prisma.project.findMany({
    where: {
      OR: [
        { namespaceId: { in: groups.map((g) => g.id) } },
        ...(includeSubgroups ? groups.map((g) => ({ fullPath: { startsWith: `${likeLiteral(g.fullPath)}/` } })) : []),
      ],
    },
    orderBy: { id: 'asc' },
  });
  for (const group of groups) {
    const own = (p: Project) => p.namespaceId === group.id || (includeSubgroups && p.fullPath.startsWith(`${group.fullPath}/`));
    result.set(group.id, projects.filter(own));
  }
  return result;
}
