/**
 * `GET /v1/jobs/:id/redacted/pages/:page`: a page of the job's redacted PDF as a PNG, rendered by
 * the documents layer's isolated PDF renderer from the redacted output (never the original),
 * audited as a download with an `output.released` receipt of the PNG, and refused with stable
 * codes for a job that is not finished, not a PDF, or a page it lacks.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { verifyOutputReceipt, decodeOutputReceipt, OUTPUT_RECEIPT_HEADER } from '../../src/client/index.js';
import { closeDocumentResources, renderPdfPageImage, sharedOcr } from '../../src/documents/index.js';
import { CANARY_EMAIL, CANARY_SSN, textPdf } from '../documents/fixtures.js';
import { as, openTestService, submitFile, systemRows, textJob, waitForJob } from './jobs-harness.js';
import type { TestService } from './jobs-harness.js';

const OPTIONS = {
  purpose: 'claims-intake',
  consent: { basis: 'contract' },
  outputs: ['redacted'],
  retention_days: 3,
};

const codeOf = (body: string): string => (JSON.parse(body) as { error: { code: string } }).error.code;

async function ocrText(png: Uint8Array): Promise<string> {
  const result = await sharedOcr().recognize(png);
  return result.lines.map((line) => line.map((w) => w.text).join(' ')).join('\n');
}

describe('a page of the redacted PDF as an image', () => {
  let t: TestService;
  let original: Uint8Array;
  let jobId: string;
  const page = (id: string, n: number | string, query = ''): string =>
    `/v1/jobs/${id}/redacted/pages/${n}${query}`;

  before(async () => {
    t = await openTestService('pglite');
    original = await textPdf(
      [
        ['Claim form 4471', `Member SSN ${CANARY_SSN}`, `Contact ${CANARY_EMAIL}`],
        ['Second page', 'Nothing to declare'],
      ],
      false,
    );
    jobId = await submitFile(t.app, { bytes: original, mediaType: 'application/pdf' }, OPTIONS);
    const done = await waitForJob(t.app, jobId);
    assert.equal(done.status, 'succeeded', JSON.stringify(done));
  });
  after(async () => {
    await t?.dispose();
    await closeDocumentResources();
  });

  test('serves the redacted PDF page as a PNG with the page count and an output.released receipt', async () => {
    const res = await t.app.inject({ method: 'GET', url: page(jobId, 1), headers: as('processor') });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.headers['content-type'], 'image/png');
    assert.equal(res.headers['veil-page-count'], '2');
    assert.equal(res.headers['cache-control'], 'no-store');
    const png = res.rawPayload;
    const meta = await sharp(png).metadata();
    // US Letter (612 × 792 points) at the default 96 dpi.
    assert.deepEqual([meta.format, meta.width, meta.height], ['png', 816, 1056]);

    // The same pixels as the redacted download rendered by the same renderer, not the original's.
    const download = await t.app.inject({
      method: 'GET',
      url: `/v1/jobs/${jobId}/redacted`,
      headers: as('processor'),
    });
    assert.equal(download.headers['content-type'], 'application/pdf');
    const fromRedacted = await renderPdfPageImage(download.rawPayload, { page: 1, dpi: 96 });
    const fromOriginal = await renderPdfPageImage(original, { page: 1, dpi: 96 });
    assert.ok(Buffer.from(fromRedacted.png).equals(png), 'the page is a rendering of the redacted output');
    assert.ok(!Buffer.from(fromOriginal.png).equals(png), 'the page is not a rendering of the original');

    const { jwk } = (await t.app.inject({ method: 'GET', url: '/v1/audit/public-key' })).json<{
      jwk: { kty: string; crv: string; x: string };
    }>();
    const receipt = decodeOutputReceipt(String(res.headers[OUTPUT_RECEIPT_HEADER])) as {
      event: { action: string; output: unknown; objects: unknown };
    };
    assert.equal(receipt.event.action, 'output.released');
    assert.deepEqual(receipt.event.objects, [{ kind: 'job', id: jobId }]);
    assert.deepEqual(receipt.event.output, {
      kind: 'redacted',
      sha256: createHash('sha256').update(png).digest('hex'),
      bytes: png.length,
    });
    assert.equal((await verifyOutputReceipt(receipt, jwk, new Uint8Array(png))).ok, true);

    // Each page read is a download in the tenant's log, beside its release.
    const entries = (
      await t.app.inject({ method: 'GET', url: '/v1/audit/entries?limit=1000', headers: as('auditor') })
    ).json<{ entries: { event: { action: string; objects?: { id: string }[] } }[] }>().entries;
    const mine = entries
      .map((e) => e.event)
      .filter((e) => e.objects?.some((o) => o.id === jobId) && /download|released/.test(e.action))
      .map((e) => e.action);
    // The page, then the whole download: each a `job.download` and an `output.released`.
    assert.deepEqual(mine, ['job.download', 'output.released', 'job.download', 'output.released']);
  });

  test('OCR of the page reads the document but none of its detected values', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: page(jobId, 1, '?dpi=200'),
      headers: as('processor'),
    });
    assert.equal(res.statusCode, 200, res.body);
    const seen = await ocrText(res.rawPayload);
    assert.match(seen, /Claim form/);
    assert.ok(!seen.replace(/\s/g, '').includes(CANARY_SSN), 'the SSN is blacked out');
    assert.ok(!seen.includes('canary'), 'the e-mail address is blacked out');
    // The same OCR reads the SSN on the original page: the check above can fail.
    const originalPage = await renderPdfPageImage(original, { page: 1, dpi: 200 });
    assert.ok((await ocrText(originalPage.png)).includes(CANARY_SSN));
  });

  test('stable codes: out-of-range page, bad page or dpi, not a PDF, not finished', async () => {
    const past = await t.app.inject({ method: 'GET', url: page(jobId, 3), headers: as('processor') });
    assert.equal(past.statusCode, 404);
    assert.equal(codeOf(past.body), 'VEIL_PAGE_OUT_OF_RANGE');
    assert.match(past.body, /has 2 pages/);

    for (const bad of [page(jobId, 0), page(jobId, 'one'), page(jobId, 501), page(jobId, 1, '?dpi=20')]) {
      const res = await t.app.inject({ method: 'GET', url: bad, headers: as('processor') });
      assert.equal(res.statusCode, 400, bad);
      assert.equal(codeOf(res.body), 'VEIL_INVALID_REQUEST', bad);
    }

    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/jobs',
      headers: as('processor'),
      payload: textJob(`Write to ${CANARY_EMAIL}`),
    });
    const textId = created.json<{ job_id: string }>().job_id;
    await waitForJob(t.app, textId);
    const notPdf = await t.app.inject({ method: 'GET', url: page(textId, 1), headers: as('processor') });
    assert.equal(notPdf.statusCode, 409);
    assert.equal(codeOf(notPdf.body), 'VEIL_JOB_NOT_PDF');

    await systemRows(t, `update jobs set status = 'running' where id = '${jobId}'`);
    try {
      const running = await t.app.inject({ method: 'GET', url: page(jobId, 1), headers: as('processor') });
      assert.equal(running.statusCode, 409);
      assert.equal(codeOf(running.body), 'VEIL_JOB_NOT_READY');
    } finally {
      await systemRows(t, `update jobs set status = 'succeeded' where id = '${jobId}'`);
    }

    // No refusal echoes the document, and nothing logged holds its values.
    const logged = t.logs.join('\n');
    assert.ok(!logged.includes(CANARY_SSN) && !logged.includes(CANARY_EMAIL));
  });

  test('the permission of the redacted output, in the caller tenant only', async () => {
    for (const [role, status] of [
      ['admin', 200],
      ['dpo', 200],
      ['reviewer', 403],
      ['auditor', 403],
    ] as const) {
      const res = await t.app.inject({ method: 'GET', url: page(jobId, 2), headers: as(role) });
      assert.equal(res.statusCode, status, `${role}: ${res.body}`);
    }
    const other = await t.app.inject({
      method: 'GET',
      url: page(jobId, 1),
      headers: as('processor', 'globex'),
    });
    assert.equal(other.statusCode, 404);
    assert.equal(codeOf(other.body), 'VEIL_NOT_FOUND');
  });
});
