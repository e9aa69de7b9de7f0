// Required words (src/engine/scan/required-words.ts): what a pattern's syntax tree promises, and
// that every match of the shapes the date recognizers use holds one of the promised words.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { holdsAnyWord, requiredWords } from '../../src/engine/scan/required-words.js';

const MONTH =
  '(?:Jan(?:uary|\\.)?|Feb(?:ruary|\\.)?|Mar(?:ch|\\.)?|Apr(?:il|\\.)?|May|June?|July?|Aug(?:ust|\\.)?|Sep(?:tember|t\\.?|\\.)?|Oct(?:ober|\\.)?|Nov(?:ember|\\.)?|Dec(?:ember|\\.)?)';
const DAY = '(?:0?[1-9]|[12]\\d|3[01])(?:st|nd|rd|th)?';

describe('requiredWords', () => {
  it('reads the words of an alternation every match passes through', () => {
    assert.deepEqual(requiredWords(new RegExp(`${DAY}\\s+${MONTH}`, 'u')), [
      'Jan',
      'Feb',
      'Mar',
      'Apr',
      'May',
      'Jun',
      'Jul',
      'Aug',
      'Sep',
      'Oct',
      'Nov',
      'Dec',
    ]);
    assert.deepEqual(requiredWords(/(?:between|from)\s\d{4}/u), ['between', 'from']);
    assert.deepEqual(requiredWords(/\d+ years old/), [' years old']);
  });
  it('prefers fewer words, then longer ones', () => {
    assert.deepEqual(requiredWords(/(?:Jan|Feb) \d\d? of the year/), [' of the year']);
    assert.deepEqual(requiredWords(/(?:abc|abd)x{1,3}(?:abcdef|abcdeg)/), ['abcdef', 'abcdeg']);
  });
  it('promises nothing for optional parts, short words, the i flag or an alternative without a word', () => {
    assert.equal(requiredWords(/\d+(?: years)?/), undefined);
    assert.equal(requiredWords(/(?:abc){0,2}\d/), undefined);
    assert.equal(requiredWords(/ab\d/), undefined);
    assert.equal(requiredWords(/abc\d/i), undefined);
    assert.equal(requiredWords(/abc\d|\d{4}/), undefined);
    assert.equal(requiredWords(/ab(?=c)cd/), undefined);
  });
  it('looks for the words with a string search', () => {
    assert.equal(holdsAnyWord('on 3 May 2001', ['Jan', 'May']), true);
    assert.equal(holdsAnyWord('on 3 may 2001', ['Jan', 'May']), false);
  });
});

const SHAPES = [
  new RegExp(
    `(?<![\\p{L}\\p{N}])${DAY}(?:\\s+of)?\\s+${MONTH}(?:,?\\s+(?:19|20)\\d\\d)?(?![\\p{L}\\p{N}])`,
    'u',
  ),
  new RegExp(`(?<![\\p{L}\\p{N}])${MONTH}\\s+${DAY}(?![\\p{L}\\p{N}])`, 'u'),
  new RegExp(`(?<![\\p{L}\\p{N}])(?:between|from)\\s\\d{4}\\s(?:and|to)\\s\\d{4}`, 'u'),
];
const PIECES = [
  ...'0123456789',
  ' ',
  ' ',
  ',',
  '.',
  'Jan',
  'January',
  'Sept',
  'Sep.',
  'June',
  'May',
  'Dec',
  'st',
  'th',
  'of',
  'between ',
  'from ',
  ' and ',
  'ma',
  'Ju',
];

/** Values the shapes match, so generated texts hold matches, near misses and joins. */
const FRAGMENTS = [
  '12 May 1999',
  '3rd of June, 2021',
  'Sept 4',
  'Dec 31',
  'between 1980 and 1981',
  'from 2001 to 2002',
];

describe('the promise on generated texts', () => {
  it('holds for every match', () => {
    const texts = fc
      .array(fc.oneof(fc.constantFrom(...FRAGMENTS), fc.constantFrom(...PIECES)), { maxLength: 30 })
      .map((p) => p.join(''));
    let checked = 0;
    for (const shape of SHAPES) {
      const words = requiredWords(shape);
      assert.ok(words, shape.source);
      const global = new RegExp(shape.source, `${shape.flags}g`);
      fc.assert(
        fc.property(texts, (text) => {
          for (const match of text.matchAll(global)) {
            checked++;
            assert.ok(holdsAnyWord(match[0], words), `${shape.source} on ${JSON.stringify(text)}`);
          }
        }),
        { numRuns: 500 },
      );
    }
    assert.ok(checked > 100, `only ${checked} matches were checked`);
  });
  it('would catch a word a match can do without', () => {
    // "3 Ju" matches /\d (?:Jun|Ju)/ without "Jun": the check above must be able to fail.
    const match = /\d (?:Jun|Ju)/.exec('3 Ju')![0];
    assert.equal(holdsAnyWord(match, ['Jun']), false);
  });
});
