// Package files in S3-compatible object storage (AWS S3, MinIO, Ceph RGW, Garage, s3rver...), for
// several gateway instances on several machines: `s3://bucket/prefix?endpoint=...` (PACKAGE_STORAGE_URL).
// A put streams through @aws-sdk/lib-storage's Upload: one PutObject for a small file, a multipart
// upload in 5 MiB parts for a large one (at most four parts in memory at once); a failed or refused
// put aborts the multipart upload, and S3 makes an object visible only when it is complete.
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import { checkObjectKey, DigestingStream, StorageError, type PackageStorage, type StoredObject } from './storage.ts';
import type { S3Location } from '../../config.ts';

/** Where the objects are: PACKAGE_STORAGE_URL, parsed (config.ts). */export type { S3Location };

const isMissing = (error: unknown) => {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404;
};

/**
 * Opens the bucket and checks that it answers (HeadBucket), so that a wrong URL or credentials stop
 * the server at start instead of failing the first upload. The SDK is loaded only here.
 */
export async function openS3Storage(location: S3Location): Promise<PackageStorage> {
  const { S3Client, GetObjectCommand, DeleteObjectCommand, HeadBucketCommand } = await import('@aws-sdk/client-s3');
  const { Upload } = await import('@aws-sdk/lib-storage');
  const client: S3Client = new S3Client({
    region: location.region,
    forcePathStyle: location.forcePathStyle,
    ...(location.endpoint ? { endpoint: location.endpoint } : {}),
    ...(location.credentials ? { credentials: location.credentials } : {}),
    // Checksums only where S3 requires them: the flexible-checksum trailers (aws-chunked bodies) are
    // not understood by every S3-compatible server, and the gateway computes its own digests.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const describe = `s3://${location.bucket}/${location.prefix}${location.endpoint ? ` at ${location.endpoint}` : ''}`;
  try {
    await client.send(new HeadBucketCommand({ Bucket: location.bucket }));
  } catch (error) {
    client.destroy();
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    throw new StorageError(`package storage: bucket ${describe} is not usable${status ? ` (HTTP ${status})` : ''}: ${(error as Error).message || (error as Error).name}`);
  }
  const keyOf = (key: string) => `${location.prefix}${checkObjectKey(key)}`;

  return {
    describe,

    async put(key, body, limitBytes): Promise<StoredObject> {
      const digest = new DigestingStream(limitBytes);
      const upload = new Upload({ client, params: { Bucket: location.bucket, Key: keyOf(key), Body: digest }, leavePartsOnError: false });
      // The body's failure (or the limit) fails the digest stream, which fails the upload (aborted).
      const [fed, sent] = await Promise.allSettled([pipeline(body as Readable, digest), upload.done()]);
      if (fed.status === 'rejected') {
        await upload.abort().catch(() => {});
        // A small body is sent whole at its end: if the feed failed, nothing was, but be sure.
        await client.send(new DeleteObjectCommand({ Bucket: location.bucket, Key: keyOf(key) })).catch(() => {});
        throw fed.reason;
      }
      if (sent.status === 'rejected') throw new StorageError(`package storage: upload failed: ${(sent.reason as Error).message}`);
      return digest.result();
    },

    async get(key) {
      try {
        const answer = await client.send(new GetObjectCommand({ Bucket: location.bucket, Key: keyOf(key) }));
        return (answer.Body as Readable | undefined) ?? null;
      } catch (error) {
        if (isMissing(error)) return null;
        throw error;
      }
    },

    async delete(key) {
      await client.send(new DeleteObjectCommand({ Bucket: location.bucket, Key: keyOf(key) }));
    },

    async close() {
      client.destroy();
    },
  };
}
