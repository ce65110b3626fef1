// Keyset pagination of a package's pipelines (E5, rest.md 3.5): GitLab's cursor, per_page 1..20,
// Link rel="next" only, build infos newest first, a malformed cursor is a 400.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFixture } from '../../src/fixture/load.ts';
import type { App } from '../../src/server.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { ids, pageHeaders, rest, restApp } from './support.ts';

const token = 'glpat-keyset-reporter-01';
let db: TestDatabase;
let app: App;

beforeAll(async () => {
  db = await createTestDatabase();
  const pipelines = Array.from({ length: 21 }, (_, i) => ({
    id: i + 1,
    key: `p${i + 1}`,
    sha: `${(i % 10).toString()}`.repeat(40),
    created_at: '2024-05-01T00:00:00.000Z',
    updated_at: '2024-05-01T00:00:00.000Z',
  }));
  await loadFixture(db.prisma, {
    users: [{ username: 'kim', name: 'Kim', tokens: [{ token, scopes: ['read_api'] }] }],
    projects: [
      {
        id: 1,
        path: 'kim/builds',
        visibility: 'private',
        members: [{ user: 'kim', access_level: 'reporter' }],
        pipelines,
        packages: [
          { id: 1, name: 'many', version: '1', package_type: 'generic', pipelines: pipelines.map((p) => p.key) },
          { id: 2, name: 'dupes', version: '1', package_type: 'generic', pipelines: ['p1', 'p2', 'p1', 'p3'] },
          { id: 3, name: 'none', version: '1', package_type: 'generic' },
          { id: 4, name: 'broken', version: '1', package_type: 'generic', status: 'error', pipelines: ['p1'] },
        ],
      },
    ],
  });
  app = restApp(db.prisma);
});
afterAll(() => db.close());

const get = (path: string) => rest(app, path, { token });
const range = (from: number, to: number) => Array.from({ length: from - to + 1 }, (_, i) => from - i);
const cursor = (json: string, padded = true) => {
  const encoded = Buffer.from(json).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
  return padded ? encoded : encoded.replace(/=+$/, '');
};
const next = (pkg: number, query: string) => `<http://gw.test/api/v4/projects/1/packages/${pkg}/pipelines?${query}>; rel="next"`;

describe('package pipelines', () => {
  it('the first page: 20 newest build infos, a Link to the next page with GitLab\'s cursor, no other headers', async () => {
    const response = await get('/projects/1/packages/1/pipelines');
    expect(ids(response)).toEqual(range(21, 2));
    const c = cursor('{"id":"2","_kd":"n"}');
    expect(c).toBe('eyJpZCI6IjIiLCJfa2QiOiJuIn0=');
    expect(pageHeaders(response)).toEqual({
      'X-Per-Page': null,
      'X-Page': null,
      'X-Next-Page': null,
      'X-Prev-Page': null,
      'X-Total': null,
      'X-Total-Pages': null,
      Link: next(1, `cursor=${c.replace(/=/g, '%3D')}&id=1&package_id=1&page=1&pagination=keyset&per_page=20`),
    });
    const rest2 = await get(`/projects/1/packages/1/pipelines?cursor=${c}`);
    expect(ids(rest2)).toEqual([1]);
    expect(rest2.headers.get('link')).toBeNull();
  });

  it('per_page=11, and following the Link until the end returns every pipeline once', async () => {
    const first = await get('/projects/1/packages/1/pipelines?per_page=11');
    expect(ids(first)).toEqual(range(21, 11));
    const c = cursor('{"id":"11","_kd":"n"}');
    expect(first.headers.get('link')).toBe(next(1, `cursor=${encodeURIComponent(c)}&id=1&package_id=1&page=1&pagination=keyset&per_page=11`));
    const seen: number[] = [];
    let path: string | null = '/projects/1/packages/1/pipelines?per_page=4';
    while (path) {
      const response = await get(path);
      seen.push(...ids(response));
      const link = response.headers.get('link');
      path = link ? link.slice(link.indexOf('/api/v4') + '/api/v4'.length, link.indexOf('>')) : null;
    }
    expect(seen).toEqual(range(21, 1));
  });

  it('a backward cursor ("_kd":"p") pages towards newer build infos and links forward', async () => {
    const back = await get(`/projects/1/packages/1/pipelines?per_page=5&cursor=${cursor('{"id":"11","_kd":"p"}')}`);
    expect(ids(back)).toEqual([16, 15, 14, 13, 12]);
    expect(back.headers.get('link')).toBe(
      next(1, `cursor=${encodeURIComponent(cursor('{"id":"12","_kd":"n"}'))}&id=1&package_id=1&page=1&pagination=keyset&per_page=5`),
    );
    const last = await get(`/projects/1/packages/1/pipelines?per_page=5&cursor=${cursor('{"_kd":"p"}')}`);
    expect([ids(last), last.headers.get('link')]).toEqual([[5, 4, 3, 2, 1], null]);
  });

  it('a cursor without a direction pages forward without a Link; unpadded and empty cursors are accepted', async () => {
    const noDirection = await get(`/projects/1/packages/1/pipelines?per_page=2&cursor=${cursor('{"id":"5"}')}`);
    expect([ids(noDirection), noDirection.headers.get('link')]).toEqual([[4, 3], null]);
    const unpadded = await get(`/projects/1/packages/1/pipelines?per_page=2&cursor=${cursor('{"id":"5","_kd":"n"}', false)}`);
    expect(ids(unpadded)).toEqual([4, 3]);
    const empty = await get('/projects/1/packages/1/pipelines?per_page=2&cursor=');
    expect(ids(empty)).toEqual([21, 20]);
  });

  it.each([
    ['not base64', '!!!!'],
    ['not JSON', cursor('id=5')],
    ['not an object', cursor('[5]')],
    ['a non-numeric id', cursor('{"id":"abc","_kd":"n"}')],
    ['an unknown key', cursor('{"id":"5","created_at":"2024-01-01"}')],
  ])('a malformed cursor (%s) is 400 "cursor is invalid"', async (_name, value) => {
    const response = await get(`/projects/1/packages/1/pipelines?cursor=${encodeURIComponent(value)}`);
    expect([response.status, response.body]).toEqual([400, { error: 'cursor is invalid' }]);
  });

  it('pipelines of a page are distinct, newest first; a pipeline may show again on a later page', async () => {
    const first = await get('/projects/1/packages/2/pipelines?per_page=2');
    expect(ids(first)).toEqual([3, 1]);
    const after = first.headers.get('link')!;
    expect(after).toBe(next(2, `cursor=${encodeURIComponent(cursor('{"id":"24","_kd":"n"}'))}&id=1&package_id=2&page=1&pagination=keyset&per_page=2`));
    const second = await get(`/projects/1/packages/2/pipelines?per_page=2&cursor=${cursor('{"id":"24","_kd":"n"}')}`);
    expect([ids(second), second.headers.get('link')]).toEqual([[2, 1], null]);
    const all = await get('/projects/1/packages/2/pipelines');
    expect(ids(all)).toEqual([3, 2, 1]);
  });

  it('a package without pipelines has []; an error package and a missing one are 404', async () => {
    const none = await get('/projects/1/packages/3/pipelines');
    expect([none.status, none.body, none.headers.get('link')]).toEqual([200, [], null]);
    const broken = await get('/projects/1/packages/4/pipelines');
    expect([broken.status, broken.body]).toEqual([404, { message: '404 Package not found Not Found' }]);
    const missing = await get('/projects/1/packages/99/pipelines');
    expect([missing.status, missing.body]).toEqual([404, { message: '404 Not found' }]);
  });
});
