/**
 * The S3 blob driver (`VEIL_BLOBS=s3`): envelope-encrypted objects in a bucket of any
 * S3-compatible store (AWS S3, MinIO, Ceph, R2...), through the official AWS SDK client, so
 * processes on several machines share blobs without a shared file system. Objects are sealed
 * under the tenant's data key before the client sees them: the store holds ciphertext under
 * random opaque names, and nothing about a person, a document or a tenant can be read from a key.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import type { Keyring } from '../crypto/keyring.js';
import { VeilError } from '../errors/veil-error.js';
import { checkBlobName, isBlobName, sealNewBlob } from './blob-store.js';
import type { BlobRef, BlobStore } from './blob-store.js';

/** Where the S3 driver keeps objects, and how it reaches the store. */
export interface S3BlobStoreOptions {
  readonly bucket: string;
  /** A key prefix (`veil/prod`), without leading or trailing slash; objects go at the bucket's root when absent. */
  readonly prefix?: string;
  /** The AWS region; the SDK's usual chain (`AWS_REGION`, the profile) when absent. */
  readonly region?: string;
  /** Another S3-compatible service (`http://127.0.0.1:9000`); AWS when absent. */
  readonly endpoint?: string;
  /** Path-style addressing (`endpoint/bucket/key`), which most self-hosted stores need. */
  readonly forcePathStyle?: boolean;
  /** More client settings (credentials, retries); credentials come from the SDK's usual chain when absent. */
  readonly clientConfig?: S3ClientConfig;
  /** A ready client, instead of one built from the settings above. */
  readonly client?: S3Client;
}

// Answers that mean the credentials, or what they may do, were refused.
const DENIED = new Set([
  'AccessDenied',
  'Forbidden',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'InvalidToken',
  'TokenRefreshRequired',
  'CredentialsProviderError',
]);

interface SdkErrorShape {
  readonly name?: string;
  readonly Code?: string;
  readonly code?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

/** The S3 error name and HTTP status of a failed call, and nothing else of it. */
function describeFailure(error: unknown): { name: string; status: number | undefined } {
  const shape = (typeof error === 'object' && error !== null ? error : {}) as SdkErrorShape;
  const name = shape.Code ?? shape.name ?? shape.code ?? 'unknown error';
  return {
    name: /^[A-Za-z0-9_.-]{1,64}$/.test(name) ? name : 'unknown error',
    status: shape.$metadata?.httpStatusCode,
  };
}

/**
 * Encrypted blobs in an S3 bucket. Contents are Veil envelopes bound to tenant, name and
 * artifact class, exactly as the file and database drivers store them. Errors name the bucket,
 * the S3 error and the setting to fix; never a credential, and never content.
 *
 * @example
 * ```ts
 * const blobs = new S3BlobStore({ bucket: 'veil-blobs', prefix: 'prod', region: 'eu-west-1' }, keyring);
 * await blobs.check(); // VEIL_STORE_BUCKET_MISSING or VEIL_STORE_ACCESS_DENIED before any job runs
 * const ref = await blobs.put({ tenantId: 't1', artifactClass: 'source-document' }, bytes);
 * const back = await blobs.get(ref);
 * await blobs.delete(ref);
 * ```
 */
export class S3BlobStore implements BlobStore {
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #prefix: string;
  readonly #keyring: Keyring;

  constructor(options: S3BlobStoreOptions, keyring: Keyring) {
    if (typeof options.bucket !== 'string' || options.bucket.length === 0)
      throw new VeilError('VEIL_INVALID_OPTION', 'S3 blob store: `bucket` must be a non-empty string');
    this.#bucket = options.bucket;
    const prefix = (options.prefix ?? '').replace(/^\/+|\/+$/g, '');
    this.#prefix = prefix === '' ? '' : `${prefix}/`;
    this.#keyring = keyring;
    this.#client =
      options.client ??
      new S3Client({
        ...options.clientConfig,
        ...(options.region === undefined ? {} : { region: options.region }),
        ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
        ...(options.forcePathStyle === undefined ? {} : { forcePathStyle: options.forcePathStyle }),
        // Checksums only where S3 requires them: many S3-compatible stores refuse the newer
        // trailing-checksum uploads, and each envelope carries its own AES-GCM tag anyway.
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      });
  }

  /** The object key of a blob name: the prefix and the opaque name, nothing else. */
  #key(name: string): string {
    checkBlobName(name);
    return `${this.#prefix}${name}`;
  }

  /** A failed call as a stable code; a missing object is for the caller to decide. */
  #fail(operation: string, error: unknown): VeilError {
    const { name, status } = describeFailure(error);
    const what = `S3 blob store: ${operation} in bucket "${this.#bucket}" failed (${name}${status === undefined ? '' : `, HTTP ${status}`})`;
    // The SDK's error is not kept as the cause: its fields may hold the access key id.
    const cause = new Error(`${name}${status === undefined ? '' : ` (HTTP ${status})`}`);
    if (name === 'NoSuchBucket' || (operation === 'HeadBucket' && status === 404))
      return new VeilError(
        'VEIL_STORE_BUCKET_MISSING',
        `S3 blob store: bucket "${this.#bucket}" does not exist at this endpoint; create it or fix VEIL_S3_BUCKET (Veil never creates buckets)`,
        { cause },
      );
    if (DENIED.has(name) || status === 401 || status === 403)
      return new VeilError(
        'VEIL_STORE_ACCESS_DENIED',
        `${what}: the store refused the credentials or their permissions; check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (or the profile or role) and the bucket policy`,
        { cause },
      );
    if (/region is missing/i.test(error instanceof Error ? error.message : ''))
      return new VeilError(
        'VEIL_CONFIG_INVALID',
        'S3 blob store: no region: set VEIL_S3_REGION (or AWS_REGION)',
        { cause },
      );
    return new VeilError('VEIL_STORE_UNAVAILABLE', `${what}; check VEIL_S3_ENDPOINT and the network`, {
      cause,
    });
  }

  /**
   * Checks that the bucket exists and the credentials may use it, so a wrong setting stops the
   * start rather than the first job.
   *
   * @example
   * ```ts
   * await blobs.check();
   * ```
   */
  async check(): Promise<void> {
    try {
      await this.#client.send(new HeadBucketCommand({ Bucket: this.#bucket }));
    } catch (error) {
      throw this.#fail('HeadBucket', error);
    }
  }

  async put(target: Omit<BlobRef, 'name'>, content: Uint8Array): Promise<BlobRef> {
    const { ref, sealed } = await sealNewBlob(this.#keyring, target, content);
    try {
      await this.#client.send(
        new PutObjectCommand({
          Bucket: this.#bucket,
          Key: this.#key(ref.name),
          Body: sealed,
          ContentLength: sealed.length,
          ContentType: 'application/octet-stream',
        }),
      );
    } catch (error) {
      throw this.#fail('PutObject', error);
    }
    return ref;
  }

  async get(ref: BlobRef): Promise<Buffer> {
    const key = this.#key(ref.name);
    let sealed: Buffer;
    try {
      const answer = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: key }));
      if (answer.Body === undefined) throw notFound();
      sealed = Buffer.from(await answer.Body.transformToByteArray());
    } catch (error) {
      if (error instanceof VeilError) throw error;
      const { name, status } = describeFailure(error);
      if (name === 'NoSuchKey' || (status === 404 && name !== 'NoSuchBucket')) throw notFound();
      throw this.#fail('GetObject', error);
    }
    return this.#keyring.decrypt(
      { tenantId: ref.tenantId, objectId: ref.name, artifactClass: ref.artifactClass },
      sealed,
    );
  }

  async exists(ref: BlobRef): Promise<boolean> {
    const key = this.#key(ref.name);
    try {
      await this.#client.send(new HeadObjectCommand({ Bucket: this.#bucket, Key: key }));
      return true;
    } catch (error) {
      const { name, status } = describeFailure(error);
      if (name === 'NotFound' || name === 'NoSuchKey' || status === 404) return false;
      throw this.#fail('HeadObject', error);
    }
  }

  async delete(ref: BlobRef): Promise<void> {
    await this.deleteStored(ref.name);
  }

  /**
   * Deletes an object by name alone (a restore undoing what it wrote); absent is not an error.
   *
   * @example
   * ```ts
   * await blobs.deleteStored(name);
   * ```
   */
  async deleteStored(name: string): Promise<void> {
    const key = this.#key(name);
    try {
      // S3 answers 204 for an absent key too: deleting twice is not an error.
      await this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: key }));
    } catch (error) {
      throw this.#fail('DeleteObject', error);
    }
  }

  /**
   * The names of the stored objects under this store's prefix, page by page, as stored (for
   * `veil backup`). Keys that are not blob names (another tool's objects) are left out.
   *
   * @example
   * ```ts
   * for await (const names of blobs.storedNames()) console.log(names.length);
   * ```
   */
  async *storedNames(pageSize = 1000): AsyncGenerator<string[]> {
    let token: string | undefined;
    do {
      let page;
      try {
        page = await this.#client.send(
          new ListObjectsV2Command({
            Bucket: this.#bucket,
            Prefix: this.#prefix,
            MaxKeys: pageSize,
            ...(token === undefined ? {} : { ContinuationToken: token }),
          }),
        );
      } catch (error) {
        throw this.#fail('ListObjectsV2', error);
      }
      const names = (page.Contents ?? [])
        .map((object) => (object.Key ?? '').slice(this.#prefix.length))
        .filter((name) => isBlobName(name));
      if (names.length > 0) yield names;
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  /**
   * An object's bytes exactly as stored (the sealed envelope, never opened here), or undefined
   * when it is gone; for `veil backup`.
   *
   * @example
   * ```ts
   * const sealed = await blobs.readStored(name);
   * ```
   */
  async readStored(name: string): Promise<Buffer | undefined> {
    try {
      const answer = await this.#client.send(
        new GetObjectCommand({ Bucket: this.#bucket, Key: this.#key(name) }),
      );
      if (answer.Body === undefined) return undefined;
      return Buffer.from(await answer.Body.transformToByteArray());
    } catch (error) {
      const { name: code, status } = describeFailure(error);
      if (code === 'NoSuchKey' || (status === 404 && code !== 'NoSuchBucket')) return undefined;
      throw this.#fail('GetObject', error);
    }
  }

  /**
   * Stores bytes already sealed (a backup's object) under their name, as they were; for `veil
   * restore`.
   *
   * @example
   * ```ts
   * await blobs.writeStored(name, sealed);
   * ```
   */
  async writeStored(name: string, sealed: Uint8Array): Promise<void> {
    try {
      await this.#client.send(
        new PutObjectCommand({
          Bucket: this.#bucket,
          Key: this.#key(name),
          Body: sealed,
          ContentLength: sealed.length,
          ContentType: 'application/octet-stream',
        }),
      );
    } catch (error) {
      throw this.#fail('PutObject', error);
    }
  }

  /** Closes the client's connections. */
  close(): void {
    this.#client.destroy();
  }
}

function notFound(): VeilError {
  return new VeilError('VEIL_NOT_FOUND', 'blob store: no such blob (it may have been deleted)');
}
