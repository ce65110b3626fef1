// Reads of a package's per-type metadata and its dependency links, batched over many packages (one
// statement per call), for GitLab's `Package.metadata` and `PackageDetailsType.dependencyLinks`.
import type {
  PackageComposerMetadatum,
  PackageDependency,
  PackageDependencyLink,
  PackageMavenMetadatum,
  PackageNugetDependencyLinkMetadatum,
  PackageNugetMetadatum,
  PackagePypiMetadatum,
  PrismaClient,
} from '../generated/prisma/client.ts';

/** The package types whose metadata lives in a table of its own (Conan's is on the package row). */
export type MetadataTableType = 'maven' | 'pypi' | 'nuget' | 'composer';

/** A metadata row of each table type. */
export interface MetadatumOf {
  maven: PackageMavenMetadatum;
  pypi: PackagePypiMetadatum;
  nuget: PackageNugetMetadatum;
  composer: PackageComposerMetadatum;
}

/**
 * The metadata rows of these packages in the table of `type` (GitLab's packages_maven_metadata,
 * packages_pypi_metadata, packages_nuget_metadata, packages_composer_metadata; at most one row per
 * package), read in one statement.
 */
export function findMetadata<T extends MetadataTableType>(
  prisma: PrismaClient,
  type: T,
  packageIds: number[],
): Promise<MetadatumOf[T][]> {
  const where = { packageId: { in: packageIds } };
  const read: { [K in MetadataTableType]: () => Promise<MetadatumOf[K][]> } = {
    maven: () => prisma.packageMavenMetadatum.findMany({ where }),
    pypi: () => prisma.packagePypiMetadatum.findMany({ where }),
    nuget: () => prisma.packageNugetMetadatum.findMany({ where }),
    composer: () => prisma.packageComposerMetadatum.findMany({ where }),
  };
  return read[type]() as Promise<MetadatumOf[T][]>;
}

/** A dependency link with its dependency and its NuGet metadatum (null unless it has one). */
export type DependencyLinkRow = PackageDependencyLink & {
  dependency: PackageDependency;
  nugetMetadatum: PackageNugetDependencyLinkMetadatum | null;
};

/**
 * The dependency links of these packages, by package then id ascending, each with its dependency and
 * its NuGet metadatum, in one statement (GitLab's `package.dependency_links`, whose GraphQL type
 * batch-loads the dependency and the metadatum: app/graphql/types/packages/package_dependency_link_type.rb).
 */
export function findDependencyLinks(prisma: PrismaClient, packageIds: number[]): Promise<DependencyLinkRow[]> {
  return prisma.packageDependencyLink.findMany({
    where: { packageId: { in: packageIds } },
    orderBy: [{ packageId: 'asc' }, { id: 'asc' }],
    include: { dependency: true, nugetMetadatum: true },
  });
}
