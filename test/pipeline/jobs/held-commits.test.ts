/**
 * Group commit of held fused runs: the runs of several tenants that end together are recorded in
 * one transaction, each job under its own tenant's scope; a run whose claim is lost or whose rows
 * fail rolls the group back and every run is then recorded alone, so the others still complete
 * once and the failing one leaves its job as submitted.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { sql } from 'kysely';
import { getJobStatus } from '../../../src/pipeline/jobs/commands.js';
import { commitTogether, groupHeldCommits } from '../../../src/pipeline/jobs/held-commits.js';
import type { StagedRun } from '../../../src/pipeline/jobs/held-commits.js';
import type { JobPayload } from '../../../src/pipeline/jobs/queues.js';
import { transitionJob } from '../../../src/pipeline/jobs/records.js';
import { submitJob } from '../../../src/pipeline/jobs/submit.js';
import { forTenant, SYSTEM_SCOPE, withTenantScope } from '../../../src/store/index.js';
import { DRIVERS } from '../../store/drivers.js';
import { jobStoreSuite } from './job-store-suite.js';
import { canaries, canaryJob, canaryText, filesContaining, holdJob, walk } from './fixtures.js';

const TENANTS = ['tenant-group-b', 'tenant-group-a'] as const;

for (const driver of DRIVERS) {
  describe(`group commit of held runs on ${driver.name}`, { skip: driver.skip }, () => {
    const suite = jobStoreSuite(driver, 'veil-group-');

    const submit = async (tenantId: string, n: number): Promise<JobPayload> => {
      const { jobId } = await submitJob(
        { db: suite.database.handle.db, blobs: suite.store.blobs, boss: suite.boss },
        canaryJob(tenantId, Buffer.from(canaryText(n)), 'text/plain'),
      );
      return { tenantId, jobId };
    };
    /** Held and staged runs of jobs n, n+1, … alternating between the two tenants. */
    const stagedRuns = async (from: number, count: number): Promise<StagedRun[]> => {
      const runs: StagedRun[] = [];
      for (let n = from; n < from + count; n += 1) {
        const payload = await submit(TENANTS[n % 2]!, n);
        const held = await holdJob(suite.store, payload);
        runs.push({ held, payload, staged: await held.stage(suite.store, payload) });
      }
      return runs;
    };
    /** Per job: its status, the transaction that last wrote its row, its indexed identifiers' tenant. */
    const rowsOf = async (payloads: readonly JobPayload[]) => {
      const { rows } = await withTenantScope(suite.database.handle.db, SYSTEM_SCOPE, (trx) =>
        sql<{ id: string; status: string; xmin: string; index_tenants: string[] | null; n: number }>`
          select j.id, j.status, j.xmin::text as xmin,
            (select array_agg(distinct s.tenant_id) from subject_index_lists s where s.job_id = j.id) as index_tenants,
            (select coalesce(sum(cardinality(s.hmacs)), 0)::int from subject_index_lists s where s.job_id = j.id) as n
          from jobs j where j.id in (${sql.join(payloads.map((p) => p.jobId))})`.execute(trx),
      );
      return payloads.map((p) => rows.find((r) => r.id === p.jobId)!);
    };
    const classes = async (payload: JobPayload): Promise<string[]> =>
      (await forTenant(suite.store, payload.tenantId).artifacts.listForJob(payload.jobId))
        .map((a) => a.artifactClass)
        .sort();
    const blobs = async (): Promise<number> => (await walk(join(suite.dataDir, 'blobs'))).length;

    test("four runs of two tenants: one transaction, each job's rows under its tenant", async () => {
      const runs = await stagedRuns(20, 4);
      const settled = await commitTogether(suite.store, runs);
      assert.deepEqual(
        settled.map((s) => (s.status === 'fulfilled' ? s.value?.job.status : 'rejected')),
        ['succeeded', 'succeeded', 'succeeded', 'succeeded'],
      );
      const rows = await rowsOf(runs.map((r) => r.payload));
      assert.equal(new Set(rows.map((r) => r.xmin)).size, 1, 'one transaction wrote every job');
      assert.deepEqual(
        rows.map((r) => [r.status, r.index_tenants, r.n]),
        runs.map((r) => ['succeeded', [r.payload.tenantId], 2]),
      );
      for (const run of runs)
        assert.deepEqual(await classes(run.payload), ['findings', 'manifest', 'original', 'redacted']);
      const { ssn, email } = canaries(21);
      assert.deepEqual(await filesContaining(join(suite.dataDir, 'blobs'), [ssn, email]), []);
    });

    test('a run whose claim is lost takes no other down: the rest complete, it writes nothing', async () => {
      const blobsBefore = await blobs();
      const runs = await stagedRuns(30, 3);
      // Another run moved the second job on meanwhile.
      assert.equal(
        await transitionJob(suite.database.handle.db, runs[1]!.payload, ['queued'], 'running'),
        true,
      );
      const settled = await commitTogether(suite.store, runs);
      assert.deepEqual(
        settled.map((s) => (s.status === 'fulfilled' ? (s.value?.job.status ?? 'lost') : 'rejected')),
        ['succeeded', 'lost', 'succeeded'],
      );
      const rows = await rowsOf(runs.map((r) => r.payload));
      assert.deepEqual(
        rows.map((r) => [r.status, r.n]),
        [
          ['succeeded', 2],
          ['running', 0],
          ['succeeded', 2],
        ],
      );
      assert.deepEqual(await classes(runs[1]!.payload), ['manifest', 'original']);
      // Each submission stored two blobs (manifest, original); the lost run's staged ones were
      // deleted, the others' two each stay.
      assert.equal(await blobs(), blobsBefore + 3 * 2 + 2 * 2);
    });

    test('a run whose rows fail leaves its job as submitted; the others complete once', async () => {
      const runs = await stagedRuns(40, 3);
      const failing = runs[2]!.payload.jobId;
      const trigger = sql.id('veil_test_refuse_group_counts');
      await sql`
        create or replace function ${trigger}() returns trigger language plpgsql as $$
        begin raise exception 'injected fault'; end $$`.execute(suite.database.handle.db);
      await sql`
        create trigger ${trigger} before update on jobs for each row
        when (new.id = ${sql.lit(failing)} and new.counts_by_type is distinct from old.counts_by_type)
        execute function ${trigger}()`.execute(suite.database.handle.db);
      let settled;
      try {
        settled = await commitTogether(suite.store, runs);
      } finally {
        await sql`drop trigger if exists ${trigger} on jobs`.execute(suite.database.handle.db);
      }
      assert.deepEqual(
        settled.map((s) => (s.status === 'fulfilled' ? s.value?.job.status : 'rejected')),
        ['succeeded', 'succeeded', 'rejected'],
      );
      const view = await getJobStatus(suite.store, { tenant: runs[2]!.payload.tenantId, jobId: failing });
      assert.equal(view.status, 'queued');
      assert.deepEqual(await classes(runs[2]!.payload), ['manifest', 'original']);
      assert.deepEqual(
        (await rowsOf(runs.map((r) => r.payload))).map((r) => r.n),
        [2, 2, 0],
      );
    });

    test('runs that end together through groupHeldCommits each complete once', async () => {
      const commits = groupHeldCommits(suite.store);
      const payloads = await Promise.all([50, 51, 52, 53, 54].map((n) => submit(TENANTS[n % 2]!, n)));
      const held = await Promise.all(payloads.map((p) => holdJob(suite.store, p)));
      const after = await Promise.all(held.map((h, i) => commits.commit(h, payloads[i]!)));
      assert.deepEqual(
        after.map((a) => a?.job.status),
        ['succeeded', 'succeeded', 'succeeded', 'succeeded', 'succeeded'],
      );
      // Committed again (a duplicate delivery that held the same writes): the claim is lost.
      assert.equal(await commits.commit(held[0]!, payloads[0]!), undefined);
      assert.deepEqual(
        (await rowsOf(payloads)).map((r) => [r.status, r.n]),
        payloads.map(() => ['succeeded', 2]),
      );
    });
  });
}
