/**
 * Named prepared statements on PostgreSQL. `pg` sends a parameterised query unnamed: the server
 * parses, analyses and plans it again on every execution. Veil runs the same few dozen statements
 * over and over (a job's rows, its closing read, the audit append, pg-boss's fetch), and those
 * repeated parses and plans were about 40 % of the server's CPU a text job (`log_statement_stats`
 * over `npm run bench:job-sql`). A connection of a pool built with {@link namingClient} prepares
 * each distinct statement once, under a name derived from its text, and then only binds and runs
 * it; after five runs PostgreSQL keeps a generic plan when it costs no more than a custom one.
 *
 * Bounded: at most {@link MAX_NAMED_STATEMENTS} names a connection (statements past that go
 * unnamed, as before), so text that varies (an `in` list of many lengths) cannot grow a server
 * backend's memory without end. A statement the server refuses to run again under its name (its
 * result's shape changed under it, SQLSTATE 0A000 after a migration on a live connection) goes
 * unnamed on that connection from then on.
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';

/** The most statements one connection prepares under a name. */
export const MAX_NAMED_STATEMENTS = 256;

/** The statement text's names, shared by every connection (their number is bounded like theirs). */
const NAMES = new Map<string, string>();
const MAX_KNOWN_TEXTS = 4 * MAX_NAMED_STATEMENTS;

/** `cached plan must not change result type` and its kin: the named statement cannot run again. */
const FEATURE_NOT_SUPPORTED = '0A000';

function nameOf(text: string): string | undefined {
  let name = NAMES.get(text);
  if (name === undefined) {
    if (NAMES.size >= MAX_KNOWN_TEXTS) return undefined;
    name = `veil_${createHash('sha256').update(text).digest('base64url').slice(0, 24)}`;
    NAMES.set(text, name);
  }
  return name;
}

type QueryCallback = (error: Error | null, result?: unknown) => void;

/**
 * A `pg.Client` class whose parameterised queries given as text run as named prepared
 * statements, for `new pg.Pool({ Client: namingClient(pg.Client) })`. Queries without
 * parameters (`begin`, `commit`, multi-statement scripts) and query objects (cursors, a caller's
 * own `name`) pass through unchanged.
 *
 * @example
 * ```ts
 * const pool = new pg.Pool({ connectionString, Client: namingClient(pg.Client) });
 * await pool.query('select * from jobs where id = $1', [id]); // parsed once per connection
 * ```
 */
export function namingClient(Base: typeof pg.Client): typeof pg.Client {
  class NamingClient extends Base {
    /** Texts this connection prepared, and those it must no longer run by name. */
    readonly #prepared = new Set<string>();
    readonly #unnamed = new Set<string>();

    // pg's `query` is a family of overloads; this one forwards every form it does not name.
    override query(config: unknown, values?: unknown, callback?: unknown): never {
      const forward = super.query.bind(this) as (...args: unknown[]) => never;
      if (typeof config !== 'string' || !Array.isArray(values) || values.length === 0)
        return forward(config, values, callback);
      const name = this.#nameFor(config);
      if (name === undefined) return forward(config, values, callback);
      const named = { name, text: config, values };
      const forget = (error: unknown) => {
        if ((error as { code?: unknown } | null)?.code === FEATURE_NOT_SUPPORTED) this.#unnamed.add(config);
      };
      if (typeof callback === 'function') {
        return forward(named, (error: Error | null, result?: unknown) => {
          if (error) forget(error);
          (callback as QueryCallback)(error, result);
        });
      }
      return (forward(named) as Promise<unknown>).catch((error: unknown) => {
        forget(error);
        throw error;
      }) as never;
    }

    #nameFor(text: string): string | undefined {
      if (this.#unnamed.has(text)) return undefined;
      if (this.#prepared.has(text)) return nameOf(text);
      if (this.#prepared.size >= MAX_NAMED_STATEMENTS) return undefined;
      const name = nameOf(text);
      if (name !== undefined) this.#prepared.add(text);
      return name;
    }
  }
  return NamingClient;
}
