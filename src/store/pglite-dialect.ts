/**
 * A Kysely dialect for PGlite that shares one session lock with every other user of the same
 * PGlite instance (the pg-boss adapter).
 *
 * PGlite is one Postgres backend: one session, one transaction at a time. Kysely holds a
 * "connection" for the whole of a transaction, so while it does, nothing else may send a
 * statement, or that statement would run inside Kysely's transaction. The published
 * `kysely-pglite-dialect` serialises only Kysely's own connections, and reports zero affected
 * rows as unknown; this dialect takes the shared {@link PGliteSession} lock instead.
 */
import type { PGlite } from '@electric-sql/pglite';
import { CompiledQuery, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler } from 'kysely';
import type {
  DatabaseConnection,
  DatabaseIntrospector,
  Dialect,
  DialectAdapter,
  Driver,
  Kysely,
  QueryCompiler,
  QueryResult,
  TransactionSettings,
} from 'kysely';

/**
 * One PGlite instance and the lock that serialises its single session among its users.
 *
 * @example
 * ```ts
 * const session = new PGliteSession(await PGlite.create(dataDir));
 * const rows = await session.exclusive((pg) => pg.query('select 1'));
 * ```
 */
export class PGliteSession {
  readonly pglite: PGlite;
  #tail: Promise<void> = Promise.resolve();

  constructor(pglite: PGlite) {
    this.pglite = pglite;
  }

  /**
   * Waits for the session, then returns the function that gives it back. Callers hold it across
   * several statements (a transaction); FIFO order keeps waiting callers fair.
   *
   * @example
   * ```ts
   * const release = await session.acquire();
   * try { await session.pglite.exec('begin; …; commit'); } finally { release(); }
   * ```
   */
  acquire(): Promise<() => void> {
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const ready = this.#tail.then(() => release);
    this.#tail = this.#tail.then(() => held);
    return ready;
  }

  /**
   * Runs `work` with the session to itself.
   *
   * @example
   * ```ts
   * await session.exclusive((pg) => pg.exec('vacuum'));
   * ```
   */
  async exclusive<T>(work: (pglite: PGlite) => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await work(this.pglite);
    } finally {
      release();
    }
  }
}

class PGliteConnection implements DatabaseConnection {
  readonly #pglite: PGlite;

  constructor(pglite: PGlite) {
    this.#pglite = pglite;
  }

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const result = await this.#pglite.query<R>(compiledQuery.sql, [...compiledQuery.parameters]);
    return result.affectedRows === undefined
      ? { rows: result.rows }
      : { rows: result.rows, numAffectedRows: BigInt(result.affectedRows) };
  }

  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    // PGlite materialises every result; pretending to stream would hide that from the caller.
    throw new Error('PGlite dialect: streaming is not supported; page with limit/offset');
  }
}

class PGliteDriver implements Driver {
  readonly #session: PGliteSession;
  readonly #releases = new Map<DatabaseConnection, () => void>();
  readonly #closeOnDestroy: boolean;

  constructor(session: PGliteSession, closeOnDestroy: boolean) {
    this.#session = session;
    this.#closeOnDestroy = closeOnDestroy;
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    const release = await this.#session.acquire();
    // One object per acquisition, so each release finds the lock holder it belongs to.
    const connection = new PGliteConnection(this.#session.pglite);
    this.#releases.set(connection, release);
    return connection;
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const level = settings.isolationLevel;
    await connection.executeQuery(
      CompiledQuery.raw(level === undefined ? 'begin' : `start transaction isolation level ${level}`),
    );
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    const release = this.#releases.get(connection);
    this.#releases.delete(connection);
    release?.();
  }

  async destroy(): Promise<void> {
    if (this.#closeOnDestroy && !this.#session.pglite.closed) {
      await this.#session.exclusive((pglite) => pglite.close());
    }
  }
}

/**
 * Kysely's PostgreSQL dialect over a {@link PGliteSession}.
 *
 * @example
 * ```ts
 * const db = new Kysely<Schema>({ dialect: new PGliteDialect(session, { closeOnDestroy: true }) });
 * ```
 */
export class PGliteDialect implements Dialect {
  readonly #session: PGliteSession;
  readonly #closeOnDestroy: boolean;

  constructor(session: PGliteSession, options?: { readonly closeOnDestroy?: boolean }) {
    this.#session = session;
    this.#closeOnDestroy = options?.closeOnDestroy ?? false;
  }

  createAdapter(): DialectAdapter {
    return new PostgresAdapter();
  }

  createDriver(): Driver {
    return new PGliteDriver(this.#session, this.#closeOnDestroy);
  }

  createQueryCompiler(): QueryCompiler {
    return new PostgresQueryCompiler();
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new PostgresIntrospector(db);
  }
}
