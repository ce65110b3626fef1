// A gateway over real HTTP for the package-client tests (curl, the npm CLI): a fresh database with
// `fixture`, the package storage of `kind` (a temporary directory, or a bucket of an s3rver started
// here), and the cleanup of everything on `close`.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDirectoryStorage } from '../../src/domain/storage/directory.ts';
import { openS3Storage } from '../../src/domain/storage/s3.ts';
import type { PackageStorage } from '../../src/domain/storage/storage.ts';
import { loadFixture } from '../../src/fixture/load.ts';
import { createLogger } from '../../src/logger.ts';
import { closeServer, createApp, listen } from '../../src/server.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { startTestS3 } from '../support/s3-server.ts';

export type StorageKind = 'directory' | 's3';

export interface PackageServer {
  url: string;
  db: TestDatabase;
  storage: PackageStorage;
  close(): Promise<void>;
}

export async function startPackageServer(kind: StorageKind, fixture: Parameters<typeof loadFixture>[1], maxFileBytes = 64 * 1024 * 1024): Promise<PackageServer> {
  const db = await createTestDatabase();
  await loadFixture(db.prisma, fixture);
  const cleanups: (() => Promise<void> | void)[] = [];
  let storage: PackageStorage;
  if (kind === 's3') {
    const s3 = await startTestS3();
    cleanups.push(() => s3.stop());
    storage = await openS3Storage(s3.location);
  } else {
    const root = mkdtempSync(path.join(os.tmpdir(), 'pgw-client-files-'));
    cleanups.push(() => rmSync(root, { recursive: true, force: true }));
    storage = await openDirectoryStorage(root);
  }
  const app = createApp({ db, config: { publicUrl: undefined, graphiql: false, exposeErrors: false }, logger: createLogger('silent'), files: { storage, maxFileBytes } });
  const { server, url } = await listen(app, 0, '127.0.0.1');
  return {
    url,
    db,
    storage,
    async close() {
      await closeServer(server);
      await storage.close();
      await db.close();
      for (const cleanup of cleanups.reverse()) await cleanup();
    },
  };
}
