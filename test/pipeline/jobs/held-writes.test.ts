/**
 * One transaction per fused job: a run that holds its steps' writes records them all at its end,
 * or nothing. The parsed text is never stored; a fault in the one transaction leaves the job as
 * submitted; a run that loses the claim to another writes nothing and leaves no blob; and a fused
 * job through the workers tells its five step events once, after its commit.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { sql } from 'kysely';
import { getJobStatus } from '../../../src/pipeline/jobs/commands.js';
import type { HeldWrites } from '../../../src/pipeline/jobs/held-writes.js';
import type { JobPayload } from '../../../src/pipeline/jobs/queues.js';
import { transitionJob } from '../../../src/pipeline/jobs/records.js';
import { jobSnapshot } from '../../../src/pipeline/jobs/steps.js';
import { submitJob } from '../../../src/pipeline/jobs/submit.js';
import { startWorkers } from '../../../src/pipeline/worker.js';
import type { WorkerEvent } from '../../../src/pipeline/worker.js';
import { forTenant, SYSTEM_SCOPE, withTenantScope } from '../../../src/store/index.js';
import type { DatabaseHandle } from '../../../src/store/index.js';
import { DRIVERS } from '../../store/drivers.js';
import { jobStoreSuite } from './job-store-suite.js';
import {
  canaries,
  canaryJob,
  canaryText,
  filesContaining,
  holdJob,
  walk,
  waitForJob,
  recordJobUpdates,
  refuseCountUpdates,
} from './fixtures.js';

const TENANT = 'tenant-held';

/** How many rows of `output_classes`, or keyed HMACs in the subject index, the job has. */
async function rowsOf(
  handle: DatabaseHandle,
  table: 'subject_index' | 'output_classes',
  jobId: string,
): Promise<number> {
  const { rows } = await withTenantScope(handle.db, SYSTEM_SCOPE, (trx) =>
    table === 'subject_index'
      ? sql<{ n: number }>`select coalesce(sum(cardinality(hmacs)), 0)::int as n
          from subject_index_lists where job_id = ${jobId}`.execute(trx)
      : sql<{ n: number }>`select count(*)::int as n from output_classes where job_id = ${jobId}`.execute(
          trx,
        ),
  );
  return rows[0]!.n;
}

for (const driver of DRIVERS) {
  describe(`one transaction per fused job on ${driver.name}`, { skip: driver.skip }, () => {
    const suite = jobStoreSuite(driver, 'veil-held-');

    const submit = async (n: number): Promise<JobPayload> => {
      const { jobId } = await submitJob(
        { db: suite.database.handle.db, blobs: suite.store.blobs, boss: suite.boss },
        canaryJob(TENANT, Buffer.from(canaryText(n)), 'text/plain'),
      );
      return { tenantId: TENANT, jobId };
    };
    const classes = async (jobId: string): Promise<string[]> =>
      (await forTenant(suite.store, TENANT).artifacts.listForJob(jobId)).map((a) => a.artifactClass).sort();
    const blobs = async (): Promise<number> => (await walk(join(suite.dataDir, 'blobs'))).length;

    /** Runs every step of a text job with its writes held, as a fused run does; answers what it held. */
    const holdAll = (payload: JobPayload): Promise<HeldWrites> => holdJob(suite.store, payload);

    test('a held run stores nothing until its end, then records the job whole, without its parsed text', async () => {
      const payload = await submit(11);
      const opening = (await jobSnapshot(suite.store, payload))!;
      const blobsBefore = await blobs();
      const held = await holdAll(payload);
      // Nothing reached the store while the steps ran.
      assert.equal(
        (await getJobStatus(suite.store, { tenant: TENANT, jobId: payload.jobId })).status,
        'queued',
      );
      assert.deepEqual(await classes(payload.jobId), ['manifest', 'original']);
      assert.equal(await blobs(), blobsBefore);

      const after = await held.commit(suite.store, payload);
      assert.equal(after?.job.status, 'succeeded');
      assert.deepEqual(after?.artifacts.map((a) => a.artifactClass).sort(), [
        'findings',
        'manifest',
        'original',
        'redacted',
      ]);
      assert.deepEqual(await classes(payload.jobId), ['findings', 'manifest', 'original', 'redacted']);
      // Two blobs: the findings and the redacted output; the parsed text never had one.
      assert.equal(await blobs(), blobsBefore + 2);
      const view = await getJobStatus(suite.store, { tenant: TENANT, jobId: payload.jobId });
      assert.deepEqual(view.countsByType, { EMAIL_ADDRESS: 1, US_SSN: 1 });
      assert.equal(view.redactedAvailable, true);
      assert.equal(await rowsOf(suite.database.handle, 'subject_index', payload.jobId), 2);
      assert.equal(await rowsOf(suite.database.handle, 'output_classes', payload.jobId), 1);
      // The outputs' deadlines were set by the finishing job (after their rows went in), not left
      // at the submission's.
      const submitted = (await jobSnapshot(suite.store, payload))!.artifacts;
      for (const artifact of submitted.filter(
        (a) => a.artifactClass === 'findings' || a.artifactClass === 'redacted',
      ))
        assert.notEqual(
          artifact.deleteAfter.getTime(),
          opening.job.deleteAfter.getTime(),
          artifact.artifactClass,
        );
      const { ssn, email } = canaries(11);
      assert.deepEqual(await filesContaining(join(suite.dataDir, 'blobs'), [ssn, email]), []);
    });

    test("the commit writes the job's row once: claimed, counted and finished with its deadline", async () => {
      const payload = await submit(14);
      const held = await holdAll(payload);
      const table = 'veil_test_held_job_updates';
      await recordJobUpdates(suite.database.handle, table, true);
      let updates: number;
      let after: Awaited<ReturnType<HeldWrites['commit']>>;
      try {
        after = await held.commit(suite.store, payload);
        const { rows } = await sql<{ n: number }>`select count(*)::int as n from ${sql.id(table)}
          where job_id = ${payload.jobId}`.execute(suite.database.handle.db);
        updates = rows[0]!.n;
      } finally {
        await recordJobUpdates(suite.database.handle, table, false);
      }
      assert.equal(updates, 1);
      assert.equal(after?.job.status, 'succeeded');
      assert.notEqual(after?.job.endedAt ?? null, null);
      assert.deepEqual(after?.job.countsByType, { EMAIL_ADDRESS: 1, US_SSN: 1 });
      // The job's own deadline is the latest of its artifacts', set in that same update.
      const latest = Math.max(...after!.artifacts.map((a) => a.deleteAfter.getTime()));
      assert.equal(after?.job.deleteAfter.getTime(), latest);
      assert.ok(latest > after!.job.endedAt!.getTime());
    });

    test('a run opened with its ledger classes commits without reading them again, to the same deadlines', async () => {
      const committed = async (ledgerClasses: boolean) => {
        const payload = await submit(ledgerClasses ? 16 : 17);
        const held = await holdJob(suite.store, payload, { ledgerClasses });
        const statements: string[] = [];
        const db = suite.store.db.withPlugin({
          transformQuery: (args) => {
            const node = args.node as {
              kind: string;
              from?: { froms: Array<{ table?: { identifier?: { name?: string } } }> };
            };
            statements.push(`${node.kind}:${node.from?.froms[0]?.table?.identifier?.name ?? ''}`);
            return args.node;
          },
          transformResult: async (args) => args.result,
        });
        const after = (await held.commit({ ...suite.store, db }, payload))!;
        const ended = after.job.endedAt!.getTime();
        const ledger = await withTenantScope(suite.store.db, TENANT, (trx) =>
          trx
            .selectFrom('retention_ledger')
            .select(['class', 'delete_after'])
            .where('job_id', '=', payload.jobId)
            .execute(),
        );
        return {
          ledgerReads: statements.filter((s) => s === 'SelectQueryNode:retention_ledger').length,
          statements: statements.length,
          // Each deadline as its window after the job's end.
          ledger: ledger.map((r) => [r.class, r.delete_after.getTime() - ended] as const).sort(),
          artifacts: after.artifacts
            .map((a) => [a.artifactClass, a.deleteAfter.getTime() - ended] as const)
            .sort(),
          job: after.job.deleteAfter.getTime() - ended,
        };
      };
      const read = await committed(false);
      const known = await committed(true);
      assert.equal(read.ledgerReads, 1);
      assert.equal(known.ledgerReads, 0);
      assert.equal(known.statements, read.statements - 1);
      assert.deepEqual(
        { ledger: known.ledger, artifacts: known.artifacts, job: known.job },
        { ledger: read.ledger, artifacts: read.artifacts, job: read.job },
      );
      assert.ok(known.ledger.length >= 2);
    });

    test('a fault inside the one transaction leaves the job as submitted; run again, it completes once', async () => {
      const payload = await submit(12);
      const blobsBefore = await blobs();
      const held = await holdAll(payload);
      await refuseCountUpdates(suite.database.handle, 'veil_test_refuse_held_counts', true);
      try {
        await assert.rejects(held.commit(suite.store, payload));
      } finally {
        await refuseCountUpdates(suite.database.handle, 'veil_test_refuse_held_counts', false);
      }
      assert.equal(
        (await getJobStatus(suite.store, { tenant: TENANT, jobId: payload.jobId })).status,
        'queued',
      );
      assert.deepEqual(await classes(payload.jobId), ['manifest', 'original']);
      assert.equal(await rowsOf(suite.database.handle, 'subject_index', payload.jobId), 0);
      assert.equal(await rowsOf(suite.database.handle, 'output_classes', payload.jobId), 0);
      assert.equal(await blobs(), blobsBefore, 'the staged blobs were deleted');

      const again = await holdAll(payload);
      assert.equal((await again.commit(suite.store, payload))?.job.status, 'succeeded');
      assert.deepEqual(await classes(payload.jobId), ['findings', 'manifest', 'original', 'redacted']);
      assert.equal(await rowsOf(suite.database.handle, 'subject_index', payload.jobId), 2);
      assert.equal(await blobs(), blobsBefore + 2);
    });

    test('a run that loses the claim writes nothing and leaves no blob', async () => {
      const payload = await submit(13);
      const blobsBefore = await blobs();
      const held = await holdAll(payload);
      // Another run moved the job on meanwhile.
      assert.equal(await transitionJob(suite.database.handle.db, payload, ['queued'], 'running'), true);
      assert.equal(await held.commit(suite.store, payload), undefined);
      assert.deepEqual(await classes(payload.jobId), ['manifest', 'original']);
      assert.equal(await rowsOf(suite.database.handle, 'subject_index', payload.jobId), 0);
      assert.equal(await blobs(), blobsBefore);
      const view = await getJobStatus(suite.store, { tenant: TENANT, jobId: payload.jobId });
      assert.equal(view.status, 'running');
      assert.deepEqual(view.countsByType, {});
    });

    test('a fused job through the workers: one commit, five step events told once, in order', async () => {
      const events: WorkerEvent[] = [];
      const workers = await startWorkers({
        handle: suite.database.handle,
        boss: suite.boss,
        keyring: suite.store.keyring,
        blobs: suite.store.blobs,
        pollingIntervalSeconds: 0.5,
        onEvent: (event) => events.push(event),
      });
      try {
        const payload = await submit(14);
        workers.wake('intake');
        const view = await waitForJob(suite.store, TENANT, payload.jobId, ['succeeded', 'failed']);
        assert.equal(view.status, 'succeeded');
        await workers.stop();
        assert.deepEqual(
          events.filter((e) => e.jobId === payload.jobId).map((e) => `${e.kind} ${e.step ?? ''}`),
          [
            'step-done intake',
            'step-done parse',
            'step-done detect',
            'step-done anonymise',
            'step-done finalise',
          ],
        );
        assert.deepEqual(await classes(payload.jobId), ['findings', 'manifest', 'original', 'redacted']);
      } finally {
        await workers.stop();
      }
    });
  });
}
