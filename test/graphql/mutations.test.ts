// GitLab's delete mutations: success, protection, missing and malformed ids, limits, all-or-nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
beforeAll(async () => ({ db, app } = await openWorld()));
afterAll(() => db.close());

const pkgGid = (id: number) => gid('Packages::Package', id);
const fileGid = (id: number) => gid('Packages::PackageFile', id);
const statuses = async (ids: number[]) =>
  (await db.prisma.package.findMany({ where: { id: { in: ids } }, orderBy: { id: 'asc' } })).map((p) => p.status);
const fileStatuses = async (ids: number[]) =>
  (await db.prisma.packageFile.findMany({ where: { id: { in: ids } }, orderBy: { id: 'asc' } })).map((f) => f.status);
const denied = "The resource that you are attempting to access does not exist or you don't have permission to perform this action";

describe('destroyPackage', () => {
  it('marks the package and its files pending destruction', async () => {
    const result = await graphql(app, DestroyPackageDocument, { id: pkgGid(2) }, worldToken('pubmaint'));
    expect(result).toEqual({ status: 200, data: { destroyPackage: { errors: [] } } });
    expect(await statusesOf(2)).toEqual({ pkg: 'pending_destruction', files: ['pending_destruction'] });
  });

  it('refuses a protected package with an error in the payload, for a maintainer; an owner deletes it', async () => {
    const result = await graphql(app, DestroyPackageDocument, { id: pkgGid(15) }, worldToken('pubmaint'));
    expect(result).toEqual({ status: 200, data: { destroyPackage: { errors: ['Package is deletion protected.'] } } });
    expect((await statusesOf(15)).pkg).toBe('default');
    const owner = await graphql(app, DestroyPackageDocument, { id: pkgGid(15) }, worldToken('pubowner'));
    expect(owner.data).toEqual({ destroyPackage: { errors: [] } });
  });

  it('a missing id is a top-level error', async () => {
    const result = await graphql(app, DestroyPackageDocument, { id: pkgGid(987654) }, worldToken('root'));
    expect(result.data).toEqual({ destroyPackage: null });
    expect(result.errors?.map((e) => e.message)).toEqual([denied]);
    const huge = await graphql(app, DestroyPackageDocument, { id: pkgGid(99_999_999_999) }, worldToken('root'));
    expect(huge.errors?.map((e) => e.message)).toEqual([denied]);
  });

  it('a read_api token may not delete, whatever its user may do', async () => {
    const result = await graphql(app, DestroyPackageDocument, { id: pkgGid(3) }, 'glpat-pubmaint-readonly-0001');
    expect(result.errors?.map((e) => e.message)).toEqual([denied]);
    const file = await graphql(app, DestroyPackageFileDocument, { id: fileGid(11) }, 'glpat-pubmaint-readonly-0001');
    expect(file.errors?.map((e) => e.message)).toEqual([denied]);
    expect(await statuses([3])).toEqual(['default']);
    expect(await fileStatuses([11])).toEqual(['default']);
  });

  it('a gid of another type, or a malformed one, is rejected before anything runs', async () => {
    const wrong = await graphql(app, DestroyPackageDocument, { id: 'gid://gitlab/Project/1' }, worldToken('root'));
    expect(wrong.errors?.[0]?.message).toContain('"gid://gitlab/Project/1" does not represent an instance of Packages::Package');
    const malformed = await graphql(app, DestroyPackageDocument, { id: 'abc' }, worldToken('root'));
    expect(malformed.errors?.[0]?.message).toContain('"abc" is not a valid Global ID');
    expect(wrong.data).toBeUndefined();
    expect(await statuses([1])).toEqual(['default']);
  });

  it('accepts subclass gids such as Packages::Npm::Package', async () => {
    const result = await graphql(app, DestroyPackageDocument, { id: 'gid://gitlab/Packages::Npm::Package/12' }, worldToken('pubmaint'));
    expect(result.data).toEqual({ destroyPackage: { errors: [] } });
    expect(await statuses([12])).toEqual(['pending_destruction']);
  });
});

async function statusesOf(id: number) {
  const pkg = await db.prisma.package.findUniqueOrThrow({ where: { id }, include: { files: { orderBy: { id: 'asc' } } } });
  return { pkg: pkg.status, files: pkg.files.map((f) => f.status) };
}

describe('destroyPackages', () => {
  it('deletes all, reporting protected ones by name and deleting the rest', async () => {
    const result = await graphql(app, DestroyPackagesDocument, { ids: [900, 901, 904].map(pkgGid) }, worldToken('pubmaint'));
    expect(result).toEqual({ status: 200, data: { destroyPackages: { errors: ["Package 'keep-4' is deletion protected."] } } });
    expect(await statuses([900, 901, 904])).toEqual(['pending_destruction', 'pending_destruction', 'default']);
    expect(await fileStatuses([9000, 9001, 9004])).toEqual(['pending_destruction', 'pending_destruction', 'default']);
  });

  it('is all or nothing when one id may not be deleted', async () => {
    // 30 is in a private project pubmaint cannot see.
    const result = await graphql(app, DestroyPackagesDocument, { ids: [902, 30].map(pkgGid) }, worldToken('pubmaint'));
    expect(result.errors?.map((e) => e.message)).toEqual([denied]);
    expect(await statuses([30, 902])).toEqual(['default', 'default']);
  });

  it('refuses more than 100 ids', async () => {
    const ids = Array.from({ length: 101 }, (_, i) => pkgGid(i + 1));
    const result = await graphql(app, DestroyPackagesDocument, { ids }, worldToken('root'));
    expect(result.errors?.map((e) => e.message)).toEqual(['Cannot delete more than 100 packages']);
    expect(await statuses([1])).toEqual(['default']);
  });
});

describe('destroyPackageFile(s)', () => {
  it('marks one file pending destruction; the package stays', async () => {
    const result = await graphql(app, DestroyPackageFileDocument, { id: fileGid(12) }, worldToken('pubmaint'));
    expect(result.data).toEqual({ destroyPackageFile: { errors: [] } });
    expect(await statusesOf(1)).toEqual({ pkg: 'default', files: ['default', 'pending_destruction', 'pending_destruction'] });
    const again = await graphql(app, DestroyPackageFileDocument, { id: fileGid(12) }, worldToken('pubmaint'));
    expect(again.errors?.map((e) => e.message)).toEqual([denied]);
  });

  it('deletes files in bulk within the named project', async () => {
    const result = await graphql(app, DestroyPackageFilesDocument, { projectPath: 'bulk/things', ids: [9002, 9003].map(fileGid) }, worldToken('pubmaint'));
    expect(result.data).toEqual({ destroyPackageFiles: { errors: [] } });
    expect(await fileStatuses([9002, 9003])).toEqual(['pending_destruction', 'pending_destruction']);
  });

  it('refuses files of another project, changing nothing', async () => {
    const result = await graphql(app, DestroyPackageFilesDocument, { projectPath: 'bulk/things', ids: [9005, 11].map(fileGid) }, worldToken('root'));
    expect(result.errors?.map((e) => e.message)).toEqual(['All files must be in the requested project']);
    expect(await fileStatuses([11, 9005])).toEqual(['default', 'default']);
  });

  it('refuses more than 100 ids, and a developer', async () => {
    const many = await graphql(app, DestroyPackageFilesDocument, { projectPath: 'bulk/things', ids: Array.from({ length: 101 }, (_, i) => fileGid(i + 1)) }, worldToken('root'));
    expect(many.errors?.map((e) => e.message)).toEqual(['Cannot delete more than 100 files']);
    const dev = await graphql(app, DestroyPackageFilesDocument, { projectPath: 'priv/secret', ids: [fileGid(304)] }, worldToken('dev'));
    expect(dev.errors?.map((e) => e.message)).toEqual([denied]);
    expect(await fileStatuses([304])).toEqual(['default']);
  });
});

describe('clientMutationId', () => {
  // A client document typing clientMutationId as GitLab does (String).
  const destroyWithId = `mutation($cmid: String, $id: PackagesPackageID!) {
    destroyPackage(input: { clientMutationId: $cmid, id: $id }) { clientMutationId errors }
  }`;

  it('is a String: the document validates and runs, and the value is echoed back unchanged', async () => {
    const result = await graphql(app, destroyWithId, { cmid: 'delete 10 ✓', id: pkgGid(10) }, worldToken('pubmaint'));
    expect(result).toEqual({ status: 200, data: { destroyPackage: { clientMutationId: 'delete 10 ✓', errors: [] } } });
    expect(await statuses([10])).toEqual(['pending_destruction']);
  });

  it('is echoed back also when the payload carries errors', async () => {
    // keep-5 is deletion protected for a maintainer.
    const result = await graphql(app, destroyWithId, { cmid: 'c-905', id: pkgGid(905) }, worldToken('pubmaint'));
    expect(result.data).toEqual({ destroyPackage: { clientMutationId: 'c-905', errors: ['Package is deletion protected.'] } });
    expect(await statuses([905])).toEqual(['default']);
  });

  it('is null when not given', async () => {
    const result = await graphql(app, destroyWithId, { id: pkgGid(987654) }, worldToken('root'));
    expect(result.data).toEqual({ destroyPackage: null });
    const ok = await graphql(app, destroyWithId, { id: pkgGid(11) }, worldToken('pubmaint'));
    expect(ok.data).toEqual({ destroyPackage: { clientMutationId: null, errors: [] } });
  });

  it('is echoed by every delete mutation, the bulk ones and the gateway-only ones too', async () => {
    const result = await graphql(
      app,
      `mutation($files: [PackagesPackageFileID!]!) {
        a: destroyPackages(input: { clientMutationId: "a", ids: ["${pkgGid(904)}"] }) { clientMutationId errors }
        b: destroyPackageFiles(input: { clientMutationId: "b", projectPath: "bulk/things", ids: $files }) { clientMutationId errors }
        c: destroyPackageFile(input: { clientMutationId: "c", id: "${fileGid(11)}" }) { clientMutationId errors }
        d: destroyProjectPackage(input: { clientMutationId: "d", projectId: "gid://gitlab/Project/7", id: "${pkgGid(905)}" }) { clientMutationId errors }
        e: destroyProjectPackageFile(input: { clientMutationId: "e", projectId: "gid://gitlab/Project/7", packageId: "${pkgGid(904)}", id: "${fileGid(9004)}" }) { clientMutationId errors }
      }`,
      { files: [fileGid(9004)] },
      worldToken('pubmaint'),
    );
    expect(result).toEqual({
      status: 200,
      data: {
        a: { clientMutationId: 'a', errors: ["Package 'keep-4' is deletion protected."] },
        b: { clientMutationId: 'b', errors: ["Package 'keep-4' is deletion protected."] },
        c: { clientMutationId: 'c', errors: [] },
        d: { clientMutationId: 'd', errors: ['Package is deletion protected.'] },
        e: { clientMutationId: 'e', errors: ['Package is deletion protected.'] },
      },
    });
  });

  it('is no ID: a variable declared ID is refused by validation, as by GitLab', async () => {
    const result = await graphql(
      app,
      'mutation($cmid: ID, $id: PackagesPackageID!) { destroyPackage(input: { clientMutationId: $cmid, id: $id }) { errors } }',
      { cmid: 'x', id: pkgGid(3) },
      worldToken('pubmaint'),
    );
    expect(result.errors?.map((e) => e.message)).toEqual(['Variable "$cmid" of type "ID" used in position expecting type "String".']);
    expect(await statuses([3])).toEqual(['default']);
  });
});

describe('the Accept header', () => {
  it('a mutation sent accepting none of yoga\'s media types is answered in JSON, as GitLab does, not run and then refused 406 (found by fuzzing)', async () => {
    const response = await app.fetch(
      new Request('http://gw.test/api/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'image/png', 'private-token': worldToken('pubmaint') },
        body: JSON.stringify({ query: `mutation { destroyPackage(input: { id: "${pkgGid(903)}" }) { errors } }` }),
      }),
    );
    expect([response.status, response.headers.get('content-type'), await response.json()]).toEqual([
      200,
      'application/json; charset=utf-8',
      { data: { destroyPackage: { errors: [] } } },
    ]);
    expect(await statuses([903])).toEqual(['pending_destruction']);
  });
});
