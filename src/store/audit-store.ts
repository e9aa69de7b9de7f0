/**
 * The audit log's storage on the database. It satisfies the `AuditStore` interface of
 * src/audit/log.ts by shape: the store does not import the audit layer (audit depends on the
 * store, not the reverse), so the types it needs are restated here.
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { VeilError } from '../errors/veil-error.js';
import { auditGroupCommit } from './audit-group-commit.js';
import type { AuditGroupCommit } from './audit-group-commit.js';
import { checkId } from './repository.js';
import type { Schema } from './schema.js';

/** One stored entry: index, canonical JSON of the event, leaf hash (as in src/audit). */
export interface AuditEntryRecord {
  readonly index: number;
  readonly event: string;
  readonly leafHash: Uint8Array;
}

/** A signed tree head (as in src/audit/tree-head.ts). */
export interface AuditTreeHeadRecord {
  readonly tree_size: number;
  /** 64 lower-case hex digits. */
  readonly root_hash: string;
  readonly timestamp: number;
  readonly key_id: string;
  /** base64url. */
  readonly signature: string;
}

function outOfRange(from: number, to: number, size: number): VeilError {
  return new VeilError(
    'VEIL_AUDIT_OUT_OF_RANGE',
    `audit: entries [${from}, ${to}) are outside the log of ${size}`,
  );
}

/**
 * One audit log (a tenant's, or `system`) in `audit_entries` and `audit_tree_heads`. Appends
 * take a transaction-scoped advisory lock on the log, read the next index and insert under it, so
 * writers in any number of processes never fork the tree; the primary key (log_id, leaf_index)
 * would refuse a duplicate index anyway, and a trigger refuses updates and deletes. The appends of
 * every store on one database handle share transactions ({@link AuditGroupCommit}).
 *
 * @example
 * ```ts
 * const log = new AuditLog({ store: new DatabaseAuditStore(handle.db, 'tenant-a'), signer });
 * ```
 */
export class DatabaseAuditStore {
  readonly #db: Kysely<Schema>;
  readonly #logId: string;
  readonly #writer: AuditGroupCommit;

  constructor(db: Kysely<Schema>, logId: string) {
    checkId('logId', logId);
    this.#db = db;
    this.#logId = logId;
    this.#writer = auditGroupCommit(db);
  }

  append(entry: { readonly event: string; readonly leafHash: Uint8Array }): Promise<number> {
    return this.appendMany([entry]);
  }

  /**
   * Writes several entries at the next indices, all or none, and returns the first index. The
   * transaction is shared with the appends of the database's other logs that are waiting.
   *
   * @throws VeilError `VEIL_AUDIT_WRITE_FAILED` when the batch's transaction fails.
   */
  appendMany(
    entries: ReadonlyArray<{ readonly event: string; readonly leafHash: Uint8Array }>,
  ): Promise<number> {
    return this.#writer.append(this.#logId, entries);
  }

  async #size(db: Kysely<Schema>): Promise<number> {
    const row = await db
      .selectFrom('audit_entries')
      .select((eb) => eb.fn.max('leaf_index').as('last'))
      .where('log_id', '=', this.#logId)
      .executeTakeFirst();
    return row?.last === null || row?.last === undefined ? 0 : Number(row.last) + 1;
  }

  size(): Promise<number> {
    return this.#size(this.#db);
  }

  async entries(from: number, to: number): Promise<AuditEntryRecord[]> {
    const size = await this.size();
    if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 0 || from > to || to > size)
      throw outOfRange(from, to, size);
    const rows = await this.#db
      .selectFrom('audit_entries')
      .select(['leaf_index', 'event', 'leaf_hash'])
      .where('log_id', '=', this.#logId)
      .where('leaf_index', '>=', from)
      .where('leaf_index', '<', to)
      .orderBy('leaf_index')
      .execute();
    return rows.map((r) => ({
      index: Number(r.leaf_index),
      event: Buffer.from(r.event).toString('utf8'),
      leafHash: Uint8Array.from(r.leaf_hash),
    }));
  }

  async leafHashes(from: number, to: number): Promise<Uint8Array[]> {
    return (await this.entries(from, to)).map((e) => e.leafHash);
  }

  async saveTreeHead(head: AuditTreeHeadRecord): Promise<void> {
    await this.#db
      .insertInto('audit_tree_heads')
      .values({
        log_id: this.#logId,
        tree_size: head.tree_size,
        root_hash: Buffer.from(head.root_hash, 'hex'),
        timestamp_ms: head.timestamp,
        key_id: head.key_id,
        signature: Buffer.from(head.signature, 'base64url'),
      })
      .execute();
  }

  async latestTreeHead(): Promise<AuditTreeHeadRecord | undefined> {
    return (await this.#heads('desc'))[0];
  }

  treeHeads(): Promise<AuditTreeHeadRecord[]> {
    return this.#heads('asc');
  }

  async #heads(order: 'asc' | 'desc'): Promise<AuditTreeHeadRecord[]> {
    let query = this.#db
      .selectFrom('audit_tree_heads')
      .select(['tree_size', 'root_hash', 'timestamp_ms', 'key_id', 'signature'])
      .where('log_id', '=', this.#logId)
      .orderBy('tree_size', order)
      .orderBy('id', order);
    if (order === 'desc') query = query.limit(1);
    const rows = await query.execute();
    return rows.map((r) => ({
      tree_size: Number(r.tree_size),
      root_hash: Buffer.from(r.root_hash).toString('hex'),
      timestamp: Number(r.timestamp_ms),
      key_id: r.key_id,
      signature: Buffer.from(r.signature).toString('base64url'),
    }));
  }
}

/**
 * The newest event of a log with this action that names `objectId` among its objects, as canonical
 * JSON, or undefined. Events hold no content, so the search reads them as JSON in the database.
 *
 * @example
 * ```ts
 * const last = await latestAuditEvent(db, 'system', 'policy.changed', 'default');
 * ```
 */
export async function latestAuditEvent(
  db: Kysely<Schema>,
  logId: string,
  action: string,
  objectId: string,
): Promise<string | undefined> {
  checkId('logId', logId);
  const row = (
    await sql<{ event: Uint8Array }>`select event from audit_entries
      where log_id = ${logId}
        and convert_from(event, 'UTF8')::jsonb ->> 'action' = ${action}
        and convert_from(event, 'UTF8')::jsonb -> 'objects' @> jsonb_build_array(jsonb_build_object('id', ${objectId}::text))
      order by leaf_index desc limit 1`.execute(db)
  ).rows[0];
  return row === undefined ? undefined : Buffer.from(row.event).toString('utf8');
}

/**
 * The newest `limit` events of a log with this action that name `objectId` among their objects,
 * newest first, each with its leaf index and its canonical JSON (the history behind
 * {@link latestAuditEvent}).
 *
 * @example
 * ```ts
 * const history = await auditEventsOf(db, 'veil:system', 'policy.changed', 'default', 50); // [{ index: 7, event: '{…}' }, …]
 * ```
 */
export async function auditEventsOf(
  db: Kysely<Schema>,
  logId: string,
  action: string,
  objectId: string,
  limit: number,
): Promise<Array<{ index: number; event: string }>> {
  checkId('logId', logId);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
    throw new VeilError('VEIL_INVALID_INPUT', 'audit: limit must be an integer from 1 to 1000');
  const rows = (
    await sql<{ leaf_index: string | number; event: Uint8Array }>`select leaf_index, event from audit_entries
      where log_id = ${logId}
        and convert_from(event, 'UTF8')::jsonb ->> 'action' = ${action}
        and convert_from(event, 'UTF8')::jsonb -> 'objects' @> jsonb_build_array(jsonb_build_object('id', ${objectId}::text))
      order by leaf_index desc limit ${limit}`.execute(db)
  ).rows;
  return rows.map((r) => ({ index: Number(r.leaf_index), event: Buffer.from(r.event).toString('utf8') }));
}
