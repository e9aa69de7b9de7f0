/**
 * `POST /v1/jobs` with inline jobs on (`inlineMaxBytes`, `VEIL_INLINE_MAX_BYTES`): a small text
 * job answers `succeeded`, its outputs readable at once, with the audit events a queued fused job
 * gets (the submission's, then its five steps'); a larger one is queued as before. Region and
 * withdrawn consent still refuse before anything is written, and no plaintext reaches a row, a
 * blob or a log line.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { rm } from 'node:fs/promises';
import { parseAuditExport } from '../../src/audit/index.js';
import { startWorkers } from '../../src/pipeline/worker.js';
import { exportAuditLogText, recordWorkerEvent } from '../../src/runtime/audit.js';
import { filesContaining } from '../pipeline/jobs/fixtures.js';
import { policyDir } from '../privacy/governance-fixtures.js';
import {
  as,
  DRIVER_NAMES,
  openTestService,
  skipReason,
  systemRows,
  textJob,
  waitForJob,
} from './jobs-harness.js';
import type { TestService } from './jobs-harness.js';

const SSN = '536-29-4417';
const EMAIL = 'canary-inline-api@example.org';
const TEXT = `Claim note.\nPlease write to ${EMAIL}.\nHis social security number is ${SSN}.\n`;
const INLINE_MAX = 400;

for (const driver of DRIVER_NAMES) {
  describe(`jobs run inline through the API (${driver})`, { skip: skipReason(driver) }, () => {
    let t: TestService;
    let dir: string;
    before(async () => {
      dir = await policyDir({ default: {}, pinned: { region: 'us' } });
      t = await openTestService(driver, {
        workers: 0,
        inlineMaxBytes: INLINE_MAX,
        policyDir: dir,
        region: 'eu',
        sweepIntervalSeconds: 0,
      });
    });
    after(async () => {
      await t?.dispose();
      await rm(dir, { recursive: true, force: true });
    });
    const submit = (
      payload: Record<string, unknown>,
      tenant = 'acme',
      headers: Record<string, string> = {},
    ) =>
      t.app.inject({
        method: 'POST',
        url: '/v1/jobs',
        headers: { ...as('processor', tenant), ...headers },
        payload,
      });
    /** The job's audit events, as action and step, with the actor and outcome of each step. */
    const eventsOf = async (jobId: string): Promise<string[]> => {
      await t.service.audit.settled();
      return parseAuditExport(await exportAuditLogText(t.service.audit, 'acme'))
        .entries.map(
          (e) =>
            e.event as {
              action: string;
              step?: string;
              outcome?: string;
              actor: { id: string };
              objects?: Array<{ id: string }>;
            },
        )
        .filter((e) => e.objects?.some((o) => o.id === jobId))
        .map((e) =>
          e.action === 'job.step' ? `${e.action} ${e.step} ${e.outcome} ${e.actor.id}` : e.action,
        );
    };

    test('a small text job answers succeeded, reads as a queued one, and is audited as one', async () => {
      const created = await submit(textJob(TEXT));
      assert.equal(created.statusCode, 202, created.body);
      const { job_id: jobId, status } = created.json<{ job_id: string; status: string }>();
      assert.equal(status, 'succeeded');
      const view = await waitForJob(t.app, jobId);
      assert.equal(view.status, 'succeeded');
      assert.deepEqual(view.counts_by_type, { EMAIL_ADDRESS: 1, US_SSN: 1 });
      assert.equal(view.redacted_available, true);
      const redacted = await t.app.inject({
        method: 'GET',
        url: `/v1/jobs/${jobId}/redacted`,
        headers: as('processor'),
      });
      assert.equal(redacted.statusCode, 200, redacted.body);
      assert.ok(!redacted.body.includes(SSN) && !redacted.body.includes(EMAIL));
      assert.deepEqual(
        await systemRows(t, `select class from artifacts where job_id = '${jobId}' order by 1`),
        [{ class: 'findings' }, { class: 'manifest' }, { class: 'redacted' }],
      );
      assert.deepEqual(
        await systemRows(t, `select id from pgboss.job where data->>'jobId' = '${jobId}'`),
        [],
      );

      // The same text past the size is queued, and run by a worker as a fused job.
      const larger = await submit(textJob(TEXT.padEnd(INLINE_MAX + 1, '.')));
      assert.equal(larger.statusCode, 202, larger.body);
      const queued = larger.json<{ job_id: string; status: string }>();
      assert.equal(queued.status, 'queued');
      // Workers as `veil serve` or `veil worker` run them: their step events into the audit log.
      const workers = await startWorkers({
        ...t.service.runtime,
        concurrency: 1,
        pollingIntervalSeconds: 0.5,
        onEvent: (event) => void recordWorkerEvent(t.service.audit, event),
      });
      try {
        assert.equal((await waitForJob(t.app, queued.job_id)).status, 'succeeded');
      } finally {
        await workers.stop();
      }
      const steps = ['intake', 'parse', 'detect', 'anonymise', 'finalise'].map(
        (step) => `job.step ${step} succeeded veil-worker`,
      );
      assert.deepEqual(await eventsOf(queued.job_id), ['job.created', ...steps]);
      // Then the read of its redacted output, made before the queued job ran.
      assert.deepEqual((await eventsOf(jobId)).slice(0, 6), ['job.created', ...steps]);

      const hits = await filesContaining(t.dataDir, [SSN, EMAIL]);
      assert.deepEqual(hits, []);
      for (const line of t.logs) assert.ok(!line.includes(SSN) && !line.includes(EMAIL), 'no canary logged');
      const dump = JSON.stringify(await systemRows(t, 'select * from jobs'));
      assert.ok(!dump.includes(SSN) && !dump.includes(EMAIL));
    });

    test('an idempotent retry answers the same succeeded job', async () => {
      const key = { 'idempotency-key': 'inline-retry-0001' };
      const first = await submit(textJob(TEXT), 'retry', key);
      const again = await submit(textJob(TEXT), 'retry', key);
      assert.equal(first.statusCode, 202, first.body);
      assert.equal(again.statusCode, 202, again.body);
      assert.deepEqual(again.json(), first.json());
      assert.equal(first.json<{ status: string }>().status, 'succeeded');
      assert.equal(again.headers['idempotent-replayed'], 'true');
      assert.equal((await systemRows(t, `select id from jobs where tenant_id = 'retry'`)).length, 1);
    });

    test('a region refusal and a withdrawn consent store nothing', async () => {
      const pinned = await submit(textJob(TEXT), 'pinned');
      assert.equal(pinned.json<{ error: { code: string } }>().error.code, 'VEIL_REGION_MISMATCH');
      assert.deepEqual(await systemRows(t, `select id from jobs where tenant_id = 'pinned'`), []);

      const withdrawn = await t.app.inject({
        method: 'POST',
        url: '/v1/consents/withdrawals',
        headers: as('dpo', 'withdrawn'),
        payload: { subject_ref: 'patient-inline-1', purposes: ['claims-intake'] },
      });
      assert.equal(withdrawn.statusCode, 200, withdrawn.body);
      const refused = await submit(
        textJob(TEXT, { consent: { basis: 'contract', subject_ref: 'patient-inline-1' } }),
        'withdrawn',
      );
      assert.equal(refused.statusCode, 409, refused.body);
      assert.equal(refused.json<{ error: { code: string } }>().error.code, 'VEIL_CONSENT_WITHDRAWN');
      assert.deepEqual(
        await systemRows(t, `select id from jobs where tenant_id in ('pinned', 'withdrawn')`),
        [],
      );
      assert.deepEqual(
        await systemRows(t, `select id from artifacts where tenant_id in ('pinned', 'withdrawn')`),
        [],
      );
      assert.deepEqual(await filesContaining(join(t.dataDir, 'blobs'), [SSN, EMAIL]), []);
    });
  });
}
