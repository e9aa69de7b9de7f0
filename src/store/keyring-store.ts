/**
 * The keyring's records in the database, for the service: every process and worker sees the
 * same key versions, and `onlyIfAbsent` is the primary key's uniqueness, so racing writers
 * settle on one winner.
 */
import { sql } from 'kysely';
import type { Kysely, Selectable } from 'kysely';
import type { KeyRef, KeyringStore, WrappedKeyRecord } from '../crypto/keyring-store.js';
import { withTenantScope } from './database.js';
import type { KeyringRecordsTable, Schema } from './schema.js';

// A primary-key column cannot be null; '' stands for "the tenant's own key" (never a subject id).
const TENANT_KEY = '';

function present(row: Selectable<KeyringRecordsTable>): WrappedKeyRecord {
  return {
    tenantId: row.tenant_id,
    subjectId: row.subject_id === TENANT_KEY ? null : row.subject_id,
    version: row.version,
    status: row.status,
    kekId: row.kek_id,
    wrappedKey: row.wrapped_key,
    createdAt: row.created_at.toISOString(),
    retiredAt: row.retired_at === null ? null : row.retired_at.toISOString(),
  };
}

/**
 * A {@link KeyringStore} on the `keyring_records` table.
 *
 * @example
 * ```ts
 * const keyring = new Keyring({ provider, store: new DatabaseKeyringStore(handle.db) });
 * ```
 */
export class DatabaseKeyringStore implements KeyringStore {
  readonly #db: Kysely<Schema>;

  constructor(db: Kysely<Schema>) {
    this.#db = db;
  }

  async get(ref: KeyRef): Promise<WrappedKeyRecord | undefined> {
    const row = await withTenantScope(this.#db, ref.tenantId, (trx) =>
      trx
        .selectFrom('keyring_records')
        .selectAll()
        .where('tenant_id', '=', ref.tenantId)
        .where('subject_id', '=', ref.subjectId ?? TENANT_KEY)
        .where('version', '=', ref.version)
        .executeTakeFirst(),
    );
    return row === undefined ? undefined : present(row);
  }

  async put(record: WrappedKeyRecord, options?: { readonly onlyIfAbsent?: boolean }): Promise<boolean> {
    const values = {
      tenant_id: record.tenantId,
      subject_id: record.subjectId ?? TENANT_KEY,
      version: record.version,
      status: record.status,
      kek_id: record.kekId,
      wrapped_key: record.wrappedKey,
      created_at: record.createdAt,
      retired_at: record.retiredAt,
    };
    const result = await withTenantScope(this.#db, record.tenantId, (trx) =>
      trx
        .insertInto('keyring_records')
        .values(values)
        .onConflict((oc) => {
          const target = oc.columns(['tenant_id', 'subject_id', 'version']);
          return options?.onlyIfAbsent === true
            ? target.doNothing()
            : target.doUpdateSet({
                status: values.status,
                kek_id: values.kek_id,
                wrapped_key: values.wrapped_key,
                created_at: values.created_at,
                retired_at: values.retired_at,
              });
        })
        .executeTakeFirst(),
    );
    return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
  }

  async list(tenantId: string, subjectId?: string | null): Promise<WrappedKeyRecord[]> {
    const rows = await withTenantScope(this.#db, tenantId, (trx) => {
      let query = trx.selectFrom('keyring_records').selectAll().where('tenant_id', '=', tenantId);
      if (subjectId !== undefined) query = query.where('subject_id', '=', subjectId ?? TENANT_KEY);
      // Byte order ("C"), as compareRecords sorts: '' (tenant keys) first, then subjects.
      return query
        .orderBy(sql`subject_id collate "C"`)
        .orderBy('version')
        .execute();
    });
    return rows.map(present);
  }

  async delete(ref: KeyRef): Promise<void> {
    await withTenantScope(this.#db, ref.tenantId, (trx) =>
      trx
        .deleteFrom('keyring_records')
        .where('tenant_id', '=', ref.tenantId)
        .where('subject_id', '=', ref.subjectId ?? TENANT_KEY)
        .where('version', '=', ref.version)
        .execute(),
    );
  }
}
