// A package row and the relations a listing fetches with it, built as JSON by PostgreSQL in the
// listing's own statement (packages.ts), and turned back into the shapes Prisma gives the rest of the
// code (camelCase fields, `Date`s). The column lists name the tables' columns; each JSON key is its
// column's name in camelCase, which is Prisma's field name for every column listed here.
import { Prisma } from '../generated/prisma/client.ts';
import type { Package, PackageBuildInfo, PackageTag, Pipeline, User } from '../generated/prisma/client.ts';
import type {
  PackageComposerMetadatum,
  PackageMavenMetadatum,
  PackageNugetMetadatum,
  PackagePypiMetadatum,
} from '../generated/prisma/client.ts';

/** What a listing may fetch with each package (one SQL statement for the page and all of these). */
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
  /** The package's row of its type's metadata table, under Prisma's relation name (null for other types). */
  metadata?: boolean;
}

/** A package's build info with its pipeline (null when the pipeline was deleted) and the pipeline's user. */
export type BuildInfoWithPipeline = PackageBuildInfo & { pipeline: (Pipeline & { user: User | null }) | null };

/** A package as a listing returns it, with the relations its `PackageIncludes` asked for. */
export type ListedPackage = Package & {
  tags?: PackageTag[];
  /** The newest build infos with a pipeline (`latestPipelines`), newest pipeline first. */
  buildInfos?: BuildInfoWithPipeline[];
  lastBuildInfo?: BuildInfoWithPipeline | null;
  hasPipelines?: boolean;
  creator?: User | null;
  mavenMetadatum?: PackageMavenMetadatum | null;
  pypiMetadatum?: PackagePypiMetadatum | null;
  nugetMetadatum?: PackageNugetMetadatum | null;
  composerMetadatum?: PackageComposerMetadatum | null;
};

const camel = (column: string) => column.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** `json_build_object('id', t.id, 'projectId', t.project_id, ...)` over `columns` of the table aliased `alias`. */
function jsonObject(alias: string, columns: readonly string[], extra = ''): string {
  const pairs = columns.map((c) => `'${camel(c)}', ${alias}.${c}`);
  return `json_build_object(${[...pairs, ...(extra ? [extra] : [])].join(', ')})`;
}

const packageColumns = [
  'id', 'project_id', 'creator_id', 'name', 'version', 'package_type', 'status', 'status_message',
  'conan_username', 'conan_channel', 'last_downloaded_at', 'created_at', 'updated_at',
] as const;
const userColumns = ['id', 'username', 'name', 'state', 'public_email', 'avatar_url', 'admin', 'created_at', 'updated_at'];
const pipelineColumns = ['id', 'project_id', 'iid', 'sha', 'ref', 'status', 'source', 'user_id', 'created_at', 'updated_at'];
const tagColumns = ['id', 'package_id', 'project_id', 'name', 'created_at', 'updated_at'];
const metadataTables = {
  mavenMetadatum: {
    type: 'maven',
    table: 'packages_maven_metadata',
    columns: ['package_id', 'app_group', 'app_name', 'app_version', 'path', 'created_at', 'updated_at'],
  },
  pypiMetadatum: {
    type: 'pypi',
    table: 'packages_pypi_metadata',
    columns: ['package_id', 'required_python', 'metadata_version', 'summary', 'keywords', 'author_email', 'description', 'description_content_type'],
  },
  nugetMetadatum: {
    type: 'nuget',
    table: 'packages_nuget_metadata',
    columns: ['package_id', 'license_url', 'project_url', 'icon_url', 'authors', 'description'],
  },
  composerMetadatum: { type: 'composer', table: 'packages_composer_metadata', columns: ['package_id', 'target_sha', 'composer_json'] },
} as const;

/** A build info of package `pkg` with its pipeline and the pipeline's user, as one JSON object per row of `bi`. */
const buildInfoJson = (where: string, orderBy: string, limit: string) => `(
  SELECT ${jsonObject('bi', ['id', 'package_id', 'pipeline_id'], `'pipeline', CASE WHEN pl.id IS NULL THEN NULL ELSE ${jsonObject('pl', pipelineColumns, `'user', CASE WHEN u.id IS NULL THEN NULL ELSE ${jsonObject('u', userColumns)} END`)} END`)} AS info
  FROM packages_build_infos bi LEFT JOIN ci_pipelines pl ON pl.id = bi.pipeline_id LEFT JOIN users u ON u.id = pl.user_id
  WHERE ${where} ORDER BY ${orderBy} LIMIT ${limit})`;

/**
 * The JSON object of one package row of the relation aliased `alias`, with the relations `include`
 * asks for (each a correlated subquery, run for the page's rows only) and `fields` (key: SQL expression).
 */
export function packageJson(alias: string, include: PackageIncludes, fields: Record<string, string> = {}): Prisma.Sql {
  const key = [
    alias, include.tags, include.latestPipelines, include.lastBuildInfo, include.hasPipelines, include.creator, include.metadata,
    ...Object.entries(fields).flat(),
  ].join('|');
  let made = madeJson.get(key);
  if (made === undefined) madeJson.set(key, (made = Prisma.raw(buildPackageJson(alias, include, fields))));
  return made;
}

/** `packageJson`'s SQL by its arguments, made once each (bounded: about 1,400 combinations of includes at most). */
const madeJson = new Map<string, Prisma.Sql>();

function buildPackageJson(alias: string, include: PackageIncludes, fields: Record<string, string>): string {
  const extra = Object.entries(fields).map(([key, expression]) => `'${key}', ${expression}`);
  if (include.tags) {
    extra.push(`'tags', (SELECT coalesce(json_agg(${jsonObject('t', tagColumns)} ORDER BY t.id), '[]'::json) FROM packages_tags t WHERE t.package_id = ${alias}.id)`);
  }
  if (include.latestPipelines) {
    const limit = Math.trunc(include.latestPipelines);
    extra.push(
      `'buildInfos', (SELECT coalesce(json_agg(b.info), '[]'::json) FROM ${buildInfoJson(`bi.package_id = ${alias}.id AND bi.pipeline_id IS NOT NULL`, 'bi.pipeline_id DESC', String(limit))} b)`,
    );
  } else if (include.lastBuildInfo) {
    extra.push(`'lastBuildInfo', (SELECT b.info FROM ${buildInfoJson(`bi.package_id = ${alias}.id`, 'bi.id DESC', '1')} b)`);
  }
  if (include.hasPipelines) {
    extra.push(`'hasPipelines', EXISTS (SELECT 1 FROM packages_build_infos bi WHERE bi.package_id = ${alias}.id AND bi.pipeline_id IS NOT NULL)`);
  }
  if (include.creator) {
    extra.push(`'creator', (SELECT ${jsonObject('u', userColumns)} FROM users u WHERE u.id = ${alias}.creator_id)`);
  }
  if (include.metadata) {
    for (const [relation, { type, table, columns }] of Object.entries(metadataTables)) {
      extra.push(
        `'${relation}', CASE WHEN ${alias}.package_type = '${type}' THEN (SELECT ${jsonObject('m', columns)} FROM ${table} m WHERE m.package_id = ${alias}.id) END`,
      );
    }
  }
  return jsonObject(alias, packageColumns, extra.join(', '));
}

type Json = Record<string, unknown>;

function dates<T>(value: Json | null | undefined, keys: readonly string[]): T {
  if (value) for (const key of keys) if (typeof value[key] === 'string') value[key] = new Date(value[key] as string);
  return value as T;
}
const stamps = ['createdAt', 'updatedAt'] as const;

function buildInfo(info: Json | null): BuildInfoWithPipeline | null {
  const pipeline = info?.pipeline as Json | null | undefined;
  if (pipeline) {
    dates(pipeline, stamps);
    dates(pipeline.user as Json | null, stamps);
  }
  return info as BuildInfoWithPipeline | null;
}

/** Turns what `packageJson` built (parsed) into a `ListedPackage`: dates become `Date`s. Mutates `row`. */
export function listedPackage(row: Json): ListedPackage {
  dates(row, ['createdAt', 'updatedAt', 'lastDownloadedAt']);
  const tags = row.tags as Json[] | undefined;
  if (tags) for (const tag of tags) dates(tag, stamps);
  const infos = row.buildInfos as Json[] | undefined;
  if (infos) for (const info of infos) buildInfo(info);
  if (row.lastBuildInfo !== undefined) buildInfo(row.lastBuildInfo as Json | null);
  if (row.creator) dates(row.creator as Json, stamps);
  if (row.mavenMetadatum) dates(row.mavenMetadatum as Json, stamps);
  return row as unknown as ListedPackage;
}
