/**
 * The store a job-step suite runs on: a driver's database, an encrypted blob directory and pg-boss
 * with the job queues (no supervisor or scheduler timers: the tests run the steps themselves),
 * opened before the suite's tests and closed after them.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import PgBoss from 'pg-boss';
import { ensureJobQueues } from '../../../src/pipeline/jobs/queues.js';
import { pgBossDb } from '../../../src/store/index.js';
import type { TestDatabase, TestDriver } from '../../store/drivers.js';
import { storeFor } from './fixtures.js';

/** What a suite's tests use; read inside a test (the hooks open it). */
export interface JobStoreSuite {
  readonly database: TestDatabase;
  readonly dataDir: string;
  readonly boss: PgBoss;
  readonly store: ReturnType<typeof storeFor>;
}

/**
 * Registers the hooks that open and close a job store on `driver` for the enclosing suite.
 *
 * @example
 * ```ts
 * describe('steps', () => {
 *   const suite = jobStoreSuite(driver, 'veil-steps-');
 *   test('runs', async () => { await stepEnv(suite.store, payload, 'parse'); });
 * });
 * ```
 */
export function jobStoreSuite(driver: TestDriver, prefix: string): JobStoreSuite {
  let opened: JobStoreSuite | undefined;
  before(async () => {
    const database = await driver.open();
    const dataDir = await mkdtemp(join(tmpdir(), prefix));
    const boss = new PgBoss({ db: pgBossDb(database.handle), supervise: false, schedule: false });
    boss.on('error', () => {});
    await boss.start();
    await ensureJobQueues(boss);
    opened = { database, dataDir, boss, store: storeFor(database.handle, dataDir) };
  });
  after(async () => {
    await opened?.boss.stop({ graceful: false, close: false, wait: true });
    await opened?.database.dispose();
    if (opened !== undefined) await rm(opened.dataDir, { recursive: true, force: true });
  });
  const current = (): JobStoreSuite => {
    if (opened === undefined) throw new Error('the job store is opened by the suite’s before hook');
    return opened;
  };
  return {
    get database() {
      return current().database;
    },
    get dataDir() {
      return current().dataDir;
    },
    get boss() {
      return current().boss;
    },
    get store() {
      return current().store;
    },
  };
}
