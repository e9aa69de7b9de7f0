import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type PgBoss from 'pg-boss';
import { workInBatches } from '../../src/pipeline/batched-worker.js';
import { DRIVERS } from '../store/drivers.js';
import type { TestDatabase } from '../store/drivers.js';
import { startTestBoss } from '../store/test-boss.js';

const QUEUE = 'veil-test-batched';

for (const driver of DRIVERS) {
  describe(`workInBatches on ${driver.name}`, { skip: driver.skip }, () => {
    let database: TestDatabase;
    let boss: PgBoss;

    before(async () => {
      database = await driver.open();
      boss = await startTestBoss(database.handle, QUEUE, { retryLimit: 1, retryDelay: 0 });
    });
    after(async () => {
      await boss?.stop({ graceful: false, close: false, wait: true });
      await database?.dispose();
    });

    test('runs every message once, at most `concurrency` at a time, and fails a throwing one alone', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 12; i += 1) ids.push((await boss.send(QUEUE, { n: i }))!);
      const runs = new Map<number, number>();
      let running = 0;
      let most = 0;
      const errors: unknown[] = [];
      const worker = workInBatches({
        boss,
        queue: QUEUE,
        concurrency: 4,
        pollingIntervalSeconds: 0.5,
        onError: (error) => errors.push(error),
        handle: async (message) => {
          const { n } = message.data as { n: number };
          runs.set(n, (runs.get(n) ?? 0) + 1);
          running += 1;
          most = Math.max(most, running);
          await new Promise((resolve) => setTimeout(resolve, 10));
          running -= 1;
          if (n === 5) throw new Error('veil job step detect failed (VEIL_INTERNAL)');
        },
      });
      // Message 5 runs twice (retryLimit 1), every other once.
      for (let i = 0; i < 200 && (runs.size < 12 || runs.get(5) !== 2); i += 1)
        await new Promise((resolve) => setTimeout(resolve, 25));
      await worker.stop();
      assert.deepEqual(errors, []);
      assert.equal(most <= 4, true, `at most 4 at once, saw ${most}`);
      assert.deepEqual(
        [...runs].sort((a, b) => a[0] - b[0]),
        Array.from({ length: 12 }, (_, n) => [n, n === 5 ? 2 : 1]),
      );
      const states = await Promise.all(ids.map(async (id) => (await boss.getJobById(QUEUE, id))?.state));
      assert.deepEqual(
        states,
        ids.map((_, n) => (n === 5 ? 'failed' : 'completed')),
      );
      const failed = await boss.getJobById(QUEUE, ids[5]!);
      assert.match(JSON.stringify(failed?.output), /veil job step detect failed \(VEIL_INTERNAL\)/);
    });

    test('an idle loop is woken at once, and stop waits for the message in flight', async () => {
      let finished = false;
      let startedRun!: () => void;
      const started = new Promise<void>((resolve) => (startedRun = resolve));
      const worker = workInBatches({
        boss,
        queue: QUEUE,
        concurrency: 2,
        // Far longer than the test: only the wake can make it look again.
        pollingIntervalSeconds: 3600,
        onError: (error) => assert.fail(error as Error),
        handle: async () => {
          startedRun();
          await new Promise((r) => setTimeout(r, 50));
          finished = true;
        },
      });
      // The first look finds the queue empty; then a message is sent and the loop woken.
      await new Promise((r) => setTimeout(r, 200));
      const id = await boss.send(QUEUE, { n: 100 });
      worker.wake();
      await started;
      await worker.stop();
      assert.equal(finished, true);
      assert.equal((await boss.getJobById(QUEUE, id!))?.state, 'completed');
    });
  });
}
