/**
 * A lock held across processes for work that checks and then writes (a check-then-append that
 * two starting processes must not both do): a session-level advisory lock on PostgreSQL, held on
 * a connection of its own while `work` runs on the pool. PGlite needs none: one process owns its
 * data directory, and its one connection could not be held apart anyway.
 */
import type { DatabaseHandle } from './database.js';

/**
 * Runs `work` while holding the named advisory lock (PostgreSQL), waiting for it when another
 * process holds it.
 *
 * @example
 * ```ts
 * await withProcessLock(handle, 'veil.policy-in-force', () => recordPolicies());
 * ```
 */
export async function withProcessLock<T>(
  handle: Pick<DatabaseHandle, 'connection'>,
  name: string,
  work: () => Promise<T>,
): Promise<T> {
  if (handle.connection.driver === 'pglite') return work();
  const client = await handle.connection.pool.connect();
  try {
    await client.query('select pg_advisory_lock(hashtext($1))', [name]);
    try {
      return await work();
    } finally {
      await client.query('select pg_advisory_unlock(hashtext($1))', [name]);
    }
  } finally {
    client.release();
  }
}
