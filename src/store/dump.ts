/**
 * A logical dump of Veil's tables and its inverse, for backups. One SQL path for both drivers
 * (PGlite and PostgreSQL), so a backup taken on one restores on the other: rows leave as
 * PostgreSQL's own JSON (`row_to_json`) from one repeatable-read snapshot, and come back through
 * `json_populate_recordset`, which converts each value with its column type's input function
 * (bytea from `\x…`, timestamps, arrays, jsonb) exactly as it was written.
 *
 * Content columns are ciphertext already (envelopes bound to tenant, object and class); the dump
 * copies them as stored. pg-boss's schema is not dumped: a restore re-enqueues unfinished jobs.
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { VeilError } from '../errors/veil-error.js';
import { SYSTEM_SCOPE } from './database.js';
import type { Schema } from './schema.js';

/** Rows of one table, as `row_to_json` objects. */
export interface TableRows {
  readonly table: string;
  readonly rows: readonly Record<string, unknown>[];
}

const MIGRATION_TABLES = new Set(['veil_migration', 'veil_migration_lock']);
const BATCH_ROWS = 500;

/**
 * Veil's tables in the public schema, parents before children (foreign keys), so inserting in
 * this order never breaks a reference.
 *
 * @example
 * ```ts
 * const tables = await dumpableTables(handle.db); // ['tenants', 'jobs', …]
 * ```
 */
export async function dumpableTables(db: Kysely<Schema>): Promise<string[]> {
  const tables = (
    await sql<{ name: string }>`
      select table_name as name from information_schema.tables
      where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`.execute(db)
  ).rows
    .map((r) => r.name)
    .filter((name) => !MIGRATION_TABLES.has(name));
  const edges = (
    await sql<{ child: string; parent: string }>`
      select c.relname as child, p.relname as parent from pg_constraint k
      join pg_class c on c.oid = k.conrelid join pg_class p on p.oid = k.confrelid
      join pg_namespace n on n.oid = c.relnamespace
      where k.contype = 'f' and n.nspname = 'public'`.execute(db)
  ).rows;
  const ordered: string[] = [];
  const visiting = new Set<string>();
  const visit = (table: string): void => {
    if (ordered.includes(table) || visiting.has(table)) return;
    visiting.add(table);
    for (const edge of edges) if (edge.child === table && edge.parent !== table) visit(edge.parent);
    visiting.delete(table);
    ordered.push(table);
  };
  for (const table of tables) visit(table);
  return ordered.filter((t) => tables.includes(t));
}

/** The migrations a database has run, in order: a restore checks it knows every one. */
export async function appliedMigrations(db: Kysely<Schema>): Promise<string[]> {
  const rows = await sql<{ name: string }>`select name from veil_migration order by name`.execute(db);
  return rows.rows.map((r) => r.name);
}

/**
 * Streams every row of Veil's tables to `sink`, in batches, from one consistent snapshot (a
 * repeatable-read transaction in the store's system scope, so row-level security hides nothing).
 * `sink` is awaited, so a slow writer slows the dump instead of buffering it.
 *
 * @example
 * ```ts
 * await dumpTables(handle.db, async (batch) => write(JSON.stringify(batch)));
 * ```
 */
export async function dumpTables(
  db: Kysely<Schema>,
  sink: (batch: TableRows) => Promise<void>,
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  await db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (trx) => {
      await sql`select set_config('veil.tenant_id', ${SYSTEM_SCOPE}, true)`.execute(trx);
      for (const table of await dumpableTables(trx)) {
        counts[table] = 0;
        // Offsets over ctid order are stable inside one snapshot.
        for (let offset = 0; ; offset += BATCH_ROWS) {
          const { rows } = await sql<{ r: string }>`
            select row_to_json(t)::text as r from ${sql.table(table)} t order by t.ctid limit ${BATCH_ROWS} offset ${offset}`.execute(
            trx,
          );
          if (rows.length === 0) break;
          counts[table] += rows.length;
          await sink({ table, rows: rows.map((row) => JSON.parse(row.r) as Record<string, unknown>) });
          if (rows.length < BATCH_ROWS) break;
        }
      }
    });
  return counts;
}

/**
 * Whether any of Veil's tables holds a row: a restore goes only into an empty database.
 *
 * @example
 * ```ts
 * if (!(await tablesEmpty(handle.db))) throw new Error('not empty');
 * ```
 */
export async function tablesEmpty(db: Kysely<Schema>): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    await sql`select set_config('veil.tenant_id', ${SYSTEM_SCOPE}, true)`.execute(trx);
    for (const table of await dumpableTables(trx)) {
      const { rows } = await sql<{ one: number }>`select 1 as one from ${sql.table(table)} limit 1`.execute(
        trx,
      );
      if (rows.length > 0) return false;
    }
    return true;
  });
}

/**
 * Inserts dumped rows in one transaction: `batches` is read to its end before the commit, so a
 * restore that fails half-way (a truncated or altered backup) leaves the database as it was.
 * Identity columns keep their values and their sequences move past them.
 *
 * @throws VeilError `VEIL_BACKUP_INVALID` for a table this schema does not have.
 *
 * @example
 * ```ts
 * await restoreTables(handle.db, batchesFromBackup());
 * ```
 */
export async function restoreTables(
  db: Kysely<Schema>,
  batches: AsyncIterable<TableRows>,
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  await db.transaction().execute(async (trx) => {
    await sql`select set_config('veil.tenant_id', ${SYSTEM_SCOPE}, true)`.execute(trx);
    const known = new Set(await dumpableTables(trx));
    for await (const batch of batches) {
      if (!known.has(batch.table))
        throw new VeilError(
          'VEIL_BACKUP_INVALID',
          `restore: the backup has a table this Veil does not know (${batch.table.slice(0, 64)})`,
        );
      counts[batch.table] = (counts[batch.table] ?? 0) + batch.rows.length;
      await sql`
        insert into ${sql.table(batch.table)} overriding system value
        select * from json_populate_recordset(null::${sql.table(batch.table)}, ${JSON.stringify(batch.rows)}::json)`.execute(
        trx,
      );
    }
    const identities = await sql<{ table: string; column: string }>`
      select c.relname as table, a.attname as column from pg_attribute a
      join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and a.attidentity in ('a', 'd') and not a.attisdropped`.execute(trx);
    for (const { table, column } of identities.rows) {
      await sql`
        select setval(pg_get_serial_sequence(${`"${table}"`}, ${column}), coalesce(max(${sql.ref(column)}), 0) + 1, false)
        from ${sql.table(table)}`.execute(trx);
    }
  });
  return counts;
}
