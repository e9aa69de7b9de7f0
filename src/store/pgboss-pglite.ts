/**
 * pg-boss on the store's database. pg-boss 10 accepts a `db` object with
 * `executeSql(text, values)`; this file provides one for each driver.
 *
 * On PGlite, pg-boss's schema creation and migrations are multi-statement scripts without
 * parameters (`BEGIN; … ; COMMIT;`), which the extended protocol behind `query` refuses: those go
 * to `exec` (the simple protocol), parameterised statements to `query`. Every call takes the
 * PGlite session lock shared with Kysely, so a pg-boss statement never lands inside a Kysely
 * transaction. Hence also: on PGlite, do not await pg-boss from inside a Kysely transaction (the
 * transaction holds the session; the call would wait for ever).
 */
import { CompiledQuery, type Kysely } from 'kysely';
import type { DatabaseHandle } from './database.js';
import type { PGliteSession } from './pglite-dialect.js';
import type { Schema } from './schema.js';

/** The shape pg-boss 10 calls (its `Db` interface). */
export interface PgBossDb {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

/**
 * The pg-boss adapter for a PGlite session.
 *
 * @example
 * ```ts
 * const boss = new PgBoss({ db: pgBossDbForPGlite(session) });
 * await boss.start();
 * ```
 */
export function pgBossDbForPGlite(session: PGliteSession): PgBossDb {
  return {
    executeSql: (text, values) =>
      session.exclusive(async (pglite) => {
        if (values === undefined || values.length === 0) {
          try {
            const results = await pglite.exec(text);
            return { rows: results.at(-1)?.rows ?? [] };
          } catch (error) {
            // A failed script leaves its explicit transaction open on the one session; close it
            // before anyone else runs a statement in it.
            if (pglite.isInTransaction()) await pglite.exec('rollback');
            throw error;
          }
        }
        const result = await pglite.query(text, values);
        return { rows: result.rows };
      }),
  };
}

/**
 * The pg-boss `db` for an open database: the PGlite adapter, or the PostgreSQL pool (where `pg`
 * runs parameterless multi-statement text through the simple protocol itself).
 *
 * @example
 * ```ts
 * const handle = await openDatabase(config);
 * const boss = new PgBoss({ db: pgBossDb(handle) });
 * ```
 */
export function pgBossDb(handle: DatabaseHandle): PgBossDb {
  const connection = handle.connection;
  if (connection.driver === 'pglite') return pgBossDbForPGlite(connection.session);
  const pool = connection.pool;
  return {
    executeSql: async (text, values) => {
      const result = await pool.query(text, values);
      // A multi-statement script answers with one result per statement.
      const last = Array.isArray(result) ? (result as Array<{ rows: unknown[] }>).at(-1) : result;
      return { rows: last?.rows ?? [] };
    },
  };
}

/**
 * A pg-boss `db` that runs its statements in the caller's open transaction (either driver), for
 * pg-boss calls that take one (`send(name, data, { db })`): the message then commits, or not,
 * with the caller's rows, in the caller's one commit. Parameterised statements only (a send is).
 *
 * @example
 * ```ts
 * await withTenantScope(db, tenant, async (trx) => {
 *   await writeRows(trx);
 *   await boss.send(queue, payload, { db: pgBossDbIn(trx) });
 * });
 * ```
 */
export function pgBossDbIn(trx: Kysely<Schema>): PgBossDb {
  return {
    executeSql: async (text, values) => {
      const result = await trx.executeQuery(CompiledQuery.raw(text, values ?? []));
      return { rows: [...result.rows] };
    },
  };
}
