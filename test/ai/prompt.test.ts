import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  buildExtractionPrompt,
  checkFieldRequests,
  EXTRACTION_INSTRUCTIONS,
  parseExtractionAnswer,
} from '../../src/ai/model/prompt.js';
import type { FieldRequest } from '../../src/ai/model/prompt.js';
import { createAnalyzer } from '../../src/engine/analyze.js';
import { isVeilError } from '../../src/errors/veil-error.js';

const FIELDS: FieldRequest[] = [
  { name: 'total', type: 'money', hint: ['Total', 'Amount due'] },
  { name: 'date', type: 'date' },
  { name: 'payment', type: 'enum', values: ['cash', 'card'] },
];

test('the fixed instructions hold nothing the engine detects (they are sent as they are)', () => {
  assert.deepEqual(createAnalyzer()(EXTRACTION_INSTRUCTIONS), []);
});

test('the request lists each field with its format, labels and values, then the document', () => {
  const [system, user] = buildExtractionPrompt(FIELDS, 'TOTAL 9.00');
  assert.deepEqual(system, { role: 'system', content: EXTRACTION_INSTRUCTIONS });
  assert.equal(
    user!.content,
    [
      'Fields:',
      '- total (money): the amount with its currency code if the document shows one, e.g. "9.00 MYR"; look for labels such as "Total", "Amount due"',
      '- date (date): a date as YYYY-MM-DD',
      '- payment (enum); one of "cash", "card"',
      '',
      'Document:',
      '"""',
      'TOTAL 9.00',
      '"""',
    ].join('\n'),
  );
});

test('answers are read in a code fence, with text around, flat or under `fields`, as scalars or objects', () => {
  const expected = {
    total: { value: '9.00 MYR', confidence: 0.9 },
    date: { value: '2018-01-02', confidence: 0.5 },
    payment: { value: 'cash', confidence: 0.8 },
  };
  const answers = [
    '{"fields":{"total":{"value":"9.00 MYR","confidence":0.9},"date":"2018-01-02","payment":{"value":"Cash","confidence":"80%"}}}',
    'Sure!\n```json\n{"fields":{"total":{"value":"9.00 MYR","confidence":90},"date":{"value":"2018-01-02"},"payment":{"value":"CASH","confidence":0.8}}}\n```\nDone.',
    'Here: {"total":{"value":" 9.00 MYR ","confidence":0.9},"date":"2018-01-02","payment":{"value":"cash","confidence":0.8}} hope it helps',
  ];
  for (const answer of answers) assert.deepEqual(parseExtractionAnswer(answer, FIELDS), expected, answer);
});

test('missing, null-like, out-of-enum and odd-shaped values are null with confidence 0; confidence is clamped', () => {
  const answer =
    '{"fields":{"total":{"value":"N/A","confidence":0.9},"date":{"value":["2018"],"confidence":1},"payment":{"value":"cheque","confidence":0.99}}}';
  assert.deepEqual(parseExtractionAnswer(answer, FIELDS), {
    total: { value: null, confidence: 0 },
    date: { value: null, confidence: 0 },
    payment: { value: null, confidence: 0 },
  });
  assert.deepEqual(parseExtractionAnswer('{"total":{"value":12.5,"confidence":7}}', FIELDS), {
    total: { value: '12.5', confidence: 0.07 },
    date: { value: null, confidence: 0 },
    payment: { value: null, confidence: 0 },
  });
  assert.deepEqual(parseExtractionAnswer('{"total":{"value":"1","confidence":-3}}', FIELDS.slice(0, 1)), {
    total: { value: '1', confidence: 0 },
  });
});

test('values are re-identified before an enum is checked', () => {
  const out = parseExtractionAnswer('{"payment":"<X_1>"}', FIELDS, (v) => v.replace('<X_1>', 'Card'));
  assert.deepEqual(out.payment, { value: 'card', confidence: 0.5 });
});

test('an answer with no JSON object is VEIL_AI_PROVIDER, without echoing it', () => {
  for (const answer of ['I cannot help with Zebulon.', '["a"]', '{not json}', '']) {
    assert.throws(
      () => parseExtractionAnswer(answer, FIELDS),
      (e: unknown) => isVeilError(e) && e.code === 'VEIL_AI_PROVIDER' && !e.message.includes('Zebulon'),
    );
  }
});

test('field requests must be a short list of distinct plain names with a type', () => {
  checkFieldRequests(FIELDS);
  const bad: [FieldRequest[], RegExp][] = [
    [[], /1 to 100 fields/],
    [[{ name: 'a b', type: 'string' }], /fields\[0\]\.name/],
    [
      [
        { name: 'a', type: 'string' },
        { name: 'a', type: 'date' },
      ],
      /fields\[1\]\.name: repeated/,
    ],
    [[{ name: 'a', type: 'Date!' }], /fields\[0\]\.type/],
    [Array.from({ length: 101 }, (_, i) => ({ name: `f${i}`, type: 'string' })), /1 to 100/],
  ];
  for (const [fields, message] of bad)
    assert.throws(
      () => checkFieldRequests(fields),
      (e: unknown) => isVeilError(e) && e.code === 'VEIL_INVALID_INPUT' && message.test(e.message),
    );
});
