/**
 * `GET /v1/analytics/counts` on the real service: roles, the jobs' recorded `allow_analytics`
 * consent (and its withdrawal), a release's stated parameters, the audited ledger, and refusal
 * past the budget.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { loadPolicy } from '../../../src/policy/index.js';
import type { Policy } from '../../../src/policy/index.js';
import { DEFAULT_POLICY_PATH } from '../../../src/policy/shipped.js';
import {
  as,
  DRIVER_NAMES,
  openTestService,
  skipReason,
  textJob,
  waitForJob,
} from '../../api/jobs-harness.js';
import type { TestService } from '../../api/jobs-harness.js';

const TEXT = 'Write to Zebulon Quartermaine at zq-analytics@example.org or zq2@example.org.\n';

interface Answer {
  counts: Array<{ key: string; count: number }>;
  privacy: {
    epsilon: number;
    delta: number;
    sensitivity: number;
    scale: number;
    budget: { spent: number; remaining: number; epsilon: number };
  };
  release_id: string;
}

for (const driver of DRIVER_NAMES) {
  describe(`analytics counts (${driver})`, { skip: skipReason(driver) }, () => {
    let t: TestService;
    const range = () =>
      `from=${new Date(Date.now() - 3_600_000).toISOString()}&to=${new Date(Date.now() + 60_000).toISOString()}`;
    let policy: Policy;
    before(async () => {
      const base = await loadPolicy(DEFAULT_POLICY_PATH);
      // ε = 10 for a count of sensitivity 1 is scale 0.1: P[noise ≠ 0] ≈ 4·10⁻⁹, so jobs by purpose come out exact.
      policy = {
        ...base,
        analytics: {
          epsilon_per_release: 10,
          budget: { epsilon: 20, period: 'day' as const },
          purposes: ['claims-intake', 'invoice_processing'],
        },
      };
      t = await openTestService(driver, { policyFor: () => policy });
      const analytics = { basis: 'consent', allow_analytics: true };
      const bodies = [
        textJob(TEXT, { consent: analytics }),
        textJob(TEXT, {
          consent: analytics,
          purpose: 'invoice_processing',
          template: 'invoice',
          outputs: ['findings_summary', 'fields'],
        }),
        textJob(TEXT, { consent: analytics, purpose: 'kyc' }),
        // Not counted: the basis is consent, but the job never allowed analytics.
        textJob(TEXT, { consent: { basis: 'consent' }, purpose: 'invoice_processing' }),
        // Not counted: no analytics consent at all.
        textJob(TEXT),
        // Not counted: allowed analytics, then withdrew consent for its purpose.
        textJob(TEXT, { consent: analytics }),
      ];
      const ids: string[] = [];
      for (const body of bodies) {
        const res = await t.app.inject({
          method: 'POST',
          url: '/v1/jobs',
          headers: as('processor'),
          payload: body,
        });
        assert.equal(res.statusCode, 202, res.body);
        ids.push(res.json<{ job_id: string }>().job_id);
        assert.equal((await waitForJob(t.app, ids.at(-1)!)).status, 'succeeded');
      }
      const withdrawn = await t.app.inject({
        method: 'POST',
        url: '/v1/consents/withdrawals',
        headers: as('dpo'),
        payload: { job_id: ids.at(-1), purposes: ['claims-intake'] },
      });
      assert.equal(withdrawn.statusCode, 200, withdrawn.body);
    });
    after(async () => {
      await t?.dispose();
    });

    test('roles: auditor and admin may query; processor, reviewer and dpo are refused', async () => {
      for (const role of ['processor', 'reviewer', 'dpo'] as const) {
        const res = await t.app.inject({
          method: 'GET',
          url: `/v1/analytics/counts?group_by=purpose&${range()}`,
          headers: as(role),
        });
        assert.equal(res.statusCode, 403, role);
      }
      const bad = await t.app.inject({
        method: 'GET',
        url: `/v1/analytics/counts?group_by=name&${range()}`,
        headers: as('auditor'),
      });
      assert.equal(bad.statusCode, 400);
    });

    test('jobs by purpose: only jobs that allowed analytics (and did not withdraw), over the declared purposes and (other); epsilon stated; ledger and audit event; refused past the budget', async () => {
      const res = await t.app.inject({
        method: 'GET',
        url: `/v1/analytics/counts?group_by=purpose&${range()}`,
        headers: as('auditor'),
      });
      assert.equal(res.statusCode, 200, res.body);
      const answer = res.json<Answer>();
      assert.deepEqual(answer.counts, [
        { key: '(other)', count: 1 },
        { key: 'claims-intake', count: 1 },
        { key: 'invoice_processing', count: 1 },
      ]);
      assert.equal(answer.privacy.epsilon, 10);
      assert.equal(answer.privacy.delta, 0);
      assert.equal(answer.privacy.sensitivity, 1);
      assert.equal(answer.privacy.budget.spent, 10);
      assert.equal(answer.privacy.budget.remaining, 10);

      const types = await t.app.inject({
        method: 'GET',
        url: `/v1/analytics/counts?group_by=entity_type&${range()}`,
        headers: as('admin'),
      });
      assert.equal(types.statusCode, 200, types.body);
      const byType = types.json<Answer>();
      assert.equal(byType.privacy.sensitivity, 10);
      assert.equal(byType.privacy.scale, 1);
      // Three consenting jobs with two addresses each; noise of scale 1 stays within ±20 with probability 1 − 10⁻⁸.
      const email = byType.counts.find((c) => c.key === 'EMAIL_ADDRESS')!.count;
      assert.ok(Math.abs(email - 6) <= 20, `EMAIL_ADDRESS ${email}`);
      assert.ok(
        byType.counts.some((c) => c.key === 'US_SSN'),
        'every known type is released, zeros included',
      );

      const refused = await t.app.inject({
        method: 'GET',
        url: `/v1/analytics/counts?group_by=purpose&${range()}`,
        headers: as('auditor'),
      });
      assert.equal(refused.statusCode, 429);
      assert.equal(refused.json<{ error: { code: string } }>().error.code, 'VEIL_PRIVACY_BUDGET_EXHAUSTED');

      const db = t.service.runtime.handle.db;
      const ledger = await db.transaction().execute(async (trx) => {
        await sql`select set_config('veil.tenant_id', 'acme', true)`.execute(trx);
        return (
          await sql<{
            id: string;
            epsilon_micro: string | number;
            group_by: string;
          }>`select id, epsilon_micro, group_by from privacy_ledger order by created_at`.execute(trx)
        ).rows;
      });
      assert.deepEqual(
        ledger.map((r) => [Number(r.epsilon_micro), r.group_by]),
        [
          [10_000_000, 'purpose'],
          [10_000_000, 'entity_type'],
        ],
      );
      assert.equal(ledger[0]!.id, answer.release_id);
      // Append-only: the database refuses to rewrite what was spent.
      await assert.rejects(
        db.transaction().execute(async (trx) => {
          await sql`select set_config('veil.tenant_id', 'acme', true)`.execute(trx);
          await sql`delete from privacy_ledger`.execute(trx);
        }),
      );

      const audit = await t.app.inject({
        method: 'GET',
        url: '/v1/audit/entries?action=analytics.released',
        headers: as('auditor'),
      });
      const events = audit.json<{
        entries: Array<{
          event: { objects: Array<{ id: string }>; counts: Record<string, number>; code: string };
        }>;
      }>().entries;
      assert.equal(events.length, 2);
      assert.equal(events[0]!.event.objects[0]!.id, answer.release_id);
      assert.equal(events[0]!.event.code, 'purpose');
      assert.equal(events[0]!.event.counts.epsilon_micro, 10_000_000);
      assert.equal(events[1]!.event.counts.spent_micro, 20_000_000);
    });

    test('jobs by template: the template each consenting job extracted under, (none) for the others', async () => {
      // A fresh day's worth of budget: the first test spent this one's.
      policy = {
        ...policy,
        analytics: {
          ...policy.analytics!,
          budget: { epsilon: 1000, period: 'day' },
          templates: ['invoice', 'receipt'],
        },
      };
      const res = await t.app.inject({
        method: 'GET',
        url: `/v1/analytics/counts?group_by=template&${range()}`,
        headers: as('auditor'),
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json<Answer>().counts, [
        { key: '(none)', count: 2 },
        { key: '(other)', count: 0 },
        { key: 'invoice', count: 1 },
        { key: 'receipt', count: 0 },
      ]);
    });

    test('another tenant has its own budget and sees none of these jobs', async () => {
      const res = await t.app.inject({
        method: 'GET',
        url: `/v1/analytics/counts?group_by=purpose&${range()}`,
        headers: as('auditor', 'globex'),
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(
        res.json<Answer>().counts.map((c) => c.count),
        [0, 0, 0],
      );
    });
  });
}
