/**
 * API keys in the database. It satisfies the `ApiKeyStore` port of src/access/api-keys.ts by
 * shape (the store does not import the access layer, which depends on it), so the record type is
 * restated here. The table holds the public key id, the tenant, the roles and an HMAC of the
 * secret; the secret itself and the pepper the HMAC is keyed with are never stored.
 */
import type { Kysely, Selectable } from 'kysely';
import { VeilError } from '../errors/veil-error.js';
import { SYSTEM_SCOPE, withTenantScope } from './database.js';
import { checkId, constraintError } from './repository.js';
import type { ApiKeysTable, Schema } from './schema.js';

/** An API key as stored (the access layer's `StoredApiKey`): no secret, only its HMAC. */
export interface ApiKeyRecord {
  readonly keyId: string;
  readonly tenantId: string;
  readonly roles: readonly string[];
  /** HMAC-SHA256 of the secret, 64 lower-case hex digits. */
  readonly hash: string;
  /** ISO 8601. */
  readonly createdAt: string;
  /** ISO 8601, or null while the key is active. */
  readonly revokedAt: string | null;
  /** ISO 8601, or null for a key that does not expire. */
  readonly expiresAt: string | null;
}

/** What listing shows of a key: everything but the hash. */
export type ApiKeyListing = Omit<ApiKeyRecord, 'hash'>;

const HASH_HEX = /^[0-9a-f]{64}$/;
const LISTED = ['key_id', 'tenant_id', 'roles', 'created_at', 'revoked_at', 'expires_at'] as const;

function presentListing(row: Pick<Selectable<ApiKeysTable>, (typeof LISTED)[number]>): ApiKeyListing {
  return {
    keyId: row.key_id,
    tenantId: row.tenant_id,
    roles: Object.freeze([...row.roles]),
    createdAt: row.created_at.toISOString(),
    revokedAt: row.revoked_at === null ? null : row.revoked_at.toISOString(),
    expiresAt: row.expires_at === null ? null : row.expires_at.toISOString(),
  };
}

/**
 * The `api_keys` table as the access layer's `ApiKeyStore`. Every method runs under its tenant's
 * row-level security scope, except {@link DatabaseApiKeyStore.findByKeyId}.
 *
 * @example
 * ```ts
 * const apiKeys = createApiKeyService({ store: new DatabaseApiKeyStore(handle.db), pepper });
 * ```
 */
export class DatabaseApiKeyStore {
  readonly #db: Kysely<Schema>;

  constructor(db: Kysely<Schema>) {
    this.#db = db;
  }

  /**
   * The key with this id in any tenant, or undefined. The one lookup across tenants: a request
   * presents `veil_<keyId>_<secret>` and nothing else, so the tenant is what the key tells, not
   * something known before it. The key id is random (96 bits) and unique across tenants, and the
   * caller compares the secret's HMAC before trusting the row.
   *
   * @example
   * ```ts
   * const record = await store.findByKeyId('0123456789abcdef01234567');
   * ```
   */
  async findByKeyId(keyId: string): Promise<ApiKeyRecord | undefined> {
    const row = await withTenantScope(this.#db, SYSTEM_SCOPE, (trx) =>
      trx.selectFrom('api_keys').selectAll().where('key_id', '=', keyId).executeTakeFirst(),
    );
    return row === undefined
      ? undefined
      : { ...presentListing(row), hash: Buffer.from(row.hash).toString('hex') };
  }

  /**
   * Stores a new key. `VEIL_CONFLICT` when the key id exists (in any tenant), `VEIL_NOT_FOUND`
   * when the tenant has not been created.
   *
   * @example
   * ```ts
   * await store.create({ keyId, tenantId: 'acme', roles: ['processor'], hash, createdAt, revokedAt: null });
   * ```
   */
  async create(record: ApiKeyRecord): Promise<void> {
    checkId('tenantId', record.tenantId);
    if (!HASH_HEX.test(record.hash))
      throw new VeilError('VEIL_INVALID_INPUT', 'store: an API key hash is 64 lower-case hex digits');
    try {
      await withTenantScope(this.#db, record.tenantId, (trx) =>
        trx
          .insertInto('api_keys')
          .values({
            key_id: record.keyId,
            tenant_id: record.tenantId,
            roles: [...record.roles],
            hash: Buffer.from(record.hash, 'hex'),
            created_at: record.createdAt,
            revoked_at: record.revokedAt,
            expires_at: record.expiresAt,
          })
          .execute(),
      );
    } catch (error) {
      throw constraintError(error, 'api key');
    }
  }

  /**
   * Marks the key revoked at `at` if this tenant has it; false when it does not (another
   * tenant's key id answers the same). Revoking again keeps the first time.
   *
   * @example
   * ```ts
   * await store.revoke('acme', keyId, new Date());
   * ```
   */
  async revoke(tenantId: string, keyId: string, at: Date): Promise<boolean> {
    checkId('tenantId', tenantId);
    const result = await withTenantScope(this.#db, tenantId, (trx) =>
      trx
        .updateTable('api_keys')
        .set((eb) => ({ revoked_at: eb.fn.coalesce('revoked_at', eb.val(at)) }))
        .where('tenant_id', '=', tenantId)
        .where('key_id', '=', keyId)
        .executeTakeFirst(),
    );
    return result.numUpdatedRows > 0n;
  }

  /**
   * The tenant's keys, oldest first: ids, roles and dates. The hash is never read.
   *
   * @example
   * ```ts
   * for (const key of await store.list('acme')) console.log(key.keyId, key.roles.join(','));
   * ```
   */
  async list(tenantId: string): Promise<ApiKeyListing[]> {
    checkId('tenantId', tenantId);
    const rows = await withTenantScope(this.#db, tenantId, (trx) =>
      trx
        .selectFrom('api_keys')
        .select(LISTED)
        .where('tenant_id', '=', tenantId)
        .orderBy('created_at')
        .orderBy('key_id')
        .execute(),
    );
    return rows.map(presentListing);
  }
}
