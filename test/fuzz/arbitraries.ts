// Generators of requests to the REST routes (the route table, the package protocol routes, the web
// download, the health and metrics paths, and paths that match nothing): ids and path segments that
// name real rows of the REST world or nothing, in odd encodings; every parameter with values of every
// type, length and alphabet, repeated and as arrays; every way of carrying a token; other methods,
// headers and bodies.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import type { FuzzRequest } from './harness.ts';

interface FixturePackage {
  id: number;
  name: string;
  version?: string | null;
  files?: { id: number; file_name: string }[];
}
const fixture = JSON.parse(readFileSync('test/fixtures/rest-world.json', 'utf8')) as {
  users: { username: string; tokens?: { token: string }[] }[];
  groups: { id: number; path: string }[];
  projects: { id: number; path: string; packages?: FixturePackage[] }[];
};
const packages = fixture.projects.flatMap((p) => p.packages ?? []);
/** Each package and file with the project it belongs to: most requests should name rows that go together. */
const placed = fixture.projects.flatMap((p) =>
  (p.packages ?? []).flatMap((k) => [{ project: p, pkg: k, file: undefined }, ...(k.files ?? []).map((f) => ({ project: p, pkg: k, file: f }))]),
);

/** What the REST world holds, for generators that should often name something real. */
export const facts = {
  tokens: fixture.users.flatMap((u) => (u.tokens ?? []).map((t) => t.token)),
  usernames: fixture.users.map((u) => u.username),
  projectIds: fixture.projects.map((p) => p.id),
  projectPaths: fixture.projects.map((p) => p.path),
  groupIds: fixture.groups.map((g) => g.id),
  groupPaths: fixture.groups.map((g) => g.path),
  packageIds: packages.map((p) => p.id),
  packageNames: [...new Set(packages.map((p) => p.name))],
  versions: [...new Set(packages.map((p) => p.version).filter((v): v is string => typeof v === 'string'))],
  fileIds: packages.flatMap((p) => (p.files ?? []).map((f) => f.id)),
  fileNames: packages.flatMap((p) => (p.files ?? []).map((f) => f.file_name)),
};

/** Values that have broken parsers before: empty, dots, bad escapes, NUL, overlong UTF-8, numbers that are not. */
export const nastyStrings = [
  '', ' ', '.', '..', '...', '%', '%2', '%zz', '%00', '\u0000', 'a\u0000b', '%C0%AF', '%ED%A0%80', '%FF%FE', '%252F', '%2e%2e', '%2E%2E%2F',
  '..%2F..%2Fetc%2Fpasswd', '+', '%20', '%09', '%0A', '%0D%0A', '\t', '😀', '👩‍👩‍👧', 'ｆｕｌｌ', '١٢٣', 'İı', 'ß', '\u202e', '\ufeff', '\ud800',
  '0', '-0', '-1', '00040', '+40', ' 40', '40 ', '40.0', '4e1', '0x28', '1_000', '1__0', '9'.repeat(30), '2147483648', '9007199254740993',
  'true', 'false', 'null', 'undefined', 'NaN', 'Infinity', '[]', '{}', '[object Object]', "' OR '1'='1", '"; DROP TABLE users; --',
  '\\', '%5C', '//', '/', '~', '*', '%2A', '_', '%25', '%_', '\\%', '${7*7}', '{{7*7}}', '<script>alert(1)</script>', 'a'.repeat(3000),
  'gid://gitlab/Packages::Package/1001', 'gid://gitlab/Project/40', '@acme/ui', '@acme%2Fui', '%40acme%2Fui', 'acme/platform/api',
];

/** Any text: printable graphemes, any code point, control characters, nasty values, long runs. */
export const anyText: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 8 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 8 }) },
  { weight: 3, arbitrary: fc.constantFrom(...nastyStrings) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('a', '%', '/', '9', 'é'), fc.integer({ min: 100, max: 2000 })).map(([c, n]) => c.repeat(n)) },
);

/** encodeURIComponent that keeps what it cannot encode (a lone surrogate) as it is. */
export function encode(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return value;
  }
}

/** A value placed in a URL in one of the ways clients (and attackers) do: encoded, raw, half, twice, lower-case hex. */
export const inUrl = (value: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  fc.tuple(value, fc.nat({ max: 19 })).map(([v, how]) => {
    if (how <= 13) return encode(v);
    if (how === 14) return v;
    if (how === 15) return encode(encode(v));
    if (how === 16) return encode(v).replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase());
    if (how === 17) return v.replace(/\//g, '%2F');
    if (how === 18) return encode(v).replace(/%2F/g, '/');
    return encode(v).replace(/[A-Za-z]/, (c) => `%${c.charCodeAt(0).toString(16)}`);
  });

const int = fc.oneof(fc.integer(), fc.integer({ min: -5, max: 200 }), fc.constantFrom(0, -1, 2 ** 31, 2 ** 53, 1e15, 1e21));
/** A number-ish segment value: small, huge, negative, with odd syntax. */
const numberish = fc.oneof(int.map(String), fc.constantFrom('00040', '+40', '40.0', '4e1', '0x28', '1_000', ' 40', '١٢'));

const pick = <T>(values: readonly T[]) => fc.constantFrom(...values);
const caseVariants = (value: fc.Arbitrary<string>) =>
  fc.tuple(value, fc.nat({ max: 3 })).map(([v, how]) => (how === 0 ? v.toUpperCase() : how === 1 ? v.replace(/^./, (c) => c.toUpperCase()) : v));

/** The `:id` of a project: a real id or path (any case, any encoding), or anything. */
export const projectId = fc.oneof(
  { weight: 5, arbitrary: pick(facts.projectIds).map(String) },
  { weight: 4, arbitrary: inUrl(caseVariants(pick(facts.projectPaths))) },
  { weight: 2, arbitrary: numberish },
  { weight: 2, arbitrary: inUrl(anyText) },
);
/** The `:id` of a group. */
export const groupId = fc.oneof(
  { weight: 5, arbitrary: pick(facts.groupIds).map(String) },
  { weight: 4, arbitrary: inUrl(caseVariants(pick(facts.groupPaths))) },
  { weight: 2, arbitrary: numberish },
  { weight: 2, arbitrary: inUrl(anyText) },
);
/** A project (by id or encoded path), one of its packages and one of that package's files (or any file). */
const together = fc.tuple(fc.constantFrom(...placed), fc.boolean()).map(([{ project, pkg, file }, byPath]) => ({
  project: byPath ? encode(project.path) : String(project.id),
  pkg: String(pkg.id),
  file: String(file?.id ?? facts.fileIds[pkg.id % facts.fileIds.length]),
}));
const packageId = fc.oneof({ weight: 6, arbitrary: pick(facts.packageIds).map(String) }, { weight: 2, arbitrary: numberish }, { weight: 1, arbitrary: inUrl(anyText) });
const fileId = fc.oneof({ weight: 6, arbitrary: pick(facts.fileIds).map(String) }, { weight: 2, arbitrary: numberish }, { weight: 1, arbitrary: inUrl(anyText) });
/** A package name in a path: a real one (scoped names in every encoding), a plausible one, or anything. */
export const packageName = fc.oneof(
  { weight: 4, arbitrary: inUrl(pick(facts.packageNames)) },
  { weight: 2, arbitrary: fc.stringMatching(/^(@[a-z]{1,6}\/)?[a-z0-9][a-z0-9._-]{0,12}$/).map(encode) },
  { weight: 2, arbitrary: inUrl(anyText) },
);
const version = fc.oneof(
  { weight: 3, arbitrary: pick(facts.versions) },
  { weight: 2, arbitrary: fc.tuple(fc.nat(20), fc.nat(20), fc.nat(20), fc.constantFrom('', '-rc.1', '-SNAPSHOT', '+build.5')).map(([a, b, c, s]) => `${a}.${b}.${c}${s}`) },
  { weight: 2, arbitrary: inUrl(anyText) },
);
const fileName = fc.oneof({ weight: 3, arbitrary: inUrl(pick(facts.fileNames)) }, { weight: 2, arbitrary: inUrl(anyText) });
const segment = inUrl(anyText);

/** Parameter names of every route, and some that none declares. */
const paramNames = [
  'page', 'per_page', 'order_by', 'sort', 'package_type', 'package_name', 'package_version', 'include_versionless', 'status',
  'exclude_subgroups', 'cursor', 'pagination', 'select', 'private_token', 'id', 'package_id', 'file_name', 'path',
] as const;
const paramValue = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom('asc', 'desc', 'name', 'version', 'created_at', 'type', 'project_path', 'id', 'file_name', 'npm', 'generic', 'maven') },
  { weight: 1, arbitrary: fc.constantFrom('default', 'hidden', 'error', 'pending_destruction', 'deprecated', 'processing', 'package_file', 'keyset') },
  { weight: 2, arbitrary: numberish },
  { weight: 1, arbitrary: fc.constantFrom('true', 'false', '1', '0', 'yes', 'no', 'on', 'off', 't', 'f', 'TRUE') },
  { weight: 3, arbitrary: anyText },
);
/** A query string: declared and undeclared keys, values of any type, repeated keys, `key[]` arrays, odd encodings. */
export const query = fc
  .array(
    fc.tuple(fc.oneof({ weight: 5, arbitrary: pick(paramNames) }, { weight: 1, arbitrary: anyText }), paramValue, fc.nat({ max: 9 })),
    { maxLength: 6 },
  )
  .map((pairs) => {
    const parts = pairs.flatMap(([key, value, how]) => {
      const k = how === 8 ? `${key}[]` : key;
      const pair = how === 9 ? `${encode(k)}=${value}` : how === 7 ? encode(k) : `${encode(k)}=${encode(value)}`;
      return how === 6 ? [pair, `${encode(k)}=${encode(value)}x`] : [pair];
    });
    return parts.length ? `?${parts.join('&')}` : '';
  });

/** A header value as Node hands it over: UTF-8 bytes read as Latin-1, without CR, LF or NUL. */
export const headerSafe = (value: string) => Buffer.from(value, 'utf8').toString('latin1').replace(/[\0\r\n]/g, '');

const refusedTokens = ['glpat-rest-expired-000010', 'glpat-rest-revoked-000011', 'glpat-rest-blocked-000012'];
const tokenValue = fc.oneof(
  { weight: 12, arbitrary: pick(facts.tokens.filter((t) => !refusedTokens.includes(t))) },
  { weight: 4, arbitrary: pick(['glpat-rest-root-000000001', 'glpat-rest-owner-00000002', 'glpat-rest-maint-00000003']) },
  { weight: 1, arbitrary: pick(refusedTokens) },
  { weight: 1, arbitrary: fc.constantFrom('glpat-nobody-knows-this-1', 'glpat-', '', ' ', 'null') },
  { weight: 1, arbitrary: anyText.map(headerSafe) },
);
/** How a request carries (or does not carry) a token: header, Bearer, Basic, query parameter, unsupported kinds. */
export const credential: fc.Arbitrary<{ headers: [string, string][]; query: string }> = fc.oneof(
  { weight: 2, arbitrary: fc.constant({ headers: [] as [string, string][], query: '' }) },
  { weight: 8, arbitrary: tokenValue.map((t) => ({ headers: [['PRIVATE-TOKEN', t]] as [string, string][], query: '' })) },
  { weight: 2, arbitrary: tokenValue.map((t) => ({ headers: [['Authorization', `Bearer ${t}`]] as [string, string][], query: '' })) },
  {
    weight: 2,
    arbitrary: fc.tuple(fc.oneof(pick(facts.usernames), anyText), tokenValue, fc.boolean()).map(([user, t, colon]) => ({
      headers: [['Authorization', `Basic ${Buffer.from(colon ? `${user}:${t}` : t).toString('base64')}`]] as [string, string][],
      query: '',
    })),
  },
  { weight: 1, arbitrary: tokenValue.map((t) => ({ headers: [] as [string, string][], query: `private_token=${encode(t)}` })) },
  { weight: 1, arbitrary: fc.constantFrom('JOB-TOKEN', 'DEPLOY-TOKEN', 'Authorization').map((h) => ({ headers: [[h, h === 'Authorization' ? 'Basic !!!' : 'x']] as [string, string][], query: '' })) },
  { weight: 1, arbitrary: fc.constant({ headers: [] as [string, string][], query: 'job_token=abc' }) },
);

const dateHeader = fc.oneof(
  fc.date({ min: new Date('1970-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toUTCString()),
  fc.constantFrom('2024-01-10T10:00:00Z', 'yesterday', '0', '', 'Thu, 01 Jan 1970 00:00:00 GMT', '+275760-09-13T00:00:00.000Z'),
);
/** Headers besides the token: preconditions, content types, npm's command, request ids, lying lengths. */
export const extraHeaders: fc.Arbitrary<[string, string][]> = fc.array(
  fc.oneof(
    dateHeader.map((d) => ['If-Unmodified-Since', d] as [string, string]),
    fc.constantFrom('application/json', 'text/plain', 'application/octet-stream', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', '*/*', 'garbage').map((t) => ['Content-Type', t] as [string, string]),
    fc.constantFrom('application/json', 'text/html', '*/*', 'application/vnd.npm.install-v1+json', 'text/event-stream').map((t) => ['Accept', t] as [string, string]),
    fc.constantFrom('deprecate', 'publish', 'dist-tag', 'unpublish', '').map((c) => ['npm-command', c] as [string, string]),
    anyText.map((v) => ['X-Request-Id', headerSafe(v)] as [string, string]),
    fc.constantFrom('0', '1', '5', '4096', '4097', '99999999999', '-1', 'abc').map((v) => ['Content-Length', v] as [string, string]),
    fc.tuple(fc.constantFrom('X-Forwarded-For', 'Host', 'Origin', 'Cookie', 'Range', 'Accept-Encoding'), anyText).map(([h, v]) => [h, headerSafe(v)] as [string, string]),
  ),
  { maxLength: 3 },
);

const method = (usual: string) =>
  fc.oneof({ weight: 8, arbitrary: fc.constant(usual) }, { weight: 2, arbitrary: fc.constantFrom('GET', 'HEAD', 'DELETE', 'PUT', 'POST', 'PATCH', 'OPTIONS', 'PROPFIND', 'get') });
const body = fc.option(fc.oneof(anyText, fc.constantFrom('{}', '[]', 'null', '{"versions":{}}', '"1.0.0"', '{'), fc.json()), { nil: undefined, freq: 2 });

/** A project, package and file that go together, or each drawn on its own. */
const rowsOf = fc.oneof(
  { weight: 3, arbitrary: together },
  { weight: 2, arbitrary: fc.record({ project: projectId, pkg: packageId, file: fileId }) },
);

/** Paths below /api/v4 with their usual method: every REST and protocol route, and near misses. */
const apiPath: fc.Arbitrary<[string, string]> = fc.oneof(
  { weight: 4, arbitrary: projectId.map((p) => ['GET', `/projects/${p}/packages`] as [string, string]) },
  { weight: 3, arbitrary: groupId.map((g) => ['GET', `/groups/${g}/packages`] as [string, string]) },
  { weight: 3, arbitrary: rowsOf.map(({ project: p, pkg: k }) => ['GET', `/projects/${p}/packages/${k}`] as [string, string]) },
  { weight: 2, arbitrary: rowsOf.map(({ project: p, pkg: k }) => ['GET', `/projects/${p}/packages/${k}/package_files`] as [string, string]) },
  { weight: 2, arbitrary: rowsOf.map(({ project: p, pkg: k }) => ['GET', `/projects/${p}/packages/${k}/pipelines`] as [string, string]) },
  { weight: 1, arbitrary: rowsOf.map(({ project: p, pkg: k }) => ['DELETE', `/projects/${p}/packages/${k}`] as [string, string]) },
  { weight: 1, arbitrary: rowsOf.map(({ project: p, pkg: k, file: f }) => ['DELETE', `/projects/${p}/packages/${k}/package_files/${f}`] as [string, string]) },
  { weight: 2, arbitrary: fc.tuple(projectId, packageName, version, fc.option(segment, { nil: undefined }), fileName).map(([p, n, v, d, f]) => ['GET', `/projects/${p}/packages/generic/${n}/${v}/${d === undefined ? '' : `${d}/`}${f}`] as [string, string]) },
  { weight: 2, arbitrary: fc.tuple(projectId, packageName).map(([p, n]) => ['GET', `/projects/${p}/packages/npm/${n}`] as [string, string]) },
  { weight: 1, arbitrary: fc.tuple(projectId, packageName, fileName).map(([p, n, f]) => ['GET', `/projects/${p}/packages/npm/${n}/-/${f}`] as [string, string]) },
  { weight: 1, arbitrary: fc.tuple(projectId, packageName).map(([p, n]) => ['GET', `/projects/${p}/packages/npm/-/package/${n}/dist-tags`] as [string, string]) },
  { weight: 1, arbitrary: fc.tuple(projectId, packageName, segment, fc.constantFrom('PUT', 'DELETE')).map(([p, n, t, m]) => [m, `/projects/${p}/packages/npm/-/package/${n}/dist-tags/${t}`] as [string, string]) },
  { weight: 1, arbitrary: fc.constantFrom('/openapi.json', '/docs', '/docs/', '', '/', '/projects', '/projects/40', '/version', '/user').map((p) => ['GET', p] as [string, string]) },
  { weight: 1, arbitrary: fc.array(segment, { minLength: 1, maxLength: 6 }).map((s) => ['GET', `/${s.join('/')}`] as [string, string]) },
);

/** A request under /api/v4, or to the web download, health, readiness and metrics paths, or to nowhere. */
export const restRequest: fc.Arbitrary<FuzzRequest> = fc.oneof(
  {
    weight: 12,
    arbitrary: fc
      .record({ route: apiPath, query, credential, extra: extraHeaders, body, methodNoise: fc.nat({ max: 9 }), other: method('GET') })
      .map(({ route: [usual, path], query: q, credential: c, extra, body: b, methodNoise, other }) => {
        const search = [q.replace(/^\?/, ''), c.query].filter(Boolean).join('&');
        const request: FuzzRequest = {
          method: methodNoise < 8 ? usual : other,
          path: `/api/v4${path}${search ? `?${search}` : ''}`,
          headers: [...c.headers, ...extra],
        };
        return b === undefined ? request : { ...request, body: b };
      }),
  },
  {
    weight: 2,
    arbitrary: fc
      .record({ project: inUrl(caseVariants(pick(facts.projectPaths))).map((p) => p.replace(/%2F/gi, '/')), file: fileId, credential, m: method('GET') })
      .map(({ project, file, credential: c, m }) => ({
        method: m,
        path: `/${project}/-/package_files/${file}/download${c.query ? `?${c.query}` : ''}`,
        headers: c.headers,
      })),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({
        path: fc.oneof(fc.constantFrom('/-/health', '/-/readiness', '/-/metrics', '/', '/api', '/api/v3/projects', '/api/v40', '/favicon.ico'), fc.array(segment, { maxLength: 4 }).map((s) => `/${s.join('/')}`)),
        m: method('GET'),
        client: fc.option(fc.constantFrom('127.0.0.1', '::1', '10.1.2.3', '::ffff:127.0.0.1', 'garbage'), { nil: undefined }),
      })
      .map(({ path, m, client }) => ({ method: m, path, headers: [], ...(client ? { client } : {}) })),
  },
);
