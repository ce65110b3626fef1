// The registry URL fields of GitLab's PackageDetailsType (app/graphql/types/packages/package_details_type.rb):
// absolute URLs built by the formulas of src/domain/install-urls.ts (GitLab's packages_helper.rb)
// from the instance URL (the context's baseUrl), the package's project and the project's group.
import { installUrls, type InstallUrls } from '../domain/install-urls.ts';
import { builder } from './builder.ts';
import type { GraphQLContext } from './context.ts';
import { PackageDetailsRef, type PackageRow } from './package.ts';

/** The install URLs of a package (its project and group come from the per-request loaders). */
async function urlsOf(pkg: PackageRow, ctx: GraphQLContext): Promise<InstallUrls> {
  const project = await ctx.loaders.project.load(pkg.projectId);
  if (!project) throw new Error(`project ${pkg.projectId} of package ${pkg.id} is missing`);
  const namespace = await ctx.loaders.namespace.load(project.namespaceId);
  return installUrls(ctx.baseUrl, project, namespace?.kind === 'group' ? namespace.id : null);
}

// GitLab's field descriptions.
const fields: Record<keyof InstallUrls, string> = {
  composerConfigRepositoryUrl: 'Url of the Composer setup endpoint.',
  composerUrl: 'Url of the Composer endpoint.',
  conanUrl: 'Url of the Conan project endpoint.',
  mavenUrl: 'Url of the Maven project endpoint.',
  npmUrl: 'Url of the NPM project endpoint.',
  nugetUrl: 'Url of the Nuget project endpoint.',
  pypiSetupUrl: 'Url of the PyPi project setup endpoint.',
  pypiUrl: 'Url of the PyPi project endpoint.',
};

for (const [name, description] of Object.entries(fields) as [keyof InstallUrls, string][]) {
  builder.objectField(PackageDetailsRef, name, (t) =>
    t.string({ nullable: true, description, resolve: async (pkg, _args, ctx) => (await urlsOf(pkg, ctx))[name] }),
  );
}
