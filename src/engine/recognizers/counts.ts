/**
 * A count of the people, events or things a person's story turns on ("seven other persons",
 * "twenty three hearings", "79 packages", "22,000 ecstasy tablets"): with the rest of a case it
 * narrows who the person is, so it is a quasi-identifier; and a share ("a fine of 40% of the
 * income", "a disability rating of 50 to 79%"). Only counts of persons, of procedural
 * events and of seized or filed items are taken; other counts ("two months", "three judges") are
 * durations or the court's own.
 */
import type { Trigger } from '../types.js';
import { patternRecognizer } from './pattern.js';

const UNITS =
  'one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen';
const TENS = 'twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety';
/** A number in words, "seven" to "ninety-nine", or "a hundred"-style round counts. */
const IN_WORDS = `(?:(?:${TENS})(?:[ \\u2011-](?:${UNITS}))?|${UNITS}|(?:a|one|two|three) hundred)`;
/** A number in digits, with thousands separated ("22,000"); never a bare year. */
const IN_DIGITS = '(?:\\d{1,3}(?:,\\d{3})+|\\d{1,3})';

/** What is counted: persons, the events of proceedings, items seized or filed. */
const COUNTED =
  '(?:persons|people|suspects|defendants|co-defendants|accused|victims|witnesses|children|hearings|sessions|occasions|packages|tablets|pages|envelopes)';
/** "other", "separate", and one describing word ("ecstasy tablets"), never a function word. */
const BETWEEN =
  '(?:(?:other|separate|different|further|more|previous)\\s)?(?:(?!(?:of|the|and|or|in|on|at|to|no|a|an|his|her|their|its|for|by|with|from)\\s)[a-z]+\\s)?';

const COUNTED_TRIGGER: Trigger = {
  kind: 'pattern',
  id: 'countedThings',
  pattern:
    /persons|people|suspects|defendants|accused|victims|witnesses|children|hearings|sessions|occasions|packages|tablets|pages|envelopes|%|per ?cent/gi,
  margin: 48,
};

/**
 * Reports a count of persons, hearings or items as `QUANTITY`.
 *
 * @example
 * ```ts
 * const text = 'He was tried with seven other persons.';
 * countRecognizer.find(text, { start: 0, end: text.length });
 * // [{ type: 'QUANTITY', start: 18, end: 37, ... }]
 * ```
 */
export const countRecognizer = patternRecognizer({
  name: 'counted-things',
  entity: 'QUANTITY',
  patterns: [
    {
      regex: new RegExp(
        `(?<![\\p{L}\\p{N},.])(?:${IN_DIGITS}|${IN_WORDS})\\s${BETWEEN}${COUNTED}(?![\\p{L}\\p{N}])`,
        'iu',
      ),
      score: 0.5,
    },
    // A share: "15%", "18.5 per cent", "between 50% and 79%", "50 to 79%".
    {
      regex:
        /(?<![\p{L}\p{N},.])\d{1,3}(?:[.,]\d+)?(?:\s?%|\sper\s?cent\b)(?:\sand\s\d{1,3}(?:[.,]\d+)?(?:\s?%|\sper\s?cent\b))?|(?<![\p{L}\p{N},.])\d{1,3}\sto\s\d{1,3}\s?%/u,
      score: 0.5,
    },
  ],
  trigger: COUNTED_TRIGGER,
});
