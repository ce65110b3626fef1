// Generators of GraphQL requests: random documents built from the gateway's schema (any root field,
// arguments as literals or variables of the right or a wrong type, nested selections, aliases,
// fragments, directives, and some garbage: unknown fields, missing or extra selections, documents cut
// short), their variables, and every transport around them: JSON bodies (also malformed, batched,
// persisted-looking), GET parameters, other content types, methods and paths.
import fc from 'fast-check';
import {
  getNamedType,
  getNullableType,
  isAbstractType,
  isCompositeType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLObjectType,
} from 'graphql';
import { schema } from '../../src/graphql/schema.ts';
import { anyText, credential, encode, extraHeaders, facts } from './arbitraries.ts';
import type { FuzzRequest } from './harness.ts';

/** A document's random decisions: a choice stream (0 is always the simplest option) and value pools. */
interface Plan {
  choices: number[];
  strings: string[];
  ints: number[];
}

const gids = [
  ...facts.packageIds.map((id) => `gid://gitlab/Packages::Package/${id}`),
  ...facts.fileIds.map((id) => `gid://gitlab/Packages::PackageFile/${id}`),
  ...facts.projectIds.map((id) => `gid://gitlab/Project/${id}`),
  ...facts.groupIds.map((id) => `gid://gitlab/Group/${id}`),
  'gid://gitlab/Ci::Pipeline/400', 'gid://gitlab/User/3', 'gid://gitlab/Packages::Tag/1', 'gid://gitlab/Packages::BuildInfo/1',
  'gid://gitlab/Packages::Package/0', 'gid://gitlab/Packages::Package/999999999999999', 'gid://gitlab/Packages::Package/1e3',
  'gid://gitlab/Packages::Package/-1', 'gid://gitlab/Packages::Npm::Package/1001', 'gid://gitlab/Nope/1', 'gid://gitlab/', 'gid://', '1001',
];
const knownStrings = [...gids, ...facts.projectPaths, ...facts.groupPaths, ...facts.packageNames, ...facts.versions, ...facts.fileNames];

/** Builds one document (and its variables) from a plan, deterministically. */
export function buildDocument(plan: Plan): { query: string; variables: Record<string, unknown>; operationName?: string } {
  let at = 0;
  /** A choice in 0..n-1; 0 once the stream is spent. */
  const choose = (n: number) => (at < plan.choices.length ? plan.choices[at++]! % n : 0);
  const one = (n: number) => choose(n) === n - 1;
  const variables: Record<string, unknown> = {};
  const definitions: string[] = [];
  const fragments: string[] = [];
  let aliases = 0;

  const text = () => (choose(2) === 0 ? knownStrings[choose(knownStrings.length)]! : plan.strings[choose(plan.strings.length)]!);
  const int = () => plan.ints[choose(plan.ints.length)]!;

  /** A value of `type` as JSON (variables) or as a literal; now and then one of another type. */
  const value = (type: GraphQLInputType, depth: number, literal: boolean): string | unknown => {
    const inner = getNullableType(type) as GraphQLInputType;
    if (!isNonNullType(type) && one(10)) return literal ? 'null' : null;
    if (one(14)) return [literal ? '"wrong"' : 'wrong', literal ? '42' : 42, literal ? '{a: 1}' : { a: 1 }, literal ? 'true' : true][choose(4)];
    if (isListType(inner)) {
      const items = Array.from({ length: one(20) ? 101 + choose(50) : choose(4) }, () => value(inner.ofType as GraphQLInputType, depth + 1, literal));
      return literal ? `[${items.join(', ')}]` : items;
    }
    if (isEnumType(inner)) {
      const names = inner.getValues().map((v) => v.name);
      const name = one(8) ? 'NOT_A_VALUE' : names[choose(names.length)]!;
      return literal ? name : name;
    }
    if (isInputObjectType(inner)) {
      const fields = Object.values(inner.getFields()).filter((f) => isNonNullType(f.type) || choose(2) === 1 || depth > 3);
      const entries = fields.filter(() => depth < 4).map((f) => [f.name, value(f.type, depth + 1, literal)] as const);
      if (one(12)) entries.push(['unknownField', literal ? '1' : 1]);
      return literal ? `{${entries.map(([k, v]) => `${k}: ${v}`).join(', ')}}` : Object.fromEntries(entries);
    }
    switch (inner.name) {
      case 'Int':
        return literal ? String(int()) : int();
      case 'Float':
        return literal ? String(int() / 7) : int() / 7;
      case 'Boolean':
        return literal ? String(choose(2) === 1) : choose(2) === 1;
      default: {
        const s = inner.name === 'Time' && choose(2) === 0 ? new Date((Math.abs(int()) % 8.64e9) * 1000).toISOString() : text();
        return literal ? JSON.stringify(s) : s;
      }
    }
  };

  /** An argument: a literal, or a variable declared with the argument's type (or now and then another). */
  const argument = (type: GraphQLInputType): string => {
    if (choose(3) !== 2) return value(type, 0, true) as string;
    const name = `v${definitions.length}`;
    const declared = one(10) ? ['Int', 'String!', '[ID!]!', 'Nope', 'Boolean'][choose(5)] : String(type);
    definitions.push(`$${name}: ${declared}`);
    if (!one(8)) variables[name] = value(type, 0, false);
    return `$${name}`;
  };

  const selection = (type: GraphQLNamedType, depth: number): string => {
    if (!isCompositeType(type)) return '';
    const parts: string[] = [];
    if (isAbstractType(type)) {
      const possible = schema.getPossibleTypes(type);
      for (let i = 0, n = 1 + choose(2); i < n; i++) {
        const target = possible[choose(possible.length)]!;
        parts.push(`... on ${target.name} { ${selection(target, depth)} }`);
      }
      parts.push('__typename');
      return parts.join(' ');
    }
    const fields = Object.values((type as GraphQLObjectType).getFields());
    for (let i = 0, n = 1 + choose(depth > 6 ? 1 : 4); i < n; i++) {
      if (one(30)) {
        parts.push(['nope', '__schema { types { name } }', 'id(x: 1)', '...Missing', '__type(name: "Package") { name fields { name } }'][choose(5)]!);
        continue;
      }
      const field = fields[choose(fields.length)]!;
      const named = getNamedType(field.type);
      const args = field.args.filter((a) => (isNonNullType(a.type) ? !one(20) : choose(3) === 2)).map((a) => `${a.name}: ${argument(a.type)}`);
      if (one(20)) args.push(`nope: 1`);
      let head = field.name;
      if (one(5) || (aliases > 0 && one(2))) head = `a${aliases++}: ${head}`;
      if (args.length) head += `(${args.join(', ')})`;
      if (one(15)) head += ` @${['include', 'skip', 'nope'][choose(3)]}(if: ${argument(schema.getType('Boolean') as GraphQLInputType)})`;
      const sub = isCompositeType(named) && (depth < 9 || !isObjectType(named)) ? selection(named, depth + 1) : '';
      if (sub && one(12)) {
        const name = `F${fragments.length}`;
        fragments.push(`fragment ${name} on ${named.name} { ${sub} }`);
        parts.push(`${head} { ...${name} }`);
      } else if (one(25)) parts.push(sub ? head : `${head} { id }`);
      else parts.push(sub ? `${head} { ${sub} }` : head);
    }
    return parts.join(' ');
  };

  const kind = choose(10);
  const keyword = kind < 7 ? 'query' : kind < 9 ? 'mutation' : 'subscription';
  const root = keyword === 'mutation' ? schema.getMutationType()! : schema.getQueryType()!;
  const body = selection(root, 0);
  const named = choose(3) === 1;
  const header = `${keyword}${named ? ' Fuzz' : ''}${definitions.length ? `(${definitions.join(', ')})` : ''}`;
  let query = `${keyword === 'query' && !named && !definitions.length && choose(2) === 0 ? '' : header} { ${body} } ${fragments.join(' ')}`.trim();
  if (one(12)) query += ' query Other { currentUser { id } }';
  if (one(15)) query = query.slice(0, choose(query.length));
  if (one(20)) query = query.replace(/[{}()]/, '');
  const operationName = named ? ['Fuzz', 'Other', 'Nope'][choose(3)] : one(6) ? 'Other' : undefined;
  return { query, variables, ...(operationName ? { operationName } : {}) };
}

const plan: fc.Arbitrary<Plan> = fc.record({
  choices: fc.array(fc.nat({ max: 1 << 20 }), { minLength: 8, maxLength: 160 }),
  strings: fc.array(anyText, { minLength: 1, maxLength: 6 }),
  ints: fc.array(fc.oneof(fc.integer({ min: -3, max: 120 }), fc.integer(), fc.constantFrom(2 ** 31, -(2 ** 31) - 1, 2 ** 53, 1e21)), { minLength: 1, maxLength: 6 }),
});

/** A document and its variables as the JSON body of a POST. */
const documentBody = plan.map(buildDocument);

/** The JSON (or not) a client POSTs: one document, a batch, a persisted-looking request, malformed text. */
const postBody: fc.Arbitrary<{ text: string; type: string }> = fc.oneof(
  { weight: 12, arbitrary: documentBody.map((d) => ({ text: JSON.stringify(d), type: 'application/json' })) },
  { weight: 1, arbitrary: fc.array(documentBody, { minLength: 0, maxLength: 3 }).map((batch) => ({ text: JSON.stringify(batch), type: 'application/json' })) },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.option(documentBody, { nil: undefined }), fc.stringMatching(/^[0-9a-f]{64}$/), fc.constantFrom(1, 2, '1', null)).map(([d, hash, version]) => ({
      text: JSON.stringify({ ...(d ?? {}), extensions: { persistedQuery: { version, sha256Hash: hash } } }),
      type: 'application/json',
    })),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(documentBody, fc.oneof(anyText, fc.json(), fc.constantFrom('[1,2]', 'null', '"{}"', '1'))).map(([d, vars]) => ({
      text: JSON.stringify({ query: d.query, variables: vars, operationName: d.operationName ?? null }),
      type: 'application/json',
    })),
  },
  {
    weight: 2,
    arbitrary: fc.oneof(anyText, fc.json(), fc.constantFrom('{', '{"query":', '{"query": 1}', '{"query": null}', '{"query": ["{ currentUser { id } }"]}', '{"extensions": "x"}', '[[]]', '\ufeff{"query":"{ currentUser { id } }"}'))
      .map((text) => ({ text, type: 'application/json' })),
  },
  { weight: 1, arbitrary: documentBody.map((d) => ({ text: d.query, type: 'application/graphql' })) },
  { weight: 1, arbitrary: fc.tuple(documentBody, fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=latin1', 'application/graphql-response+json', '')).map(([d, type]) => ({ text: type.startsWith('application/x-www') ? `query=${encode(d.query)}` : JSON.stringify(d), type })) },
);

const accept = fc.option(fc.constantFrom('application/json', 'application/graphql-response+json', 'text/event-stream', 'multipart/mixed', 'text/html', '*/*', 'image/png'), { nil: undefined, freq: 3 });
const path = fc.oneof({ weight: 10, arbitrary: fc.constant('/api/graphql') }, { weight: 1, arbitrary: fc.constantFrom('/api/graphql/', '/api/graphql/x', '/api/graphql?x=1', '/api/graphql/../graphql') });

/** A request to /api/graphql: mostly a POSTed document, also GETs with parameters and other methods. */
export const graphqlRequest: fc.Arbitrary<FuzzRequest> = fc.oneof(
  {
    weight: 10,
    arbitrary: fc.record({ body: postBody, path, credential, accept, extra: extraHeaders, put: fc.nat({ max: 19 }) }).map(({ body, path: p, credential: c, accept: a, extra, put }) => ({
      method: put === 19 ? 'PUT' : 'POST',
      path: c.query ? `${p}${p.includes('?') ? '&' : '?'}${c.query}` : p,
      headers: [...c.headers, ...(body.type ? [['Content-Type', body.type] as [string, string]] : []), ...(a ? [['Accept', a] as [string, string]] : []), ...extra.filter(([h]) => h !== 'Content-Type')],
      body: body.text,
    })),
  },
  {
    weight: 2,
    arbitrary: fc.record({ doc: documentBody, credential, accept, vars: fc.boolean(), m: fc.constantFrom('GET', 'GET', 'HEAD', 'DELETE', 'OPTIONS', 'PATCH') }).map(({ doc, credential: c, accept: a, vars, m }) => {
      const params = [`query=${encode(doc.query)}`, vars ? `variables=${encode(JSON.stringify(doc.variables))}` : '', doc.operationName ? `operationName=${encode(doc.operationName)}` : '', c.query];
      return { method: m, path: `/api/graphql?${params.filter(Boolean).join('&')}`, headers: [...c.headers, ...(a ? [['Accept', a] as [string, string]] : [])] };
    }),
  },
);
