// U+0000 in any string argument the package schema takes (walked from the schema): PostgreSQL's text
// cannot hold it, so it names nothing and matches nothing. The answer is the one an ordinary value
// that exists nowhere gets (null, an empty connection, the argument's own error: "is not a valid
// Global ID", "has an invalid cursor"), never INTERNAL_SERVER_ERROR.
import {
  getNamedType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCursor } from '../../src/domain/pagination.ts';
import { schema } from '../../src/graphql/schema.ts';
import type { App } from '../../src/server.ts';
import type { TestDatabase } from '../support/database.ts';
import { gid, graphql, openWorld, worldToken, type GraphQLResponse } from '../support/graphql.ts';

let db: TestDatabase;
let app: App;
beforeAll(async () => ({ db, app } = await openWorld()));
afterAll(() => db.close());

const token = worldToken('root');
const nulValues = ['\u0000', 'a\u0000b', 'pub/app\u0000', 'pub\u0000', `${gid('Packages::Package', 1)}\u0000`];
/** An ordinary value that names nothing and matches nothing in the GraphQL world. */
const nowhere = 'zz-nowhere-zz';

/** How a query reaches an object of each type that has string arguments (package 1 has versions). */
const reach: Record<string, (inner: string) => string> = {
  Query: (inner) => inner,
  Project: (inner) => `project(fullPath: "pub/app") { ${inner} }`,
  Group: (inner) => `group(fullPath: "pub") { ${inner} }`,
  PackageDetailsType: (inner) => `package(id: "${gid('Packages::Package', 1)}") { ${inner} }`,
  Package: (inner) => `project(fullPath: "pub/app") { packages(first: 1) { nodes { ${inner} } } }`,
  PackageBase: (inner) => `package(id: "${gid('Packages::Package', 1)}") { versions(first: 1) { nodes { ${inner} } } }`,
};

/** Scalars a string is written in: String, ID and the gid scalars (not Int, Float, Boolean, Time or enums). */
const stringScalars = new Set(['String', 'ID', 'PackagesPackageID', 'PackagesPackageFileID']);
const takesString = (type: GraphQLInputType) => {
  const named = getNamedType(type);
  return isScalarType(named) && stringScalars.has(named.name);
};

const rootFields = ['project', 'group', 'package', 'node', 'nodes'];
const packageFields = ['packages', 'versions', 'packageFiles', 'pipelines', 'tags', 'buildInfos'];

interface Case {
  type: string;
  field: GraphQLField<unknown, unknown>;
  arg: GraphQLArgument;
}

/** Every (type, field, string argument) the walk covers: the root lookups and the package connections. */
function walk(): Case[] {
  const cases: Case[] = [];
  const seen = new Set<string>();
  const visit = (type: GraphQLObjectType) => {
    if (seen.has(type.name)) return;
    seen.add(type.name);
    for (const field of Object.values(type.getFields())) {
      const wanted = type.name === 'Query' ? rootFields.includes(field.name) : packageFields.includes(field.name);
      if (wanted) for (const arg of field.args) if (takesString(arg.type)) cases.push({ type: type.name, field, arg });
      const target = getNamedType(field.type);
      if (isObjectType(target)) visit(target);
    }
  };
  visit(schema.getQueryType()!);
  return cases;
}

const cases = walk();

/** The selection under a field: a connection's nodes, else the typename. */
function selection(field: GraphQLField<unknown, unknown>): string {
  const type = getNamedType(field.type);
  return isObjectType(type) && type.getFields().nodes ? '{ nodes { __typename } }' : '{ __typename }';
}

/** A query giving `value` to one argument, through a variable of the argument's own type. */
async function ask({ type, field, arg }: Case, value: string): Promise<GraphQLResponse<unknown>> {
  const inner = `${field.name}(${arg.name}: $v) ${selection(field)}`;
  const variable = isListType(isNonNullType(arg.type) ? arg.type.ofType : arg.type) ? [value] : value;
  return graphql(app, `query Walk($v: ${String(arg.type)}) { ${reach[type]!(inner)} }`, { v: variable }, token);
}

/** An answer with the value's JSON spelling (echoed in messages) replaced, for comparison. */
const normalised = (response: GraphQLResponse<unknown>, value: string) =>
  JSON.parse(JSON.stringify(response).split(JSON.stringify(JSON.stringify(value)).slice(1, -1)).join('<value>'));

const internalErrors = (response: GraphQLResponse<unknown>) => (response.errors ?? []).filter((e) => e.extensions?.code === 'INTERNAL_SERVER_ERROR');

describe('every string argument of the package schema', () => {
  it('the walk reaches every root lookup and package connection, and knows how to reach each type', async () => {
    const names = cases.map((c) => `${c.type}.${c.field.name}(${c.arg.name})`);
    expect(names).toEqual(
      expect.arrayContaining([
        'Query.project(fullPath)',
        'Query.group(fullPath)',
        'Query.package(id)',
        'Query.node(id)',
        'Query.nodes(ids)',
        'Project.packages(packageName)',
        'Project.packages(packageVersion)',
        'Project.packages(after)',
        'Group.packages(packageName)',
        'PackageDetailsType.versions(after)',
        'PackageDetailsType.packageFiles(before)',
        'PackageDetailsType.pipelines(after)',
        'PackageDetailsType.tags(after)',
        'Package.tags(before)',
      ]),
    );
    for (const type of new Set(cases.map((c) => c.type))) {
      expect(Object.keys(reach)).toContain(type);
      // The path really reaches an object of that type (so the argument is really resolved).
      const body = await graphql<unknown, undefined>(app, `{ ${reach[type]!('__typename')} }`, undefined, token);
      expect([type, body.errors, JSON.stringify(body.data)]).toEqual([type, undefined, expect.stringContaining(`"__typename":"${type}"`)]);
    }
    // No other argument of these fields is required (the queries give only the one walked).
    for (const { field, arg } of cases) {
      expect(field.args.filter((a) => a !== arg && isNonNullType(a.type) && a.defaultValue === undefined)).toEqual([]);
    }
  });

  it.each(cases.map((c) => [`${c.type}.${c.field.name}(${c.arg.name}: ${String(c.arg.type)})`, c] as const))(
    '%s with U+0000 answers as a value that exists nowhere',
    async (_, walked) => {
      const baseline = await ask(walked, nowhere);
      expect(internalErrors(baseline)).toEqual([]);
      for (const value of nulValues) {
        const response = await ask(walked, value);
        expect(internalErrors(response)).toEqual([]);
        expect([value, normalised(response, value)]).toEqual([value, normalised(baseline, nowhere)]);
      }
    },
  );

  it('the answers are "nothing": null, an empty connection, or the argument\'s own error', async () => {
    for (const walked of cases) {
      const response = await ask(walked, 'a\u0000b');
      const label = `${walked.type}.${walked.field.name}(${walked.arg.name})`;
      const scalar = getNamedType(walked.arg.type).name;
      const messages = (response.errors ?? []).map((e) => e.message);
      if (walked.arg.name === 'after' || walked.arg.name === 'before') {
        expect([label, messages]).toEqual([label, [`Argument '${walked.arg.name}' has an invalid cursor`]]);
      } else if (scalar !== 'String' && scalar !== 'ID' || /^ids?$/.test(walked.arg.name)) {
        // A gid: GitLab's message (prefixed by graphql-js when the value came in a variable).
        expect([label, messages]).toEqual([label, [expect.stringMatching(/"a\\u0000b" is not a valid Global ID$/)]]);
      } else {
        expect([label, messages]).toEqual([label, []]);
        const json = JSON.stringify(response.data);
        expect([label, json]).toEqual([label, expect.stringMatching(walked.type === 'Query' ? /^\{"(project|group)":null\}$/ : /"nodes":\[\]/)]);
      }
    }
  });
});

describe('the cases reported, written inline', () => {
  const run = (query: string) => graphql<Record<string, unknown>, undefined>(app, query, undefined, token);

  it('project and group with U+0000 in fullPath are null', async () => {
    expect(await run('{ project(fullPath: "a\\u0000b") { id } }')).toEqual({ status: 200, data: { project: null } });
    expect(await run('{ project(fullPath: "pub/app\\u0000") { id } }')).toEqual({ status: 200, data: { project: null } });
    expect(await run('{ group(fullPath: "pub\\u0000") { id } }')).toEqual({ status: 200, data: { group: null } });
  });

  it('packageName and packageVersion with U+0000 match nothing', async () => {
    for (const args of ['packageName: "a\\u0000b"', 'packageName: "foo \\u0000"', 'packageName: "\\"foo\\u0000\\""', 'packageVersion: "3.1.0\\u0000"']) {
      const body = await run(`{ project(fullPath: "pub/app") { packages(${args}) { count nodes { id } } } group(fullPath: "pub") { packages(${args}) { count nodes { id } } } }`);
      const empty = { packages: { count: 0, nodes: [] } };
      expect([args, body]).toEqual([args, { status: 200, data: { project: empty, group: empty } }]);
    }
    // Without U+0000 the same filters find packages.
    const found = await run('{ project(fullPath: "pub/app") { packages(packageName: "foo", packageVersion: "3.1.0") { count } } }');
    expect(found.data).toEqual({ project: { packages: { count: 1 } } });
  });

  it('gid arguments with U+0000 are not valid Global IDs', async () => {
    const body = await run(`{ package(id: "${gid('Packages::Package', 1)}\\u0000") { id } }`);
    expect(body.errors?.map((e) => e.message)).toEqual([`"${gid('Packages::Package', 1)}\\u0000" is not a valid Global ID`]);
    const node = await run(`{ node(id: "${gid('Project', 1)}\\u0000") { id } }`);
    expect([node.data, node.errors?.map((e) => e.message)]).toEqual([{ node: null }, [`"${gid('Project', 1)}\\u0000" is not a valid Global ID`]]);
  });
});

describe('cursors carrying U+0000', () => {
  // A cursor of the right shape whose string values hold U+0000: no cursor the gateway issues does
  // (no stored text holds it), so it is an invalid cursor, whatever the ordering.
  const connections = [
    ['Project', 'packages', ['CREATED_DESC', 'NAME_ASC', 'VERSION_DESC', 'TYPE_ASC']],
    ['Group', 'packages', ['CREATED_ASC', 'NAME_DESC', 'PROJECT_PATH_ASC']],
    ['PackageDetailsType', 'packageFiles', ['ID_ASC', 'CREATED_DESC', 'FILE_NAME_ASC']],
    ['PackageDetailsType', 'versions', [null]],
    ['PackageDetailsType', 'buildInfos', [null]],
    ['PackageDetailsType', 'pipelines', [null]],
    ['PackageDetailsType', 'tags', [null]],
  ] as const;

  it.each(connections.flatMap(([type, field, sorts]) => sorts.map((sort) => [type, field, sort] as const)))(
    '%s.%s (sort %s)',
    async (type, field, sort) => {
      const sortArg = sort ? `sort: ${sort}, ` : '';
      const first = await graphql<Record<string, unknown>, undefined>(
        app,
        `{ ${reach[type]!(`${field}(${sortArg}first: 1) { pageInfo { endCursor } }`)} }`,
        undefined,
        token,
      );
      const cursor = JSON.stringify(first.data).match(/"endCursor":"([^"]+)"/)?.[1];
      expect(cursor, JSON.stringify(first)).toBeDefined();
      const length = (JSON.parse(Buffer.from(cursor!, 'base64url').toString()) as unknown[]).length;
      for (const values of [Array(length).fill('a\u0000b'), Array.from({ length }, (_, i) => (i === 0 ? '\u0000' : 1))]) {
        const bad = encodeCursor(values);
        for (const arg of ['after', 'before']) {
          const body = await graphql<Record<string, unknown>, undefined>(
            app,
            `{ ${reach[type]!(`${field}(${sortArg}${arg}: "${bad}") { nodes { __typename } }`)} }`,
            undefined,
            token,
          );
          expect([arg, body.errors?.map((e) => [e.message, e.extensions?.code])]).toEqual([
            arg,
            [[`Argument '${arg}' has an invalid cursor`, 'BAD_USER_INPUT']],
          ]);
        }
      }
    },
  );
});

describe('mutations finding a project by path', () => {
  it('destroyPackageFiles with U+0000 in projectPath refuses as for a project that does not exist', async () => {
    const mutation = (path: string) =>
      graphql<unknown, { path: string }>(
        app,
        `mutation($path: ID!) { destroyPackageFiles(input: { projectPath: $path, ids: ["${gid('Packages::PackageFile', 1)}"] }) { errors } }`,
        { path },
        token,
      );
    const baseline = await mutation('zz/nowhere');
    expect(internalErrors(baseline)).toEqual([]);
    expect(baseline.errors?.length).toBe(1);
    for (const path of ['pub/app\u0000', 'a\u0000b']) expect(await mutation(path)).toEqual(baseline);
  });

  it('every mutation input field taking a path is covered above', () => {
    const pathFields = Object.values(schema.getMutationType()!.getFields()).flatMap((field) =>
      field.args.flatMap((arg) => {
        const input = getNamedType(arg.type);
        return isInputObjectType(input)
          ? Object.values(input.getFields()).filter((f) => /path/i.test(f.name)).map((f) => `${field.name}.${f.name}`)
          : [];
      }),
    );
    expect(pathFields).toEqual(['destroyPackageFiles.projectPath']);
  });
});
