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

/** project -> group -> parent -> ... -> id: a query `depth` fields deep (the leaf counts). */
function deepQuery(depth: number): string {
  let inner = 'id';
  for (let i = 0; i < depth - 3; i++) inner = `parent { ${inner} }`;
  return `{ project(fullPath: "pub/app") { group { ${inner} } } }`;
}

describe('limits', () => {
  it('depth: 15 for anonymous viewers, 20 for signed-in ones', async () => {
    expect((await graphql(app, deepQuery(limits.anonymousDepth))).errors).toBeUndefined();
    const tooDeep = await graphql(app, deepQuery(limits.anonymousDepth + 1));
    expect([200, 400]).toContain(tooDeep.status);
    expect(tooDeep.errors?.[0]?.message).toMatch(/depth/i);
    expect((await graphql(app, deepQuery(limits.anonymousDepth + 1), undefined, worldToken('dev'))).errors).toBeUndefined();
    const tooDeepSignedIn = await graphql(app, deepQuery(limits.signedInDepth + 1), undefined, worldToken('dev'));
    expect(tooDeepSignedIn.errors?.[0]?.message).toMatch(/depth/i);
  });

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
