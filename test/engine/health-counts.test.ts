// Two quasi-identifiers of a person's story (src/engine/recognizers/health.ts, counts.ts): a
// medical condition named by its term, and a count of persons, hearings or items. The texts are
// invented, in the grammar of court judgments and medical reports.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze } from '../../src/engine/analyze.js';
import { countRecognizer } from '../../src/engine/recognizers/counts.js';
import { medicalConditionRecognizer } from '../../src/engine/recognizers/health.js';
import type { Recognizer } from '../../src/engine/types.js';

function values(recognizer: Recognizer, text: string): string[] {
  return recognizer.find(text, { start: 0, end: text.length }).map((f) => text.slice(f.start, f.end));
}

test('a medical condition is found by its term, with one describing word and a joined first part', () => {
  const text =
    'The expert found chronic bronchitis, mild spondylosis and lumbo‑sacral radiculopathy; in 2004 ' +
    'she was diagnosed with paranoid schizophrenia and later with diabetes.';
  assert.deepEqual(values(medicalConditionRecognizer, text), [
    'chronic bronchitis',
    'spondylosis',
    'lumbo‑sacral radiculopathy',
    'paranoid schizophrenia',
    'diabetes',
  ]);
});

test('everyday words with a diagnosis’s ending are not conditions', () => {
  const text =
    'The diagnosis and the prognosis were shared with sympathy; a utopia of academia, felt with nostalgia.';
  assert.deepEqual(values(medicalConditionRecognizer, text), []);
});

test('a count of persons, hearings or items is found in digits or in words', () => {
  const text =
    'He was tried with seven other persons and 623 co-defendants. Twenty three hearings were held; ' +
    'the police seized 22,000 ecstasy tablets and 79 packages, and he produced five envelopes.';
  assert.deepEqual(values(countRecognizer, text), [
    'seven other persons',
    '623 co-defendants',
    'Twenty three hearings',
    '22,000 ecstasy tablets',
    '79 packages',
    'five envelopes',
  ]);
});

test('a share is a quantity: a percentage, a range of them', () => {
  const text =
    'Her rating was between 50% and 79%, then 50 to 79%; the rate was 18.5 per cent, or 1,5% a month.';
  assert.deepEqual(values(countRecognizer, text), ['50% and 79%', '50 to 79%', '18.5 per cent', '1,5%']);
});

test('a year, a duration or a count of other things is not a count of persons', () => {
  const text =
    'In 1999 no hearings were held. The court sat for two months with three judges, and in 2001 the persons concerned left.';
  assert.deepEqual(values(countRecognizer, text), []);
});

test('analyze reports both types', () => {
  const text = 'The applicant, who suffers from epilepsy, attended thirty-one hearings.';
  const found = analyze(text).map((f) => `${f.type} ${text.slice(f.start, f.end)}`);
  assert.ok(found.includes('MEDICAL_CONDITION epilepsy'), found.join('; '));
  assert.ok(found.includes('QUANTITY thirty-one hearings'), found.join('; '));
});
