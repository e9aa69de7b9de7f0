// The letter-next-to-a-digit gate (src/engine/scan/letter-digit.ts): what a pattern's syntax tree
// promises, what one scan of a text finds, and that the promise holds on generated texts for the
// shapes of pattern the recognizers use.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { defaultRecognizers } from '../../src/engine/recognizers/index.js';
import {
  CAPITAL_PAIR,
  LETTER_PAIR,
  minLetterDigitPair,
  NO_PAIR,
} from '../../src/engine/scan/letter-digit.js';
import { textRuns } from '../../src/engine/scan/text-runs.js';

describe('minLetterDigitPair', () => {
  it('finds a capital or a letter written next to a digit in every match', () => {
    assert.equal(minLetterDigitPair(/(?<![\p{L}\p{N}])[A-Z]{2}\d{6}(?![\p{L}\p{N}])/u), CAPITAL_PAIR);
    assert.equal(minLetterDigitPair(/\d{3}[A-HJ-NP-Z]/), CAPITAL_PAIR);
    assert.equal(minLetterDigitPair(/[A-Za-z]\d{7}/), LETTER_PAIR);
    assert.equal(minLetterDigitPair(/x\d/), LETTER_PAIR);
    assert.equal(minLetterDigitPair(/(?:AB)+\d/), CAPITAL_PAIR);
    assert.equal(minLetterDigitPair(/[A-Z](?=\d)\d/), CAPITAL_PAIR);
  });
  it('reads a capital under the i flag as any letter', () => {
    assert.equal(minLetterDigitPair(/[A-Z]{2}\d/i), LETTER_PAIR);
    assert.equal(minLetterDigitPair(/[A-Z]{2}\d/iu), LETTER_PAIR);
  });
  it('promises nothing when something may come between, or may be absent, or is unknown', () => {
    assert.equal(minLetterDigitPair(/[A-Z]{2} ?\d{6}/), NO_PAIR);
    assert.equal(minLetterDigitPair(/[A-Z]?\d{6}/), NO_PAIR);
    assert.equal(minLetterDigitPair(/[A-Z0-9]{8}/), NO_PAIR);
    assert.equal(minLetterDigitPair(/\w\d/), NO_PAIR);
    assert.equal(minLetterDigitPair(/([A-Z])\1\d/), NO_PAIR);
    assert.equal(minLetterDigitPair(/[^0-9]\d/), NO_PAIR);
    assert.equal(minLetterDigitPair(/é\d/u), NO_PAIR);
  });
  it('takes the weakest alternative', () => {
    assert.equal(minLetterDigitPair(/[A-Z]\d|\d[a-z]/), LETTER_PAIR);
    assert.equal(minLetterDigitPair(/[A-Z]\d|\d{3}/), NO_PAIR);
    assert.equal(minLetterDigitPair(/(?:[A-Z]|\d)\d/), NO_PAIR);
    assert.equal(minLetterDigitPair(/(?:A|bc)\d/), LETTER_PAIR);
  });
  it('gates some default recognizers and leaves the ones with spaced or separated shapes alone', () => {
    const gated = new Map(defaultRecognizers().map((r) => [r.name, r.minLetterDigitPair ?? 0]));
    assert.equal(gated.get('uk-postcode'), CAPITAL_PAIR);
    assert.equal(gated.get('iban'), LETTER_PAIR);
    assert.equal(gated.get('tr-vehicle-registration'), NO_PAIR);
    assert.equal(gated.get('us-ssn'), NO_PAIR);
  });
});

describe('the pair in a text', () => {
  it('tells a capital next to a digit from another letter next to one', () => {
    assert.equal(textRuns('SW1A 1AA').letterDigitPair, CAPITAL_PAIR);
    assert.equal(textRuns('x 12B').letterDigitPair, CAPITAL_PAIR);
    assert.equal(textRuns('ab1 CD').letterDigitPair, LETTER_PAIR);
    assert.equal(textRuns('1a').letterDigitPair, LETTER_PAIR);
    assert.equal(textRuns('1 A 2').letterDigitPair, NO_PAIR);
    assert.equal(textRuns('é1').letterDigitPair, NO_PAIR);
    assert.equal(textRuns('').letterDigitPair, NO_PAIR);
  });
  it('counts the two characters the iu flags fold onto ASCII letters', () => {
    assert.equal(textRuns('\u212a1').letterDigitPair, LETTER_PAIR);
    assert.equal(/[A-Z]\d/iu.test('\u212a1'), true);
    assert.equal(textRuns('9\u017f').letterDigitPair, LETTER_PAIR);
  });
});

/** Shapes of identifier patterns: groups, alternatives, classes, optional parts, look-arounds, flags. */
const SHAPES = [
  /(?<![\p{L}\p{N}])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?![\p{L}\p{N}])/u,
  /(?<![\p{L}\p{N}])[A-Z]{2}\d{2}(?: ?[A-Z0-9]){5,9}(?![\p{L}\p{N}])/iu,
  /(?<!\w)(?:[A-PR-UWYZ](?:\d[\dA-HJKPSTUW]?|[A-HK-Y]\d[\dABEHMNPRV-Y]?) \d[ABD-HJLNP-UW-Z]{2})(?!\w)/,
  /\d[AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\d-?[AC-HJKMNP-RT-Y]{2}\d{2}/,
  /(?:\d{3}|[a-z]{2})\d[A-Z]?/,
  /[A-Z]{1,2} ?\d{2,4}|\d{2}[a-z]/,
  /(?:[A-Z]\d|\d[A-Z])+/,
];
const PIECES = [...'0123456789', ...'ABCDEGHKLNPSTWXYZ', ...'abcxyz', ' ', '-', '/', '\u212a', 'é'];

describe('the promise on generated texts', () => {
  it('holds for every match of every shape that makes one', () => {
    const texts = fc.array(fc.constantFrom(...PIECES), { maxLength: 40 }).map((p) => p.join(''));
    let checked = 0;
    for (const shape of SHAPES) {
      const need = minLetterDigitPair(shape);
      if (need === NO_PAIR) continue;
      const global = new RegExp(shape.source, `${shape.flags}g`);
      fc.assert(
        fc.property(texts, (text) => {
          for (const match of text.matchAll(global)) {
            checked++;
            assert.ok(
              textRuns(match[0]).letterDigitPair >= need,
              `${shape.source} on ${JSON.stringify(text)}`,
            );
          }
        }),
        { numRuns: 500 },
      );
    }
    assert.ok(checked > 100, `only ${checked} matches were checked`);
  });
  it('would catch a promise a match breaks', () => {
    // "A 1" matches without a letter next to a digit: the check above must be able to fail.
    const match = /[A-Z] ?\d/.exec('A 1')![0];
    assert.ok(textRuns(match).letterDigitPair < CAPITAL_PAIR);
  });
});
