/**
 * Inline jobs: a small text job run to completion in its submitting call records what the same
 * input run queued and fused records (findings, redacted bytes, status, retention deadlines,
 * subject index), never stores its original, falls back to the queue when a step or its commit
 * fails, and keeps each job of concurrent submissions under its own tenant, once.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { sql } from 'kysely';
import { VeilError } from '../../../src/errors/veil-error.js';
import { getJobStatus, readRedacted } from '../../../src/pipeline/jobs/commands.js';
import type { JobStatusView } from '../../../src/pipeline/jobs/commands.js';
import { MAX_INLINE_BYTES, runsInline } from '../../../src/pipeline/jobs/fused.js';
import { createInlineJobs } from '../../../src/pipeline/jobs/inline.js';
import type { InlineJobs } from '../../../src/pipeline/jobs/inline.js';
import { submitOnce } from '../../../src/pipeline/jobs/idempotency.js';
import { FUSED_QUEUE } from '../../../src/pipeline/jobs/queues.js';
import type { JobPayload } from '../../../src/pipeline/jobs/queues.js';
import { submitJob } from '../../../src/pipeline/jobs/submit.js';
import type { JobDeps } from '../../../src/pipeline/jobs/submit.js';
import { forTenant, SYSTEM_SCOPE, withTenantScope } from '../../../src/store/index.js';
import { DRIVERS } from '../../store/drivers.js';
import { jobStoreSuite } from './job-store-suite.js';
import { canaries, canaryJob, canaryText, dumpTables, filesContaining, holdJob, walk } from './fixtures.js';

const MAX = 64 * 1024;

test('runsInline: text/plain up to the size, without the fields or text outputs, and never at 0', () => {
  const route = { mediaType: 'text/plain', byteLength: 5120, outputs: ['redacted'] as const };
  assert.equal(runsInline({ ...route, maxBytes: MAX }), true);
  assert.equal(runsInline({ ...route, byteLength: MAX + 1, maxBytes: MAX }), false);
  assert.equal(runsInline({ ...route, maxBytes: 0 }), false);
  assert.equal(runsInline(route), false);
  assert.equal(runsInline({ ...route, mediaType: 'application/pdf', maxBytes: MAX }), false);
  assert.equal(runsInline({ ...route, outputs: ['findings_summary', 'fields'], maxBytes: MAX }), false);
  assert.equal(runsInline({ ...route, outputs: ['redacted', 'text'], maxBytes: MAX }), false);
});

test('createInlineJobs refuses a size outside 1 byte to 1 MiB before anything runs', () => {
  // The size is checked before the store is touched: no database is needed to see it refused.
  const store = {} as Parameters<typeof createInlineJobs>[0];
  const services = {} as Parameters<typeof createInlineJobs>[1];
  for (const size of [0, -1, 1.5, MAX_INLINE_BYTES + 1])
    assert.throws(() => createInlineJobs(store, services, size), { code: 'VEIL_INVALID_OPTION' });
  assert.equal(createInlineJobs(store, services, MAX_INLINE_BYTES).maxBytes, MAX_INLINE_BYTES);
});

for (const driver of DRIVERS) {
  describe(`inline jobs on ${driver.name}`, { skip: driver.skip }, () => {
    const suite = jobStoreSuite(driver, 'veil-inline-');
    const deps = (inline?: InlineJobs): JobDeps => ({
      db: suite.database.handle.db,
      blobs: suite.store.blobs,
      boss: suite.boss,
      keyring: suite.store.keyring,
      ...(inline === undefined ? {} : { inline }),
    });
    const inlineJobs = (analyzeText?: () => Promise<never>): InlineJobs =>
      createInlineJobs(
        suite.store,
        { keyring: suite.store.keyring, ...(analyzeText === undefined ? {} : { analyzeText }) },
        MAX,
      );
    /** Runs a queued fused job as a worker's held run does: its steps held, then one commit. */
    const runQueued = async (payload: JobPayload): Promise<void> => {
      const held = await holdJob(suite.store, payload, { ledgerClasses: true });
      assert.equal((await held.commit(suite.store, payload))?.job.status, 'succeeded');
    };
    const systemRows = <T>(query: string): Promise<T[]> =>
      withTenantScope(
        suite.database.handle.db,
        SYSTEM_SCOPE,
        async (trx) => (await sql.raw<T>(query).execute(trx)).rows,
      );
    const classesOf = async (tenant: string, jobId: string): Promise<string[]> =>
      (await forTenant(suite.store, tenant).artifacts.listForJob(jobId)).map((a) => a.artifactClass).sort();
    const fusedMessages = async (jobId: string): Promise<number> =>
      (
        await systemRows<{ n: number }>(
          `select count(*)::int as n from pgboss.job where name = '${FUSED_QUEUE}' and data->>'jobId' = '${jobId}'`,
        )
      )[0]!.n;
    /** What must be equal between two runs of one input: the view less ids and times, deadlines as windows. */
    const comparable = (view: JobStatusView) => {
      const endedAt = view.updatedAt.getTime();
      return {
        status: view.status,
        purpose: view.purpose,
        consent: view.consent,
        policyHash: view.policyHash,
        countsByType: view.countsByType,
        errorCode: view.errorCode,
        redactedAvailable: view.redactedAvailable,
        fieldsAvailable: view.fieldsAvailable,
        deleteAfterMs: view.deleteAfter.getTime() - endedAt,
        classes: view.retention?.classes.map((c) => ({
          ...c,
          deleteAfter: new Date(c.deleteAfter).getTime() - endedAt,
        })),
      };
    };
    const findingsOf = async (tenant: string, jobId: string): Promise<unknown> =>
      JSON.parse((await forTenant(suite.store, tenant).artifacts.read(`${jobId}.findings`)).toString('utf8'));
    const indexOf = async (jobId: string): Promise<string[]> =>
      (
        await systemRows<{ tenant_id: string; hmacs: string[] }>(
          `select tenant_id, array(select h from unnest(hmacs) h order by 1) as hmacs from subject_index_lists where job_id = '${jobId}'`,
        )
      ).flatMap((r) => r.hmacs.map((h) => `${r.tenant_id}:${h}`));

    test('an inline job records what the queued fused run of the same input records, and no original', async () => {
      const tenant = 'tenant-inline-eq';
      const input = canaryJob(tenant, Buffer.from(canaryText(1)), 'text/plain');
      const inline = await submitJob(deps(inlineJobs()), input);
      assert.equal(inline.status, 'succeeded');
      assert.deepEqual(inline.steps, ['intake', 'parse', 'detect', 'anonymise', 'finalise']);
      const queued = await submitJob(deps(), input);
      assert.equal(queued.status, 'queued');
      assert.equal(queued.steps, undefined);
      await runQueued({ tenantId: tenant, jobId: queued.jobId });

      const [a, b] = await Promise.all(
        [inline.jobId, queued.jobId].map((jobId) => getJobStatus(suite.store, { tenant, jobId })),
      );
      assert.equal(a!.status, 'succeeded');
      assert.deepEqual(a!.countsByType, { EMAIL_ADDRESS: 1, US_SSN: 1 });
      const [ca, cb] = [comparable(a!), comparable(b!)];
      // Each deadline is a window from the job's end: equal to the second between two runs.
      const near = (x: number, y: number) => Math.abs(x - y) < 1000;
      assert.ok(near(ca.deleteAfterMs, cb.deleteAfterMs), 'the job deadline, from its end');
      assert.deepEqual(
        ca.classes?.map((c) => c.retentionClass),
        cb.classes?.map((c) => c.retentionClass),
      );
      ca.classes?.forEach((c, i) =>
        assert.ok(near(c.deleteAfter, cb.classes![i]!.deleteAfter), c.retentionClass),
      );
      assert.deepEqual(
        { ...ca, deleteAfterMs: 0, classes: ca.classes?.map((c) => ({ ...c, deleteAfter: 0 })) },
        { ...cb, deleteAfterMs: 0, classes: cb.classes?.map((c) => ({ ...c, deleteAfter: 0 })) },
      );
      assert.deepEqual(
        await readRedacted(suite.store, { tenant, jobId: inline.jobId }),
        await readRedacted(suite.store, { tenant, jobId: queued.jobId }),
      );
      assert.deepEqual(await findingsOf(tenant, inline.jobId), await findingsOf(tenant, queued.jobId));
      const index = await indexOf(inline.jobId);
      assert.equal(index.length, 2);
      assert.deepEqual(index, await indexOf(queued.jobId));
      // The same rows but the original: none stored, no blob, and nothing queued.
      assert.deepEqual(await classesOf(tenant, inline.jobId), ['findings', 'manifest', 'redacted']);
      assert.deepEqual(await classesOf(tenant, queued.jobId), [
        'findings',
        'manifest',
        'original',
        'redacted',
      ]);
      assert.equal(await fusedMessages(inline.jobId), 0);
      assert.equal(await fusedMessages(queued.jobId), 1);
      const blobs = await systemRows<{ job_id: string }>(
        `select job_id from artifacts where job_id in ('${inline.jobId}', '${queued.jobId}')`,
      );
      assert.equal(blobs.length, 7);
      const { ssn, email, name } = canaries(1);
      assert.deepEqual(await filesContaining(join(suite.dataDir, 'blobs'), [ssn, email, name]), []);
      const dump = await dumpTables(suite.database.handle);
      for (const canary of [ssn, email, name]) assert.ok(!dump.includes(canary), 'no canary in any row');
    });

    test('a step that throws records nothing inline: the job is queued, and ends as a queued one does', async () => {
      const tenant = 'tenant-inline-fallback';
      const before = (await walk(join(suite.dataDir, 'blobs'))).length;
      // The detection pool refuses (full queue): the detect step throws.
      const busy = async (): Promise<never> => {
        throw new VeilError('VEIL_BUSY', 'detection: busy');
      };
      const fell = await submitJob(
        deps(inlineJobs(busy)),
        canaryJob(tenant, Buffer.from(canaryText(2)), 'text/plain'),
      );
      assert.equal(fell.status, 'queued');
      assert.equal(fell.steps, undefined);
      assert.deepEqual(await classesOf(tenant, fell.jobId), ['manifest', 'original']);
      assert.equal(await fusedMessages(fell.jobId), 1);
      // Manifest and original only: the inline run's staged manifest was deleted.
      assert.equal((await walk(join(suite.dataDir, 'blobs'))).length, before + 2);
      await runQueued({ tenantId: tenant, jobId: fell.jobId });
      const view = await getJobStatus(suite.store, { tenant, jobId: fell.jobId });
      assert.equal(view.status, 'succeeded');
      assert.deepEqual(view.countsByType, { EMAIL_ADDRESS: 1, US_SSN: 1 });
    });

    /** Makes the server refuse a job inserted already ended (an inline commit), or drops that refusal. */
    const refuseEndedInserts = async (on: boolean): Promise<void> => {
      const db = suite.database.handle.db;
      if (!on) {
        await sql`drop trigger if exists veil_test_inline_refuse on jobs`.execute(db);
        return;
      }
      await sql`
        create or replace function veil_test_inline_refuse() returns trigger language plpgsql as $$
        begin
          raise exception 'injected fault';
        end $$`.execute(db);
      await sql`
        create trigger veil_test_inline_refuse before insert on jobs for each row
        when (new.status = 'succeeded') execute function veil_test_inline_refuse()`.execute(db);
    };

    test('a commit that fails records nothing inline: the job is queued', async () => {
      const tenant = 'tenant-inline-commit';
      const before = (await walk(join(suite.dataDir, 'blobs'))).length;
      await refuseEndedInserts(true);
      let fell;
      try {
        fell = await submitJob(
          deps(inlineJobs()),
          canaryJob(tenant, Buffer.from(canaryText(3)), 'text/plain'),
        );
      } finally {
        await refuseEndedInserts(false);
      }
      assert.equal(fell.status, 'queued');
      assert.deepEqual(await classesOf(tenant, fell.jobId), ['manifest', 'original']);
      assert.deepEqual(
        await systemRows(`select job_id from subject_index_lists where job_id = '${fell.jobId}'`),
        [],
        'no step row of the rolled back commit',
      );
      assert.equal((await walk(join(suite.dataDir, 'blobs'))).length, before + 2, 'its staged blobs deleted');
      await runQueued({ tenantId: tenant, jobId: fell.jobId });
      assert.equal((await getJobStatus(suite.store, { tenant, jobId: fell.jobId })).status, 'succeeded');
    });

    test('concurrent inline submissions of several tenants: each job once, under its own tenant', async () => {
      const tenants = ['tenant-inline-x', 'tenant-inline-y', 'tenant-inline-z'];
      const inline = inlineJobs();
      const jobs = await Promise.all(
        Array.from({ length: 9 }, async (_, n) => {
          const tenant = tenants[n % 3]!;
          const job = await submitJob(
            deps(inline),
            canaryJob(tenant, Buffer.from(canaryText(10 + n)), 'text/plain'),
          );
          return { tenant, ...job };
        }),
      );
      assert.deepEqual(
        jobs.map((j) => j.status),
        Array(9).fill('succeeded'),
      );
      const rows = await systemRows<{ id: string; tenant_id: string; xmin: string }>(
        `select id, tenant_id, xmin::text as xmin from jobs where tenant_id like 'tenant-inline-_'`,
      );
      assert.equal(rows.length, 9, 'none recorded twice');
      assert.ok(
        new Set(rows.map((r) => r.xmin)).size < 9,
        'submissions that end together share a transaction',
      );
      for (const job of jobs) {
        assert.equal(rows.find((r) => r.id === job.jobId)?.tenant_id, job.tenant);
        const other = tenants.find((t) => t !== job.tenant)!;
        assert.equal(
          await forTenant(suite.store, other).jobs.get(job.jobId),
          undefined,
          'hidden from another tenant',
        );
        const index = await systemRows<{ tenant_id: string }>(
          `select distinct tenant_id from subject_index_lists where job_id = '${job.jobId}'`,
        );
        assert.deepEqual(index, [{ tenant_id: job.tenant }]);
        assert.deepEqual(await classesOf(job.tenant, job.jobId), ['findings', 'manifest', 'redacted']);
      }
    });

    test('an idempotent retry of an inline submission answers the same job, succeeded', async () => {
      const tenant = 'tenant-inline-idem';
      const request = {
        tenant,
        keyHash: new Uint8Array(32).fill(7),
        requestHash: new Uint8Array(32).fill(9),
      };
      const inline = inlineJobs();
      const submit = (jobId: string) =>
        submitJob(deps(inline), { ...canaryJob(tenant, Buffer.from(canaryText(4)), 'text/plain'), jobId });
      const statusOf = async (jobId: string) =>
        (await forTenant(suite.store, tenant).jobs.get(jobId))?.status;
      const first = await submitOnce(suite.database.handle.db, request, submit, statusOf);
      const again = await submitOnce(suite.database.handle.db, request, submit, statusOf);
      assert.deepEqual(first, { jobId: first.jobId, status: 'succeeded', replayed: false });
      assert.deepEqual(again, { jobId: first.jobId, status: 'succeeded', replayed: true });
      assert.equal((await systemRows(`select id from jobs where tenant_id = '${tenant}'`)).length, 1);
    });
  });
}
