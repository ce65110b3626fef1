// The background cleanup (GitLab's Packages::CleanupPackageFileWorker and
// Packages::CleanupPackageRegistryWorker): deleting a package or a file only marks it
// pending_destruction; once it has been so for the configured delay, this removes its bytes from the
// package storage and then its row. It also removes uploads a dead process left half done (journal
// rows older than a day), the storage's own partial files, and expired browser sessions.
//
// Several gateway processes may run it at once: each batch takes its rows with FOR UPDATE SKIP LOCKED,
// so a row is handled by one process; the storage's delete is idempotent, so a batch that fails after
// deleting some objects (its rows stay) is simply done again.
import type { PrismaClient } from '../generated/prisma/client.ts';
import type { Logger } from '../logger.ts';
import { removeExpiredSessions } from './sessions.ts';
import type { PackageStorage } from './storage/storage.ts';

export interface CleanupOptions {
  prisma: PrismaClient;
  storage: PackageStorage;
  /** How long a file or package stays pending_destruction before it is removed, in seconds. */
  delaySeconds: number;
  /** Rows per transaction (default 100). */
  batchSize?: number;
  /** The clock (tests). */
  now?: Date;
}

/** What one run removed. */
export interface CleanupReport {
  files: number;
  packages: number;
  /** Abandoned uploads (journal rows and their bytes). */
  uploads: number;
  /** Expired browser sessions. */
  sessions: number;
}

/** An upload still in the journal after this long is taken as abandoned (its process died). */
export const abandonedUploadSeconds = 24 * 3600;

const batchTransaction = { maxWait: 10_000, timeout: 120_000 } as const;

/** Runs batches of `step` until one removes fewer rows than `size`; returns the rows removed. */
async function drain(size: number, step: () => Promise<number>): Promise<number> {
  let total = 0;
  for (;;) {
    const removed = await step();
    total += removed;
    if (removed < size) return total;
  }
}

/**
 * One cleanup run: pending_destruction files older than the delay (bytes, then rows), then
 * pending_destruction packages older than the delay that have no file left (their tags, metadata and
 * dependency links go with them), then abandoned uploads, then the storage's sweep, then expired
 * browser sessions. Safe to run from
 * several processes at once; a storage failure rejects, leaving the rows of the failed batch for the
 * next run.
 */
export async function runCleanup(options: CleanupOptions): Promise<CleanupReport> {
  const { prisma, storage } = options;
  const size = options.batchSize ?? 100;
  const now = options.now ?? new Date();
  const cutoff = new Date(now.getTime() - options.delaySeconds * 1000);
  const abandonedBefore = new Date(now.getTime() - abandonedUploadSeconds * 1000);

  const files = await drain(size, () =>
    prisma.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<{ id: number; object_key: string | null }[]>`
        SELECT id, object_key FROM packages_package_files
        WHERE status = 'pending_destruction' AND updated_at < ${cutoff}
        ORDER BY updated_at, id LIMIT ${size} FOR UPDATE SKIP LOCKED`;
      for (const row of rows) if (row.object_key !== null) await storage.delete(row.object_key);
      if (rows.length > 0) await tx.packageFile.deleteMany({ where: { id: { in: rows.map((r) => r.id) } } });
      return rows.length;
    }, batchTransaction),
  );

  const packages = await drain(size, async () => {
    const removed = await prisma.$executeRaw`
      DELETE FROM packages_packages WHERE id IN (
        SELECT p.id FROM packages_packages p
        WHERE p.status = 'pending_destruction' AND p.updated_at < ${cutoff}
          AND NOT EXISTS (SELECT 1 FROM packages_package_files f WHERE f.package_id = p.id)
        ORDER BY p.updated_at, p.id LIMIT ${size} FOR UPDATE SKIP LOCKED)`;
    return removed;
  });

  const uploads = await drain(size, () =>
    prisma.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<{ object_key: string }[]>`
        SELECT object_key FROM package_file_uploads WHERE created_at < ${abandonedBefore}
        ORDER BY created_at LIMIT ${size} FOR UPDATE SKIP LOCKED`;
      for (const row of rows) await storage.delete(row.object_key);
      if (rows.length > 0) await tx.packageFileUpload.deleteMany({ where: { objectKey: { in: rows.map((r) => r.object_key) } } });
      return rows.length;
    }, batchTransaction),
  );

  await storage.sweep?.(abandonedBefore);
  const sessions = await removeExpiredSessions(prisma, now);
  return { files, packages, uploads, sessions };
}

/** The running loop; `stop` waits for a run under way. */
export interface CleanupLoop {
  stop(): Promise<void>;
}

/**
 * Runs the cleanup every `intervalSeconds` (the first run one interval after start), never two runs
 * at once in this process; a failed run is logged and the next one tries again. The timer does not
 * keep the process alive. `intervalSeconds` 0: no loop.
 */
export function startCleanupLoop(options: Omit<CleanupOptions, 'now'> & { intervalSeconds: number; logger: Logger }): CleanupLoop {
  if (options.intervalSeconds <= 0) return { stop: async () => {} };
  let running: Promise<void> | undefined;
  const tick = () => {
    if (running) return;
    running = runCleanup(options)
      .then((report) => {
        if (report.files + report.packages + report.uploads + report.sessions > 0) options.logger.info({ cleanup: report }, 'package cleanup');
      })
      .catch((error: unknown) => options.logger.warn({ err: error }, 'package cleanup failed; retrying at the next interval'))
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(tick, options.intervalSeconds * 1000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
