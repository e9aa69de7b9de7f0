/**
 * A step's rows are written in one transaction: a statement that fails part-way through a step
 * leaves none of the step's rows and none of its blobs, and the step run again records its work
 * exactly once. The fault is a trigger that makes the server refuse one write, after the step's
 * earlier writes in the same transaction have run.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { sql } from 'kysely';
import { getJobStatus } from '../../../src/pipeline/jobs/commands.js';
import type { JobPayload, JobStep } from '../../../src/pipeline/jobs/queues.js';
import { createJobTasks, stepEnv } from '../../../src/pipeline/jobs/steps.js';
import { submitJob } from '../../../src/pipeline/jobs/submit.js';
import { forTenant, SYSTEM_SCOPE, withTenantScope } from '../../../src/store/index.js';
import type { DatabaseHandle } from '../../../src/store/index.js';
import { DRIVERS } from '../../store/drivers.js';
import { jobStoreSuite } from './job-store-suite.js';
import { canaryJob, canaryText, walk, refuseCountUpdates } from './fixtures.js';

const TENANT = 'tenant-atomic';

/** How many keyed HMACs the job has in the subject index (its list's, and rows of the older form). */
async function indexed(handle: DatabaseHandle, jobId: string): Promise<number> {
  const { rows } = await withTenantScope(handle.db, SYSTEM_SCOPE, (trx) =>
    sql<{ n: number }>`select
        (select coalesce(sum(cardinality(hmacs)), 0)::int from subject_index_lists where job_id = ${jobId})
        + (select count(*)::int from subject_index where job_id = ${jobId}) as n`.execute(trx),
  );
  return rows[0]!.n;
}

for (const driver of DRIVERS) {
  describe(`one transaction per step on ${driver.name}`, { skip: driver.skip }, () => {
    const suite = jobStoreSuite(driver, 'veil-atomic-');

    test('a fault between two writes of the detect step leaves none of its rows or blobs; run again, it completes once', async () => {
      const tasks = createJobTasks({ keyring: suite.store.keyring });
      const { jobId } = await submitJob(
        { db: suite.database.handle.db, blobs: suite.store.blobs, boss: suite.boss },
        canaryJob(TENANT, Buffer.from(canaryText(3)), 'text/plain'),
      );
      const payload: JobPayload = { tenantId: TENANT, jobId };
      const run = async (step: JobStep) => tasks[step].run((await stepEnv(suite.store, payload, step))!);
      const classes = async (): Promise<string[]> =>
        (await forTenant(suite.store, TENANT).artifacts.listForJob(jobId)).map((a) => a.artifactClass).sort();
      const blobs = async (): Promise<number> => (await walk(join(suite.dataDir, 'blobs'))).length;

      assert.equal((await run('intake')).next, 'parse');
      assert.equal((await run('parse')).next, 'detect');
      const rowsBefore = await classes();
      const blobsBefore = await blobs();
      assert.deepEqual(rowsBefore, ['manifest', 'original', 'parsed']);

      // The subject index and the findings are written before the counts in the step's
      // transaction; the counts' update fails, so both must go with it.
      await refuseCountUpdates(suite.database.handle, 'veil_test_refuse_counts', true);
      try {
        await assert.rejects(run('detect'));
      } finally {
        await refuseCountUpdates(suite.database.handle, 'veil_test_refuse_counts', false);
      }
      assert.deepEqual(await classes(), rowsBefore, 'no findings row');
      assert.equal(await indexed(suite.database.handle, jobId), 0, 'no subject-index rows');
      assert.equal(await blobs(), blobsBefore, 'the staged findings blob was deleted');
      assert.deepEqual((await getJobStatus(suite.store, { tenant: TENANT, jobId })).countsByType, {});

      // The step retried, then delivered once more (its first run's acknowledgement lost).
      const retried = await run('detect');
      assert.equal(retried.next, 'anonymise');
      // The step's closing read, in its own transaction, already shows what it wrote.
      assert.deepEqual(retried.after?.artifacts.map((a) => a.artifactClass).sort(), [
        'findings',
        'manifest',
        'original',
        'parsed',
      ]);
      // Read as one statement (the artifacts aggregated as JSON), it matches a plain read.
      assert.deepEqual(
        retried.after?.artifacts,
        await forTenant(suite.store, TENANT).artifacts.listForJob(jobId),
      );
      const index = await indexed(suite.database.handle, jobId);
      // canaryText holds one e-mail address and one SSN, both direct identifiers.
      assert.equal(index, 2);
      assert.equal((await run('detect')).next, 'anonymise');
      assert.equal(await indexed(suite.database.handle, jobId), index);
      assert.deepEqual(await classes(), ['findings', 'manifest', 'original', 'parsed']);
      assert.equal(await blobs(), blobsBefore + 1, 'one findings blob');

      assert.equal((await run('anonymise')).next, 'finalise');
      assert.equal((await run('finalise')).next, null);
      const view = await getJobStatus(suite.store, { tenant: TENANT, jobId });
      assert.equal(view.status, 'succeeded');
      assert.deepEqual(view.countsByType, { EMAIL_ADDRESS: 1, US_SSN: 1 });
      assert.deepEqual(await classes(), ['findings', 'manifest', 'original', 'redacted']);
      assert.equal(await blobs(), blobsBefore + 1, 'parsed swept, redacted stored');
    });
  });
}
