/**
 * Grouped opening reads of fused jobs: the jobs of several tenants asked for together are read
 * in one transaction, each under its own tenant's scope, and each read answers exactly what a
 * read of its own (`jobSnapshot`) answers; a job asked for under another tenant is not found.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { groupOpeningReads, readTogether } from '../../../src/pipeline/jobs/opening-reads.js';
import type { JobPayload } from '../../../src/pipeline/jobs/queues.js';
import { jobSnapshot } from '../../../src/pipeline/jobs/steps.js';
import { submitJob } from '../../../src/pipeline/jobs/submit.js';
import { DRIVERS } from '../../store/drivers.js';
import { jobStoreSuite } from './job-store-suite.js';
import { canaryJob, canaryText } from './fixtures.js';

const TENANTS = ['tenant-read-b', 'tenant-read-a'] as const;

for (const driver of DRIVERS) {
  describe(`grouped opening reads on ${driver.name}`, { skip: driver.skip }, () => {
    const suite = jobStoreSuite(driver, 'veil-reads-');

    const submit = async (tenantId: string, n: number): Promise<JobPayload> => {
      const { jobId } = await submitJob(
        { db: suite.database.handle.db, blobs: suite.store.blobs, boss: suite.boss },
        canaryJob(tenantId, Buffer.from(canaryText(n)), 'text/plain'),
      );
      return { tenantId, jobId };
    };

    test('jobs of two tenants read together answer what each read alone answers, in order', async () => {
      const payloads: JobPayload[] = [];
      for (let n = 40; n < 45; n += 1) payloads.push(await submit(TENANTS[n % 2]!, n));
      const alone = await Promise.all(payloads.map((p) => jobSnapshot(suite.store, p)));
      const together = await readTogether(suite.store, payloads);
      assert.deepEqual(together, alone);
      assert.deepEqual(
        together.map((s) => [s?.job.tenantId, s?.job.id, s?.job.status, s?.artifacts.length]),
        payloads.map((p) => [p.tenantId, p.jobId, 'queued', 2]),
      );
    });

    test('a job asked for under another tenant is not found, and the others are', async () => {
      const a = await submit(TENANTS[0], 50);
      const b = await submit(TENANTS[1], 51);
      const found = await readTogether(suite.store, [a, { tenantId: TENANTS[0], jobId: b.jobId }, b]);
      assert.equal(found[0]?.job.id, a.jobId);
      assert.equal(found[1], undefined);
      assert.equal(found[2]?.job.id, b.jobId);
    });

    test('reads asked for in one turn of the event loop each get their own job', async () => {
      const payloads = [
        await submit(TENANTS[0], 52),
        await submit(TENANTS[1], 53),
        await submit(TENANTS[0], 54),
      ];
      const reads = groupOpeningReads(suite.store, { maxJobs: 2 });
      const found = await Promise.all([
        ...payloads.map((p) => reads.read(p)),
        reads.read({ tenantId: TENANTS[1], jobId: payloads[0]!.jobId }),
      ]);
      assert.deepEqual(
        found.map((s) => s?.job.id),
        [...payloads.map((p) => p.jobId), undefined],
      );
    });
  });
}
