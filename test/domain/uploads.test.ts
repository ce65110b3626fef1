// Uploads become visible whole or not at all, and the cleanup removes the bytes of deleted files
// after the delay, once, however many processes run it.
import { mkdtempSync, readdirSync, rmSync, type Dirent } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.ts';
import { runCleanup, startCleanupLoop } from '../../src/domain/cleanup.ts';
import { markPackagesForDestruction } from '../../src/domain/deletion.ts';
import { openDirectoryStorage } from '../../src/domain/storage/directory.ts';
import { FileTooLarge, type PackageStorage } from '../../src/domain/storage/storage.ts';
import { lockPackageCoordinate, storeUpload, UploadAbandoned, UploadIncomplete, type UploadTarget } from '../../src/domain/uploads.ts';
import { loadFixture } from '../../src/fixture/load.ts';
import { createTestDatabase, testDbMode, type TestDatabase } from '../support/database.ts';

let db: TestDatabase;
let root: string;
let storage: PackageStorage;
let target: UploadTarget;
let packageId: number;
const deleted: string[] = [];

/** The object files in the storage directory (not its partial uploads). */
const objects = () =>
  (readdirSync(root, { recursive: true, withFileTypes: true }) as Dirent[]).filter((e) => e.isFile() && !e.parentPath.includes('.uploads'));

/** Whether the storage holds the object (the stream opened to tell is closed again). */
const exists = async (key: string | null) => {
  const stream = await storage.get(key!);
  stream?.destroy();
  return stream !== null;
};

/** The package marked pending destruction as the system would (no user, so no log line). */
const markDeleted = async (id: number) =>
  markPackagesForDestruction(db.prisma, { viewer: { kind: 'anonymous' }, ipAddress: null, logged: () => {} }, [
    await db.prisma.package.findUniqueOrThrow({ where: { id }, include: { project: true } }),
  ]);
const body = (...parts: string[]) => Readable.from(parts.map((p) => Buffer.from(p)));
const failing = (first: string) =>
  Readable.from((async function* () {
    yield Buffer.from(first);
    throw Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
  })());

/** Commits a file row for the upload in the package. */
const addFile = (fileName: string) => (tx: Parameters<Parameters<typeof storeUpload>[2]>[0], u: Parameters<Parameters<typeof storeUpload>[2]>[1]) =>
  tx.packageFile.create({
    data: { packageId, fileName, size: BigInt(u.size), fileMd5: u.md5, fileSha1: u.sha1, fileSha256: u.sha256, objectKey: u.objectKey },
  });

beforeAll(async () => {
  db = await createTestDatabase();
  root = mkdtempSync(path.join(os.tmpdir(), 'pgw-uploads-'));
  const directory = await openDirectoryStorage(root);
  storage = { ...directory, delete: async (key) => { deleted.push(key); await directory.delete(key); } };
  target = { prisma: db.prisma, storage, maxFileBytes: 1000 };
  await loadFixture(db.prisma, {
    projects: [{ path: 'acme/app', visibility: 'public', packages: [{ name: 'tool', version: '1.0.0', package_type: 'generic' }] }],
    groups: [{ path: 'acme', visibility: 'public' }],
  });
  packageId = (await db.prisma.package.findFirstOrThrow()).id;
});
afterAll(async () => {
  await db?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});
beforeEach(() => {
  deleted.length = 0;
});

const state = async () => ({
  files: await db.prisma.packageFile.count({ where: { objectKey: { not: null } } }),
  journal: await db.prisma.packageFileUpload.count(),
  objects: objects().length,
});

describe('storeUpload', () => {
  it('commits the row with the digests of the bytes it stored', async () => {
    const before = await state();
    const file = await storeUpload(target, body('hello ', 'world'), addFile('hello.txt'), { declaredBytes: 11 });
    expect(file).toMatchObject({ size: 11n, fileSha256: 'b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9' });
    const stream = await storage.get(file.objectKey!);
    expect(Buffer.concat(await stream!.toArray()).toString()).toBe('hello world');
    expect(await state()).toEqual({ files: before.files + 1, journal: 0, objects: before.objects + 1 });
  });

  it.each([
    ['a body larger than the limit', () => body('x'.repeat(1001)), {}, FileTooLarge],
    ['a body shorter than its Content-Length', () => body('half'), { declaredBytes: 8 }, UploadIncomplete],
    ['a client that goes away mid-upload', () => failing('some bytes'), {}, Error],
  ] as const)('leaves no row and no bytes after %s', async (_name, make, options, error) => {
    const before = await state();
    await expect(storeUpload(target, make(), addFile('x.bin'), options)).rejects.toBeInstanceOf(error);
    expect(await state()).toEqual(before);
  });

  it('leaves no row and no bytes when the commit refuses the file or its transaction fails', async () => {
    const before = await state();
    await expect(storeUpload(target, body('refused'), async () => { throw new Error('Duplicate package is not allowed'); })).rejects.toThrow('Duplicate');
    // A row written and then a failing statement: the transaction rolls back, the bytes go.
    await expect(
      storeUpload(target, body('rolled back'), async (tx, upload) => {
        await addFile('rolled.bin')(tx, upload);
        await tx.$executeRaw`SELECT 1/0`;
      }),
    ).rejects.toThrow();
    expect(await state()).toEqual(before);
    expect(deleted).toHaveLength(2);
  });

  it('refuses to commit an upload whose journal row the cleanup took as abandoned', async () => {
    const before = await state();
    // The cleanup removes the journal row while the bytes are still arriving.
    const slow = Readable.from((async function* () {
      yield Buffer.from('slow');
      await db.prisma.packageFileUpload.deleteMany({});
    })());
    await expect(
      storeUpload(target, slow, addFile('late.bin')),
    ).rejects.toBeInstanceOf(UploadAbandoned);
    expect(await state()).toEqual(before);
  });

  it.skipIf(testDbMode !== 'postgres')('serialises transactions on one package coordinate, not on others (PostgreSQL)', async () => {
    const coordinate = { projectId: 1, packageType: 'generic', name: 'tool', version: '1.0.0' };
    const order: string[] = [];
    let locked!: () => void;
    const firstHasLock = new Promise<void>((resolve) => (locked = resolve));
    const first = db.prisma.$transaction(async (tx) => {
      await lockPackageCoordinate(tx, coordinate);
      locked();
      await new Promise((resolve) => setTimeout(resolve, 300));
      order.push('first commits');
    });
    await firstHasLock;
    const other = db.prisma.$transaction(async (tx) => {
      await lockPackageCoordinate(tx, { ...coordinate, version: '2.0.0' });
      order.push('another version');
    });
    const second = db.prisma.$transaction(async (tx) => {
      await lockPackageCoordinate(tx, coordinate);
      order.push('second');
    });
    await Promise.all([first, second, other]);
    expect(order).toEqual(['another version', 'first commits', 'second']);
  });
});

describe('runCleanup', () => {
  it('removes the bytes and rows of files and packages pending destruction longer than the delay, and abandoned uploads', async () => {
    const kept = await storeUpload(target, body('kept'), addFile('kept.bin'));
    const gone = await storeUpload(target, body('gone'), addFile('gone.bin'));
    await db.prisma.packageFile.update({ where: { id: gone.id }, data: { status: 'pending_destruction' } });
    // An upload whose process died: a journal row and bytes, no file row.
    await db.prisma.packageFileUpload.create({ data: { objectKey: 'aa/bb/aabbcccc-0000-4000-8000-000000000000', createdAt: new Date(Date.now() - 25 * 3600_000) } });

    // Within the delay nothing goes.
    expect(await runCleanup({ prisma: db.prisma, storage, delaySeconds: 3600 })).toEqual({ files: 0, packages: 0, uploads: 1, sessions: 0 });
    expect(await db.prisma.packageFile.count({ where: { id: gone.id } })).toBe(1);

    const later = new Date(Date.now() + 2 * 3600_000);
    expect(await runCleanup({ prisma: db.prisma, storage, delaySeconds: 3600, now: later })).toEqual({ files: 1, packages: 0, uploads: 0, sessions: 0 });
    expect(await exists(gone.objectKey)).toBe(false);
    expect(await exists(kept.objectKey)).toBe(true);
    expect(await db.prisma.packageFile.findUnique({ where: { id: gone.id } })).toBeNull();

    // A deleted package: its files first, then the package itself.
    await markDeleted(packageId);
    expect(await runCleanup({ prisma: db.prisma, storage, delaySeconds: 0, now: later })).toMatchObject({ packages: 1 });
    expect(await exists(kept.objectKey)).toBe(false);
    expect(await db.prisma.package.findUnique({ where: { id: packageId } })).toBeNull();
    // Idempotent: nothing left to do.
    expect(await runCleanup({ prisma: db.prisma, storage, delaySeconds: 0, now: later })).toEqual({ files: 0, packages: 0, uploads: 0, sessions: 0 });
    expect(objects()).toHaveLength(0);
  });

  it.skipIf(testDbMode !== 'postgres')('deletes each object once when several processes run it at the same time (PostgreSQL)', async () => {
    const project = await db.prisma.project.findFirstOrThrow();
    const pkg = await db.prisma.package.create({ data: { projectId: project.id, name: 'many', version: '1.0.0', packageType: 'generic' } });
    packageId = pkg.id;
    for (let i = 0; i < 30; i++) await storeUpload(target, body(`file ${i}`), addFile(`f${i}.bin`));
    await markDeleted(pkg.id);
    deleted.length = 0;
    const others = await Promise.all([1, 2, 3].map(() => openDatabase({ databaseUrl: db.url!, dataDir: '', poolSize: 2 })));
    try {
      const reports = await Promise.all(
        [db.prisma, ...others.map((o) => o.prisma)].map((prisma) => runCleanup({ prisma, storage, delaySeconds: 0, batchSize: 4, now: new Date(Date.now() + 1000) })),
      );
      expect(reports.reduce((n, r) => n + r.files, 0)).toBe(30);
      expect(reports.reduce((n, r) => n + r.packages, 0)).toBe(1);
      expect(deleted).toHaveLength(30);
      expect(new Set(deleted).size).toBe(30);
      expect(objects()).toHaveLength(0);
    } finally {
      await Promise.all(others.map((o) => o.close()));
    }
  });
});

describe('startCleanupLoop', () => {
  it('runs the cleanup every interval in the background, and stop waits for a run under way', async () => {
    const project = await db.prisma.project.findFirstOrThrow();
    const pkg = await db.prisma.package.create({ data: { projectId: project.id, name: 'looped', version: '1.0.0', packageType: 'generic' } });
    packageId = pkg.id;
    const file = await storeUpload(target, body('looped bytes'), addFile('looped.bin'));
    await markDeleted(pkg.id);
    const logged: unknown[] = [];
    const logger = { info: (o: unknown) => logged.push(o), warn: (o: unknown) => logged.push(o) } as unknown as Parameters<typeof startCleanupLoop>[0]['logger'];
    const loop = startCleanupLoop({ prisma: db.prisma, storage, delaySeconds: 0, intervalSeconds: 1, logger });
    try {
      for (let i = 0; i < 40 && (await db.prisma.package.count({ where: { id: pkg.id } })) > 0; i++) await new Promise((r) => setTimeout(r, 100));
    } finally {
      await loop.stop();
    }
    expect(await db.prisma.package.findUnique({ where: { id: pkg.id } })).toBeNull();
    expect(await exists(file.objectKey)).toBe(false);
    expect(logged).toContainEqual({ cleanup: { files: 1, packages: 1, uploads: 0, sessions: 0 } });
  });
});
