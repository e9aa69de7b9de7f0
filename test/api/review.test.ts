/**
 * The review queue (issue 14) on the service `veil serve` runs, on PGlite and PostgreSQL: routing
 * with and without consent, need-to-know (roles, tenants, queues), leases, decisions flowing into
 * the job's fields, expiry, and the audit trail.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { ROLES } from '../../src/access/index.js';
import type { Principal, Role } from '../../src/access/index.js';
import { closeDocumentResources } from '../../src/documents/resources.js';
import { VeilError } from '../../src/errors/veil-error.js';
import { loadPolicy, validatePolicy } from '../../src/policy/index.js';
import type { Policy } from '../../src/policy/index.js';
import { DEFAULT_POLICY_PATH } from '../../src/policy/shipped.js';
import type { ServiceOptions } from '../../src/runtime/service.js';
import { forTenant } from '../../src/store/index.js';
import { runRegressions } from '../../src/pipeline/review/regressions.js';
import { textPdf } from '../documents/fixtures.js';
import { DRIVER_NAMES, openTestService, skipReason, waitForJob } from './jobs-harness.js';
import type { TestService } from './jobs-harness.js';

const CUSTOMER = 'Quenby Marchetti-Holloway';

/** `Bearer role:tenant[:name]`: principal `user-<role>[-<name>]`. */
const authenticate: ServiceOptions['authenticate'] = async (headers) => {
  const match = /^Bearer ([a-z]+):([a-z0-9-]+)(?::([a-z0-9]+))?$/.exec(String(headers.authorization ?? ''));
  const role = match?.[1];
  if (match === null || !(ROLES as readonly string[]).includes(role ?? ''))
    throw new VeilError('VEIL_UNAUTHENTICATED', 'authentication failed');
  const principal: Principal = {
    id: `user-${role!}${match[3] ? `-${match[3]}` : ''}`,
    tenantId: match[2]!,
    roles: [role as Role],
    kind: 'user',
  };
  return principal;
};

const as = (role: Role, tenant = 'acme', name?: string): { authorization: string } => ({
  authorization: `Bearer ${role}:${tenant}${name ? `:${name}` : ''}`,
});

function multipart(options: object, pdf: Uint8Array): { payload: Buffer; contentType: string } {
  const boundary = 'veilreview42';
  const payload = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="options"\r\n\r\n${JSON.stringify(options)}\r\n`,
    ),
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="receipt.pdf"\r\nContent-Type: application/pdf\r\n\r\n`,
    ),
    Buffer.from(pdf),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, contentType: `multipart/form-data; boundary=${boundary}` };
}

interface TaskBody {
  id: string;
  job_id: string;
  queue: string;
  field: { name: string; type: string; hint: string[] | null };
  candidate: unknown;
  confidence: number;
  status: string;
  created_at: string;
  expires_at: string;
  lease: { reviewer: string; expires_at: string } | null;
  crop: { width: number; height: number; page_share: number } | null;
  decision: { action: string; reviewer: string; decided_at: string } | null;
}

// The total goes to review (its threshold is above any score the rules give); the date never does.
const FIELDS = [
  { name: 'total', type: 'money', hint: 'Grand Total', review_below: 0.999 },
  { name: 'date', type: 'date', hint: 'Date', review: 'never' },
];

async function reviewPolicy(review: Record<string, unknown>): Promise<Policy> {
  const shipped = await loadPolicy(DEFAULT_POLICY_PATH);
  return validatePolicy({ ...shipped, review });
}

for (const driver of DRIVER_NAMES) {
  describe(`review queue (${driver})`, { skip: skipReason(driver) }, () => {
    let t: TestService;
    let pdf: Uint8Array;
    // Every job is submitted up front: parsing a PDF is the slow part on a busy machine.
    const jobs: Record<'consent' | 'without' | 'kyc' | 'claims' | 'expiring', string> = {
      consent: '',
      without: '',
      kyc: '',
      claims: '',
      expiring: '',
    };
    const WAIT_MS = 600_000;
    before(async () => {
      const policy = await reviewPolicy({
        lease: '2s',
        queues: { identity: { purposes: ['kyc'], reviewers: ['user-reviewer-vip'] } },
      });
      const quick = await reviewPolicy({ expire_after: '1s' });
      // No periodic sweep: the expiry test runs it when it wants.
      t = await openTestService(driver, {
        authenticate,
        sweepIntervalSeconds: 0,
        policyFor: (tenant) => (tenant === 'initech' ? quick : policy),
      });
      pdf = await textPdf(
        [['ACME TRADING SDN BHD', 'Date: 25/12/2018', `Customer: ${CUSTOMER}`, 'Grand Total RM 9.00']],
        false,
      );
      // Text jobs where no crop is needed; PDFs one at a time (a busy machine times a page out).
      jobs.claims = await submit({ review: true, text: true });
      jobs.expiring = await submit({ review: true, tenant: 'initech', text: true });
      for (const name of ['consent', 'without', 'kyc'] as const) {
        jobs[name] = await submit({
          review: name !== 'without',
          quality: name === 'consent',
          purpose: name === 'kyc' ? 'kyc' : 'claims-intake',
        });
        await waitForJob(t.app, jobs[name], 'acme', WAIT_MS);
      }
      await waitForJob(t.app, jobs.claims, 'acme', WAIT_MS);
      await waitForJob(t.app, jobs.expiring, 'initech', WAIT_MS);
    });
    after(async () => {
      await t?.dispose();
      await closeDocumentResources();
    });

    const submit = async (options: {
      tenant?: string;
      purpose?: string;
      review: boolean;
      quality?: boolean;
      text?: boolean;
    }): Promise<string> => {
      const request = {
        purpose: options.purpose ?? 'claims-intake',
        consent: {
          basis: 'contract',
          allow_manual_review: options.review,
          allow_quality_improvement: options.quality ?? false,
        },
        outputs: options.text ? ['fields'] : ['findings_summary', 'redacted', 'fields'],
        fields: FIELDS,
        retention_days: 1,
      };
      const body = options.text
        ? {
            payload: JSON.stringify({
              ...request,
              text: `ACME TRADING\nDate: 25/12/2018\nGrand Total RM 9.00\n`,
            }),
            contentType: 'application/json',
          }
        : multipart(request, pdf);
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/jobs',
        headers: { ...as('processor', options.tenant), 'content-type': body.contentType },
        payload: body.payload,
      });
      assert.equal(res.statusCode, 202, res.body);
      return res.json<{ job_id: string }>().job_id;
    };
    const tasksOf = async (jobId: string, who = as('admin')): Promise<TaskBody[]> => {
      const res = await t.app.inject({ method: 'GET', url: '/v1/review/tasks?limit=100', headers: who });
      assert.equal(res.statusCode, 200, res.body);
      return res.json<{ tasks: TaskBody[] }>().tasks.filter((task) => task.job_id === jobId);
    };
    const cropArtifacts = async (jobId: string, tenant = 'acme'): Promise<number> =>
      (
        await forTenant(
          { db: t.service.runtime.handle.db, blobs: t.service.runtime.blobs },
          tenant,
        ).artifacts.listForJob(jobId)
      ).filter((a) => a.artifactClass === 'review-crop').length;

    test('with consent an uncertain field becomes exactly one task with a crop; without consent none, no crop, the field unverified', async () => {
      const withConsent = jobs.consent;
      const waiting = await waitForJob(t.app, withConsent, 'acme', WAIT_MS);
      assert.equal(waiting.status, 'awaiting_review', JSON.stringify(waiting));
      const tasks = await tasksOf(withConsent);
      assert.equal(tasks.length, 1);
      const [task] = tasks;
      assert.deepEqual(task!.field, { name: 'total', type: 'money', hint: ['Grand Total'] });
      assert.deepEqual(task!.candidate, { amount: '9.00', currency: 'MYR' });
      // Routed for its confidence: the calibrated score of a total stays below its 0.999 threshold.
      assert.ok(task!.confidence > 0 && task!.confidence <= 1, JSON.stringify(task));
      assert.equal(task!.status, 'open');
      assert.equal(task!.queue, 'default');
      assert.ok(
        task!.crop !== null && task!.crop.page_share > 0 && task!.crop.page_share <= 0.05,
        JSON.stringify(task!.crop),
      );
      assert.equal(await cropArtifacts(withConsent), 1);

      const without = jobs.without;
      const done = await waitForJob(t.app, without, 'acme', WAIT_MS);
      assert.equal(done.status, 'succeeded');
      assert.deepEqual(await tasksOf(without), []);
      assert.equal(await cropArtifacts(without), 0);
      const fields = (
        await t.app.inject({ method: 'GET', url: `/v1/jobs/${without}/fields`, headers: as('processor') })
      ).json<{ fields: Record<string, { status: string; confidence: number; value: unknown }> }>().fields;
      assert.equal(fields.total!.status, 'unverified');
      assert.ok(fields.total!.confidence > 0);
      assert.deepEqual(fields.total!.value, { amount: '9.00', currency: 'MYR' });
      assert.equal(fields.date!.status, 'accepted');
    });

    test('need-to-know: a reviewer gets no job output and no task outside its queues; a processor cannot list; another tenant gets 404', async () => {
      const jobId = jobs.consent;
      const kyc = jobs.kyc;
      const [task] = await tasksOf(jobId);
      const [vip] = await tasksOf(kyc);
      assert.equal(vip!.queue, 'identity');

      for (const path of ['redacted', 'fields', 'text']) {
        const res = await t.app.inject({
          method: 'GET',
          url: `/v1/jobs/${jobId}/${path}`,
          headers: as('reviewer', 'acme', 'alice'),
        });
        assert.equal(res.statusCode, 403, `${path}: ${res.body}`);
      }
      // The identity queue's task (the kyc job's field and crop) is not the default reviewer's to see.
      const alice = await tasksOf(kyc, as('reviewer', 'acme', 'alice'));
      assert.deepEqual(alice, []);
      for (const url of [`/v1/review/tasks/${vip!.id}`, `/v1/review/tasks/${vip!.id}/crop`]) {
        const res = await t.app.inject({ method: 'GET', url, headers: as('reviewer', 'acme', 'alice') });
        assert.equal(res.statusCode, 404, `${url}: ${res.body}`);
      }
      const seen = await t.app.inject({
        method: 'GET',
        url: `/v1/review/tasks/${vip!.id}/crop`,
        headers: as('reviewer', 'acme', 'vip'),
      });
      assert.equal(seen.statusCode, 200, seen.body);
      assert.equal(seen.headers['content-type'], 'image/png');

      const listed = await t.app.inject({ method: 'GET', url: '/v1/review/tasks', headers: as('processor') });
      assert.equal(listed.statusCode, 403);
      assert.equal(listed.json<{ error: { code: string } }>().error.code, 'VEIL_FORBIDDEN');

      const globex = as('reviewer', 'globex');
      assert.deepEqual(
        (await t.app.inject({ method: 'GET', url: '/v1/review/tasks', headers: globex })).json<{
          tasks: unknown[];
        }>().tasks,
        [],
      );
      for (const [method, url, payload] of [
        ['GET', `/v1/review/tasks/${task!.id}`, undefined],
        ['GET', `/v1/review/tasks/${task!.id}/crop`, undefined],
        ['POST', `/v1/review/tasks/${task!.id}/claim`, undefined],
        ['POST', `/v1/review/tasks/${task!.id}/decision`, { action: 'confirm' }],
      ] as const) {
        const res = await t.app.inject({ method, url, headers: globex, ...(payload ? { payload } : {}) });
        assert.equal(res.statusCode, 404, `${method} ${url}: ${res.body}`);
        assert.equal(res.json<{ error: { code: string } }>().error.code, 'VEIL_NOT_FOUND');
      }
    });

    test('two reviewers claim one task: one wins, the other gets 409; a lapsed lease can be claimed again', async () => {
      const [task] = await tasksOf(jobs.claims);
      const claim = (name: string) =>
        t.app.inject({
          method: 'POST',
          url: `/v1/review/tasks/${task!.id}/claim`,
          headers: as('reviewer', 'acme', name),
        });
      const [a, b] = await Promise.all([claim('alice'), claim('bob')]);
      assert.deepEqual([a.statusCode, b.statusCode].sort(), [200, 409]);
      const [won, lost] = a.statusCode === 200 ? [a, b] : [b, a];
      assert.equal(lost.json<{ error: { code: string } }>().error.code, 'VEIL_REVIEW_TASK_TAKEN');
      const held = won.json<TaskBody>();
      assert.equal(held.status, 'claimed');
      const winner = held.lease!.reviewer;
      const loser = winner === 'user-reviewer-alice' ? 'bob' : 'alice';
      const refused = await t.app.inject({
        method: 'POST',
        url: `/v1/review/tasks/${task!.id}/decision`,
        headers: as('reviewer', 'acme', loser),
        payload: { action: 'confirm' },
      });
      assert.equal(refused.statusCode, 409);
      // The policy's lease is 2 s.
      await new Promise((r) => setTimeout(r, Date.parse(held.lease!.expires_at) - Date.now() + 50));
      const again = await claim(loser);
      assert.equal(again.statusCode, 200, again.body);
      assert.equal(again.json<TaskBody>().lease!.reviewer, `user-reviewer-${loser}`);
    });

    test('a correction flows into the fields and completes the job; the audit log holds the four events in order and no value', async () => {
      const jobId = jobs.consent;
      const [task] = await tasksOf(jobId);
      assert.ok(task !== undefined, JSON.stringify(await waitForJob(t.app, jobId)));
      const alice = as('reviewer', 'acme', 'alice');
      const crop = await t.app.inject({
        method: 'GET',
        url: `/v1/review/tasks/${task!.id}/crop`,
        headers: alice,
      });
      assert.equal(crop.statusCode, 200);
      const meta = await sharp(crop.rawPayload).metadata();
      assert.deepEqual(
        [meta.format, meta.width, meta.height],
        ['png', task!.crop!.width, task!.crop!.height],
      );
      assert.equal(
        (await t.app.inject({ method: 'POST', url: `/v1/review/tasks/${task!.id}/claim`, headers: alice }))
          .statusCode,
        200,
      );
      const bad = await t.app.inject({
        method: 'POST',
        url: `/v1/review/tasks/${task!.id}/decision`,
        headers: alice,
        payload: { action: 'correct', value: 'twelve pounds of it' },
      });
      assert.equal(bad.statusCode, 422, bad.body);
      assert.equal(bad.json<{ error: { code: string } }>().error.code, 'VEIL_FIELD_VALUE_INVALID');
      assert.ok(!bad.body.includes('twelve'));
      const decided = await t.app.inject({
        method: 'POST',
        url: `/v1/review/tasks/${task!.id}/decision`,
        headers: alice,
        payload: { action: 'correct', value: 'RM 19.05', reason: 'the 9 is a smudged 19' },
      });
      assert.equal(decided.statusCode, 200, decided.body);
      const body = decided.json<TaskBody>();
      assert.equal(body.status, 'decided');
      assert.equal(body.candidate, null);
      assert.deepEqual(
        { action: body.decision!.action, reviewer: body.decision!.reviewer },
        { action: 'correct', reviewer: 'user-reviewer-alice' },
      );
      const closed = await t.app.inject({
        method: 'POST',
        url: `/v1/review/tasks/${task!.id}/claim`,
        headers: alice,
      });
      assert.equal(closed.json<{ error: { code: string } }>().error.code, 'VEIL_REVIEW_TASK_CLOSED');
      assert.equal(
        (await t.app.inject({ method: 'GET', url: `/v1/review/tasks/${task!.id}/crop`, headers: alice }))
          .statusCode,
        404,
      );
      assert.equal(await cropArtifacts(jobId), 0, 'the crop is deleted with the decision');

      const status = await waitForJob(t.app, jobId, 'acme', WAIT_MS);
      assert.equal(status.status, 'succeeded');
      const fields = (
        await t.app.inject({ method: 'GET', url: `/v1/jobs/${jobId}/fields`, headers: as('processor') })
      ).json<{
        fields: Record<
          string,
          { status: string; value: unknown; review?: { action: string; reviewer: string } }
        >;
      }>().fields;
      assert.equal(fields.total!.status, 'reviewed');
      assert.deepEqual(fields.total!.value, { amount: '19.05', currency: 'MYR' });
      assert.deepEqual(
        { action: fields.total!.review!.action, reviewer: fields.total!.review!.reviewer },
        { action: 'correct', reviewer: 'user-reviewer-alice' },
      );
      const artifacts = await forTenant(
        { db: t.service.runtime.handle.db, blobs: t.service.runtime.blobs },
        'acme',
      ).artifacts.listForJob(jobId);
      assert.ok(
        artifacts.some((a) => a.artifactClass === 'regression-case'),
        'with consent to quality improvement the correction is a regression case',
      );
      // `veil review regressions` re-runs the rules on it: they still read 9.00, not the corrected 19.05.
      const regressions = await runRegressions(
        { db: t.service.runtime.handle.db, blobs: t.service.runtime.blobs },
        'acme',
      );
      assert.deepEqual(
        regressions.map((r) => [r.jobId, r.field, r.type, r.matches]),
        [[jobId, 'total', 'money', false]],
      );

      const audit = await t.app.inject({
        method: 'GET',
        url: '/v1/audit/entries?limit=1000',
        headers: as('auditor'),
      });
      type Entry = {
        event: {
          action: string;
          objects?: { kind: string; id: string }[];
          field?: { name: string; type: string };
        };
      };
      const events = audit
        .json<{ entries: Entry[] }>()
        .entries.filter((e) => e.event.objects?.some((o) => o.kind === 'task' && o.id === task!.id));
      assert.deepEqual(
        events.map((e) => e.event.action),
        ['review.task.created', 'review.task.viewed', 'review.task.claimed', 'review.task.decided'],
      );
      for (const e of events) assert.deepEqual(e.event.field, { name: 'total', type: 'money' });
      // A value is matched as a whole token: a timing such as 129.004 ms is not the amount 9.00.
      for (const value of ['9.00', '19.05', 'smudged', CUSTOMER]) {
        const token = new RegExp(`(?<![\\w.])${value.replace(/[.]/g, '\\.')}(?![\\w])`);
        assert.ok(!token.test(audit.body), `${value} in the audit log`);
      }

      // The privacy metrics read the real queue: the decided field and the share of the page its crop showed.
      const metrics = await t.app.inject({
        method: 'GET',
        url: '/v1/privacy/metrics?since=1h',
        headers: as('auditor'),
      });
      assert.equal(metrics.statusCode, 200);
      const review = metrics.json<{
        review: {
          source: string;
          reviewed_fields: number;
          crop_area_share: { count: number; max: number | null };
        };
      }>().review;
      assert.equal(review.source, 'queue');
      assert.ok(
        review.reviewed_fields >= 1 && review.crop_area_share.count === review.reviewed_fields,
        JSON.stringify(review),
      );
      assert.ok(
        review.crop_area_share.max !== null &&
          review.crop_area_share.max > 0 &&
          review.crop_area_share.max <= 1,
        JSON.stringify(review),
      );
      assert.ok(!metrics.body.includes('19.05') && !metrics.body.includes(CUSTOMER));
    });

    test('an open task expires on the sweep: the field stays unverified and the job succeeds', async () => {
      const jobId = jobs.expiring;
      assert.equal((await waitForJob(t.app, jobId, 'initech', WAIT_MS)).status, 'awaiting_review');
      const [task] = await tasksOf(jobId, as('admin', 'initech'));
      await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(task!.expires_at) - Date.now() + 50)));
      await t.service.governancePass();
      assert.equal((await waitForJob(t.app, jobId, 'initech')).status, 'succeeded');
      const read = await t.app.inject({
        method: 'GET',
        url: `/v1/jobs/${jobId}/fields`,
        headers: as('processor', 'initech'),
      });
      assert.equal(read.statusCode, 200, read.body);
      assert.equal(
        read.json<{ fields: Record<string, { status: string }> }>().fields.total!.status,
        'unverified',
      );
    });
  });
}
