/**
 * What the scan prefilters know about one regular expression, read once. Reading a pattern's
 * syntax tree (@eslint-community/regexpp) costs more than compiling it: done at module load for
 * every built-in pattern it was most of the cost of importing the engine. So the facts of the
 * built-in patterns are derived ahead of time into `regex-facts.generated.json`
 * (`npm run generate:engine-tables`), and only a pattern missing there (a policy's custom
 * recognizer, or a built-in pattern changed since the file was generated) is read at run time.
 * The table is keyed by the whole pattern, source and flags, so a stale entry is never used for a
 * changed pattern: staleness costs time, never a finding, and a test fails until it is regenerated.
 */
import generated from './regex-facts.generated.json' with { type: 'json' };
import { minCapitalRun } from './capital-runs.js';
import { minLetterDigitPair } from './letter-digit.js';
import { digitRunLengths } from './digit-run-lengths.js';
import { maxMatchLength, minDigitRun, minDigits } from './min-digits.js';
import { requiredChars } from './required-char.js';
import { requiredWords } from './required-words.js';

/** Every prefilter fact about one regular expression; see the function named after each. */
export interface RegexFacts {
  /** `requiredChars`: punctuation one of which every match holds. */
  readonly requiredChars: string | undefined;
  /** `requiredWords`: words one of which every match holds. */
  readonly requiredWords: readonly string[] | undefined;
  /** `minDigits`. */
  readonly minDigits: number;
  /** `maxMatchLength` (Infinity when unbounded). */
  readonly maxMatchLength: number;
  /** `minDigitRun`. */
  readonly minDigitRun: number;
  /** `minCapitalRun`. */
  readonly minCapitalRun: number;
  /** `minLetterDigitPair`. */
  readonly minLetterDigitPair: number;
  /** `digitRunLengths`: the mask of whole digit runs one of which every match holds (0: unknown). */
  readonly digitRunLengths: number;
}

/** One entry of the generated file: JSON has no undefined and no Infinity, so both are null. */
export interface RegexFactsRecord {
  readonly requiredChars: string | null;
  readonly requiredWords: readonly string[] | null;
  readonly minDigits: number;
  readonly maxMatchLength: number | null;
  readonly minDigitRun: number;
  readonly minCapitalRun: number;
  readonly minLetterDigitPair: number;
  readonly digitRunLengths: number;
}

const TABLE = generated as Readonly<Record<string, RegexFactsRecord>>;

let readAtRunTime = 0;

/**
 * The facts about `regex`: from the generated table when it holds this exact pattern, otherwise
 * read from its syntax tree.
 *
 * @example
 * ```ts
 * regexFacts(/\d{3}-\d{2}-\d{4}/).minDigits; // 9
 * regexFacts(/\d{3}-\d{2}-\d{4}/).requiredChars; // '-'
 * ```
 */
export function regexFacts(regex: RegExp): RegexFacts {
  const key = String(regex);
  if (Object.hasOwn(TABLE, key)) return fromRecord(TABLE[key]!);
  readAtRunTime++;
  return readRegexFacts(regex);
}

/**
 * The facts about `regex` read from its syntax tree, never from the table: what the generator
 * writes, and what `regexFacts` falls back to.
 *
 * @example
 * ```ts
 * readRegexFacts(/\d+/).maxMatchLength; // Infinity
 * ```
 */
export function readRegexFacts(regex: RegExp): RegexFacts {
  return {
    requiredChars: requiredChars(regex),
    requiredWords: requiredWords(regex),
    minDigits: minDigits(regex),
    maxMatchLength: maxMatchLength(regex),
    minDigitRun: minDigitRun(regex),
    minCapitalRun: minCapitalRun(regex),
    minLetterDigitPair: minLetterDigitPair(regex),
    digitRunLengths: digitRunLengths(regex),
  };
}

/**
 * How many patterns `regexFacts` has read from their syntax tree since the engine was loaded: 0
 * after loading the built-in recognizers while the generated table is current.
 *
 * @example
 * ```ts
 * regexFactsReadAtRunTime(); // 0
 * ```
 */
export function regexFactsReadAtRunTime(): number {
  return readAtRunTime;
}

/**
 * The generated file's form of `facts`.
 *
 * @example
 * ```ts
 * toRegexFactsRecord(readRegexFacts(/\d+/)).maxMatchLength; // null
 * ```
 */
export function toRegexFactsRecord(facts: RegexFacts): RegexFactsRecord {
  return {
    requiredChars: facts.requiredChars ?? null,
    requiredWords: facts.requiredWords ?? null,
    minDigits: facts.minDigits,
    maxMatchLength: Number.isFinite(facts.maxMatchLength) ? facts.maxMatchLength : null,
    minDigitRun: facts.minDigitRun,
    minCapitalRun: facts.minCapitalRun,
    minLetterDigitPair: facts.minLetterDigitPair,
    digitRunLengths: facts.digitRunLengths,
  };
}

function fromRecord(record: RegexFactsRecord): RegexFacts {
  return {
    requiredChars: record.requiredChars ?? undefined,
    requiredWords: record.requiredWords ?? undefined,
    minDigits: record.minDigits,
    maxMatchLength: record.maxMatchLength ?? Infinity,
    minDigitRun: record.minDigitRun,
    minCapitalRun: record.minCapitalRun,
    minLetterDigitPair: record.minLetterDigitPair,
    digitRunLengths: record.digitRunLengths,
  };
}
