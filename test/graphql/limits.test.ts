// Abusive queries get a clear GraphQL error and a 4xx/200 status, never a 500.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { limits } from '../../src/graphql/limits.ts';
import type { App } from '../../src/server.ts';
import type { TestDatabase } from '../support/database.ts';
import { graphql, openWorld, worldToken } from '../support/graphql.ts';

let db: TestDatabase;
let app: App;
beforeAll(async () => ({ db, app } = await openWorld()));
afterAll(() => db.close());

/**
 * `group -> parent -> … -> id`, `depth` levels counting the root field and the leaf, written three
 * ways: plain fields, every level through a named fragment, and every level in an inline fragment.
 * Fragments add no level of their own.
 */
function deepQuery(depth: number, shape: 'fields' | 'named fragments' | 'inline fragments'): string {
  const parents = depth - 2;
  if (shape === 'named fragments') {
    const fragments = Array.from({ length: parents }, (_, i) =>
      `fragment P${i} on Group { parent { ${i + 1 < parents ? `...P${i + 1}` : 'id'} } }`,
    );
    return `{ group(fullPath: "pub") { ...P0 } } ${fragments.join(' ')}`;
  }
  let inner = 'id';
  for (let i = 0; i < parents; i++) inner = shape === 'fields' ? `parent { ${inner} }` : `... on Group { parent { ${inner} } }`;
  return `{ group(fullPath: "pub") { ${inner} } }`;
}

const depthError = (depth: number, limit: number) => `Query has depth of ${depth}, which exceeds max depth of ${limit}`;

describe('depth (GitLab: 15 anonymous, 20 signed in; the root field is level 1)', () => {
  for (const shape of ['fields', 'named fragments', 'inline fragments'] as const) {
    it(`counts ${shape} at the boundaries`, async () => {
      const dev = worldToken('dev');
      const at = (depth: number, token?: string) => graphql(app, deepQuery(depth, shape), undefined, token);
      expect((await at(limits.anonymousDepth)).errors).toBeUndefined();
      const anonymous = await at(limits.anonymousDepth + 1);
      expect(anonymous.status).toBe(200);
      expect(anonymous.data).toBeUndefined();
      expect(anonymous.errors?.map((e) => e.message)).toEqual([depthError(limits.anonymousDepth + 1, limits.anonymousDepth)]);
      expect((await at(limits.signedInDepth, dev)).errors).toBeUndefined();
      const signedIn = await at(limits.signedInDepth + 1, dev);
      expect(signedIn.data).toBeUndefined();
      expect(signedIn.errors?.map((e) => e.message)).toEqual([depthError(limits.signedInDepth + 1, limits.signedInDepth)]);
    });
  }

  it('holds for an anonymous caller after a signed-in one ran the same document (no cached pass)', async () => {
    const query = deepQuery(18, 'fields');
    expect((await graphql(app, query, undefined, worldToken('dev'))).errors).toBeUndefined();
    const anonymous = await graphql(app, query);
    expect(anonymous.data).toBeUndefined();
    expect(anonymous.errors?.map((e) => e.message)).toEqual([depthError(18, limits.anonymousDepth)]);
  });

  it('does not count introspection, so GraphiQL can load the schema anonymously', async () => {
    const { getIntrospectionQuery } = await import('graphql');
    const introspection = await graphql(app, getIntrospectionQuery());
    expect(introspection.errors).toBeUndefined();
  });
});

describe('limits', () => {
  it('aliases, tokens and cost are bounded', async () => {
    const aliases = Array.from({ length: limits.maxAliases + 1 }, (_, i) => `a${i}: currentUser { id }`).join(' ');
    const manyAliases = await graphql(app, `{ ${aliases} }`);
    expect([200, 400]).toContain(manyAliases.status);
    expect(manyAliases.errors?.[0]?.message).toMatch(/alias/i);

    const huge = `{ ${Array.from({ length: limits.maxTokens }, () => '__typename').join(' ')} }`;
    const manyTokens = await graphql(app, huge);
    expect([200, 400]).toContain(manyTokens.status);
    expect(manyTokens.errors?.[0]?.message).toMatch(/token/i);

    const fan = Array.from({ length: 25 }, (_, i) => `p${i}: project(fullPath: "pub/app") { packages(first: 100) { nodes { tags { nodes { name } } pipelines { nodes { user { name } } } } } }`).join(' ');
    const costly = await graphql(app, `{ ${fan} }`);
    expect([200, 400]).toContain(costly.status);
    expect(costly.errors?.[0]?.message).toMatch(/cost/i);
  });

  it('an over-large page is capped, not an error', async () => {
    const body = await graphql<{ project: { packages: { nodes: unknown[] } } }, undefined>(
      app,
      '{ project(fullPath: "pub/app") { packages(first: 1000) { nodes { id } } } }',
    );
    expect(body.errors).toBeUndefined();
    expect(body.data!.project.packages.nodes.length).toBeLessThanOrEqual(100);
  });

  it('a syntax error or an unknown field is an error with a message (200, as GraphQL over HTTP allows for JSON), not a 500', async () => {
    const syntax = await graphql(app, '{ project(');
    expect(syntax.status).toBe(200);
    expect(syntax.errors?.[0]?.message).toMatch(/Syntax Error/);
    const unknown = await graphql(app, '{ nope }');
    expect(unknown.status).toBe(200);
    expect(unknown.errors?.[0]?.message).toMatch(/^Cannot query field "nope" on type "Query"/);
  });
});

describe('request size (before anything is parsed or run)', () => {
  const post = (body: BodyInit, headers: Record<string, string> = {}) =>
    app.fetch(new Request('http://gw.test/api/graphql', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body }));

  it('a body over the limit is 413 with a JSON error, with or without Content-Length', async () => {
    const comment = `#${'x'.repeat(1024 * 1024)}\n`;
    const body = JSON.stringify({ query: `{ __typename }\n${comment}` });
    const declared = await post(body);
    expect(declared.status).toBe(413);
    expect(await declared.json()).toEqual({ errors: [{ message: `Request body too large: the limit is ${limits.maxRequestBytes} bytes` }] });

    const encoder = new TextEncoder();
    const chunked = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < body.length; i += 65_536) controller.enqueue(encoder.encode(body.slice(i, i + 65_536)));
        controller.close();
      },
    });
    const streamed = await app.fetch(
      new Request('http://gw.test/api/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: chunked, duplex: 'half' } as RequestInit),
    );
    expect(streamed.status).toBe(413);
  });

  it('oversized variables are 413', async () => {
    const response = await post(JSON.stringify({ query: 'query($n: String) { __typename }', variables: { n: 'v'.repeat(limits.maxRequestBytes) } }));
    expect(response.status).toBe(413);
  });

  it('a document over its own limit is refused before parsing: one error, nothing run', async () => {
    const query = `{ currentUser { username } }\n#${'x'.repeat(limits.maxDocumentBytes)}\n`;
    const response = await post(JSON.stringify({ query }), { 'PRIVATE-TOKEN': worldToken('dev') });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.data).toBeUndefined();
    expect(body.errors).toEqual([{ message: `Query too large: ${Buffer.byteLength(query)} bytes, the limit is ${limits.maxDocumentBytes} bytes` }]);
  });

  it('a "query" that is not a string gets yoga\'s own refusal, not a 500 from the size check (found by fuzzing)', async () => {
    const answers = [];
    for (const query of [null, 5, ['{ __typename }'], { a: 1 }]) {
      const response = await post(JSON.stringify({ query }));
      answers.push([response.status, (await response.json()).errors.map((e: { message: string }) => e.message)]);
    }
    expect(answers).toEqual([
      [200, ['Must provide query string.']],
      [400, ['Expected "query" param to be a string, but given number.']],
      [400, ['Expected "query" param to be a string, but given array.']],
      [400, ['Expected "query" param to be a string, but given object.']],
    ]);
  });

  it('a document just under the limits runs', async () => {
    const query = `{ __typename }\n#${'x'.repeat(limits.maxDocumentBytes - 100)}\n`;
    const body = await (await post(JSON.stringify({ query }))).json();
    expect(body).toEqual({ data: { __typename: 'Query' } });
  });
});

describe('subscriptions outside server-sent events', () => {
  const post = (body: string, headers: Record<string, string> = {}) =>
    app.fetch(new Request('http://gw.test/api/graphql', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body }));

  it("a subscription selecting a field the Subscription type lacks gets graphql-js's validation error over JSON, GET and SSE, not a 500 from the compiler (found by fuzzing)", async () => {
    const message = 'Cannot query field "currentUser" on type "Subscription".';
    const json = await post(JSON.stringify({ query: 'subscription { currentUser { id } }' }));
    expect(json.status).toBe(200);
    expect((await json.json()).errors[0].message).toBe(message);
    const get = await app.fetch(new Request(`http://gw.test/api/graphql?query=${encodeURIComponent('subscription { currentUser { id } }')}`));
    expect((await get.json()).errors[0].message).toBe(message);
    const sse = await post(JSON.stringify({ query: 'subscription S { currentUser { id } }' }), { accept: 'text/event-stream' });
    expect(sse.status).toBe(200);
    expect(await sse.text()).toContain(JSON.stringify(message).slice(1, -1));
  });
});

describe('every error answer has a JSON body', () => {
  it('415 for a text/plain POST (yoga answers it with an empty body), 405 for PUT, in GraphQL\'s error shape', async () => {
    const plain = await app.fetch(new Request('http://gw.test/api/graphql', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{ __typename }' }));
    expect(plain.status).toBe(415);
    expect(plain.headers.get('content-type')).toContain('application/json');
    expect(await plain.json()).toEqual({ errors: [{ message: '415 Unsupported Media Type' }] });
    const put = await app.fetch(new Request('http://gw.test/api/graphql', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{}' }));
    expect(put.status).toBe(405);
    expect((await put.json()).errors[0].message).toBe('GraphQL only supports GET and POST requests.');
  });
});
