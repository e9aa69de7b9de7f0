// isCountryName normalises ASCII text with a loop (normaliseAscii) and other text with the five
// regex passes of normalise; both must give the same string on every ASCII text.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { isCountryName, normalise, normaliseAscii } from '../../../src/engine/ner/countries.js';

const PIECES = [
  ' ',
  '  ',
  '\n',
  '\t',
  '.',
  ',',
  '-',
  "'",
  '&',
  '(',
  '1',
  'st',
  'St',
  'ST',
  'st.',
  'St. ',
  'the',
  'The',
  'THE',
  'theme',
  'x',
  'a',
  'and',
  'Saint',
  'Lucia',
  'Kitts',
  'Vincent',
  'Grenadines',
  'Congo',
  'Guinea',
  'Bissau',
  'Trinidad',
  'Tobago',
  'Bosnia',
  'Herzegovina',
  'Côte',
];
const texts = fc.array(fc.constantFrom(...PIECES), { maxLength: 12 }).map((pieces) => pieces.join(''));

test('the ASCII loop normalises as the regex passes do', () => {
  for (const text of [
    'St. Lucia',
    'Saint Vincent & the Grenadines',
    'the Congo',
    'Guinea-Bissau',
    'first.st.',
    'Mist. x',
    '',
  ])
    assert.equal(normaliseAscii(text, 0, text.length), normalise(text), text);
  assert.equal(normaliseAscii('St. Kitts & Nevis', 0, 17), 'saint kitts and nevis');
  fc.assert(
    fc.property(texts, fc.nat(3), fc.nat(3), (text, cutStart, cutEnd) => {
      const start = Math.min(cutStart, text.length);
      const end = Math.max(start, text.length - cutEnd);
      const ascii = normaliseAscii(text, start, end);
      if (ascii === undefined) assert.match(text.slice(start, end), /[^\x00-\x7f]/);
      else assert.equal(ascii, normalise(text.slice(start, end)));
    }),
    { numRuns: 5000, seed: 41 },
  );
});

test('country names are told from cities, with and without ASCII', () => {
  assert.equal(isCountryName('to St. Kitts and Nevis.', 3, 22), true);
  assert.equal(isCountryName('in Saint Vincent & the Grenadines', 3, 33), true);
  assert.equal(isCountryName('in Côte d’Ivoire', 3, 16), true);
  assert.equal(isCountryName('Mexico City', 0, 11), false);
  assert.equal(isCountryName('the', 0, 3), false);
});
