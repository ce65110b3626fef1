// A real S3-compatible server for the tests (s3rver, from npm: S3's REST API over a directory), on a
// free loopback port with one empty bucket, and the PACKAGE_STORAGE_URL that names it.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';
import type { S3Location } from '../../src/config.ts';

export interface TestS3 {
  location: S3Location;
  /** PACKAGE_STORAGE_URL for a gateway process. */
  url: string;
  /** The objects' directory (s3rver keeps `<bucket>/<key>._S3rver_object` files there). */
  directory: string;
  stop(): Promise<void>;
}

export async function startTestS3(bucket = 'packages'): Promise<TestS3> {
  const directory = mkdtempSync(path.join(os.tmpdir(), 'pgw-s3-'));
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory, configureBuckets: [{ name: bucket, configs: [] }] });
  const { port } = (await server.run()) as { port: number };
  const endpoint = `http://127.0.0.1:${port}`;
  // s3rver accepts its own fixed credentials.
  const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  return {
    location: { bucket, prefix: 'files/', endpoint, region: 'us-east-1', forcePathStyle: true, credentials },
    url: `s3://S3RVER:S3RVER@${bucket}/files/?endpoint=${encodeURIComponent(endpoint)}`,
    directory,
    stop: async () => {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
