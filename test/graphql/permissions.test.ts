// The permission matrix (spec rest.md 1.6 / 5a, graphql.md "Permissions") for every kind of caller.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/server.ts';
import type { TestDatabase } from '../support/database.ts';
import { gid, graphql, openWorld, worldToken } from '../support/graphql.ts';

let db: TestDatabase;
let app: App;
beforeAll(async () => ({ db, app } = await openWorld()));
afterAll(() => db.close());

type Caller = 'anonymous' | 'outsider' | 'guest' | 'rep' | 'dev' | 'maint' | 'owner' | 'root';
const callers: Caller[] = ['anonymous', 'outsider', 'guest', 'rep', 'dev', 'maint', 'owner', 'root'];
const tokenOf = (caller: Caller) => (caller === 'anonymous' ? undefined : worldToken(caller));

// A package (and one of its files) in a public, an internal and a private project.
const subjects = {
  public: { project: 'pub/app', group: 'pub', packageId: 1, fileId: 11 },
  internal: { project: 'int/tool', group: 'int', packageId: 40, fileId: 401 },
  private: { project: 'priv/secret', group: 'priv', packageId: 30, fileId: 301 },
} as const;
type Visibility = keyof typeof subjects;

const reporters: Caller[] = ['rep', 'dev', 'maint', 'owner', 'root'];
/** Who reads a project's packages (and files and pipelines: public pipelines on public/internal). */
const readsPackages = (v: Visibility, c: Caller) =>
  v === 'public' || (v === 'internal' && c !== 'anonymous') || (v === 'private' && reporters.includes(c));
const seesProject = (v: Visibility, c: Caller) => readsPackages(v, c) || (v === 'private' && c === 'guest');

async function read(v: Visibility, caller: Caller) {
  const s = subjects[v];
  const body = await graphql<
    {
      project: { packages: { nodes: { id: string; userPermissions: { destroyPackage: boolean } }[] } | null } | null;
      group: { id: string } | null;
      package: { packageFiles: { nodes: { id: string }[] }; pipelines: { nodes: { id: string }[] } | null } | null;
      file: { id: string } | null;
    },
    undefined
  >(
    app,
    `{
      project(fullPath: "${s.project}") { packages { nodes { id userPermissions { destroyPackage } } } }
      group(fullPath: "${s.group}") { id }
      package(id: "${gid('Packages::Package', s.packageId)}") { packageFiles { nodes { id } } pipelines { nodes { id } } }
      file: node(id: "${gid('Packages::PackageFile', s.fileId)}") { id }
    }`,
    undefined,
    tokenOf(caller),
  );
  expect(body.errors).toBeUndefined();
  return body.data!;
}

describe.each(Object.keys(subjects) as Visibility[])('%s project', (v) => {
  it.each(callers)('%s reads exactly what the policy allows', async (caller) => {
    const data = await read(v, caller);
    expect(data.project !== null).toBe(seesProject(v, caller));
    expect(data.project?.packages != null).toBe(readsPackages(v, caller));
    expect(data.package !== null).toBe(readsPackages(v, caller));
    expect(data.file !== null).toBe(readsPackages(v, caller));
    if (readsPackages(v, caller)) {
      expect(data.package!.packageFiles.nodes.map((n) => n.id)).toContain(gid('Packages::PackageFile', subjects[v].fileId));
      expect(data.package!.pipelines).not.toBeNull();
      const canDelete = caller === 'root' || (v === 'private' && ['maint', 'owner'].includes(caller));
      expect(data.project!.packages!.nodes.every((n) => n.userPermissions.destroyPackage === canDelete)).toBe(true);
    }
    const groupVisible = v === 'public' || (v === 'internal' && caller !== 'anonymous') || (v === 'private' && caller !== 'anonymous' && caller !== 'outsider');
    expect(data.group !== null).toBe(groupVisible);
  });
});

describe('other rules', () => {
  it('a registry switched off hides packages from everyone, admins included', async () => {
    for (const caller of ['anonymous', 'root'] as const) {
      const body = await graphql<{ project: { packages: unknown } | null; package: unknown }, undefined>(
        app,
        `{ project(fullPath: "pub/off") { packages { nodes { id } } } package(id: "${gid('Packages::Package', 50)}") { id } }`,
        undefined,
        tokenOf(caller),
      );
      expect(body.data).toEqual({ project: { packages: null }, package: null });
    }
  });

  it('a reporter of a private project in a group he is not a member of reads it; the group is readable through it', async () => {
    const body = await graphql<{ project: { packages: { nodes: unknown[] } } | null }, undefined>(
      app,
      '{ project(fullPath: "pub/hush") { packages { nodes { id } } } }',
      undefined,
      worldToken('rep'),
    );
    expect(body.data!.project!.packages.nodes).toHaveLength(1);
  });

  it('an unknown token is answered with 401 whatever it asks', async () => {
    const body = await graphql(app, '{ project(fullPath: "pub/app") { id } }', undefined, 'glpat-unknown-0000000000');
    expect(body).toEqual({ status: 401, errors: [{ message: 'Invalid token' }] });
  });

  it('package(id) is null unless the status is DEFAULT or DEPRECATED', async () => {
    const body = await graphql<Record<string, { id: string } | null>, undefined>(
      app,
      `{ ok: package(id: "${gid('Packages::Package', 8)}") { id } error: package(id: "${gid('Packages::Package', 7)}") { id }
         hidden: package(id: "${gid('Packages::Package', 6)}") { id } gone: package(id: "${gid('Packages::Package', 9)}") { id } }`,
      undefined,
      worldToken('root'),
    );
    expect(body.data).toEqual({ ok: { id: gid('Packages::Package', 8) }, error: null, hidden: null, gone: null });
  });
});

describe('mutations by caller', () => {
  const destroy = (id: number, caller: Caller) =>
    graphql<{ destroyPackage: { errors: string[] } | null }, undefined>(
      app,
      `mutation { destroyPackage(input: { id: "${gid('Packages::Package', id)}" }) { errors } }`,
      undefined,
      tokenOf(caller),
    );
  const destroyFile = (id: number, caller: Caller) =>
    graphql<{ destroyPackageFile: { errors: string[] } | null }, undefined>(
      app,
      `mutation { destroyPackageFile(input: { id: "${gid('Packages::PackageFile', id)}" }) { errors } }`,
      undefined,
      tokenOf(caller),
    );
  const denied = "The resource that you are attempting to access does not exist or you don't have permission to perform this action";
  const statusOf = async (id: number) => (await db.prisma.package.findUniqueOrThrow({ where: { id } })).status;

  it.each(['anonymous', 'outsider', 'guest', 'rep', 'dev'] as Caller[])('%s may not delete packages or files of a private project', async (caller) => {
    const result = await destroy(30, caller);
    expect(result.errors?.map((e) => e.message)).toEqual([denied]);
    const file = await destroyFile(301, caller);
    expect(file.errors?.map((e) => e.message)).toEqual([denied]);
    expect(await statusOf(30)).toBe('default');
    expect((await db.prisma.packageFile.findUniqueOrThrow({ where: { id: 301 } })).status).toBe('default');
  });

  it.each(['anonymous', 'outsider', 'dev'] as Caller[])('%s may not delete packages of a public project', async (caller) => {
    expect((await destroy(2, caller)).errors?.map((e) => e.message)).toEqual([denied]);
    expect(await statusOf(2)).toBe('default');
  });

  it.each([
    ['maint', 31],
    ['owner', 32],
    ['root', 33],
  ] as [Caller, number][])('%s deletes a package of a private project', async (caller, id) => {
    expect(await destroy(id, caller)).toEqual({ status: 200, data: { destroyPackage: { errors: [] } } });
    expect(await statusOf(id)).toBe('pending_destruction');
  });

  it('a maintainer deletes a file', async () => {
    expect(await destroyFile(303, 'maint')).toEqual({ status: 200, data: { destroyPackageFile: { errors: [] } } });
    expect((await db.prisma.packageFile.findUniqueOrThrow({ where: { id: 303 } })).status).toBe('pending_destruction');
  });
});
