import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze } from '../../../src/engine/analyze.js';
import { continueAddress, findAddresses } from '../../../src/engine/ner/address.js';

/** The address values the rule finds in `text`. */
function addresses(text: string): string[] {
  return findAddresses(text, 0, text.length).map((f) => text.slice(f.start, f.end));
}

describe('street address grammar: shapes', () => {
  const shapes: [string, string, string][] = [
    [
      'US street, city, state and ZIP on two lines',
      'Send it to 4022 Oakridge Lane\nDallas TX 48486.',
      '4022 Oakridge Lane\nDallas TX 48486',
    ],
    [
      'four lines with apartment and country',
      'Meet me at 95 Avenue des Tuileries Lovrić Street\n Apt. 831\n GUÉRET\n Sudan 30046',
      '95 Avenue des Tuileries Lovrić Street\n Apt. 831\n GUÉRET\n Sudan 30046',
    ],
    ['military PSC box', 'PSC 7004, Box 8380\nAPO AP 11949', 'PSC 7004, Box 8380\nAPO AP 11949'],
    ['ship', 'USNS Vestergaard\nFPO AA 08331', 'USNS Vestergaard\nFPO AA 08331'],
    [
      'German compound, number after',
      'He lives at Kuefsteinstrasse 91, 8020 Graz, Austria.',
      'Kuefsteinstrasse 91, 8020 Graz, Austria',
    ],
    [
      'Polish ul. with postcode',
      'Adres: ul. Lubartowska 42, 20-115 Lublin',
      'ul. Lubartowska 42, 20-115 Lublin',
    ],
    [
      'French lower-case rue with connectors',
      'Our office: 12 rue de la Paix, 75002 Paris, France',
      '12 rue de la Paix, 75002 Paris, France',
    ],
    ['Italian via, number after', 'Via Roma 12, Milano', 'Via Roma 12, Milano'],
    ['Spanish calle', 'Calle Mayor 5, Madrid', 'Calle Mayor 5, Madrid'],
    ['UK postcode', 'I live at 221B Baker Street, London NW1 6XE.', '221B Baker Street, London NW1 6XE'],
    [
      'PO box with city and state',
      'P.O. Box 101, Springfield, IL 62701',
      'P.O. Box 101, Springfield, IL 62701',
    ],
    [
      'Slovene ulica with house number on both sides',
      '60 Gosposka ulica 47\nMelo, CA 13241',
      '60 Gosposka ulica 47\nMelo, CA 13241',
    ],
    ['Swedish gatan with split postcode', 'Storgatan 12, 111 22 Stockholm', 'Storgatan 12, 111 22 Stockholm'],
    ['Danish gade', 'Nørregade 7, 1165 København K', 'Nørregade 7, 1165 København K'],
    ['Hungarian utca', 'Váci utca 20, Budapest', 'Váci utca 20, Budapest'],
    ['English road inside a sentence', 'Mail to 1121 New Creek Road please', '1121 New Creek Road'],
    [
      "a lower-case street word after the name is the writer's",
      'It refers to 1121 New Creek Road street in Ohatchee',
      '1121 New Creek Road',
    ],
    [
      'place names with linking words',
      'at 05 Björkvägen 55\n Apt. 328\n Turkovice u Prelouce\n Kingdom of the Netherlands 83572',
      '05 Björkvägen 55\n Apt. 328\n Turkovice u Prelouce\n Kingdom of the Netherlands 83572',
    ],
    [
      'a city after a unit without a comma',
      'Send it to 4022 Oakridge Lane Apt. 5 Dallas TX 48486.',
      '4022 Oakridge Lane Apt. 5 Dallas TX 48486',
    ],
    [
      'a name after a unit that does not end the line is no city',
      'Send it to 4022 Oakridge Lane Apt. 5 Peter said hello.',
      '4022 Oakridge Lane Apt. 5',
    ],
    [
      'a lower-case street type inside the name is kept',
      'Our office: 12 rue de la Paix',
      '12 rue de la Paix',
    ],
    [
      'an abbreviated Saint opens the street name',
      "She lives at 12 St. Mary's Road, Leeds.",
      "12 St. Mary's Road, Leeds",
    ],
    [
      'a street line typed in lower case, with its town',
      'ok so i live at 12 oak street, springfield',
      '12 oak street, springfield',
    ],
    [
      'a lower-case compound street name and its lines',
      'new address:\n58 kvaløyvågvegen 140\n suite 763\n kvaløysletta\n norway 9100',
      '58 kvaløyvågvegen 140\n suite 763\n kvaløysletta\n norway 9100',
    ],
    [
      'Hungarian útja with a house number period ending its line',
      'Ship to:\n98 árpád fejedelem útja 45.\n apt. 614\n pomáz',
      '98 árpád fejedelem útja 45.\n apt. 614\n pomáz',
    ],
    [
      'a unit and its number before the street line',
      'Deliver to Suite 400 1200 Main Street, Dallas TX 75201',
      'Suite 400 1200 Main Street, Dallas TX 75201',
    ],
    [
      'an intersection is one place',
      'Meet me at the corner of 149 William Street and Elm Street tonight',
      'the corner of 149 William Street and Elm Street',
    ],
    ['a city district number', 'Write to Nerudova ulice 12, Praha 1.', 'Nerudova ulice 12, Praha 1'],
    ['Norwegian vei', 'Send it to 32 Pernilles vei 115, Oslo', '32 Pernilles vei 115, Oslo'],
    [
      'a lower-case street line stops before an everyday word',
      'send it to 12 oak street please',
      '12 oak street',
    ],
    [
      'a bracketed part of the city name',
      'He lives at Hauptstrasse 12, 15230 Frankfurt (Oder), Germany.',
      'Hauptstrasse 12, 15230 Frankfurt (Oder), Germany',
    ],
    [
      'a labelled line after the address is no city',
      'Ward 4 billing:\n18 Harbour Road\nPortsmouth PO1 3AX\nPhone: 023 9282 1234',
      '18 Harbour Road\nPortsmouth PO1 3AX',
    ],
    [
      'a label after a comma ends the address',
      'Client: 7 Elm Street, Leeds, Tel: 0113 496 0000',
      '7 Elm Street, Leeds',
    ],
  ];
  for (const [name, text, expected] of shapes) {
    it(name, () => {
      assert.deepEqual(addresses(text), [expected]);
    });
  }
});

describe('street address grammar: negatives', () => {
  for (const text of [
    'I have 3 dogs and 2 cats',
    'It costs 12.50 each and 3 of them are in Article 6 of the Convention.',
    'On 12 May 2003 the Court ruled.',
    'The applicant was born in 1965 and lives in Istanbul.',
    'Call 555 0100 before 5 pm.',
    'We had 12 u of insulin and 3 of the doses.',
    'I walked 3 miles down main street.',
  ]) {
    it(`finds nothing in ${JSON.stringify(text)}`, () => {
      assert.deepEqual(addresses(text), []);
    });
  }
});

describe('street address grammar: limits', () => {
  it('reports absolute offsets inside a window', () => {
    const text = 'xxxx Send it to 4022 Oakridge Lane.';
    assert.deepEqual(
      findAddresses(text, 5, text.length).map((f) => [f.start, f.end, f.type]),
      [[16, 34, 'STREET_ADDRESS']],
    );
  });
  it('continues a street line over the parts after it', () => {
    const text = '07 Celso Emilio Ferreiro 23, Selwyn Heights, Denmark';
    assert.equal(continueAddress(text, 27, text.length), text.length);
  });
  it('takes the postcode after a region code that ends the street lines, with no comma', () => {
    const text = '06 Reyes Católicos 17\nSaarjärve, JN 91851 tomorrow';
    assert.equal(continueAddress(text, 35, text.length), 41);
    // Without a region code before it, a number after the street line is not its postcode.
    assert.equal(continueAddress('06 Reyes Católicos 17 91851 tomorrow', 21, 36), 21);
  });
  it('stays linear on long adversarial input', { timeout: 5000 }, () => {
    for (const text of [
      '1 '.repeat(50000),
      '1 Main Street, '.repeat(7000),
      '12 Aa Bb Cc Dd Ee Ff Gg Hh Street\n'.repeat(3000),
      'ul. '.repeat(25000) + '1',
    ]) {
      for (const f of findAddresses(text, 0, text.length))
        assert.ok(f.start >= 0 && f.end <= text.length && f.start < f.end);
    }
  });
});

describe('street addresses through analyze', () => {
  it('reports a multi-line address as one STREET_ADDRESS', () => {
    const text = 'Ship to 4022 Oakridge Lane\nDallas TX 48486 today.';
    const found = analyze(text).filter((f) => f.type === 'STREET_ADDRESS');
    assert.deepEqual(
      found.map((f) => text.slice(f.start, f.end)),
      ['4022 Oakridge Lane\nDallas TX 48486'],
    );
  });
  it('reports a street named after a saint whole, not a person inside it', () => {
    const text = 'The title refers to 491 St. John Street in Malmesbury.';
    assert.deepEqual(
      analyze(text).map((f) => [f.type, text.slice(f.start, f.end)]),
      [
        ['STREET_ADDRESS', '491 St. John Street'],
        ['LOCATION', 'Malmesbury'],
      ],
    );
  });
  it('keeps a multi-line address whole over a place name on one of its lines', () => {
    const text = 'Send it to 99 82 Maidstone Road\n Apt. 224\n WELLINGTON MARSH\n Armenia 03622';
    assert.deepEqual(
      analyze(text).map((f) => [f.type, text.slice(f.start, f.end)]),
      [['STREET_ADDRESS', '99 82 Maidstone Road\n Apt. 224\n WELLINGTON MARSH\n Armenia 03622']],
    );
    // A one-line street without further parts stays below a confident name it overlaps.
    assert.equal(findAddresses('at 12 Main Street', 0, 17)[0]?.score, 0.85);
  });
});
