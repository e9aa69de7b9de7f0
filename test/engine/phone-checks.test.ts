// The phone recognizer checks each candidate with loops instead of regex calls (digits counted,
// extension removed only when an `x` is present, separators looked for): each must answer what
// the regular expression it replaced answered, on any string.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { asciiDigits, holdsPhoneSeparator, withoutExtension } from '../../src/engine/recognizers/contact.js';

const PIECES = [
  ...'0123456789',
  ' ',
  '\t',
  '\u00a0',
  '\u2009',
  '\u3000',
  '\ufeff',
  '\u0660',
  '(',
  ')',
  '.',
  '+',
  '-',
  '–',
  '/',
  'x',
  'X',
  'ext',
  'Ext.',
  'EXTENSION',
  'extension',
  'a',
];
const strings = fc
  .array(fc.oneof(fc.constantFrom(...PIECES), fc.string({ maxLength: 3 })), { maxLength: 16 })
  .map((pieces) => pieces.join(''));

test('the candidate checks answer what the regular expressions answered', () => {
  fc.assert(
    fc.property(strings, (value) => {
      assert.equal(asciiDigits(value), value.replace(/\D/g, '').length);
      assert.equal(withoutExtension(value), value.replace(/\s?(?:x|ext\.?|extension)\s?\d+$/i, ''));
      assert.equal(holdsPhoneSeparator(value), /[\s().+-]/.test(value));
    }),
    { numRuns: 5000, seed: 19 },
  );
});

test('an extension comes off, digits are counted and separators seen', () => {
  assert.equal(withoutExtension('(212) 555-0123 ext. 45'), '(212) 555-0123');
  assert.equal(withoutExtension('+44 20 7946 0958 X12'), '+44 20 7946 0958');
  assert.equal(withoutExtension('0800 123 4567'), '0800 123 4567');
  assert.equal(asciiDigits('(212) 555-0123'), 10);
  assert.equal(holdsPhoneSeparator('2125550123'), false);
  assert.equal(holdsPhoneSeparator('212\u00a0555'), true);
});
