/**
 * Blob storage: a small port, and the default driver that keeps encrypted objects in a
 * directory. Names are random and opaque (nothing about a person or a document can be read
 * from them); contents are Veil envelopes bound to tenant, name and artifact class.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Keyring } from '../crypto/keyring.js';
import { VeilError } from '../errors/veil-error.js';

/** Which blob: the opaque name the store chose, and what the content is bound to. */
export interface BlobRef {
  readonly tenantId: string;
  /** The artifact class, e.g. `source-document`; part of the encryption binding. */
  readonly artifactClass: string;
  readonly name: string;
}

/**
 * Storage of encrypted objects by opaque name. Drivers encrypt before anything reaches the
 * medium and never log or echo content.
 */
export interface BlobStore {
  /** Stores `content` under a new random name and returns its ref. */
  put(target: Omit<BlobRef, 'name'>, content: Uint8Array): Promise<BlobRef>;
  /** The content; throws `VEIL_NOT_FOUND` when absent, `VEIL_DECRYPTION_FAILED` when the ref does not match. */
  get(ref: BlobRef): Promise<Buffer>;
  exists(ref: BlobRef): Promise<boolean>;
  /** Removes the object for good; deleting an absent object is not an error. */
  delete(ref: BlobRef): Promise<void>;
}

const NAME_PATTERN = /^b_[0-9a-f]{32}$/;
const TEMP_PATTERN = /^\.tmp-[0-9a-f]{16}$/;

/**
 * Whether `name` has the shape of a blob name this store issues (an opaque random name).
 *
 * @example
 * ```ts
 * isBlobName('../../etc/passwd'); // false
 * ```
 */
export function isBlobName(name: string): boolean {
  return typeof name === 'string' && NAME_PATTERN.test(name);
}

/**
 * Refuses a name no blob store issued (`b_` and 32 hex digits): the file driver makes it a path,
 * the database driver a key, so nothing else may reach either.
 *
 * @example
 * ```ts
 * checkBlobName(ref.name); // throws VEIL_INVALID_INPUT for '../../etc/passwd'
 * ```
 */
export function checkBlobName(name: string): void {
  if (!isBlobName(name))
    throw new VeilError('VEIL_INVALID_INPUT', 'blob store: not a blob name this store issued');
}

/**
 * A new blob: a random opaque name for `target`, and `content` sealed in an envelope bound to
 * tenant, name and artifact class. Both drivers store exactly this.
 *
 * @example
 * ```ts
 * const { ref, sealed } = await sealNewBlob(keyring, { tenantId: 't1', artifactClass: 'original' }, bytes);
 * ```
 */
export async function sealNewBlob(
  keyring: Keyring,
  target: Omit<BlobRef, 'name'>,
  content: Uint8Array,
): Promise<{ ref: BlobRef; sealed: Buffer }> {
  const ref: BlobRef = {
    tenantId: target.tenantId,
    artifactClass: target.artifactClass,
    name: `b_${randomBytes(16).toString('hex')}`,
  };
  const sealed = await keyring.encrypt(
    { tenantId: ref.tenantId, objectId: ref.name, artifactClass: ref.artifactClass },
    content,
  );
  return { ref, sealed };
}

/** Space the disk does not have: a quota or a full volume. */
const FULL = new Set(['ENOSPC', 'EDQUOT']);

/**
 * A write failure as a stable code: a full disk is `VEIL_STORE_FULL` (the operator must free
 * space), anything else `VEIL_STORE_UNAVAILABLE`; the cause keeps the system's code.
 */
function storageError(cause: unknown, what: string): VeilError {
  const errno = (cause as NodeJS.ErrnoException | null)?.code;
  return errno !== undefined && FULL.has(errno)
    ? new VeilError('VEIL_STORE_FULL', `blob store: ${what}: the disk is full`, { cause })
    : new VeilError('VEIL_STORE_UNAVAILABLE', `blob store: ${what} (${errno ?? 'unknown error'})`, { cause });
}

function notFound(): VeilError {
  return new VeilError('VEIL_NOT_FOUND', 'blob store: no such blob (it may have been deleted)');
}

/**
 * The default blob store: envelope-encrypted files under one directory, fanned out by the
 * first two hex digits of the name. Writes are atomic (a 0600 temp file in the target directory,
 * flushed, then renamed), so a crash leaves either the whole object or none.
 *
 * @example
 * ```ts
 * const blobs = new EncryptedFileBlobStore({ directory: join(dataDir, 'blobs'), keyring });
 * const ref = await blobs.put({ tenantId: 't1', artifactClass: 'source-document' }, bytes);
 * const back = await blobs.get(ref);
 * await blobs.delete(ref);
 * ```
 */
export class EncryptedFileBlobStore implements BlobStore {
  readonly #directory: string;
  readonly #keyring: Keyring;

  constructor(options: { readonly directory: string; readonly keyring: Keyring }) {
    this.#directory = options.directory;
    this.#keyring = options.keyring;
  }

  #path(name: string): { dir: string; file: string } {
    checkBlobName(name);
    const dir = join(this.#directory, name.slice(2, 4));
    return { dir, file: join(dir, name) };
  }

  async put(target: Omit<BlobRef, 'name'>, content: Uint8Array): Promise<BlobRef> {
    const { ref, sealed } = await sealNewBlob(this.#keyring, target, content);
    const { dir, file } = this.#path(ref.name);
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
    } catch (cause) {
      throw storageError(cause, 'cannot create the blob directory');
    }
    // Same directory as the target, so the rename is atomic on every POSIX file system.
    const temp = join(dir, `.tmp-${randomBytes(8).toString('hex')}`);
    let handle;
    try {
      handle = await open(temp, 'wx', 0o600);
    } catch (cause) {
      throw storageError(cause, 'cannot create a blob');
    }
    try {
      await handle.writeFile(sealed);
      await handle.sync();
      await handle.close();
      await rename(temp, file);
    } catch (cause) {
      await handle.close().catch(() => {});
      // A full disk leaves no half-written temp file behind (it holds ciphertext only, but space).
      await rm(temp, { force: true });
      throw storageError(cause, 'cannot write a blob');
    }
    return ref;
  }

  /**
   * Removes temp files of writes that never finished (a process killed between write and
   * rename) once they are older than `olderThanMs`, so that a live write of another process is
   * never touched. They hold ciphertext only; this reclaims their space. Returns how many went.
   *
   * @example
   * ```ts
   * await blobs.sweepTempFiles(); // at start-up
   * ```
   */
  async sweepTempFiles(olderThanMs = 60_000): Promise<number> {
    const entries = await readdir(this.#directory, { withFileTypes: true, recursive: true }).catch(
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return [];
        throw error;
      },
    );
    let removed = 0;
    const cutoff = Date.now() - olderThanMs;
    for (const entry of entries) {
      if (!entry.isFile() || !TEMP_PATTERN.test(entry.name)) continue;
      const path = join(entry.parentPath, entry.name);
      const info = await stat(path).catch(() => undefined);
      if (info === undefined || info.mtimeMs > cutoff) continue;
      await rm(path, { force: true });
      removed += 1;
    }
    return removed;
  }

  async get(ref: BlobRef): Promise<Buffer> {
    const { file } = this.#path(ref.name);
    let sealed: Buffer;
    try {
      sealed = await readFile(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw notFound();
      throw error;
    }
    return this.#keyring.decrypt(
      { tenantId: ref.tenantId, objectId: ref.name, artifactClass: ref.artifactClass },
      sealed,
    );
  }

  async exists(ref: BlobRef): Promise<boolean> {
    const { file } = this.#path(ref.name);
    try {
      return (await stat(file)).isFile();
    } catch {
      return false;
    }
  }

  async delete(ref: BlobRef): Promise<void> {
    const { file } = this.#path(ref.name);
    try {
      await unlink(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}
