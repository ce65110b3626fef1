// Where the bytes of package files live: one small interface (put a stream, get a stream, delete) with
// two implementations, a directory (directory.ts) and S3-compatible object storage (s3.ts), chosen by
// configuration. Every gateway instance sharing a database must share the storage too: the S3 one for
// several machines, the directory one on one machine (or a shared file system).
//
// A put computes the file's size and digests while the bytes pass (nothing is buffered whole) and
// stops at a size limit; an object becomes readable only when all its bytes are stored, and a failed
// or refused put leaves nothing behind.
import { createHash, randomUUID, type Hash } from 'node:crypto';
import { Transform, type Readable, type TransformCallback } from 'node:stream';

/** What a put learned of the bytes it stored. Digests are lower-case hex, except sha512 (base64, as npm's `integrity`). */
export interface StoredObject {
  /** Bytes stored. */
  size: number;
  md5: string;
  sha1: string;
  sha256: string;
  /** Base64 SHA-512, the digest of npm's `dist.integrity` (`sha512-<this>`). */
  sha512: string;
}

/** The body was longer than the put's limit; nothing was stored. */
export class FileTooLarge extends Error {
  override name = 'FileTooLarge';
  constructor(readonly limitBytes: number) {
    super(`the file is larger than ${limitBytes} bytes`);
  }
}

/** The storage itself failed (unreachable, full, refused); nothing was stored. */
export class StorageError extends Error {
  override name = 'StorageError';
}

export interface PackageStorage {
  /** Where the files are, for logs (no credentials). */
  readonly describe: string;
  /**
   * Streams `body` into the object `key` (a key from `newObjectKey`), computing its size and digests
   * on the way. More than `limitBytes` bytes: FileTooLarge. A body that fails (a client that goes away)
   * rejects with its error. Either way nothing is left under `key`. The object is readable once the
   * promise resolves.
   */
  put(key: string, body: Readable | AsyncIterable<Uint8Array>, limitBytes: number): Promise<StoredObject>;
  /** The object's bytes as a stream, or null when there is no such object. */
  get(key: string): Promise<Readable | null>;
  /** Removes the object; removing a missing object is no error (deletes are retried by the cleanup). */
  delete(key: string): Promise<void>;
  /**
   * Removes what a put cut short by a crash left behind before `olderThan` (the directory's partial
   * files; S3 buckets expire incomplete multipart uploads by their own lifecycle rules).
   */
  sweep?(olderThan: Date): Promise<void>;
  close(): Promise<void>;
}

/**
 * A new object key: `ab/cd/abcd…` (a random UUID, fanned out over two directory levels so that no
 * directory or key prefix holds more than a few thousand entries).
 */
export function newObjectKey(): string {
  const id = randomUUID();
  return `${id.slice(0, 2)}/${id.slice(2, 4)}/${id}`;
}

const keyShape = /^[0-9a-f]{2}\/[0-9a-f]{2}\/[0-9a-f-]{36}$/;

/** Refuses a key `newObjectKey` could not have made (a stored key is never a path from a request). */
export function checkObjectKey(key: string): string {
  if (!keyShape.test(key)) throw new StorageError(`not an object key: ${JSON.stringify(key)}`);
  return key;
}

/**
 * A pass-through stream that counts and digests the bytes going through it, and fails with
 * FileTooLarge once more than `limitBytes` have passed. `result()` is valid after the stream ended.
 */
export class DigestingStream extends Transform {
  // Not `size` or `length`: @aws-sdk/lib-storage reads those as the body's total length.
  private passed = 0;
  private readonly hashes: Record<'md5' | 'sha1' | 'sha256' | 'sha512', Hash> = {
    md5: createHash('md5'),
    sha1: createHash('sha1'),
    sha256: createHash('sha256'),
    sha512: createHash('sha512'),
  };
  private digests: StoredObject | undefined;

  constructor(private readonly limitBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.passed += chunk.length;
    if (this.passed > this.limitBytes) {
      callback(new FileTooLarge(this.limitBytes));
      return;
    }
    for (const hash of Object.values(this.hashes)) hash.update(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    this.digests = {
      size: this.passed,
      md5: this.hashes.md5.digest('hex'),
      sha1: this.hashes.sha1.digest('hex'),
      sha256: this.hashes.sha256.digest('hex'),
      sha512: this.hashes.sha512.digest('base64'),
    };
    callback();
  }

  result(): StoredObject {
    if (!this.digests) throw new Error('DigestingStream.result() before the stream ended');
    return this.digests;
  }
}
