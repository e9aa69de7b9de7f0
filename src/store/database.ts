/**
 * Opening the database: embedded PGlite (a data directory on disk) or a PostgreSQL server (a
 * connection string), chosen by configuration. Each driver is imported only when configured, so
 * an embedded install never loads `pg` and a server deployment never loads the WASM build.
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Kysely, PostgresDialect, sql } from 'kysely';
import type { Pool } from 'pg';
import { VeilError } from '../errors/veil-error.js';
import { migrateToLatest } from './migrations.js';
import { namingClient } from './named-statements.js';
import { PGliteDialect, PGliteSession } from './pglite-dialect.js';
import type { Schema } from './schema.js';

/** Where the database lives. */
export type DatabaseConfig =
  | {
      readonly driver: 'pglite';
      /** The PGlite data directory (created 0700 if absent), or `memory://` for a throwaway one. */
      readonly dataDir: string;
    }
  | {
      readonly driver: 'postgres';
      /** `postgres://user@host:5432/db`; credentials are never echoed in errors. */
      readonly connectionString: string;
      /** The pool size (default 10). */
      readonly maxConnections?: number;
      /**
       * Run parameterised statements as named prepared statements (`named-statements.ts`;
       * default true). False for a pooler that cannot keep them (PgBouncer in transaction mode
       * before 1.21, or without `max_prepared_statements`).
       */
      readonly preparedStatements?: boolean;
    };

/** The connection each driver holds, for adapters (pg-boss) that need the raw client. */
export type DatabaseConnectionRef =
  | { readonly driver: 'pglite'; readonly session: PGliteSession }
  | { readonly driver: 'postgres'; readonly pool: Pool };

/** An open database. */
export interface DatabaseHandle {
  readonly db: Kysely<Schema>;
  readonly driver: DatabaseConfig['driver'];
  readonly connection: DatabaseConnectionRef;
  /** Closes the pool or PGlite; the handle is unusable afterwards. Safe to call twice. */
  close(): Promise<void>;
}

/** Options of {@link openDatabase}. */
export interface OpenDatabaseOptions {
  /** Run the migrations on open (default true). */
  readonly migrate?: boolean;
}

/**
 * The database configuration from the environment: PostgreSQL when `DATABASE_URL` is set,
 * otherwise PGlite under `VEIL_DATA_DIR` (default `./.veil`), in its `pglite` subdirectory.
 *
 * @example
 * ```ts
 * const handle = await openDatabase(databaseConfigFromEnv(process.env, process.cwd()));
 * ```
 */
export function databaseConfigFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
): DatabaseConfig {
  const url = env['DATABASE_URL'];
  if (url !== undefined && url !== '')
    return { driver: 'postgres', connectionString: url, preparedStatements: preparedStatementsFromEnv(env) };
  return { driver: 'pglite', dataDir: join(veilDataDir(env, cwd), 'pglite') };
}

/**
 * Whether PostgreSQL statements run prepared (`VEIL_PG_PREPARED_STATEMENTS`, default true; `false`,
 * `0` or `no` turn it off, for a pooler that cannot keep them). `veil config check` validates it.
 *
 * @example
 * ```ts
 * preparedStatementsFromEnv({ VEIL_PG_PREPARED_STATEMENTS: 'false' }); // false
 * ```
 */
export function preparedStatementsFromEnv(env: Readonly<Record<string, string | undefined>>): boolean {
  const value = env['VEIL_PG_PREPARED_STATEMENTS']?.trim().toLowerCase();
  return !(value === 'false' || value === '0' || value === 'no');
}

/**
 * Veil's data directory: `VEIL_DATA_DIR`, or `.veil` under `cwd`. The database, blobs and the
 * local key file live beneath it.
 *
 * @example
 * ```ts
 * const blobs = join(veilDataDir(process.env, process.cwd()), 'blobs');
 * ```
 */
export function veilDataDir(env: Readonly<Record<string, string | undefined>>, cwd: string): string {
  const dir = env['VEIL_DATA_DIR'];
  return resolve(cwd, dir !== undefined && dir !== '' ? dir : '.veil');
}

function unavailable(setting: string, cause: unknown): VeilError {
  return new VeilError(
    'VEIL_STORE_UNAVAILABLE',
    `store: cannot open the database named by ${setting}; check that it exists and accepts connections`,
    { cause },
  );
}

async function openPGlite(dataDir: string): Promise<DatabaseHandle> {
  let session: PGliteSession;
  try {
    if (!dataDir.startsWith('memory://')) await mkdir(dataDir, { recursive: true, mode: 0o700 });
    const { PGlite } = await import('@electric-sql/pglite');
    session = new PGliteSession(await PGlite.create(dataDir));
  } catch (cause) {
    throw unavailable('the PGlite data directory (VEIL_DATA_DIR)', cause);
  }
  const db = new Kysely<Schema>({ dialect: new PGliteDialect(session, { closeOnDestroy: true }) });
  let closed: Promise<void> | undefined;
  return {
    db,
    driver: 'pglite',
    connection: { driver: 'pglite', session },
    close: () => (closed ??= db.destroy()),
  };
}

async function openPostgres(
  connectionString: string,
  maxConnections: number,
  preparedStatements: boolean,
): Promise<DatabaseHandle> {
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({
    connectionString,
    max: maxConnections,
    ...(preparedStatements ? { Client: namingClient(pg.Client) } : {}),
  });
  // An idle client that loses its server emits 'error'; unhandled, that would end the process.
  // The next query on the pool reports the failure where a caller can handle it.
  pool.on('error', () => {});
  // A client checked out between two queries (inside a transaction) that loses its server emits
  // 'error' on itself, not on the pool: unhandled, a database restart would end the process. The
  // client's next query fails where a caller can handle it, and the pool discards the client.
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
  SCOPED_BEGIN.add(db);
  try {
    await sql`select 1`.execute(db);
  } catch (cause) {
    await db.destroy();
    throw unavailable('DATABASE_URL', cause);
  }
  let closed: Promise<void> | undefined;
  return {
    db,
    driver: 'postgres',
    connection: { driver: 'postgres', pool },
    close: () => (closed ??= db.destroy()),
  };
}

/**
 * Opens the configured database and, unless told not to, migrates it to the latest schema.
 * Throws `VEIL_STORE_UNAVAILABLE` when it cannot be reached, `VEIL_STORE_MIGRATION` when a
 * migration fails.
 *
 * @example
 * ```ts
 * const handle = await openDatabase({ driver: 'pglite', dataDir: './.veil/pglite' });
 * try {
 *   await forTenant(handle.db, 'tenant-a').jobs.get('job-1');
 * } finally {
 *   await handle.close();
 * }
 * ```
 */
export async function openDatabase(
  config: DatabaseConfig,
  options?: OpenDatabaseOptions,
): Promise<DatabaseHandle> {
  let handle: DatabaseHandle;
  if (config.driver === 'pglite') {
    handle = await openPGlite(config.dataDir);
  } else if (config.driver === 'postgres') {
    const max = config.maxConnections ?? 10;
    if (!Number.isInteger(max) || max < 1)
      throw new VeilError('VEIL_INVALID_OPTION', 'store: maxConnections must be a positive integer');
    handle = await openPostgres(config.connectionString, max, config.preparedStatements !== false);
  } else {
    throw new VeilError('VEIL_INVALID_OPTION', 'store: driver must be "pglite" or "postgres"');
  }
  if (options?.migrate !== false) {
    try {
      await migrateToLatest(handle.db as unknown as Kysely<unknown>);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }
  return handle;
}

/** The `veil.tenant_id` value that lets store-internal, cross-tenant work see every row. */
export const SYSTEM_SCOPE = '*';

/**
 * Runs `work` in a transaction whose `veil.tenant_id` setting is `scope`: the row-level security
 * policies then show only that tenant's rows (or all rows for {@link SYSTEM_SCOPE}). Repository
 * queries still filter by tenant themselves; this is the second wall.
 *
 * @example
 * ```ts
 * const rows = await withTenantScope(db, 'tenant-a', (trx) => trx.selectFrom('jobs').selectAll().execute());
 * ```
 */
export async function withTenantScope<T>(
  db: Kysely<Schema>,
  scope: string,
  work: (trx: Kysely<Schema>) => Promise<T>,
): Promise<T> {
  if (SCOPED_BEGIN.has(db) && SCOPE_LITERAL.test(scope)) return withScopedBegin(db, scope, work);
  return db.transaction().execute(async (trx) => {
    await sql`select set_config('veil.tenant_id', ${scope}, true)`.execute(trx);
    return work(trx);
  });
}

/**
 * Moves an open {@link withTenantScope} transaction to another scope: the statements that follow
 * see only that tenant's rows. What a transaction that records several tenants' jobs together
 * runs before each tenant's rows, so the row-level security wall still holds per job.
 *
 * @example
 * ```ts
 * await withTenantScope(db, 'tenant-a', async (trx) => {
 *   await writeA(trx);
 *   await switchTenantScope(trx, 'tenant-b');
 *   await writeB(trx);
 * });
 * ```
 */
export async function switchTenantScope(trx: Kysely<Schema>, scope: string): Promise<void> {
  await sql`select set_config('veil.tenant_id', ${scope}, true)`.execute(trx);
}

/**
 * The PostgreSQL servers' databases (`openPostgres`), whose transactions open with `begin` and the
 * scope in one round trip: a query without parameters goes as pg's simple query, which may hold
 * two statements. Every tenant-scoped transaction saves one round trip (a text job's worker runs
 * 16 of them). PGlite has no round trip to save and its driver sends one statement per query.
 */
const SCOPED_BEGIN = new WeakSet<Kysely<Schema>>();

/** Scopes sent inline: printable ASCII without spaces (tenant ids, `*`), quoted by {@link scopeLiteral}. */
const SCOPE_LITERAL = /^[\x21-\x7e]{1,200}$/;

/** `value` as an escape-string literal: right whatever `standard_conforming_strings` says. */
const scopeLiteral = (value: string): string => `E'${value.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;

async function withScopedBegin<T>(
  db: Kysely<Schema>,
  scope: string,
  work: (trx: Kysely<Schema>) => Promise<T>,
): Promise<T> {
  return db.connection().execute(async (connection) => {
    const rollback = () =>
      sql
        .raw('rollback')
        .execute(connection)
        .catch(() => undefined);
    let result: T;
    try {
      await sql
        .raw(`begin; select set_config('veil.tenant_id', ${scopeLiteral(scope)}, true)`)
        .execute(connection);
      result = await work(connection);
    } catch (error) {
      // As Kysely's own transactions do: the transaction is rolled back and the error thrown on.
      await rollback();
      throw error;
    }
    await sql.raw('commit').execute(connection);
    return result;
  });
}
