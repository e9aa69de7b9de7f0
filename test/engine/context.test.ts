// Context words are looked up in the text lower-cased once per analysis (src/engine/context.ts);
// the answer must be the one a lower-casing of each stretch around a finding gives. A reference
// written here the first way (slice, lower-case, `indexOf` per word) is run beside it on generated
// texts holding the characters where the two could part: a capital sigma (its lower case depends
// on its neighbours), a dotted capital I (its lower case is two code units), astral letters cut by
// a stretch's edge, and the context words themselves.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { CONTEXT_AFTER, CONTEXT_BEFORE, ContextText, hasContextNear } from '../../src/engine/context.js';

const WORDS = ['licen', 'dl', 'ssn', 'φορολογικής', 'tax id', 'no', 'पैन'];

const LETTER_OR_NUMBER = /[\p{L}\p{N}]/u;

// The two boundary tests as they were first written, on a stretch of their own.
function wordCharBefore(text: string, index: number): boolean {
  if (index <= 0) return false;
  const code = text.charCodeAt(index - 1);
  const pairStart = code >= 0xdc00 && code <= 0xdfff && index >= 2 ? index - 2 : index - 1;
  return LETTER_OR_NUMBER.test(String.fromCodePoint(text.codePointAt(pairStart) ?? code));
}

function wordCharAt(text: string, index: number): boolean {
  if (index >= text.length) return false;
  return LETTER_OR_NUMBER.test(String.fromCodePoint(text.codePointAt(index)!));
}

/** The lookup as it was first written: each stretch sliced, lower-cased and searched per word. */
function reference(text: string, start: number, end: number, words: readonly string[]): boolean {
  const stretches = [
    text.slice(Math.max(0, start - CONTEXT_BEFORE), start),
    text.slice(end, Math.min(text.length, end + CONTEXT_AFTER)),
  ];
  const lowered = words.map((w) => w.toLowerCase().trim());
  return stretches.some((stretch) => {
    const lower = stretch.toLowerCase();
    for (const word of lowered.filter((w) => !/\s/.test(w)))
      for (let at = lower.indexOf(word); at >= 0; at = lower.indexOf(word, at + 1)) {
        if (wordCharBefore(lower, at)) continue;
        if (word.length < 4 && wordCharAt(lower, at + word.length)) continue;
        return true;
      }
    return lowered
      .filter((w) => /\s/.test(w))
      .some((phrase) =>
        new RegExp(
          `(?<![\\p{L}\\p{N}])${phrase.split(/\s+/).join('[\\s\\p{P}]+')}${phrase.length < 4 ? '(?![\\p{L}\\p{N}])' : ''}`,
          'u',
        ).test(lower),
      );
  });
}

const PIECES = [
  'LICENCE',
  'licence',
  'DL',
  'dl',
  'SSN',
  'ssn',
  'Tax ID',
  'tax-id',
  'NO',
  'no',
  'No.',
  'ΦΟΡΟΛΟΓΙΚΗΣ',
  'φορολογικής',
  'Σ',
  'σ',
  'İ',
  'ı',
  '𐐀',
  '𐐨',
  '\udc00',
  '\ud801',
  'पैन',
  'x',
  'A',
  '1',
  ' ',
  ' ',
  '-',
  '.',
  '\n',
];

test('context words found in the text lower-cased once equal those found per stretch', () => {
  const reused = new ContextText('ΤΑΧ Σ SSN licence');
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom(...PIECES), { minLength: 1, maxLength: 80 }).map((parts) => parts.join('')),
      fc.nat(),
      fc.nat(),
      (text, a, b) => {
        const start = a % (text.length + 1);
        const end = start + (b % (text.length - start + 1));
        const once = new ContextText(text);
        assert.equal(
          once.near(start, end, WORDS),
          reference(text, start, end, WORDS),
          JSON.stringify([text, start, end]),
        );
        // An analyzer keeps one and resets it per text: what the last text lower-cased is gone.
        reused.reset(text);
        assert.equal(reused.near(start, end, WORDS), once.near(start, end, WORDS));
      },
    ),
    { numRuns: 3000 },
  );
});

test('a word cut by the start of the stretch counts as a word start, as in the stretch itself', () => {
  // "xssn" with the stretch starting at "s": the stretch alone reads "ssn".
  const text = `${'y'.repeat(10)}xssn ${'z'.repeat(CONTEXT_BEFORE - 4)}123`;
  const start = text.indexOf('123');
  assert.equal(start - CONTEXT_BEFORE, text.indexOf('ssn'));
  assert.equal(hasContextNear(text, start, start + 3, ['ssn']), true);
  // One character earlier, the stretch starts at "x": "xssn" holds no word starting "ssn".
  assert.equal(hasContextNear(text, start - 1, start + 3, ['ssn']), false);
});

test('a text with a capital sigma or a dotted capital I is looked up stretch by stretch', () => {
  assert.equal(new ContextText('ΤΑΧ Σ 12').lower, null);
  assert.equal(new ContextText('İstanbul 12').lower, null);
  assert.equal(new ContextText('Licence 12').lower, 'licence 12');
  // Upper-case "ΟΔΟΣ" before a space lower-cases with a final sigma: "οδος".
  assert.equal(hasContextNear('ΟΔΟΣ 12', 5, 7, ['οδος']), true);
  assert.equal(hasContextNear('ΟΔΟΣ 12', 5, 7, ['οδοσ']), false);
});

test('a context phrase holding a hyphen or other regex characters compiles and matches literally', () => {
  const words = ['e-mail address', 'tax (id) no.'];
  assert.equal(hasContextNear('Send it to the e-mail address: a@b.example', 31, 43, words), true);
  assert.equal(hasContextNear('Tax (ID) No. 123456789', 13, 22, words), true);
  assert.equal(hasContextNear('Tax ID No 123456789', 10, 19, words), false);
});
