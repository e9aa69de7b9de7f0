/** Single-use, short-lived upload slots of one tenant. */
import { randomUUID } from 'node:crypto';
import type { UploadRow } from './schema.js';
import { checkId, constraintError, TenantRepository } from './repository.js';

export interface Upload {
  readonly tenantId: string;
  readonly id: string;
  readonly maxBytes: number;
  readonly expiresAt: Date;
  readonly usedAt: Date | null;
  readonly blobName: string | null;
  readonly createdAt: Date;
}

function presentUpload(row: UploadRow): Upload {
  return {
    tenantId: row.tenant_id,
    id: row.id,
    maxBytes: row.max_bytes,
    expiresAt: row.expires_at,
    usedAt: row.used_at,
    blobName: row.blob_name,
    createdAt: row.created_at,
  };
}

/** Single-use, short-lived upload slots of one tenant. */
export class TenantUploads extends TenantRepository {
  /**
   * Opens an upload slot.
   *
   * @example
   * ```ts
   * const upload = await repos.uploads.create({ maxBytes: 25_000_000, expiresAt: new Date(Date.now() + 600_000) });
   * ```
   */
  async create(input: {
    readonly id?: string;
    readonly maxBytes: number;
    readonly expiresAt: Date;
  }): Promise<Upload> {
    const id = input.id ?? randomUUID();
    checkId('upload id', id);
    try {
      const row = await this.scoped((trx) =>
        trx
          .insertInto('uploads')
          .values({ tenant_id: this.tenantId, id, max_bytes: input.maxBytes, expires_at: input.expiresAt })
          .returningAll()
          .executeTakeFirstOrThrow(),
      );
      return presentUpload(row);
    } catch (error) {
      throw constraintError(error, 'upload');
    }
  }

  /**
   * The upload, or undefined.
   *
   * @example
   * ```ts
   * const upload = await repos.uploads.get(id);
   * ```
   */
  async get(id: string): Promise<Upload | undefined> {
    const row = await this.scoped((trx) =>
      trx
        .selectFrom('uploads')
        .selectAll()
        .where('tenant_id', '=', this.tenantId)
        .where('id', '=', id)
        .executeTakeFirst(),
    );
    return row === undefined ? undefined : presentUpload(row);
  }

  /**
   * Records the blob that received the upload's bytes, once: false if the slot is absent,
   * expired, used or already filled.
   *
   * @example
   * ```ts
   * const ref = await blobs.put({ tenantId, artifactClass: 'source-document' }, bytes);
   * await repos.uploads.attachBlob(id, ref.name);
   * ```
   */
  async attachBlob(id: string, blobName: string, now: Date = new Date()): Promise<boolean> {
    const result = await this.scoped((trx) =>
      trx
        .updateTable('uploads')
        .set({ blob_name: blobName })
        .where('tenant_id', '=', this.tenantId)
        .where('id', '=', id)
        .where('blob_name', 'is', null)
        .where('used_at', 'is', null)
        .where('expires_at', '>', now)
        .executeTakeFirst(),
    );
    return result.numUpdatedRows > 0n;
  }

  /**
   * Marks the upload used, atomically: of two concurrent callers exactly one gets the upload;
   * the other, and any caller after expiry, gets undefined.
   *
   * @example
   * ```ts
   * const upload = await repos.uploads.consume(id);
   * if (upload === undefined) throw new VeilError('VEIL_NOT_FOUND', 'upload: unknown, expired or already used');
   * ```
   */
  async consume(id: string, now: Date = new Date()): Promise<Upload | undefined> {
    const row = await this.scoped((trx) =>
      trx
        .updateTable('uploads')
        .set({ used_at: now })
        .where('tenant_id', '=', this.tenantId)
        .where('id', '=', id)
        .where('used_at', 'is', null)
        .where('expires_at', '>', now)
        .returningAll()
        .executeTakeFirst(),
    );
    return row === undefined ? undefined : presentUpload(row);
  }

  /**
   * Removes the upload's row (its blob, if any, is the caller's to delete first).
   *
   * @example
   * ```ts
   * await repos.uploads.delete(id);
   * ```
   */
  async delete(id: string): Promise<boolean> {
    const result = await this.scoped((trx) =>
      trx
        .deleteFrom('uploads')
        .where('tenant_id', '=', this.tenantId)
        .where('id', '=', id)
        .executeTakeFirst(),
    );
    return result.numDeletedRows > 0n;
  }
}
