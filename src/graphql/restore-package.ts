// The gateway's `restorePackage` mutation (GitLab has none): a package deleted (pending_destruction)
// and not yet cleaned up gets back its status and the files deleted with it. Refusals are top-level
// errors with `extensions.code`, as for the gateway's REST-shaped deletes; a package that may not be
// restored (protected, cleaned up, re-published since) is reported in `errors`.
import { restorePackage } from '../domain/restore.ts';
import { gitlabMutationField } from './builder.ts';
import { projectOfInput, withRefusalCodes } from './destroy-project-package.ts';
import { PackagesPackageID } from './package.ts';

gitlabMutationField('restorePackage', {
  inputFields: (t) => ({
    id: t.field({ type: PackagesPackageID, required: true, description: 'Global ID of the package (status PENDING_DESTRUCTION).' }),
    projectId: t.id({ required: false, description: 'Global ID of the project the package must belong to; absent: its own.' }),
  }),
  description:
    'Restores a deleted package (status PENDING_DESTRUCTION) that the cleanup has not removed yet, with the status it had and the files deleted with it (beyond GitLab). Needs the Maintainer role or higher, as deleting does. Refusals are top-level errors with `extensions.code`: INSUFFICIENT_SCOPE, PROJECT_NOT_FOUND, FORBIDDEN or PACKAGE_NOT_FOUND; a deletion-protected package, one past the restore window, or one whose name and version were published again since is reported in `errors`, and nothing changes.',
  resolve: (input, ctx) =>
    withRefusalCodes(async () =>
      restorePackage(ctx.prisma, ctx.actor, {
        packageId: input.id,
        ...(input.projectId != null ? { project: await projectOfInput(ctx, input.projectId) } : {}),
        windowSeconds: ctx.restoreWindowSeconds,
      }),
    ),
});
