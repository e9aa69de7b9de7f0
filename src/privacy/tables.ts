/**
 * The tables the privacy layer owns, as Kysely sees them (migrations `0009a`/`0009b`/`0016` in
 * src/store/migrations.ts). Ids, codes, counts and timestamps only: never content.
 */
import type { ColumnType, Kysely } from 'kysely';
import type { Schema } from '../store/schema.js';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type BigIntColumn = ColumnType<string | number | bigint, number | bigint, number | bigint>;

export interface PrivacyLedgerTable {
  tenant_id: string;
  id: string;
  period_start: Timestamp;
  epsilon_micro: BigIntColumn;
  mechanism: string;
  group_by: string;
  range_from: Timestamp;
  range_to: Timestamp;
  actor_id: string;
  created_at: DefaultTimestamp;
}

export interface AlertsTable {
  tenant_id: string;
  id: string;
  rule: string;
  principal_id: string;
  observed: number;
  threshold: number;
  window_seconds: number;
  raised_at: Timestamp;
}

export interface AlertDeliveriesTable {
  tenant_id: string;
  alert_id: string;
  /** `default` (the deployment's webhook) or `policy:<n>` (the tenant policy's n-th). */
  target: string;
  url: string;
  /** The environment variable that holds the signing secret; never the secret. */
  secret_env: string;
  status: 'pending' | 'delivered' | 'dead';
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: Timestamp;
  delivered_at: Timestamp | null;
  last_status: number | null;
}

/** The class of a job's output (src/privacy/risk/outputs.ts): a keyed HMAC and a count, never a value. */
export interface OutputClassesTable {
  tenant_id: string;
  job_id: string;
  kind: 'redacted' | 'fields' | 'text';
  /** `v<key version>:<hex>`: HMAC of the identifying values the output hands out, under the tenant's key. */
  class_hmac: string;
  /** How many identifying values the output hands out. */
  identifiers: number;
  created_at: DefaultTimestamp;
  /** Its first release to a caller; null until then. */
  released_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

// A type alias, not an interface: `withTables` needs an index-compatible record type.
export type PrivacyTables = {
  privacy_ledger: PrivacyLedgerTable;
  alerts: AlertsTable;
  alert_deliveries: AlertDeliveriesTable;
  output_classes: OutputClassesTable;
};

/** The database with the privacy tables. */
export type PrivacyDb = Kysely<Schema & PrivacyTables>;

/**
 * The store's database handle, seen with the privacy tables as well.
 *
 * @example
 * ```ts
 * const rows = await privacyDb(handle.db).selectFrom('privacy_ledger').selectAll().execute();
 * ```
 */
export function privacyDb(db: Kysely<Schema>): PrivacyDb {
  return db.withTables<PrivacyTables>();
}
