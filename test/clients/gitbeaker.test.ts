// @gitbeaker/rest, unchanged, against the gateway over real HTTP: lists followed through its Link
// headers, filters, group lists, show, files, pipelines (through its requester, as it follows lists),
// deletes, and its errors for anonymous callers and invalid tokens.
import { Gitlab, Packages } from '@gitbeaker/rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeServer, listen } from '../../src/server.ts';
import { openWorld, package1001, pipeline400, pipeline401, tokens, type World } from '../rest/world.ts';

let world: World;
let host: string;
let server: Awaited<ReturnType<typeof listen>>['server'];

beforeAll(async () => {
  world = await openWorld();
  ({ server, url: host } = await listen(world.app, 0, '127.0.0.1'));
});
afterAll(async () => {
  await closeServer(server);
  await world.db.close();
});

const idsOf = (items: unknown) => (items as { id: number }[]).map((item) => item.id);
const absolute = <T>(value: T): T => JSON.parse(JSON.stringify(value).replaceAll('http://gw.test', host));

/** What gitbeaker throws for an error answer: GitLab's message, the status. */
async function failure(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    const e = error as Error & { cause?: { response?: Response } };
    return [e.name, e.message, e.cause?.response?.status];
  }
  throw new Error('expected the request to fail');
}

describe('@gitbeaker/rest', () => {
  it('lists every page of a project with a small per_page by following Link', async () => {
    const api = new Gitlab({ host, token: tokens.dev });
    const all = await api.Packages.all({ projectId: 40, perPage: 3 });
    expect(idsOf(all)).toEqual([1003, 1001, 1002, 1005, 1008, 1011, 1012, 1013]);
    expect((all as unknown[])[1]).toEqual(absolute(package1001(false)));
    const expanded = await api.Packages.all({ projectId: 'acme/platform/api', perPage: 3, maxPages: 1, showExpanded: true });
    expect(idsOf(expanded.data)).toEqual([1003, 1001, 1002]);
    expect(expanded.paginationInfo).toEqual({ total: 8, next: 2, current: 1, previous: null, perPage: 3, totalPages: 3 });
  });

  it('passes filters and orderings through every page', async () => {
    const api = new Gitlab({ host, token: tokens.dev });
    const npm = await api.Packages.all({ projectId: 'acme/platform/api', packageType: 'npm', orderBy: 'name', sort: 'desc', perPage: 1 });
    expect(idsOf(npm)).toEqual([1003, 1002, 1001, 1012]);
    const versionless = await api.Packages.all({ projectId: 40, packageName: 'notes', includeVersionless: true, perPage: 1 });
    expect(idsOf(versionless)).toEqual([1007]);
    const hidden = await api.Packages.all({ projectId: 40, status: 'hidden' });
    expect(idsOf(hidden)).toEqual([1004]);
  });

  it('lists a group with subgroups on and off', async () => {
    const anonymous = new Gitlab({ host });
    expect(idsOf(await anonymous.Packages.all({ groupId: 'pub', perPage: 1 }))).toEqual([3001, 3002, 3101]);
    expect(idsOf(await anonymous.Packages.all({ groupId: 'pub', excludeSubgroups: true, perPage: 1 }))).toEqual([3001, 3002]);
    const owner = new Gitlab({ host, token: tokens.owner });
    const acme = (await owner.Packages.all({ groupId: 22, orderBy: 'project_path', perPage: 4 })) as unknown as { id: number; project_path: string }[];
    expect(acme.map((p) => [p.id, p.project_path])).toEqual([
      ...[1013, 1012, 1011, 1008, 1005, 1003, 1002, 1001].map((id) => [id, 'acme/platform/api']),
      [4101, 'acme/web'],
    ]);
  });

  it('shows one package with its versions', async () => {
    const api = new Packages({ host, token: tokens.dev });
    expect(await api.show('acme/platform/api', 1001)).toEqual(
      absolute({
        ...package1001(false),
        versions: [
          { id: 1003, version: '0.9.0', created_at: '2024-01-09T10:00:00.000Z', tags: [] },
          { id: 1002, version: '2.0.0', created_at: '2024-01-11T10:00:00.000Z', tags: [], pipeline: pipeline401 },
        ],
      }),
    );
  });

  it('lists the files of a package, page by page', async () => {
    const api = new Packages({ host, token: tokens.dev });
    // gitbeaker's types omit the list options of allFiles; it passes them as query parameters.
    const files = (await api.allFiles(40, 1001, { perPage: 1 } as object)) as unknown as { id: number; pipelines?: unknown[] }[];
    expect(files.map((f) => f.id)).toEqual([10011, 10012]);
    expect(files[0]!.pipelines).toEqual(absolute([pipeline400]));
    expect(idsOf(await api.allFiles(40, 1001, { orderBy: 'file_name', sort: 'asc' } as object))).toEqual([10012, 10011]);
  });

  it('lists pipelines through its requester, following the keyset Link as it does for lists', async () => {
    const api = new Packages({ host, token: tokens.dev });
    const seen: number[] = [];
    let searchParams: Record<string, string> = { per_page: '1' };
    for (;;) {
      const response = (await api.requester.get('projects/acme%2Fplatform%2Fapi/packages/1001/pipelines', { searchParams })) as {
        body: { id: number }[];
        headers: Record<string, string>;
      };
      seen.push(...idsOf(response.body));
      const next = /<([^>]+)>; rel="next"/.exec(response.headers.link ?? '')?.[1];
      if (!next) break;
      searchParams = Object.fromEntries(new URL(next).searchParams);
    }
    expect(seen).toEqual([401, 400]);
  });

  it('deletes a file and a package; the package is 404 afterwards', async () => {
    const api = new Packages({ host, token: tokens.maint });
    expect(await api.removeFile(40, 1001, 10012)).toBeNull();
    expect(idsOf(await api.allFiles(40, 1001))).toEqual([10011]);
    expect(await api.remove('acme/platform/api', 1011)).toBeNull();
    expect(await failure(api.show(40, 1011))).toEqual(['GitbeakerRequestError', '404 Not found', 404]);
    expect(await failure(api.remove(40, 1011))).toEqual(['GitbeakerRequestError', '404 Not found', 404]);
    expect(await failure(api.remove(40, 1012))).toEqual(['GitbeakerRequestError', 'Package is deletion protected.', 403]);
  });

  it('anonymous callers read public projects and get 404 for private ones; an invalid token is 401', async () => {
    const anonymous = new Packages({ host });
    expect(idsOf(await anonymous.all({ projectId: 'pub/lib' }))).toEqual([3001, 3002]);
    expect(await failure(anonymous.all({ projectId: 40 }))).toEqual(['GitbeakerRequestError', '404 Project Not Found', 404]);
    expect(await failure(anonymous.remove('pub/lib', 3001))).toEqual(['GitbeakerRequestError', '403 Forbidden', 403]);
    const invalid = new Packages({ host, token: tokens.revoked });
    expect(await failure(invalid.all({ projectId: 'pub/lib' }))).toEqual(['GitbeakerRequestError', '401 Unauthorized', 401]);
    expect(await failure(new Packages({ host, token: tokens.dev }).all({ projectId: 40, orderBy: 'nope' as 'name' }))).toEqual([
      'GitbeakerRequestError',
      'order_by does not have a valid value',
      400,
    ]);
  });
});
