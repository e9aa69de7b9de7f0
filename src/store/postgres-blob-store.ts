/**
 * The database blob driver (`VEIL_BLOBS=postgres`): envelope-encrypted objects kept in the same
 * PostgreSQL (or PGlite) database as everything else, so processes on several machines that share
 * the database share the blobs too, with no shared file system. Each object is split into chunks
 * of at most {@link BLOB_CHUNK_BYTES} stored as rows, so no statement or row carries a whole large
 * document; all of an object's chunks are written in one transaction (a crash leaves all or none).
 */
import type { Kysely } from 'kysely';
import type { Keyring } from '../crypto/keyring.js';
import { VeilError } from '../errors/veil-error.js';
import { checkBlobName, sealNewBlob } from './blob-store.js';
import type { BlobRef, BlobStore } from './blob-store.js';
import { withTenantScope } from './database.js';
import type { Schema } from './schema.js';

/** The largest chunk row, in bytes of ciphertext. */
export const BLOB_CHUNK_BYTES = 1024 * 1024;

/**
 * Encrypted blobs in the `blob_chunks` table (migration `0014_blobs`), behind the row-level
 * security wall of their tenant. Contents are Veil envelopes bound to tenant, name and artifact
 * class, exactly as the file driver writes them: rows hold ciphertext only.
 *
 * @example
 * ```ts
 * const blobs = new PostgresBlobStore({ db: handle.db, keyring });
 * const ref = await blobs.put({ tenantId: 't1', artifactClass: 'source-document' }, bytes);
 * const back = await blobs.get(ref);
 * await blobs.delete(ref);
 * ```
 */
export class PostgresBlobStore implements BlobStore {
  readonly #db: Kysely<Schema>;
  readonly #keyring: Keyring;
  readonly #chunkBytes: number;

  constructor(options: {
    readonly db: Kysely<Schema>;
    readonly keyring: Keyring;
    readonly chunkBytes?: number;
  }) {
    this.#db = options.db;
    this.#keyring = options.keyring;
    this.#chunkBytes = options.chunkBytes ?? BLOB_CHUNK_BYTES;
  }

  async put(target: Omit<BlobRef, 'name'>, content: Uint8Array): Promise<BlobRef> {
    const { ref, sealed } = await sealNewBlob(this.#keyring, target, content);
    await withTenantScope(this.#db, ref.tenantId, async (trx) => {
      // One chunk per statement: a statement never carries more than one chunk of the object.
      for (let seq = 0, at = 0; at < sealed.length || seq === 0; seq += 1, at += this.#chunkBytes)
        await trx
          .insertInto('blob_chunks')
          .values({
            tenant_id: ref.tenantId,
            name: ref.name,
            seq,
            data: sealed.subarray(at, at + this.#chunkBytes),
          })
          .execute();
    });
    return ref;
  }

  async get(ref: BlobRef): Promise<Buffer> {
    checkBlobName(ref.name);
    const chunks = await withTenantScope(this.#db, ref.tenantId, async (trx) => {
      const parts: Uint8Array[] = [];
      // Chunk by chunk, so no one result set holds the whole object twice over.
      for (let seq = 0; ; seq += 1) {
        const row = await trx
          .selectFrom('blob_chunks')
          .select('data')
          .where('tenant_id', '=', ref.tenantId)
          .where('name', '=', ref.name)
          .where('seq', '=', seq)
          .executeTakeFirst();
        if (row === undefined) return parts;
        parts.push(row.data);
      }
    });
    if (chunks.length === 0)
      throw new VeilError('VEIL_NOT_FOUND', 'blob store: no such blob (it may have been deleted)');
    return this.#keyring.decrypt(
      { tenantId: ref.tenantId, objectId: ref.name, artifactClass: ref.artifactClass },
      Buffer.concat(chunks),
    );
  }

  async exists(ref: BlobRef): Promise<boolean> {
    checkBlobName(ref.name);
    const row = await withTenantScope(this.#db, ref.tenantId, (trx) =>
      trx
        .selectFrom('blob_chunks')
        .select('seq')
        .where('tenant_id', '=', ref.tenantId)
        .where('name', '=', ref.name)
        .where('seq', '=', 0)
        .executeTakeFirst(),
    );
    return row !== undefined;
  }

  async delete(ref: BlobRef): Promise<void> {
    checkBlobName(ref.name);
    await withTenantScope(this.#db, ref.tenantId, (trx) =>
      trx
        .deleteFrom('blob_chunks')
        .where('tenant_id', '=', ref.tenantId)
        .where('name', '=', ref.name)
        .execute(),
    );
  }
}
