// Guard look-aheads (src/engine/scan/guard.ts) must never change what a pattern finds: every
// guarded pattern of the default recognizers is run beside the pattern it was made from, on
// generated texts built from the pieces those patterns read (digits, capitals, month and week-day
// names, ordinal suffixes, separators), and both must give the same matches.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { defaultRecognizers } from '../../src/engine/recognizers/index.js';
import { guardedPatterns } from '../../src/engine/scan/guard.js';
import { minCapitalRun } from '../../src/engine/scan/capital-runs.js';
import { maxMatchLength, minDigitRun, minDigits } from '../../src/engine/scan/min-digits.js';

defaultRecognizers();
const patterns = guardedPatterns();

/** Every match of `regex` over `text` as `index:value`, scanning as the pattern recognizer does. */
function matches(regex: RegExp, text: string): string[] {
  const global = new RegExp(regex.source, regex.flags.includes('g') ? regex.flags : `${regex.flags}g`);
  const found: string[] = [];
  for (let match = global.exec(text); match !== null; match = global.exec(text)) {
    if (match[0].length === 0) global.lastIndex++;
    found.push(`${match.index}:${match.slice(0).join('|')}`);
  }
  return found;
}

const PIECES = [
  ...'0123456789',
  ...'0123456789',
  ...'ABDEFGJMNOSTWXZabdefjmnostwz',
  ' ',
  ' ',
  '\n',
  '-',
  '–',
  '/',
  ':',
  '.',
  ',',
  "'",
  'Jan',
  'Jan.',
  'January',
  'Feb',
  'Mar',
  'March',
  'Apr',
  'May',
  'June',
  'Jun',
  'July',
  'Aug',
  'Sept',
  'Sep.',
  'Oct',
  'Nov',
  'Dec',
  'december',
  'Monday',
  'Mon.',
  'Tue',
  'Wed',
  'Thurs',
  'Fri',
  'Saturday',
  'Sun',
  'st',
  'nd',
  'rd',
  'th',
  ' of ',
  ' and ',
  ' to ',
  ' until ',
  'between ',
  'from ',
  'the ',
  '1999',
  '2021',
  '12',
  '31',
  '07',
  'DE89',
  'GB',
  'AB',
  'am',
  'PM',
  'UTC',
  '+01:00',
  'é',
  'Ä',
];
/** Values the guarded patterns match, so generated texts hold matches, near misses and joins. */
const FRAGMENTS = [
  '12 May 1999',
  'Monday 3rd of June, 2021',
  'Wed. 5 June',
  'May 12, 1999',
  'Sept 4',
  'March 2020',
  '11-13 May 1994',
  '28 April and 4 May 1993',
  '3 May until 5 June 2001',
  '1971 to 1988',
  '3 June, on 9 August and on 14 October 2002',
  '1st – 2nd Dec',
  '10:30 PM UTC',
  '23:59:59.123+01:00',
  '7:05am',
  'DE89 3704 0044 0532 0130 00',
  'DE89370400440532013000',
  'gb82west12345698765432',
  '12/99',
  '123/2020',
  '1996/276',
  '12345/21',
  'AB1234567',
  'x12345678Z',
  'GBP 268,000',
  '€ 1.800,50',
  '4,393 pounds sterling (GBP)',
  '730 GDR marks',
  'TRY 5,430 (approximately EUR 2,600)',
  '(about 310,000 euros)',
  'approx. ',
  'EUR',
];
const texts = fc
  .array(fc.oneof(fc.constantFrom(...FRAGMENTS), fc.constantFrom(...PIECES)), { maxLength: 30 })
  .map((pieces) => pieces.join(''));

test('the default recognizers have guarded patterns', () => {
  assert.ok(patterns.length >= 10, `only ${patterns.length} guarded patterns were made`);
});

test('a guarded pattern finds exactly what its unguarded form finds', () => {
  for (const { guarded: withGuard, original } of patterns) {
    let textsWithMatches = 0;
    // Each fragment on its own first, so every pattern meets a text it matches whatever the seed.
    for (const fragment of FRAGMENTS) {
      const text = ` ${fragment} `;
      const expected = matches(original, text);
      if (expected.length > 0) textsWithMatches++;
      assert.deepEqual(matches(withGuard, text), expected, `${withGuard.source} on ${JSON.stringify(text)}`);
    }
    fc.assert(
      fc.property(texts, (text) => {
        const expected = matches(original, text);
        if (expected.length > 0) textsWithMatches++;
        assert.deepEqual(
          matches(withGuard, text),
          expected,
          `${withGuard.source} on ${JSON.stringify(text)}`,
        );
      }),
      { numRuns: 400 },
    );
    // The texts must reach the pattern, or the comparison says nothing about it.
    assert.ok(textsWithMatches > 0, `no generated text matched ${original.source}`);
  }
});

test('a guard leaves the digit and capital-run bounds the gates read unchanged', () => {
  for (const { guarded: withGuard, original } of patterns) {
    assert.equal(minDigits(withGuard), minDigits(original), withGuard.source);
    assert.equal(minDigitRun(withGuard), minDigitRun(original), withGuard.source);
    assert.equal(maxMatchLength(withGuard), maxMatchLength(original), withGuard.source);
    assert.equal(minCapitalRun(withGuard), minCapitalRun(original), withGuard.source);
  }
});

test('a guard that a match need not pass is caught by the comparison', () => {
  // The check above must be able to fail: a guard on "1" is not implied by a pattern for "\d\d".
  const wrong = new RegExp(`(?=1)${/(?<!\d)\d\d/u.source}`, 'u');
  const text = '42 and 17';
  assert.notDeepEqual(matches(wrong, text), matches(/(?<!\d)\d\d/u, text));
});
