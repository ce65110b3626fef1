// Package files in a directory (PACKAGE_STORAGE_PATH, default DATA_DIR/packages): `<root>/<key>`.
// A put writes `<root>/.uploads/<random>`, flushes it to disk and renames it into place, so an object
// is either absent or whole, also after a crash (which leaves at most a partial file in .uploads/,
// removed by `sweep` once it is a day old).
import { randomUUID } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { checkObjectKey, DigestingStream, StorageError, type PackageStorage, type StoredObject } from './storage.ts';

const uploadsDir = '.uploads';

/** Whether an error is a file system's "no such file". */
const isMissing = (error: unknown) => (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';

/**
 * The directory storage rooted at `root` (created when missing). Several processes on one machine may
 * share it: names never collide (random keys, random upload names).
 */
export async function openDirectoryStorage(root: string): Promise<PackageStorage> {
  const absolute = path.resolve(root);
  try {
    await mkdir(path.join(absolute, uploadsDir), { recursive: true });
  } catch (error) {
    throw new StorageError(`package storage: cannot create ${absolute}: ${(error as Error).message}`);
  }
  const fileOf = (key: string) => path.join(absolute, checkObjectKey(key));

  return {
    describe: `directory:${absolute}`,

    async put(key, body, limitBytes): Promise<StoredObject> {
      const target = fileOf(key);
      const partial = path.join(absolute, uploadsDir, randomUUID());
      const digest = new DigestingStream(limitBytes);
      // The partial file exists before any byte is read, so a body that fails at once leaves nothing
      // behind (a stream that opens lazily would create it after the cleanup below).
      const handle = await open(partial, 'wx');
      try {
        // flush: fsync before close, so the rename below publishes bytes that are on disk.
        await pipeline(body as Readable, digest, handle.createWriteStream({ flush: true }));
        await mkdir(path.dirname(target), { recursive: true });
        await rename(partial, target);
      } catch (error) {
        await rm(partial, { force: true });
        throw error;
      }
      return digest.result();
    },

    async get(key) {
      try {
        const handle = await open(fileOf(key), 'r');
        return handle.createReadStream();
      } catch (error) {
        if (isMissing(error)) return null;
        throw error;
      }
    },

    async delete(key) {
      await rm(fileOf(key), { force: true });
    },

    async sweep(olderThan) {
      const dir = path.join(absolute, uploadsDir);
      for (const name of await readdir(dir)) {
        const file = path.join(dir, name);
        const info = await stat(file).catch(() => null);
        if (info && info.mtime < olderThan) await rm(file, { force: true });
      }
    },

    async close() {},
  };
}
