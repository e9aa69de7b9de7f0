/**
 * The runtime every Veil process shares (`veil serve`, `veil worker`, the maintenance commands):
 * the database, the keyring, the blob store and pg-boss, wired once from configuration.
 */
import { join } from 'node:path';
import PgBoss from 'pg-boss';
import { createLocalFileKeyProvider } from '../crypto/key-providers/local-file.js';
import { assertKeyProviderRegion } from '../crypto/key-providers/region.js';
import type { KeyEncryptionKeyProvider } from '../crypto/key-providers/provider.js';
import { Keyring } from '../crypto/keyring.js';
import { CachedKeyringStore } from '../crypto/cached-keyring-store.js';
import { ensureJobQueues } from '../pipeline/jobs/queues.js';
import type { QueueSettings } from '../pipeline/jobs/queues.js';
import { guardQueueRejections } from '../pipeline/queue-rejections.js';
import {
  DatabaseKeyringStore,
  EncryptedFileBlobStore,
  openDatabase,
  openS3BlobStore,
  pgBossDb,
  PostgresBlobStore,
  preparedStatementsFromEnv,
  veilDataDir,
} from '../store/index.js';
import type { BlobSettings, BlobStore, DatabaseHandle, S3BlobStore } from '../store/index.js';

/** Where {@link openRuntime} finds its database and data directory. */
export interface RuntimeOptions {
  /** The data directory: the PGlite database (unless `databaseUrl`), the key file and `blobs/`. Default `VEIL_DATA_DIR` or `./.veil`. */
  readonly dataDir?: string;
  /** A PostgreSQL connection string; PGlite in the data directory when absent. */
  readonly databaseUrl?: string;
  /**
   * PostgreSQL: statements run as named prepared statements (`src/store/named-statements.ts`).
   * Default `VEIL_PG_PREPARED_STATEMENTS` (true unless `false`, `0` or `no`).
   */
  readonly preparedStatements?: boolean;
  /** The KEK provider; default a local key file, `<dataDir>/kek.key` (0600, created on first use). */
  readonly keyProvider?: KeyEncryptionKeyProvider;
  /**
   * The deployment's region (`VEIL_REGION`): the default key file is labelled with it, and a
   * given provider in another region (or none) is refused with `VEIL_REGION_MISMATCH`.
   */
  readonly region?: string;
  /**
   * Where encrypted blobs live (`VEIL_BLOBS`): `file`, under `<dataDir>/blobs` (default),
   * `postgres`, in the database, or an S3 bucket (`{ driver: 's3', bucket, ... }`), so processes
   * that share only the database and the bucket share blobs too.
   */
  readonly blobs?: BlobSettings;
  /** Settings for the queues, used only when this process is the first to create them. */
  readonly queues?: QueueSettings;
  /** pg-boss supervision (expiring steps whose worker died, archiving); default every 60 s. */
  readonly maintenanceIntervalSeconds?: number;
  /** pg-boss's own errors (a lost connection while polling); it keeps polling after each. */
  readonly onQueueError?: (error: Error) => void;
}

/** The store, keys, blobs and queue of a Veil process. */
export interface Runtime {
  readonly dataDir: string;
  readonly handle: DatabaseHandle;
  readonly boss: PgBoss;
  readonly keyring: Keyring;
  readonly blobs: BlobStore;
  /** Stops pg-boss (failing its in-flight steps back to retry) and closes the database. */
  close(): Promise<void>;
}

/**
 * How long a process keeps a tenant's data-key records (wrapped; subject keys are never kept):
 * a rotation, retirement or tenant destruction made by another process takes effect here within
 * this time.
 */
export const KEY_RECORDS_TTL_MS = 5_000;

/**
 * Opens everything a Veil process needs: the database (migrated), the keyring (data keys in the
 * database, wrapped by the KEK provider), the encrypted blob store (under `<dataDir>/blobs`, in
 * the database with `blobs: 'postgres'`, or in an S3 bucket, checked before anything else starts), and
 * pg-boss on the same database with the job queues created.
 *
 * @example
 * ```ts
 * const runtime = await openRuntime({ databaseUrl: process.env.DATABASE_URL });
 * try {
 *   await submitJob({ db: runtime.handle.db, blobs: runtime.blobs, boss: runtime.boss }, request);
 * } finally {
 *   await runtime.close();
 * }
 * ```
 */
export async function openRuntime(options: RuntimeOptions = {}): Promise<Runtime> {
  const dataDir = options.dataDir ?? veilDataDir(process.env, process.cwd());
  const provider =
    options.keyProvider ??
    createLocalFileKeyProvider({
      path: join(dataDir, 'kek.key'),
      ...(options.region === undefined ? {} : { region: options.region }),
    });
  // Before the database opens: a deployment pinned to a region never starts on a foreign KEK.
  assertKeyProviderRegion(provider, options.region);
  const handle = await openDatabase(
    options.databaseUrl !== undefined && options.databaseUrl !== ''
      ? {
          driver: 'postgres',
          connectionString: options.databaseUrl,
          preparedStatements: options.preparedStatements ?? preparedStatementsFromEnv(process.env),
        }
      : { driver: 'pglite', dataDir: join(dataDir, 'pglite') },
  );
  let boss: PgBoss | undefined;
  let s3: S3BlobStore | undefined;
  try {
    const keyring = new Keyring({
      provider,
      // Each tenant's key records are read once per few seconds, not once or twice per object a
      // job stores or reads; a rotation or retirement by another process is seen within that.
      store: new CachedKeyringStore(new DatabaseKeyringStore(handle.db), { ttlMs: KEY_RECORDS_TTL_MS }),
    });
    let blobs: BlobStore;
    if (options.blobs === 'postgres') blobs = new PostgresBlobStore({ db: handle.db, keyring });
    else if (typeof options.blobs === 'object') {
      s3 = await openS3BlobStore(options.blobs, keyring);
      blobs = s3;
    } else {
      const files = new EncryptedFileBlobStore({ directory: join(dataDir, 'blobs'), keyring });
      // A process killed mid-write leaves a ciphertext temp file; the next one to start reclaims it.
      await files
        .sweepTempFiles()
        .catch((error: unknown) =>
          options.onQueueError?.(error instanceof Error ? error : new Error('blob temp sweep failed')),
        );
      blobs = files;
    }
    boss = new PgBoss({
      db: pgBossDb(handle),
      schedule: false,
      supervise: true,
      maintenanceIntervalSeconds: options.maintenanceIntervalSeconds ?? 60,
    });
    // Unhandled, an 'error' event would end the process; pg-boss retries its own polling.
    boss.on('error', (error) => options.onQueueError?.(error));
    guardQueueRejections(options.onQueueError);
    await boss.start();
    await ensureJobQueues(boss, options.queues);
    const started = boss;
    let closed: Promise<void> | undefined;
    return {
      dataDir,
      handle,
      boss: started,
      keyring,
      blobs,
      close: () =>
        (closed ??= (async () => {
          await started.stop({ graceful: true, close: false, wait: true, timeout: 5000 });
          await handle.close();
          s3?.close();
        })()),
    };
  } catch (error) {
    await boss?.stop({ graceful: false, close: false, wait: true }).catch(() => {});
    await handle.close();
    s3?.close();
    throw error;
  }
}
