/**
 * Idempotency keys of one tenant's job submissions. A row holds keyed hashes of the caller's key
 * and of the request, the job the key created, and an expiry: never the key, never the request.
 */
import type { Kysely } from 'kysely';
import { withTenantScope } from './database.js';
import { checkId } from './repository.js';
import type { Schema } from './schema.js';

/** A key's record: which request first used it, for which job, and until when it holds. */
export interface IdempotencyRecord {
  readonly requestHash: Uint8Array;
  readonly jobId: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
}

/** What {@link TenantIdempotencyKeys.reserve} returns: the key is ours now, or someone's record. */
export type Reservation =
  { readonly reserved: true } | { readonly reserved: false; readonly record: IdempotencyRecord };

function bytes(value: Uint8Array): Uint8Array {
  // pg returns a Buffer, PGlite a Uint8Array; either compares the same.
  return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
}

/** Idempotency keys of one tenant (row-level security scoped like every tenant table). */
export class TenantIdempotencyKeys {
  readonly #db: Kysely<Schema>;
  readonly #tenantId: string;

  constructor(db: Kysely<Schema>, tenantId: string) {
    checkId('tenantId', tenantId);
    this.#db = db;
    this.#tenantId = tenantId;
  }

  /**
   * Claims `keyHash` for `jobId`, atomically: of two concurrent callers one gets `reserved:
   * true`, the other the winner's record. An expired record is replaced as if absent. The tenant
   * must exist (`ensureTenant`).
   *
   * @example
   * ```ts
   * const r = await keys.reserve({ keyHash, requestHash, jobId: randomUUID(), expiresAt, now: new Date() });
   * if (!r.reserved) console.log(r.record.jobId);
   * ```
   */
  async reserve(input: {
    readonly keyHash: Uint8Array;
    readonly requestHash: Uint8Array;
    readonly jobId: string;
    readonly expiresAt: Date;
    readonly now: Date;
  }): Promise<Reservation> {
    checkId('job id', input.jobId);
    return withTenantScope(this.#db, this.#tenantId, async (trx) => {
      const inserted = await trx
        .insertInto('idempotency_keys')
        .values({
          tenant_id: this.#tenantId,
          key_hash: input.keyHash,
          request_hash: input.requestHash,
          job_id: input.jobId,
          created_at: input.now,
          expires_at: input.expiresAt,
        })
        .onConflict((oc) =>
          oc
            .columns(['tenant_id', 'key_hash'])
            .doUpdateSet({
              request_hash: input.requestHash,
              job_id: input.jobId,
              created_at: input.now,
              expires_at: input.expiresAt,
            })
            .where('idempotency_keys.expires_at', '<=', input.now),
        )
        .returning('job_id')
        .executeTakeFirst();
      if (inserted?.job_id === input.jobId) return { reserved: true };
      const row = await trx
        .selectFrom('idempotency_keys')
        .selectAll()
        .where('tenant_id', '=', this.#tenantId)
        .where('key_hash', '=', input.keyHash)
        .executeTakeFirstOrThrow();
      return {
        reserved: false,
        record: {
          requestHash: bytes(row.request_hash),
          jobId: row.job_id,
          createdAt: row.created_at,
          expiresAt: row.expires_at,
        },
      };
    });
  }

  /**
   * Moves a key from an abandoned job id to a new one, only if it still names the old one (so of
   * two callers taking over, one wins). True when this caller won.
   *
   * @example
   * ```ts
   * if (await keys.takeOver(keyHash, record.jobId, randomUUID(), now)) await submit();
   * ```
   */
  async takeOver(keyHash: Uint8Array, fromJobId: string, toJobId: string, now: Date): Promise<boolean> {
    checkId('job id', toJobId);
    const result = await withTenantScope(this.#db, this.#tenantId, (trx) =>
      trx
        .updateTable('idempotency_keys')
        .set({ job_id: toJobId, created_at: now })
        .where('tenant_id', '=', this.#tenantId)
        .where('key_hash', '=', keyHash)
        .where('job_id', '=', fromJobId)
        .executeTakeFirst(),
    );
    return result.numUpdatedRows > 0n;
  }

  /**
   * Frees a key whose job could not be submitted, so a retry can try again.
   *
   * @example
   * ```ts
   * await keys.release(keyHash, jobId);
   * ```
   */
  async release(keyHash: Uint8Array, jobId: string): Promise<void> {
    await withTenantScope(this.#db, this.#tenantId, (trx) =>
      trx
        .deleteFrom('idempotency_keys')
        .where('tenant_id', '=', this.#tenantId)
        .where('key_hash', '=', keyHash)
        .where('job_id', '=', jobId)
        .execute(),
    );
  }

  /**
   * Deletes the tenant's expired keys; returns how many.
   *
   * @example
   * ```ts
   * await keys.deleteExpired(new Date());
   * ```
   */
  async deleteExpired(now: Date): Promise<number> {
    const result = await withTenantScope(this.#db, this.#tenantId, (trx) =>
      trx
        .deleteFrom('idempotency_keys')
        .where('tenant_id', '=', this.#tenantId)
        .where('expires_at', '<=', now)
        .executeTakeFirst(),
    );
    return Number(result.numDeletedRows);
  }
}
