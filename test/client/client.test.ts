/**
 * `VeilClient` against a real `veil serve` on 127.0.0.1 (PGlite, local-issuer tokens): submit
 * with the safe defaults, wait, list, download, upload with progress, delete and verify the
 * receipt; an idempotent retry after a lost answer makes one job; errors carry stable codes. The
 * retry timing runs against a small real HTTP server on loopback that answers 503 and 429 first.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { access } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { VeilApiError, VeilClient, verifyOutputReceipt } from '../../src/client/index.js';
import { closeDocumentResources } from '../../src/documents/index.js';
import { textPdf } from '../documents/fixtures.js';
import { serveVeil } from './serve-harness.js';
import type { ServedVeil } from './serve-harness.js';
import { repoUrl } from '../repo-paths.js';

const EMAIL = 'canary-sdk@example.org';
const TEXT = `Claim note. Write to ${EMAIL} about the policy.`;
const BUILT = await access(fileURLToPath(repoUrl('dist/client/index.js'))).then(
  () => true,
  () => false,
);

describe('VeilClient against veil serve', () => {
  let veil: ServedVeil;
  let client: VeilClient;
  before(async () => {
    veil = await serveVeil();
    client = new VeilClient({ baseUrl: veil.url, token: await veil.token(['processor', 'auditor']) });
  });
  after(async () => {
    await veil?.close();
    await closeDocumentResources();
  });

  test('submit with safe defaults, wait, list, download, delete and verify the receipt', async () => {
    const { jobId, status } = await client.submitJob({
      text: TEXT,
      purpose: 'claims-intake',
      consent: { basis: 'contract' },
    });
    assert.equal(status, 'queued');
    const seen: string[] = [];
    const done = await client.waitForJob(jobId, { timeoutMs: 60_000, onStatus: (s) => seen.push(s.status) });
    assert.equal(done.status, 'succeeded');
    assert.equal(seen.at(-1), 'succeeded');
    assert.deepEqual(done.counts_by_type, { EMAIL_ADDRESS: 1 });
    assert.deepEqual(done.consent, {
      basis: 'contract',
      allow_model_training: false,
      allow_manual_review: false,
      allow_analytics: false,
      allow_quality_improvement: false,
      allow_full_text: false,
      allow_model_use: false,
    });
    const retentionDays = Math.round(
      (Date.parse(done.delete_after) - Date.parse(done.updated_at)) / 86_400_000,
    );
    assert.equal(retentionDays, 7);

    const page = await client.listJobs({ purpose: 'claims-intake', limit: 5 });
    assert.equal(page.jobs[0]?.job_id, jobId);
    const redacted = await client.getRedacted(jobId);
    assert.equal(redacted.mediaType, 'text/plain');
    const text = new TextDecoder().decode(redacted.bytes);
    assert.ok(!text.includes(EMAIL) && text.includes('Claim note.'), text);

    const deletion = await client.deleteJob(jobId);
    assert.equal(deletion.job_id, jobId);
    assert.ok(deletion.deleted.some((d) => d.class === 'job'));
    const verified = await client.verifyReceipt(deletion.receipt);
    assert.equal(verified.ok, true);
    const pinned = (await (await fetch(`${veil.url}/v1/audit/public-key`)).json()) as {
      jwk: { kty: string; crv: string; x: string };
    };
    assert.equal(
      (
        await client.verifyReceipt(
          { ...deletion.receipt, leaf_index: deletion.receipt.leaf_index + 1 },
          pinned,
        )
      ).ok,
      false,
    );

    const gone = await client.getJob(jobId).catch((e: unknown) => e);
    assert.ok(gone instanceof VeilApiError);
    assert.equal(gone.code, 'VEIL_NOT_FOUND');
    assert.equal(gone.status, 404);
  });

  test('uploadFile streams with progress; submitJob({ file }) uploads first', async () => {
    const bytes = new TextEncoder().encode(
      `${'Routine paragraph without anything personal. '.repeat(4000)}\nReach ${EMAIL}.\n`,
    );
    const progress: number[] = [];
    const { uploadId, sizeBytes } = await client.uploadFile(bytes, {
      mediaType: 'text/plain',
      onProgress: (p) => progress.push(p.sentBytes),
    });
    assert.equal(sizeBytes, bytes.byteLength);
    assert.ok(progress.length >= 3, `progress reported ${progress.length} times`);
    assert.equal(progress.at(-1), bytes.byteLength);
    const job = await client.submitJob({
      uploadId,
      purpose: 'claims-intake',
      consent: { basis: 'contract' },
    });
    assert.equal((await client.waitForJob(job.jobId, { timeoutMs: 60_000 })).counts_by_type.EMAIL_ADDRESS, 1);

    // A stream of unknown length, in Node.
    async function* chunks(): AsyncIterable<Uint8Array> {
      yield new TextEncoder().encode('Line one.\n');
      yield new TextEncoder().encode(`Mail ${EMAIL}.\n`);
    }
    const streamed = await client.uploadFile(chunks(), { mediaType: 'text/plain' });
    assert.equal(streamed.sizeBytes, 10 + EMAIL.length + 7);
    const fileJob = await client.submitJob({
      file: new Blob([`Note: ${EMAIL}`]),
      mediaType: 'text/plain',
      purpose: 'claims-intake',
      consent: { basis: 'contract' },
    });
    assert.equal((await client.waitForJob(fileJob.jobId, { timeoutMs: 60_000 })).status, 'succeeded');
  });

  test('getRedactedPage: the pages of a redacted PDF as PNGs; listTemplates and a template with some of its fields', async () => {
    const pdf = await textPdf([['Claim 88', `Reach ${EMAIL}`], ['Page two']], false);
    const { jobId } = await client.submitJob({
      file: pdf,
      mediaType: 'application/pdf',
      purpose: 'claims-intake',
      consent: { basis: 'contract' },
    });
    // A scanned-page check OCRs both pages of the redacted output: on a 2-core machine at a load
    // of 18 that took past 120 s, so the wait is a generous budget, not a speed assertion.
    assert.equal((await client.waitForJob(jobId, { timeoutMs: 300_000 })).status, 'succeeded');
    const first = await client.getRedactedPage(jobId, 1, { dpi: 72 });
    assert.deepEqual([first.page, first.pages], [1, 2]);
    assert.deepEqual([...first.png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const { jwk } = (await (await fetch(`${veil.url}/v1/audit/public-key`)).json()) as {
      jwk: { kty: string; crv: string; x: string };
    };
    assert.equal((await verifyOutputReceipt(first.receipt, jwk, first.png)).ok, true);
    const past = await client.getRedactedPage(jobId, 3).catch((e: unknown) => e);
    assert.ok(past instanceof VeilApiError);
    assert.deepEqual([past.code, past.status], ['VEIL_PAGE_OUT_OF_RANGE', 404]);

    const { templates } = await client.listTemplates();
    assert.deepEqual(
      templates.find((x) => x.name === 'receipt')?.fields.map((f) => f.name),
      ['company', 'address', 'date', 'total'],
    );
    const receipt = await client.submitJob({
      text: 'ACME TRADING SDN BHD\nDate: 12/03/2024\nTotal: RM 9.00\n',
      purpose: 'claims-intake',
      consent: { basis: 'contract' },
      template: 'receipt',
      templateFields: ['total', 'date'],
    });
    const done = await client.waitForJob(receipt.jobId, { timeoutMs: 60_000 });
    assert.equal(done.template?.name, 'receipt');
    const { fields } = await client.getFields(receipt.jobId);
    assert.deepEqual(Object.keys(fields).sort(), ['date', 'total']);
    // The SDK adds the fields output to its safe default when a template is named.
    assert.equal(done.redacted_available, true);
  });

  test('a lost answer is retried with the same idempotency key and makes exactly one job', async () => {
    let calls = 0;
    const keys: string[] = [];
    const token = await veil.token('processor');
    const flaky = new VeilClient({
      baseUrl: veil.url,
      token,
      fetch: async (input, init) => {
        calls += 1;
        const headers = new Headers(init?.headers);
        if (headers.has('idempotency-key')) keys.push(headers.get('idempotency-key')!);
        const res = await fetch(input, init);
        // The server made the job, but the answer never reaches the caller.
        if (calls === 1) throw new TypeError('fetch failed');
        return res;
      },
    });
    const { jobId } = await flaky.submitJob({
      text: 'Idempotent note.',
      purpose: 'claims_processing',
      consent: { basis: 'contract' },
    });
    assert.equal(calls, 2);
    assert.equal(keys.length, 2);
    assert.equal(keys[0], keys[1]);
    const listed = await client.listJobs({ purpose: 'claims_processing' });
    assert.deepEqual(
      listed.jobs.map((j) => j.job_id),
      [jobId],
    );
  });

  test('errors carry the stable code; a role without the permission gets VEIL_FORBIDDEN', async () => {
    const auditor = new VeilClient({ baseUrl: veil.url, token: await veil.token('auditor') });
    const refused = await auditor
      .submitJob({ text: 'x', purpose: 'claims-intake', consent: { basis: 'contract' } })
      .catch((e: unknown) => e);
    assert.ok(refused instanceof VeilApiError);
    assert.equal(refused.code, 'VEIL_FORBIDDEN');
    const bad = await client
      .submitJob({ text: 'x', purpose: 'Not A Code', consent: { basis: 'contract' } })
      .catch((e: unknown) => e);
    assert.equal((bad as VeilApiError).code, 'VEIL_INVALID_REQUEST');
    const fields = await client.getFields('00000000-0000-0000-0000-000000000000').catch((e: unknown) => e);
    assert.ok(fields instanceof VeilApiError);
    assert.ok(['VEIL_ROUTE_NOT_FOUND', 'VEIL_NOT_FOUND'].includes(fields.code), fields.code);
    const stranger = new VeilClient({ baseUrl: veil.url, token: 'not-a-token' });
    assert.equal(
      ((await stranger.me().catch((e: unknown) => e)) as VeilApiError).code,
      'VEIL_UNAUTHENTICATED',
    );
    assert.deepEqual(await client.me(), {
      tenant_id: 'acme',
      kind: 'user',
      roles: ['processor', 'auditor'],
      permissions: [
        'job:create',
        'job:read',
        'job:read-redacted',
        'job:delete',
        'audit:read',
        'audit:export',
        'policy:read',
        'legal-holds:read',
        'analyze:run',
        'analytics:read',
        'alerts:read',
        'privacy-metrics:read',
      ],
    });
  });

  // As a user runs it: importing `veil/client` from the built package, in its own process.
  test(
    'examples/sdk-quickstart.ts runs and prints what it promises',
    { skip: BUILT ? false : 'dist/client is not built (npm run build)' },
    async () => {
      const example = fileURLToPath(repoUrl('examples/sdk-quickstart.ts'));
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', example], {
        env: { ...process.env, VEIL_URL: veil.url, VEIL_TOKEN: await veil.token(['processor', 'auditor']) },
        timeout: 120_000,
      });
      assert.match(stdout, /: succeeded, found \{.*"EMAIL_ADDRESS":1/);
      assert.ok(!stdout.includes('jane@example.org'), stdout);
      assert.match(stdout, /deleted; receipt verified at entry \d+ of \d+/);
    },
  );

  test('waitForJob stops when its signal aborts', async () => {
    const controller = new AbortController();
    const { jobId } = await client.submitJob({
      text: 'Abort me.',
      purpose: 'claims-intake',
      consent: { basis: 'contract' },
    });
    controller.abort();
    const error = await client.waitForJob(jobId, { signal: controller.signal }).catch((e: unknown) => e);
    assert.ok(error instanceof VeilApiError);
    assert.equal(error.code, 'VEIL_CLIENT_ABORTED');
  });
});

test('503 and 429 are retried after Retry-After; a wait longer than the cap fails at once', async () => {
  const answers = [
    { status: 503, retryAfter: '1', body: { error: { code: 'VEIL_NOT_READY', message: 'not ready' } } },
    {
      status: 429,
      retryAfter: '1',
      body: { error: { code: 'VEIL_RATE_LIMITED', message: 'too many requests; retry in 1 second' } },
    },
    {
      status: 200,
      retryAfter: undefined,
      body: { tenant_id: 'acme', kind: 'user', roles: ['auditor'], permissions: ['job:read'] },
    },
  ];
  const times: number[] = [];
  const server = createServer((req, res) => {
    times.push(Date.now());
    const answer = answers[Math.min(times.length - 1, answers.length - 1)]!;
    res.writeHead(answer.status, {
      'content-type': 'application/json',
      ...(answer.retryAfter === undefined ? {} : { 'retry-after': answer.retryAfter }),
    });
    res.end(
      JSON.stringify(
        req.headers.authorization === 'Bearer t'
          ? answer.body
          : { error: { code: 'VEIL_UNAUTHENTICATED', message: 'authentication failed' } },
      ),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const me = await new VeilClient({ baseUrl: url, token: 't' }).me();
    assert.deepEqual(me.roles, ['auditor']);
    assert.equal(times.length, 3);
    assert.ok(
      times[1]! - times[0]! >= 990 && times[2]! - times[1]! >= 990,
      `waited ${times[1]! - times[0]!} and ${times[2]! - times[1]!} ms`,
    );

    times.length = 0;
    const impatient = new VeilClient({ baseUrl: url, token: 't', maxRetryDelayMs: 500 });
    const error = await impatient.me().catch((e: unknown) => e);
    assert.ok(error instanceof VeilApiError);
    assert.equal(error.code, 'VEIL_NOT_READY');
    assert.equal(error.retryAfterSeconds, 1);
    assert.equal(times.length, 1);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});
