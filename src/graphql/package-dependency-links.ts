// PackageDetailsType.dependencyLinks: GitLab's PackageDependencyLink connection
// (app/graphql/types/packages/package_dependency_link_type.rb), with PackageDependency
// (package_dependency_type.rb), the PackageDependencyType enum (package_dependency_type_enum.rb) and
// the DependencyLinkMetadata union (dependency_link_metadata_type.rb) of NugetDependencyLinkMetadata
// (nuget/dependency_link_metadatum_type.rb). Ids are `ID!` carrying GitLab's gids, as the package
// metadata ids are (see package-metadata.ts).
import type { PackageType } from '../generated/prisma/enums.ts';
import type { DependencyLinkRow } from '../domain/package-metadata.ts';
import { builder } from './builder.ts';
import { pageArgs, pageInMemory, toConnection, validCursorArgs } from './connection.ts';
import { encodeGid } from './global-id.ts';
import { PackageDetailsRef } from './package.ts';

/** A dependency link with the type of the package it belongs to (its metadata depends on it). */
type DependencyLinkNode = DependencyLinkRow & { packageType: PackageType };
type NugetLinkMetadatum = NonNullable<DependencyLinkRow['nugetMetadatum']>;

/** GitLab's PackageDependencyType: `Packages::DependencyLink.dependency_types`, underscored and upper-cased. */
export const PackageDependencyTypeEnum = builder.enumType('PackageDependencyType', {
  values: {
    DEPENDENCIES: { value: 'dependencies', description: 'dependencies dependency type' },
    DEV_DEPENDENCIES: { value: 'dev_dependencies', description: 'devDependencies dependency type' },
    BUNDLE_DEPENDENCIES: { value: 'bundle_dependencies', description: 'bundleDependencies dependency type' },
    PEER_DEPENDENCIES: { value: 'peer_dependencies', description: 'peerDependencies dependency type' },
  } as const,
});

export const PackageDependencyRef = builder.objectRef<DependencyLinkRow['dependency']>('PackageDependency');
PackageDependencyRef.implement({
  description: 'Represents a package dependency.',
  fields: (t) => ({
    id: t.id({ description: 'ID of the dependency.', resolve: (dependency) => encodeGid('Packages::Dependency', dependency.id) }),
    name: t.exposeString('name', { description: 'Name of the dependency.' }),
    versionPattern: t.exposeString('versionPattern', { description: 'Version pattern of the dependency.' }),
  }),
});

export const NugetDependencyLinkMetadataRef = builder.objectRef<NugetLinkMetadatum>('NugetDependencyLinkMetadata');
NugetDependencyLinkMetadataRef.implement({
  description: 'Nuget dependency link metadata',
  fields: (t) => ({
    id: t.id({
      description: 'ID of the metadatum.',
      resolve: (metadatum) => encodeGid('Packages::Nuget::DependencyLinkMetadatum', metadatum.dependencyLinkId),
    }),
    targetFramework: t.exposeString('targetFramework', { description: 'Target framework of the dependency link package.' }),
  }),
});

export const DependencyLinkMetadataUnion = builder.unionType('DependencyLinkMetadata', {
  description: 'Represents metadata associated with a dependency link',
  types: [NugetDependencyLinkMetadataRef],
  resolveType: () => NugetDependencyLinkMetadataRef,
});

export const PackageDependencyLinkRef = builder.objectRef<DependencyLinkNode>('PackageDependencyLink');
PackageDependencyLinkRef.implement({
  description: 'Represents a package dependency link',
  fields: (t) => ({
    dependency: t.field({
      type: PackageDependencyRef,
      nullable: true,
      description: 'Dependency.',
      resolve: (link) => link.dependency,
    }),
    dependencyType: t.field({
      type: PackageDependencyTypeEnum,
      description: 'Dependency type.',
      resolve: (link) => link.dependencyType,
    }),
    id: t.id({ description: 'ID of the dependency link.', resolve: (link) => encodeGid('Packages::DependencyLink', link.id) }),
    metadata: t.field({
      type: DependencyLinkMetadataUnion,
      nullable: true,
      description: 'Dependency link metadata.',
      // GitLab's PackageDependencyLinkType#metadata: only NuGet packages' links have metadata.
      resolve: (link) => (link.packageType === 'nuget' ? link.nugetMetadatum : null),
    }),
  }),
});

export const PackageDependencyLinkConnectionRef = builder.connectionObject({
  type: PackageDependencyLinkRef,
  name: 'PackageDependencyLinkConnection',
});

builder.objectField(PackageDetailsRef, 'dependencyLinks', (t) =>
  t.connection(
    {
      type: PackageDependencyLinkRef,
      nullable: true,
      description: 'Dependency link.',
      resolve: async (pkg, args, ctx) => {
        const links = await ctx.loaders.dependencyLinksByPackage.load(pkg.id);
        validCursorArgs(args);
        // Ascending by id, at most 100 a page (GitLab's default maximum page size), paged in memory.
        const nodes = links.map((link) => ({ ...link, packageType: pkg.packageType }));
        return toConnection(pageInMemory(nodes, pageArgs(args), { maxSize: 100, direction: 'asc', complete: true }));
      },
    },
    PackageDependencyLinkConnectionRef,
  ),
);
