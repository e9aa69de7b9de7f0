/**
 * pg-boss on a store test's database, as the queue tests drive it: no supervisor or scheduler
 * timers (the test moves the queue itself), and any error pg-boss emits fails the test.
 */
import assert from 'node:assert/strict';
import PgBoss from 'pg-boss';
import { pgBossDb } from '../../src/store/pgboss-pglite.js';
import type { DatabaseHandle } from '../../src/store/database.js';

/**
 * A started pg-boss on `handle` with `queue` created.
 *
 * @example
 * ```ts
 * const boss = await startTestBoss(database.handle, 'veil-test');
 * await boss.stop({ graceful: false, close: false, wait: true });
 * ```
 */
export async function startTestBoss(
  handle: DatabaseHandle,
  queue: string,
  options: Omit<PgBoss.Queue, 'name'> = {},
): Promise<PgBoss> {
  const boss = new PgBoss({ db: pgBossDb(handle), supervise: false, schedule: false });
  boss.on('error', (error) => assert.fail(error));
  await boss.start();
  await boss.createQueue(queue, { name: queue, ...options });
  return boss;
}
