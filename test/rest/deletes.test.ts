// Deletes (E6, E7; rest.md 3.6, 3.7, 5): soft, 204 with an empty body, checks in GitLab's order,
// protection rules, If-Unmodified-Since, read-only tokens.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ids, rest } from './support.ts';
import { openWorld, tokens, type World } from './world.ts';

let world: World;
beforeAll(async () => {
  world = await openWorld();
});
afterAll(() => world.db.close());

const del = (path: string, token: string, headers: Record<string, string> = {}, body?: string) =>
  rest(world.app, path, { token, method: 'DELETE', headers, body });
const answer = async (path: string, token: string, headers: Record<string, string> = {}) => {
  const r = await del(path, token, headers);
  return [r.status, r.body];
};
const noContent = [204, undefined];
const status = async (id: number) => (await world.db.prisma.package.findUniqueOrThrow({ where: { id } })).status;
const fileStatus = async (id: number) => (await world.db.prisma.packageFile.findUniqueOrThrow({ where: { id } })).status;

describe('E6 delete a package', () => {
  it('204 with an empty body; the package and its files become pending_destruction; then 404 everywhere', async () => {
    const response = await del('/projects/40/packages/1011', tokens.maint);
    expect([response.status, response.text, response.headers.get('content-type')]).toEqual([204, '', null]);
    expect(await status(1011)).toBe('pending_destruction');
    expect(await fileStatus(10111)).toBe('pending_destruction');
    const notFound = [404, { message: '404 Not found' }];
    for (const path of ['/projects/40/packages/1011', '/projects/40/packages/1011/package_files', '/projects/40/packages/1011/pipelines']) {
      const r = await rest(world.app, path, { token: tokens.maint });
      expect([r.status, r.body]).toEqual(notFound);
    }
    expect(ids(await rest(world.app, '/projects/40/packages', { token: tokens.maint }))).not.toContain(1011);
    expect(ids(await rest(world.app, '/projects/40/packages?status=pending_destruction', { token: tokens.maint }))).toEqual([1009, 1011]);
    expect(await answer('/projects/40/packages/1011', tokens.maint)).toEqual(notFound);
  });

  it('a developer is refused before the lookup: 403 even for a missing package', async () => {
    expect(await answer('/projects/40/packages/999999', tokens.dev)).toEqual([403, { message: '403 Forbidden' }]);
    expect(await answer('/projects/40/packages/1002', tokens.dev)).toEqual([403, { message: '403 Forbidden' }]);
    expect(await status(1002)).toBe('default');
  });

  it('a maintainer gets 404 "Not found" for a missing package, another project\'s, and hidden/processing/pending ones', async () => {
    for (const id of [999999, 4101, 1004, 1010, 1009, 99999999999]) {
      expect([id, ...(await answer(`/projects/40/packages/${id}`, tokens.maint))]).toEqual([id, 404, { message: '404 Not found' }]);
    }
    expect(await status(4101)).toBe('default');
  });

  it('protection: a maintainer below the rule\'s level is refused, an admin is not; a push-only rule never blocks', async () => {
    expect(await answer('/projects/40/packages/1012', tokens.maint)).toEqual([403, { message: 'Package is deletion protected.' }]);
    expect(await status(1012)).toBe('default');
    expect(await answer('/projects/40/packages/1013', tokens.maint)).toEqual(noContent);
    expect(await answer('/projects/40/packages/1012', tokens.root)).toEqual(noContent);
    expect(await status(1012)).toBe('pending_destruction');
  });

  it('If-Unmodified-Since: 412 when the package changed later; a later or unreadable date lets the delete through', async () => {
    const before = 'Mon, 01 Jan 2024 00:00:00 GMT';
    expect(await answer('/projects/40/packages/1002', tokens.maint, { 'If-Unmodified-Since': before })).toEqual([
      412,
      { message: '412 Precondition Failed' },
    ]);
    expect(await status(1002)).toBe('default');
    expect(await answer('/projects/40/packages/1002', tokens.maint, { 'If-Unmodified-Since': 'not a date' })).toEqual(noContent);
    expect(await answer('/projects/40/packages/1008', tokens.maint, { 'If-Unmodified-Since': 'Fri, 01 Jan 2100 00:00:00 GMT' })).toEqual(noContent);
  });

  it('an error package is found (displayable) and deleted', async () => {
    expect(await answer('/projects/40/packages/1003', tokens.owner)).toEqual(noContent);
    expect(await status(1003)).toBe('pending_destruction');
  });
});

describe('E7 delete a package file', () => {
  it('204; the file alone becomes pending_destruction and leaves the list; a second delete is 404 "Not Found"', async () => {
    expect(await answer('/projects/40/packages/1001/package_files/10012', tokens.maint)).toEqual(noContent);
    expect(await fileStatus(10012)).toBe('pending_destruction');
    expect(await status(1001)).toBe('default');
    expect(ids(await rest(world.app, '/projects/40/packages/1001/package_files', { token: tokens.maint }))).toEqual([10011]);
    expect(await answer('/projects/40/packages/1001/package_files/10012', tokens.maint)).toEqual([404, { message: '404 Not Found' }]);
  });

  it('404 "Not Found" for a file of another package or a pending one; 404 "Not found" for a missing package', async () => {
    expect(await answer('/projects/40/packages/1001/package_files/41011', tokens.maint)).toEqual([404, { message: '404 Not Found' }]);
    expect(await answer('/projects/40/packages/1001/package_files/10013', tokens.maint)).toEqual([404, { message: '404 Not Found' }]);
    expect(await answer('/projects/40/packages/999999/package_files/10011', tokens.maint)).toEqual([404, { message: '404 Not found' }]);
    expect(await answer('/projects/40/packages/1004/package_files/10011', tokens.maint)).toEqual([404, { message: '404 Not found' }]);
  });

  it('a developer is refused (403) before anything is looked up', async () => {
    expect(await answer('/projects/40/packages/999999/package_files/1', tokens.dev)).toEqual([403, { message: '403 Forbidden' }]);
  });

  it('If-Unmodified-Since compares with the file', async () => {
    expect(await answer('/projects/40/packages/1001/package_files/10011', tokens.maint, { 'If-Unmodified-Since': '2024-01-01T00:00:00Z' })).toEqual([
      412,
      { message: '412 Precondition Failed' },
    ]);
    expect(await fileStatus(10011)).toBe('default');
  });
});

describe('E7 and protection', () => {
  it('protection is checked before the file: 403 "403 Forbidden - Package is deletion protected." even for a missing file', async () => {
    // Package 1012 was deleted above by an admin; bring it back.
    await world.db.prisma.package.update({ where: { id: 1012 }, data: { status: 'default' } });
    await world.db.prisma.packageFile.update({ where: { id: 10121 }, data: { status: 'default' } });
    const body = { message: '403 Forbidden - Package is deletion protected.' };
    expect(await answer('/projects/40/packages/1012/package_files/10121', tokens.maint)).toEqual([403, body]);
    expect(await answer('/projects/40/packages/1012/package_files/999999', tokens.maint)).toEqual([403, body]);
    expect(await fileStatus(10121)).toBe('default');
  });
});

describe('tokens and HTTP', () => {
  it('a read_api token may read but not delete: GitLab\'s insufficient_scope, before any lookup', async () => {
    expect((await rest(world.app, '/projects/40/packages', { token: tokens.reader })).status).toBe(200);
    const refused = [
      403,
      { error: 'insufficient_scope', error_description: 'The request requires higher privileges than provided by the access token.', scope: 'api' },
    ];
    expect(await answer('/projects/40/packages/1005', tokens.reader)).toEqual(refused);
    expect(await answer('/projects/40/packages/1001/package_files/10011', tokens.reader)).toEqual(refused);
    expect(await answer('/projects/999/packages/1', tokens.reader)).toEqual(refused);
    expect(await status(1005)).toBe('default');
  });

  it('DELETE with a JSON body, or with Content-Type: application/json and no body, is accepted', async () => {
    const withBody = await del('/projects/40/packages/1005', tokens.maint, { 'Content-Type': 'application/json' }, '{"package_id":1}');
    expect([withBody.status, withBody.text]).toEqual([204, '']);
    const withoutBody = await del('/projects/40/packages/1007', tokens.maint, { 'Content-Type': 'application/json' });
    expect([withoutBody.status, withoutBody.text]).toEqual([204, '']);
    expect([await status(1005), await status(1007)]).toEqual(['pending_destruction', 'pending_destruction']);
  });
});
