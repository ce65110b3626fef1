// /-/metrics: who may read it, and what the counters say after a few requests (labels are route
// templates and sanitized operation names, never raw paths or ids).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFixture } from '../src/fixture/load.ts';
import { createLogger } from '../src/logger.ts';
import { closeServer, createApp, listen, type App } from '../src/server.ts';
import { createTestDatabase, testDbMode, type TestDatabase } from './support/database.ts';

const config = { publicUrl: undefined, graphiql: false, exposeErrors: true, metricsAllow: ['10.20.0.0/16', 'fd00:abcd::/32'] };
const logger = createLogger('silent');
const rootToken = 'glpat-root-demo-0000000001';

let db: TestDatabase;
let app: App;
beforeAll(async () => {
  db = await createTestDatabase();
  await loadFixture(db.prisma, 'test/fixtures/example.json');
  app = createApp({ db, config, logger });
});
afterAll(() => db.close());

const metricsRequest = (headers: Record<string, string> = {}) => new Request('http://gw.test/-/metrics', { headers });

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the text exposition into samples (comments skipped). */
function parse(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`unparsable line: ${line}`);
      const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]));
      return { name: match[1]!, labels, value: Number(match[3]) };
    });
}

/** The sum of the samples named `name` whose labels include `labels`. */
function total(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

async function scrape(target: App = app): Promise<{ text: string; samples: Sample[] }> {
  const response = await target.fetch(metricsRequest(), { address: '127.0.0.1' });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = await response.text();
  return { text, samples: parse(text) };
}

const rest = (path: string) => app.fetch(new Request(`http://gw.test/api/v4${path}`, { headers: { 'private-token': rootToken } }));
const graphql = (query: string, variables?: Record<string, unknown>) =>
  app.fetch(
    new Request('http://gw.test/api/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'private-token': rootToken },
      body: JSON.stringify({ query, variables }),
    }),
  );

describe('metrics', () => {
  it('count requests by route template, GraphQL operations by name, errors and SQL statements', async () => {
    const before = await scrape();

    expect((await rest('/projects/acme%2Fplatform%2Fapi/packages')).status).toBe(200);
    expect((await rest('/projects/acme%2Fplatform%2Fapi/packages?per_page=1')).status).toBe(200);
    expect((await rest('/projects/999999/packages')).status).toBe(404);
    expect((await app.fetch(new Request('http://gw.test/no/such/path/12345'))).status).toBe(404);
    const named = await graphql('query ListPackages { project(fullPath: "acme/platform/api") { packages(first: 5) { nodes { name } } } }');
    expect((await named.json()).errors).toBeUndefined();
    const anonymous = await graphql('{ currentUser { username } }');
    expect(await anonymous.json()).toEqual({ data: { currentUser: { username: 'root' } } });
    const invalid = await (await graphql('query Broken { noSuchField }')).json();
    expect(invalid.errors).toHaveLength(1);
    const failing = await (await graphql('query BadId($id: PackagesPackageID!) { package(id: $id) { id } }', { id: 'gid://gitlab/Nope/1' })).json();
    expect(failing.errors?.length).toBeGreaterThan(0);
    const longName = 'Op'.padEnd(100, 'x');
    expect((await graphql(`query ${longName} { currentUser { id } }`)).status).toBe(200);

    const after = await scrape();
    const delta = (name: string, labels: Record<string, string> = {}) => total(after.samples, name, labels) - total(before.samples, name, labels);

    // HTTP: by route template and status; the first scrape counts once it has answered.
    const packages = { method: 'GET', route: '/api/v4/projects/:id/packages' };
    expect(delta('http_requests_total', { ...packages, status: '200' })).toBe(2);
    expect(delta('http_requests_total', { ...packages, status: '404' })).toBe(1);
    expect(delta('http_requests_total', { method: 'GET', route: 'unmatched', status: '404' })).toBe(1);
    expect(delta('http_requests_total', { method: 'POST', route: '/api/graphql' })).toBe(5);
    expect(delta('http_requests_total', { method: 'GET', route: '/-/metrics', status: '200' })).toBe(1);
    expect(delta('http_request_duration_seconds_count', packages)).toBe(3);
    const routes = new Set(after.samples.filter((s) => s.name === 'http_requests_total').map((s) => s.labels.route));
    expect([...routes].sort()).toEqual(['/-/metrics', '/api/graphql', '/api/v4/projects/:id/packages', 'unmatched']);
    const labelValues = after.samples.flatMap((s) => Object.values(s.labels));
    expect(labelValues.filter((v) => /999999|12345|acme|no\/such/.test(v))).toEqual([]);

    // GraphQL: executed operations by name and type; errors by phase.
    expect(delta('graphql_operations_total', { operationName: 'ListPackages', operationType: 'query' })).toBe(1);
    expect(delta('graphql_operations_total', { operationName: 'Anonymous', operationType: 'query' })).toBe(1);
    expect(delta('graphql_operations_total', { operationName: longName.slice(0, 64) })).toBe(1);
    expect(delta('graphql_operations_total', { operationName: 'Broken' })).toBe(0);
    expect(delta('graphql_operation_duration_seconds_count', { operationName: 'ListPackages' })).toBe(1);
    expect(delta('graphql_operation_errors_total', { operationName: 'Broken', operationType: 'query', phase: 'validate' })).toBe(1);
    expect(delta('graphql_operation_errors_total', { operationName: 'BadId', phase: 'execute' })).toBe(1);
    expect(delta('graphql_operation_errors_total', { operationName: 'ListPackages' })).toBe(0);

    // SQL statements (authentication, scopes, pages) and their time.
    expect(delta('db_statement_duration_seconds_count')).toBeGreaterThanOrEqual(10);
    expect(delta('db_statement_duration_seconds_sum')).toBeGreaterThan(0);

    // The pool: PostgreSQL only (PGlite is one in-process connection).
    const pool = after.samples.filter((s) => s.name.startsWith('db_pool_'));
    if (testDbMode === 'postgres') {
      expect(total(pool, 'db_pool_connections')).toBeGreaterThanOrEqual(1);
      expect(total(pool, 'db_pool_idle_connections')).toBeGreaterThanOrEqual(0);
      expect(total(pool, 'db_pool_waiting_requests')).toBe(0);
    } else {
      expect(pool).toEqual([]);
    }

    // Node's default process metrics.
    for (const name of ['process_cpu_user_seconds_total', 'process_start_time_seconds', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_seconds']) {
      expect(after.samples.some((s) => s.name === name), name).toBe(true);
    }
  });

  it('keep at most 500 distinct operation names; later ones are counted as other', async () => {
    const fresh = createApp({ db, config, logger });
    const run = (name: string) =>
      fresh.fetch(new Request('http://gw.test/api/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: `query ${name} { __typename }` }) }));
    for (let i = 0; i < 503; i++) expect((await run(`Op${i}`)).status).toBe(200);
    expect((await run('Op0')).status).toBe(200);
    const { samples } = await scrape(fresh);
    const operations = samples.filter((s) => s.name === 'graphql_operations_total');
    expect(operations).toHaveLength(501);
    expect(total(operations, 'graphql_operations_total', { operationName: 'Op0' })).toBe(2);
    expect(total(operations, 'graphql_operations_total', { operationName: 'other' })).toBe(3);
  });

  it('are per app: a second app on the same database starts from zero', async () => {
    const other = createApp({ db, config, logger });
    expect((await rest('/projects/acme%2Fplatform%2Fapi/packages')).status).toBe(200);
    const { samples } = await scrape(other);
    expect(total(samples, 'http_requests_total', { route: '/api/v4/projects/:id/packages' })).toBe(0);
    expect(total((await scrape()).samples, 'http_requests_total', { route: '/api/v4/projects/:id/packages' })).toBeGreaterThan(0);
  });

  it.each([
    ['127.0.0.1', 200],
    ['127.8.9.10', 200],
    ['::1', 200],
    ['::ffff:127.0.0.1', 200],
    ['10.20.255.1', 200],
    ['::ffff:10.20.0.7', 200],
    ['fd00:abcd::5', 200],
    ['10.21.0.1', 404],
    ['192.0.2.1', 404],
    ['fd00:abce::5', 404],
    ['::2', 404],
    ['not an address', 404],
  ])('a caller at %s gets %i', async (address, status) => {
    const response = await app.fetch(metricsRequest(), { address });
    expect(response.status).toBe(status);
    if (status === 404) expect(await response.json()).toEqual({ error: '404 Not Found' });
  });

  it('an unknown caller gets 404, whatever X-Forwarded-For says', async () => {
    for (const response of [
      await app.fetch(metricsRequest()),
      await app.fetch(metricsRequest({ 'x-forwarded-for': '127.0.0.1', 'x-real-ip': '127.0.0.1' }), { address: '192.0.2.1' }),
    ]) {
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(await response.json()).toEqual({ error: '404 Not Found' });
    }
  });

  it('answers a loopback caller over real HTTP', async () => {
    const { server, url } = await listen(app, 0, '127.0.0.1');
    try {
      const response = await fetch(`${url}/-/metrics`, { headers: { 'x-forwarded-for': '192.0.2.1' } });
      expect(response.status).toBe(200);
      expect(await response.text()).toMatch(/^http_requests_total\{method="GET",route="\/-\/metrics",status="200"\} \d+$/m);
    } finally {
      await closeServer(server);
    }
  });
});
