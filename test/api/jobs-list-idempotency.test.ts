/**
 * `GET /v1/jobs` (tenant-scoped, filtered, cursor-paged, newest first, no values), the
 * `Idempotency-Key` of `POST /v1/jobs` (a retry never makes a second job; another request under
 * the key is refused; keys per tenant, stored only as keyed hashes) and `GET /v1/me`, on PGlite
 * and on the PostgreSQL server. Workers are off: listing and idempotency need no job to run.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { as, systemRows, DRIVER_NAMES, openTestService, skipReason, textJob } from './jobs-harness.js';
import type { TestService } from './jobs-harness.js';

const EMAIL = 'canary-idem@example.org';
const KEY = 'client-key-6f1d2e0a-2b4c';

async function submit(
  t: TestService,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
  tenant = 'acme',
) {
  return t.app.inject({
    method: 'POST',
    url: '/v1/jobs',
    headers: { ...as('processor', tenant), ...headers },
    payload: body,
  });
}

for (const driver of DRIVER_NAMES) {
  describe(`GET /v1/jobs, Idempotency-Key and /v1/me (${driver})`, { skip: skipReason(driver) }, () => {
    let t: TestService;
    before(async () => {
      t = await openTestService(driver, { workers: 0 });
    });
    after(async () => {
      await t?.dispose();
    });

    test("lists the tenant's jobs newest first, filtered, paged by cursor, without values", async () => {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await submit(
          t,
          textJob(`Note ${i}: write to ${EMAIL}.`, {
            purpose: i % 2 === 0 ? 'claims-intake' : 'hr-onboarding',
          }),
        );
        assert.equal(res.statusCode, 202, res.body);
        ids.push(res.json<{ job_id: string }>().job_id);
      }
      await submit(t, textJob('Another tenant.'), {}, 'globex');

      const all = await t.app.inject({ method: 'GET', url: '/v1/jobs?limit=2', headers: as('auditor') });
      assert.equal(all.statusCode, 200, all.body);
      const page1 = all.json<{ jobs: Array<Record<string, unknown>>; next_cursor: string | null }>();
      assert.deepEqual(
        page1.jobs.map((j) => j.job_id),
        [ids[4], ids[3]],
      );
      assert.equal(page1.jobs[0]!.status, 'queued');
      assert.equal(page1.jobs[0]!.purpose, 'claims-intake');
      assert.deepEqual(Object.keys(page1.jobs[0]!).sort(), [
        'consent',
        'counts_by_type',
        'created_at',
        'delete_after',
        'error_code',
        'job_id',
        'policy_hash',
        'purpose',
        'status',
        'template',
        'updated_at',
      ]);
      assert.ok(!all.body.includes(EMAIL));
      assert.equal(all.headers['cache-control'], 'no-store');

      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const url: string = `/v1/jobs?limit=2${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`;
        const res = await t.app.inject({ method: 'GET', url, headers: as('processor') });
        const page = res.json<{ jobs: Array<{ job_id: string }>; next_cursor: string | null }>();
        seen.push(...page.jobs.map((j) => j.job_id));
        cursor = page.next_cursor;
      } while (cursor !== null);
      assert.deepEqual(seen, [...ids].reverse(), 'every job once, newest first, only this tenant');

      const hr = await t.app.inject({
        method: 'GET',
        url: '/v1/jobs?purpose=hr-onboarding',
        headers: as('auditor'),
      });
      assert.deepEqual(
        hr.json<{ jobs: Array<{ job_id: string }> }>().jobs.map((j) => j.job_id),
        [ids[3], ids[1]],
      );
      const failed = await t.app.inject({
        method: 'GET',
        url: '/v1/jobs?status=failed',
        headers: as('auditor'),
      });
      assert.deepEqual(failed.json(), { jobs: [], next_cursor: null });
      const globex = await t.app.inject({ method: 'GET', url: '/v1/jobs', headers: as('auditor', 'globex') });
      assert.equal(globex.json<{ jobs: unknown[] }>().jobs.length, 1);
    });

    test('refuses a forged cursor, a bad filter and a caller without a token with stable codes', async () => {
      const forged = await t.app.inject({
        method: 'GET',
        url: `/v1/jobs?cursor=${Buffer.from('["x","y"]').toString('base64url')}`,
        headers: as('auditor'),
      });
      assert.equal(forged.statusCode, 400);
      assert.equal(forged.json<{ error: { code: string } }>().error.code, 'VEIL_INVALID_REQUEST');
      const status = await t.app.inject({
        method: 'GET',
        url: '/v1/jobs?status=deleted',
        headers: as('auditor'),
      });
      assert.equal(status.json<{ error: { code: string } }>().error.code, 'VEIL_INVALID_REQUEST');
      const limit = await t.app.inject({ method: 'GET', url: '/v1/jobs?limit=1000', headers: as('auditor') });
      assert.equal(limit.statusCode, 400);
      const anonymous = await t.app.inject({ method: 'GET', url: '/v1/jobs' });
      assert.equal(anonymous.json<{ error: { code: string } }>().error.code, 'VEIL_UNAUTHENTICATED');
    });

    test('a retried request with the same key and body returns the same job, and only one exists', async () => {
      const body = textJob(`Retry me: ${EMAIL}.`, { purpose: 'kyc' });
      const first = await submit(t, body, { 'idempotency-key': KEY });
      assert.equal(first.statusCode, 202, first.body);
      assert.equal(first.headers['idempotent-replayed'], undefined);
      // Concurrent retries, as a client whose first request timed out might send.
      const retries = await Promise.all([1, 2, 3].map(() => submit(t, body, { 'idempotency-key': KEY })));
      for (const retry of retries) {
        assert.equal(retry.statusCode, 202, retry.body);
        assert.equal(retry.json<{ job_id: string }>().job_id, first.json<{ job_id: string }>().job_id);
        assert.equal(retry.headers['idempotent-replayed'], 'true');
      }
      const listed = await t.app.inject({
        method: 'GET',
        url: '/v1/jobs?purpose=kyc',
        headers: as('auditor'),
      });
      assert.equal(listed.json<{ jobs: unknown[] }>().jobs.length, 1);
    });

    test('concurrent first requests under one key still make one job', async () => {
      const body = textJob('Race.', { purpose: 'patient_intake' });
      const results = await Promise.all(
        [1, 2, 3, 4].map(() => submit(t, body, { 'idempotency-key': 'race-key-1' })),
      );
      const ok = results.filter((r) => r.statusCode === 202);
      const busy = results.filter((r) => r.statusCode === 409);
      assert.equal(ok.length + busy.length, 4, results.map((r) => r.body).join('\n'));
      for (const r of busy)
        assert.equal(r.json<{ error: { code: string } }>().error.code, 'VEIL_IDEMPOTENCY_IN_PROGRESS');
      assert.equal(new Set(ok.map((r) => r.json<{ job_id: string }>().job_id)).size, 1);
      const listed = await t.app.inject({
        method: 'GET',
        url: '/v1/jobs?purpose=patient_intake',
        headers: as('auditor'),
      });
      assert.equal(listed.json<{ jobs: unknown[] }>().jobs.length, 1);
    });

    test('another body under a used key is refused with VEIL_IDEMPOTENCY_KEY_REUSED; keys are per tenant', async () => {
      const first = await submit(t, textJob('Body one.'), { 'idempotency-key': 'reuse-key' });
      assert.equal(first.statusCode, 202);
      for (const other of [textJob('Body two.'), textJob('Body one.', { retention_days: 8 })]) {
        const res = await submit(t, other, { 'idempotency-key': 'reuse-key' });
        assert.equal(res.statusCode, 422, res.body);
        const error = res.json<{ error: { code: string; message: string } }>().error;
        assert.equal(error.code, 'VEIL_IDEMPOTENCY_KEY_REUSED');
        assert.ok(!error.message.includes('Body'));
      }
      const elsewhere = await submit(t, textJob('Body two.'), { 'idempotency-key': 'reuse-key' }, 'globex');
      assert.equal(elsewhere.statusCode, 202);
      assert.notEqual(elsewhere.json<{ job_id: string }>().job_id, first.json<{ job_id: string }>().job_id);
      const bad = await submit(t, textJob('x'), { 'idempotency-key': 'has space' });
      assert.equal(bad.json<{ error: { code: string } }>().error.code, 'VEIL_INVALID_REQUEST');
    });

    test('keys are stored as keyed hashes that expire; an expired key makes a new job', async () => {
      const rows = await systemRows<{
        key_hash: Uint8Array;
        request_hash: Uint8Array;
        expires_at: Date;
        created_at: Date;
      }>(t, 'select * from idempotency_keys');
      assert.ok(rows.length >= 3);
      const dump = JSON.stringify(
        rows.map((r) => [
          Buffer.from(r.key_hash).toString('latin1'),
          Buffer.from(r.request_hash).toString('hex'),
        ]),
      );
      assert.ok(!dump.includes(KEY) && !dump.includes('reuse-key') && !dump.includes(EMAIL));
      for (const row of rows) {
        assert.equal(row.key_hash.length, 32);
        const ttl = new Date(row.expires_at).getTime() - new Date(row.created_at).getTime();
        assert.equal(ttl, 24 * 60 * 60 * 1000);
      }
      const body = textJob('Expiring.', { purpose: 'invoice_processing' });
      const first = await submit(t, body, { 'idempotency-key': 'expiring-key' });
      await t.service.runtime.handle.db.transaction().execute(async (trx) => {
        await sql`select set_config('veil.tenant_id', '*', true)`.execute(trx);
        await sql`update idempotency_keys set expires_at = now() - interval '1 second' where job_id = ${first.json<{ job_id: string }>().job_id}`.execute(
          trx,
        );
      });
      const again = await submit(t, body, { 'idempotency-key': 'expiring-key' });
      assert.equal(again.statusCode, 202);
      assert.notEqual(again.json<{ job_id: string }>().job_id, first.json<{ job_id: string }>().job_id);
      assert.equal(again.headers['idempotent-replayed'], undefined);
    });

    test('GET /v1/me names the tenant, roles and permissions, never the subject', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/v1/me', headers: as('auditor') });
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json(), {
        tenant_id: 'acme',
        kind: 'user',
        roles: ['auditor'],
        permissions: [
          'job:read',
          'audit:read',
          'audit:export',
          'policy:read',
          'legal-holds:read',
          'analytics:read',
          'alerts:read',
          'privacy-metrics:read',
        ],
      });
      assert.ok(!res.body.includes('user-auditor'));
    });
  });
}
