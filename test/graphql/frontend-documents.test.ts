// The operations GitLab's package-registry frontend sends (our equivalents in documents/) validate
// and return the right data. The delete mutations are covered in mutations.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/server.ts';
import type { TestDatabase } from '../support/database.ts';
import { gid, graphql, openWorld, worldToken } from '../support/graphql.ts';
import {
  GetPackageErrorsCountDocument,
  GetPackageFilesDocument,
  GetPackagePipelinesDocument,
  GetPackageVersionsDocument,
  GetPackagesCountDocument,
  GetPackagesDocument,
} from './generated/graphql.ts';

let db: TestDatabase;
let app: App;
beforeAll(async () => ({ db, app } = await openWorld('https://gitlab.example.com')));
afterAll(() => db.close());

const pkg = (id: number) => gid('Packages::Package', id);

describe("GitLab's frontend operations", () => {
  it('getPackages (project) returns the PackageData of each package', async () => {
    const body = await graphql(app, GetPackagesDocument, { fullPath: 'pub/app', isGroupPage: false, first: 2, sort: 'NAME_DESC' as never }, worldToken('pubmaint'));
    expect(body.errors).toBeUndefined();
    expect(body.data!.group).toBeUndefined();
    const packages = body.data!.project!.packages!;
    expect(packages.count).toBe(11);
    expect(packages.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    expect(packages.nodes).toEqual([
      {
        id: pkg(3), name: 'zzz', version: '1.1.1', packageType: 'MAVEN', createdAt: '2024-01-01T10:00:00.000Z',
        status: 'DEFAULT', statusMessage: null, tags: { nodes: [] }, pipelines: { nodes: [] }, protectionRuleExists: false,
        _links: { webPath: '/pub/app/-/packages/3' }, userPermissions: { destroyPackage: true },
      },
      {
        id: pkg(15), name: 'protected-pkg', version: '1.0.0', packageType: 'NPM', createdAt: '2024-01-14T10:00:00.000Z',
        status: 'DEFAULT', statusMessage: null, tags: { nodes: [] }, pipelines: { nodes: [] }, protectionRuleExists: true,
        _links: { webPath: '/pub/app/-/packages/15' }, userPermissions: { destroyPackage: true },
      },
    ]);
  });

  it('getPackages: tags and the newest pipeline with its user', async () => {
    const body = await graphql(app, GetPackagesDocument, { fullPath: 'pub/app', isGroupPage: false, packageName: 'foo1', packageVersion: '3.1.0' });
    const [node] = body.data!.project!.packages!.nodes!;
    expect(node!.tags!.nodes!.map((t) => t!.name)).toEqual(['latest', 'stable']);
    expect(node!.tags!.nodes![0]!.id).toMatch(/^gid:\/\/gitlab\/Packages::Tag\/\d+$/);
    expect(node!.pipelines!.nodes).toEqual([
      { id: gid('Ci::Pipeline', 102), sha: 'b'.repeat(40), ref: 'v3.1.0', commitPath: `/pub/app/-/commit/${'b'.repeat(40)}`, user: { id: gid('User', 3), name: 'Max Maintainer' } },
    ]);
    expect(node!.userPermissions.destroyPackage).toBe(false);
  });

  it('getPackages (group) adds each package project', async () => {
    const body = await graphql(app, GetPackagesDocument, { fullPath: 'pub', isGroupPage: true, groupSort: 'PROJECT_PATH_DESC' as never, first: 1 });
    expect(body.data!.project).toBeUndefined();
    const packages = body.data!.group!.packages!;
    expect(packages.count).toBe(12);
    expect(packages.nodes!.map((n) => ({ id: n!.id, project: n!.project }))).toEqual([
      { id: pkg(20), project: { id: gid('Project', 2), name: 'Lib', webUrl: 'https://gitlab.example.com/pub/sub/lib' } },
    ]);
  });

  it('getPackagesCount counts with the same filters', async () => {
    const project = await graphql(app, GetPackagesCountDocument, { fullPath: 'pub/app', isGroupPage: false, packageName: 'foo' });
    expect(project.data).toEqual({ project: { id: gid('Project', 1), packages: { count: 4 } } });
    const group = await graphql(app, GetPackagesCountDocument, { fullPath: 'pub', isGroupPage: true, packageType: 'NPM' as never });
    expect(group.data).toEqual({ group: { id: gid('Group', 1), packages: { count: 6 } } });
  });

  it('getPackageErrorsCount: the count of errored packages and the last of them', async () => {
    const body = await graphql(app, GetPackageErrorsCountDocument, { fullPath: 'pub/app', isGroupPage: false });
    expect(body.data).toEqual({
      project: {
        id: gid('Project', 1),
        packages: { count: 2, nodes: [{ id: pkg(7), name: 'broken', statusMessage: 'bad metadata', version: '1.0.0' }] },
      },
    });
  });

  it('getPackageVersions: other versions by version, error status included, hidden not', async () => {
    const body = await graphql(app, GetPackageVersionsDocument, { id: pkg(1), first: 2 });
    const versions = body.data!.package!.versions!;
    expect(versions.count).toBe(2);
    expect(versions.nodes!.map((n) => [n!.id, n!.version, n!.status, n!._links.webPath])).toEqual([
      [pkg(13), '2.0.0', 'ERROR', null],
      [pkg(12), '3.0.0', 'DEFAULT', '/pub/app/-/packages/12'],
    ]);
    expect(versions.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: false });
  });

  it('getPackageFiles: default-status files with sizes as text and download paths', async () => {
    const body = await graphql(app, GetPackageFilesDocument, { id: pkg(1), first: 1 });
    expect(body.data).toEqual({
      package: {
        id: pkg(1),
        packageFiles: {
          pageInfo: { hasNextPage: true },
          nodes: [
            {
              id: gid('Packages::PackageFile', 11), fileMd5: 'd'.repeat(32), fileName: 'foo1-3.1.0.tgz', fileSha1: 'e'.repeat(40),
              fileSha256: 'f'.repeat(64), size: '1234', createdAt: '2024-01-02T10:00:01.000Z',
              downloadPath: '/pub/app/-/package_files/11/download',
            },
          ],
        },
      },
    });
  });

  it('getPackagePipelines: newest first, at most 20 a page', async () => {
    const body = await graphql(app, GetPackagePipelinesDocument, { id: pkg(1) });
    expect(body.data!.package!.pipelines!.nodes).toEqual([
      expect.objectContaining({ id: gid('Ci::Pipeline', 102), ref: 'v3.1.0', path: '/pub/app/-/pipelines/102', project: { id: gid('Project', 1), name: 'App', webUrl: 'https://gitlab.example.com/pub/app' } }),
      expect.objectContaining({ id: gid('Ci::Pipeline', 101), ref: 'main', user: { id: gid('User', 4), name: 'Dee Developer' } }),
    ]);
    const many = await graphql(app, GetPackagePipelinesDocument, { id: pkg(16), first: 50 });
    expect(many.data!.package!.pipelines!.nodes).toHaveLength(20);
  });
});

describe('Relay', () => {
  it('node and nodes resolve every node type by gid, null where not visible', async () => {
    const body = await graphql<{ nodes: ({ __typename: string; id: string } | null)[] }, undefined>(
      app,
      `{ nodes(ids: ["${gid('Project', 1)}", "${gid('Group', 1)}", "${pkg(1)}", "${gid('Packages::PackageFile', 11)}", "${gid('Ci::Pipeline', 101)}", "${gid('User', 1)}", "${gid('Project', 3)}"]) { __typename id } }`,
    );
    expect(body.data!.nodes).toEqual([
      { __typename: 'Project', id: gid('Project', 1) },
      { __typename: 'Group', id: gid('Group', 1) },
      { __typename: 'Package', id: pkg(1) },
      { __typename: 'PackageFile', id: gid('Packages::PackageFile', 11) },
      { __typename: 'Pipeline', id: gid('Ci::Pipeline', 101) },
      { __typename: 'UserCore', id: gid('User', 1) },
      null,
    ]);
  });

  it('a malformed gid in node(id:) is an error, not a crash', async () => {
    const body = await graphql(app, '{ node(id: "nope") { id } }');
    expect(body.status).toBe(200);
    expect(body.errors?.[0]?.message).toBe('"nope" is not a valid Global ID');
  });
});
