// GraphiQL in a real browser with no way out: every request to another origin is blocked, and the
// page must still load, show the example query, and run a query with a token header.
import type { Server } from 'node:http';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFixture } from '../../src/fixture/load.ts';
import { demoFixturePath } from '../../src/db/seed.ts';
import { createLogger } from '../../src/logger.ts';
import { closeServer, createApp, listen } from '../../src/server.ts';
import { blockOtherOrigins, launchChromium, pasteInto } from '../support/browser.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { chromium, describeWith } from '../support/external.ts';

describeWith(chromium, 'GraphiQL offline', () => {
  let db: TestDatabase;
  let server: Server;
  let url: string;
  let browser: Browser;

  beforeAll(async () => {
    db = await createTestDatabase();
    await loadFixture(db.prisma, demoFixturePath);
    const app = createApp({ db, config: { publicUrl: undefined, graphiql: true, exposeErrors: false }, logger: createLogger('silent') });
    ({ server, url } = await listen(app, 0, '127.0.0.1'));
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    if (server) await closeServer(server);
    await db?.close();
  });

  it('loads with every asset from the server, shows the example query, and runs a query with a PRIVATE-TOKEN header', async () => {
    const context = await browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'] });
    const page = await context.newPage();
    const blocked = await blockOtherOrigins(page, url);
    const failed: string[] = [];
    page.on('requestfailed', (request) => failed.push(request.url()));

    await page.goto(`${url}/api/graphql`);
    const queryEditor = page.locator('.graphiql-query-editor .monaco-editor').first();
    await queryEditor.waitFor({ timeout: 30_000 });
    await expect(page.title()).resolves.toBe('packages-gateway GraphiQL');
    await page.getByText('PRIVATE-TOKEN').first().waitFor();
    await page.getByText('acme/platform/api').first().waitFor();

    await queryEditor.click();
    await pasteInto(page, '{ currentUser { username } }');
    await page.locator('section.graphiql-editor-tool .graphiql-editor:not(.hidden) .monaco-editor').first().click();
    await pasteInto(page, JSON.stringify({ 'PRIVATE-TOKEN': 'glpat-root-demo-0000000001' }));
    await page.locator('button.graphiql-execute-button').click();

    const result = page.locator('.graphiql-response');
    await result.getByText('"root"').waitFor({ timeout: 20_000 });
    const text = (await result.innerText()).replace(/\s+/g, '');
    expect(text).toContain('"currentUser":{"username":"root"}');
    expect(text).not.toContain('"errors"');
    expect(blocked).toEqual([]);
    expect(failed).toEqual([]);
    await context.close();
  });
});

// Without a browser too: the page names no URL of another origin in a src or href.
describe('GraphiQL page', () => {
  it('references no asset of another origin', async () => {
    const db = await createTestDatabase();
    try {
      const app = createApp({ db, config: { publicUrl: undefined, graphiql: true, exposeErrors: false }, logger: createLogger('silent') });
      const response = await app.fetch(new Request('http://gw.test/api/graphql', { headers: { accept: 'text/html' } }));
      expect(response.status).toBe(200);
      const html = await response.text();
      expect(html).toContain('<title>packages-gateway GraphiQL</title>');
      expect(html.match(/\b(?:src|href)\s*=\s*["']?(?:https?:)?\/\/[^"'\s>]+/gi) ?? []).toEqual([]);
      expect(html).toContain('glpat-root-demo-0000000001');
    } finally {
      await db.close();
    }
  });
});
