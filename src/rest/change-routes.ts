// The route table's rows that change state (spec rest.md 3.6, 3.7, and the gateway's restore): each
// runs one of the gateway's REST-shaped mutations, whose refusals carry `extensions.code`.
import { restoreRefusals } from '../domain/restore.ts';
import { deletionProtected, errors } from './errors.ts';
import { param, restGid } from './params.ts';
import type { Route } from './routes.ts';

const route = <Data>(row: Route<Data>) => row as unknown as Route<unknown>;
const id = param.string('id', { required: true });
const packageId = param.integer('package_id', { required: true });

/** If-Unmodified-Since as a time; absent or unreadable means no precondition (GitLab ignores it). */
function unmodifiedSince(headers: Headers): string | null {
  const value = headers.get('if-unmodified-since');
  if (!value) return null;
  const time = new Date(value);
  return Number.isNaN(time.getTime()) ? null : time.toISOString();
}

const deleteRefusals = {
  INSUFFICIENT_SCOPE: errors.insufficientScope,
  PROJECT_NOT_FOUND: errors.projectNotFound,
  FORBIDDEN: errors.forbidden,
  PACKAGE_NOT_FOUND: errors.recordNotFound,
  PACKAGE_FILE_NOT_FOUND: errors.notFound,
  PRECONDITION_FAILED: errors.preconditionFailed,
};

/** The refusals restorePackage can answer (of the deletes' codes). */
const { INSUFFICIENT_SCOPE, PROJECT_NOT_FOUND, FORBIDDEN, PACKAGE_NOT_FOUND } = deleteRefusals;
const restoreCodes = { INSUFFICIENT_SCOPE, PROJECT_NOT_FOUND, FORBIDDEN, PACKAGE_NOT_FOUND };

/** The restore's refusals: deletion protection 403, past the restore window 400, published again since 409. */
const restoreErrors = {
  protected: () => errors.forbiddenBecause(deletionProtected),
  cleanedUp: () => errors.apiError(400, `400 Bad request - ${restoreRefusals.cleanedUp}`),
  exists: () => errors.apiError(409, restoreRefusals.exists('<name>', '<version>')),
};

export const changeRoutes: Route<unknown>[] = [
  route<{ destroyProjectPackage: { errors: string[] } }>({
    name: 'E6 delete a project package',
    method: 'DELETE',
    path: '/projects/:id/packages/:package_id',
    scope: 'project',
    pagination: 'none',
    params: [id, packageId],
    operation: `
      mutation RestDestroyPackage($project: ID!, $package: PackagesPackageID!, $unmodifiedSince: Time) {
        destroyProjectPackage(input: { projectId: $project, id: $package, unmodifiedSince: $unmodifiedSince }) { errors }
      }`,
    variables: (input) => ({
      project: input.scope,
      package: restGid('Package', input.params.package_id!),
      unmodifiedSince: unmodifiedSince(input.headers),
    }),
    refusals: deleteRefusals,
    throws: { deletionProtected: () => errors.apiError(403, deletionProtected) },
    respond: (data) => {
      if (data.destroyProjectPackage.errors.length > 0) throw errors.apiError(403, deletionProtected);
      return { kind: 'noContent' };
    },
  }),

  route<{ destroyProjectPackageFile: { errors: string[] } }>({
    name: 'E7 delete a package file',
    method: 'DELETE',
    path: '/projects/:id/packages/:package_id/package_files/:package_file_id',
    scope: 'project',
    pagination: 'none',
    params: [id, packageId, param.integer('package_file_id', { required: true })],
    operation: `
      mutation RestDestroyPackageFile($project: ID!, $package: PackagesPackageID!, $file: PackagesPackageFileID!, $unmodifiedSince: Time) {
        destroyProjectPackageFile(input: { projectId: $project, packageId: $package, id: $file, unmodifiedSince: $unmodifiedSince }) {
          errors
        }
      }`,
    variables: (input) => ({
      project: input.scope,
      package: restGid('Package', input.params.package_id!),
      file: restGid('PackageFile', input.params.package_file_id!),
      unmodifiedSince: unmodifiedSince(input.headers),
    }),
    refusals: deleteRefusals,
    throws: { deletionProtected: () => errors.forbiddenBecause(deletionProtected) },
    respond: (data) => {
      if (data.destroyProjectPackageFile.errors.length > 0) throw errors.forbiddenBecause(deletionProtected);
      return { kind: 'noContent' };
    },
  }),

  route<{ restorePackage: { errors: string[] } }>({
    name: 'E8 restore a deleted package',
    method: 'POST',
    path: '/projects/:id/packages/:package_id/restore',
    scope: 'project',
    pagination: 'none',
    params: [id, packageId],
    operation: `
      mutation RestRestorePackage($project: ID!, $package: PackagesPackageID!) {
        restorePackage(input: { projectId: $project, id: $package }) { errors }
      }`,
    variables: (input) => ({ project: input.scope, package: restGid('Package', input.params.package_id!) }),
    refusals: restoreCodes,
    throws: { deletionProtected: restoreErrors.protected, cleanedUp: restoreErrors.cleanedUp, exists: restoreErrors.exists },
    respond: (data) => {
      const [refusal] = data.restorePackage.errors;
      if (refusal === undefined) return { kind: 'noContent' };
      if (refusal === restoreRefusals.protected) throw restoreErrors.protected();
      if (refusal === restoreRefusals.cleanedUp) throw restoreErrors.cleanedUp();
      throw errors.apiError(409, refusal);
    },
  }),
];
