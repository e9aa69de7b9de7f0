/**
 * The blob drivers a deployment chooses between (`VEIL_BLOBS`), and the one that needs a client
 * library. The AWS SDK is imported only when the S3 driver is chosen, so the default install
 * never loads it.
 */
import type { Keyring } from '../crypto/keyring.js';
import type { S3BlobStore, S3BlobStoreOptions } from './s3-blob-store.js';

/** The blob drivers `VEIL_BLOBS` selects: the data directory's files, the database, or an S3 bucket. */
export const BLOB_DRIVERS = ['file', 'postgres', 's3'] as const;
export type BlobDriver = (typeof BLOB_DRIVERS)[number];

/** The S3 driver and its bucket, prefix and client settings. */
export type S3BlobSettings = { readonly driver: 's3' } & S3BlobStoreOptions;

/**
 * Where a process keeps its blobs: `file` (encrypted files under the data directory), `postgres`
 * (encrypted chunks in the database) or an S3 bucket.
 */
export type BlobSettings = Exclude<BlobDriver, 's3'> | S3BlobSettings;

/**
 * Opens the S3 blob store and checks its bucket, so a missing bucket
 * (`VEIL_STORE_BUCKET_MISSING`) or refused credentials (`VEIL_STORE_ACCESS_DENIED`) stop the
 * start rather than the first job.
 *
 * @example
 * ```ts
 * const blobs = await openS3BlobStore({ driver: 's3', bucket: 'veil-blobs', region: 'eu-west-1' }, keyring);
 * ```
 */
export async function openS3BlobStore(settings: S3BlobSettings, keyring: Keyring): Promise<S3BlobStore> {
  const { S3BlobStore: Store } = await import('./s3-blob-store.js');
  const store = new Store(settings, keyring);
  try {
    await store.check();
  } catch (error) {
    store.close();
    throw error;
  }
  return store;
}
