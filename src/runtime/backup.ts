/**
 * `veil backup` and `veil restore`: one file holding a data directory's database (a logical dump
 * of Veil's tables), its blobs as stored (ciphertext), and its key files (the audit and token
 * signing keys; data keys are database rows, wrapped by the KEK). The key-encryption key itself
 * is never in a backup.
 *
 * The file is `VEIL-BACKUP 1\n`, a JSON header line, then a gzip of JSON lines sealed in
 * AES-256-GCM frames (`crypto/sealed-stream`) under a random backup key. The header holds that
 * key wrapped by the KEK provider, so a backup opens only where the same KEK is: for the local
 * key file, the operator keeps a copy of `kek.key` apart from the backups.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import {
  chmod,
  copyFile,
  mkdir,
  open,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { createInterface } from 'node:readline';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { sql } from 'kysely';
import { createLocalFileKeyProvider } from '../crypto/key-providers/local-file.js';
import type { KeyEncryptionKeyProvider, WrapContext } from '../crypto/key-providers/provider.js';
import { openStream, sealStream } from '../crypto/sealed-stream.js';
import { VeilError, isVeilError } from '../errors/veil-error.js';
import { enqueueStep } from '../pipeline/jobs/queues.js';
import { openRuntime } from './runtime.js';
import { appliedMigrations, dumpTables, restoreTables, tablesEmpty } from '../store/dump.js';
import type { TableRows } from '../store/dump.js';
import { DatabaseKeyringStore, MIGRATIONS, openDatabase, SYSTEM_SCOPE } from '../store/index.js';
import { isBlobName } from '../store/blob-store.js';
import type { BlobDriver, BlobSettings, DatabaseHandle, S3BlobStore } from '../store/index.js';
import { openS3BlobStore } from '../store/blob-drivers.js';
import { Keyring } from '../crypto/keyring.js';

const MAGIC = 'VEIL-BACKUP 1\n';
const FORMAT = 'veil.backup.v1';
/** The local KEK file's name in a data directory; never copied into a backup. */
export const KEK_FILE = 'kek.key';
const BLOB_DIR = 'blobs';
const PGLITE_DIR = 'pglite';

/** The clear header of a backup file (no secret: the backup key is wrapped by the KEK). */
interface BackupHeader {
  readonly format: typeof FORMAT;
  readonly created: string;
  readonly provider: string;
  readonly key_context: WrapContext;
  readonly wrapped_key: string;
}

type BackupRecord =
  | {
      readonly kind: 'meta';
      readonly driver: string;
      readonly migrations: readonly string[];
      /** Where the blobs were (`file`, `postgres`: rows of the dump, `s3`); absent in older backups. */
      readonly blobs?: BlobDriver;
    }
  | { readonly kind: 'file'; readonly path: string; readonly data: string }
  | { readonly kind: 'blob'; readonly path: string; readonly data: string }
  | ({ readonly kind: 'rows' } & TableRows)
  | { readonly kind: 'end'; readonly counts: BackupCounts };

/** What a backup holds, by count. */
export interface BackupCounts {
  /** Rows per table. */
  readonly rows: Readonly<Record<string, number>>;
  readonly blobs: number;
  /** Key files and other files at the top of the data directory (never `kek.key`). */
  readonly files: number;
}

/** Where the data lives: the data directory and, for PostgreSQL, the connection string. */
export interface BackupTarget {
  readonly dataDir: string;
  /** PostgreSQL; PGlite in `<dataDir>/pglite` when absent. */
  readonly databaseUrl?: string;
  /** The KEK provider; default the local key file `<dataDir>/kek.key`. */
  readonly keyProvider?: KeyEncryptionKeyProvider;
  /** Where the blobs are (`VEIL_BLOBS`); default the data directory's files. */
  readonly blobs?: BlobSettings;
}

const blobDriverOf = (settings: BlobSettings | undefined): BlobDriver =>
  settings === undefined ? 'file' : typeof settings === 'string' ? settings : settings.driver;

/** The target's S3 blob store, opened (bucket checked) for raw object access; undefined for the other drivers. */
async function openS3Target(
  target: BackupTarget,
  handle: DatabaseHandle,
  provider: KeyEncryptionKeyProvider,
): Promise<S3BlobStore | undefined> {
  const settings = target.blobs;
  if (settings === undefined || typeof settings === 'string') return undefined;
  // Objects are copied as stored (sealed); the keyring is the store's, never used to open them here.
  return openS3BlobStore(settings, new Keyring({ provider, store: new DatabaseKeyringStore(handle.db) }));
}

function openHandle(target: BackupTarget): Promise<DatabaseHandle> {
  return openDatabase(
    target.databaseUrl !== undefined && target.databaseUrl !== ''
      ? { driver: 'postgres', connectionString: target.databaseUrl }
      : { driver: 'pglite', dataDir: join(target.dataDir, PGLITE_DIR) },
  );
}

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined)) !== undefined;
}

/** Files under `dir`, as paths relative to it; temp files of interrupted writes are left out. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    },
  );
  return entries
    .filter((e) => e.isFile() && !e.name.startsWith('.tmp-'))
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

/** Regular files at the top of the data directory, except the KEK and temp files. */
async function topFiles(dataDir: string): Promise<string[]> {
  const entries = await readdir(dataDir, { withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name !== KEK_FILE && !e.name.endsWith('.tmp') && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort();
}

/**
 * Writes a backup of `target` to `output` (created 0600; written to a temp name and renamed, so a
 * failed backup leaves no partial file). The database is dumped from one snapshot while the
 * service runs on PostgreSQL; PGlite admits one process, so stop `veil serve` first.
 *
 * @example
 * ```ts
 * const counts = await createBackup({ dataDir: '.veil' }, 'veil-2026-01-01.backup');
 * ```
 */
export async function createBackup(target: BackupTarget, output: string): Promise<BackupCounts> {
  const provider = target.keyProvider ?? createLocalFileKeyProvider({ path: join(target.dataDir, KEK_FILE) });
  if (target.keyProvider === undefined && !(await exists(join(target.dataDir, KEK_FILE))))
    throw new VeilError(
      'VEIL_BACKUP_KEK_MISSING',
      `backup: ${join(target.dataDir, KEK_FILE)} does not exist; this is not a Veil data directory`,
    );
  const key = randomBytes(32);
  const context: WrapContext = { purpose: 'veil-backup', backup: randomUUID() };
  const header: BackupHeader = {
    format: FORMAT,
    created: new Date().toISOString(),
    provider: provider.id,
    key_context: context,
    wrapped_key: Buffer.from(await provider.wrapKey(key, context)).toString('base64'),
  };
  const headerLine = Buffer.from(`${MAGIC}${JSON.stringify(header)}\n`, 'utf8');
  const handle = await openHandle(target);
  let s3: S3BlobStore | undefined;
  try {
    s3 = await openS3Target(target, handle, provider);
  } catch (error) {
    await handle.close();
    throw error;
  }
  const temp = `${output}.${randomBytes(6).toString('hex')}.tmp`;
  const file = createWriteStream(temp, { mode: 0o600, flags: 'wx' });
  const lines = new PassThrough();
  const written = pipeline(lines, createGzip(), sealStream(key, headerLine), file);
  // A write error ends the pipeline early; its rejection is awaited below, not left unhandled.
  written.catch(() => {});
  const emit = async (record: BackupRecord): Promise<void> => {
    if (!lines.write(`${JSON.stringify(record)}\n`)) await Promise.race([once(lines, 'drain'), written]);
  };
  try {
    file.write(headerLine);
    await emit({
      kind: 'meta',
      driver: handle.driver,
      migrations: await appliedMigrations(handle.db),
      blobs: blobDriverOf(target.blobs),
    });
    let files = 0;
    for (const name of await topFiles(target.dataDir)) {
      await emit({
        kind: 'file',
        path: name,
        data: (await readFile(join(target.dataDir, name))).toString('base64'),
      });
      files += 1;
    }
    const rows = await dumpTables(handle.db, (batch) => emit({ kind: 'rows', ...batch }));
    // Blobs after the snapshot: a blob written meanwhile is extra, and harmless without its row.
    let blobs = 0;
    if (s3 !== undefined)
      for await (const names of s3.storedNames())
        for (const name of names) {
          // Gone since the listing (a retention sweep): gone from the live store too.
          const data = await s3.readStored(name);
          if (data === undefined) continue;
          await emit({ kind: 'blob', path: name, data: data.toString('base64') });
          blobs += 1;
        }
    const blobRoot = join(target.dataDir, BLOB_DIR);
    for (const path of await filesUnder(blobRoot)) {
      const data = await readFile(join(blobRoot, path)).catch((error: NodeJS.ErrnoException) => {
        // Deleted since the listing (a retention sweep): it is gone from the live store too.
        if (error.code === 'ENOENT') return undefined;
        throw error;
      });
      if (data === undefined) continue;
      await emit({ kind: 'blob', path: path.split(sep).join('/'), data: data.toString('base64') });
      blobs += 1;
    }
    const counts: BackupCounts = { rows, blobs, files };
    await emit({ kind: 'end', counts });
    lines.end();
    await written;
    await rename(temp, output);
    return counts;
  } catch (error) {
    lines.destroy();
    await written.catch(() => {});
    await rm(temp, { force: true });
    throw error;
  } finally {
    s3?.close();
    await handle.close();
  }
}

/** What {@link restoreBackup} takes. */
export interface RestoreOptions extends BackupTarget {
  /** The local KEK file to restore with; copied to `<dataDir>/kek.key`. Default: that file, which must then exist. */
  readonly kekFile?: string;
}

async function readHeader(path: string): Promise<{ header: BackupHeader; line: Buffer }> {
  const handle = await open(path, 'r').catch((cause: unknown) => {
    throw new VeilError('VEIL_FILE_NOT_FOUND', `restore: cannot read the backup file ${path}`, { cause });
  });
  try {
    const head = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const bytes = head.subarray(0, bytesRead);
    const end = bytes.indexOf(0x0a, MAGIC.length);
    if (bytes.subarray(0, MAGIC.length).toString('utf8') !== MAGIC || end < 0)
      throw new VeilError('VEIL_BACKUP_INVALID', 'restore: not a Veil backup file');
    let header: BackupHeader;
    try {
      header = JSON.parse(bytes.subarray(MAGIC.length, end).toString('utf8')) as BackupHeader;
    } catch {
      throw new VeilError('VEIL_BACKUP_INVALID', 'restore: the backup header is not valid JSON');
    }
    if (
      header.format !== FORMAT ||
      typeof header.wrapped_key !== 'string' ||
      typeof header.key_context !== 'object'
    )
      throw new VeilError('VEIL_BACKUP_INVALID', `restore: not a ${FORMAT} backup`);
    return { header, line: bytes.subarray(0, end + 1) };
  } finally {
    await handle.close();
  }
}

/** A path from a backup, confined to `root`: a crafted backup cannot write outside it. */
function inside(root: string, path: unknown): string {
  if (
    typeof path !== 'string' ||
    path.length === 0 ||
    path.startsWith('/') ||
    path.split('/').some((p) => p === '..' || p === '' || p === '.')
  )
    throw new VeilError('VEIL_BACKUP_INVALID', 'restore: the backup names a file outside the data directory');
  return join(root, ...path.split('/'));
}

async function directoryEmptyButKek(dataDir: string): Promise<boolean> {
  const entries = await readdir(dataDir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  return entries.every((name) => name === KEK_FILE);
}

/**
 * Restores a backup into an empty data directory (and, with `databaseUrl`, an empty PostgreSQL
 * database), then re-enqueues the jobs that were queued or running when it was taken: their
 * steps resume where their stored artifacts say they stopped.
 *
 * @throws VeilError `VEIL_BACKUP_KEK_MISSING` without the KEK, `VEIL_BACKUP_KEK_MISMATCH` with
 * another one, `VEIL_BACKUP_INVALID` for a damaged or altered file, `VEIL_RESTORE_NOT_EMPTY`.
 *
 * @example
 * ```ts
 * await restoreBackup('veil.backup', { dataDir: '/srv/veil', kekFile: '/secure/kek.key' });
 * ```
 */
export async function restoreBackup(
  path: string,
  options: RestoreOptions,
): Promise<BackupCounts & { requeued: number }> {
  const { dataDir } = options;
  const { header, line } = await readHeader(path);
  if (!(await directoryEmptyButKek(dataDir)))
    throw new VeilError('VEIL_RESTORE_NOT_EMPTY', `restore: the data directory ${dataDir} is not empty`);
  const kekPath = join(dataDir, KEK_FILE);
  if (options.keyProvider === undefined) {
    if (options.kekFile !== undefined) {
      if (!(await exists(options.kekFile)))
        throw new VeilError(
          'VEIL_BACKUP_KEK_MISSING',
          `restore: the key file ${options.kekFile} does not exist`,
        );
      if (await exists(kekPath))
        throw new VeilError(
          'VEIL_RESTORE_NOT_EMPTY',
          `restore: ${kekPath} exists already; pass no --kek-file, or remove it`,
        );
      await mkdir(dataDir, { recursive: true, mode: 0o700 });
      await copyFile(options.kekFile, kekPath);
      await chmod(kekPath, 0o600);
    } else if (!(await exists(kekPath))) {
      // The local provider would create a new key here, which could open nothing.
      throw new VeilError(
        'VEIL_BACKUP_KEK_MISSING',
        `restore: put the key-encryption key the backup was made under at ${kekPath}, or pass --kek-file`,
      );
    }
  }
  const provider = options.keyProvider ?? createLocalFileKeyProvider({ path: kekPath });
  let key: Uint8Array;
  try {
    key = await provider.unwrapKey(Buffer.from(header.wrapped_key, 'base64'), header.key_context);
  } catch (error) {
    if (isVeilError(error) && error.code === 'VEIL_DECRYPTION_FAILED')
      throw new VeilError(
        'VEIL_BACKUP_KEK_MISMATCH',
        'restore: this key-encryption key does not open the backup; use the one it was made under',
      );
    throw error;
  }

  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const written: string[] = [];
  const writtenObjects: string[] = [];
  const handle = await openHandle(options);
  let s3: S3BlobStore | undefined;
  let counts: BackupCounts | undefined;
  try {
    if (!(await tablesEmpty(handle.db)))
      throw new VeilError('VEIL_RESTORE_NOT_EMPTY', 'restore: the database already holds Veil data');
    s3 = await openS3Target(options, handle, provider);
    if (s3 !== undefined && !(await s3.storedNames().next()).done)
      throw new VeilError(
        'VEIL_RESTORE_NOT_EMPTY',
        'restore: the S3 bucket already holds Veil blobs under its prefix (VEIL_BLOBS)',
      );
    // Errors of the earlier stages surface on the last one, where the reader sees them.
    const source = createReadStream(path, { start: line.length });
    const opened = openStream(key, line);
    const gunzip = createGunzip();
    source.on('error', (e) => gunzip.destroy(e));
    opened.on('error', (e) => gunzip.destroy(e));
    source.pipe(opened).pipe(gunzip);
    const known = new Set(Object.keys(MIGRATIONS));
    const writeRestored = async (target: string, data: string): Promise<void> => {
      await mkdir(dirname(target), { recursive: true, mode: 0o700 });
      await writeFile(target, Buffer.from(data, 'base64'), { mode: 0o600, flag: 'wx' });
      written.push(target);
    };
    const records = async function* (): AsyncGenerator<TableRows> {
      let first = true;
      for await (const text of createInterface({ input: gunzip, crlfDelay: Infinity })) {
        let record: BackupRecord;
        try {
          record = JSON.parse(text) as BackupRecord;
        } catch {
          throw new VeilError('VEIL_BACKUP_INVALID', 'restore: a backup record is not valid JSON');
        }
        if (first !== (record.kind === 'meta'))
          throw new VeilError(
            'VEIL_BACKUP_INVALID',
            'restore: the backup does not start with its description',
          );
        first = false;
        switch (record.kind) {
          case 'meta': {
            const unknown = record.migrations.filter((m) => !known.has(m));
            if (unknown.length > 0)
              throw new VeilError(
                'VEIL_BACKUP_INVALID',
                `restore: the backup comes from a newer Veil (migration ${unknown[0]!.slice(0, 64)}); upgrade before restoring`,
              );
            // Blobs go back where the restored service will look for them: the same driver.
            if (record.blobs !== undefined && record.blobs !== blobDriverOf(options.blobs))
              throw new VeilError(
                'VEIL_CONFIG_INVALID',
                `restore: the backup's blobs were kept by the ${String(record.blobs).slice(0, 16)} driver; set VEIL_BLOBS to that driver (an S3 bucket: an empty one) and restore again`,
              );
            break;
          }
          case 'blob':
            if (s3 !== undefined) {
              if (!isBlobName(record.path))
                throw new VeilError(
                  'VEIL_BACKUP_INVALID',
                  'restore: the backup names an object it may not hold',
                );
              await s3.writeStored(record.path, Buffer.from(record.data, 'base64'));
              writtenObjects.push(record.path);
            } else await writeRestored(inside(join(dataDir, BLOB_DIR), record.path), record.data);
            break;
          case 'file': {
            const target = inside(dataDir, record.path);
            if (record.path.includes('/') || record.path === KEK_FILE)
              throw new VeilError('VEIL_BACKUP_INVALID', 'restore: the backup names a file it may not hold');
            await writeRestored(target, record.data);
            break;
          }
          case 'rows':
            yield { table: record.table, rows: record.rows };
            break;
          case 'end':
            counts = record.counts;
            break;
          default:
            throw new VeilError('VEIL_BACKUP_INVALID', 'restore: a backup record of an unknown kind');
        }
      }
      if (counts === undefined)
        throw new VeilError(
          'VEIL_BACKUP_INVALID',
          'restore: the backup ends before its last record (truncated)',
        );
    };
    let restored: Record<string, number>;
    try {
      restored = await restoreTables(handle.db, records());
    } catch (error) {
      if (isVeilError(error)) throw error;
      // zlib's and the parser's messages name offsets, never content, but stay Veil's own words.
      throw new VeilError('VEIL_BACKUP_INVALID', 'restore: the backup is damaged and cannot be read', {
        cause: error,
      });
    }
    const expected = counts as BackupCounts | undefined;
    if (expected === undefined)
      throw new VeilError(
        'VEIL_BACKUP_INVALID',
        'restore: the backup ends before its last record (truncated)',
      );
    for (const [table, n] of Object.entries(expected.rows))
      if ((restored[table] ?? 0) !== n)
        throw new VeilError(
          'VEIL_BACKUP_INVALID',
          `restore: table ${table} has ${restored[table] ?? 0} rows, the backup says ${n}`,
        );
  } catch (error) {
    await handle.close();
    // Nothing half-restored stays behind: the rows were rolled back, the files and objects go too.
    await Promise.all(written.map((p) => rm(p, { force: true })));
    for (const name of writtenObjects) await s3?.deleteStored(name);
    s3?.close();
    if (options.databaseUrl === undefined)
      await rm(join(dataDir, PGLITE_DIR), { recursive: true, force: true });
    throw error;
  }
  await handle.close();
  s3?.close();
  const requeued = await requeueUnfinished(options);
  return { ...(counts as unknown as BackupCounts), requeued };
}

/** Enqueues the first step of every queued or running job; steps skip what their artifacts show done. */
async function requeueUnfinished(target: BackupTarget): Promise<number> {
  const runtime = await openRuntime({
    dataDir: target.dataDir,
    ...(target.databaseUrl === undefined ? {} : { databaseUrl: target.databaseUrl }),
    ...(target.keyProvider === undefined ? {} : { keyProvider: target.keyProvider }),
    ...(target.blobs === undefined ? {} : { blobs: target.blobs }),
  });
  try {
    const { rows } = await runtime.handle.db.transaction().execute(async (trx) => {
      await sql`select set_config('veil.tenant_id', ${SYSTEM_SCOPE}, true)`.execute(trx);
      return sql<{
        tenant_id: string;
        id: string;
      }>`select tenant_id, id from jobs where status in ('queued', 'running')`.execute(trx);
    });
    for (const row of rows)
      await enqueueStep(runtime.boss, { tenantId: row.tenant_id, jobId: row.id }, 'intake');
    return rows.length;
  } finally {
    await runtime.close();
  }
}
