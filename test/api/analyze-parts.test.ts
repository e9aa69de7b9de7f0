// /v1/analyze returns a finding's parts (an address's pieces, a titled name's title and name, a
// date's week day and date) for callers that want them, and /v1/anonymize takes its answer back.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { AS_PROCESSOR, testApp, type TestApp } from './harness.js';

let t: TestApp;
before(async () => {
  t = await testApp();
});
after(async () => {
  await t.app.close();
});

const TEXT =
  'Mr. John Smith lives at 23 8 Wressle Road Suite 771, Polapit Tamar, Rwanda 77058. We met on Friday, 5 June 2020.';

interface Result {
  entity_type: string;
  start: number;
  end: number;
  parts?: { type: string; start: number; end: number }[];
}

test('POST /v1/analyze returns the parts of an address, a titled name and a date with its week day', async () => {
  const response = await t.app.inject({
    method: 'POST',
    url: '/v1/analyze',
    headers: AS_PROCESSOR,
    payload: { text: TEXT, entities: ['PERSON', 'STREET_ADDRESS', 'DATE_TIME'] },
  });
  assert.equal(response.statusCode, 200);
  const pieces = (response.json() as Result[]).map((r) => [
    r.entity_type,
    TEXT.slice(r.start, r.end),
    (r.parts ?? []).map((p) => `${p.type} ${TEXT.slice(p.start, p.end)}`),
  ]);
  assert.deepEqual(pieces, [
    ['PERSON', 'Mr. John Smith', ['TITLE Mr.', 'NAME John Smith']],
    [
      'STREET_ADDRESS',
      '23 8 Wressle Road Suite 771, Polapit Tamar, Rwanda 77058',
      [
        'BUILDING_NUMBER 23',
        'STREET 8 Wressle Road',
        'UNIT Suite 771',
        'PLACE Polapit Tamar',
        'COUNTRY Rwanda',
        'POSTCODE 77058',
      ],
    ],
    ['DATE_TIME', 'Friday, 5 June 2020', ['WEEKDAY Friday', 'DATE 5 June 2020']],
  ]);
});

test('POST /v1/anonymize takes /v1/analyze results with their parts back as they are', async () => {
  const analyzed = await t.app.inject({
    method: 'POST',
    url: '/v1/analyze',
    headers: AS_PROCESSOR,
    payload: { text: TEXT, entities: ['PERSON'] },
  });
  const results = analyzed.json() as Result[];
  assert.equal(results[0]?.parts?.length, 2);
  const response = await t.app.inject({
    method: 'POST',
    url: '/v1/anonymize',
    headers: AS_PROCESSOR,
    payload: { text: TEXT, analyzer_results: results },
  });
  assert.equal(response.statusCode, 200);
  assert.equal((response.json() as { text: string }).text.slice(0, 20), '<PERSON_1> lives at ');
});
