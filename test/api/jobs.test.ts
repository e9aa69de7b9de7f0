import assert from 'node:assert/strict';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { signUpload } from '../../src/crypto/upload-url.js';
import { verifyReceipt } from '../../src/audit/index.js';
import { deriveSubkey } from '../../src/crypto/hkdf.js';
import { as, DRIVER_NAMES, openTestService, skipReason, textJob, waitForJob } from './jobs-harness.js';
import type { TestService } from './jobs-harness.js';

const SSN = '536-22-4817';
const EMAIL = 'canary-lifecycle@example.org';
const TEXT = `Claim note.\nPlease contact Zebulon Quartermaine at ${EMAIL}.\nHis social security number is ${SSN}.\n`;

async function blobNamesOf(t: TestService, jobId: string): Promise<string[]> {
  const rows = await t.service.runtime.handle.db.transaction().execute(async (trx) => {
    await sql`select set_config('veil.tenant_id', '*', true)`.execute(trx);
    return (
      await sql<{ blob_name: string }>`select blob_name from artifacts where job_id = ${jobId}`.execute(trx)
    ).rows;
  });
  return rows.map((r) => r.blob_name);
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

function blobPath(t: TestService, name: string): string {
  return join(t.dataDir, 'blobs', name.slice(2, 4), name);
}

for (const driver of DRIVER_NAMES) {
  describe(`jobs API lifecycle (${driver})`, { skip: skipReason(driver) }, () => {
    let t: TestService;
    before(async () => {
      t = await openTestService(driver);
    });
    after(async () => {
      await t?.dispose();
    });

    test('a JSON text job: 202, status with counts and no values, redacted output, reveal, delete with a verifiable receipt', async () => {
      const { app } = t;
      const created = await app.inject({
        method: 'POST',
        url: '/v1/jobs',
        headers: as('processor'),
        payload: textJob(TEXT),
      });
      assert.equal(created.statusCode, 202, created.body);
      const {
        job_id: jobId,
        status,
        status_url: statusUrl,
      } = created.json<{ job_id: string; status: string; status_url: string }>();
      assert.equal(status, 'queued');
      assert.equal(statusUrl, `/v1/jobs/${jobId}`);
      assert.equal(created.headers.location, statusUrl);

      const done = await waitForJob(app, jobId);
      assert.equal(done.status, 'succeeded');
      // Every step is in the tenant's audit log, as ids, steps and outcomes. The last step's
      // event is written just after the status changes, so it is awaited briefly.
      let steps: string[] = [];
      for (let tries = 0; tries < 50 && steps.length < 5; tries++) {
        const audit = await app.inject({
          method: 'GET',
          url: '/v1/audit/entries?limit=1000',
          headers: as('auditor'),
        });
        assert.equal(audit.statusCode, 200, audit.body);
        type Entry = {
          event: { action: string; step?: string; outcome?: string; objects?: { id: string }[] };
        };
        const mine = audit
          .json<{ entries: Entry[] }>()
          .entries.filter((e) => e.event.objects?.some((o) => o.id === jobId));
        assert.equal(mine[0]?.event.action, 'job.created');
        steps = mine
          .filter((e) => e.event.action === 'job.step' && e.event.outcome === 'succeeded')
          .map((e) => e.event.step!);
        if (steps.length < 5) await new Promise((r) => setTimeout(r, 100));
      }
      assert.deepEqual([...steps].sort(), ['anonymise', 'detect', 'finalise', 'intake', 'parse']);
      const counts = done.counts_by_type as Record<string, number>;
      assert.equal(counts.EMAIL_ADDRESS, 1);
      assert.equal(counts.US_SSN, 1);
      assert.match(String(done.policy_hash), /^[0-9a-f]{64}$/);
      assert.deepEqual(done.consent, {
        basis: 'contract',
        allow_model_training: false,
        allow_manual_review: false,
        allow_analytics: false,
        allow_quality_improvement: false,
        allow_full_text: false,
        allow_model_use: false,
      });
      assert.equal(done.purpose, 'claims-intake');
      assert.equal(done.redacted_available, true);
      const statusText = JSON.stringify(done);
      for (const canary of [SSN, EMAIL, 'Quartermaine']) assert.ok(!statusText.includes(canary));

      // Another tenant's id answers 404 on every job route, whatever the role.
      for (const [method, url, role] of [
        ['GET', `/v1/jobs/${jobId}`, 'admin'],
        ['GET', `/v1/jobs/${jobId}/redacted`, 'admin'],
        ['DELETE', `/v1/jobs/${jobId}`, 'admin'],
        ['POST', `/v1/jobs/${jobId}/reveal`, 'dpo'],
      ] as const) {
        const res = await app.inject({
          method,
          url,
          headers: as(role, 'globex'),
          ...(method === 'POST' ? { payload: { reason: { code: 'other', ticket: 'T-1' } } } : {}),
        });
        assert.equal(res.statusCode, 404, `${method} ${url} ${res.body}`);
        assert.equal(res.json<{ error: { code: string } }>().error.code, 'VEIL_NOT_FOUND');
      }

      const redacted = await app.inject({
        method: 'GET',
        url: `/v1/jobs/${jobId}/redacted`,
        headers: as('processor'),
      });
      assert.equal(redacted.statusCode, 200);
      assert.equal(redacted.headers['content-type'], 'text/plain; charset=utf-8');
      assert.equal(redacted.headers['cache-control'], 'no-store');
      assert.match(
        redacted.body,
        /^[^]*<EMAIL_ADDRESS_1>\.\nHis social security number is \*\*\*-\*\*-4817\.\n$/,
      );
      for (const canary of [SSN, EMAIL]) assert.ok(!redacted.body.includes(canary));

      // Reveal: processors may not; a DPO needs a reason; a note shaped like data is refused.
      const byProcessor = await app.inject({
        method: 'POST',
        url: `/v1/jobs/${jobId}/reveal`,
        headers: as('processor'),
        payload: { reason: { code: 'other', ticket: 'T-1' } },
      });
      assert.equal(byProcessor.statusCode, 403);
      const noReason = await app.inject({
        method: 'POST',
        url: `/v1/jobs/${jobId}/reveal`,
        headers: as('dpo'),
        payload: {},
      });
      assert.equal(noReason.statusCode, 400);
      assert.equal(noReason.json<{ error: { code: string } }>().error.code, 'VEIL_INVALID_REQUEST');
      const dataNote = await app.inject({
        method: 'POST',
        url: `/v1/jobs/${jobId}/reveal`,
        headers: as('dpo'),
        payload: { reason: { code: 'data_subject_request', note: 'asked by 536224817' } },
      });
      assert.equal(dataNote.statusCode, 400);
      assert.equal(
        dataNote.json<{ error: { code: string; message: string } }>().error.code,
        'VEIL_AUDIT_INVALID_EVENT',
      );
      assert.ok(!dataNote.body.includes('536224817'));
      const revealed = await app.inject({
        method: 'POST',
        url: `/v1/jobs/${jobId}/reveal`,
        headers: as('dpo'),
        payload: {
          reason: { code: 'data_subject_request', ticket: 'DSR-2291', note: 'subject access request' },
        },
      });
      assert.equal(revealed.statusCode, 200, revealed.body);
      assert.equal(revealed.headers['cache-control'], 'no-store');
      const values = revealed.json<{
        findings: Array<{ entity_type: string; value: string; start: number; end: number }>;
      }>().findings;
      assert.equal(
        values.length,
        Object.values(counts).reduce((a, b) => a + b, 0),
      );
      assert.deepEqual(values.find((v) => v.entity_type === 'EMAIL_ADDRESS')?.value, EMAIL);
      assert.deepEqual(values.find((v) => v.entity_type === 'US_SSN')?.value, SSN);
      for (const v of values) assert.equal(TEXT.slice(v.start, v.end), v.value);

      // The audit log has the creation, the steps, the download and the reveal (with its reason code).
      const entries = await app.inject({
        method: 'GET',
        url: '/v1/audit/entries?limit=1000',
        headers: as('auditor'),
      });
      assert.equal(entries.statusCode, 200);
      const events = entries
        .json<{ entries: Array<{ event: Record<string, unknown> }> }>()
        .entries.map((e) => e.event);
      const ofJob = events.filter(
        (e) => JSON.stringify(e.objects ?? []).includes(jobId) && e.action !== 'job.step',
      );
      assert.deepEqual(
        ofJob.map((e) => e.action),
        ['job.created', 'job.download', 'output.released', 'job.reveal', 'output.released'],
      );
      assert.deepEqual(ofJob[3]!.reason, {
        code: 'data_subject_request',
        ticket: 'DSR-2291',
        note: 'subject access request',
      });
      assert.ok(!JSON.stringify(events).includes(SSN));

      // Deletion: a receipt that verifies offline with the published key; nothing left behind.
      const blobs = await blobNamesOf(t, jobId);
      assert.ok(blobs.length >= 4, `artifacts before delete: ${blobs.length}`);
      for (const name of blobs) assert.ok(await exists(blobPath(t, name)));
      const deleted = await app.inject({
        method: 'DELETE',
        url: `/v1/jobs/${jobId}`,
        headers: as('processor'),
      });
      assert.equal(deleted.statusCode, 200, deleted.body);
      const body = deleted.json<{
        job_id: string;
        deleted: Array<{ class: string; count: number }>;
        receipt: Record<string, unknown>;
      }>();
      assert.equal(body.job_id, jobId);
      assert.deepEqual(body.deleted, [
        { class: 'findings', count: 1 },
        { class: 'job', count: 1 },
        { class: 'manifest', count: 1 },
        { class: 'original', count: 1 },
        { class: 'redacted', count: 1 },
      ]);
      assert.equal((body.receipt.event as { action: string }).action, 'job.deleted');
      const key = await app.inject({ method: 'GET', url: '/v1/audit/public-key' });
      const { jwk, pem } = key.json<{ jwk: Parameters<typeof verifyReceipt>[1]; pem: string }>();
      const verified = verifyReceipt(JSON.parse(deleted.body).receipt, jwk);
      assert.equal(verified.ok, true, JSON.stringify(verified));
      assert.equal(verifyReceipt(body.receipt, pem).ok, true);
      // A receipt whose event is altered no longer verifies.
      const forged = structuredClone(body.receipt) as { event: { deleted: Array<{ count: number }> } };
      forged.event.deleted[0]!.count = 0;
      assert.equal(verifyReceipt(forged, jwk).ok, false);

      assert.equal(
        (await app.inject({ method: 'GET', url: `/v1/jobs/${jobId}`, headers: as('processor') })).statusCode,
        404,
      );
      assert.equal(
        (await app.inject({ method: 'DELETE', url: `/v1/jobs/${jobId}`, headers: as('processor') }))
          .statusCode,
        404,
      );
      assert.deepEqual(await blobNamesOf(t, jobId), []);
      for (const name of blobs)
        assert.equal(await exists(blobPath(t, name)), false, `blob ${name} still on disk`);
    });

    test('an upload job: signed, single-use URL; tampered or expired URLs refused; the upload leaves nothing behind', async () => {
      const { app } = t;
      const issued = await app.inject({
        method: 'POST',
        url: '/v1/uploads',
        headers: as('processor'),
        payload: { max_bytes: 4096 },
      });
      assert.equal(issued.statusCode, 201, issued.body);
      const upload = issued.json<{
        upload_id: string;
        upload_url: string;
        method: string;
        expires_at: string;
        max_bytes: number;
      }>();
      assert.equal(upload.method, 'PUT');
      assert.equal(upload.max_bytes, 4096);
      const url = new URL(upload.upload_url, 'http://x');
      const sig = url.searchParams.get('sig')!;
      const expires = url.searchParams.get('expires')!;
      assert.ok(Math.abs(Number(expires) * 1000 - Date.parse(upload.expires_at)) < 1000);
      assert.ok(Number(expires) * 1000 - Date.now() <= 600_000);
      const put = (
        path: string,
        headers: Record<string, string> = as('processor'),
        payload: string | Buffer = TEXT,
      ) =>
        app.inject({
          method: 'PUT',
          url: path,
          headers: { ...headers, 'content-type': 'text/plain' },
          payload,
        });

      // Tampered signature, stretched expiry, a job from an empty upload, another tenant, a reviewer.
      const flipped = `${sig.slice(0, -1)}${sig.endsWith('A') ? 'B' : 'A'}`;
      const tampered = await put(`${url.pathname}?expires=${expires}&sig=${encodeURIComponent(flipped)}`);
      assert.equal(tampered.statusCode, 403);
      assert.equal(tampered.json<{ error: { code: string } }>().error.code, 'VEIL_UPLOAD_INVALID');
      const stretched = await put(
        `${url.pathname}?expires=${Number(expires) + 3600}&sig=${encodeURIComponent(sig)}`,
      );
      assert.equal(stretched.statusCode, 403);
      assert.equal(
        (await put(`${url.pathname}?expires=${expires}&sig=v1.${'A'.repeat(43)}`)).statusCode,
        403,
      );
      assert.equal((await put(upload.upload_url, as('processor', 'globex'))).statusCode, 404);
      assert.equal((await put(upload.upload_url, as('reviewer'))).statusCode, 403);
      assert.equal((await put(upload.upload_url, {})).statusCode, 401);
      const early = await app.inject({
        method: 'POST',
        url: '/v1/jobs',
        headers: as('processor'),
        payload: { ...textJob(''), text: undefined, upload_id: upload.upload_id },
      });
      assert.equal(early.statusCode, 409);
      assert.equal(early.json<{ error: { code: string } }>().error.code, 'VEIL_UPLOAD_EMPTY');
      // Over the upload's own limit: refused from the declared length, before reading.
      const tooBig = await put(upload.upload_url, as('processor'), Buffer.alloc(5000, 0x61));
      assert.equal(tooBig.statusCode, 413);
      assert.equal(tooBig.json<{ error: { code: string } }>().error.code, 'VEIL_UPLOAD_TOO_LARGE');
      const wrongType = await app.inject({
        method: 'PUT',
        url: upload.upload_url,
        headers: { ...as('processor'), 'content-type': 'application/x-msdownload' },
        payload: 'MZ',
      });
      assert.equal(wrongType.statusCode, 415);

      const stored = await put(upload.upload_url);
      assert.equal(stored.statusCode, 201, stored.body);
      assert.deepEqual(stored.json(), { upload_id: upload.upload_id, size_bytes: Buffer.byteLength(TEXT) });
      const reused = await put(upload.upload_url);
      assert.equal(reused.statusCode, 409);
      assert.equal(reused.json<{ error: { code: string } }>().error.code, 'VEIL_UPLOAD_USED');

      const job = await app.inject({
        method: 'POST',
        url: '/v1/jobs',
        headers: as('processor'),
        payload: {
          upload_id: upload.upload_id,
          purpose: 'claims-intake',
          consent: { basis: 'consent', allow_manual_review: true },
        },
      });
      assert.equal(job.statusCode, 202, job.body);
      const again = await app.inject({
        method: 'POST',
        url: '/v1/jobs',
        headers: as('processor'),
        payload: { upload_id: upload.upload_id, purpose: 'claims-intake', consent: { basis: 'consent' } },
      });
      assert.equal(again.statusCode, 404);
      assert.equal((await put(upload.upload_url)).statusCode, 404);
      const jobId = job.json<{ job_id: string }>().job_id;
      const done = await waitForJob(app, jobId);
      assert.equal(done.status, 'succeeded');
      assert.equal((done.counts_by_type as Record<string, number>).US_SSN, 1);
      assert.deepEqual(done.consent, {
        basis: 'consent',
        allow_model_training: false,
        allow_manual_review: true,
        allow_analytics: false,
        allow_quality_improvement: false,
        allow_full_text: false,
        allow_model_use: false,
      });
      // Default retention is short: 30 days.
      assert.ok(Math.abs(Date.parse(String(done.delete_after)) - Date.now() - 30 * 86_400_000) < 120_000);
      const uploadsLeft = await t.service.runtime.handle.db.transaction().execute(async (trx) => {
        await sql`select set_config('veil.tenant_id', '*', true)`.execute(trx);
        return (
          await sql<{
            n: number;
          }>`select count(*)::int as n from uploads where id = ${upload.upload_id}`.execute(trx)
        ).rows[0]!.n;
      });
      assert.equal(uploadsLeft, 0);

      // An expired URL, validly signed: the slot's expiry is moved into the past and the URL
      // signed for it with the tenant's derived key, exactly as the service signs.
      const late = (
        await app.inject({ method: 'POST', url: '/v1/uploads', headers: as('processor'), payload: {} })
      ).json<{ upload_id: string; max_bytes: number }>();
      const past = Math.floor(Date.now() / 1000) - 60;
      await t.service.runtime.handle.db.transaction().execute(async (trx) => {
        await sql`select set_config('veil.tenant_id', '*', true)`.execute(trx);
        await sql`update uploads set expires_at = ${new Date(past * 1000)} where id = ${late.upload_id}`.execute(
          trx,
        );
      });
      const dataKey = await t.service.runtime.keyring.currentKey('acme');
      const pastSig = signUpload(
        { tenantId: 'acme', uploadId: late.upload_id, expires: past, maxBytes: late.max_bytes },
        deriveSubkey(dataKey.key, 'upload/url', ['acme']),
        dataKey.version,
      );
      const expired = await put(
        `/v1/uploads/${late.upload_id}?expires=${past}&sig=${encodeURIComponent(pastSig)}`,
      );
      assert.equal(expired.statusCode, 410);
      assert.equal(expired.json<{ error: { code: string } }>().error.code, 'VEIL_UPLOAD_EXPIRED');
    });

    test('a multipart job, and requests that break the schema', async () => {
      const { app } = t;
      const boundary = 'veilboundary42';
      const options = JSON.stringify({
        purpose: 'hr-onboarding',
        consent: { basis: 'legal_obligation' },
        outputs: ['findings_summary'],
        retention_days: 3,
      });
      const payload = [
        `--${boundary}\r\nContent-Disposition: form-data; name="options"\r\n\r\n${options}\r\n`,
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="note.txt"\r\nContent-Type: text/plain\r\n\r\n${TEXT}\r\n`,
        `--${boundary}--\r\n`,
      ].join('');
      const res = await app.inject({
        method: 'POST',
        url: '/v1/jobs',
        headers: { ...as('admin'), 'content-type': `multipart/form-data; boundary=${boundary}` },
        payload,
      });
      assert.equal(res.statusCode, 202, res.body);
      const done = await waitForJob(app, res.json<{ job_id: string }>().job_id);
      assert.equal(done.status, 'succeeded');
      assert.equal(done.redacted_available, false);
      assert.equal((done.counts_by_type as Record<string, number>).EMAIL_ADDRESS, 1);
      const noOutput = await app.inject({
        method: 'GET',
        url: `/v1/jobs/${String(done.job_id)}/redacted`,
        headers: as('processor'),
      });
      assert.equal(noOutput.statusCode, 404);

      const badOptions = await app.inject({
        method: 'POST',
        url: '/v1/jobs',
        headers: { ...as('processor'), 'content-type': `multipart/form-data; boundary=${boundary}` },
        payload: payload.replace('hr-onboarding', 'Not A Code'),
      });
      assert.equal(badOptions.statusCode, 400);
      assert.equal(badOptions.json<{ error: { code: string } }>().error.code, 'VEIL_INVALID_REQUEST');

      for (const bad of [
        { ...textJob(TEXT), retention_days: 0 },
        { ...textJob(TEXT), retention_days: 4000 },
        { ...textJob(TEXT), consent: { basis: 'because' } },
        { ...textJob(TEXT), outputs: [] },
        { ...textJob(TEXT), upload_id: '6f1c3c1e-7f51-4a36-9b5e-1f5d1b9e2a10' },
        { ...textJob(TEXT), extra: true },
        { purpose: 'claims', consent: { basis: 'contract' } },
      ]) {
        const r = await app.inject({
          method: 'POST',
          url: '/v1/jobs',
          headers: as('processor'),
          payload: bad,
        });
        assert.equal(r.statusCode, 400, JSON.stringify(bad).slice(0, 80));
        assert.ok(!r.body.includes(SSN) && !r.body.includes(EMAIL));
      }
      const notReady = await app.inject({
        method: 'POST',
        url: '/v1/jobs',
        headers: as('processor'),
        payload: textJob(TEXT),
      });
      const pendingId = notReady.json<{ job_id: string }>().job_id;
      const early = await app.inject({
        method: 'GET',
        url: `/v1/jobs/${pendingId}/redacted`,
        headers: as('processor'),
      });
      assert.ok([409, 200].includes(early.statusCode));
      await waitForJob(app, pendingId);
    });
  });
}
