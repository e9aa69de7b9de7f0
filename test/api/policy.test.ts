/**
 * `GET /v1/policy` and `GET /v1/compliance/report` on the service `veil serve` runs, on PGlite and
 * PostgreSQL, with a policy directory: a tenant reads the policy it runs under (its own file, else
 * `default`) with the hash jobs record and the `policy.changed` history the audit log holds,
 * newest first, linked hash to hash; a webhook URL's path stays hidden; the compliance report
 * names that hash, counts the tenant's events of the period and cites its signed tree head.
 */
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { stringify } from 'yaml';
import { openPolicyDirectory } from '../../src/policy/index.js';
import { importAuditPublicKey, verifyTreeHead } from '../../src/audit/index.js';
import { DRIVER_NAMES, as, openTestService, skipReason, textJob, waitForJob } from './jobs-harness.js';
import type { TestService } from './jobs-harness.js';
import { QUIET_API, policyDir, shippedDefault } from '../privacy/governance-fixtures.js';

const HOOK = 'https://hooks.example.com/services/T000/B000/not-for-readers';

interface PolicyBody {
  id: string;
  hash: string;
  version: number;
  policy: Record<string, unknown> & { alerts?: { webhooks?: Array<{ url: string }> } };
  history: Array<{ index: number; log: string; time: string; hash: string; previous_hash?: string }>;
}

interface ReportBody {
  tenant: string;
  policy_hash: string;
  period: { since: string; until: string };
  tree_head: {
    tree_size: number;
    root_hash: string;
    timestamp: string;
    key_id: string;
    signature: string;
  } | null;
  audit_events_total: number;
  summary: Record<string, number>;
  controls: Array<{ id: string; status: string; audit_events: Record<string, number>; tests: unknown[] }>;
}

for (const driver of DRIVER_NAMES) {
  describe(`the policy and compliance routes (${driver})`, { skip: skipReason(driver) }, () => {
    let t: TestService;
    let dir: string;
    before(async () => {
      dir = await policyDir({
        default: {},
        acme: { alerts: { webhooks: [{ url: HOOK, secret_env: 'ACME_HOOK_SECRET' }] } },
      });
      t = await openTestService(driver, { policyDir: dir, api: QUIET_API, sweepIntervalSeconds: 0 });
    });
    after(async () => {
      await t?.dispose();
      await rm(dir, { recursive: true, force: true });
    });

    const get = async <T>(url: string, role: Parameters<typeof as>[0], tenant = 'acme') => {
      const res = await t.app.inject({ method: 'GET', url, headers: as(role, tenant) });
      return { status: res.statusCode, body: res.json<T>() };
    };

    test("a tenant reads the policy it runs under, with the jobs' hash and its history; a webhook path stays hidden", async () => {
      const inForce = (await openPolicyDirectory(dir)).all();
      const own = await get<PolicyBody>('/v1/policy', 'processor');
      assert.equal(own.status, 200);
      assert.equal(own.body.id, 'acme');
      assert.equal(own.body.hash, inForce.get('acme')!.hash);
      assert.equal(own.body.version, 1);
      assert.equal(own.body.policy.alerts?.webhooks?.[0]?.url, 'https://hooks.example.com/…');
      assert.ok(!JSON.stringify(own.body).includes('not-for-readers'));
      assert.equal(own.body.history.length, 1);
      assert.equal(own.body.history[0]!.log, 'tenant');
      assert.equal(own.body.history[0]!.hash, own.body.hash);
      assert.equal(own.body.history[0]!.previous_hash, undefined, 'the first record is from none');

      // A tenant without its own file runs under `default`, whose history is in the system log.
      const other = await get<PolicyBody>('/v1/policy', 'auditor', 'globex');
      assert.equal(other.status, 200);
      assert.equal(other.body.id, 'default');
      assert.equal(other.body.hash, inForce.get('default')!.hash);
      assert.deepEqual(
        other.body.history.map((h) => [h.log, h.hash]),
        [['system', other.body.hash]],
      );

      // The jobs of the tenant record the same hash.
      const submitted = await t.app.inject({
        method: 'POST',
        url: '/v1/jobs',
        headers: as('processor'),
        payload: textJob('Call me at claims desk.', { consent: { basis: 'contract' } }),
      });
      assert.equal(submitted.statusCode, 202, submitted.body);
      const job = await waitForJob(t.app, submitted.json<{ job_id: string }>().job_id);
      assert.equal(job.policy_hash, own.body.hash);
    });

    test('a change picked up by the governance pass adds a linked entry, newest first; history_limit bounds it', async () => {
      const before = await get<PolicyBody>('/v1/policy', 'admin');
      await writeFile(
        join(dir, 'acme.yaml'),
        stringify({
          ...(await shippedDefault()),
          alerts: { webhooks: [{ url: HOOK, secret_env: 'ACME_HOOK_SECRET' }] },
          retention: { ...((await shippedDefault()).retention as object), redacted: '7d' },
        }),
      );
      await t.service.governancePass();
      const now = await get<PolicyBody>('/v1/policy', 'dpo');
      assert.equal(now.status, 200);
      assert.notEqual(now.body.hash, before.body.hash);
      assert.equal((now.body.policy.retention as Record<string, string>).redacted, '7d');
      assert.equal(now.body.history.length, 2);
      const [newest, first] = now.body.history;
      assert.equal(newest!.hash, now.body.hash);
      assert.equal(newest!.previous_hash, before.body.hash);
      assert.equal(first!.hash, before.body.hash);
      assert.ok(newest!.index > first!.index);
      assert.ok(newest!.time >= first!.time);
      const limited = await get<PolicyBody>('/v1/policy?history_limit=1', 'admin');
      assert.deepEqual(limited.body.history, [newest]);
      const bad = await get<{ error: { code: string } }>('/v1/policy?history_limit=0', 'admin');
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error.code, 'VEIL_INVALID_REQUEST');
    });

    test("the compliance report names the policy's hash, counts the period's events and cites a head that verifies", async () => {
      const policy = await get<PolicyBody>('/v1/policy', 'admin');
      const report = await get<ReportBody>('/v1/compliance/report?since=1h', 'auditor');
      assert.equal(report.status, 200);
      assert.equal(report.body.tenant, 'acme');
      assert.equal(report.body.policy_hash, policy.body.hash);
      assert.ok(report.body.controls.length >= 10);
      assert.equal(
        Object.values(report.body.summary).reduce((s, n) => s + n, 0),
        report.body.controls.length,
      );
      // The job of the first test and both policy records of the tenant's own file are in the period.
      const events = Object.assign({}, ...report.body.controls.map((c) => c.audit_events)) as Record<
        string,
        number
      >;
      assert.ok((events['job.created'] ?? 0) >= 1, JSON.stringify(events));
      assert.equal(events['policy.changed'], 2);
      const head = report.body.tree_head!;
      assert.ok(head.tree_size >= report.body.audit_events_total);
      const key = await t.app.inject({ method: 'GET', url: '/v1/audit/public-key' });
      assert.equal(
        verifyTreeHead(
          {
            tree_size: head.tree_size,
            root_hash: head.root_hash,
            timestamp: Date.parse(head.timestamp),
            key_id: head.key_id,
            signature: head.signature,
          },
          importAuditPublicKey(key.json<{ jwk: Parameters<typeof importAuditPublicKey>[0] }>().jwk),
        ),
        true,
      );
      // Another tenant's report is of its own log.
      const other = await get<ReportBody>('/v1/compliance/report', 'dpo', 'globex');
      assert.equal(other.body.tenant, 'globex');
      assert.notEqual(other.body.policy_hash, report.body.policy_hash);
      const bad = await get<{ error: { code: string } }>('/v1/compliance/report?since=soon', 'admin');
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error.code, 'VEIL_INVALID_OPTION');
    });

    test('roles: processor reads the policy but not the report; reviewer neither', async () => {
      assert.equal((await get('/v1/policy', 'reviewer')).status, 403);
      assert.equal((await get('/v1/compliance/report', 'processor')).status, 403);
      assert.equal((await get('/v1/compliance/report', 'reviewer')).status, 403);
    });
  });
}
