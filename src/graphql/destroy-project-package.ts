// Gateway mutations (beyond GitLab's GraphQL): delete one package, or one file of a package, named
// within a project, with the checks of GitLab's REST API in its order. A refusal is a top-level error
// whose `extensions.code` says which check failed; deletion protection is reported in `errors`.
import { GraphQLError } from 'graphql';
import { destroyProjectPackage, destroyProjectPackageFile, DeleteRefused } from '../domain/deletion.ts';
import { gitlabMutationField } from './builder.ts';
import type { GraphQLContext } from './context.ts';
import { parseGidOf } from './global-id.ts';
import { PackagesPackageFileID, PackagesPackageID } from './package.ts';
import { TimeScalar } from './scalars.ts';
import { deletionProtectedMessage } from '../domain/protection.ts';


const codesDescription =
  'Refusals are top-level errors with `extensions.code`: INSUFFICIENT_SCOPE, PROJECT_NOT_FOUND, FORBIDDEN, PACKAGE_NOT_FOUND, PACKAGE_FILE_NOT_FOUND or PRECONDITION_FAILED.';

/** Runs a REST-shaped change, turning its DeleteRefused into a top-level error with `extensions.code`. */
export async function withRefusalCodes<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof DeleteRefused) throw new GraphQLError(error.message, { extensions: { code: error.code } });
    throw error;
  }
}

async function refusalsAsErrors(run: () => Promise<{ protected: boolean }>): Promise<string[]> {
  const result = await withRefusalCodes(run);
  return result.protected ? [deletionProtectedMessage] : [];
}

/** The project an input names by global id (a REST scope), or null. */
export async function projectOfInput(ctx: GraphQLContext, projectId: string | number) {
  return ctx.loaders.project.load(parseGidOf(projectId, 'Project'));
}

/**
 * `destroyProjectPackage`: GitLab's REST `DELETE /projects/:id/packages/:package_id` (lib/api/project_packages.rb)
 * as a mutation, shaped like GitLab's mutations (`clientMutationId: String`, `errors: [String!]!`).
 */
gitlabMutationField('destroyProjectPackage', {
  inputFields: (t) => ({
    projectId: t.id({ required: true, description: 'Global ID of the project the package belongs to.' }),
    id: t.field({ type: PackagesPackageID, required: true, description: 'Global ID of the package.' }),
    unmodifiedSince: t.field({
      type: TimeScalar,
      required: false,
      description: 'Refuse (PRECONDITION_FAILED) when the package changed after this time.',
    }),
  }),
  description: `Marks a package of a project for destruction, checking as GitLab's REST API does: project, permission to delete (before the package is looked up), package (status DEFAULT, ERROR or DEPRECATED), unmodifiedSince, deletion protection (beyond GitLab). ${codesDescription}`,
  resolve: (input, ctx) =>
    refusalsAsErrors(async () =>
      destroyProjectPackage(ctx.prisma, ctx.actor, {
        project: await projectOfInput(ctx, input.projectId),
        packageId: input.id,
        unmodifiedSince: input.unmodifiedSince,
      }),
    ),
});

/**
 * `destroyProjectPackageFile`: GitLab's REST `DELETE /projects/:id/packages/:package_id/package_files/:package_file_id`
 * (lib/api/package_files.rb) as a mutation, shaped like GitLab's mutations.
 */
gitlabMutationField('destroyProjectPackageFile', {
  inputFields: (t) => ({
    projectId: t.id({ required: true, description: 'Global ID of the project the package belongs to.' }),
    packageId: t.field({ type: PackagesPackageID, required: true, description: 'Global ID of the package the file belongs to.' }),
    id: t.field({ type: PackagesPackageFileID, required: true, description: 'Global ID of the package file.' }),
    unmodifiedSince: t.field({
      type: TimeScalar,
      required: false,
      description: 'Refuse (PRECONDITION_FAILED) when the file changed after this time.',
    }),
  }),
  description: `Marks a file of a package for destruction, checking as GitLab's REST API does: project, permission to delete, package, deletion protection (before the file is looked up), file (status DEFAULT), unmodifiedSince (beyond GitLab). ${codesDescription}`,
  resolve: (input, ctx) =>
    refusalsAsErrors(async () =>
      destroyProjectPackageFile(ctx.prisma, ctx.actor, {
        project: await projectOfInput(ctx, input.projectId),
        packageId: input.packageId,
        fileId: input.id,
        unmodifiedSince: input.unmodifiedSince,
      }),
    ),
});
