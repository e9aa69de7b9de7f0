import type { ScratchKind } from '../scratch.js';
import { lengthBit } from './digit-run-lengths.js';
import { isLetterCode } from './letter-digit.js';
import type { DigitRuns } from './windows.js';

/**
 * What the prefilters of `analyze` read from a text, gathered in one pass over it: the runs of
 * ASCII digits, the longest of them, the longest run of `[A-Z0-9]`, the number of digits and
 * whether a letter stands next to a digit.
 * Made per call and handed on, never kept between calls.
 */
export interface TextRuns {
  /** The text these runs describe (a pattern compares its window with it). */
  readonly text: string;
  /** The digit runs as `[start, end, start, end, ...]` (see `DigitRuns`). */
  readonly digitRuns: DigitRuns;
  readonly longestDigitRun: number;
  readonly longestCapitalRun: number;
  readonly digits: number;
  /**
   * The surest letter-and-digit pair the text holds (see `minLetterDigitPair`): 2 when a capital
   * `A`–`Z` stands next to a digit, 1 when only another letter does, 0 when no letter does.
   */
  readonly letterDigitPair: number;
  /** The lengths of the digit runs as a mask (see `runLengthMask`). */
  readonly runLengths: number;
}

/**
 * The runs of `text` (see {@link TextRuns}).
 *
 * @example
 * ```ts
 * textRuns('AB 12 345X'); // { text: 'AB 12 345X', digitRuns: [3, 5, 6, 9], longestDigitRun: 3, longestCapitalRun: 4, digits: 5, letterDigitPair: 2, runLengths: 0b110 }
 * ```
 */
export function textRuns(text: string): TextRuns {
  const runs: number[] = [];
  let start = -1;
  let longestDigitRun = 0;
  let capitals = 0;
  let longestCapitalRun = 0;
  let digits = 0;
  let pair = 0;
  // The pair a digit would make with the character before it (2 after a capital, 1 after a letter).
  let afterLetter = 0;
  let runLengths = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x30 && code <= 0x39) {
      digits++;
      if (afterLetter > pair) pair = afterLetter;
      afterLetter = 0;
      if (start < 0) start = i;
      if (++capitals > longestCapitalRun) longestCapitalRun = capitals;
      continue;
    }
    if (start >= 0) {
      // A letter right after the digit run.
      if (isLetterCode(code) && pair < 2) pair = Math.max(pair, code >= 0x41 && code <= 0x5a ? 2 : 1);
      runs.push(start, i);
      runLengths |= lengthBit(i - start);
      if (i - start > longestDigitRun) longestDigitRun = i - start;
      start = -1;
    }
    if (code >= 0x41 && code <= 0x5a) {
      afterLetter = 2;
      if (++capitals > longestCapitalRun) longestCapitalRun = capitals;
    } else {
      capitals = 0;
      afterLetter = code >= 0x61 && isLetterCode(code) ? 1 : 0;
    }
  }
  if (start >= 0) {
    runs.push(start, text.length);
    runLengths |= lengthBit(text.length - start);
    if (text.length - start > longestDigitRun) longestDigitRun = text.length - start;
  }
  return {
    text,
    digitRuns: runs,
    longestDigitRun,
    longestCapitalRun,
    digits,
    letterDigitPair: pair,
    runLengths,
  };
}

/**
 * The runs of the text an analyzer is analysing, as far as it has read them: `analyze` sets
 * `runs` before each `find` (undefined when no prefilter needed them yet). A pattern recognizer
 * skips a pattern whose every match needs a longer digit or capital run, or a surer letter-digit
 * pair, than the whole text holds: the windows it is given are pieces of that text, so they hold
 * no match either. Read only inside the `find` it was set for.
 */
export const CURRENT_RUNS: ScratchKind<CurrentRuns> = {
  create: () => ({ runs: undefined, window: undefined, windowRuns: -1 }),
};

/** What `analyze` hands each `find` through `CURRENT_RUNS`; cleared after each call. */
export interface CurrentRuns {
  /** The runs of the whole analysed text, when a prefilter has read them. */
  runs: TextRuns | undefined;
  /** The joined windows `find` is given, which `windowRuns` describes. */
  window: string | undefined;
  /** The lengths of the whole digit runs of `window` as a mask (`runLengthsWithin`); -1 unknown. */
  windowRuns: number;
}
