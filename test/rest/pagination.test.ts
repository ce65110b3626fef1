// Offset pagination (rest.md 1.9) on E1, E2 and E4: headers, Link, caps and edges.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFixture } from '../../src/fixture/load.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { ids, pageHeaders, rest, restApp } from './support.ts';
import type { App } from '../../src/server.ts';

const token = 'glpat-pages-owner-000001';
let db: TestDatabase;
let app: App;

beforeAll(async () => {
  db = await createTestDatabase();
  const packages = (prefix: string, count: number, firstId: number) =>
    Array.from({ length: count }, (_, i) => ({
      id: firstId + i,
      name: `${prefix}-${i}`,
      version: '1.0.0',
      package_type: 'npm',
      created_at: new Date(Date.UTC(2024, 0, 1, 0, i)).toISOString(),
    }));
  await loadFixture(db.prisma, {
    users: [{ username: 'pat', name: 'Pat', tokens: [{ token, scopes: ['api'] }] }],
    groups: [{ id: 1, path: 'pages', visibility: 'private', members: [{ user: 'pat', access_level: 'owner' }] }],
    projects: [
      { id: 1, path: 'pages/four', packages: packages('four', 4, 1) },
      {
        id: 2,
        path: 'pages/many',
        packages: [
          ...packages('many', 45, 101),
          {
            id: 200,
            name: 'files',
            version: '1.0.0',
            package_type: 'generic',
            files: Array.from({ length: 5 }, (_, i) => ({ id: 2001 + i, file_name: `f${i}.bin`, size: i })),
          },
        ],
      },
    ],
  });
  app = restApp(db.prisma);
});
afterAll(() => db.close());

const get = (path: string) => rest(app, path, { token });

const link = (path: string, query: string, rel: string) => `<http://gw.test/api/v4${path}?${query}>; rel="${rel}"`;

describe('offset pagination', () => {
  it('4 packages, per_page=2: two pages with the standard headers', async () => {
    const first = await get('/projects/1/packages?per_page=2');
    expect(ids(first)).toEqual([1, 2]);
    const q = (page: number) => `id=1&order_by=created_at&page=${page}&per_page=2&sort=asc`;
    expect(pageHeaders(first)).toEqual({
      'X-Per-Page': '2',
      'X-Page': '1',
      'X-Next-Page': '2',
      'X-Prev-Page': '',
      'X-Total': '4',
      'X-Total-Pages': '2',
      Link: [link('/projects/1/packages', q(2), 'next'), link('/projects/1/packages', q(1), 'first'), link('/projects/1/packages', q(2), 'last')].join(', '),
    });
    const second = await get('/projects/1/packages?per_page=2&page=2');
    expect(ids(second)).toEqual([3, 4]);
    expect(pageHeaders(second)).toEqual({
      'X-Per-Page': '2',
      'X-Page': '2',
      'X-Next-Page': '',
      'X-Prev-Page': '1',
      'X-Total': '4',
      'X-Total-Pages': '2',
      Link: [link('/projects/1/packages', q(1), 'prev'), link('/projects/1/packages', q(1), 'first'), link('/projects/1/packages', q(2), 'last')].join(', '),
    });
  });

  it('a middle page links prev, next, first and last, in that order', async () => {
    const page = await get('/projects/2/packages?per_page=10&page=3');
    expect(ids(page)).toEqual([121, 122, 123, 124, 125, 126, 127, 128, 129, 130]);
    const q = (n: number) => `id=2&order_by=created_at&page=${n}&per_page=10&sort=asc`;
    expect(pageHeaders(page)).toEqual({
      'X-Per-Page': '10',
      'X-Page': '3',
      'X-Next-Page': '4',
      'X-Prev-Page': '2',
      'X-Total': '46',
      'X-Total-Pages': '5',
      Link: [
        link('/projects/2/packages', q(2), 'prev'),
        link('/projects/2/packages', q(4), 'next'),
        link('/projects/2/packages', q(1), 'first'),
        link('/projects/2/packages', q(5), 'last'),
      ].join(', '),
    });
  });

  it('per_page over 100 is capped at 100, a negative one falls back to 20', async () => {
    const capped = await get('/projects/2/packages?per_page=150');
    expect([capped.headers.get('x-per-page'), (capped.body as unknown[]).length]).toEqual(['100', 46]);
    expect(capped.headers.get('link')).toBe(
      [
        link('/projects/2/packages', 'id=2&order_by=created_at&page=1&per_page=100&sort=asc', 'first'),
        link('/projects/2/packages', 'id=2&order_by=created_at&page=1&per_page=100&sort=asc', 'last'),
      ].join(', '),
    );
    const negative = await get('/projects/2/packages?per_page=-5');
    expect(pageHeaders(negative)).toMatchObject({ 'X-Per-Page': '20', 'X-Total-Pages': '3', 'X-Next-Page': '2' });
    expect((negative.body as unknown[]).length).toBe(20);
  });

  it('page 0 or below is page 1', async () => {
    for (const page of ['0', '-3']) {
      const response = await get(`/projects/1/packages?per_page=3&page=${page}`);
      expect([ids(response), response.headers.get('x-page'), response.headers.get('x-prev-page'), response.headers.get('x-next-page')]).toEqual([
        [1, 2, 3],
        '1',
        '',
        '2',
      ]);
    }
  });

  it('past the end: [], the page asked for, neither next nor prev, Link with first and last only', async () => {
    const response = await get('/projects/1/packages?per_page=2&page=5');
    expect(response.body).toEqual([]);
    const q = (n: number) => `id=1&order_by=created_at&page=${n}&per_page=2&sort=asc`;
    expect(pageHeaders(response)).toEqual({
      'X-Per-Page': '2',
      'X-Page': '5',
      'X-Next-Page': '',
      'X-Prev-Page': '',
      'X-Total': '4',
      'X-Total-Pages': '2',
      Link: [link('/projects/1/packages', q(1), 'first'), link('/projects/1/packages', q(2), 'last')].join(', '),
    });
  });

  it('a page far past the end (beyond any offset) is empty too', async () => {
    const response = await get('/projects/1/packages?per_page=100&page=99999999999');
    expect([response.status, response.body, response.headers.get('x-page'), response.headers.get('x-prev-page')]).toEqual([
      200,
      [],
      '99999999999',
      '',
    ]);
  });

  it('an empty list has one page', async () => {
    const response = await get('/projects/1/packages?package_name=nothing');
    expect(response.body).toEqual([]);
    expect(pageHeaders(response)).toMatchObject({ 'X-Total': '0', 'X-Total-Pages': '1', 'X-Next-Page': '', 'X-Prev-Page': '' });
  });

  it('Link keeps every request parameter (undeclared ones and tokens too), coerced, with defaults, keys sorted', async () => {
    const path = '/projects/pages%2Ffour/packages';
    const response = await rest(app, `${path}?zeta=last&private_token=${token}&include_versionless=YES&per_page=1&package_name=four+0&a%5B%5D=x&a%5B%5D=y`);
    const q = (n: number) =>
      `a%5B%5D=x&a%5B%5D=y&id=pages%2Ffour&include_versionless=true&order_by=created_at&package_name=four+0&page=${n}&per_page=1&private_token=${token}&sort=asc&zeta=last`;
    expect(response.headers.get('link')).toBe([link(path, q(1), 'first'), link(path, q(1), 'last')].join(', '));
  });

  it('the group listing links with exclude_subgroups and the group path', async () => {
    const response = await get('/groups/pages/packages?per_page=40');
    const q = (n: number) => `exclude_subgroups=false&id=pages&order_by=created_at&page=${n}&per_page=40&sort=asc`;
    expect(pageHeaders(response)).toEqual({
      'X-Per-Page': '40',
      'X-Page': '1',
      'X-Next-Page': '2',
      'X-Prev-Page': '',
      'X-Total': '50',
      'X-Total-Pages': '2',
      Link: [link('/groups/pages/packages', q(2), 'next'), link('/groups/pages/packages', q(1), 'first'), link('/groups/pages/packages', q(2), 'last')].join(', '),
    });
  });

  it('package files are offset-paged too', async () => {
    const response = await get('/projects/2/packages/200/package_files?per_page=2&page=2&order_by=file_name&sort=desc');
    expect(ids(response)).toEqual([2003, 2002]);
    const q = (n: number) => `id=2&order_by=file_name&package_id=200&page=${n}&per_page=2&sort=desc`;
    const path = '/projects/2/packages/200/package_files';
    expect(pageHeaders(response)).toEqual({
      'X-Per-Page': '2',
      'X-Page': '2',
      'X-Next-Page': '3',
      'X-Prev-Page': '1',
      'X-Total': '5',
      'X-Total-Pages': '3',
      Link: [link(path, q(1), 'prev'), link(path, q(3), 'next'), link(path, q(1), 'first'), link(path, q(3), 'last')].join(', '),
    });
  });

  it('walking every page with a small per_page returns each row once', async () => {
    const seen: number[] = [];
    for (let page = 1; page <= 10; page++) {
      const response = await get(`/projects/2/packages?per_page=7&page=${page}&order_by=name&sort=desc`);
      seen.push(...ids(response));
      if (response.headers.get('x-next-page') === '') break;
    }
    expect(seen).toHaveLength(46);
    expect(new Set(seen).size).toBe(46);
  });
});
