// The package storage the configuration names (PACKAGE_STORAGE_URL, else PACKAGE_STORAGE_PATH).
import type { PackageStorageConfig } from '../../config.ts';
import { openDirectoryStorage } from './directory.ts';
import { openS3Storage } from './s3.ts';
import type { PackageStorage } from './storage.ts';

/** Opens (and checks) the configured storage; throws StorageError with a one-line reason when it is not usable. */
export function openPackageStorage(config: PackageStorageConfig): Promise<PackageStorage> {
  return config.kind === 's3' ? openS3Storage(config.location) : openDirectoryStorage(config.path);
}
