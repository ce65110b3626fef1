// The OpenAPI 3.1 description of the REST shim, generated from the route table (src/rest/routes.ts):
// each row's path, parameters (from its Grape-like declarations), success entity (from the entity
// shapes in src/rest/entities.ts), pagination headers (from src/rest/pagination.ts, with examples it
// computes) and every error it can answer (bodies made by the constructors of src/rest/errors.ts).
// A pure function of the rows: a new row documents itself.
import { entityShapes, type EntityName, type FieldShape } from './entities.ts';
import { errors, RestError } from './errors.ts';
import { keysetHeaders, keysetRequest, maxCountLimit, offsetHeaders, offsetRequest, type LinkBase } from './pagination.ts';
import { validateParams, type ParamSpec, type ParamValue, type RawParams } from './params.ts';
import type { Route } from './routes.ts';

/** A JSON object of the document. */
export type Json = { [key: string]: unknown };

/** An OpenAPI 3.1 document (the parts the generator writes). */
export interface OpenApiDocument extends Json {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  servers: { url: string; description: string }[];
  paths: Record<string, Record<string, Json>>;
  components: { schemas: Record<string, Json>; securitySchemes: Record<string, Json> };
}

export interface OpenApiOptions {
  /** The document's `info.version` (the package's version). */
  version: string;
  /** Where the rows' paths are mounted (`/api/v4`): the document's one server, relative to the document. */
  serverUrl: string;
}

/** One error a row can answer: a name for its example, and the error as the constructors make it. */
export interface DocumentedError {
  name: string;
  error: RestError;
}

const jsonTypes = { String: 'string', Integer: 'integer', Boolean: 'boolean' } as const;
const exampleHost = 'https://packages.example.com';

const statusDescriptions: Record<number, string> = {
  400: "Bad Request: invalid parameters (Grape's messages, grouped by parameter and joined with \", \")",
  401: "Unauthorized: an unknown, expired or revoked token, or a blocked user's",
  403: 'Forbidden',
  404: 'Not Found',
  412: 'Precondition Failed: the resource changed after If-Unmodified-Since',
};

const headerDescriptions: Record<string, string> = {
  'X-Page': 'The current page.',
  'X-Per-Page': 'The number of items per page.',
  'X-Total': `The number of matching items; absent when more than ${maxCountLimit} match.`,
  'X-Total-Pages': `The number of pages; absent when more than ${maxCountLimit} items match.`,
  'X-Next-Page': 'The next page; empty on the last page.',
  'X-Prev-Page': 'The previous page; empty on the first page.',
};
const linkDescriptions = {
  offset: 'RFC 8288 links to the previous, next, first and last pages (no `last` when the total is not counted).',
  keyset: 'RFC 8288 link (`rel="next"`) to the next page, with its `cursor`; absent on the last page.',
};

/** Names of the error body schemas, by their keys. */
const errorSchemaNames: Record<string, string> = {
  message: 'MessageError',
  error: 'Error',
  'error,error_description,scope': 'InsufficientScopeError',
};

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });

/** The parameters of a row, each once: a name declared again (Grape checks both) merges its constraints. */
function mergedParams(specs: readonly ParamSpec[]): ParamSpec[] {
  const byName = new Map<string, ParamSpec>();
  for (const spec of specs) {
    const earlier = byName.get(spec.name);
    if (!earlier) {
      byName.set(spec.name, spec);
      continue;
    }
    const exceptValues = [...(earlier.exceptValues ?? []), ...(spec.exceptValues ?? [])];
    byName.set(spec.name, {
      ...earlier,
      ...spec,
      required: Boolean(earlier.required || spec.required),
      ...(exceptValues.length > 0 ? { exceptValues } : {}),
    });
  }
  return [...byName.values()];
}

/** The JSON schema of a parameter: type, default, allowed values. */
export function paramSchema(spec: ParamSpec): Json {
  const schema: Json = { type: jsonTypes[spec.type] };
  if (spec.values !== undefined) {
    if ('min' in spec.values) {
      schema.minimum = spec.values.min;
      schema.maximum = spec.values.max;
    } else {
      schema.enum = [...spec.values];
    }
  }
  if (spec.exceptValues?.length) schema.not = { enum: [...spec.exceptValues] };
  if (spec.default !== undefined) schema.default = spec.default;
  return schema;
}

const pathParamNames = (path: string) => path.split('/').filter((s) => s.startsWith(':')).map((s) => s.slice(1));

/** `/projects/:id` as OpenAPI writes it: `/projects/{id}`. */
export const openApiPath = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

function parameters(row: Route<unknown>, answers: DocumentedError[]): Json[] {
  const specs = mergedParams(row.params);
  const inPath = pathParamNames(row.path);
  const described = (spec: ParamSpec): Json => {
    const where = inPath.includes(spec.name) ? 'path' : 'query';
    const parameter: Json = { name: spec.name, in: where, required: where === 'path' || Boolean(spec.required) };
    if (spec.name === 'id' && where === 'path') {
      parameter.description = `The ${row.scope}'s numeric id, or its URL-encoded full path (\`acme%2Fplatform\`).`;
    } else if (spec.type === 'Boolean') {
      parameter.description = 'true or false (also 1/0, t/f, yes/no, y/n, on/off).';
    }
    parameter.schema = paramSchema(spec);
    return parameter;
  };
  const declared = new Map(specs.map((spec) => [spec.name, spec]));
  const list = [
    // Path parameters in path order (undeclared ones are strings), then the query's in declaration order.
    ...inPath.map((name) => described(declared.get(name) ?? { name, type: 'String', required: true })),
    ...specs.filter((spec) => !inPath.includes(spec.name)).map(described),
  ];
  if (answers.some(({ error }) => error.status === 412)) {
    list.push({
      name: 'If-Unmodified-Since',
      in: 'header',
      required: false,
      description: 'An HTTP date: answer 412 when the resource changed after it (an unreadable date is ignored).',
      schema: { type: 'string' },
    });
  }
  return list;
}

/** Values that pass a parameter's checks, for examples (required parameters, and path ones). */
function exampleValue(spec: ParamSpec): string {
  if (spec.values !== undefined) return String('min' in spec.values ? spec.values.min : spec.values[0]);
  if (spec.default !== undefined) return String(spec.default);
  return spec.type === 'Boolean' ? 'true' : '1';
}

function exampleParams(row: Route<unknown>): { raw: RawParams; pathParams: Record<string, string> } {
  const specs = mergedParams(row.params);
  const inPath = pathParamNames(row.path);
  const pathParams = Object.fromEntries(
    inPath.map((name) => {
      const spec = specs.find((s) => s.name === name);
      return [name, spec ? exampleValue(spec) : '1'];
    }),
  );
  const required = Object.fromEntries(specs.filter((s) => s.required && !inPath.includes(s.name)).map((s) => [s.name, exampleValue(s)]));
  return { raw: { ...required, ...pathParams }, pathParams };
}

/** A value the parameter refuses, for the 400 examples: outside its values, an excepted value, or not of its type. */
function refusedValue(spec: ParamSpec): string | null {
  if (spec.values !== undefined) return 'min' in spec.values ? String(spec.values.max + 1) : `not-${String(spec.values[0])}`;
  if (spec.exceptValues?.length) return String(spec.exceptValues[0]);
  return spec.type === 'String' ? null : 'x';
}

/** The REST error a call throws, or null when it throws none. */
function thrown(call: () => unknown): RestError | null {
  try {
    call();
    return null;
  } catch (error) {
    if (error instanceof RestError) return error;
    throw error;
  }
}

/**
 * Every error a row can answer, as the constructors of errors.ts make it, in the order the router
 * meets them: 401 (invalid token), 403 insufficient_scope (writes), the scope's 404/403, 400 (its
 * parameters, and a keyset cursor), then its GraphQL refusals and what its `respond` throws. A body
 * is listed once.
 */
export function routeErrors(row: Route<unknown>): DocumentedError[] {
  const found: DocumentedError[] = [];
  const add = (name: string, error: RestError | null) => {
    if (error && !found.some((e) => e.error.status === error.status && JSON.stringify(e.error.body) === JSON.stringify(error.body))) {
      found.push({ name, error });
    }
  };
  add('unauthorized', errors.unauthorized());
  if (row.method !== 'GET') add('insufficientScope', errors.insufficientScope());
  if (row.scope === 'project') {
    add('projectNotFound', errors.projectNotFound());
    add('forbidden', errors.forbidden());
  } else {
    add('groupNotFound', errors.groupNotFound());
  }
  const { raw } = exampleParams(row);
  for (const spec of mergedParams(row.params)) {
    const value = refusedValue(spec);
    if (value !== null) add(`invalid_${spec.name}`, thrown(() => validateParams(row.params, { ...raw, [spec.name]: value })));
  }
  if (row.pagination === 'keyset') add('invalid_cursor', thrown(() => keysetRequest({ cursor: '!' })));
  for (const [code, make] of Object.entries(row.refusals ?? {})) add(make.name || code, make());
  for (const [name, make] of Object.entries(row.throws ?? {})) add(name, make());
  return found;
}

/** The pagination headers of a row's success, each with an example computed by pagination.ts. */
function paginationHeaders(row: Route<unknown>, serverUrl: string): Record<string, Json> {
  if (row.pagination === 'none') return {};
  const { raw, pathParams } = exampleParams(row);
  let params: Record<string, ParamValue>;
  try {
    params = validateParams(row.params, raw).params;
  } catch {
    params = { ...raw };
  }
  const path = serverUrl + row.path.replace(/:([A-Za-z0-9_]+)/g, (_, name: string) => encodeURIComponent(pathParams[name] ?? '1'));
  let headers: Record<string, string>;
  if (row.pagination === 'offset') {
    const page = offsetRequest({ ...params, page: 2 });
    const link: LinkBase = { baseUrl: exampleHost, path, params: { ...params, page: 2 } };
    headers = offsetHeaders(link, page, { rowsOnPage: page.perPage, hasNextPage: true, limitedCount: page.perPage * 3 });
  } else {
    // As the router does, keyset links carry pagination=keyset.
    const keysetParams = { ...params, pagination: 'keyset' };
    const link: LinkBase = { baseUrl: exampleHost, path, params: keysetParams };
    headers = keysetHeaders(link, keysetRequest(keysetParams), { lastId: 42, hasMore: true });
  }
  return Object.fromEntries(
    Object.entries(headers).map(([name, example]) => [
      name,
      {
        description: name === 'Link' ? linkDescriptions[row.pagination as 'offset' | 'keyset'] : (headerDescriptions[name] ?? ''),
        schema: { type: 'string' },
        example,
      },
    ]),
  );
}

/** The JSON schema of one entity key. */
function fieldSchema(field: FieldShape): Json {
  const type = (name: string) => (field.nullable ? [name, 'null'] : name);
  let schema: Json;
  switch (field.type) {
    case 'integer':
    case 'string':
    case 'boolean':
      schema = { type: type(field.type) };
      break;
    case 'date-time':
      schema = { type: type('string'), format: 'date-time' };
      break;
    case 'entity':
      schema = field.nullable ? { oneOf: [ref(field.entity), { type: 'null' }] } : ref(field.entity);
      break;
    case 'list':
      schema = { type: type('array'), items: ref(field.entity) };
      break;
  }
  if (field.when) schema = { ...schema, description: `Present only when ${field.when}.` };
  return schema;
}

/** The JSON schema of an entity (keys in its builder's order; conditional keys not required). */
export function entitySchema(name: EntityName): Json {
  const shape = entityShapes[name];
  const required = Object.entries(shape).filter(([, field]) => !field.when).map(([key]) => key);
  return {
    type: 'object',
    properties: Object.fromEntries(Object.entries(shape).map(([key, field]) => [key, fieldSchema(field)])),
    ...(required.length > 0 ? { required } : {}),
    additionalProperties: false,
  };
}

/** The entity and the entities it names, transitively. */
function entityClosure(name: EntityName, into: Set<EntityName>): void {
  if (into.has(name)) return;
  into.add(name);
  for (const field of Object.values(entityShapes[name])) if (field.type === 'entity' || field.type === 'list') entityClosure(field.entity, into);
}

function errorSchemaName(body: Record<string, string>): string {
  const keys = Object.keys(body);
  return errorSchemaNames[keys.join(',')] ?? `Error_${keys.join('_')}`;
}

const errorSchema = (body: Record<string, string>): Json => ({
  type: 'object',
  properties: Object.fromEntries(Object.keys(body).map((key) => [key, { type: 'string' }])),
  required: Object.keys(body),
  additionalProperties: false,
});

/** `E1 list project packages` -> `e1ListProjectPackages`. */
function operationId(name: string): string {
  const words = name.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return words.map((word, i) => (i === 0 ? word.toLowerCase() : word[0]!.toUpperCase() + word.slice(1))).join('');
}

const paginationNotes = {
  offset: 'Offset pagination: `page` and `per_page`; the X-* headers and Link describe the page.',
  keyset: 'Keyset pagination: follow the Link header (`rel="next"`) for the next page.',
  none: undefined,
};

/** The OpenAPI 3.1 document of a route table: a pure function of the rows. */
export function openApiDocument(rows: readonly Route<unknown>[], options: OpenApiOptions): OpenApiDocument {
  const paths: Record<string, Record<string, Json>> = {};
  const schemas: Record<string, Json> = {};
  const entities = new Set<EntityName>();
  const tags = new Set<string>();

  for (const row of rows) {
    const answers = routeErrors(row);
    const responses: Record<string, Json> = {};
    if (row.method === 'GET') {
      const headers = paginationHeaders(row, options.serverUrl);
      const success: Json = { description: 'OK' };
      if (Object.keys(headers).length > 0) success.headers = headers;
      if (row.entity) {
        entityClosure(row.entity, entities);
        success.content = { 'application/json': { schema: row.pagination === 'none' ? ref(row.entity) : { type: 'array', items: ref(row.entity) } } };
      }
      responses['200'] = success;
    } else {
      responses['204'] = { description: 'No Content' };
    }
    const statuses = [...new Set(answers.map(({ error }) => error.status))].sort((a, b) => a - b);
    for (const status of statuses) {
      const here = answers.filter(({ error }) => error.status === status);
      const names = [...new Set(here.map(({ error }) => errorSchemaName(error.body)))];
      for (const { error } of here) schemas[errorSchemaName(error.body)] ??= errorSchema(error.body);
      responses[String(status)] = {
        description: statusDescriptions[status] ?? `Error ${status}`,
        content: {
          'application/json': {
            schema: names.length === 1 ? ref(names[0]!) : { oneOf: names.map(ref) },
            examples: Object.fromEntries(here.map(({ name, error }) => [name, { summary: Object.values(error.body)[0], value: error.body }])),
          },
        },
      };
    }
    const tag = row.scope === 'project' ? 'projects' : 'groups';
    tags.add(tag);
    const operation: Json = {
      operationId: operationId(row.name),
      summary: row.name,
      ...(paginationNotes[row.pagination] ? { description: paginationNotes[row.pagination] } : {}),
      tags: [tag],
      parameters: parameters(row, answers),
      responses,
    };
    (paths[openApiPath(row.path)] ??= {})[row.method.toLowerCase()] = operation;
  }

  for (const name of [...entities].sort()) schemas[name] = entitySchema(name);

  return {
    openapi: '3.1.0',
    info: {
      title: 'packages-gateway: GitLab Packages API',
      version: options.version,
      description:
        "GitLab's Packages REST API as the gateway serves it, generated from its route table. No token is anonymous " +
        '(public projects only); an unknown, expired or revoked token is refused with 401 everywhere.',
    },
    servers: [{ url: options.serverUrl, description: 'This gateway' }],
    tags: [...tags].map((name) => ({ name })),
    security: [{}, { privateToken: [] }, { bearer: [] }, { privateTokenQuery: [] }],
    paths,
    components: {
      schemas: Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => a.localeCompare(b))),
      securitySchemes: {
        privateToken: { type: 'apiKey', in: 'header', name: 'PRIVATE-TOKEN', description: 'A personal access token.' },
        bearer: { type: 'http', scheme: 'bearer', description: 'A personal access token as `Authorization: Bearer`.' },
        privateTokenQuery: { type: 'apiKey', in: 'query', name: 'private_token', description: 'A personal access token as a query parameter.' },
      },
    },
  };
}
