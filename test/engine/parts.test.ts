import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze } from '../../src/engine/analyze.js';
import { analyzeChunks } from '../../src/engine/chunked.js';
import type { Finding } from '../../src/engine/types.js';

/** Each finding as its value and its parts as "TYPE=value". */
function described(text: string, findings: readonly Finding[]): { value: string; parts: string[] }[] {
  return findings.map((f) => ({
    value: text.slice(f.start, f.end),
    parts: (f.parts ?? []).map((p) => `${p.type}=${text.slice(p.start, p.end)}`),
  }));
}

describe('parts of one finding', () => {
  it('reports an address over its lines as one span, with its street, place, region and postcode as parts', () => {
    const text = 'Ship to 4022 Oakridge Lane\nDallas TX 48486.';
    assert.deepEqual(described(text, analyze(text, { entities: ['STREET_ADDRESS'] })), [
      {
        value: '4022 Oakridge Lane\nDallas TX 48486',
        parts: ['STREET=4022 Oakridge Lane', 'PLACE=Dallas', 'REGION=TX', 'POSTCODE=48486'],
      },
    ]);
  });

  it('separates a building number, a unit and a country (named as one) from the street line', () => {
    const text = '95 230 Wit Rd\n Suite 246\n Bryanston\n Rwanda 02438';
    assert.deepEqual(described(text, analyze(text, { entities: ['STREET_ADDRESS'] })), [
      {
        value: text,
        parts: [
          'BUILDING_NUMBER=95',
          'STREET=230 Wit Rd',
          'UNIT=Suite 246',
          'PLACE=Bryanston',
          'COUNTRY=Rwanda',
          'POSTCODE=02438',
        ],
      },
    ]);
  });

  it('gives a street line the tagger found the place after it as a part, a bracketed name included', () => {
    const text = 'Frank: 03 Πλατεία Μαβίλη 170, ΑΓΛΑΝΤΖΙΑ (ΑΓΛΑΓΓΙΑ)';
    assert.deepEqual(described(text, analyze(text, { entities: ['STREET_ADDRESS'] })), [
      {
        value: '03 Πλατεία Μαβίλη 170, ΑΓΛΑΝΤΖΙΑ (ΑΓΛΑΓΓΙΑ)',
        parts: ['BUILDING_NUMBER=03', 'STREET=Πλατεία Μαβίλη 170', 'PLACE=ΑΓΛΑΝΤΖΙΑ (ΑΓΛΑΓΓΙΑ)'],
      },
    ]);
  });

  it('takes the city and country after a unit that ends a street line the tagger found', () => {
    const text = 'it is 05 Weblinger Gürtel 92 Apt. 584 HEILIGENBRUNN France';
    assert.deepEqual(
      analyze(text, { entities: ['STREET_ADDRESS'] }).map((f) => text.slice(f.start, f.end)),
      ['05 Weblinger Gürtel 92 Apt. 584 HEILIGENBRUNN France'],
    );
  });

  it('reports a person with a title as one span, the title and the name as parts', () => {
    const text = 'Please correct it to Mrs. Amy Kupcová?';
    assert.deepEqual(described(text, analyze(text, { entities: ['PERSON'] })), [
      { value: 'Mrs. Amy Kupcová', parts: ['TITLE=Mrs.', 'NAME=Amy Kupcová'] },
    ]);
  });

  it('leaves parts out of a finding that is one piece', () => {
    const text = 'Jane Doe lives at 12 Oak Street.';
    assert.ok(analyze(text).every((f) => f.parts === undefined || f.parts.length > 1));
    assert.equal(analyze(text, { entities: ['PERSON'] })[0]?.parts, undefined);
  });

  it('keeps the parts at their offsets in the whole text when the text comes in chunks', async () => {
    const text = `${'Nothing personal here. '.repeat(20_000)}Ship to 4022 Oakridge Lane\nDallas TX 48486.`;
    const chunks = text.match(/[\s\S]{1,65536}/g)!;
    const streamed: Finding[] = [];
    for await (const f of analyzeChunks(chunks, { entities: ['STREET_ADDRESS'] })) streamed.push(f);
    assert.deepEqual(
      described(text, streamed),
      described(text, analyze(text, { entities: ['STREET_ADDRESS'] })),
    );
    assert.equal(streamed[0]?.parts?.length, 4);
  });
});

describe('a date with its week day', () => {
  for (const [text, value, weekday, date] of [
    ['on Sunday, 12 March 2017 we met', 'Sunday, 12 March 2017', 'Sunday', '12 March 2017'],
    ['Fri 12/03/2021 at the clinic', 'Fri 12/03/2021', 'Fri', '12/03/2021'],
    ['on Wednesday the 5th of June 2019', 'Wednesday the 5th of June 2019', 'Wednesday', '5th of June 2019'],
    ['Wed. March 4, 2014', 'Wed. March 4, 2014', 'Wed.', 'March 4, 2014'],
  ] as const) {
    it(`is one span with the week day and the date as parts: "${value}"`, () => {
      assert.deepEqual(described(text, analyze(text, { entities: ['DATE_TIME'] })), [
        { value, parts: [`WEEKDAY=${weekday}`, `DATE=${date}`] },
      ]);
    });
  }

  it('leaves parts out of a date written without one', () => {
    const text = 'on 12 March 2017 we met';
    assert.deepEqual(described(text, analyze(text, { entities: ['DATE_TIME'] })), [
      { value: '12 March 2017', parts: [] },
    ]);
  });
});

describe('an address whose place is a country', () => {
  it('names the country apart from the city, in any case', () => {
    const text = 'Ship to 4022 Oakridge Lane, Lyon, FRANCE.';
    assert.deepEqual(described(text, analyze(text, { entities: ['STREET_ADDRESS'] })), [
      {
        value: '4022 Oakridge Lane, Lyon, FRANCE',
        parts: ['STREET=4022 Oakridge Lane', 'PLACE=Lyon', 'COUNTRY=FRANCE'],
      },
    ]);
  });

  it('leaves a city named after a country a place', () => {
    const text = 'Ship to 4022 Oakridge Lane, Mexico City.';
    assert.deepEqual(described(text, analyze(text, { entities: ['STREET_ADDRESS'] }))[0]?.parts, [
      'STREET=4022 Oakridge Lane',
      'PLACE=Mexico City',
    ]);
  });
});
