// HTTP details real clients depend on (issue points 2, 3, 8): ids in paths, the catch-all route,
// Content-Type exactly application/json, JSON error bodies, unsupported credentials, HEAD, and the SQL
// statements an E1 request costs.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeServer, listen } from '../../src/server.ts';
import { countingClient, ids, rest, restApp } from './support.ts';
import { openWorld, tokens, type World } from './world.ts';

let world: World;
beforeAll(async () => {
  world = await openWorld();
});
afterAll(() => world.db.close());

/** As the maintainer unless a token (or null: anonymous) is given. */
const get = (path: string, token: string | null = tokens.maint) => rest(world.app, path, { token: token ?? undefined });
const answer = async (path: string, token: string | null = tokens.maint) => {
  const r = await get(path, token);
  return [r.status, r.body];
};
const projectNotFound = [404, { message: '404 Project Not Found' }];
const groupNotFound = [404, { message: '404 Group Not Found' }];
const noRoute = [404, { error: '404 Not Found' }];

describe('ids', () => {
  it('a project by numeric id or by URL-encoded full path (any case)', async () => {
    const expected = [1003, 1001, 1002, 1005, 1008, 1011, 1012, 1013];
    for (const id of ['40', '040', 'acme%2Fplatform%2Fapi', 'ACME%2FPlatform%2FApi']) expect([id, ids(await get(`/projects/${id}/packages`))]).toEqual([id, expected]);
  });

  it('a slash-less non-numeric project id, a negative, zero or huge one is 404 Project Not Found', async () => {
    for (const id of ['api', 'acme', '-1', '0', '99999999999999999999', '2147483648', 'acme%2Fplatform%2Fnope']) {
      expect([id, ...(await answer(`/projects/${id}/packages`))]).toEqual([id, ...projectNotFound]);
    }
  });

  it('a group by numeric id, by a slash-less path, or by an encoded nested path', async () => {
    for (const id of ['22', 'acme', 'ACME', 'acme%2Fplatform']) {
      const response = await get(`/groups/${id}/packages`, tokens.owner);
      expect([id, response.status]).toEqual([id, 200]);
    }
    expect(ids(await get('/groups/acme%2Fplatform/packages', tokens.owner))).toEqual([1003, 1001, 1002, 1005, 1008, 1011, 1012, 1013]);
    for (const id of ['nope', '40', '-1', 'acme%2Fnope']) expect([id, ...(await answer(`/groups/${id}/packages`, tokens.owner))]).toEqual([id, ...groupNotFound]);
  });

  it('a literal slash in the project path matches no route: the catch-all 404', async () => {
    expect(await answer('/projects/acme/platform/api/packages')).toEqual(noRoute);
    expect(await answer('/groups/acme/platform/packages')).toEqual(noRoute);
  });

  it('a web download of a file id no row can have (past PostgreSQL\'s integer) is 404, as any unknown file (found by fuzzing: a 500)', async () => {
    for (const id of ['2147483647', '2147483648', '999999999999']) {
      const response = await world.app.fetch(new Request(`http://gw.test/acme/platform/api/-/package_files/${id}/download`, { headers: { 'PRIVATE-TOKEN': tokens.maint } }));
      expect([id, response.status, await response.json()]).toEqual([id, 404, { message: '404 Not Found' }]);
    }
  });
});

describe('routes and bodies', () => {
  it('unknown paths and methods under /api/v4 are {"error":"404 Not Found"}', async () => {
    for (const path of ['', '/', '/projects', '/projects/40', '/projects/40/packages/', '/projects/40/packages/1001/files', '/version']) {
      expect([path, ...(await answer(path))]).toEqual([path, ...noRoute]);
    }
    const post = await rest(world.app, '/projects/40/packages', { token: tokens.maint, method: 'POST', body: '{}' });
    expect([post.status, post.body]).toEqual(noRoute);
    const put = await rest(world.app, '/projects/40/packages/1001', { token: tokens.maint, method: 'PUT' });
    expect([put.status, put.body]).toEqual(noRoute);
  });

  it('Content-Type is exactly application/json on every JSON answer', async () => {
    const responses = [
      await get('/projects/40/packages'),
      await get('/projects/40/packages/1001'),
      await get('/projects/40/packages?order_by=x'),
      await get('/projects/40/packages', tokens.unknown),
      await get('/projects/40/packages', tokens.guest),
      await get('/projects/40/packages', null),
      await get('/projects/40/packages/999'),
      await get('/nope'),
      await rest(world.app, '/projects/40/packages/1001', { token: tokens.reader, method: 'DELETE' }),
    ];
    expect(responses.map((r) => r.status)).toEqual([200, 200, 400, 401, 403, 404, 404, 404, 403]);
    for (const r of responses) expect(r.headers.get('content-type')).toBe('application/json');
  });

  it('every error body is JSON: 401 for a bad token even on an unknown path', async () => {
    expect(await answer('/nope', tokens.expired)).toEqual([401, { message: '401 Unauthorized' }]);
  });

  it('credentials the gateway does not support (job and deploy tokens) are invalid: 401', async () => {
    for (const headers of [{ 'JOB-TOKEN': 'abc' }, { 'Deploy-Token': 'abc' }] as Record<string, string>[]) {
      const r = await rest(world.app, '/projects/pub%2Flib/packages', { headers });
      expect([r.status, r.body]).toEqual([401, { message: '401 Unauthorized' }]);
    }
    const r = await rest(world.app, '/projects/pub%2Flib/packages?job_token=abc');
    expect([r.status, r.body]).toEqual([401, { message: '401 Unauthorized' }]);
  });

  it('tokens are read from PRIVATE-TOKEN, Authorization: Bearer and private_token', async () => {
    const viaBearer = await rest(world.app, '/projects/40/packages', { headers: { Authorization: `Bearer ${tokens.dev}` } });
    const viaParam = await rest(world.app, `/projects/40/packages?private_token=${tokens.dev}`);
    expect([viaBearer.status, viaParam.status]).toEqual([200, 200]);
  });

  it('HEAD answers the headers of GET without a body', async () => {
    const response = await world.app.fetch(new Request('http://gw.test/api/v4/projects/40/packages', { method: 'HEAD', headers: { 'PRIVATE-TOKEN': tokens.dev } }));
    expect([response.status, response.headers.get('x-total'), await response.text()]).toEqual([200, '8', '']);
  });
});

describe('SQL statements', () => {
  it('E1 costs at most 4 statements whatever the page size (token, project, count, page with its relations)', async () => {
    const counting = countingClient(world.db);
    try {
      const app = restApp(counting.prisma);
      await world.db.prisma.personalAccessToken.updateMany({ data: { lastUsedAt: new Date() } });
      const counts: Record<number, number> = {};
      for (const perPage of [1, 20, 100]) {
        counting.statements.length = 0;
        const response = await rest(app, `/projects/acme%2Fplatform%2Fapi/packages?per_page=${perPage}&include_versionless=true`, {
          token: tokens.maint,
        });
        expect(response.status).toBe(200);
        counts[perPage] = counting.statements.length;
      }
      expect(counts[1]).toBeLessThanOrEqual(4);
      expect(counts).toEqual({ 1: counts[1], 20: counts[1], 100: counts[1] });
    } finally {
      await counting.close();
    }
  });
});

describe('answers over one keep-alive connection', () => {
  it('each answer carries its own length and request id (no header object is shared between answers)', async () => {
    const { server, url } = await listen(world.app, 0, '127.0.0.1');
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const fetchOne = (path: string) =>
      new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string; socket: unknown }>((resolve, reject) => {
        const req = http.get(`${url}/api/v4${path}`, { agent, headers: { 'private-token': tokens.maint } }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body, socket: req.socket }));
        });
        req.on('error', reject);
      });
    try {
      // Single entities and errors of different lengths, one after another on the same socket.
      const paths = ['/projects/40/packages/1001', '/projects/40/packages/999999', '/projects/40/packages/1002', '/projects/40/packages/1001'];
      const answers = [];
      for (const path of paths) answers.push(await fetchOne(path));
      expect(new Set(answers.map((a) => a.socket)).size).toBe(1);
      expect(answers.map((a) => a.status)).toEqual([200, 404, 200, 200]);
      for (const a of answers) {
        expect(Number(a.headers['content-length'])).toBe(Buffer.byteLength(a.body));
        expect(() => JSON.parse(a.body)).not.toThrow();
      }
      expect(new Set(answers.map((a) => a.headers['x-request-id'])).size).toBe(answers.length);
    } finally {
      agent.destroy();
      await closeServer(server);
    }
  });
});
