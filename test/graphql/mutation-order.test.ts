// GitLab's order of checks in its four package delete mutations, one test per ordering decision.
// Sources (gitlab-org/gitlab, GitHub mirror gitlabhq/gitlabhq): app/graphql/mutations/base_mutation.rb
// (BaseMutation.authorized?: execute_graphql_mutation with the `api` scope, before any resolver),
// app/graphql/mutations/packages/destroy.rb, destroy_file.rb, bulk_destroy.rb, destroy_files.rb,
// app/graphql/mutations/concerns/mutations/packages/delete_protection.rb and
// app/services/packages/mark_packages_for_destruction_service.rb.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessLevel } from '../../src/domain/access.ts';
import type { App } from '../../src/server.ts';
import type { TestDatabase } from '../support/database.ts';
import { gid, graphql, openWorld, worldToken } from '../support/graphql.ts';
import {
  DestroyPackageDocument,
  DestroyPackageFileDocument,
  DestroyPackageFilesDocument,
  DestroyPackagesDocument,
} from './generated/graphql.ts';

let db: TestDatabase;
let app: App;
beforeAll(async () => {
  ({ db, app } = await openWorld());
  // `dev` (a developer of the priv group, so of priv/secret) becomes a maintainer of pub/app.
  await db.prisma.projectMember.create({ data: { projectId: 1, userId: 4, accessLevel: AccessLevel.MAINTAINER } });
  // A second file of keep-4 (bulk/things, deletion protected below owner).
  await db.prisma.packageFile.create({ data: { id: 9014, packageId: 904, fileName: 'keep-4-b.tgz', size: 1n } });
});
afterAll(() => db.close());

const pkgGid = (id: number) => gid('Packages::Package', id);
const fileGid = (id: number) => gid('Packages::PackageFile', id);
const messages = (result: { errors?: { message: string }[] }) => result.errors?.map((e) => e.message);
const statuses = async (ids: number[]) =>
  (await db.prisma.package.findMany({ where: { id: { in: ids } }, orderBy: { id: 'asc' } })).map((p) => p.status);
const fileStatuses = async (ids: number[]) =>
  (await db.prisma.packageFile.findMany({ where: { id: { in: ids } }, orderBy: { id: 'asc' } })).map((f) => f.status);
const denied = "The resource that you are attempting to access does not exist or you don't have permission to perform this action";
const outside = 'All files must be in the requested project';
const readOnly = 'glpat-pubmaint-readonly-0001';
const many = (n: number, of: (i: number) => string) => Array.from({ length: n }, (_, i) => of(i + 1));

describe('destroyPackageFiles: permission on the project, then the count, then the files, then protection (destroy_files.rb)', () => {
  const destroyFiles = (projectPath: string, ids: string[], token?: string) =>
    graphql(app, DestroyPackageFilesDocument, { projectPath, ids }, token);

  it('(a) a maintainer of A sending a file of A and one of B, where they are only a developer: the files error, not the permission error', async () => {
    const result = await destroyFiles('pub/app', [fileGid(11), fileGid(301)], worldToken('dev'));
    expect(messages(result)).toEqual([outside]);
    expect(await fileStatuses([11, 301])).toEqual(['default', 'default']);
  });

  it('a file of a project the viewer cannot even see is the files error too', async () => {
    // pubmaint cannot see priv/secret.
    const result = await destroyFiles('pub/app', [fileGid(11), fileGid(302)], worldToken('pubmaint'));
    expect(messages(result)).toEqual([outside]);
    expect(await fileStatuses([11, 302])).toEqual(['default', 'default']);
  });

  it('(b) a developer of the project sending 101 ids: the permission error, before the count', async () => {
    const result = await destroyFiles('priv/secret', many(101, fileGid), worldToken('dev'));
    expect(messages(result)).toEqual([denied]);
  });

  it('a project that does not exist, with 101 ids: the permission error', async () => {
    const result = await destroyFiles('no/such', many(101, fileGid), worldToken('root'));
    expect(messages(result)).toEqual([denied]);
  });

  it('a maintainer sending 101 ids, some of other projects: the count error, before the files are looked at', async () => {
    const result = await destroyFiles('pub/app', many(101, (i) => fileGid(i + 300)), worldToken('pubmaint'));
    expect(messages(result)).toEqual(['Cannot delete more than 100 files']);
  });

  it('(c) a maintainer sending an id that names no file: the files error', async () => {
    expect(messages(await destroyFiles('pub/app', [fileGid(987654)], worldToken('pubmaint')))).toEqual([outside]);
    // One unknown id among files of the project changes nothing (GitLab ignores unknown ids; the gateway is all or none).
    expect(messages(await destroyFiles('pub/app', [fileGid(11), fileGid(987654)], worldToken('pubmaint')))).toEqual([outside]);
    expect(messages(await destroyFiles('pub/app', [fileGid(11), fileGid(99_999_999_999)], worldToken('pubmaint')))).toEqual([outside]);
    expect(await fileStatuses([11])).toEqual(['default']);
  });

  it('a file already pending destruction names no file; no ids at all is the files error, as in GitLab', async () => {
    expect(messages(await destroyFiles('pub/app', [fileGid(11), fileGid(13)], worldToken('pubmaint')))).toEqual([outside]);
    expect(messages(await destroyFiles('pub/app', [], worldToken('pubmaint')))).toEqual([outside]);
    expect(await fileStatuses([11])).toEqual(['default']);
  });

  it('anonymous and read_api callers get the permission error before anything else', async () => {
    expect(messages(await destroyFiles('pub/app', many(101, fileGid)))).toEqual([denied]);
    expect(messages(await destroyFiles('pub/app', many(101, fileGid), readOnly))).toEqual([denied]);
  });

  it('files of protected packages are skipped and each package named once; the other files are deleted', async () => {
    const result = await destroyFiles('bulk/things', [9014, 9000, 9004].map(fileGid), worldToken('pubmaint'));
    expect(result.data).toEqual({ destroyPackageFiles: { errors: ["Package 'keep-4' is deletion protected."] } });
    expect(await fileStatuses([9000, 9004, 9014])).toEqual(['pending_destruction', 'default', 'default']);
  });
});

describe('destroyPackages: the count first, then every id, then protection (bulk_destroy.rb)', () => {
  const destroyMany = (ids: string[], token?: string) => graphql(app, DestroyPackagesDocument, { ids }, token);

  it('a signed-in user who may delete none of them, with 101 ids: the count error (bulk_destroy.rb declares no authorize)', async () => {
    expect(messages(await destroyMany(many(101, pkgGid), worldToken('outsider')))).toEqual(['Cannot delete more than 100 packages']);
  });

  it('anonymous and read_api callers, with 101 ids: the permission error (BaseMutation.authorized? runs first)', async () => {
    expect(messages(await destroyMany(many(101, pkgGid)))).toEqual([denied]);
    expect(messages(await destroyMany(many(101, pkgGid), readOnly))).toEqual([denied]);
  });

  it('a mix of deletable ids and ids the viewer may read but not delete: the permission error, nothing deleted', async () => {
    // pubmaint may delete 900 (bulk/things) and read, not delete, 40 (int/tool, internal).
    expect(messages(await destroyMany([900, 40].map(pkgGid), worldToken('pubmaint')))).toEqual([denied]);
    expect(await statuses([40, 900])).toEqual(['default', 'default']);
  });

  it('an unknown id among deletable ones: the permission error, nothing deleted (GitLab would skip it)', async () => {
    expect(messages(await destroyMany([900, 987654].map(pkgGid), worldToken('pubmaint')))).toEqual([denied]);
    expect(await statuses([900])).toEqual(['default']);
  });

  it('only packages GitLab lists (DEFAULT, ERROR, DEPRECATED) are found: a package pending destruction is unknown', async () => {
    // 9 is pending destruction, 7 is in error and 8 deprecated (pub/app).
    expect(messages(await destroyMany([9, 8].map(pkgGid), worldToken('root')))).toEqual([denied]);
    expect(await destroyMany([7, 8].map(pkgGid), worldToken('root'))).toEqual({ status: 200, data: { destroyPackages: { errors: [] } } });
    expect(await statuses([7, 8, 9])).toEqual(['pending_destruction', 'pending_destruction', 'pending_destruction']);
  });

  it('a protected package the viewer may not delete: the permission error, not the protection message', async () => {
    // dev may read bulk/things (public) but is no maintainer there; GitLab filters protected packages first.
    expect(messages(await destroyMany([pkgGid(904)], worldToken('dev')))).toEqual([denied]);
  });

  it('protected packages are named in id order and the others deleted', async () => {
    const result = await destroyMany([905, 901, 904].map(pkgGid), worldToken('pubmaint'));
    expect(result.data).toEqual({
      destroyPackages: { errors: ["Package 'keep-4' is deletion protected.", "Package 'keep-5' is deletion protected."] },
    });
    expect(await statuses([901, 904, 905])).toEqual(['pending_destruction', 'default', 'default']);
  });
});

describe('destroyPackage: authorized_find!, then protection (destroy.rb)', () => {
  const destroyOne = (id: number, token?: string) => graphql(app, DestroyPackageDocument, { id: pkgGid(id) }, token);

  it('finds the package in any status, like authorized_find!', async () => {
    // 14 (@pub/foo1) is hidden, a status no listing shows.
    expect(await destroyOne(14, worldToken('pubmaint'))).toEqual({ status: 200, data: { destroyPackage: { errors: [] } } });
    expect(await statuses([14])).toEqual(['pending_destruction']);
  });

  it('a protected package the viewer may not delete: the permission error; one they may delete: the protection message', async () => {
    expect(messages(await destroyOne(905, worldToken('dev')))).toEqual([denied]);
    expect((await destroyOne(905, worldToken('pubmaint'))).data).toEqual({ destroyPackage: { errors: ['Package is deletion protected.'] } });
    expect(await statuses([905])).toEqual(['default']);
  });

  it('anonymous: the permission error', async () => {
    expect(messages(await destroyOne(2))).toEqual([denied]);
  });
});

describe('destroyPackageFile: authorized_find!, then protection (destroy_file.rb)', () => {
  const destroyFile = (id: number, token?: string) => graphql(app, DestroyPackageFileDocument, { id: fileGid(id) }, token);

  it('a file of a protected package the viewer may not delete: the permission error; one they may delete: the protection message', async () => {
    expect(messages(await destroyFile(9004, worldToken('dev')))).toEqual([denied]);
    expect((await destroyFile(9004, worldToken('pubmaint'))).data).toEqual({ destroyPackageFile: { errors: ['Package is deletion protected.'] } });
    expect(await fileStatuses([9004])).toEqual(['default']);
    // An administrator is above every rule.
    expect((await destroyFile(9004, worldToken('root'))).data).toEqual({ destroyPackageFile: { errors: [] } });
    expect(await fileStatuses([9004])).toEqual(['pending_destruction']);
  });

  it('a file the viewer may delete, in a project where they are maintainer through a project membership', async () => {
    expect((await destroyFile(11, worldToken('dev'))).data).toEqual({ destroyPackageFile: { errors: [] } });
    expect(await fileStatuses([11])).toEqual(['pending_destruction']);
  });
});
