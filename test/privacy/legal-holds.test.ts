/**
 * Legal holds, end to end on the service `veil serve` runs, on PGlite and PostgreSQL: a hold keeps
 * what it covers from the retention sweeper, from `DELETE /v1/jobs/:id` and from a data-subject
 * erasure (which says what it withheld and why), and the first sweep after it is lifted deletes it.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { parseAuditExport, verifyReceipt } from '../../src/audit/index.js';
import { sweepRetention } from '../../src/privacy/retention/sweeper.js';
import type { RetentionSweepReport } from '../../src/privacy/retention/sweeper.js';
import { exportAuditLogText } from '../../src/runtime/audit.js';
import { retentionAudit } from '../../src/runtime/governance.js';
import {
  as,
  systemRows,
  DRIVER_NAMES,
  openTestService,
  skipReason,
  textJob,
  waitForJob,
} from '../api/jobs-harness.js';
import type { TestService } from '../api/jobs-harness.js';
import { policyDir, QUIET_API } from './governance-fixtures.js';

const TEXT = 'Claim 41: write to canary-hold@example.org about the roof.';
const SUBJECT = 'patient-held-77';

const classesOf = async (t: TestService, jobId: string): Promise<string[]> =>
  (
    await systemRows<{ class: string }>(
      t,
      `select class from artifacts where job_id = '${jobId}' order by class`,
    )
  ).map((r) => r.class);

async function events(
  t: TestService,
  tenant: string,
  action: string,
): Promise<Array<Record<string, unknown>>> {
  return parseAuditExport(await exportAuditLogText(t.service.audit, tenant))
    .entries.map((e) => e.event as Record<string, unknown>)
    .filter((e) => e.action === action);
}

const code = (res: { json: <T>() => T }): string => res.json<{ error: { code: string } }>().error.code;

for (const driver of DRIVER_NAMES) {
  describe(`legal holds (${driver})`, { skip: skipReason(driver) }, () => {
    let t: TestService;
    let dir: string;
    let publicKey: string;
    const sweep = (now: Date): Promise<RetentionSweepReport> =>
      sweepRetention(
        { db: t.service.runtime.handle.db, blobs: t.service.runtime.blobs },
        retentionAudit(t.service.audit),
        { now },
      );
    const submit = async (tenant: string, extra: Record<string, unknown> = {}): Promise<string> => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/jobs',
        headers: as('processor', tenant),
        payload: textJob(TEXT, { retention_days: 1, ...extra }),
      });
      assert.equal(res.statusCode, 202, res.body);
      const id = res.json<{ job_id: string }>().job_id;
      assert.equal((await waitForJob(t.app, id, tenant)).status, 'succeeded');
      // The finalise step drops the extracted text just after the status changes.
      for (let i = 0; i < 50 && (await classesOf(t, id)).includes('parsed'); i += 1)
        await new Promise((r) => setTimeout(r, 100));
      return id;
    };
    const place = (
      tenant: string,
      payload: Record<string, unknown>,
      role: 'dpo' | 'admin' | 'processor' | 'auditor' = 'dpo',
    ) =>
      t.app.inject({
        method: 'POST',
        url: '/v1/legal-holds',
        headers: as(role, tenant),
        payload: { reason: 'litigation', reference: 'MATTER-2026-17', ...payload },
      });
    const lift = (tenant: string, id: string) =>
      t.app.inject({ method: 'POST', url: `/v1/legal-holds/${id}/lift`, headers: as('dpo', tenant) });

    before(async () => {
      dir = await policyDir({ default: {} });
      // No timer: each test sweeps as of the time it chooses.
      t = await openTestService(driver, { policyDir: dir, sweepIntervalSeconds: 0, api: QUIET_API });
      publicKey = (await t.app.inject({ method: 'GET', url: '/v1/audit/public-key' })).json<{ pem: string }>()
        .pem;
    });
    after(async () => {
      await t?.dispose();
      await rm(dir, { recursive: true, force: true });
    });

    test('a job hold: the sweeper and DELETE skip the job past its deadline, the skip is audited once, and the first sweep after the lift deletes it', async () => {
      const held = await submit('acme');
      const free = await submit('acme');
      assert.equal((await place('acme', { scope: 'job', job_id: held }, 'processor')).statusCode, 403);
      assert.equal(
        (await place('globex', { scope: 'job', job_id: held })).statusCode,
        404,
        "another tenant's job cannot be held",
      );
      const placed = await place('acme', { scope: 'job', job_id: held });
      assert.equal(placed.statusCode, 201, placed.body);
      const { hold, receipt } = placed.json<{
        hold: {
          id: string;
          scope: string;
          job_id: string;
          reason: string;
          reference: string;
          lifted_at: null;
        };
        receipt: { event: Record<string, unknown> };
      }>();
      assert.deepEqual(
        {
          scope: hold.scope,
          job_id: hold.job_id,
          reason: hold.reason,
          reference: hold.reference,
          lifted_at: hold.lifted_at,
        },
        { scope: 'job', job_id: held, reason: 'litigation', reference: 'MATTER-2026-17', lifted_at: null },
      );
      assert.equal(verifyReceipt(receipt, publicKey).ok, true);
      assert.equal(receipt.event.action, 'legal_hold.placed');
      assert.deepEqual(receipt.event.hold, {
        scope: 'job',
        reason: 'litigation',
        reference: 'MATTER-2026-17',
      });

      const refused = await t.app.inject({
        method: 'DELETE',
        url: `/v1/jobs/${held}`,
        headers: as('processor'),
      });
      assert.equal(refused.statusCode, 409, refused.body);
      assert.equal(code(refused), 'VEIL_LEGAL_HOLD');

      const before = await classesOf(t, held);
      assert.deepEqual(before, ['findings', 'manifest', 'original', 'redacted']);
      const later = new Date(Date.now() + 3 * 86_400_000);
      const first = await sweep(later);
      assert.deepEqual(await classesOf(t, held), before, 'nothing of the held job is deleted');
      assert.deepEqual(await classesOf(t, free), [], 'the job beside it, as late, is deleted');
      assert.deepEqual(first.held, { findings: 1, manifest: 1, original: 1, redacted: 1 });
      assert.equal(first.heldEvents, 1);
      const second = await sweep(later);
      assert.deepEqual(second.held, first.held);
      assert.equal(second.heldEvents, 0, 'a hold is audited once, not at every sweep');
      const skips = (await events(t, 'acme', 'retention.held')).filter((e) =>
        (e.objects as Array<{ id: string }>).some((o) => o.id === held),
      );
      assert.equal(skips.length, 1);
      assert.deepEqual(skips[0]!.counts, { jobs: 1, original: 1, redacted: 1 });
      // The held job is no 410: it still has everything.
      assert.equal(
        (await t.app.inject({ method: 'GET', url: `/v1/jobs/${held}`, headers: as('auditor') })).statusCode,
        200,
      );

      const listed = await t.app.inject({ method: 'GET', url: '/v1/legal-holds', headers: as('auditor') });
      assert.deepEqual(
        listed.json<{ holds: Array<{ id: string }> }>().holds.map((h) => h.id),
        [hold.id],
      );
      assert.equal((await lift('globex', hold.id)).statusCode, 404);
      const lifted = await lift('acme', hold.id);
      assert.equal(lifted.statusCode, 200, lifted.body);
      assert.equal(verifyReceipt(lifted.json<{ receipt: unknown }>().receipt, publicKey).ok, true);
      assert.equal(
        lifted.json<{ receipt: { event: { action: string } } }>().receipt.event.action,
        'legal_hold.lifted',
      );
      const again = await lift('acme', hold.id);
      assert.equal(again.statusCode, 409);
      assert.equal(code(again), 'VEIL_CONFLICT');
      assert.deepEqual(
        (await t.app.inject({ method: 'GET', url: '/v1/legal-holds', headers: as('dpo') })).json<{
          holds: unknown[];
        }>().holds,
        [],
      );
      const all = (
        await t.app.inject({ method: 'GET', url: '/v1/legal-holds?include_lifted=true', headers: as('dpo') })
      ).json<{ holds: Array<{ lifted_by: string }> }>();
      assert.equal(all.holds[0]!.lifted_by, 'user-dpo');

      const after = await sweep(later);
      assert.deepEqual(after.held, {});
      assert.deepEqual(await classesOf(t, held), [], 'deleted at the first sweep after the lift');
      // The extracted text (dropped by the pipeline itself) was recorded before; the held classes now.
      const expired = (await events(t, 'acme', 'retention.expired')).filter(
        (e) => (e.objects as Array<{ id: string }>)[0]!.id === held,
      );
      assert.deepEqual(expired.at(-1)!.deleted, [
        { class: 'original', count: 2 },
        { class: 'redacted', count: 1 },
      ]);
      assert.equal(
        (await t.app.inject({ method: 'GET', url: `/v1/jobs/${held}`, headers: as('auditor') })).statusCode,
        410,
      );
    });

    test("a subject hold: erasure withholds the subject's jobs, naming the holds and Art. 17(3)(e); the lift lets the next sweep delete them", async () => {
      const mine = [
        await submit('initech', { consent: { basis: 'contract', subject_ref: SUBJECT } }),
        await submit('initech', { consent: { basis: 'contract', subject_ref: SUBJECT } }),
      ];
      const other = await submit('initech', {
        consent: { basis: 'contract', subject_ref: 'patient-free-1' },
      });
      const placed = await place('initech', {
        scope: 'subject',
        subject_ref: SUBJECT,
        reason: 'regulatory_investigation',
        reference: 'REG-2026-3',
      });
      assert.equal(placed.statusCode, 201, placed.body);
      const holdId = placed.json<{ hold: { id: string } }>().hold.id;
      // The reference is kept only as HMACs: not in the hold's row, not in the audit log.
      assert.equal(
        JSON.stringify(await systemRows(t, `select * from legal_holds where tenant_id = 'initech'`)).includes(
          SUBJECT,
        ),
        false,
      );
      assert.equal((await exportAuditLogText(t.service.audit, 'initech')).includes(SUBJECT), false);

      const erase = await t.app.inject({
        method: 'POST',
        url: '/v1/dsr/erasure',
        headers: as('dpo', 'initech'),
        payload: { subject_ref: SUBJECT },
      });
      assert.equal(erase.statusCode, 200, erase.body);
      const erased = erase.json<{
        jobs: number;
        withheld: Array<{
          job_id: string;
          ground: string;
          holds: Array<{ id: string; scope: string; reason: string; reference: string }>;
        }>;
        receipt: { event: { counts: Record<string, number> } };
      }>();
      assert.equal(erased.jobs, 0);
      assert.deepEqual(
        erased.withheld.map((w) => w.job_id),
        [...mine].sort(),
      );
      for (const w of erased.withheld) {
        assert.equal(w.ground, 'gdpr_art_17_3_e');
        assert.deepEqual(w.holds, [
          { id: holdId, scope: 'subject', reason: 'regulatory_investigation', reference: 'REG-2026-3' },
        ]);
      }
      // The request's duration is recorded too (privacy metrics); it is a time, not a count of this test's.
      const { duration_ms: durationMs, ...counts } = erased.receipt.event.counts as Record<string, number>;
      assert.ok(Number.isInteger(durationMs) && durationMs! >= 0);
      assert.deepEqual(counts, { jobs: 0, artifacts: 0, vault_entries: 0, jobs_withheld: 2 });
      for (const id of mine)
        assert.ok((await classesOf(t, id)).includes('original'), 'a withheld job keeps its artifacts');
      // Due at once, yet kept: a sweep now deletes nothing of them.
      await sweep(new Date(Date.now() + 1000));
      for (const id of mine) assert.ok((await classesOf(t, id)).includes('original'));
      assert.ok(
        (await classesOf(t, other)).includes('original'),
        'another subject is untouched by the erasure',
      );

      assert.equal((await lift('initech', holdId)).statusCode, 200);
      await sweep(new Date(Date.now() + 1000));
      for (const id of mine)
        assert.deepEqual(
          await classesOf(t, id),
          [],
          'the erasure completes at the first sweep after the lift',
        );
      assert.ok((await classesOf(t, other)).includes('original'));
    });

    test('a tenant-wide hold keeps every job of that tenant only', async () => {
      const held = await submit('hooli');
      const elsewhere = await submit('umbrella');
      const placed = await place(
        'hooli',
        { scope: 'tenant', reason: 'audit', reference: 'AUDIT-FY26' },
        'admin',
      );
      assert.equal(placed.statusCode, 201, placed.body);
      const later = new Date(Date.now() + 3 * 86_400_000);
      await sweep(later);
      assert.deepEqual(await classesOf(t, held), ['findings', 'manifest', 'original', 'redacted']);
      assert.deepEqual(await classesOf(t, elsewhere), []);
      assert.equal((await lift('hooli', placed.json<{ hold: { id: string } }>().hold.id)).statusCode, 200);
      await sweep(later);
      assert.deepEqual(await classesOf(t, held), []);
    });

    test('a sweeper that dies between claiming a held class and its event leaves a claim a later sweep records: never lost, never twice', async () => {
      const held = await submit('wayne');
      const placed = await place('wayne', { scope: 'job', job_id: held });
      assert.equal(placed.statusCode, 201, placed.body);
      const later = new Date(Date.now() + 3 * 86_400_000);
      const real = retentionAudit(t.service.audit);
      const dying: typeof real = {
        append: async (tenant, event) => {
          if (event.action === 'retention.held') throw new Error('the process died here');
          return real.append(tenant, event);
        },
      };
      const withAudit = (audit: typeof real, auditClaimSeconds?: number) =>
        sweepRetention({ db: t.service.runtime.handle.db, blobs: t.service.runtime.blobs }, audit, {
          now: later,
          ...(auditClaimSeconds === undefined ? {} : { auditClaimSeconds }),
        });
      await assert.rejects(withAudit(dying), /the process died here/);
      const heldOf = async () => (await events(t, 'wayne', 'retention.held')).length;
      assert.equal(await heldOf(), 0);
      assert.equal((await withAudit(real)).heldEvents, 0, 'a fresh claim is left to the sweeper holding it');
      assert.equal((await withAudit(real, 0)).heldEvents, 1, 'a stale claim is taken over and recorded');
      assert.equal((await withAudit(real, 0)).heldEvents, 0, 'once recorded, never again');
      assert.equal(await heldOf(), 1);
      const leaves = await systemRows<{ held_leaf: string | null }>(
        t,
        `select held_leaf from retention_ledger where job_id = '${held}' and held_at is not null`,
      );
      assert.equal(leaves.length, 2, 'the two classes due (original, redacted) were held');
      assert.ok(leaves.every((r) => r.held_leaf !== null && Number(r.held_leaf) >= 0));
      assert.equal((await lift('wayne', placed.json<{ hold: { id: string } }>().hold.id)).statusCode, 200);
    });
  });
}
