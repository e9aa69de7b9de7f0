import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extractFields, statusOf } from '../../../src/ai/fields/extract.js';
import {
  failedValueTest,
  isValueTest,
  type FieldResult,
  type FieldSpec,
} from '../../../src/ai/fields/spec.js';
import { loadTemplate } from '../../../src/ai/fields/templates.js';
import { fieldsToReview, reviewReasonOf } from '../../../src/pipeline/review/routing.js';
import { page } from '../../ai/fields/page.js';

const RECEIPT = page([
  [60, 40, 'ACME TRADING SDN BHD'],
  [60, 84, 'NO 12, JALAN MAJU 3,'],
  [60, 106, '81100 JOHOR BAHRU, JOHOR.'],
  [20, 180, 'DATE: 25/12/2018 8:13 PM'],
  [20, 300, 'SUB TOTAL'],
  [300, 300, '8.49'],
  [20, 360, 'GRAND TOTAL'],
  [300, 361, 'RM 9.00'],
  [20, 390, 'CASH 10.00'],
  [20, 420, 'CHANGE 1.00'],
]);

test('failed evidence (no second place reads the name, no entity found) is in the confidence and routes nothing by itself', async () => {
  const template = await loadTemplate('receipt');
  const result = await extractFields(RECEIPT, template);
  const company = result.fields.company!;
  // The name is printed once, so `agreement` cannot hold; before, that alone sent every company to review.
  assert.deepEqual(
    company.checks.filter((c) => !c.passed).map((c) => c.name),
    ['entity:ORGANIZATION', 'agreement'],
  );
  assert.ok(company.confidence >= 0.8, String(company.confidence));
  assert.equal(company.status, 'accepted');
  assert.deepEqual(fieldsToReview(template.fields, result, 0.85), []);
  for (const name of ['company', 'address', 'date', 'total'])
    assert.equal(result.fields[name]!.status, 'accepted', name);
});

test('a failed test of the value routes the field whatever its confidence, in a job and in `veil fields` alike', () => {
  const spec: FieldSpec = { name: 'card', type: 'card_number' };
  const checks = [
    { name: 'format:card_number', passed: true },
    { name: 'checksum:luhn', passed: false },
    { name: 'label', passed: true },
  ];
  const result: FieldResult = {
    value: '4111111111111112',
    type: 'card_number',
    confidence: 0.99,
    status: 'accepted',
    sensitivity: 'financial',
    page: 1,
    box: null,
    checks,
  };
  assert.equal(reviewReasonOf(spec, result, 0.85), 'failed_check');
  assert.equal(
    statusOf(spec, { value: '4111111111111112', confidence: 0.99, page: 1, box: null, checks }),
    'needs_review',
  );
  const evidenceOnly = checks.map((c) => ({ ...c, passed: c.name !== 'label' }));
  assert.equal(reviewReasonOf(spec, { ...result, checks: evidenceOnly }, 0.85), null);
  assert.equal(
    reviewReasonOf(spec, { ...result, checks: evidenceOnly, confidence: 0.5 }, 0.85),
    'low_confidence',
  );
});

test('checks are evidence only when named so: a check not known as evidence counts as a test of the value', () => {
  for (const name of ['label', 'agreement', 'entity:ORGANIZATION', 'time_follows', 'currency', 'whole_words'])
    assert.equal(isValueTest({ name, passed: false }), false, name);
  for (const name of ['format:date', 'calendar', 'checksum:mod97', 'valid_number', 'required', 'a_new_check'])
    assert.equal(isValueTest({ name, passed: false }), true, name);
  assert.equal(
    failedValueTest([
      { name: 'format:money', passed: true },
      { name: 'currency', passed: false },
    ]),
    false,
  );
  assert.equal(failedValueTest([{ name: 'format:address', passed: false }]), true);
});
