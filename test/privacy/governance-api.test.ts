import assert from 'node:assert/strict';
import { readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { stringify } from 'yaml';
import { parseAuditExport, verifyReceipt } from '../../src/audit/index.js';
import { startWorkers } from '../../src/pipeline/worker.js';
import type { Workers } from '../../src/pipeline/worker.js';
import { rebuildSubjectIndex } from '../../src/privacy/dsr/subject-index.js';
import { exportAuditLogText } from '../../src/runtime/audit.js';
import { DatabaseTokenVault } from '../../src/store/token-vault.js';
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
import { policyDir, QUIET_API, shippedDefault } from './governance-fixtures.js';

const SUBJECT = 'patient-4471';
const EMAIL = 'dsr-canary@example.org';

async function blobFiles(t: TestService): Promise<string[]> {
  const root = join(t.dataDir, 'blobs');
  const dirs = await readdir(root).catch(() => [] as string[]);
  const out: string[] = [];
  for (const d of dirs) out.push(...(await readdir(join(root, d))).filter((f) => f.startsWith('b_')));
  return out.sort();
}

async function publicKey(t: TestService): Promise<string> {
  return (await t.app.inject({ method: 'GET', url: '/v1/audit/public-key' })).json<{ pem: string }>().pem;
}

const code = (res: { json: <T>() => T }): string => res.json<{ error: { code: string } }>().error.code;

for (const driver of DRIVER_NAMES) {
  describe(
    `consent, purpose, region, withdrawal and data-subject requests (${driver})`,
    { skip: skipReason(driver) },
    () => {
      let t: TestService;
      let dir: string;
      let workers: Workers | undefined;
      before(async () => {
        const base = await shippedDefault();
        dir = await policyDir({
          default: {},
          pinned: { region: 'us' },
          strict: {
            purposes: {
              kyc: {
                outputs: ['redacted'],
                review: 'never',
                model: 'off',
                legal_basis: ['legal_obligation'],
                reveal_reasons: [],
              },
            },
          },
          tok: { operators: { ...(base.operators as object), default: { operator: 'tokenize' } } },
        });
        // No workers at first: jobs stay queued until the test starts them.
        t = await openTestService(driver, {
          workers: 0,
          policyDir: dir,
          region: 'eu',
          sweepIntervalSeconds: 0,
          api: QUIET_API,
        });
      });
      after(async () => {
        await workers?.stop();
        await t?.dispose();
        await rm(dir, { recursive: true, force: true });
      });

      test('a purpose, basis, output or review the policy does not permit is refused with VEIL_PURPOSE_NOT_ALLOWED, storing nothing', async () => {
        const post = (payload: Record<string, unknown>) =>
          t.app.inject({ method: 'POST', url: '/v1/jobs', headers: as('processor', 'strict'), payload });
        const kyc = { purpose: 'kyc', consent: { basis: 'legal_obligation' }, outputs: ['redacted'] };
        for (const payload of [
          textJob('Call 415-555-0134.', { retention_days: undefined }),
          textJob('Call 415-555-0134.', { ...kyc, consent: { basis: 'contract' } }),
          textJob('Call 415-555-0134.', { ...kyc, outputs: ['findings_summary', 'redacted'] }),
          textJob('Call 415-555-0134.', {
            ...kyc,
            consent: { basis: 'legal_obligation', allow_manual_review: true },
          }),
        ]) {
          const res = await post(payload);
          assert.equal(res.statusCode, 422, res.body);
          assert.equal(code(res), 'VEIL_PURPOSE_NOT_ALLOWED');
        }
        assert.deepEqual(await systemRows(t, `select id from jobs where tenant_id = 'strict'`), []);
        const ok = await post(textJob('Call 415-555-0134.', { ...kyc, retention_days: 7 }));
        assert.equal(ok.statusCode, 202, ok.body);
        const status = (
          await t.app.inject({
            method: 'GET',
            url: `/v1/jobs/${ok.json<{ job_id: string }>().job_id}`,
            headers: as('auditor', 'strict'),
          })
        ).json<{
          consent: Record<string, unknown>;
          region: string;
        }>();
        assert.deepEqual(status.consent, {
          basis: 'legal_obligation',
          allow_model_training: false,
          allow_manual_review: false,
          allow_analytics: false,
          allow_quality_improvement: false,
          allow_full_text: false,
          allow_model_use: false,
        });
        assert.equal(status.region, 'eu');
      });

      test('a tenant pinned to another region is refused with VEIL_REGION_MISMATCH before any byte is stored', async () => {
        const blobsBefore = await blobFiles(t);
        const job = await t.app.inject({
          method: 'POST',
          url: '/v1/jobs',
          headers: as('processor', 'pinned'),
          payload: textJob(`Write to ${EMAIL}.`),
        });
        assert.equal(job.statusCode, 409, job.body);
        assert.equal(code(job), 'VEIL_REGION_MISMATCH');
        const upload = await t.app.inject({
          method: 'POST',
          url: '/v1/uploads',
          headers: as('processor', 'pinned'),
          payload: {},
        });
        assert.equal(upload.statusCode, 409, upload.body);
        for (const table of ['tenants', 'jobs', 'uploads', 'artifacts']) {
          const column = table === 'tenants' ? 'id' : 'tenant_id';
          assert.deepEqual(
            await systemRows(t, `select 1 from ${table} where ${column} = 'pinned'`),
            [],
            `no ${table} row`,
          );
        }
        assert.deepEqual(await blobFiles(t), blobsBefore, 'no blob written');
      });

      test('withdrawal cancels a queued job before it is parsed, deletes its artifacts, refuses the next job, and answers with a verifiable receipt', async () => {
        const submit = (extra: Record<string, unknown>) =>
          t.app.inject({
            method: 'POST',
            url: '/v1/jobs',
            headers: as('processor'),
            payload: textJob(`Claim for ${EMAIL}.`, extra),
          });
        const withdrawn = await submit({
          purpose: 'claims',
          consent: { basis: 'contract', subject_ref: SUBJECT },
        });
        assert.equal(withdrawn.statusCode, 202, withdrawn.body);
        const jobId = withdrawn.json<{ job_id: string }>().job_id;
        const other = await submit({
          purpose: 'claims',
          consent: { basis: 'contract', subject_ref: 'patient-9' },
        });
        const otherId = other.json<{ job_id: string }>().job_id;
        // The reference is stored only as a keyed HMAC.
        const stored = await systemRows<{ subject_hmac: string }>(
          t,
          `select subject_hmac from jobs where id = '${jobId}'`,
        );
        assert.match(stored[0]!.subject_hmac, /^v1:[0-9a-f]{64}$/);
        assert.equal(JSON.stringify(await systemRows(t, `select * from jobs`)).includes(SUBJECT), false);

        const forbidden = await t.app.inject({
          method: 'POST',
          url: '/v1/consents/withdrawals',
          headers: as('processor'),
          payload: { subject_ref: SUBJECT },
        });
        assert.equal(forbidden.statusCode, 403);
        const res = await t.app.inject({
          method: 'POST',
          url: '/v1/consents/withdrawals',
          headers: as('dpo'),
          payload: { subject_ref: SUBJECT, purposes: ['claims'] },
        });
        assert.equal(res.statusCode, 200, res.body);
        const body = res.json<{ cancelled: string[]; scheduled: number; receipt: unknown }>();
        assert.deepEqual(body.cancelled, [jobId]);
        assert.equal(body.scheduled, 1);
        assert.equal(verifyReceipt(body.receipt, await publicKey(t)).ok, true);
        assert.equal((body.receipt as { event: { action: string } }).event.action, 'consent.withdrawn');

        const [row] = await systemRows<{ status: string; cancel_reason: string }>(
          t,
          `select status, cancel_reason from jobs where id = '${jobId}'`,
        );
        assert.deepEqual({ ...row }, { status: 'cancelled', cancel_reason: 'consent_withdrawn' });
        assert.deepEqual(
          await systemRows(t, `select id from artifacts where job_id = '${jobId}'`),
          [],
          'its artifacts are deleted at once',
        );

        const next = await submit({
          purpose: 'claims',
          consent: { basis: 'contract', subject_ref: SUBJECT },
        });
        assert.equal(next.statusCode, 409, next.body);
        assert.equal(code(next), 'VEIL_CONSENT_WITHDRAWN');
        const otherPurpose = await submit({
          purpose: 'kyc',
          consent: { basis: 'legal_obligation', subject_ref: SUBJECT },
        });
        assert.equal(otherPurpose.statusCode, 202, 'consent stands for the purposes not withdrawn');

        // Workers now: the cancelled job is never parsed; the others run.
        workers = await startWorkers({ ...t.service.runtime, concurrency: 1, pollingIntervalSeconds: 0.5 });
        assert.equal((await waitForJob(t.app, otherId)).status, 'succeeded');
        assert.equal(
          (await waitForJob(t.app, otherPurpose.json<{ job_id: string }>().job_id)).status,
          'succeeded',
        );
        const steps = parseAuditExport(await exportAuditLogText(t.service.audit, 'acme'))
          .entries.map((e) => e.event as { action: string; objects?: Array<{ id: string }> })
          .filter((e) => e.action === 'job.step' && e.objects?.[0]?.id === jobId);
        assert.deepEqual(steps, [], 'no step ran for the withdrawn job');
        const gone = await t.app.inject({ method: 'GET', url: `/v1/jobs/${jobId}`, headers: as('auditor') });
        assert.equal(gone.statusCode, 410, gone.body);
      });

      test('DSR access finds a job by an e-mail only the detector saw; erasure leaves no row, no blob, and its tokens no longer reveal', async () => {
        workers ??= await startWorkers({ ...t.service.runtime, concurrency: 1, pollingIntervalSeconds: 0.5 });
        const submit = async (tenant: string, text: string): Promise<string> => {
          const res = await t.app.inject({
            method: 'POST',
            url: '/v1/jobs',
            headers: as('processor', tenant),
            payload: textJob(text),
          });
          assert.equal(res.statusCode, 202, res.body);
          const id = res.json<{ job_id: string }>().job_id;
          assert.equal((await waitForJob(t.app, id, tenant)).status, 'succeeded');
          return id;
        };
        const mine = await submit('tok', `Claim 9: the insured writes from ${EMAIL} about the roof.`);
        const theirs = await submit('tok', 'Claim 10: the insured writes from someone-else@example.org.');
        // No plaintext index: the address is nowhere in the jobs' lists (their HMACs and sealed values).
        const lists = await systemRows<{ ciphertext: Uint8Array; hmacs: string[] }>(
          t,
          `select ciphertext, hmacs from subject_index_lists where tenant_id = 'tok'`,
        );
        assert.equal(lists.length, 2, 'one list per job');
        for (const r of lists) {
          assert.equal(Buffer.from(r.ciphertext).includes(EMAIL), false);
          assert.ok(r.hmacs.length >= 1);
          for (const hmac of r.hmacs) assert.match(hmac, /^v1:[0-9a-f]{64}$/);
        }
        assert.deepEqual(
          await systemRows(t, `select 1 from subject_index where tenant_id = 'tok'`),
          [],
          'a job indexed since 0022 has no row per identifier',
        );

        // The key rotates: the index is re-keyed and still answers.
        await t.service.runtime.keyring.rotate('tok');
        assert.ok(
          (await rebuildSubjectIndex(
            { db: t.service.runtime.handle.db, keyring: t.service.runtime.keyring },
            'tok',
          )) >= 2,
        );
        const rekeyed = await systemRows<{ hmac: string }>(
          t,
          `select unnest(hmacs) as hmac from subject_index_lists where tenant_id = 'tok'`,
        );
        assert.ok(rekeyed.length >= 2);
        assert.ok(rekeyed.every((r) => r.hmac.startsWith('v2:')));

        const access = await t.app.inject({
          method: 'POST',
          url: '/v1/dsr/access',
          headers: as('dpo', 'tok'),
          payload: { identifiers: [{ type: 'EMAIL_ADDRESS', value: 'DSR-Canary@Example.org' }] },
        });
        assert.equal(access.statusCode, 200, access.body);
        const exported = access.json<{
          jobs: Array<{
            job_id: string;
            purpose: string;
            consent: Record<string, boolean | string>;
            detected: Array<{ entity_type: string; value: string }>;
          }>;
          audit_events: Array<{ action: string }>;
        }>();
        assert.deepEqual(
          exported.jobs.map((j) => j.job_id),
          [mine],
        );
        assert.equal(exported.jobs[0]!.purpose, 'claims-intake');
        // Every grant the job was submitted under, as its status shows them (model use included).
        const status = await t.app.inject({
          method: 'GET',
          url: `/v1/jobs/${mine}`,
          headers: as('processor', 'tok'),
        });
        assert.deepEqual(exported.jobs[0]!.consent, status.json<{ consent: unknown }>().consent);
        assert.equal(exported.jobs[0]!.consent.allow_model_use, false);
        assert.deepEqual(
          exported.jobs[0]!.detected.filter((d) => d.entity_type === 'EMAIL_ADDRESS'),
          [{ entity_type: 'EMAIL_ADDRESS', value: EMAIL }],
        );
        assert.ok(exported.audit_events.some((e) => e.action === 'job.created'));
        const accessEvents = parseAuditExport(await exportAuditLogText(t.service.audit, 'tok'))
          .entries.map((e) => e.event as { action: string; counts?: Record<string, number> })
          .filter((e) => e.action === 'dsr.access');
        const { duration_ms: accessMs, ...accessCounts } = accessEvents.at(-1)!.counts!;
        assert.deepEqual(accessCounts, { jobs: 1, identifiers: 1, subject_refs: 0 });
        assert.ok(Number.isInteger(accessMs) && accessMs! >= 0, 'the time to completion is recorded');

        // A token from the job's output reveals before erasure.
        const redacted = (
          await t.app.inject({
            method: 'GET',
            url: `/v1/jobs/${mine}/redacted`,
            headers: as('processor', 'tok'),
          })
        ).body;
        const token = /tok_[0-9a-f]{32}/.exec(redacted)?.[0];
        assert.ok(token, 'the tokenize policy put tokens in the output');
        const vault = new DatabaseTokenVault({
          db: t.service.runtime.handle.db,
          keyring: t.service.runtime.keyring,
        });
        assert.notEqual(await vault.valueFor('tok', token), undefined);
        const blobs = (
          await systemRows<{ blob_name: string }>(
            t,
            `select blob_name from artifacts where job_id = '${mine}'`,
          )
        ).map((r) => r.blob_name);
        assert.ok(blobs.length > 0);

        const erase = await t.app.inject({
          method: 'POST',
          url: '/v1/dsr/erasure',
          headers: as('dpo', 'tok'),
          payload: { identifiers: [{ type: 'EMAIL_ADDRESS', value: EMAIL }] },
        });
        assert.equal(erase.statusCode, 200, erase.body);
        const erased = erase.json<{
          jobs: number;
          artifacts: number;
          vault_entries: number;
          receipt: unknown;
        }>();
        assert.equal(erased.jobs, 1);
        assert.ok(erased.vault_entries >= 1);
        assert.equal(verifyReceipt(erased.receipt, await publicKey(t)).ok, true);
        for (const table of [
          'jobs',
          'artifacts',
          'retention_ledger',
          'subject_index',
          'subject_index_lists',
        ]) {
          const column = table === 'jobs' ? 'id' : 'job_id';
          assert.deepEqual(
            await systemRows(t, `select 1 from ${table} where ${column} = '${mine}'`),
            [],
            `0 ${table} rows`,
          );
        }
        const left = await blobFiles(t);
        for (const b of blobs) assert.equal(left.includes(b), false, 'blob deleted');
        assert.equal(await vault.valueFor('tok', token), undefined, 'the token no longer reveals');
        const again = await t.app.inject({
          method: 'POST',
          url: '/v1/dsr/access',
          headers: as('dpo', 'tok'),
          payload: { identifiers: [{ type: 'EMAIL_ADDRESS', value: EMAIL }] },
        });
        assert.deepEqual(again.json<{ jobs: unknown[] }>().jobs, []);
        // The other subject's job is untouched.
        assert.equal(
          (await t.app.inject({ method: 'GET', url: `/v1/jobs/${theirs}`, headers: as('auditor', 'tok') }))
            .statusCode,
          200,
        );
      });

      test('a reveal needs a reason the job purpose allows', async () => {
        workers ??= await startWorkers({ ...t.service.runtime, concurrency: 1, pollingIntervalSeconds: 0.5 });
        const res = await t.app.inject({
          method: 'POST',
          url: '/v1/jobs',
          headers: as('processor'),
          payload: textJob('Call 415-555-0134.', {
            purpose: 'patient_intake',
            consent: { basis: 'consent' },
          }),
        });
        const jobId = res.json<{ job_id: string }>().job_id;
        await waitForJob(t.app, jobId);
        const refused = await t.app.inject({
          method: 'POST',
          url: `/v1/jobs/${jobId}/reveal`,
          headers: as('dpo'),
          payload: { reason: { code: 'fraud_investigation', ticket: 'T-7' } },
        });
        assert.equal(refused.statusCode, 422, refused.body);
        assert.equal(code(refused), 'VEIL_PURPOSE_NOT_ALLOWED');
        const allowed = await t.app.inject({
          method: 'POST',
          url: `/v1/jobs/${jobId}/reveal`,
          headers: as('dpo'),
          payload: { reason: { code: 'clinical_care', ticket: 'T-8' } },
        });
        assert.equal(allowed.statusCode, 200, allowed.body);
      });

      test('a policy change the service picks up is audited as policy.changed with the old and new hashes', async () => {
        const base = await shippedDefault();
        await writeFile(join(dir, 'acme.yaml'), stringify({ ...base, region: 'eu' }));
        await t.service.governancePass();
        await writeFile(
          join(dir, 'acme.yaml'),
          stringify({ ...base, region: 'eu', retention: { original: '1m' } }),
        );
        await t.service.governancePass();
        const changes = parseAuditExport(await exportAuditLogText(t.service.audit, 'acme'))
          .entries.map(
            (e) => e.event as { action: string; policy_hash?: string; previous_policy_hash?: string },
          )
          .filter((e) => e.action === 'policy.changed');
        assert.equal(changes.length, 2);
        assert.equal(changes[0]!.previous_policy_hash, undefined);
        assert.equal(changes[1]!.previous_policy_hash, changes[0]!.policy_hash);
        assert.notEqual(changes[1]!.policy_hash, changes[0]!.policy_hash);
      });
    },
  );
}
