// The address grammar tells a compound street name ("Kuefsteinstrasse") by its ending: ASCII words
// by a loop over the street types, other words by the pattern. Both must agree on every word.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { COMPOUND, isCompoundWord } from '../../../src/engine/ner/address.js';

const PIECES = [
  'stra',
  'sse',
  'STRASSE',
  'ße',
  'str',
  'Str',
  'weg',
  'WEG',
  'gasse',
  'platz',
  'tie',
  'TiE',
  'vägen',
  'väg',
  'gränd',
  'laan',
  'ulica',
  'ſtr',
  'K',
  'a',
  'b',
  'x',
  'Z',
  'ä',
  'é',
  '-',
  "'",
  '1',
  '\n',
];
const words = fc.array(fc.constantFrom(...PIECES), { maxLength: 6 }).map((pieces) => pieces.join(''));

test('a compound street word is told as the pattern tells it', () => {
  for (const [word, expected] of [
    ['Kuefsteinstrasse', true],
    ['Hauptstr', true],
    ['Kvaløyvågvegen', true],
    ['Storgatan', true],
    ['weg', false],
    ['Xweg', false],
    ['Abweg', true],
    ['Road', false],
    ['Vasavägen', true],
  ] as const)
    assert.equal(isCompoundWord(`at ${word}.`, 3, 3 + word.length), expected, word);
  fc.assert(
    fc.property(words, (word) => {
      const text = ` ${word} `;
      assert.equal(isCompoundWord(text, 1, 1 + word.length), COMPOUND.test(word), JSON.stringify(word));
    }),
    { numRuns: 5000, seed: 37 },
  );
});
