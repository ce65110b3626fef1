// The web interface in Chromium, on the demo data, with every request to another origin blocked:
// anonymous browsing, signing in with the demo token, filters, sorts and pages in the URL, a package's
// files checked against their downloads, deleting a file and a package, "Recently deleted" and
// Restore, a protected package's refusal, a live update, and axe-core on every page. Screenshots go
// to test/web/out/.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ChangeCaches } from '../../src/db/cache.ts';
import { demoFixturePath } from '../../src/db/seed.ts';
import { defineCaches } from '../../src/domain/caches.ts';
import { openDirectoryStorage } from '../../src/domain/storage/directory.ts';
import { loadFixture } from '../../src/fixture/load.ts';
import { PackageEventHub, packageEventsChannel } from '../../src/graphql/package-events.ts';
import { createLogger } from '../../src/logger.ts';
import { projectRoot } from '../../src/root.ts';
import { closeServer, createApp, listen } from '../../src/server.ts';
import { blockOtherOrigins, launchChromium } from '../support/browser.ts';
import { createTestDatabase, testDbMode, type TestDatabase } from '../support/database.ts';
import { chromium, describeWith } from '../support/external.ts';

const root = 'glpat-root-demo-0000000001';
const mia = 'glpat-mia-demo-00000000003'; // a maintainer of acme, not an owner
const outDir = path.join(projectRoot, 'test/web/out');
const axeSource = readFileSync(path.join(projectRoot, 'node_modules/axe-core/axe.min.js'), 'utf8');

describeWith(chromium, 'the web interface', () => {
  let db: TestDatabase;
  let changes: ChangeCaches;
  let hub: PackageEventHub;
  let server: Server;
  let url: string;
  let browser: Browser;
  let storageDir: string;
  const blocked: string[] = [];

  const put = (project: string, name: string, version: string, file: string, body: string, token = root) =>
    fetch(`${url}/api/v4/projects/${encodeURIComponent(project)}/packages/generic/${name}/${version}/${file}`, { method: 'PUT', headers: { 'PRIVATE-TOKEN': token }, body });

  beforeAll(async () => {
    // dist/web is built by the suite's global setup (npm run build).
    mkdirSync(outDir, { recursive: true });
    db = await createTestDatabase();
    await loadFixture(db.prisma, demoFixturePath);
    changes = new ChangeCaches();
    await changes.start(db.listen);
    hub = new PackageEventHub();
    await hub.start(db.listenTo(packageEventsChannel));
    storageDir = mkdtempSync(path.join(os.tmpdir(), 'pgw-web-'));
    const app = createApp({
      db,
      config: { publicUrl: undefined, graphiql: false, exposeErrors: false },
      logger: createLogger('silent'),
      caches: defineCaches(changes),
      files: { storage: await openDirectoryStorage(storageDir), maxFileBytes: 1 << 20 },
      packageEvents: hub,
    });
    ({ server, url } = await listen(app, 0, '127.0.0.1'));
    // 22 packages in the public project: more than one page of 20.
    for (let i = 0; i < 22; i++) expect((await put('acme/website', `asset-${String(i).padStart(2, '0')}`, '1.0.0', 'a.txt', `asset ${i}`)).status).toBe(201);
    expect((await put('acme/website', 'bundle', '2.0.0', 'bundle.tgz', 'the bundle bytes')).status).toBe(201);
    expect((await put('acme/website', 'bundle', '2.0.0', 'notes.txt', 'release notes')).status).toBe(201);
    browser = await launchChromium();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    if (server) await closeServer(server);
    await hub?.close();
    await changes?.close();
    await db?.close();
    if (storageDir) rmSync(storageDir, { recursive: true, force: true });
  });

  async function newPage(options: { bypassCSP?: boolean } = {}): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext(options);
    const page = await context.newPage();
    blocked.push(...(await blockOtherOrigins(page, url)));
    page.on('dialog', (dialog) => void dialog.accept());
    return { context, page };
  }

  async function signIn(page: Page, token: string, username: string) {
    await page.goto(`${url}/users/sign_in`);
    await page.getByLabel('Personal access token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText(`Signed in as ${username}`).waitFor();
  }

  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(outDir, `${testDbMode}-${name}.png`), fullPage: true });
  const rowNames = (page: Page) => page.locator('table.packages tbody tr td:first-child').allInnerTexts();

  it('anonymous visitors browse public packages; private ones are not there', async () => {
    const { context, page } = await newPage();
    await page.goto(`${url}/groups/acme/-/packages`);
    await page.getByRole('heading', { name: 'Packages of acme' }).waitFor();
    await page.getByText(/\d+ packages/).waitFor();
    const names = await rowNames(page);
    expect(names.length).toBeGreaterThan(0);
    expect(await page.getByText('Sign in').count()).toBe(1);
    await page.goto(`${url}/acme/platform/api/-/packages`);
    await page.getByRole('heading', { name: 'Project not found' }).waitFor();
    await context.close();
  });

  it('signs in with the demo token; filters, sorts and pages live in the URL and survive reload, back and forward', async () => {
    const { context, page } = await newPage();
    await signIn(page, root, 'root');
    await page.goto(`${url}/acme/website/-/packages`);
    await page.getByText(/\d+ packages/).waitFor();
    await page.getByLabel('Sort').selectOption('NAME_ASC');
    await expect.poll(() => new URL(page.url()).searchParams.get('sort')).toBe('NAME_ASC');
    await expect.poll(async () => (await rowNames(page))[0]).toMatch(/^@acme\/ui/);
    await shot(page, 'package-list');
    await page.getByRole('button', { name: 'Next' }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('after')).not.toBeNull();
    await expect.poll(async () => (await rowNames(page)).some((n) => n.startsWith('bundle'))).toBe(true);
    await page.reload();
    await expect.poll(async () => (await rowNames(page)).some((n) => n.startsWith('bundle'))).toBe(true);
    await page.goBack();
    await expect.poll(async () => (await rowNames(page))[0]).toMatch(/^@acme\/ui/);
    await page.goForward();
    await expect.poll(async () => (await rowNames(page)).some((n) => n.startsWith('bundle'))).toBe(true);
    await page.getByLabel('Name', { exact: true }).fill('bundle');
    await expect.poll(async () => await rowNames(page)).toEqual(['bundle']);
    expect(new URL(page.url()).searchParams.get('name')).toBe('bundle');
    await context.close();
  });

  it("opens a package: its files' SHA-256 match the downloads; deletes a file, then the package; restores it from Recently deleted", async () => {
    const { context, page } = await newPage();
    await signIn(page, root, 'root');
    await page.goto(`${url}/acme/website/-/packages?name=bundle`);
    await page.getByRole('link', { name: 'bundle' }).click();
    await page.getByRole('heading', { name: 'bundle 2.0.0' }).waitFor();
    await page.getByText('curl --header').waitFor();
    await shot(page, 'package-details');
    for (const fileName of ['bundle.tgz', 'notes.txt']) {
      const link = page.getByRole('link', { name: fileName });
      const href = await link.getAttribute('href');
      const shown = await page.locator('tr', { has: link }).locator('code.sha').innerText();
      const bytes = await (await page.request.get(`${url}${href}`)).body();
      expect(shown).toBe(createHash('sha256').update(bytes).digest('hex'));
    }
    await page.getByRole('button', { name: 'Delete notes.txt' }).click();
    await page.getByText('notes.txt deleted.').waitFor();
    await expect.poll(() => page.getByRole('link', { name: 'notes.txt' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Delete package' }).click();
    await page.waitForURL(/tab=deleted/);
    await page.getByRole('button', { name: 'Restore bundle' }).click();
    await page.getByText('Package restored.').waitFor();
    const pkg = await db.prisma.package.findFirstOrThrow({ where: { name: 'bundle' }, include: { files: true } });
    expect(pkg.status).toBe('default');
    expect(pkg.files.map((f) => [f.fileName, f.status]).sort()).toEqual([['bundle.tgz', 'default'], ['notes.txt', 'pending_destruction']]);
    await context.close();
  });

  it("shows GitLab's refusal for a deletion-protected package", async () => {
    const { context, page } = await newPage();
    await signIn(page, mia, 'mia');
    const pkg = await db.prisma.package.findFirstOrThrow({ where: { name: '@acme/api' } });
    await page.goto(`${url}/acme/platform/api/-/packages/${pkg.id}`);
    await page.getByRole('button', { name: 'Delete package' }).click();
    await page.getByRole('alert').filter({ hasText: 'Package is deletion protected.' }).waitFor();
    expect((await db.prisma.package.findUniqueOrThrow({ where: { id: pkg.id } })).status).toBe('default');
    await context.close();
  });

  it('a package published through the REST upload appears on the open list without a reload', async () => {
    const { context, page } = await newPage();
    await page.goto(`${url}/acme/website/-/packages?name=live`);
    await page.getByText(/\d+ packages?/).waitFor();
    expect(await rowNames(page)).toEqual([]);
    await expect.poll(() => hub.size).toBeGreaterThan(0);
    expect((await put('acme/website', 'live-one', '1.0.0', 'x.txt', 'live')).status).toBe(201);
    await expect.poll(() => rowNames(page), { timeout: 10_000 }).toEqual(['live-one']);
    await context.close();
  });

  /** A GraphQL answer as the API gives it to a token (what the pages must show). */
  async function api<T>(query: string, variables: Record<string, unknown> = {}, token?: string): Promise<T> {
    const response = await fetch(`${url}/api/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { 'private-token': token } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data: T; errors?: unknown };
    expect(body.errors).toBeUndefined();
    return body.data;
  }
  const gidOf = async (name: string, version: string) => `gid://gitlab/Packages::Package/${(await db.prisma.package.findFirstOrThrow({ where: { name, version } })).id}`;
  const placeRows = (page: Page, title: string) =>
    page.locator('section', { has: page.getByRole('heading', { name: title, exact: true }) }).locator('table.places tbody tr').evaluateAll((rows) =>
      rows.map((row) => [...row.querySelectorAll('td')].map((td) => td.textContent ?? '')),
    );

  it('the home page lists the groups and projects the viewer can see with their package counts, and searches package names', async () => {
    const { context, page } = await newPage();
    const listing = `{ groups(first: 20, sort: "name_asc") { nodes { name fullPath packages { count } } } projects(first: 20, sort: "name_asc") { nodes { name fullPath packages { count } } } }`;
    type Listing = Record<'groups' | 'projects', { nodes: { name: string; fullPath: string; packages: { count: number } | null }[] }>;
    const expected = (answer: Listing, field: 'groups' | 'projects') => answer[field].nodes.map((n) => [n.name, n.fullPath, String(n.packages?.count ?? '—')]);
    const strip = (rows: string[][]) => rows.map(([name, fullPath, , count]) => [name, fullPath, count]);

    await page.goto(`${url}/`);
    await page.getByRole('heading', { name: 'Projects', exact: true }).waitFor();
    await expect.poll(async () => (await placeRows(page, 'Groups')).length).toBeGreaterThan(0);
    const anonymous = await api<Listing>(listing);
    expect(strip(await placeRows(page, 'Groups'))).toEqual(expected(anonymous, 'groups'));
    expect(strip(await placeRows(page, 'Projects'))).toEqual(expected(anonymous, 'projects'));
    expect(anonymous.projects.nodes.map((n) => n.fullPath)).toEqual(['acme/website']);

    await signIn(page, root, 'root');
    await page.goto(`${url}/`);
    await expect.poll(async () => (await placeRows(page, 'Projects')).length).toBeGreaterThan(1);
    const signedIn = await api<Listing>(listing, {}, root);
    expect(strip(await placeRows(page, 'Groups'))).toEqual(expected(signedIn, 'groups'));
    expect(strip(await placeRows(page, 'Projects'))).toEqual(expected(signedIn, 'projects'));
    expect(signedIn.groups.nodes.find((g) => g.fullPath === 'acme')!.packages!.count).toBeGreaterThan(anonymous.groups.nodes[0]!.packages!.count);

    await page.getByLabel('Search packages by name').fill('api-client');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/\?search=api-client/);
    const results = page.locator('ul.results li');
    await expect.poll(() => results.count()).toBeGreaterThan(0);
    expect(new Set(await results.locator('a').first().allInnerTexts())).toEqual(new Set(['com/acme/api-client']));
    await shot(page, 'home-search');
    await page.goBack();
    await expect.poll(() => results.count()).toBe(0);
    await context.close();
  });

  it("a package's details: GitLab's install commands, metadata, dependencies, checksums, type icon; the errors alert", async () => {
    const { context, page } = await newPage();
    await signIn(page, root, 'root');
    type Details = { package: { npmUrl: string; mavenUrl: string; metadata: Record<string, string> | null; dependencyLinks: { nodes: { dependency: { name: string; versionPattern: string }; metadata: { targetFramework?: string } | null }[] } } };
    const detailsQuery = `query($id: PackagesPackageID!) { package(id: $id) { npmUrl mavenUrl
      metadata { ... on MavenMetadata { appGroup appName appVersion } ... on NugetMetadata { projectUrl } }
      dependencyLinks { nodes { dependency { name versionPattern } metadata { ... on NugetDependencyLinkMetadata { targetFramework } } } } } }`;
    const open = async (name: string, version: string) => {
      const id = await gidOf(name, version);
      await page.goto(`${url}/acme/platform/api/-/packages/${id.slice(id.lastIndexOf('/') + 1)}`);
      await page.getByRole('heading', { name: `${name} ${version}` }).waitFor();
      return (await api<Details>(detailsQuery, { id }, root)).package;
    };
    const code = () => page.locator('figure.command code').allInnerTexts();

    const npm = await open('@acme/api', '1.0.3');
    expect(await code()).toEqual(['npm i @acme/api', 'yarn add @acme/api', `echo @acme:registry=${npm.npmUrl}/ >> .npmrc`, `echo \\"@acme:registry\\" \\"${npm.npmUrl}/\\" >> .yarnrc`]);
    expect(await page.locator('svg.type-icon[data-type="NPM"]').count()).toBe(1);
    await shot(page, 'details-npm');

    const maven = await open('com/acme/api-client', '2.5.0');
    const m = maven.metadata!;
    expect(await code()).toContain(`mvn dependency:get -Dartifact=${m.appGroup}:${m.appName}:${m.appVersion}`);
    expect(await code()).toContain(`maven("${maven.mavenUrl}")`);
    const metadata = page.locator('dl.metadata');
    await expect.poll(() => metadata.innerText()).toContain(m.appGroup!);
    expect(await metadata.innerText()).toContain(m.appName!);
    const checksums = await page.locator('dl.checksums').first().innerText();
    expect(checksums).toMatch(/SHA-256/);
    await shot(page, 'details-maven');

    const nuget = await open('Acme.Api.Client', '2.5.0');
    const links = nuget.dependencyLinks.nodes;
    expect(links.length).toBeGreaterThan(0);
    await page.getByRole('heading', { name: `Dependencies (${links.length})` }).waitFor();
    const rows = await page.locator('table.dependencies tbody tr').allInnerTexts();
    links.forEach((link, i) => {
      expect(rows[i]).toContain(link.dependency.name);
      expect(rows[i]).toContain(link.dependency.versionPattern);
      if (link.metadata?.targetFramework) expect(rows[i]).toContain(link.metadata.targetFramework);
    });
    await shot(page, 'details-nuget');

    // One errored package in the project: GitLab's alert names it with its status message.
    const errored = await db.prisma.package.findFirstOrThrow({ where: { status: 'error', project: { fullPath: 'acme/platform/api' } } });
    await page.goto(`${url}/acme/platform/api/-/packages`);
    const alert = page.getByRole('alert').filter({ hasText: `There was an error publishing ${errored.name}` });
    await alert.waitFor();
    expect(await alert.innerText()).toContain(`${errored.statusMessage || 'Invalid Package: failed metadata extraction'}. Delete this package and try again.`);
    await alert.getByRole('button', { name: 'Delete this package' }).waitFor();
    expect(await page.locator('table.packages svg.type-icon').count()).toBeGreaterThan(0);
    await context.close();
  });

  it('axe-core finds no serious or critical violation on any page', { timeout: 180_000 }, async () => {
    const { context, page } = await newPage({ bypassCSP: true });
    await signIn(page, root, 'root');
    const bundle = await db.prisma.package.findFirstOrThrow({ where: { name: 'bundle' } });
    const maven = await db.prisma.package.findFirstOrThrow({ where: { name: 'com/acme/api-client', version: '2.5.0' } });
    const pages = [
      '/', '/?search=acme', '/users/sign_in', '/groups/acme/-/packages', '/acme/website/-/packages', '/acme/website/-/packages?tab=deleted',
      `/acme/website/-/packages/${bundle.id}`, '/acme/platform/api/-/packages', `/acme/platform/api/-/packages/${maven.id}`,
    ];
    for (const target of pages) {
      await page.goto(`${url}${target}`);
      await page
        .locator('main h1')
        .first()
        .waitFor({ timeout: 60_000 })
        .catch((error: unknown) => {
          throw new Error(`${target}: no heading (${String(error)})`);
        });
      // The live-events stream keeps the network busy: wait for the page's data instead.
      await page.getByText('Loading…').waitFor({ state: 'detached', timeout: 60_000 });
      await shot(page, target === '/' ? 'home' : target.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, ''));
      await page.addScriptTag({ content: axeSource });
      const violations = await page.evaluate(async () => {
        const result = await (window as unknown as { axe: { run(): Promise<{ violations: { id: string; impact: string }[] }> } }).axe.run();
        return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id);
      });
      expect(violations, target).toEqual([]);
    }
    await context.close();
  });

  it('no page asked for anything from another origin', () => {
    expect(blocked).toEqual([]);
  });
});
