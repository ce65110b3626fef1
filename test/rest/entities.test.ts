// GitLab's JSON entities (rest.md 4): key order, presence conditions, absolute URLs, timestamps.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rest, restApp } from './support.ts';
import { ciBot, openWorld, package1001, pipeline400, pipeline401, tokens, type World } from './world.ts';

let world: World;
beforeAll(async () => {
  world = await openWorld();
});
afterAll(() => world.db.close());

const get = (path: string, token?: string) => rest(world.app, path, { token });
type Item = Record<string, unknown> & { id: number; _links: object; tags: object[]; pipeline: object };
const byId = (body: unknown, id: number) => (body as Item[]).find((item) => item.id === id);

describe('Package', () => {
  it('in a project list, in GitLab key order, with delete_api_path for a maintainer', async () => {
    const response = await get('/projects/40/packages', tokens.maint);
    const item = byId(response.body, 1001);
    expect(item).toEqual(package1001(true));
    expect(Object.keys(item!)).toEqual([
      'id', 'name', 'version', 'package_type', 'status', '_links', 'created_at', 'last_downloaded_at', 'creator_id', 'tags',
      'pipeline', 'pipelines',
    ]);
    expect(Object.keys(item!._links)).toEqual(['web_path', 'delete_api_path']);
    expect(Object.keys((item as { tags: object[] }).tags[0]!)).toEqual(['id', 'package_id', 'name', 'created_at', 'updated_at', 'project_id']);
    expect(Object.keys((item as { pipeline: object }).pipeline)).toEqual([
      'id', 'iid', 'project_id', 'sha', 'ref', 'status', 'source', 'created_at', 'updated_at', 'web_url', 'user',
    ]);
  });

  it('without delete_api_path for a developer', async () => {
    const response = await get('/projects/40/packages', tokens.dev);
    expect(byId(response.body, 1001)).toEqual(package1001(false));
  });

  it('a pipeline user is a UserBasic with absolute URLs', async () => {
    const response = await get('/projects/40/packages/1002', tokens.dev);
    expect((response.body as { versions: { pipeline?: unknown }[] }).versions).toEqual([
      { id: 1003, version: '0.9.0', created_at: '2024-01-09T10:00:00.000Z', tags: [] },
      { id: 1001, version: '1.0.0', created_at: '2024-01-10T10:00:00.123Z', tags: package1001(false).tags, pipeline: pipeline401 },
    ]);
    const files = await get('/projects/40/packages/1001/package_files', tokens.dev);
    const user = (files.body as { pipelines: { user: typeof ciBot }[] }[])[0]!.pipelines[0]!.user;
    expect(user).toEqual(ciBot);
    expect(Object.keys(user)).toEqual(['id', 'username', 'public_email', 'name', 'state', 'locked', 'avatar_url', 'web_url']);
  });

  it('conan packages are named by their recipe, with conan_package_name', async () => {
    const response = await get('/projects/40/packages?package_type=conan', tokens.dev);
    expect(response.body).toEqual([
      {
        id: 1005,
        name: 'zlib/1.3@acme/stable',
        conan_package_name: 'zlib',
        version: '1.3',
        package_type: 'conan',
        status: 'default',
        _links: { web_path: '/acme/platform/api/-/packages/1005' },
        created_at: '2024-01-13T10:00:00.000Z',
        last_downloaded_at: null,
        creator_id: null,
        tags: [],
      },
    ]);
  });

  it('terraform modules link to the terraform module registry; web_path only for default and deprecated', async () => {
    const terraform = await get('/projects/40/packages?package_type=terraform_module', tokens.dev);
    expect((terraform.body as { _links: object }[])[0]!._links).toEqual({ web_path: '/acme/platform/api/-/terraform_module_registry/1006' });
    const list = await get('/projects/40/packages?per_page=100', tokens.maint);
    expect(byId(list.body, 1003)).toMatchObject({ status: 'error', _links: { delete_api_path: 'http://gw.test/api/v4/projects/40/packages/1003' } });
    expect((byId(list.body, 1003) as { _links: object })._links).not.toHaveProperty('web_path');
    expect(byId(list.body, 1008)).toMatchObject({ status: 'deprecated', _links: { web_path: '/acme/platform/api/-/packages/1008' } });
    const devList = await get('/projects/40/packages?per_page=100', tokens.dev);
    expect((byId(devList.body, 1003) as { _links: object })._links).toEqual({});
  });

  it('pipeline is null when the most recent build info lost its pipeline; pipelines is [] while one exists', async () => {
    const response = await get('/projects/40/packages?package_name=push-only', tokens.dev);
    expect(response.body).toEqual([
      {
        id: 1013,
        name: 'push-only',
        version: '1.0.0',
        package_type: 'generic',
        status: 'default',
        _links: { web_path: '/acme/platform/api/-/packages/1013' },
        created_at: '2024-01-21T10:00:00.000Z',
        last_downloaded_at: null,
        creator_id: null,
        tags: [],
        pipeline: null,
        pipelines: [],
      },
    ]);
  });

  it('in a group list, with project_id and project_path', async () => {
    const response = await get('/groups/acme%2Fplatform/packages?package_name=%40acme%2Fui&package_version=1.0.0', tokens.maint);
    const { tags, pipeline, pipelines, ...head } = package1001(true);
    expect(response.body).toEqual([{ ...head, project_id: 40, project_path: 'acme/platform/api', tags, pipeline, pipelines }]);
    expect(Object.keys((response.body as object[])[0]!)).toEqual([
      'id', 'name', 'version', 'package_type', 'status', '_links', 'created_at', 'last_downloaded_at', 'creator_id', 'project_id',
      'project_path', 'tags', 'pipeline', 'pipelines',
    ]);
  });

  it('the single package has its other versions (default, error, deprecated; by version), nothing else', async () => {
    const response = await get('/projects/40/packages/1001', tokens.dev);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      ...package1001(false),
      versions: [
        { id: 1003, version: '0.9.0', created_at: '2024-01-09T10:00:00.000Z', tags: [] },
        { id: 1002, version: '2.0.0', created_at: '2024-01-11T10:00:00.000Z', tags: [], pipeline: pipeline401 },
      ],
    });
    expect(Object.keys(response.body as object).at(-1)).toBe('versions');
  });

  it('without build infos there is neither pipeline nor pipelines', async () => {
    const response = await get('/projects/40/packages/1011', tokens.dev);
    expect(response.body).toEqual({
      id: 1011,
      name: 'Acme.Lib',
      version: '2.1',
      package_type: 'nuget',
      status: 'default',
      _links: { web_path: '/acme/platform/api/-/packages/1011' },
      created_at: '2024-01-19T10:00:00.000Z',
      last_downloaded_at: null,
      creator_id: null,
      tags: [],
      versions: [],
    });
  });
});

describe('PackageFile', () => {
  it('all fields present (null hashes too), pipelines only when the file has some', async () => {
    const response = await get('/projects/40/packages/1001/package_files', tokens.dev);
    expect(response.body).toEqual([
      {
        id: 10011,
        package_id: 1001,
        created_at: '2024-01-10T10:00:01.500Z',
        file_name: 'ui-1.0.0.tgz',
        size: 2048,
        file_md5: '00112233445566778899aabbccddeeff',
        file_sha1: '0011223344556677889900112233445566778899',
        file_sha256: '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff',
        pipelines: [pipeline400],
      },
      {
        id: 10012,
        package_id: 1001,
        created_at: '2024-01-10T10:00:02.000Z',
        file_name: 'package.json',
        size: 512,
        file_md5: null,
        file_sha1: null,
        file_sha256: null,
      },
    ]);
  });
});

describe('Package::Pipeline list', () => {
  it('the pipelines of a package, newest first', async () => {
    const response = await get('/projects/40/packages/1001/pipelines', tokens.dev);
    expect(response.body).toEqual([pipeline401, pipeline400]);
  });
});

describe('absolute URLs', () => {
  it('use PUBLIC_URL when configured', async () => {
    const app = restApp(world.db.prisma, 'https://packages.example.com');
    const list = await rest(app, '/projects/40/packages?package_name=%40acme%2Fui&package_version=1.0.0', { token: tokens.maint });
    const [pkg] = list.body as { _links: { delete_api_path: string }; pipeline: { web_url: string } }[];
    expect(pkg!._links.delete_api_path).toBe('https://packages.example.com/api/v4/projects/40/packages/1001');
    expect(pkg!.pipeline.web_url).toBe('https://packages.example.com/acme/platform/api/-/pipelines/401');
    expect(list.headers.get('link')).toBe(
      '<https://packages.example.com/api/v4/projects/40/packages?id=40&order_by=created_at&package_name=%40acme%2Fui&package_version=1.0.0&page=1&per_page=20&sort=asc>; rel="first", ' +
        '<https://packages.example.com/api/v4/projects/40/packages?id=40&order_by=created_at&package_name=%40acme%2Fui&package_version=1.0.0&page=1&per_page=20&sort=asc>; rel="last"',
    );
    const files = await rest(app, '/projects/40/packages/1001/package_files', { token: tokens.maint });
    const user = (files.body as { pipelines: { user: { avatar_url: string; web_url: string } }[] }[])[0]!.pipelines[0]!.user;
    expect([user.avatar_url, user.web_url]).toEqual(['https://packages.example.com/uploads/-/system/user/avatar/13/bot.png', 'https://packages.example.com/ci-bot']);
  });

  it('else use the scheme and Host of the request; absolute avatar URLs are kept', async () => {
    const response = await world.app.fetch(
      new Request('https://registry.internal:8443/api/v4/projects/pub%2Flib/packages/3001/pipelines'),
    );
    expect(await response.json()).toEqual([
      {
        id: 300,
        iid: 1,
        project_id: 30,
        sha: '1111111111111111111111111111111111111111',
        ref: 'main',
        status: 'success',
        source: 'push',
        created_at: '2024-03-01T10:00:00.100Z',
        updated_at: '2024-03-01T10:05:00.200Z',
        web_url: 'https://registry.internal:8443/pub/lib/-/pipelines/300',
        user: {
          id: 14,
          username: 'pubdev',
          public_email: null,
          name: 'Pub Developer',
          state: 'active',
          locked: false,
          avatar_url: 'https://cdn.acme.test/pubdev.png',
          web_url: 'https://registry.internal:8443/pubdev',
        },
      },
    ]);
  });
});
