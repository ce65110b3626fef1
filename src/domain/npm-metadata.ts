// The package document npm reads (its "packument") and the dist-tags, from GitLab's
// Packages::Npm::PackageFinder and Packages::Npm::GenerateMetadataService.
import semver from 'semver';
import type { PackageDependencyType, PackageFile, PrismaClient } from '../generated/prisma/client.ts';
import { sqlText } from './text.ts';

// Packages::Npm::GenerateMetadataService::PACKAGE_JSON_ALLOWED_FIELDS.
const versionFields = ['deprecated', 'bin', 'directories', 'dist', 'engines', '_hasShrinkwrap', 'hasInstallScript'];
/** npm's dependency keys and GitLab's dependency_type enum. */
export const dependencyKeys: Record<string, PackageDependencyType> = {
  dependencies: 'dependencies',
  devDependencies: 'dev_dependencies',
  bundleDependencies: 'bundle_dependencies',
  peerDependencies: 'peer_dependencies',
};
/** The statuses npm serves (Packages::Npm::Package installable: default, hidden, deprecated). */
export const npmInstallableStatuses = ['default', 'hidden', 'deprecated'] as const;

export const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * The project's installable npm packages of this exact name (Packages::Npm::PackageFinder), with what
 * the document needs. A name or version no stored text can equal (`sqlText`: it holds U+0000) finds
 * none without asking the database, as GitLab finds nothing for a name that exists nowhere.
 */
export async function findNpmPackages(prisma: Pick<PrismaClient, 'package'>, projectId: number, name: string, version?: string) {
  if (sqlText(name) === null || (version !== undefined && sqlText(version) === null)) return [];
  return prisma.package.findMany({
    where: {
      projectId,
      packageType: 'npm',
      name,
      status: { in: [...npmInstallableStatuses] },
      ...(version !== undefined ? { version } : {}),
    },
    include: {
      npmMetadatum: true,
      tags: true,
      dependencyLinks: { include: { dependency: true } },
      files: { where: { status: 'default' }, orderBy: { id: 'desc' }, take: 1 },
    },
    orderBy: { id: 'asc' },
  });
}
type FoundPackage = Awaited<ReturnType<typeof findNpmPackages>>[number];

/** `latest` when no tag names it: the highest version (GitLab's VersionSorter; here semver's order). */
function highestVersion(packages: FoundPackage[]): string | undefined {
  const versions = packages.map((p) => p.version).filter((v): v is string => v !== null);
  return versions.sort((a, b) => (semver.valid(a) && semver.valid(b) ? semver.compare(a, b) : a.localeCompare(b))).at(-1);
}

/** The dist-tags of these packages: each tag's version (the most recently updated tag wins), and `latest`. */
export function distTags(packages: FoundPackage[]): Record<string, string> {
  const tags = packages.flatMap((p) =>
    p.tags.map((t) => ({
      name: t.name,
      version: p.version,
      updatedAt: t.updatedAt,
    })),
  );
  tags.sort((a, b) => a.updatedAt.getTime() - b.updatedAt.getTime());
  const result: Record<string, string> = {};
  for (const tag of tags) if (tag.version !== null) result[tag.name] = tag.version;
  const latest = highestVersion(packages);
  if (result.latest === undefined && latest !== undefined) result.latest = latest;
  return result;
}

/**
 * The package document npm reads (Packages::Npm::GenerateMetadataService): `name`, `versions` (each
 * installable version with a file: the allowed package.json fields, name, version, `dist` with
 * GitLab's `shasum` and `tarball` plus the `integrity` of the received tarball, and its dependencies
 * by kind) and `dist-tags`. `tarballUrl` makes a file's download URL.
 */
export function npmPackageDocument(name: string, packages: FoundPackage[], tarballUrl: (pkg: FoundPackage, file: PackageFile) => string) {
  const versions: Record<string, unknown> = {};
  for (const pkg of packages) {
    const file = pkg.files[0];
    if (!file || pkg.version === null) continue;
    const json = isObject(pkg.npmMetadatum?.packageJson) ? (pkg.npmMetadatum.packageJson as Record<string, unknown>) : {};
    const entry: Record<string, unknown> = Object.fromEntries(Object.entries(json).filter(([key]) => versionFields.includes(key)));
    const stored = isObject(json.dist) ? json.dist : {};
    entry.name = pkg.name;
    entry.version = pkg.version;
    entry.dist = {
      shasum: file.fileSha1,
      tarball: tarballUrl(pkg, file),
      ...(typeof stored.integrity === 'string' ? { integrity: stored.integrity } : {}),
    };
    for (const [key, type] of Object.entries(dependencyKeys)) {
      const links = pkg.dependencyLinks.filter((l) => l.dependencyType === type);
      if (links.length > 0) entry[key] = Object.fromEntries(links.map((l) => [l.dependency.name, l.dependency.versionPattern]));
    }
    versions[pkg.version] = entry;
  }
  return { name, versions, 'dist-tags': distTags(packages) };
}

