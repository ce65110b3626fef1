// The storage contract, on both implementations: the directory and a real S3-compatible server.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDirectoryStorage } from '../../src/domain/storage/directory.ts';
import { openS3Storage } from '../../src/domain/storage/s3.ts';
import { FileTooLarge, newObjectKey, StorageError, type PackageStorage } from '../../src/domain/storage/storage.ts';
import { startTestS3, type TestS3 } from '../support/s3-server.ts';

async function readAll(stream: Readable | null): Promise<Buffer | null> {
  if (!stream) return null;
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

/** `size` pseudo-random bytes in chunks of 64 KiB. */
function bytes(size: number, seed = 1): Buffer {
  const out = Buffer.alloc(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}
const chunked = (buffer: Buffer, size = 65536) =>
  Readable.from((function* () {
    for (let i = 0; i < buffer.length; i += size) yield buffer.subarray(i, i + size);
  })());

/** A body that sends `buffer` and then fails, as a client that goes away does. */
const cutOff = (buffer: Buffer) =>
  Readable.from((async function* () {
    yield buffer;
    throw Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
  })());

const hex = (algorithm: string, data: Buffer) => createHash(algorithm).update(data).digest('hex');

let s3: TestS3;
let directoryRoot: string;
const storages: Record<string, () => Promise<PackageStorage>> = {
  directory: () => openDirectoryStorage(directoryRoot),
  s3: () => openS3Storage(s3.location),
};

beforeAll(async () => {
  s3 = await startTestS3();
  directoryRoot = mkdtempSync(path.join(os.tmpdir(), 'pgw-storage-'));
});
afterAll(async () => {
  await s3?.stop();
  if (directoryRoot) rmSync(directoryRoot, { recursive: true, force: true });
});

/** What the storage holds besides its bookkeeping: the directory's files, s3rver's objects. */
function storedFiles(kind: string): string[] {
  const root = kind === 'directory' ? directoryRoot : s3.directory;
  return (readdirSync(root, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
    .filter((e) => e.isFile() && !e.name.endsWith('._S3rver_metadata.json'))
    .map((e) => path.join(e.parentPath, e.name));
}

describe.each(Object.keys(storages))('%s storage', (kind) => {
  let storage: PackageStorage;
  beforeAll(async () => {
    storage = await storages[kind]!();
  });
  afterAll(() => storage?.close());

  it.each([
    ['an empty file', 0],
    ['a small file', 1000],
    ['a file of several parts (multipart upload on S3)', 12 * 1024 * 1024 + 17],
  ])('stores %s whole, with its size and digests computed on the way', async (_name, size) => {
    const data = bytes(size, size);
    const key = newObjectKey();
    const stored = await storage.put(key, chunked(data), 64 * 1024 * 1024);
    expect(stored).toEqual({
      size,
      md5: hex('md5', data),
      sha1: hex('sha1', data),
      sha256: hex('sha256', data),
      sha512: createHash('sha512').update(data).digest('base64'),
    });
    expect((await readAll(await storage.get(key)))?.equals(data)).toBe(true);
  });

  it('refuses a body over the limit with FileTooLarge and keeps nothing of it', async () => {
    const before = storedFiles(kind).length;
    const key = newObjectKey();
    await expect(storage.put(key, chunked(bytes(300_000)), 200_000)).rejects.toBeInstanceOf(FileTooLarge);
    expect(await storage.get(key)).toBeNull();
    expect(storedFiles(kind)).toHaveLength(before);
  });

  it('takes exactly the limit', async () => {
    const key = newObjectKey();
    await expect(storage.put(key, chunked(bytes(200_000)), 200_000)).resolves.toMatchObject({ size: 200_000 });
  });

  it('keeps nothing of a body that fails half way (a client cut off)', async () => {
    const before = storedFiles(kind).length;
    const key = newObjectKey();
    await expect(storage.put(key, cutOff(bytes(6 * 1024 * 1024)), 64 * 1024 * 1024)).rejects.toThrow('aborted');
    expect(await storage.get(key)).toBeNull();
    expect(storedFiles(kind)).toHaveLength(before);
  });

  it('keeps nothing of a body that fails as the put starts, not even an empty partial file', async () => {
    const before = storedFiles(kind).length;
    for (const delay of [0, 0, 1, 1, 2, 5]) {
      const failing = new PassThrough();
      failing.on('error', () => {});
      const put = storage.put(newObjectKey(), failing, 1024);
      if (delay === 0) process.nextTick(() => failing.destroy(new Error('aborted')));
      else setTimeout(() => failing.destroy(new Error('aborted')), delay);
      await expect(put).rejects.toThrow();
    }
    expect(storedFiles(kind)).toHaveLength(before);
  });

  it('deletes an object, and deleting a missing one is no error', async () => {
    const key = newObjectKey();
    await storage.put(key, chunked(bytes(10)), 100);
    await storage.delete(key);
    expect(await storage.get(key)).toBeNull();
    await expect(storage.delete(key)).resolves.toBeUndefined();
    await expect(storage.delete(newObjectKey())).resolves.toBeUndefined();
  });

  it('answers null for a key it never stored', async () => {
    expect(await storage.get(newObjectKey())).toBeNull();
  });

  it.each(['../../etc/passwd', 'ab/cd/../../x', '', 'AB/CD/not-a-key'])('refuses a key it could not have made: %j', async (key) => {
    await expect(storage.get(key)).rejects.toBeInstanceOf(StorageError);
    await expect(storage.delete(key)).rejects.toBeInstanceOf(StorageError);
  });
});

describe('directory storage', () => {
  it('sweeps partial files older than the given time, and only those', async () => {
    const storage = await openDirectoryStorage(directoryRoot);
    const uploads = path.join(directoryRoot, '.uploads');
    writeFileSync(path.join(uploads, 'old'), 'x');
    writeFileSync(path.join(uploads, 'new'), 'x');
    const dayAgo = new Date(Date.now() - 25 * 3600_000);
    utimesSync(path.join(uploads, 'old'), dayAgo, dayAgo);
    await storage.sweep!(new Date(Date.now() - 24 * 3600_000));
    expect(readdirSync(uploads)).toEqual(['new']);
  });
});

describe('S3 storage', () => {
  it('refuses to open a bucket that does not exist, saying which', async () => {
    await expect(openS3Storage({ ...s3.location, bucket: 'no-such-bucket' })).rejects.toThrow(/package storage: bucket s3:\/\/no-such-bucket\/files\/ at http:\/\/127\.0\.0\.1:\d+ is not usable \(HTTP 404\)/);
  });
});
