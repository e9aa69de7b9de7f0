/**
 * Grouped opening reads of fused jobs: the jobs of several tenants asked for together are read
 * in one transaction, each under its own tenant's scope, and each read answers exactly what a
 * read of its own (`jobSnapshot`) answers; a job asked for under another tenant is not found.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { sql } from 'kysely';
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
      // …and each brings its ledger's classes, for its held commit.
      assert.deepEqual(
        together.map((s) => s?.ledgerClasses),
        payloads.map(() => ['extracted_text', 'original', 'redacted']),
      );
      assert.deepEqual(
        together.map((s) => s && { job: s.job, artifacts: s.artifacts }),
        alone,
      );
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

    // The test connects as a superuser, whom row-level security never stops; PGlite has one
    // connection, so a session role makes every transaction of the read run as an ordinary role.
    test(
      'under an ordinary role, each tenant’s jobs are read under its own scope (the wall holds)',
      { skip: driver.name === 'pglite' ? false : 'a session role needs the single connection of PGlite' },
      async () => {
        const a = await submit(TENANTS[0], 55);
        const b = await submit(TENANTS[1], 56);
        const db = suite.database.handle.db;
        const role = `veil_rls_${randomBytes(4).toString('hex')}`;
        await sql.raw(`create role ${role} nologin`).execute(db);
        try {
          await sql.raw(`grant select on jobs, artifacts, retention_ledger to ${role}`).execute(db);
          await sql.raw(`set role ${role}`).execute(db);
          try {
            const found = await readTogether(suite.store, [a, b]);
            assert.deepEqual(
              found.map((s) => [s?.job.id, s?.artifacts.length, s?.ledgerClasses?.length]),
              [
                [a.jobId, 2, 3],
                [b.jobId, 2, 3],
              ],
            );
          } finally {
            await sql.raw('reset role').execute(db);
          }
        } finally {
          await sql.raw(`drop owned by ${role}`).execute(db);
          await sql.raw(`drop role ${role}`).execute(db);
        }
      },
    );

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
