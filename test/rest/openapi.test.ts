// The REST shim's OpenAPI document (generated from the route table) and its Swagger UI page: a valid
// OpenAPI 3.1 document listing every row, its parameters, entities and errors as the gateway really
// answers them; the entity schemas checked against the builders; the page served offline.
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import packageJson from '../../package.json' with { type: 'json' };
import { apiDocument } from '../../src/rest/docs.ts';
import {
  packageEntity,
  packageFileEntity,
  pipelineEntity,
  userEntity,
  versionEntity,
  type PackageData,
  type PackageFileData,
  type PipelineData,
  type UserData,
  type VersionData,
} from '../../src/rest/entities.ts';
import { errors, type RestError } from '../../src/rest/errors.ts';
import { openApiDocument, openApiPath, type Json, type OpenApiDocument } from '../../src/rest/openapi.ts';
import { param, paginationParams, type ParamSpec } from '../../src/rest/params.ts';
import { routes, type Route } from '../../src/rest/routes.ts';
import { base, rest } from './support.ts';
import { openWorld, tokens, type World } from './world.ts';

let world: World;
beforeAll(async () => {
  world = await openWorld();
});
afterAll(() => world.db.close());

const get = (path: string, headers: Record<string, string> = {}, method = 'GET') =>
  world.app.fetch(new Request(`${base}${path}`, { method, headers }));

async function expectValid(doc: Json) {
  const result = await new Validator().validate(doc);
  if (!result.valid) console.error(JSON.stringify(result.errors, null, 2));
  expect(result.valid).toBe(true);
}

type Operation = { summary: string; parameters: Json[]; responses: Record<string, Json> };
const operations = (doc: OpenApiDocument) =>
  Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, op: op as unknown as Operation })),
  );
const operationOf = (doc: OpenApiDocument, row: Route<unknown>) => doc.paths[openApiPath(row.path)]![row.method.toLowerCase()] as unknown as Operation;

type Example = { value: Record<string, string> };
/** A response's examples by name. */
const examplesOf = (response: Json | undefined): Record<string, Example> =>
  ((response?.content as Record<string, { examples: Record<string, Example> }> | undefined)?.['application/json']?.examples) ?? {};
const allExamples = (op: Operation) => Object.entries(op.responses).flatMap(([status, r]) => Object.entries(examplesOf(r)).map(([name, e]) => ({ status: Number(status), name, body: e.value })));

describe('the OpenAPI document', () => {
  it('is served at /api/v4/openapi.json, anonymously and with a valid token, as JSON; an invalid token is 401', async () => {
    const anonymous = await get('/api/v4/openapi.json');
    expect(anonymous.status).toBe(200);
    expect(anonymous.headers.get('content-type')).toBe('application/json');
    expect(await anonymous.json()).toEqual(apiDocument);
    const withToken = await get('/api/v4/openapi.json', { 'PRIVATE-TOKEN': tokens.dev });
    expect(withToken.status).toBe(200);
    for (const bad of [tokens.unknown, tokens.expired, tokens.revoked, tokens.blocked]) {
      const refused = await get('/api/v4/openapi.json', { 'PRIVATE-TOKEN': bad });
      expect(refused.status).toBe(401);
      expect(await refused.json()).toEqual({ message: '401 Unauthorized' });
    }
    expect((await get('/api/v4/openapi.json?private_token=nope')).status).toBe(401);
    expect((await get('/api/v4/openapi.json', { Authorization: 'Bearer nope' })).status).toBe(401);
    const head = await get('/api/v4/openapi.json', {}, 'HEAD');
    expect([head.status, await head.text()]).toEqual([200, '']);
    expect((await get('/api/v4/openapi.json', {}, 'POST')).status).toBe(404);
  });

  it('validates as OpenAPI 3.1', async () => {
    expect(apiDocument.openapi).toBe('3.1.0');
    await expectValid(apiDocument);
  });

  it('has the package version, one relative server, and the three ways to send a token', () => {
    expect(apiDocument.info.version).toBe(packageJson.version);
    expect(apiDocument.servers).toEqual([{ url: '/api/v4', description: expect.any(String) }]);
    expect(apiDocument.components.securitySchemes).toEqual({
      privateToken: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'PRIVATE-TOKEN' }),
      bearer: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
      privateTokenQuery: expect.objectContaining({ type: 'apiKey', in: 'query', name: 'private_token' }),
    });
    // Anonymous is allowed too.
    expect(apiDocument.security).toContainEqual({});
  });

  it("lists exactly the route table's eight endpoints, relative to the server", () => {
    const listed = operations(apiDocument).map(({ key }) => key).sort();
    expect(listed).toEqual(
      [
        'GET /projects/{id}/packages',
        'GET /groups/{id}/packages',
        'GET /projects/{id}/packages/{package_id}',
        'GET /projects/{id}/packages/{package_id}/package_files',
        'GET /projects/{id}/packages/{package_id}/pipelines',
        'DELETE /projects/{id}/packages/{package_id}',
        'DELETE /projects/{id}/packages/{package_id}/package_files/{package_file_id}',
        'POST /projects/{id}/packages/{package_id}/restore',
      ].sort(),
    );
    expect(listed).toEqual(routes.map((row) => `${row.method} ${openApiPath(row.path)}`).sort());
    for (const row of routes) expect(operationOf(apiDocument, row).summary).toBe(row.name);
  });

  it('documents every parameter of every row with its type, default and allowed values', () => {
    const types = { String: 'string', Integer: 'integer', Boolean: 'boolean' };
    for (const row of routes) {
      const parameters = operationOf(apiDocument, row).parameters as { name: string; in: string; required: boolean; schema: Json }[];
      const declared = [...new Set(row.params.map((spec) => spec.name))];
      expect(parameters.filter((p) => p.in !== 'header').map((p) => p.name).sort(), row.name).toEqual(declared.sort());
      for (const spec of row.params) {
        const documented = parameters.find((p) => p.name === spec.name)!;
        const inPath = row.path.split('/').includes(`:${spec.name}`);
        expect(documented.in, `${row.name} ${spec.name}`).toBe(inPath ? 'path' : 'query');
        expect(documented.required).toBe(inPath || Boolean(spec.required));
        expect(documented.schema.type).toBe(types[spec.type]);
        const last = row.params.filter((s) => s.name === spec.name).at(-1)!;
        expect(documented.schema.default).toEqual(last.default);
        checkValues(documented.schema, spec);
      }
    }
    // Spot checks, spelled out.
    const e1 = operationOf(apiDocument, routes[0]!).parameters;
    expect(e1).toContainEqual({ name: 'per_page', in: 'query', required: false, schema: { type: 'integer', not: { enum: [0] }, default: 20 } });
    expect(e1).toContainEqual({
      name: 'order_by',
      in: 'query',
      required: false,
      schema: { type: 'string', enum: ['created_at', 'name', 'version', 'type'], default: 'created_at' },
    });
    const e5 = operationOf(apiDocument, routes.find((row) => row.pagination === 'keyset')!).parameters;
    // per_page is declared twice on E5 (Grape checks both): one parameter with both constraints.
    expect(e5.filter((p) => p.name === 'per_page')).toEqual([
      { name: 'per_page', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 20, not: { enum: [0] }, default: 20 } },
    ]);
  });

  it('documents the success: an entity, an array of them with pagination headers, or 204', () => {
    const offset = ['X-Page', 'X-Per-Page', 'X-Total', 'X-Total-Pages', 'X-Next-Page', 'X-Prev-Page', 'Link'].sort();
    for (const row of routes) {
      const { responses } = operationOf(apiDocument, row);
      if (row.method !== 'GET') {
        expect(responses['204'], row.name).toBeDefined();
        expect(responses['200']).toBeUndefined();
        continue;
      }
      const ok = responses['200'] as { headers?: Record<string, Json>; content: Record<string, { schema: Json }> };
      const entity = { $ref: `#/components/schemas/${row.entity}` };
      expect(ok.content['application/json']!.schema, row.name).toEqual(row.pagination === 'none' ? entity : { type: 'array', items: entity });
      const headers = Object.keys(ok.headers ?? {}).sort();
      expect(headers, row.name).toEqual(row.pagination === 'offset' ? offset : row.pagination === 'keyset' ? ['Link'] : []);
    }
  });

  it('documents the errors each row answers, with bodies from the error constructors', () => {
    const summary = Object.fromEntries(
      routes.map((row) => [row.name, Object.fromEntries(Object.entries(operationOf(apiDocument, row).responses).map(([s, r]) => [s, Object.keys(examplesOf(r))]))]),
    );
    expect(summary['E1 list project packages']).toMatchObject({
      '400': expect.arrayContaining(['invalid_page', 'invalid_per_page', 'invalid_order_by', 'invalid_sort', 'invalid_package_type']),
      '401': ['unauthorized'],
      '403': ['forbidden'],
      '404': ['projectNotFound'],
    });
    expect(summary['E2 list group packages']).toMatchObject({ '401': ['unauthorized'], '404': ['groupNotFound'] });
    expect(summary['E2 list group packages']).not.toHaveProperty('403');
    expect(summary['E5 list package pipelines']!['400']).toContain('invalid_cursor');
    for (const name of ['E6 delete a project package', 'E7 delete a package file']) {
      expect(summary[name]).toMatchObject({
        '204': [],
        '400': expect.arrayContaining(['invalid_package_id']),
        '401': ['unauthorized'],
        '403': ['insufficientScope', 'forbidden', 'deletionProtected'],
        '404': expect.arrayContaining(['projectNotFound', 'recordNotFound']),
        '412': ['preconditionFailed'],
      });
    }
    expect(summary['E8 restore a deleted package']).toEqual({
      '204': [],
      '400': expect.arrayContaining(['invalid_package_id', 'cleanedUp']),
      '401': ['unauthorized'],
      '403': ['insufficientScope', 'forbidden', 'deletionProtected'],
      '404': ['projectNotFound', 'recordNotFound'],
      '409': ['exists'],
    });
    const e8 = operationOf(apiDocument, routes.find((row) => row.name.startsWith('E8'))!);
    expect(examplesOf(e8.responses['400']).cleanedUp!.value).toEqual({ message: '400 Bad request - Package has been cleaned up and can no longer be restored.' });
    const e7 = operationOf(apiDocument, routes.find((row) => row.name.startsWith('E7'))!);
    expect(examplesOf(e7.responses['403']).insufficientScope!.value).toEqual(errors.insufficientScope().body);
    expect(examplesOf(e7.responses['403']).deletionProtected!.value).toEqual({ message: '403 Forbidden - Package is deletion protected.' });
    expect(e7.parameters).toContainEqual(expect.objectContaining({ name: 'If-Unmodified-Since', in: 'header' }));

    // Every example is a body the constructors make, under its status.
    const made = Object.values(errors)
      .filter((make) => make.length === 0)
      .map((make) => (make as () => RestError)())
      .map(({ status, body }) => ({ status, body }));
    for (const row of routes) {
      for (const { status, name, body } of allExamples(operationOf(apiDocument, row))) {
        // The restore's refusals (cleanedUp, exists) and deletion protection have texts of their own.
        if (['deletionProtected', 'cleanedUp', 'exists'].includes(name)) continue;
        if (status === 400) expect(body, `${row.name} ${name}`).toEqual({ error: expect.stringMatching(/^\w+ (is invalid|is missing|has a value not allowed|does not have a valid value)$/) });
        else expect(made, `${row.name} ${name}`).toContainEqual({ status, body });
      }
    }
  });

  it('error examples are what the gateway answers', async () => {
    const answer = async (path: string, init: { token?: string; method?: string } = {}) => {
      const response = await rest(world.app, path, { token: tokens.root, ...init });
      return { status: response.status, body: response.body };
    };
    const example = (row: Route<unknown>, status: number, name: string) => ({
      status,
      body: examplesOf(operationOf(apiDocument, row).responses[String(status)])[name]?.value,
    });
    const [e1, e2, e3, , e5, e6, e7] = routes as [Route<unknown>, ...Route<unknown>[]];
    expect(await answer('/projects/40/packages', { token: tokens.unknown })).toEqual(example(e1, 401, 'unauthorized'));
    expect(await answer('/projects/999999/packages')).toEqual(example(e1, 404, 'projectNotFound'));
    expect(await answer('/projects/40/packages', { token: tokens.outsider })).toEqual(example(e1, 404, 'projectNotFound'));
    expect(await answer('/groups/999999/packages')).toEqual(example(e2!, 404, 'groupNotFound'));
    expect(await answer('/projects/40/packages/999999')).toEqual(example(e3!, 404, 'recordNotFound'));
    expect(await answer('/projects/40/packages/1001/pipelines?cursor=!')).toEqual(example(e5!, 400, 'invalid_cursor'));
    expect(await answer('/projects/40/packages/1001', { token: tokens.reader, method: 'DELETE' })).toEqual(example(e6!, 403, 'insufficientScope'));
    expect(await answer('/projects/40/packages/1001/package_files/999999', { method: 'DELETE' })).toEqual(example(e7!, 404, 'notFound'));

    // Every 400 example of a GET row: send the value the parameter refuses.
    const place = { project: { id: '40', package_id: '1001' }, group: { id: '22' } };
    for (const row of routes.filter((r) => r.method === 'GET')) {
      const op = operationOf(apiDocument, row);
      for (const parameter of op.parameters as { name: string; in: string; schema: Json }[]) {
        const documented = examplesOf(op.responses['400'])[`invalid_${parameter.name}`];
        if (!documented) continue;
        const bad = refusedBy(parameter.schema);
        const values: Record<string, string> = { ...place[row.scope], [parameter.name]: bad };
        const path = row.path.replace(/:(\w+)/g, (_, name: string) => values[name]!);
        const query = parameter.in === 'query' ? `?${parameter.name}=${encodeURIComponent(bad)}` : '';
        expect(await answer(path + query), `${row.name} ${parameter.name}=${bad}`).toEqual({ status: 400, body: documented.value });
      }
    }
  });

  it('real answers of every GET row fit its documented schema', async () => {
    const place = { project: { id: '40', package_id: '1001' }, group: { id: '22' } };
    for (const row of routes.filter((r) => r.method === 'GET')) {
      const values: Record<string, string> = place[row.scope];
      const response = await rest(world.app, row.path.replace(/:(\w+)/g, (_, name: string) => values[name]!) + (row.pagination === 'offset' ? '?per_page=100' : ''), { token: tokens.root });
      expect(response.status, row.name).toBe(200);
      const schema = (operationOf(apiDocument, row).responses['200'] as { content: Record<string, { schema: Json }> }).content['application/json']!.schema;
      if (row.pagination !== 'none') expect((response.body as unknown[]).length, `${row.name} has items to check`).toBeGreaterThan(0);
      fits(response.body, schema, 'fit', row.name);
    }
  });
});

describe('the entity schemas', () => {
  // Entities built with every condition on ('all': every documented key, in order) and every
  // condition off ('least': exactly the required keys).
  const ctx = { baseUrl: 'http://gw.test' };
  const user: UserData = { id: 'gid://gitlab/User/1', username: 'u', publicEmail: 'u@x.test', name: 'U', state: 'active', avatarUrl: '/a.png', webUrl: 'http://gw.test/u' };
  const pipeline = (withUser: boolean): PipelineData => ({
    id: 'gid://gitlab/Ci::Pipeline/7',
    iid: '3',
    project: withUser ? { id: 'gid://gitlab/Project/40' } : null,
    sha: 'abc',
    ref: withUser ? 'main' : null,
    status: 'SUCCESS',
    source: withUser ? 'push' : null,
    createdAt: '2024-01-01T00:00:00.000Z',
    updatedAt: '2024-01-01T00:00:00.000Z',
    path: withUser ? '/p/-/pipelines/7' : null,
    user: withUser ? user : null,
  });
  const tags = { nodes: [{ id: 'gid://gitlab/Packages::Tag/5', name: 'latest', createdAt: '2024-01-01T00:00:00.000Z', updatedAt: '2024-01-01T00:00:00.000Z' }] };
  const version = (all: boolean): VersionData => ({
    id: 'gid://gitlab/Packages::Package/2',
    version: all ? '0.9' : null,
    createdAt: '2024-01-01T00:00:00.000Z',
    tags: all ? tags : { nodes: [] },
    lastBuildInfo: all ? { pipeline: pipeline(true) } : null,
  });
  const pkg = (all: boolean): PackageData => ({
    id: 'gid://gitlab/Packages::Package/1',
    name: 'zlib',
    version: all ? '1.3' : null,
    packageType: all ? 'CONAN' : 'NPM',
    status: 'DEFAULT',
    metadata: all ? { recipe: 'zlib/1.3@acme/stable' } : null,
    _links: { webPath: all ? '/p/-/packages/1' : null },
    userPermissions: { destroyPackage: all },
    project: { id: 'gid://gitlab/Project/40', fullPath: 'acme/p', userPermissions: { readProject: all, readPipeline: all } },
    createdAt: '2024-01-01T00:00:00.000Z',
    lastDownloadedAt: all ? '2024-01-02T00:00:00.000Z' : null,
    creator: all ? { id: 'gid://gitlab/User/1' } : null,
    tags: all ? tags : { nodes: [] },
    lastBuildInfo: all ? { pipeline: pipeline(true) } : null,
    hasPipelines: all,
  });
  const file = (all: boolean): PackageFileData => ({
    id: 'gid://gitlab/Packages::PackageFile/9',
    fileName: 'a.tgz',
    size: '12',
    fileMd5: all ? 'm' : null,
    fileSha1: all ? 's1' : null,
    fileSha256: all ? 's2' : null,
    createdAt: '2024-01-01T00:00:00.000Z',
    pipelines: all ? [pipeline(true)] : [],
  });
  const built = (all: boolean) => ({
    UserBasic: userEntity(user, ctx),
    Pipeline: pipelineEntity(pipeline(all), ctx),
    PackageVersion: versionEntity(version(all), 40, ctx),
    Package: packageEntity(pkg(all), ctx),
    GroupPackage: packageEntity(pkg(all), ctx, { group: true }),
    PackageDetail: packageEntity(pkg(all), ctx, { versions: [version(all)] }),
    PackageFile: packageFileEntity(file(all), 1, ctx),
  });

  it.each(['all', 'least'] as const)('document exactly the keys the builders make (%s conditions)', (mode) => {
    for (const [name, value] of Object.entries(built(mode === 'all'))) {
      fits(value, { $ref: `#/components/schemas/${name}` }, mode, name);
    }
    // Nested entities (tags, links, users, versions) are checked on the way; make sure they were there.
    const all = built(true);
    expect(all.Package.tags).toHaveLength(1);
    expect(Object.keys(all.Package._links)).toHaveLength(2);
    expect(all.PackageDetail.versions).toHaveLength(1);
  });

  it('a documented key the builders never make is caught', () => {
    const doc = structuredClone(apiDocument);
    (doc.components.schemas.UserBasic!.properties as Json).nickname = { type: 'string' };
    expect(() => fits(userEntity(user, ctx), { $ref: '#/components/schemas/UserBasic' }, 'all', 'UserBasic', doc)).toThrow();
  });
});

describe('a new row documents itself', () => {
  const rows: Route<unknown>[] = [
    {
      name: 'E8 list package tags',
      method: 'GET',
      path: '/projects/:id/packages/:package_id/tags',
      scope: 'project',
      pagination: 'offset',
      params: [
        param.string('id', { required: true }),
        param.integer('package_id', { required: true }),
        ...paginationParams,
        param.string('order_by', { values: ['name', 'created_at'], default: 'name' }),
        param.integer('limit', { required: true, values: { min: 1, max: 5 } }),
        param.string('kind', { exceptValues: ['internal'] }),
      ],
      operation: '{ __typename }',
      variables: () => ({}),
      entity: 'Tag',
      throws: { recordNotFound: errors.recordNotFound },
      respond: () => ({ kind: 'noContent' }),
    },
    {
      name: 'E9 forget a group',
      method: 'DELETE',
      path: '/groups/:id',
      scope: 'group',
      pagination: 'none',
      params: [param.string('id', { required: true })],
      operation: 'mutation { __typename }',
      variables: () => ({}),
      respond: () => ({ kind: 'noContent' }),
    },
  ];
  const doc = openApiDocument(rows, { version: '9.9.9', serverUrl: '/api/v4' });

  it('is a valid document of just those rows', async () => {
    await expectValid(doc);
    expect(doc.info.version).toBe('9.9.9');
    expect(operations(doc).map(({ key }) => key)).toEqual(['GET /projects/{id}/packages/{package_id}/tags', 'DELETE /groups/{id}']);
    expect(Object.keys(doc.components.schemas).filter((name) => !name.endsWith('Error'))).toEqual(['Tag']);
  });

  it('with its parameters, entity, headers and errors', () => {
    const list = operationOf(doc, rows[0]!);
    expect(list.summary).toBe('E8 list package tags');
    expect(list.parameters).toContainEqual({ name: 'limit', in: 'query', required: true, schema: { type: 'integer', minimum: 1, maximum: 5 } });
    expect(list.parameters).toContainEqual({ name: 'kind', in: 'query', required: false, schema: { type: 'string', not: { enum: ['internal'] } } });
    expect(list.parameters).toContainEqual(expect.objectContaining({ name: 'package_id', in: 'path', required: true, schema: { type: 'integer' } }));
    const ok = list.responses['200'] as { headers: Record<string, { example: string }>; content: Json };
    expect(ok.content).toEqual({ 'application/json': { schema: { type: 'array', items: { $ref: '#/components/schemas/Tag' } } } });
    expect(ok.headers.Link!.example).toContain('/api/v4/projects/1/packages/1/tags?');
    expect(ok.headers.Link!.example).toContain('limit=1');
    expect(Object.fromEntries(Object.entries(examplesOf(list.responses['400'])).map(([k, v]) => [k, v.value]))).toEqual({
      invalid_package_id: { error: 'package_id is invalid' },
      invalid_page: { error: 'page is invalid' },
      invalid_per_page: { error: 'per_page has a value not allowed' },
      invalid_order_by: { error: 'order_by does not have a valid value' },
      invalid_limit: { error: 'limit does not have a valid value' },
      invalid_kind: { error: 'kind has a value not allowed' },
    });
    expect(Object.keys(examplesOf(list.responses['404']))).toEqual(['projectNotFound', 'recordNotFound']);

    const forget = operationOf(doc, rows[1]!);
    expect(Object.keys(forget.responses)).toEqual(['204', '401', '403', '404']);
    expect(examplesOf(forget.responses['403']).insufficientScope!.value).toEqual(errors.insufficientScope().body);
    expect(examplesOf(forget.responses['404']).groupNotFound!.value).toEqual({ message: '404 Group Not Found' });
  });
});

describe('the API reference page', () => {
  it('is Swagger UI from same-origin assets, on this gateway\'s document', async () => {
    const page = await get('/api/v4/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await page.text();
    expect(html).toMatch(/<title>[^<]+<\/title>/);
    expect(html).not.toMatch(/https?:/);
    const urls = [...html.matchAll(/(?:src|href)="([^"]*)"/g)].map((m) => m[1]!);
    expect(urls.length).toBeGreaterThanOrEqual(4);
    const types: Record<string, RegExp> = { css: /^text\/css/, js: /^text\/javascript/, png: /^image\/png$/ };
    let initializer = '';
    for (const url of urls) {
      expect(url, url).toMatch(/^\/api\/v4\/docs\/assets\/[\w.-]+$/);
      const asset = await get(url);
      expect(asset.status, url).toBe(200);
      expect(asset.headers.get('content-type'), url).toMatch(types[url.split('.').at(-1)!]!);
      const body = await asset.text();
      expect(body.length, url).toBeGreaterThan(0);
      if (url.endsWith('/initializer.js')) initializer = body;
    }
    expect(urls).toContain('/api/v4/docs/assets/swagger-ui-bundle.js');
    // Our initializer, not swagger-ui-dist's (the petstore): this gateway's document, no online validator.
    expect(initializer).toContain('"/api/v4/openapi.json"');
    expect(initializer).toContain('validatorUrl: null');
    expect(initializer).not.toMatch(/https?:|petstore/);
  });

  it('anonymous is fine, an invalid token is 401 as everywhere under /api/v4', async () => {
    expect((await get('/api/v4/docs', { 'PRIVATE-TOKEN': tokens.dev })).status).toBe(200);
    expect((await get('/api/v4/docs', { 'PRIVATE-TOKEN': tokens.unknown })).status).toBe(401);
    expect((await get('/api/v4/docs/assets/swagger-ui.css', { 'PRIVATE-TOKEN': tokens.revoked })).status).toBe(401);
  });

  it.each([
    '/api/v4/docs/assets/..%2F..%2F..%2Fpackage.json',
    '/api/v4/docs/assets/%2e%2e%2f%2e%2e%2f%2e%2e%2fpackage.json',
    '/api/v4/docs/assets/..%5C..%5Cpackage.json',
    '/api/v4/docs/assets/../../../../package.json',
    '/api/v4/docs/assets/%2Fetc%2Fpasswd',
    '/api/v4/docs/assets/swagger-initializer.js',
    '/api/v4/docs/assets/index.html',
    '/api/v4/docs/assets/package.json',
    '/api/v4/docs/assets/constructor',
    '/api/v4/docs/assets/__proto__',
    '/api/v4/docs/assets/',
    '/api/v4/docs/assets/swagger-ui.css/x',
  ])('%s is 404', async (path) => {
    const response = await get(path);
    expect(response.status).toBe(404);
    expect(await response.text()).not.toContain('"name"');
  });
});

// ---------------------------------------------------------------------------------------------

/** A value a documented parameter refuses (as a request would send it). */
function refusedBy(schema: Json): string {
  if (Array.isArray(schema.enum)) return `not-${String(schema.enum[0])}`;
  if (typeof schema.maximum === 'number') return String(schema.maximum + 1);
  if (schema.not) return String((schema.not as { enum: unknown[] }).enum[0]);
  return 'x';
}

/** Whether a documented parameter's allowed values are the declaration's. */
function checkValues(schema: Json, spec: ParamSpec) {
  if (spec.values && !('min' in spec.values)) expect(schema.enum).toEqual([...spec.values]);
  if (spec.values && 'min' in spec.values) expect([schema.minimum, schema.maximum]).toEqual([spec.values.min, spec.values.max]);
  if (spec.exceptValues) expect((schema.not as { enum: unknown[] }).enum).toEqual(expect.arrayContaining([...spec.exceptValues]));
  if (!spec.values && !spec.exceptValues && spec.type === 'String') expect(schema).not.toHaveProperty('enum');
}

/**
 * Checks a JSON value against a schema of the document, recursively: with 'all', objects have exactly
 * the documented keys in the documented order; with 'least', exactly the required ones; with 'fit',
 * every required key and no undocumented one. Types and nulls are checked throughout.
 */
function fits(value: unknown, schema: Json, mode: 'all' | 'least' | 'fit', at: string, doc: OpenApiDocument = apiDocument): void {
  if (typeof schema.$ref === 'string') {
    const name = schema.$ref.replace('#/components/schemas/', '');
    return fits(value, doc.components.schemas[name]!, mode, at, doc);
  }
  if (Array.isArray(schema.oneOf)) {
    const options = schema.oneOf as Json[];
    const chosen = value === null ? options.find((o) => o.type === 'null') : options.find((o) => o.type !== 'null');
    expect(chosen, `${at}: ${JSON.stringify(value)} fits no option`).toBeDefined();
    return fits(value, chosen!, mode, at, doc);
  }
  const types = ([] as unknown[]).concat(schema.type);
  if (value === null) {
    expect(types, `${at} is null`).toContain('null');
    return;
  }
  if (Array.isArray(value)) {
    expect(types, at).toContain('array');
    value.forEach((item, i) => fits(item, schema.items as Json, mode, `${at}[${i}]`, doc));
    return;
  }
  if (typeof value === 'object') {
    expect(types, at).toContain('object');
    const keys = Object.keys(value as object);
    const documented = Object.keys(schema.properties as Json);
    const required = (schema.required as string[] | undefined) ?? [];
    if (mode === 'all') expect(keys, at).toEqual(documented);
    else if (mode === 'least') expect(keys, at).toEqual(required);
    else {
      expect(documented, `${at}: undocumented keys`).toEqual(expect.arrayContaining(keys));
      expect(keys, `${at}: missing required keys`).toEqual(expect.arrayContaining(required));
    }
    for (const key of keys) fits((value as Json)[key], (schema.properties as Record<string, Json>)[key]!, mode, `${at}.${key}`, doc);
    return;
  }
  if (typeof value === 'number') expect(types, `${at} = ${value}`).toContain(Number.isInteger(value) ? 'integer' : 'number');
  else expect(types, `${at} = ${String(value)}`).toContain(typeof value);
  if (schema.format === 'date-time') expect(Number.isNaN(Date.parse(value as string)), `${at} is a time`).toBe(false);
}
