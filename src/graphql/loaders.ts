import DataLoader from 'dataloader';
import type { TableCache } from '../db/cache.ts';
import { cachedMany, type DomainCaches } from '../domain/caches.ts';
import { lastBuildInfos, packagesWithPipelines, pipelinesOfPackageFiles } from '../domain/build-infos.ts';
import { isStoredId } from '../domain/ids.ts';
import {
  findDependencyLinks,
  findMetadata,
  type DependencyLinkRow,
  type MetadataTableType,
  type MetadatumOf,
} from '../domain/package-metadata.ts';
import { countPackagesByProject, type PackageFilters } from '../domain/packages.ts';
import { findProjectsOfGroups } from '../domain/projects.ts';
import { findPackageSettingChains, type PackageSettingChain } from '../domain/package-settings.ts';
import type { BuildInfoWithPipeline } from '../domain/package-json.ts';
import type {
  Namespace,
  Package,
  PackageProtectionRule,
  PackageTag,
  Pipeline,
  PrismaClient,
  Project,
  User,
} from '../generated/prisma/client.ts';

/** Loads rows by id in one statement per batch, in key order (null where missing or not an id). */
function byId<T extends { id: number }>(load: (ids: number[]) => Promise<T[]>): DataLoader<number, T | null> {
  return new DataLoader(async (ids) => {
    const stored = ids.filter(isStoredId);
    const rows = stored.length ? await load(stored) : [];
    const map = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => map.get(id) ?? null);
  });
}

/**
 * `byId` through a cache between requests: cached rows cost nothing, the others are loaded in one
 * statement and stored (unless a change came in meanwhile).
 */
function cachedById<T extends { id: number }>(cache: TableCache<number, T>, load: (ids: number[]) => Promise<T[]>): DataLoader<number, T | null> {
  return byId(async (ids) => [...(await cachedMany(cache, ids, async (misses) => new Map((await load(misses)).map((row) => [row.id, row])))).values()]);
}

/** Loads the rows belonging to each key in one statement per batch. */
function grouped<T>(load: (keys: number[]) => Promise<T[]>, keyOf: (row: T) => number): DataLoader<number, T[]> {
  return new DataLoader(async (keys) => {
    const rows = await load([...keys]);
    const map = new Map<number, T[]>();
    for (const row of rows) {
      const key = keyOf(row);
      const list = map.get(key);
      if (list) list.push(row);
      else map.set(key, [row]);
    }
    return keys.map((key) => map.get(key) ?? []);
  });
}

export type PipelineWithUser = Pipeline & { user: User | null };

/** The metadata row of each package in the table of `type`, null when it has none. */
function metadataLoader<T extends MetadataTableType>(prisma: PrismaClient, type: T): DataLoader<number, MetadatumOf[T] | null> {
  return new DataLoader(async (ids) => {
    const rows = new Map((await findMetadata(prisma, type, [...ids])).map((row) => [row.packageId, row]));
    return ids.map((id) => rows.get(id) ?? null);
  });
}

/** Makes one loader of a request from the request's client and the caches between requests. */
type LoaderFactory = (prisma: PrismaClient, caches: DomainCaches) => unknown;

/**
 * Per-request DataLoaders: every relation a list can touch costs one statement per request, not per
 * row. The list resolvers prime them with what the page query already fetched. Each loader is made
 * when a resolver first asks for it (most requests use two or three of them).
 */
const loaderFactories = {
  user: (prisma) => byId<User>((ids) => prisma.user.findMany({ where: { id: { in: ids } } })),
  project: (prisma, caches) => cachedById<Project>(caches.projects, (ids) => prisma.project.findMany({ where: { id: { in: ids } } })),
  namespace: (prisma) => byId<Namespace>((ids) => prisma.namespace.findMany({ where: { id: { in: ids } } })),
  package: (prisma) => byId<Package>((ids) => prisma.package.findMany({ where: { id: { in: ids } } })),
  pipeline: (prisma) => byId<Pipeline>((ids) => prisma.pipeline.findMany({ where: { id: { in: ids } } })),
  tagsByPackage: (prisma) => grouped<PackageTag>(
    (ids) => prisma.packageTag.findMany({ where: { packageId: { in: ids } }, orderBy: { id: 'asc' } }),
    (tag) => tag.packageId,
  ),
  /** Each project's protection rules, id ascending; cached between requests. */
  protectionRulesByProject: (prisma, caches) => new DataLoader<number, PackageProtectionRule[]>(async (ids) => {
    const rules = await cachedMany(caches.protectionRules, ids, async (misses) => {
      const byProject = new Map<number, PackageProtectionRule[]>(misses.map((id) => [id, []]));
      const rows = await prisma.packageProtectionRule.findMany({ where: { projectId: { in: misses } }, orderBy: { id: 'asc' } });
      for (const rule of rows) byProject.get(rule.projectId)!.push(rule);
      return byProject;
    });
    return ids.map((id) => rules.get(id)!);
  }),
  /** Newest pipelines of each package (distinct, by pipeline id descending), with their users. */
  pipelinesByPackage: (prisma) => grouped<{ packageId: number; pipeline: PipelineWithUser }>(
    async (ids) => {
      const infos = await prisma.packageBuildInfo.findMany({
        where: { packageId: { in: ids }, pipelineId: { not: null } },
        orderBy: [{ packageId: 'asc' }, { pipelineId: 'desc' }],
        distinct: ['packageId', 'pipelineId'],
        include: { pipeline: { include: { user: true } } },
      });
      return infos.map((info) => ({ packageId: info.packageId, pipeline: info.pipeline! }));
    },
    (row) => row.packageId,
  ),
  /** The most recent build info (highest id) of each package, null when it has none. */
  lastBuildInfoByPackage: (prisma) => new DataLoader<number, BuildInfoWithPipeline | null>(async (ids) => {
    const rows = new Map((await lastBuildInfos(prisma, [...ids])).map((r) => [r.packageId, r]));
    return ids.map((id) => rows.get(id) ?? null);
  }),
  /** Whether some existing pipeline built each package. */
  hasPipelinesByPackage: (prisma) => new DataLoader<number, boolean>(async (ids) => {
    const built = new Set(await packagesWithPipelines(prisma, [...ids]));
    return ids.map((id) => built.has(id));
  }),
  /** The distinct pipelines that built each package file, newest first, with their users. */
  pipelinesByPackageFile: (prisma) => grouped<{ packageFileId: number; pipeline: PipelineWithUser }>(
    (ids) => pipelinesOfPackageFiles(prisma, ids),
    (row) => row.packageFileId,
  ),
  /** Per-type metadata of packages (Package.metadata), one statement per type and batch. */
  mavenMetadatum: (prisma) => metadataLoader(prisma, 'maven'),
  pypiMetadatum: (prisma) => metadataLoader(prisma, 'pypi'),
  nugetMetadatum: (prisma) => metadataLoader(prisma, 'nuget'),
  composerMetadatum: (prisma) => metadataLoader(prisma, 'composer'),
  /** Dependency links of each package, id ascending, with their dependencies and NuGet metadata. */
  dependencyLinksByPackage: (prisma) => grouped<DependencyLinkRow>((ids) => findDependencyLinks(prisma, ids), (link) => link.packageId),
  /** The default-listing count (`packages { count }`) of each project under some filters, one statement per filters and batch. */
  packageCount: (prisma) => new DataLoader<{ projectId: number; filters: PackageFilters }, number, string>(
    async (keys) => {
      const byFilters = new Map<string, { filters: PackageFilters; ids: Set<number> }>();
      for (const { projectId, filters } of keys) {
        const key = JSON.stringify(filters);
        const entry = byFilters.get(key) ?? byFilters.set(key, { filters, ids: new Set() }).get(key)!;
        entry.ids.add(projectId);
      }
      const counts = new Map<string, Map<number, number>>();
      for (const [key, { filters, ids }] of byFilters) counts.set(key, await countPackagesByProject(prisma, [...ids], filters));
      return keys.map(({ projectId, filters }) => counts.get(JSON.stringify(filters))!.get(projectId)!);
    },
    { cacheKeyFn: ({ projectId, filters }) => `${projectId}:${JSON.stringify(filters)}` },
  ),
  /** The projects of each group, with or without its subgroups', one statement per batch. */
  groupProjects: (prisma) => new DataLoader<{ group: Namespace; includeSubgroups: boolean }, Project[], string>(
    async (keys) => {
      const result: Project[][] = [];
      const batches = new Map<boolean, Map<number, Project[]>>();
      for (const sub of [true, false]) {
        const groups = keys.filter((k) => k.includeSubgroups === sub).map((k) => k.group);
        if (groups.length) batches.set(sub, await findProjectsOfGroups(prisma, groups, sub));
      }
      for (const { group, includeSubgroups } of keys) result.push(batches.get(includeSubgroups)!.get(group.id)!);
      return result;
    },
    { cacheKeyFn: ({ group, includeSubgroups }) => `${group.id}:${includeSubgroups}` },
  ),
  /** Package settings rows of each namespace (by full path) and of its ancestors. */
  packageSettingChain: (prisma) => new DataLoader<string, PackageSettingChain>(async (paths) => {
    const chains = await findPackageSettingChains(prisma, paths);
    return paths.map((path) => chains.get(path)!);
  }),
} satisfies Record<string, LoaderFactory>;

type LoaderFactories = typeof loaderFactories;
export type Loaders = { readonly [K in keyof LoaderFactories]: ReturnType<LoaderFactories[K]> };

/** The loaders of one request, each made on first use (a getter on a shared prototype). */
class RequestLoaders {
  readonly made = new Map<string, unknown>();
  constructor(
    readonly prisma: PrismaClient,
    readonly caches: DomainCaches,
  ) {}
}
for (const [name, make] of Object.entries(loaderFactories) as [string, LoaderFactory][]) {
  Object.defineProperty(RequestLoaders.prototype, name, {
    get(this: RequestLoaders) {
      let loader = this.made.get(name);
      if (loader === undefined) this.made.set(name, (loader = make(this.prisma, this.caches)));
      return loader;
    },
  });
}

export function createLoaders(prisma: PrismaClient, caches: DomainCaches): Loaders {
  return new RequestLoaders(prisma, caches) as unknown as Loaders;
}
