// Serving a package file's bytes: the file's stored object, and the package's last_downloaded_at
// (GitLab's `present_package_file!`, which touches the package before sending the file).
import type { Readable } from 'node:stream';
import type { PackageFile, PrismaClient } from '../generated/prisma/client.ts';
import type { PackageStorage } from './storage/storage.ts';

/** A file ready to send: its row and its bytes. */
export interface Download {
  file: PackageFile;
  body: Readable;
}

/**
 * Opens the bytes of `file` and records the download on its package (`last_downloaded_at` = now, as
 * GitLab's Packages::Package#touch_last_downloaded_at). Null when the file has no bytes: a file loaded
 * from a fixture (metadata only), or an object the storage no longer has (GitLab's
 * `present_carrierwave_file!` answers 404 when `file.exists?` is false).
 */
export async function openDownload(prisma: PrismaClient, storage: PackageStorage, file: PackageFile, now = new Date()): Promise<Download | null> {
  if (file.objectKey === null) return null;
  const body = await storage.get(file.objectKey);
  if (!body) return null;
  try {
    // update_column: updated_at stays (Prisma's @updatedAt would move it).
    await prisma.$executeRaw`UPDATE packages_packages SET last_downloaded_at = ${now} WHERE id = ${file.packageId}`;
  } catch (error) {
    body.destroy();
    throw error;
  }
  return { file, body };
}
