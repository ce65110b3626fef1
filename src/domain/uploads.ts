// Taking in a package file: its bytes go to the package storage first, then its row is committed, so
// a file is visible only when it is whole. Every way an upload can fail (the client goes away, the
// body is too large or shorter than declared, a rule refuses it, the transaction fails) leaves no row
// and no bytes: the bytes are deleted, and until they are, the upload journal (package_file_uploads)
// names them, so that the cleanup (cleanup.ts) removes what a process that died mid-upload left.
import type { Readable } from 'node:stream';
import type { Prisma, PrismaClient } from '../generated/prisma/client.ts';
import { newObjectKey, type PackageStorage, type StoredObject } from './storage/storage.ts';

/** Where uploads go and how large they may be: one per server. */
export interface UploadTarget {
  prisma: PrismaClient;
  storage: PackageStorage;
  /** The largest file accepted, in bytes (MAX_PACKAGE_FILE_BYTES). */
  maxFileBytes: number;
}

/** A stored upload: the digests of its bytes and the object key its file row must name. */
export interface StoredUpload extends StoredObject {
  objectKey: string;
}

/** The body ended before the `Content-Length` it declared (a client cut off); nothing was kept. */
export class UploadIncomplete extends Error {
  override name = 'UploadIncomplete';
  constructor(
    readonly declared: number,
    readonly received: number,
  ) {
    super(`the upload ended after ${received} of ${declared} bytes`);
  }
}

/** The upload's journal row was gone at commit (the cleanup took it as abandoned); nothing was kept. */
export class UploadAbandoned extends Error {
  override name = 'UploadAbandoned';
}

/** Interactive transactions that add a file wait for row locks of concurrent uploads: allow them time. */
const commitOptions = { maxWait: 10_000, timeout: 30_000 } as const;

/**
 * Stores `body` and, in one transaction, runs `commit` with its digests and object key (commit writes
 * the file's row; it may throw to refuse the file). Resolves to what `commit` returns once the row is
 * committed. On any failure the bytes are deleted (and, should that fail too, left to the cleanup
 * through the journal) and the error is rethrown: FileTooLarge beyond `target.maxFileBytes` (or
 * `limitBytes` when smaller), UploadIncomplete when `declaredBytes` is given and not what arrived, the
 * body's own error when the client went away, `ready`'s error, or commit's error. `ready` (optional)
 * is awaited after the bytes are stored and before the transaction opens.
 */
export async function storeUpload<T>(
  target: UploadTarget,
  body: Readable | AsyncIterable<Uint8Array>,
  commit: (tx: Prisma.TransactionClient, upload: StoredUpload) => Promise<T>,
  options: { declaredBytes?: number; limitBytes?: number; ready?: Promise<unknown> } = {},
): Promise<T> {
  const { prisma, storage } = target;
  const objectKey = newObjectKey();
  await prisma.packageFileUpload.create({ data: { objectKey } });
  const forget = async () => {
    try {
      await storage.delete(objectKey);
      await prisma.packageFileUpload.deleteMany({ where: { objectKey } });
    } catch {
      // The journal row stays (or the bytes do): the cleanup removes both once the row is old.
    }
  };
  try {
    const stored = await storage.put(objectKey, body, Math.min(target.maxFileBytes, options.limitBytes ?? Infinity));
    if (options.declaredBytes !== undefined && stored.size !== options.declaredBytes) {
      throw new UploadIncomplete(options.declaredBytes, stored.size);
    }
    // What the commit needs besides the bytes (the rest of a document the file came in), before the transaction opens.
    await options.ready;
    return await prisma.$transaction(async (tx) => {
      const journal = await tx.packageFileUpload.deleteMany({ where: { objectKey } });
      if (journal.count !== 1) throw new UploadAbandoned('the upload took so long that the cleanup removed it');
      return commit(tx, { ...stored, objectKey });
    }, commitOptions);
  } catch (error) {
    await forget();
    throw error;
  }
}

/**
 * Takes a transaction-scoped advisory lock on one package coordinate (project, type, name, version),
 * so that concurrent uploads to the same package find or create it one after the other instead of
 * creating it twice (PostgreSQL's pg_advisory_xact_lock; released at commit or rollback).
 */
export async function lockPackageCoordinate(
  tx: Prisma.TransactionClient,
  coordinate: { projectId: number; packageType: string; name: string; version: string | null },
): Promise<void> {
  const key = JSON.stringify([coordinate.packageType, coordinate.name, coordinate.version]);
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${coordinate.projectId}::int, hashtext(${key}))`;
}
