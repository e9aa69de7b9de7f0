// A pattern recognizer skips a pattern when the analysed text has no whole digit run of a length
// every match of the pattern holds (`digitRunLengths`). The lengths must be sound: every match of
// each built-in pattern with a mask is checked on generated texts made of digit runs, separators
// and letters, and must hold a whole run (no digit on either side) of a length in its mask.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  digitRunLengths,
  lengthBit,
  runLengthMask,
  runLengthsWithin,
} from '../../src/engine/scan/digit-run-lengths.js';
import { joinWindows } from '../../src/engine/scan/joined.js';
import { textRuns } from '../../src/engine/scan/text-runs.js';
import { builtInPatterns } from '../../scripts/engine/tables-source.js';

/** The lengths `mask` stands for, for messages and literal checks. */
function lengths(mask: number): number[] {
  const found: number[] = [];
  for (let length = 1; length <= 31; length++) if (mask & lengthBit(length)) found.push(length);
  return found;
}

test('the run lengths every match holds, read from the syntax tree', () => {
  assert.deepEqual(lengths(digitRunLengths(/(?<!\w|\d[-./])(?:\d{9})(?!\w|[-./]\d)/)), [9]);
  assert.deepEqual(lengths(digitRunLengths(/(?<![\p{N}-])\d{8,10}(?![\p{N}]|-\d)/u)), [8, 9, 10]);
  assert.deepEqual(lengths(digitRunLengths(/(?<!\w)(?:\d{8}-?[A-Z])(?!\w)/)), [8]);
  assert.deepEqual(lengths(digitRunLengths(/(?<!\w)[1-6]\d{10}(?!\w)/)), [11]);
  // The rarer of two bounded runs; a run bounded only by the pattern's edge gives nothing.
  assert.deepEqual(lengths(digitRunLengths(/\b\d{3}-\d{4}\b/)), [4]);
  assert.deepEqual(lengths(digitRunLengths(/(?<!\d)\d{3} \d{2} \d{4}/)), [3]);
  assert.deepEqual(lengths(digitRunLengths(/(?<!\w)\d{2}(?!\d)|\bA\d{40}\b/)), [2, 31]);
  // Optional parts next to the run: a non-digit starts (or ends) each, or the look-around decides.
  assert.deepEqual(lengths(digitRunLengths(/(?<![\p{N}$,.-])\d{5}(?:-\d{4})?(?![\p{N}]|[.,]\d|-\d)/u)), [5]);
  assert.deepEqual(lengths(digitRunLengths(/(?<![\p{N}])(?:(?:early|mid)\s)?(?:1[6-9]\d\d|20\d\d)\b/u)), [4]);
  assert.deepEqual(lengths(digitRunLengths(/(?<!\w)\d{1,2}(?=\syears|-year)/)), [1, 2]);
  assert.deepEqual(lengths(digitRunLengths(/(?<!\w)\d{5}(?:\d{4})?(?!\w)/)), [5, 6, 7, 8, 9]);
  assert.equal(digitRunLengths(/(?<!\w)\d{5}(?=x|)/), 0);
  assert.equal(digitRunLengths(/\d{9}/), 0);
  assert.equal(digitRunLengths(/(?<!\w)\d{3}([ -]?)\d{3}\1\d{3}(?!\w)/), 0);
  assert.equal(digitRunLengths(/(?<!\w)\d{3}\d?(?!\w)|x/), 0);
  assert.equal(digitRunLengths(/(?<![\p{L}])\d{4}(?!\w)/u), 0);
  assert.deepEqual(
    lengths(textRuns('call 555 0100 or 1234567890123456789012345678901234').runLengths),
    [3, 4, 31],
  );
});

const DIGITS = '0123456789'.split('');
const SEPARATORS = [
  ' ',
  ' ',
  '-',
  '.',
  '/',
  ':',
  ',',
  '+',
  '(',
  ')',
  'A',
  'B',
  'x',
  'Z',
  'de',
  'GB',
  'ä',
  '\n',
  '_',
];
/** Runs of one to twenty digits between separators and letters, so every length occurs. */
const texts = fc
  .array(
    fc.oneof(
      fc.array(fc.constantFrom(...DIGITS), { minLength: 1, maxLength: 20 }).map((digits) => digits.join('')),
      fc.constantFrom(...SEPARATORS),
    ),
    { maxLength: 24 },
  )
  .map((pieces) => pieces.join(''));

/** True when `match` holds a run of digits with none on either side in `text`, of a length in `mask`. */
function holdsWholeRun(text: string, start: number, end: number, mask: number): boolean {
  const digit = (i: number): boolean => i >= 0 && i < text.length && text[i]! >= '0' && text[i]! <= '9';
  for (let i = start; i < end; i++) {
    if (!digit(i) || digit(i - 1)) continue;
    let j = i;
    while (digit(j)) j++;
    if (j <= end && mask & lengthBit(j - i)) return true;
  }
  return false;
}

test('every match of each built-in pattern holds a whole run of a length in its mask', () => {
  const gated = builtInPatterns()
    .map((regex) => ({
      regex: new RegExp(regex.source, regex.flags.replace('g', '') + 'g'),
      mask: digitRunLengths(regex),
    }))
    .filter((p) => p.mask !== 0);
  assert.ok(gated.length > 50, `only ${gated.length} patterns have a mask`);
  let matches = 0;
  fc.assert(
    fc.property(texts, (text) => {
      for (const { regex, mask } of gated)
        for (const match of text.matchAll(regex)) {
          matches++;
          assert.ok(
            holdsWholeRun(text, match.index, match.index + match[0].length, mask),
            `${String(regex)} matched ${JSON.stringify(match[0])} without a run of ${lengths(mask).join('/')}`,
          );
        }
    }),
    { numRuns: 3000, seed: 29 },
  );
  assert.ok(matches > 1000, `only ${matches} matches: the texts do not exercise the patterns`);
});

test('the run lengths of joined windows, read from the text runs, are those of the joined text', () => {
  assert.deepEqual(lengths(runLengthsWithin([0, 3, 10, 14], [{ start: 0, end: 12 }])), [2, 3]);
  fc.assert(
    fc.property(texts, fc.array(fc.nat(200), { maxLength: 8 }), (text, cuts) => {
      // Sorted, disjoint windows with a gap between them, as `windowsFor` merges them.
      const points = [...new Set(cuts.map((cut) => Math.min(cut, text.length)))].sort((a, b) => a - b);
      const windows: { start: number; end: number }[] = [];
      for (let k = 0; k + 1 < points.length; k += 2)
        if (points[k + 1]! > points[k]! && (windows.length === 0 || points[k]! > windows.at(-1)!.end))
          windows.push({ start: points[k]!, end: points[k + 1]! });
      if (windows.length === 0) return;
      const joined = joinWindows(text, windows).text;
      assert.equal(runLengthsWithin(textRuns(text).digitRuns, windows), runLengthMask(joined));
    }),
    { numRuns: 3000, seed: 31 },
  );
});
