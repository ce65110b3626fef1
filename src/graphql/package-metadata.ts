// Package.metadata: GitLab's PackageMetadata union (app/graphql/types/packages/metadata_type.rb) of
// ComposerMetadata, ConanMetadata, MavenMetadata, NugetMetadata and PypiMetadata, on Package,
// PackageBase and PackageDetailsType. As in GitLab (PackageBaseType#metadata), a package's metadata
// is its type's metadatum: null for other types (npm, generic, ...) and for a package without a row.
//
// Every metadata type's `id` is `ID!`: GitLab gives each its own scalar (PackagesMavenMetadatumID,
// ...), and graphql-js's validation then rejects GitLab's own getPackageDetails and
// getPackageMetadata, which select `id` on two members of the union ("Fields "id" conflict"); one
// type keeps them valid. The ids are GitLab's gids (`gid://gitlab/Packages::Maven::Metadatum/<id>`),
// numbered by the package id, the key of each metadata table here.
import type {
  Package,
  PackageComposerMetadatum,
  PackageMavenMetadatum,
  PackageNugetMetadatum,
  PackagePypiMetadatum,
} from '../generated/prisma/client.ts';
import { conanRecipe, conanRecipePath } from '../domain/conan.ts';
import { builder } from './builder.ts';
import type { GraphQLContext } from './context.ts';
import { encodeGid } from './global-id.ts';
import { PackageBaseRef, PackageDetailsRef, PackageRef, type PackageRow } from './package.ts';
import { TimeScalar } from './scalars.ts';

/** What `metadata` resolves to: the metadatum, tagged with its GraphQL type. */
type MetadataValue =
  | { kind: 'ComposerMetadata'; row: PackageComposerMetadatum }
  | { kind: 'ConanMetadata'; pkg: Package }
  | { kind: 'MavenMetadata'; row: PackageMavenMetadatum }
  | { kind: 'NugetMetadata'; row: PackageNugetMetadatum }
  | { kind: 'PypiMetadata'; row: PackagePypiMetadatum };
type Of<K extends MetadataValue['kind']> = Extract<MetadataValue, { kind: K }>;

const metadatumGid = (model: string, packageId: number) => encodeGid(`Packages::${model}::Metadatum`, packageId);

/** GitLab's PackageComposerJsonType (app/graphql/types/packages/composer/json_type.rb) over the stored composer.json. */
export const PackageComposerJsonRef = builder.objectRef<Record<string, unknown>>('PackageComposerJsonType');
PackageComposerJsonRef.implement({
  description: 'Represents a composer JSON file',
  fields: (t) => {
    // A composer.json value as GitLab's String field renders it: strings as they are, anything else
    // (a license array, say) as JSON.
    const jsonString = (key: string, description: string) =>
      t.string({
        nullable: true,
        description,
        resolve: (json) => {
          const value = json[key];
          if (value === undefined || value === null) return null;
          return typeof value === 'string' ? value : JSON.stringify(value);
        },
      });
    return {
      license: jsonString('license', 'License set in the Composer JSON file.'),
      name: jsonString('name', 'Name set in the Composer JSON file.'),
      type: jsonString('type', 'Type set in the Composer JSON file.'),
      version: jsonString('version', 'Version set in the Composer JSON file.'),
    };
  },
});

/** GitLab's ComposerMetadata (app/graphql/types/packages/composer/metadatum_type.rb; it has no `id`). */
export const ComposerMetadataRef = builder.objectRef<Of<'ComposerMetadata'>>('ComposerMetadata');
ComposerMetadataRef.implement({
  description: 'Composer metadata',
  fields: (t) => ({
    composerJson: t.field({
      type: PackageComposerJsonRef,
      description: 'Data of the Composer JSON file.',
      resolve: ({ row }) => {
        const json = row.composerJson;
        return json !== null && typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, unknown>) : {};
      },
    }),
    targetSha: t.string({ description: 'Target SHA of the package.', resolve: ({ row }) => row.targetSha }),
  }),
});

/** GitLab's ConanMetadata (app/graphql/types/packages/conan/metadatum_type.rb); the fields live on the package row here. */
export const ConanMetadataRef = builder.objectRef<Of<'ConanMetadata'>>('ConanMetadata');
ConanMetadataRef.implement({
  description: 'Conan metadata',
  fields: (t) => ({
    id: t.id({ description: 'ID of the metadatum.', resolve: ({ pkg }) => metadatumGid('Conan', pkg.id) }),
    createdAt: t.field({ type: TimeScalar, description: 'Date of creation.', resolve: ({ pkg }) => pkg.createdAt }),
    updatedAt: t.field({ type: TimeScalar, description: 'Date of most recent update.', resolve: ({ pkg }) => pkg.updatedAt }),
    packageUsername: t.string({ description: 'Username of the Conan package.', resolve: ({ pkg }) => pkg.conanUsername ?? '_' }),
    packageChannel: t.string({ description: 'Channel of the Conan package.', resolve: ({ pkg }) => pkg.conanChannel ?? '_' }),
    recipe: t.string({ description: 'Recipe of the Conan package.', resolve: ({ pkg }) => conanRecipe(pkg) }),
    recipePath: t.string({ description: 'Recipe path of the Conan package.', resolve: ({ pkg }) => conanRecipePath(pkg) }),
  }),
});

/** GitLab's MavenMetadata (app/graphql/types/packages/maven/metadatum_type.rb). */
export const MavenMetadataRef = builder.objectRef<Of<'MavenMetadata'>>('MavenMetadata');
MavenMetadataRef.implement({
  description: 'Maven metadata',
  fields: (t) => ({
    id: t.id({ description: 'ID of the metadatum.', resolve: ({ row }) => metadatumGid('Maven', row.packageId) }),
    createdAt: t.field({ type: TimeScalar, description: 'Date of creation.', resolve: ({ row }) => row.createdAt }),
    updatedAt: t.field({ type: TimeScalar, description: 'Date of most recent update.', resolve: ({ row }) => row.updatedAt }),
    path: t.string({ description: 'Path of the Maven package.', resolve: ({ row }) => row.path }),
    appGroup: t.string({ description: 'App group of the Maven package.', resolve: ({ row }) => row.appGroup }),
    appVersion: t.string({ nullable: true, description: 'App version of the Maven package.', resolve: ({ row }) => row.appVersion }),
    appName: t.string({ description: 'App name of the Maven package.', resolve: ({ row }) => row.appName }),
  }),
});

/** GitLab's NugetMetadata (app/graphql/types/packages/nuget/metadatum_type.rb). */
export const NugetMetadataRef = builder.objectRef<Of<'NugetMetadata'>>('NugetMetadata');
NugetMetadataRef.implement({
  description: 'Nuget metadata',
  fields: (t) => ({
    iconUrl: t.string({ nullable: true, description: 'Icon URL of the Nuget package.', resolve: ({ row }) => row.iconUrl }),
    id: t.id({ description: 'ID of the metadatum.', resolve: ({ row }) => metadatumGid('Nuget', row.packageId) }),
    licenseUrl: t.string({ nullable: true, description: 'License URL of the Nuget package.', resolve: ({ row }) => row.licenseUrl }),
    projectUrl: t.string({ nullable: true, description: 'Project URL of the Nuget package.', resolve: ({ row }) => row.projectUrl }),
  }),
});

/** GitLab's PypiMetadata (app/graphql/types/packages/pypi/metadatum_type.rb). */
export const PypiMetadataRef = builder.objectRef<Of<'PypiMetadata'>>('PypiMetadata');
PypiMetadataRef.implement({
  description: 'Pypi metadata',
  fields: (t) => {
    const text = (column: keyof Omit<PackagePypiMetadatum, 'packageId'>, description: string) =>
      t.string({ nullable: true, description, resolve: ({ row }) => row[column] });
    return {
      authorEmail: text('authorEmail', 'Author email address(es) in RFC-822 format.'),
      description: text('description', 'Longer description that can run to several paragraphs.'),
      descriptionContentType: text('descriptionContentType', 'Markup syntax used in the description field.'),
      id: t.id({ description: 'ID of the metadatum.', resolve: ({ row }) => metadatumGid('Pypi', row.packageId) }),
      keywords: text('keywords', 'List of keywords, separated by commas.'),
      metadataVersion: text('metadataVersion', 'Metadata version.'),
      requiredPython: text('requiredPython', 'Required Python version of the Pypi package.'),
      summary: text('summary', 'One-line summary of the description.'),
    };
  },
});

const refOfKind = {
  ComposerMetadata: ComposerMetadataRef,
  ConanMetadata: ConanMetadataRef,
  MavenMetadata: MavenMetadataRef,
  NugetMetadata: NugetMetadataRef,
  PypiMetadata: PypiMetadataRef,
} as const;

export const PackageMetadataUnion = builder.unionType('PackageMetadata', {
  description: 'Represents metadata associated with a Package',
  types: Object.values(refOfKind),
  resolveType: (value) => refOfKind[value.kind],
});

/** A package row, with its metadata rows when a page query fetched them (`PackageIncludes.metadata`). */
type WithMetadata = PackageRow & {
  composerMetadatum?: PackageComposerMetadatum | null;
  mavenMetadatum?: PackageMavenMetadatum | null;
  nugetMetadatum?: PackageNugetMetadatum | null;
  pypiMetadatum?: PackagePypiMetadatum | null;
};

/** The row the page query fetched (a row or null), else the loader's (batched per table). */
const fetched = <T>(pkg: WithMetadata, relation: keyof WithMetadata, load: () => Promise<T>): Promise<T> =>
  relation in pkg ? Promise.resolve(pkg[relation] as T) : load();

/**
 * The metadatum of a package (GitLab's PackageBaseType#metadata): its type's row, fetched with the
 * page when the page query selected `metadata`, else loaded in batches; Conan's is the package row.
 */
async function metadataOf(pkg: WithMetadata, ctx: GraphQLContext): Promise<MetadataValue | null> {
  switch (pkg.packageType) {
    case 'conan':
      return { kind: 'ConanMetadata', pkg };
    case 'composer': {
      const row = await fetched(pkg, 'composerMetadatum', () => ctx.loaders.composerMetadatum.load(pkg.id));
      return row && { kind: 'ComposerMetadata', row };
    }
    case 'maven': {
      const row = await fetched(pkg, 'mavenMetadatum', () => ctx.loaders.mavenMetadatum.load(pkg.id));
      return row && { kind: 'MavenMetadata', row };
    }
    case 'nuget': {
      const row = await fetched(pkg, 'nugetMetadatum', () => ctx.loaders.nugetMetadatum.load(pkg.id));
      return row && { kind: 'NugetMetadata', row };
    }
    case 'pypi': {
      const row = await fetched(pkg, 'pypiMetadatum', () => ctx.loaders.pypiMetadatum.load(pkg.id));
      return row && { kind: 'PypiMetadata', row };
    }
    default:
      return null;
  }
}

for (const ref of [PackageRef, PackageBaseRef, PackageDetailsRef]) {
  builder.objectField(ref, 'metadata', (t) =>
    t.field({
      type: PackageMetadataUnion,
      nullable: true,
      description: 'Package metadata (Composer, Conan, Maven, NuGet and PyPI packages; null for other types).',
      resolve: (pkg, _args, ctx) => metadataOf(pkg, ctx),
    }),
  );
}
