// Package.metadata: GitLab's PackageMetadata union; Conan is the only kind with metadata here.
import type { Package } from '../generated/prisma/client.ts';
import { conanRecipe, conanRecipePath } from '../domain/conan.ts';
import { builder } from './builder.ts';
import { PackageBaseRef, PackageDetailsRef, PackageRef } from './package.ts';

type ConanPackage = Package & { packageType: 'conan' };

export const ConanMetadataRef = builder.objectRef<ConanPackage>('ConanMetadata');

ConanMetadataRef.implement({
  description: 'Conan metadata.',
  isTypeOf: (value) => typeof value === 'object' && value !== null && (value as Package).packageType === 'conan',
  fields: (t) => ({
    packageUsername: t.string({ description: 'Username of the Conan package.', resolve: (pkg) => pkg.conanUsername ?? '_' }),
    packageChannel: t.string({ description: 'Channel of the Conan package.', resolve: (pkg) => pkg.conanChannel ?? '_' }),
    recipe: t.string({ description: 'Recipe of the Conan package.', resolve: (pkg) => conanRecipe(pkg) }),
    recipePath: t.string({ description: 'Recipe path of the Conan package.', resolve: (pkg) => conanRecipePath(pkg) }),
  }),
});

export const PackageMetadataUnion = builder.unionType('PackageMetadata', {
  description: 'Represents metadata associated with a Package.',
  types: [ConanMetadataRef],
  resolveType: () => ConanMetadataRef,
});

for (const ref of [PackageRef, PackageBaseRef, PackageDetailsRef]) {
  builder.objectField(ref, 'metadata', (t) =>
    t.field({
      type: PackageMetadataUnion,
      nullable: true,
      description: 'Package metadata (Conan only here).',
      resolve: (pkg) => (pkg.packageType === 'conan' ? (pkg as ConanPackage) : null),
    }),
  );
}
