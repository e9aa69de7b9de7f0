/**
 * Privacy metrics on the real service: `GET /v1/privacy/metrics` (roles, tenant scope, the
 * figures a known run of jobs, reads, a reveal, a DSR and a retention sweep must produce), the
 * same figures on `/metrics` with labels that hold no value, and the review queue's port.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { JOB_STEPS } from '../../../src/pipeline/index.js';
import { loadPolicy } from '../../../src/policy/index.js';
import { privacyReportCommand } from '../../../src/cli/commands/privacy.js';
import { RAW_CONTENT_STEPS, renderPrivacyReport } from '../../../src/privacy/metrics/index.js';
import type { PrivacyMetrics } from '../../../src/privacy/metrics/index.js';
import type { ReviewMetricsSource } from '../../../src/privacy/metrics/index.js';
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

const EMAIL = 'metrics-canary-7f3a@example.org';
const TEXT = `Claim from Ottoline Fairweather-Quist, ${EMAIL}.\n`;

interface Metrics {
  tenant: string;
  jobs: { created: number; full_text_grants: number; analytics_opt_ins: number; findings: number };
  raw_document_lifetime_seconds: { count: number; p50: number | null; max: number | null };
  deletion_lag_seconds: { count: number; p99: number | null };
  artifacts_alive: Array<{
    class: string;
    retention_class: string | null;
    count: number;
    window_seconds: number | null;
    overdue: number;
  }>;
  outputs: { by_kind: Record<string, number>; without_raw_value_share: number | null };
  reveals_by_reason: Record<string, number>;
  raw_content_components: { by_component: Record<string, number>; per_job: number | null };
  model: { requests: number; egress_blocked: number };
  review: {
    source: string;
    open_tasks: number;
    reviewed_fields: number;
    crop_area_share: { count: number; p50: number | null };
  };
  dsr: { access: number; erasure: number; completion_seconds: { count: number } };
}

// The review queue lands on another branch; a queue's figures reach the metrics through this port.
const reviewQueue: ReviewMetricsSource = {
  name: 'queue',
  reviewMetrics: async (tenant) =>
    tenant === 'acme'
      ? { openTasks: 2, reviewedFields: 3, cropAreaShown: [0.02, 0.04, 0.3] }
      : { openTasks: 0, reviewedFields: 0, cropAreaShown: [] },
};

test('the raw-content steps are the pipeline steps that read raw content (every step but finalise)', () => {
  assert.deepEqual(
    [...RAW_CONTENT_STEPS],
    JOB_STEPS.filter((s) => s !== 'finalise'),
  );
});

for (const driver of DRIVER_NAMES) {
  describe(`privacy metrics (${driver})`, { skip: skipReason(driver) }, () => {
    let t: TestService;
    const jobIds: string[] = [];
    before(async () => {
      const base = await loadPolicy(DEFAULT_POLICY_PATH);
      const policy = { ...base, retention: { ...base.retention, original: '1s' } };
      t = await openTestService(driver, {
        policyFor: () => policy,
        sweepIntervalSeconds: 0,
        reviewMetrics: reviewQueue,
      });
      for (const consent of [{ basis: 'contract', allow_analytics: true }, { basis: 'contract' }]) {
        const res = await t.app.inject({
          method: 'POST',
          url: '/v1/jobs',
          headers: as('processor'),
          payload: textJob(TEXT, { consent }),
        });
        assert.equal(res.statusCode, 202, res.body);
        jobIds.push(res.json<{ job_id: string }>().job_id);
        assert.equal((await waitForJob(t.app, jobIds.at(-1)!)).status, 'succeeded');
      }
      for (let i = 0; i < 3; i += 1) {
        const read = await t.app.inject({
          method: 'GET',
          url: `/v1/jobs/${jobIds[0]}/redacted`,
          headers: as('processor'),
        });
        assert.equal(read.statusCode, 200);
      }
      const reveal = await t.app.inject({
        method: 'POST',
        url: `/v1/jobs/${jobIds[1]}/reveal`,
        headers: as('dpo'),
        payload: { reason: { code: 'customer_support', ticket: 'CS-88' } },
      });
      assert.equal(reveal.statusCode, 200, reveal.body);
      const dsr = await t.app.inject({
        method: 'POST',
        url: '/v1/dsr/access',
        headers: as('dpo'),
        payload: { identifiers: [{ type: 'EMAIL_ADDRESS', value: EMAIL }] },
      });
      assert.equal(dsr.statusCode, 200, dsr.body);
      // The originals' 1 s window passes; the sweep deletes them.
      await new Promise((resolve) => setTimeout(resolve, 1200));
      await t.service.governancePass();
    });
    after(async () => {
      await t?.dispose();
    });

    test('roles: dpo, auditor and admin read them; processor and reviewer are refused', async () => {
      for (const role of ['processor', 'reviewer'] as const) {
        const res = await t.app.inject({ method: 'GET', url: '/v1/privacy/metrics', headers: as(role) });
        assert.equal(res.statusCode, 403, role);
      }
      for (const role of ['dpo', 'auditor', 'admin'] as const) {
        const res = await t.app.inject({
          method: 'GET',
          url: '/v1/privacy/metrics?since=1h',
          headers: as(role),
        });
        assert.equal(res.statusCode, 200, `${role}: ${res.body}`);
      }
      const bad = await t.app.inject({
        method: 'GET',
        url: '/v1/privacy/metrics?since=yesterday',
        headers: as('dpo'),
      });
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json<{ error: { code: string } }>().error.code, 'VEIL_INVALID_OPTION');
    });

    test('the figures of the run: lifetimes, deletion lag, artifacts, outputs, reveals, components, DSR, review', async () => {
      const res = await t.app.inject({
        method: 'GET',
        url: '/v1/privacy/metrics?since=1h',
        headers: as('dpo'),
      });
      const m = res.json<Metrics>();
      assert.equal(m.tenant, 'acme');
      assert.deepEqual(m.jobs, {
        created: 2,
        full_text_grants: 0,
        analytics_opt_ins: 1,
        findings: m.jobs.findings,
      });
      assert.ok(m.jobs.findings >= 2, 'a person and an e-mail address per job');
      // Both originals went at the sweep: each lived from intake to then, over its 1 s window.
      assert.equal(m.raw_document_lifetime_seconds.count, 2);
      assert.ok(
        m.raw_document_lifetime_seconds.p50! >= 1 && m.raw_document_lifetime_seconds.max! < 120,
        JSON.stringify(m.raw_document_lifetime_seconds),
      );
      // Original and extracted text (0 s window) of both jobs, each deleted after its deadline.
      assert.ok(m.deletion_lag_seconds.count >= 4, JSON.stringify(m.deletion_lag_seconds));
      assert.ok(m.deletion_lag_seconds.p99! >= 0 && m.deletion_lag_seconds.p99! < 120);
      const classes = m.artifacts_alive.map((a) => a.class);
      assert.ok(!classes.includes('original'), `no original is left: ${classes.join(', ')}`);
      const redacted = m.artifacts_alive.find((a) => a.class === 'redacted')!;
      assert.deepEqual(
        {
          count: redacted.count,
          retention: redacted.retention_class,
          window: redacted.window_seconds,
          overdue: redacted.overdue,
        },
        { count: 2, retention: 'redacted', window: 30 * 86_400, overdue: 0 },
      );
      assert.deepEqual(m.outputs.by_kind, { redacted: 3, fields: 0, full_text: 0, reveal: 1 });
      assert.equal(m.outputs.without_raw_value_share, 0.75);
      assert.deepEqual(m.reveals_by_reason, { customer_support: 1 });
      // No fields were asked for, so the extract step never ran: four components per job.
      assert.deepEqual(m.raw_content_components.by_component, {
        intake: 2,
        parse: 2,
        detect: 2,
        anonymise: 2,
        extract: 0,
      });
      assert.equal(m.raw_content_components.per_job, 4);
      assert.deepEqual(m.model, { requests: 0, failed: 0, egress_blocked: 0 });
      assert.equal(m.dsr.access, 1);
      assert.equal(m.dsr.completion_seconds.count, 1);
      assert.deepEqual(
        {
          source: m.review.source,
          open: m.review.open_tasks,
          reviewed: m.review.reviewed_fields,
          shown: m.review.crop_area_share.count,
          p50: m.review.crop_area_share.p50,
        },
        { source: 'queue', open: 2, reviewed: 3, shown: 3, p50: 0.04 },
      );
    });

    test('veil privacy report: the same figures from the database, as Markdown', async () => {
      const api = (
        await t.app.inject({ method: 'GET', url: '/v1/privacy/metrics?since=1h', headers: as('dpo') })
      ).json<PrivacyMetrics>();
      // PGlite holds its data directory while the service runs; on PostgreSQL the CLI reads the same database.
      const metrics =
        t.databaseUrl === undefined
          ? api
          : await privacyReportCommand({
              dataDir: t.dataDir,
              tenant: 'acme',
              sinceMs: 3_600_000,
              env: { DATABASE_URL: t.databaseUrl },
              now: new Date(api.until),
            });
      // The CLI has no review queue to ask (review.source "none"); every other figure is the API's.
      const { review: _cli, ...fromCli } = metrics;
      const { review: _api, ...fromApi } = api;
      assert.deepEqual(fromCli, fromApi);
      const report = renderPrivacyReport(metrics);
      assert.match(report, /^# Privacy report: tenant acme$/m);
      assert.match(report, /^- Jobs created: 2 /m);
      assert.match(
        report,
        /^- Outputs read: redacted 3, fields 0, full_text 0, reveal 1; share that handed out no document value: 75%$/m,
      );
      assert.match(report, /^- Reveals by reason: customer_support 1$/m);
      assert.match(report, /^\| redacted \| redacted \| 2 \| .* \| 30 d \| 0 \|$/m);
      assert.ok(!report.includes(EMAIL) && !report.includes('CS-88'));
    });

    test('another tenant sees only its own (empty) figures', async () => {
      const res = await t.app.inject({
        method: 'GET',
        url: '/v1/privacy/metrics?since=1h',
        headers: as('dpo', 'globex'),
      });
      assert.equal(res.statusCode, 200, res.body);
      const m = res.json<Metrics>();
      assert.equal(m.tenant, 'globex');
      assert.equal(m.jobs.created, 0);
      assert.deepEqual(m.artifacts_alive, []);
      assert.equal(m.raw_document_lifetime_seconds.count, 0);
      assert.deepEqual(m.reveals_by_reason, {});
    });

    test('/metrics: the same figures per tenant, labels from closed sets, no value from a document', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/metrics' });
      assert.equal(res.statusCode, 200);
      const body = res.body;
      assert.match(body, /^veil_privacy_outputs_read\{tenant="acme",kind="redacted"\} 3$/m);
      assert.match(body, /^veil_privacy_reveals\{tenant="acme",reason="customer_support"\} 1$/m);
      assert.match(body, /^veil_privacy_raw_document_lifetime_seconds_count\{tenant="acme"\} 2$/m);
      assert.match(body, /^veil_privacy_artifacts_alive\{tenant="acme",class="redacted"\} 2$/m);
      assert.match(body, /^veil_privacy_review_open_tasks\{tenant="acme"\} 2$/m);
      assert.match(body, /^veil_privacy_review_crop_area_ratio_bucket\{le="0.05",tenant="acme"\} 2$/m);
      assert.match(body, /^veil_privacy_window_seconds 2592000$/m);
      for (const value of [EMAIL, 'Ottoline', 'Fairweather', 'CS-88', ...jobIds])
        assert.ok(!body.includes(value), 'no document value, ticket or job id in /metrics');
      const labels = new Set(
        [...body.matchAll(/^veil_privacy_\w+\{([^}]*)\}/gm)].flatMap((m) =>
          [...m[1]!.matchAll(/(\w+)="/g)].map((l) => l[1]!),
        ),
      );
      assert.deepEqual([...labels].sort(), ['class', 'component', 'kind', 'le', 'reason', 'tenant']);
    });
  });
}
