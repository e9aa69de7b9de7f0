import assert from 'node:assert/strict';
import { access, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { parseAuditExport } from '../../src/audit/index.js';
import { sweepRetention } from '../../src/privacy/retention/sweeper.js';
import { exportAuditLogText } from '../../src/runtime/audit.js';
import { retentionAudit } from '../../src/runtime/governance.js';
import { as, DRIVER_NAMES, openTestService, skipReason, textJob, waitForJob } from '../api/jobs-harness.js';
import type { TestService } from '../api/jobs-harness.js';
import { policyDir, QUIET_API, shippedDefault } from './governance-fixtures.js';

const TEXT = 'Claim 77: write to canary-retention@example.org or call 415-555-0134.';

interface ArtifactRow {
  id: string;
  job_id: string;
  class: string;
  blob_name: string;
}

async function artifacts(t: TestService, jobId?: string): Promise<ArtifactRow[]> {
  return t.service.runtime.handle.db.transaction().execute(async (trx) => {
    await sql`select set_config('veil.tenant_id', '*', true)`.execute(trx);
    const rows =
      await sql<ArtifactRow>`select id, job_id, class, blob_name from artifacts order by id`.execute(trx);
    return rows.rows.filter((r) => jobId === undefined || r.job_id === jobId);
  });
}

const blobPath = (t: TestService, name: string): string => join(t.dataDir, 'blobs', name.slice(2, 4), name);
const exists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );

async function events(
  t: TestService,
  tenant: string,
  action: string,
): Promise<Array<Record<string, unknown>>> {
  return parseAuditExport(await exportAuditLogText(t.service.audit, tenant))
    .entries.map((e) => e.event as Record<string, unknown>)
    .filter((e) => e.action === action);
}

for (const driver of DRIVER_NAMES) {
  describe(`retention that deletes (${driver})`, { skip: skipReason(driver) }, () => {
    let t: TestService;
    let dir: string;
    before(async () => {
      dir = await policyDir({
        default: { retention: { ...((await shippedDefault()).retention as object), original: '2s' } },
      });
      t = await openTestService(driver, {
        policyDir: dir,
        sweepIntervalSeconds: 1,
        region: 'eu',
        api: QUIET_API,
      });
    });
    after(async () => {
      await t?.dispose();
      await rm(dir, { recursive: true, force: true });
    });

    test('original: 2s — blob and rows of the original go within seconds, the redacted output stays, the retention block and the audit log say so', async () => {
      const { app } = t;
      const submitted = await app.inject({
        method: 'POST',
        url: '/v1/jobs',
        headers: as('processor'),
        payload: textJob(TEXT),
      });
      assert.equal(submitted.statusCode, 202, submitted.body);
      const jobId = submitted.json<{ job_id: string }>().job_id;
      const done = await waitForJob(app, jobId);
      assert.equal(done.status, 'succeeded');
      assert.equal(done.region, 'eu');
      const stored = await artifacts(t, jobId);
      const original = stored.find((a) => a.class === 'original')!;
      const findings = stored.find((a) => a.class === 'findings')!;
      const redacted = stored.find((a) => a.class === 'redacted')!;
      assert.ok(
        original && findings && redacted,
        'the job stored its original, findings and redacted output',
      );
      assert.equal(await exists(blobPath(t, original.blob_name)), true);

      // The sweeper runs every second inside the service: within a few seconds the original is gone.
      const deadline = Date.now() + 15_000;
      let left = stored;
      while (Date.now() < deadline) {
        left = await artifacts(t, jobId);
        const status = (
          await app.inject({ method: 'GET', url: `/v1/jobs/${jobId}`, headers: as('auditor') })
        ).json<{
          retention: { classes: Array<{ class: string; deleted_at: string | null }> };
        }>();
        if (
          !left.some((a) => a.class === 'original') &&
          status.retention.classes.find((c) => c.class === 'original')?.deleted_at
        )
          break;
        await new Promise((r) => setTimeout(r, 200));
      }
      assert.deepEqual(left.map((a) => a.class).sort(), ['manifest', 'redacted']);
      assert.equal(await exists(blobPath(t, original.blob_name)), false, 'the original blob file is deleted');
      assert.equal(await exists(blobPath(t, findings.blob_name)), false, 'the findings blob file is deleted');
      assert.equal(await exists(blobPath(t, redacted.blob_name)), true, 'the redacted blob file stays');

      const res = await app.inject({ method: 'GET', url: `/v1/jobs/${jobId}`, headers: as('auditor') });
      assert.equal(res.statusCode, 200);
      const view = res.json<{
        redacted_available: boolean;
        retention: {
          policy_id: string;
          policy_hash: string;
          classes: Array<{ class: string; delete_after: string; deleted_at: string | null }>;
        };
        policy_hash: string;
      }>();
      assert.equal(view.redacted_available, true);
      assert.equal(view.retention.policy_id, 'default');
      assert.equal(view.retention.policy_hash, view.policy_hash);
      const byClass = Object.fromEntries(view.retention.classes.map((c) => [c.class, c]));
      assert.deepEqual(Object.keys(byClass), ['original', 'extracted_text', 'redacted']);
      assert.notEqual(byClass.original!.deleted_at, null);
      assert.ok(
        Date.parse(byClass.original!.deleted_at!) >= Date.parse(byClass.original!.delete_after),
        'deleted at or after its deadline',
      );
      assert.notEqual(byClass.extracted_text!.deleted_at, null);
      assert.equal(byClass.redacted!.deleted_at, null);
      // The job asked for 7 days (the policy allows 30): its retention_days shortened the window.
      assert.ok(Math.abs(Date.parse(byClass.redacted!.delete_after) - Date.now() - 7 * 86_400_000) < 120_000);
      const download = await app.inject({
        method: 'GET',
        url: `/v1/jobs/${jobId}/redacted`,
        headers: as('processor'),
      });
      assert.equal(download.statusCode, 200);

      // The audit log holds retention.expired for the job, with counts per class and the region.
      const expired = (await events(t, 'acme', 'retention.expired')).filter(
        (e) => (e.objects as Array<{ id: string }>)[0]!.id === jobId,
      );
      assert.equal(expired.length >= 1, true);
      const deleted = expired.flatMap((e) => e.deleted as Array<{ class: string; count: number }>);
      assert.deepEqual(
        deleted.find((d) => d.class === 'original'),
        { class: 'original', count: 2 },
      );
      assert.equal(expired[0]!.trigger, 'retention');
      assert.equal(expired[0]!.region, 'eu');
      // Every event of the tenant carries the region.
      const all = parseAuditExport(await exportAuditLogText(t.service.audit, 'acme')).entries.map(
        (e) => e.event as Record<string, unknown>,
      );
      assert.ok(all.length > 3 && all.every((e) => e.region === 'eu'));
    });

    test('every class gone: the job answers 410 with its deletion receipt reference', async () => {
      const { app } = t;
      const submitted = await app.inject({
        method: 'POST',
        url: '/v1/jobs',
        headers: as('processor'),
        payload: textJob(TEXT, { retention_days: 1 }),
      });
      const jobId = submitted.json<{ job_id: string }>().job_id;
      await waitForJob(app, jobId);
      // A day later, as the sweeper sees it.
      const report = await sweepRetention(
        { db: t.service.runtime.handle.db, blobs: t.service.runtime.blobs },
        retentionAudit(t.service.audit),
        {
          now: new Date(Date.now() + 2 * 86_400_000),
        },
      );
      assert.ok((report.artifacts.redacted ?? 0) >= 1);
      assert.deepEqual(await artifacts(t, jobId), []);
      // The service's own sweeper may have claimed the receipt of what this sweep deleted; until
      // it records it the answer says to retry shortly, as a client is told to.
      let error: { code: string; message: string } | undefined;
      for (const deadline = Date.now() + 60_000; Date.now() < deadline; await sleep(200)) {
        const gone = await app.inject({ method: 'GET', url: `/v1/jobs/${jobId}`, headers: as('auditor') });
        assert.equal(gone.statusCode, 410, gone.body);
        error = gone.json<{ error: { code: string; message: string } }>().error;
        if (/leaf \d+/.test(error.message)) break;
      }
      assert.equal(error?.code, 'VEIL_JOB_EXPIRED');
      const leaf = Number(/leaf (\d+)/.exec(error!.message)?.[1]);
      assert.ok(Number.isInteger(leaf), error!.message);
      const entries = parseAuditExport(await exportAuditLogText(t.service.audit, 'acme')).entries;
      const event = entries[leaf]!.event as Record<string, unknown>;
      assert.equal(event.action, 'retention.expired');
      assert.deepEqual((event.objects as Array<{ id: string }>)[0]!.id, jobId);
    });

    test('a sweep killed mid-way, and two sweepers at once, delete nothing twice and leave nothing behind', async () => {
      const { app } = t;
      const jobs: string[] = [];
      for (let i = 0; i < 4; i += 1) {
        const res = await app.inject({
          method: 'POST',
          url: '/v1/jobs',
          headers: as('processor', 'globex'),
          payload: textJob(`${TEXT} ${i}`, { retention_days: 1 }),
        });
        jobs.push(res.json<{ job_id: string }>().job_id);
      }
      for (const id of jobs) await waitForJob(app, id, 'globex');
      // The finalise step drops the extracted text just after the status changes.
      let rows = (await artifacts(t)).filter((a) => jobs.includes(a.job_id));
      for (let i = 0; i < 50 && rows.some((a) => a.class === 'parsed'); i += 1) {
        await new Promise((r) => setTimeout(r, 100));
        rows = (await artifacts(t)).filter((a) => jobs.includes(a.job_id));
      }
      // The service's own sweeper may already have taken some originals (their window is 2 s).
      for (const id of jobs)
        assert.deepEqual(
          rows.filter((a) => a.job_id === id && (a.class === 'redacted' || a.class === 'manifest')).length,
          2,
        );
      // A sweep killed after deleting a blob and before deleting its row.
      const victim = rows.find((a) => a.class === 'redacted')!;
      await unlink(blobPath(t, victim.blob_name));
      const store = { db: t.service.runtime.handle.db, blobs: t.service.runtime.blobs };
      const later = new Date(Date.now() + 2 * 86_400_000);
      // Two sweepers at once, small batches so they interleave.
      const [a, b] = await Promise.all([
        sweepRetention(store, retentionAudit(t.service.audit), { now: later, batchSize: 3 }),
        sweepRetention(store, retentionAudit(t.service.audit), { now: later, batchSize: 3 }),
      ]);
      // The service's own sweeper (every second) may have taken the originals first; together
      // no more than the 16 artifacts were deleted, and the audit counts below show each once.
      const total = (r: typeof a): number => Object.values(r.artifacts).reduce((x, y) => x + y, 0);
      assert.ok(total(a) + total(b) >= 8 && total(a) + total(b) <= 16);
      assert.deepEqual(
        (await artifacts(t)).filter((x) => jobs.includes(x.job_id)),
        [],
      );
      for (const row of rows) assert.equal(await exists(blobPath(t, row.blob_name)), false);
      // One event per job, each class counted once.
      const expired = (await events(t, 'globex', 'retention.expired')).filter((e) =>
        jobs.includes((e.objects as Array<{ id: string }>)[0]!.id),
      );
      const counted = new Map<string, number>();
      for (const e of expired)
        for (const d of e.deleted as Array<{ class: string; count: number }>) {
          const key = `${(e.objects as Array<{ id: string }>)[0]!.id}/${d.class}`;
          assert.equal(counted.has(key), false, `${key} recorded once`);
          counted.set(key, d.count);
        }
      for (const id of jobs) {
        assert.equal(counted.get(`${id}/original`), 2);
        assert.equal(counted.get(`${id}/redacted`), 1);
      }
      // A third sweep finds nothing left to do.
      const again = await sweepRetention(store, retentionAudit(t.service.audit), { now: later });
      assert.deepEqual(again, {
        artifacts: {},
        classesGone: 0,
        events: 0,
        held: {},
        heldEvents: 0,
        vaultSubjects: 0,
      });
    });

    test('retention_days may only shorten the policy: asking for more is a 422', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/jobs',
        headers: as('processor'),
        payload: textJob(TEXT, { retention_days: 31 }),
      });
      assert.equal(res.statusCode, 422, res.body);
      assert.equal(res.json<{ error: { code: string } }>().error.code, 'VEIL_RETENTION_EXCEEDS_POLICY');
    });
  });
}
