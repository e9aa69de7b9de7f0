import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_PASSES, PseudonymScope, pseudonymise } from '../../src/ai/pseudonymise.js';
import { createAnalyzer } from '../../src/engine/analyze.js';
import type { Finding } from '../../src/engine/types.js';
import { isVeilError } from '../../src/errors/veil-error.js';

const analyze = createAnalyzer();

test('every detected value becomes a typed placeholder, the same value the same one across calls of a scope', async () => {
  const scope = new PseudonymScope();
  const first = await pseudonymise(
    'Zebulon Quartermaine wrote to canary.k7q1x@example.org about SSN 536-21-1001.',
    { analyze, scope },
  );
  assert.equal(first.text, '<PERSON_1> wrote to <EMAIL_ADDRESS_1> about SSN <US_SSN_1>.');
  assert.deepEqual(first.counts, { PERSON: 1, EMAIL_ADDRESS: 1, US_SSN: 1 });
  const second = await pseudonymise(
    'Ottilie Farnsworth cc Zebulon Quartermaine at canary.k7q1x@example.org',
    { analyze, scope },
  );
  assert.equal(second.text, '<PERSON_2> cc <PERSON_1> at <EMAIL_ADDRESS_1>');
  assert.deepEqual([...scope.placeholders].sort(), [
    '<EMAIL_ADDRESS_1>',
    '<PERSON_1>',
    '<PERSON_2>',
    '<US_SSN_1>',
  ]);
  assert.equal(scope.valueOf('<PERSON_2>'), 'Ottilie Farnsworth');
});

test('another scope numbers afresh', async () => {
  const a = new PseudonymScope();
  const b = new PseudonymScope();
  await pseudonymise('Ottilie Farnsworth called.', { analyze, scope: a });
  const out = await pseudonymise('Zebulon Quartermaine called.', { analyze, scope: b });
  assert.equal(out.text, '<PERSON_1> called.');
  assert.equal(b.valueOf('<PERSON_1>'), 'Zebulon Quartermaine');
  assert.equal(a.valueOf('<PERSON_1>'), 'Ottilie Farnsworth');
});

test('re-identification turns issued placeholders back, tolerating the spellings models use, and leaves the rest', async () => {
  const scope = new PseudonymScope();
  await pseudonymise('Zebulon Quartermaine, canary.k7q2x@example.org', { analyze, scope });
  assert.equal(scope.reidentify('<PERSON_1>'), 'Zebulon Quartermaine');
  assert.equal(
    scope.reidentify('< PERSON_1 > and EMAIL_ADDRESS_1'),
    'Zebulon Quartermaine and canary.k7q2x@example.org',
  );
  assert.equal(
    scope.reidentify('<PERSON_9> and PERSON_9 and MY_PERSON_1'),
    '<PERSON_9> and PERSON_9 and MY_PERSON_1',
  );
});

test('placeholders already in a document are made inert, so they never re-identify', async () => {
  const scope = new PseudonymScope();
  const out = await pseudonymise('Zebulon Quartermaine quoted <PERSON_1> and <US_SSN_2>.', {
    analyze,
    scope,
  });
  assert.equal(out.text, '<PERSON_1> quoted ‹PERSON_1› and ‹US_SSN_2›.');
  assert.equal(scope.reidentify(out.text), 'Zebulon Quartermaine quoted ‹PERSON_1› and ‹US_SSN_2›.');
});

test('text that detection keeps finding something in is refused after the last pass, without the value', async () => {
  // Every lower-case word is a finding, and each placeholder this analyzer's type makes is one more.
  const words = (text: string): Finding[] =>
    [...text.matchAll(/[a-z]+/g)].map((m) => ({
      type: 'word',
      start: m.index,
      end: m.index + m[0].length,
      score: 1,
      recognizer: 'test',
    }));
  await assert.rejects(
    pseudonymise('zebulon', { analyze: words, scope: new PseudonymScope() }),
    (e: unknown) =>
      isVeilError(e) &&
      e.code === 'VEIL_RESIDUAL_PII' &&
      e.message.includes(`${MAX_PASSES} passes`) &&
      !e.message.includes('zebulon'),
  );
});
