// curl, as GitLab's docs use it in CI jobs, against the generic packages API over real HTTP: upload,
// download (bytes and the sha256 the REST file list reports), duplicates refused where the group
// forbids them, 401/403/404, 413 past the limit, and an upload cut off half way (no row, no bytes).
// With the directory storage and with an S3-compatible one.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { curl as curlProgram, describeWith } from '../support/external.ts';
import { startPackageServer, type PackageServer, type StorageKind } from './package-server.ts';

const tokens = { dev: 'glpat-curl-developer-00001', rep: 'glpat-curl-reporter-000001', other: 'glpat-curl-outsider-000001' };
const maxFileBytes = 256 * 1024;

interface Curl {
  status: number;
  body: string;
}

/** Runs curl; `-w` appends the status on its own line after the body. */
function curl(args: string[]): Promise<Curl> {
  return new Promise((resolve, reject) => {
    execFile('curl', ['--silent', '--show-error', '--write-out', '\n%{http_code}', ...args], { encoding: 'utf8', timeout: 30_000 }, (error, stdout, stderr) => {
      if (error && !stdout) return reject(new Error(`curl failed: ${stderr}`));
      const at = stdout.lastIndexOf('\n');
      resolve({ status: Number(stdout.slice(at + 1)), body: stdout.slice(0, at) });
    });
  });
}

describeWith(curlProgram, 'curl', () => describe.each<StorageKind>(['directory', 's3'])('curl and the generic packages API, %s storage', (kind) => {
  let server: PackageServer;
  let work: string;
  let api: string;
  let ids: { app: number; strict: number; secret: number };

  beforeAll(async () => {
    server = await startPackageServer(
      kind,
      {
        users: Object.entries(tokens).map(([username, token]) => ({ username, tokens: [{ name: 'ci', token, scopes: ['api'] }] })),
        groups: [
          { path: 'acme', visibility: 'public', members: [{ user: 'dev', access_level: 'developer' }, { user: 'rep', access_level: 'reporter' }] },
          { path: 'strict', visibility: 'public', package_settings: { generic_duplicates_allowed: false }, members: [{ user: 'dev', access_level: 'developer' }] },
        ],
        projects: [
          { path: 'acme/app', visibility: 'private' },
          { path: 'strict/app', visibility: 'public' },
          { path: 'other/secret', visibility: 'private', members: [{ user: 'other', access_level: 'owner' }] },
        ],
      },
      maxFileBytes,
    );
    const id = async (p: string) => (await server.db.prisma.project.findFirstOrThrow({ where: { fullPath: p } })).id;
    ids = { app: await id('acme/app'), strict: await id('strict/app'), secret: await id('other/secret') };
    api = `${server.url}/api/v4`;
    work = mkdtempSync(path.join(os.tmpdir(), 'pgw-curl-'));
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const file = (name: string, size: number) => {
    const at = path.join(work, name);
    writeFileSync(at, Buffer.from(Array.from({ length: size }, (_, i) => (i * 7919) % 251)));
    return at;
  };
  const counts = async () => ({ files: await server.db.prisma.packageFile.count(), journal: await server.db.prisma.packageFileUpload.count() });

  it('uploads with --upload-file, downloads the same bytes, and the REST file list has their sha256', async () => {
    const upload = file('build.tar.gz', 100_000);
    const put = await curl(['--header', `PRIVATE-TOKEN: ${tokens.dev}`, '--upload-file', upload, `${api}/projects/${ids.app}/packages/generic/my_package/0.0.1/build.tar.gz`]);
    expect(put).toEqual({ status: 201, body: '{"message":"201 Created"}' });

    const out = path.join(work, 'downloaded');
    const get = await curl(['--header', `PRIVATE-TOKEN: ${tokens.rep}`, '--output', out, `${api}/projects/${ids.app}/packages/generic/my_package/0.0.1/build.tar.gz`]);
    expect(get.status).toBe(200);
    const bytes = readFileSync(out);
    expect(bytes.equals(readFileSync(upload))).toBe(true);

    const list = JSON.parse((await curl(['--header', `PRIVATE-TOKEN: ${tokens.rep}`, `${api}/projects/${ids.app}/packages?package_type=generic`])).body);
    expect(list).toMatchObject([{ name: 'my_package', version: '0.0.1', package_type: 'generic' }]);
    const files = JSON.parse((await curl(['--header', `PRIVATE-TOKEN: ${tokens.rep}`, `${api}/projects/${ids.app}/packages/${list[0].id}/package_files`])).body);
    expect(files).toMatchObject([{ file_name: 'build.tar.gz', size: 100_000, file_sha256: createHash('sha256').update(bytes).digest('hex') }]);
  });

  it('authenticates with --user as GitLab CI does (the token as the password)', async () => {
    const put = await curl(['--user', `dev:${tokens.dev}`, '--upload-file', file('notes.txt', 10), `${api}/projects/acme%2Fapp/packages/generic/my_package/0.0.1/notes.txt?select=package_file`]);
    expect(put.status).toBe(200);
    expect(JSON.parse(put.body)).toMatchObject({ file_name: 'notes.txt', size: 10, file_store: kind === 's3' ? 2 : 1 });
  });

  it('refuses a duplicate file where the group forbids duplicates', async () => {
    const upload = file('lib.jar', 2000);
    const url = `${api}/projects/${ids.strict}/packages/generic/lib/1.0.0/lib.jar`;
    expect((await curl(['--header', `PRIVATE-TOKEN: ${tokens.dev}`, '--upload-file', upload, url])).status).toBe(201);
    const before = await counts();
    expect(await curl(['--header', `PRIVATE-TOKEN: ${tokens.dev}`, '--upload-file', upload, url])).toEqual({
      status: 400,
      body: '{"message":"400 Bad request - Duplicate package is not allowed"}',
    });
    expect(await counts()).toEqual(before);
  });

  it.each([
    ['anonymous upload', [], 'PUT', () => ids.app, 'my_package/0.0.1/x.bin', 401, '{"message":"401 Unauthorized"}'],
    ['anonymous download from a private project', [], 'GET', () => ids.app, 'my_package/0.0.1/build.tar.gz', 401, '{"message":"401 Unauthorized"}'],
    ['a reporter uploading', ['--header', `PRIVATE-TOKEN: ${tokens.rep}`], 'PUT', () => ids.app, 'my_package/0.0.1/x.bin', 403, '{"message":"403 Forbidden"}'],
    ['another project', ['--header', `PRIVATE-TOKEN: ${tokens.dev}`], 'GET', () => ids.secret, 'my_package/0.0.1/build.tar.gz', 404, '{"message":"404 Not Found"}'],
    ['an unknown package', ['--header', `PRIVATE-TOKEN: ${tokens.dev}`], 'GET', () => ids.app, 'nothing/0.0.1/build.tar.gz', 404, '{"message":"404 Not found"}'],
  ] as const)('answers %s', async (_name, auth, method, project, suffix, status, body) => {
    const args = [...auth, ...(method === 'PUT' ? ['--upload-file', file('x.bin', 5)] : [])];
    expect(await curl([...args, `${api}/projects/${project()}/packages/generic/${suffix}`])).toEqual({ status, body });
  });

  it('answers 413 past MAX_PACKAGE_FILE_BYTES and keeps nothing', async () => {
    const before = await counts();
    const big = file('big.bin', maxFileBytes + 1);
    expect(await curl(['--header', `PRIVATE-TOKEN: ${tokens.dev}`, '--upload-file', big, `${api}/projects/${ids.app}/packages/generic/big/1.0/big.bin`])).toEqual({
      status: 413,
      body: '{"message":"413 Request Entity Too Large"}',
    });
    // Chunked (no Content-Length): refused while it streams.
    const chunked = await curl(['--header', `PRIVATE-TOKEN: ${tokens.dev}`, '--header', 'Transfer-Encoding: chunked', '--upload-file', big, `${api}/projects/${ids.app}/packages/generic/big/1.0/big.bin`]);
    expect(chunked.status).toBe(413);
    expect(await counts()).toEqual(before);
  });

  it('keeps no row and no bytes of an upload cut off half way', async () => {
    const before = await counts();
    const { port } = new URL(server.url);
    await new Promise<void>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write(
          `PUT /api/v4/projects/${ids.app}/packages/generic/cut/1.0/cut.bin HTTP/1.1\r\nHost: x\r\nPRIVATE-TOKEN: ${tokens.dev}\r\nContent-Length: 100000\r\n\r\n`,
        );
        socket.write(Buffer.alloc(40_000, 1), () => setTimeout(() => socket.destroy(), 200));
      });
      socket.on('close', () => resolve());
      socket.on('error', reject);
    });
    // The server notices the closed connection and undoes the upload.
    for (let i = 0; i < 50 && (await counts()).journal !== before.journal; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await counts()).toEqual(before);
    expect(await server.db.prisma.package.count({ where: { name: 'cut' } })).toBe(0);
  });
}),
);
