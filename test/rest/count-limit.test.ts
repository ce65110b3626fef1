// Over 10,000 matching rows GitLab stops counting (rest.md 1.9): no X-Total, no X-Total-Pages, no
// rel="last"; the count query stops at 10,001 rows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFixture } from '../../src/fixture/load.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { countingClient, pageHeaders, rest, restApp } from './support.ts';

const token = 'glpat-count-limit-000001';
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
  const packages = (count: number) =>
    Array.from({ length: count }, (_, i) => ({ name: `p${i}`, version: '1.0.0', package_type: 'generic', created_at: '2024-01-01T00:00:00Z' }));
  await loadFixture(db.prisma, {
    users: [{ username: 'pat', name: 'Pat', tokens: [{ token, scopes: ['api'] }] }],
    projects: [
      { id: 1, path: 'pat/huge', packages: packages(10_001) },
      { id: 2, path: 'pat/exact', packages: packages(10_000) },
    ],
  });
});
afterAll(() => db.close());

const link = (project: number, page: number, rel: string) =>
  `<http://gw.test/api/v4/projects/${project}/packages?id=${project}&order_by=created_at&page=${page}&per_page=100&sort=asc>; rel="${rel}"`;

describe('count limit', () => {
  it('10,001 rows: totals and rel="last" are left out, next and prev still given', async () => {
    const counting = countingClient(db);
    try {
      const app = restApp(counting.prisma);
      const response = await rest(app, '/projects/1/packages?per_page=100&page=2', { token });
      expect((response.body as unknown[]).length).toBe(100);
      expect(pageHeaders(response)).toEqual({
        'X-Per-Page': '100',
        'X-Page': '2',
        'X-Next-Page': '3',
        'X-Prev-Page': '1',
        'X-Total': null,
        'X-Total-Pages': null,
        Link: [link(1, 1, 'prev'), link(1, 3, 'next'), link(1, 1, 'first')].join(', '),
      });
      // The count, made in the page's statement, reads at most 10,001 rows.
      const count = counting.statements.filter((q) => /SELECT count\(\*\)/i.test(q.sql));
      expect(count).toHaveLength(1);
      expect(count[0]!.sql).toMatch(/SELECT count\(\*\)::int FROM \(SELECT 1 FROM packages_packages p WHERE .* LIMIT \$\d+\) c/s);
      expect(count[0]!.args.map(String)).toContain('10001');
    } finally {
      await counting.close();
    }
    const last = await rest(restApp(db.prisma), '/projects/1/packages?per_page=100&page=101', { token });
    expect([(last.body as unknown[]).length, last.headers.get('x-next-page'), last.headers.get('x-prev-page')]).toEqual([1, '', '100']);
  });

  it('10,000 rows are still counted', async () => {
    const response = await rest(restApp(db.prisma), '/projects/2/packages?per_page=100&page=100', { token });
    expect(pageHeaders(response)).toEqual({
      'X-Per-Page': '100',
      'X-Page': '100',
      'X-Next-Page': '',
      'X-Prev-Page': '99',
      'X-Total': '10000',
      'X-Total-Pages': '100',
      Link: [link(2, 99, 'prev'), link(2, 1, 'first'), link(2, 100, 'last')].join(', '),
    });
  });
});
