import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { closeDocumentResources } from '../../src/documents/resources.js';
import { textPdf } from '../documents/fixtures.js';
import {
  as,
  DRIVER_NAMES,
  openTestService,
  policyWithFullText,
  skipReason,
  textJob,
  waitForJob,
} from './jobs-harness.js';
import type { TestService } from './jobs-harness.js';

const OTHER_PAGE_CANARY = 'Quillon Fairweather-Smythe';

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

function multipart(options: object, pdf: Uint8Array): { payload: Buffer; contentType: string } {
  const boundary = 'veilfields42';
  const payload = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="options"\r\n\r\n${JSON.stringify(options)}\r\n`,
    ),
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="scan.pdf"\r\nContent-Type: application/pdf\r\n\r\n`,
    ),
    Buffer.from(pdf),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, contentType: `multipart/form-data; boundary=${boundary}` };
}

for (const driver of DRIVER_NAMES) {
  describe(`jobs API: requested fields (${driver})`, { skip: skipReason(driver) }, () => {
    let t: TestService;
    before(async () => {
      const policy = await policyWithFullText('expenses');
      t = await openTestService(driver, { policyFor: () => policy });
    });
    after(async () => {
      await t?.dispose();
      // The PDF parser's worker thread would keep the test process alive.
      await closeDocumentResources();
    });

    test('a receipt template on page 2 only: fields as the CLI prints them, template recorded, text with consent and audited, other tenants get 404', async () => {
      const { app } = t;
      const pdf = await textPdf(
        [
          [`Patient: ${OTHER_PAGE_CANARY}`, 'Grand Total RM 111.11'],
          [
            'ACME TRADING SDN BHD',
            'NO 12, JALAN MAJU 3,',
            '81100 JOHOR BAHRU, JOHOR.',
            'Date: 25/12/2018',
            'Grand Total RM 9.00',
          ],
        ],
        false,
      );
      const body = multipart(
        {
          purpose: 'expenses',
          consent: { basis: 'contract', allow_full_text: true },
          outputs: ['fields', 'text'],
          template: 'receipt',
          pages: '2',
          retention_days: 1,
        },
        pdf,
      );
      const created = await app.inject({
        method: 'POST',
        url: '/v1/jobs',
        headers: { ...as('processor'), 'content-type': body.contentType },
        payload: body.payload,
      });
      assert.equal(created.statusCode, 202, created.body);
      const jobId = created.json<{ job_id: string }>().job_id;
      const done = await waitForJob(app, jobId);
      assert.equal(done.status, 'succeeded', JSON.stringify(done));
      const template = done.template as { name: string; version: number; hash: string };
      assert.equal(template.name, 'receipt');
      assert.equal(template.version, 1);
      assert.match(template.hash, /^[0-9a-f]{64}$/);
      assert.equal(done.fields_available, true);

      const fields = await app.inject({
        method: 'GET',
        url: `/v1/jobs/${jobId}/fields`,
        headers: as('processor'),
      });
      assert.equal(fields.statusCode, 200, fields.body);
      const result = fields.json<{
        template: unknown;
        fields: Record<string, { value: unknown; page: number; status: string; type: string }>;
      }>();
      assert.deepEqual(result.template, template);
      // Sent as RFC 8785 canonical JSON (what the output receipt hashes), so the keys are in code-point order.
      assert.deepEqual(Object.keys(result.fields), ['address', 'company', 'date', 'total']);
      assert.deepEqual(result.fields.total!.value, { amount: '9.00', currency: 'MYR' });
      assert.equal(result.fields.total!.page, 2);
      assert.equal(result.fields.date!.value, '2018-12-25');
      assert.equal(result.fields.company!.value, 'ACME TRADING SDN BHD');

      const text = await app.inject({
        method: 'GET',
        url: `/v1/jobs/${jobId}/text`,
        headers: as('processor'),
      });
      assert.equal(text.statusCode, 200, text.body);
      const transcript = text.json<{ text: string }>().text;
      assert.match(transcript, /ACME TRADING SDN BHD/);
      assert.ok(
        !transcript.includes(OTHER_PAGE_CANARY) && !transcript.includes('111.11'),
        'page 1 was never read',
      );
      const audit = await app.inject({
        method: 'GET',
        url: '/v1/audit/entries?limit=1000',
        headers: as('auditor'),
      });
      type Entry = { event: { action: string; objects?: { id: string }[] } };
      assert.ok(
        audit
          .json<{ entries: Entry[] }>()
          .entries.some(
            (e) => e.event.action === 'job.full_text' && e.event.objects?.some((o) => o.id === jobId),
          ),
      );

      for (const path of ['fields', 'text']) {
        const other = await app.inject({
          method: 'GET',
          url: `/v1/jobs/${jobId}/${path}`,
          headers: as('processor', 'globex'),
        });
        assert.equal(other.statusCode, 404, other.body);
        assert.equal(other.json<{ error: { code: string } }>().error.code, 'VEIL_NOT_FOUND');
      }
      // Nothing the job wrote holds a value in plaintext, and page 1's content was never stored.
      for (const file of await filesUnder(t.dataDir)) {
        const bytes = await readFile(file);
        for (const value of ['ACME TRADING', OTHER_PAGE_CANARY, 'JALAN MAJU'])
          assert.ok(!bytes.includes(value), `${value} in ${file}`);
      }
    });

    test('a field list on a text job; the text output needs consent; stable errors for templates, fields and extractors', async () => {
      const { app } = t;
      const post = (extra: Record<string, unknown>) =>
        app.inject({
          method: 'POST',
          url: '/v1/jobs',
          headers: as('processor'),
          payload: textJob('Invoice\nAmount due: EUR 1.234,50\nDue date: 31 March 2025\n', {
            outputs: ['fields'],
            ...extra,
          }),
        });
      const created = await post({
        fields: [
          { name: 'total', type: 'money', hint: 'Amount due', review_below: 0.9 },
          { name: 'due', type: 'date', hint: 'Due date' },
          { name: 'iban', type: 'iban' },
        ],
      });
      assert.equal(created.statusCode, 202, created.body);
      const jobId = created.json<{ job_id: string }>().job_id;
      const done = await waitForJob(app, jobId);
      assert.equal(done.status, 'succeeded', JSON.stringify(done));
      assert.equal(done.template, null);
      const { template, fields } = (
        await app.inject({ method: 'GET', url: `/v1/jobs/${jobId}/fields`, headers: as('processor') })
      ).json<{
        template: unknown;
        fields: Record<string, { value: unknown; status: string; sensitivity: string }>;
      }>();
      assert.equal(template, null);
      assert.deepEqual(fields.total!.value, { amount: '1234.50', currency: 'EUR' });
      assert.equal(fields.due!.value, '2025-03-31');
      assert.equal(fields.iban!.status, 'missing');
      assert.equal(fields.iban!.sensitivity, 'financial');
      const noText = await app.inject({
        method: 'GET',
        url: `/v1/jobs/${jobId}/text`,
        headers: as('processor'),
      });
      assert.equal(noText.statusCode, 404);

      const cases: [Record<string, unknown>, number, string][] = [
        [{ outputs: ['fields', 'text'], template: 'receipt' }, 400, 'VEIL_INVALID_INPUT'],
        [{ template: 'nope' }, 404, 'VEIL_TEMPLATE_NOT_FOUND'],
        [{ template: 'receipt', extractor: 'model' }, 501, 'VEIL_EXTRACTOR_UNAVAILABLE'],
        [{ outputs: ['fields'] }, 400, 'VEIL_INVALID_INPUT'],
        [{ fields: [{ name: 'total', type: 'cash' }] }, 400, 'VEIL_INVALID_REQUEST'],
        [{ template: 'receipt', pages: '0-2' }, 400, 'VEIL_INVALID_INPUT'],
        [{ outputs: ['fields', 'redacted'], template: 'receipt', pages: '1' }, 400, 'VEIL_INVALID_INPUT'],
      ];
      for (const [extra, status, code] of cases) {
        const res = await post(extra);
        assert.equal(res.statusCode, status, `${JSON.stringify(extra)}: ${res.body}`);
        assert.equal(res.json<{ error: { code: string } }>().error.code, code);
      }
    });

    test('GET /v1/templates lists the templates; template_fields extracts only those of a template', async () => {
      const { app } = t;
      const listed = await app.inject({ method: 'GET', url: '/v1/templates', headers: as('processor') });
      assert.equal(listed.statusCode, 200, listed.body);
      const { templates } = listed.json<{
        templates: {
          name: string;
          version: number;
          hash: string;
          fields: { name: string; type: string }[];
        }[];
      }>();
      assert.deepEqual(
        templates.map((x) => x.name),
        ['id_document', 'invoice', 'patient_intake', 'receipt'],
      );
      const receipt = templates.find((x) => x.name === 'receipt')!;
      assert.deepEqual(
        receipt.fields.map((f) => `${f.name}:${f.type}`),
        ['company:string', 'address:address', 'date:date', 'total:money'],
      );
      const reviewer = await app.inject({ method: 'GET', url: '/v1/templates', headers: as('reviewer') });
      assert.equal(reviewer.statusCode, 403);

      const post = (extra: Record<string, unknown>) =>
        app.inject({
          method: 'POST',
          url: '/v1/jobs',
          headers: as('processor'),
          payload: textJob('ACME TRADING SDN BHD\nDate: 12/03/2024\nTotal: RM 9.00\n', {
            outputs: ['fields'],
            template: 'receipt',
            ...extra,
          }),
        });
      const created = await post({ template_fields: ['total', 'date'] });
      assert.equal(created.statusCode, 202, created.body);
      const jobId = created.json<{ job_id: string }>().job_id;
      const done = await waitForJob(app, jobId);
      assert.equal(done.status, 'succeeded', JSON.stringify(done));
      // The job records the whole template it extracted under, and extracted only the fields asked for.
      assert.deepEqual(done.template, { name: 'receipt', version: 1, hash: receipt.hash });
      const result = (
        await app.inject({ method: 'GET', url: `/v1/jobs/${jobId}/fields`, headers: as('processor') })
      ).json<{ template: { name: string }; fields: Record<string, { value: unknown }> }>();
      assert.equal(result.template.name, 'receipt');
      assert.deepEqual(Object.keys(result.fields).sort(), ['date', 'total']);
      assert.equal(result.fields.date!.value, '2024-03-12');
      assert.deepEqual(result.fields.total!.value, { amount: '9.00', currency: 'MYR' });

      const cases: [Record<string, unknown>, number, string][] = [
        [
          { template: undefined, fields: [{ name: 'total', type: 'money' }], template_fields: ['total'] },
          400,
          'VEIL_INVALID_INPUT',
        ],
        [{ template_fields: ['tip'] }, 400, 'VEIL_FIELD_INVALID'],
        [{ template_fields: ['total', 'total'] }, 400, 'VEIL_INVALID_REQUEST'],
        [{ template_fields: [] }, 400, 'VEIL_INVALID_REQUEST'],
      ];
      for (const [extra, status, code] of cases) {
        const res = await post(extra);
        assert.equal(res.statusCode, status, `${JSON.stringify(extra)}: ${res.body}`);
        assert.equal(res.json<{ error: { code: string } }>().error.code, code);
      }
    });
  });
}
