import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extractFields } from '../../../src/ai/fields/extract.js';
import type { Extractor } from '../../../src/ai/fields/extractor.js';
import { loadTemplate, validateFields } from '../../../src/ai/fields/templates.js';
import type { Document } from '../../../src/documents/model.js';
import { page } from './page.js';

const RECEIPT = page([
  [60, 10, 'JANE SHOPKEEPER'],
  [60, 40, 'ACME TRADING SDN BHD'],
  [100, 62, '(123456-K)'],
  [60, 84, 'NO 12, JALAN MAJU 3,'],
  [60, 106, '81100 JOHOR BAHRU, JOHOR.'],
  [60, 128, 'TEL: 07-3551234'],
  [20, 180, 'DATE: 25/12/2018 8:13 PM'],
  [20, 300, 'SUB TOTAL'],
  [300, 300, '8.49'],
  [20, 330, 'TOTAL QTY: 3'],
  [20, 360, 'GRAND TOTAL'],
  [300, 361, 'RM 9.00'],
  [20, 390, 'CASH 10.00'],
  [20, 420, 'CHANGE 1.00'],
]);

test('the receipt template on a receipt laid out as OCR gives it: labels right of, letterhead, address block', async () => {
  const template = await loadTemplate('receipt');
  const { template: ref, fields } = await extractFields(RECEIPT, template);
  assert.deepEqual(ref, { name: 'receipt', version: template.version, hash: template.hash });
  assert.equal(fields.company!.value, 'ACME TRADING SDN BHD');
  assert.equal(fields.address!.value, 'NO 12, JALAN MAJU 3, 81100 JOHOR BAHRU, JOHOR.');
  assert.equal(fields.date!.value, '2018-12-25');
  assert.deepEqual(fields.total!.value, { amount: '9.00', currency: 'MYR' });
  assert.equal(fields.total!.page, 1);
  assert.deepEqual(fields.total!.box, { x: 300, y: 361, width: 70, height: 20 });
  assert.equal(fields.total!.status, 'accepted');
  assert.equal(fields.total!.sensitivity, 'none');
  assert.ok(fields.total!.confidence >= 0.8 && fields.total!.confidence <= 1);
  assert.ok(fields.total!.checks.some((c) => c.name === 'label' && c.passed));
});

test('a label above its value, a spoiling label, a missing required field, review always and type sensitivities', async () => {
  const doc = page([
    [20, 10, 'Date of Birth'],
    [20, 32, '03/04/1980'],
    [20, 80, 'Patient e-mail: jane.doe@example.org'],
    [20, 120, 'Total excl. VAT 100.00'],
  ]);
  const fields = validateFields([
    { name: 'dob', type: 'date', hint: 'Date of Birth', order: 'mdy' },
    { name: 'email', type: 'email', hint: ['e-mail'], review: 'always' },
    { name: 'total', type: 'money', hint: 'Total', not: ['excl'], review_below: 0.95 },
    { name: 'iban', type: 'iban', required: true },
  ]);
  const result = (await extractFields(doc, fields)).fields;
  assert.equal(result.dob!.value, '1980-03-04');
  assert.equal(result.dob!.sensitivity, 'quasi');
  assert.equal(result.email!.value, 'jane.doe@example.org');
  assert.equal(result.email!.status, 'needs_review');
  assert.equal(result.email!.sensitivity, 'direct');
  // The only amount sits by a disqualified label: it may be read, but not as a labelled total.
  assert.equal(result.total!.status, 'needs_review');
  assert.ok(result.total!.checks.some((c) => c.name === 'label' && !c.passed));
  assert.deepEqual(result.iban, {
    value: null,
    type: 'iban',
    confidence: 0,
    status: 'missing',
    sensitivity: 'financial',
    page: null,
    box: null,
    checks: [{ name: 'required', passed: false }],
  });
});

test('CSV columns and JSON keys serve as labels', async () => {
  const doc: Document = {
    format: 'json',
    mediaType: 'application/json',
    pages: [],
    tables: [],
    records: [{ values: [{ invoice: { total_due: '€ 1.234,50', issued: '2024-02-29' } }] }],
  };
  const { fields } = await extractFields(
    doc,
    validateFields([
      { name: 'total', type: 'money', hint: 'total due' },
      { name: 'issued', type: 'date', hint: 'issued' },
    ]),
  );
  assert.deepEqual(fields.total!.value, { amount: '1234.50', currency: 'EUR' });
  assert.equal(fields.issued!.value, '2024-02-29');
  assert.equal(fields.issued!.page, null);
});

test('model and auto need a model extractor; auto asks it only about uncertain fields', async () => {
  const fields = validateFields([
    { name: 'total', type: 'money', hint: 'Grand Total' },
    { name: 'ref', type: 'string', hint: 'Reference' },
  ]);
  await assert.rejects(extractFields(RECEIPT, fields, { extractor: 'model' }), {
    code: 'VEIL_EXTRACTOR_UNAVAILABLE',
  });
  await assert.rejects(extractFields(RECEIPT, fields, { extractor: 'auto' }), {
    code: 'VEIL_EXTRACTOR_UNAVAILABLE',
  });
  const asked: string[][] = [];
  // A second extractor behind the same port (what the model extractor implements), answering from its own reading.
  const second: Extractor = {
    name: 'second-opinion',
    async extract({ fields: wanted }) {
      asked.push(wanted.map((f) => f.name));
      return Object.fromEntries(
        wanted.map((f) => [f.name, { value: 'R-1', confidence: 0.9, page: 1, box: null, checks: [] }]),
      );
    },
  };
  const { fields: out } = await extractFields(RECEIPT, fields, { extractor: 'auto', model: second });
  assert.deepEqual(asked, [['ref']]);
  assert.equal(out.ref!.value, 'R-1');
  assert.deepEqual(out.total!.value, { amount: '9.00', currency: 'MYR' });
});

test('OCR digit-for-letter confusions are undone only into words the template expects', async () => {
  const { restoreExpectedWords } = await import('../../../src/ai/fields/rules/blocks.js');
  assert.equal(
    restoreExpectedWords('BOOK TA .K (TAMAN DAYA)SDN 8HD', ['SDN BHD']),
    'BOOK TA .K (TAMAN DAYA)SDN BHD',
  );
  assert.equal(restoreExpectedWords('UNIT 8HD 1234', ['TRADING']), 'UNIT 8HD 1234', 'not an expected word');
  assert.equal(restoreExpectedWords('R00M 5', ['ROOM']), 'ROOM 5');
  assert.equal(restoreExpectedWords('800', ['BOO']), 'BOO');
  assert.equal(restoreExpectedWords('12345', ['SDN BHD']), '12345');
});
