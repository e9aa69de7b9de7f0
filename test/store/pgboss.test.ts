import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import type PgBoss from 'pg-boss';
import { DRIVERS } from './drivers.js';
import type { TestDatabase } from './drivers.js';
import { startTestBoss } from './test-boss.js';
import { pgBossDb } from '../../src/store/pgboss-pglite.js';

for (const driver of DRIVERS) {
  describe(`pg-boss on ${driver.name}`, { skip: driver.skip }, () => {
    let database: TestDatabase;
    let boss: PgBoss;

    before(async () => {
      database = await driver.open();
      boss = await startTestBoss(database.handle, 'veil-test');
    });
    after(async () => {
      await boss?.stop({ graceful: false, close: false, wait: true });
      await database?.dispose();
    });

    test('starts, and a job is sent, fetched and completed', async () => {
      const id = await boss.send('veil-test', { jobId: 'job-1' });
      assert.ok(id);
      const [fetched, ...rest] = await boss.fetch<{ jobId: string }>('veil-test');
      assert.deepEqual(rest, []);
      assert.equal(fetched?.id, id);
      assert.deepEqual(fetched?.data, { jobId: 'job-1' });
      await boss.complete('veil-test', id!);
      assert.equal((await boss.getJobById('veil-test', id!))?.state, 'completed');
      assert.deepEqual(await boss.fetch('veil-test'), []);
    });

    test('a worker picks a job up and completes it', async () => {
      const seen: string[] = [];
      const done = new Promise<void>((resolve) => {
        void boss.work<{ jobId: string }>('veil-test', { pollingIntervalSeconds: 0.5 }, async ([job]) => {
          if (job !== undefined) seen.push(job.data.jobId);
          resolve();
        });
      });
      const id = await boss.send('veil-test', { jobId: 'job-2' });
      await done;
      await boss.offWork('veil-test');
      assert.deepEqual(seen, ['job-2']);
      // The worker's completion lands just after the handler resolves.
      for (let i = 0; i < 50 && (await boss.getJobById('veil-test', id!))?.state !== 'completed'; i += 1)
        await new Promise((r) => setTimeout(r, 20));
      assert.equal((await boss.getJobById('veil-test', id!))?.state, 'completed');
    });

    test('a pg-boss statement never lands inside a Kysely transaction that rolls back', async () => {
      let sent: Promise<string | null> | undefined;
      await assert.rejects(
        database.handle.db.transaction().execute(async (trx) => {
          await sql`select 1`.execute(trx);
          sent = boss.send('veil-test', { jobId: 'job-3' });
          await new Promise((r) => setTimeout(r, 50));
          throw new Error('roll back');
        }),
        /roll back/,
      );
      const id = await sent;
      assert.equal((await boss.getJobById('veil-test', id!))?.state, 'created');
    });

    test('a failing script rolls back and leaves the session usable', async () => {
      const db = pgBossDb(database.handle);
      await assert.rejects(db.executeSql('begin; select 1; select * from no_such_table; commit;'));
      const { rows } = await db.executeSql('select $1::int as n', [7]);
      assert.deepEqual(rows, [{ n: 7 }]);
    });
  });
}
