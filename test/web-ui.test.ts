// The web interface's pages and assets as HTTP answers (the browser tests are in test/web): every
// GitLab web path the API links to answers the page with a same-origin-only Content-Security-Policy,
// assets are served with long caching, and nothing else is shadowed.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../src/root.ts';
import type { App } from '../src/server.ts';
import { contentSecurityPolicy, isWebPage } from '../src/web-ui.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { restApp } from './rest/support.ts';

let db: TestDatabase;
let app: App;
beforeAll(async () => {
  db = await createTestDatabase();
  app = restApp(db.prisma);
});
afterAll(() => db?.close());

const get = (target: string, method = 'GET') => app.fetch(new Request(`http://gw.test${target}`, { method }));

describe('the web interface over HTTP', () => {
  it('answers the page at GitLab web paths, with a same-origin-only CSP and no caching', async () => {
    for (const target of ['/', '/users/sign_in', '/groups/acme/platform/-/packages', '/acme/platform/api/-/packages', '/acme/platform/api/-/packages/14']) {
      const answer = await get(target);
      expect(answer.status, target).toBe(200);
      expect(answer.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(answer.headers.get('content-security-policy')).toBe(contentSecurityPolicy);
      expect(answer.headers.get('cache-control')).toBe('no-cache');
      expect(await answer.text()).toContain('<div id="root"></div>');
    }
    const head = await get('/acme/platform/api/-/packages', 'HEAD');
    expect([head.status, await head.text()]).toEqual([200, '']);
  });

  it('serves the built assets with their types and a year of caching; unknown or odd names are 404', async () => {
    const assets = readdirSync(path.join(projectRoot, 'dist/web/assets'));
    const script = assets.find((name) => name.endsWith('.js'))!;
    const answer = await get(`/-/web/assets/${script}`);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(answer.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    for (const target of ['/-/web/assets/nope.js', '/-/web/assets/..%2F..%2Fpackage.json', '/-/web/assets/../index.html', '/-/web/assets/.hidden.js', '/-/web/assets/x.json']) {
      const refused = await get(target);
      expect(refused.status, target).toBe(404);
      expect(await refused.json()).toEqual({ error: '404 Not Found' });
    }
  });

  it('shadows nothing: the API, health, downloads and other paths answer as before; other methods are not pages', async () => {
    expect((await get('/-/health')).headers.get('content-type')).toContain('json');
    expect((await get('/api/v4/projects/1/packages')).headers.get('content-type')).toContain('json');
    expect((await get('/acme/-/package_files/1/download')).headers.get('content-type')).toContain('json');
    expect((await get('/acme/-/issues')).status).toBe(404);
    expect((await get('/', 'POST')).status).toBe(404);
    expect(isWebPage('/acme/-/packages/abc')).toBe(false);
  });
});
