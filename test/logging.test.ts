// Logs never hold a secret: a token sent in each of the three places a request may carry one, valid
// or not, on GraphQL and REST, answered or refused, appears in no log line at the most verbose level.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.ts';
import { createApp, type App } from '../src/server.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { createUserWithToken } from './support/users.ts';

describe('logs', () => {
  let db: TestDatabase;
  let app: App;
  let token: string;
  const lines: string[] = [];
  beforeAll(async () => {
    db = await createTestDatabase();
    token = (await createUserWithToken(db.prisma, 'alice')).token;
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    app = createApp({ db, config: { publicUrl: undefined, graphiql: true, exposeErrors: true }, logger: createLogger('trace', sink) });
  });
  afterAll(() => db.close());

  const unknownToken = 'glpat-unknown-secret-token-1234';
  const ways = (secret: string): { headers: Record<string, string>; query: string }[] => [
    { headers: { 'PRIVATE-TOKEN': secret }, query: '' },
    { headers: { Authorization: `Bearer ${secret}` }, query: '' },
    { headers: {}, query: `private_token=${encodeURIComponent(secret)}` },
  ];

  it('hold no token sent through PRIVATE-TOKEN, Authorization or ?private_token=', async () => {
    for (const secret of [token, unknownToken]) {
      for (const way of ways(secret)) {
        const sep = (path: string) => (way.query ? `${path}${path.includes('?') ? '&' : '?'}${way.query}` : path);
        const requests = [
          new Request(`http://gw.test${sep('/api/graphql')}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...way.headers },
            body: JSON.stringify({ query: 'query Me { currentUser { username } project(fullPath: 1) { id } }' }),
          }),
          new Request(`http://gw.test${sep('/api/graphql')}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...way.headers },
            body: JSON.stringify({ query: '{ currentUser { username } }' }),
          }),
          new Request(`http://gw.test${sep('/api/v4/projects/nope%2Fnothing/packages?per_page=abc')}`, { headers: way.headers }),
          new Request(`http://gw.test${sep('/api/v4/projects/1/packages/1')}`, { method: 'DELETE', headers: way.headers }),
          new Request(`http://gw.test${sep('/api/graphql')}`, { headers: { accept: 'text/html', ...way.headers } }),
        ];
        for (const request of requests) {
          const response = await app.fetch(request);
          await response.arrayBuffer();
        }
      }
    }
    // The app logged every request, and the refused ones too.
    expect(lines.filter((line) => JSON.parse(line).msg === 'request').length).toBe(2 * 3 * 5);
    const leaks = lines.filter((line) => line.includes(token) || line.includes(unknownToken));
    expect(leaks).toEqual([]);
    // Yoga's own trace and debug lines were written too.
    expect(lines.length).toBeGreaterThan(2 * 3 * 5);
  });
});
