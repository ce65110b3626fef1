// Generators of uploads: generic package PUTs (names, versions, paths and file names valid or not,
// sizes around the limit, declared lengths that lie, bodies sent in chunks and cut off) and npm's
// publish, deprecate and dist-tag requests (documents whole, wrong, malformed or cut off), each
// sometimes followed by the download of what it may have stored.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { anyText, credential, encode, facts, inUrl, projectId } from './arbitraries.ts';
import { maxFileBytes, type FuzzRequest } from './harness.ts';

/** Projects with a token of a user who may publish there (maintainers, developers, owners, root). */
const publishing: [string, string][] = [
  ['40', 'glpat-rest-maint-00000003'], ['acme%2Fplatform%2Fapi', 'glpat-rest-dev-0000000004'], ['40', 'glpat-rest-root-000000001'],
  ['41', 'glpat-rest-owner-00000002'], ['acme%2Fweb', 'glpat-rest-root-000000001'], ['42', 'glpat-rest-maint-00000003'],
];
/** Where an upload goes and who sends it: mostly someone who may, else anyone anywhere. */
const target = (basicAuth: boolean): fc.Arbitrary<{ project: string; headers: [string, string][] }> =>
  fc.oneof(
    {
      weight: 8,
      arbitrary: fc.tuple(fc.constantFrom(...publishing), fc.nat({ max: 5 }), fc.constantFrom(...facts.usernames)).map(([[project, token], how, user]) => ({
        project,
        headers: [
          how === 5 && basicAuth
            ? ['Authorization', `Basic ${Buffer.from(`${user}:${token}`).toString('base64')}`]
            : how === 4 ? ['Authorization', `Bearer ${token}`] : ['PRIVATE-TOKEN', token],
        ] as [string, string][],
      })),
    },
    {
      weight: 2,
      arbitrary: fc.tuple(fc.oneof(fc.constantFrom('30', '31', '50', '40', '41'), projectId), credential).map(([project, c]) => ({ project, headers: c.headers })),
    },
  );

const name = fc.oneof(
  { weight: 12, arbitrary: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._+-]{0,15}$/) },
  { weight: 2, arbitrary: fc.constantFrom('push-only', 'notes', 'tool', 'a', '.hidden', '-x', 'my package', 'ünï') },
  { weight: 1, arbitrary: inUrl(anyText) },
);
const version = fc.oneof(
  { weight: 12, arbitrary: fc.tuple(fc.nat(9), fc.nat(9), fc.nat(30), fc.constantFrom('', '-SNAPSHOT', '-rc.1', '+b1')).map(([a, b, c, s]) => `${a}.${b}.${c}${s}`) },
  { weight: 1, arbitrary: inUrl(anyText) },
);
const fileName = fc.oneof(
  { weight: 12, arbitrary: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._+~@-]{0,14}[A-Za-z0-9]$/) },
  { weight: 2, arbitrary: fc.constantFrom('~x', 'x@', 'file.tgz', 'a%2Fb', '%2e%2e%2f.ssh%2fkeys', '..%2Fx') },
  { weight: 1, arbitrary: inUrl(anyText) },
);

/** Byte counts around the limit and on either side of it. */
const size = fc.oneof(
  { weight: 5, arbitrary: fc.nat({ max: 64 }) },
  { weight: 2, arbitrary: fc.integer({ min: maxFileBytes - 2, max: maxFileBytes + 2 }) },
  { weight: 1, arbitrary: fc.integer({ min: 65, max: 3 * maxFileBytes }) },
);
const content = fc.tuple(size, fc.constantFrom('a', 'é', '\u0000', '😀', '{"x":1}')).map(([n, unit]) => unit.repeat(Math.ceil(n / Buffer.byteLength(unit))).slice(0, n));

/** How the bytes arrive: whole, or in chunks that end early (the client going away) or as they should. */
const delivery = fc.oneof(
  { weight: 6, arbitrary: fc.constant({ chunked: false as const }) },
  { weight: 3, arbitrary: fc.record({ chunked: fc.constant(true as const), pieces: fc.integer({ min: 1, max: 4 }), cut: fc.constantFrom(undefined, 'ECONNRESET' as const, 'AbortError' as const) }) },
);
/** A Content-Length that tells the truth, lies either way, is beyond the limit, or is not a number. */
const declared = fc.oneof(
  { weight: 10, arbitrary: fc.constant('truth') },
  { weight: 3, arbitrary: fc.constantFrom('more', 'less', 'huge', 'junk', 'none') },
);

/** The body of a request, sent whole or in `pieces` chunks; `cut`: the client goes away after them. */
function bodyOf(text: string, how: { chunked: false } | { chunked: true; pieces: number; cut: 'ECONNRESET' | 'AbortError' | undefined }): FuzzRequest['body'] {
  if (!how.chunked) return text;
  const step = Math.max(1, Math.ceil(text.length / how.pieces));
  const chunks: string[] = [];
  for (let i = 0; i < text.length; i += step) chunks.push(text.slice(i, i + step));
  return { chunks, ...(how.cut ? { cut: how.cut } : {}) };
}

function lengthHeader(text: string, lie: string, cut: boolean): [string, string][] {
  const bytes = Buffer.byteLength(text);
  if (lie === 'none') return [];
  if (lie === 'truth') return cut ? [['Content-Length', String(bytes + 10)]] : [['Content-Length', String(bytes)]];
  const value = { more: bytes + 7, less: Math.max(0, bytes - 3), huge: maxFileBytes * 1000, junk: 'twelve' }[lie as 'more'];
  return [['Content-Length', String(value)]];
}

/** A generic package PUT, then sometimes the GET of the same path. */
const genericUpload: fc.Arbitrary<FuzzRequest[]> = fc
  .record({
    target: target(true),
    name,
    version,
    dir: fc.oneof({ weight: 2, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom('docs', 'a/b', '..', 'x%2Fy') }),
    file: fileName,
    query: fc.constantFrom('', '', '', '', '?status=hidden', '?status=default', '?status=nope', '?select=package_file', '?select=x', '?status[]=hidden', '?status=hidden&select=package_file'),
    content,
    delivery,
    declared,
    fetchBack: fc.boolean(),
  })
  .map((r) => {
    const path = `/api/v4/projects/${r.target.project}/packages/generic/${r.name}/${r.version}/${r.dir ? `${r.dir}/` : ''}${r.file}`;
    const cut = r.delivery.chunked && r.delivery.cut !== undefined;
    const put: FuzzRequest = {
      method: 'PUT',
      path: `${path}${r.query}`,
      headers: [...r.target.headers, ...lengthHeader(r.content, r.declared, cut)],
      body: bodyOf(r.content, r.delivery),
    };
    return r.fetchBack ? [put, { method: 'GET', path, headers: r.target.headers }] : [put];
  });

const tarball = fc.tuple(fc.nat({ max: 300 }), fc.boolean()).map(([n, oversize]) => Buffer.alloc(oversize ? maxFileBytes + 1 + n : n, 7));
const scope = fc.constantFrom('@acme/', '@acme/', '@other/', '');

/** An npm publish document for `name@version`, right or wrong in one of the ways a client can be. */
const npmDocument = fc
  .record({
    scope,
    base: fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/),
    version: fc.oneof(fc.tuple(fc.nat(9), fc.nat(9), fc.nat(9)).map((v) => v.join('.')), anyText),
    tarball,
    defect: fc.constantFrom('none', 'none', 'none', 'shasum', 'integrity', 'name', 'noAttachment', 'badBase64', 'noVersions', 'twoVersions', 'tagNotString', 'versionsArray', 'length', 'nulField', 'nulUrl'),
    tag: fc.constantFrom('latest', 'beta', '', 'v1.0', '%', 'a\u0000'),
    urlScope: fc.boolean(),
  })
  .map((d) => {
    const pkg = `${d.scope}${d.base}`;
    const data = d.defect === 'badBase64' ? '!!not base64!!' : d.tarball.toString('base64');
    const shasum = d.defect === 'shasum' ? '0'.repeat(40) : createHash('sha1').update(d.tarball).digest('hex');
    const integrity = d.defect === 'integrity' ? 'sha512-AAAA' : `sha512-${createHash('sha512').update(d.tarball).digest('base64')}`;
    const manifest = {
      name: d.defect === 'name' ? `${pkg}-other` : pkg,
      version: d.version,
      ...(d.defect === 'nulField' ? { description: 'a\u0000b', dependencies: { 'dep\u0000': '1' } } : {}),
      dist: { shasum, integrity, tarball: `http://x/${d.base}.tgz` },
    };
    const versions = d.defect === 'noVersions' ? {} : d.defect === 'versionsArray' ? [manifest] : d.defect === 'twoVersions' ? { [d.version]: manifest, '9.9.9': manifest } : { [d.version]: manifest };
    const document = {
      _id: pkg,
      name: pkg,
      'dist-tags': { [d.tag]: d.defect === 'tagNotString' ? 7 : d.version },
      versions,
      ...(d.defect === 'noAttachment' ? {} : { _attachments: { [`${d.base}-${d.version}.tgz`]: { content_type: 'application/octet-stream', data, length: d.defect === 'length' ? 1 : d.tarball.length } } }),
    };
    const url = (d.urlScope ? encode(pkg).replace(/^%40/, '@') : encode(pkg)) + (d.defect === 'nulUrl' ? '%00' : '');
    return { pkg, url, text: JSON.stringify(document), version: d.version, base: d.base };
  });

/** npm publish, deprecate and dist-tag requests, then sometimes the document or the tarball. */
const npmUpload: fc.Arbitrary<FuzzRequest[]> = fc
  .record({
    target: target(false),
    doc: npmDocument,
    kind: fc.constantFrom('publish', 'publish', 'publish', 'deprecate', 'tagAdd', 'tagRemove', 'malformed'),
    delivery,
    cutAt: fc.nat({ max: 1000 }),
    tag: fc.oneof(fc.constantFrom('latest', 'beta', 'stable'), inUrl(anyText)),
    deprecation: fc.oneof(anyText, fc.constant('')),
    fetchBack: fc.constantFrom('none', 'none', 'document', 'tarball', 'tags'),
  })
  .map((r) => {
    const root = `/api/v4/projects/${r.target.project}/packages/npm`;
    const auth = r.target.headers;
    let request: FuzzRequest;
    if (r.kind === 'tagAdd' || r.kind === 'tagRemove') {
      request = {
        method: r.kind === 'tagAdd' ? 'PUT' : 'DELETE',
        path: `${root}/-/package/${r.doc.url}/dist-tags/${r.tag}`,
        headers: [...auth, ['Content-Type', 'application/json']],
        ...(r.kind === 'tagAdd' ? { body: JSON.stringify(r.doc.version) } : {}),
      };
    } else {
      const text =
        r.kind === 'deprecate'
          ? JSON.stringify({ name: r.doc.pkg, versions: { [r.doc.version]: { name: r.doc.pkg, version: r.doc.version, deprecated: r.deprecation } } })
          : r.kind === 'malformed'
            ? r.doc.text.slice(0, r.cutAt % Math.max(1, r.doc.text.length))
            : r.doc.text;
      request = {
        method: 'PUT',
        path: `${root}/${r.doc.url}`,
        headers: [...auth, ['Content-Type', 'application/json'], ...(r.kind === 'deprecate' ? ([['npm-command', 'deprecate']] as [string, string][]) : [])],
        body: bodyOf(text, r.delivery),
      };
    }
    const then: Record<string, FuzzRequest | undefined> = {
      none: undefined,
      document: { method: 'GET', path: `${root}/${r.doc.url}`, headers: auth },
      tarball: { method: 'GET', path: `${root}/${r.doc.url}/-/${r.doc.base}-${encode(r.doc.version)}.tgz`, headers: auth },
      tags: { method: 'GET', path: `${root}/-/package/${r.doc.url}/dist-tags`, headers: auth },
    };
    const next = then[r.fetchBack];
    return next ? [request, next] : [request];
  });

/** An upload request (generic or npm), maybe followed by a read of what it stored. */
export const uploadRequests: fc.Arbitrary<FuzzRequest[]> = fc.oneof({ weight: 3, arbitrary: genericUpload }, { weight: 2, arbitrary: npmUpload });
