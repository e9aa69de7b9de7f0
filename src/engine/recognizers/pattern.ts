import { VeilError } from '../../errors/veil-error.js';
import { runLengthMask } from '../scan/digit-run-lengths.js';
import { regexFacts, type RegexFacts } from '../scan/regex-facts.js';
import { holdsAnyWord } from '../scan/required-words.js';
import { CURRENT_RUNS, type CurrentRuns } from '../scan/text-runs.js';
import { digitRunTrigger, TRIGGERS } from '../scan/triggers.js';
import type { Scratch } from '../scratch.js';
import type { Finding, Recognizer, TextWindow, Trigger } from '../types.js';
import { validatorNamed, type Validator } from '../validators/index.js';

/** One regular expression of a pattern recognizer and the score a match starts with. */
export interface PatternDefinition {
  readonly regex: RegExp;
  readonly score: number;
  /** Capture group that holds the value; 0 (the default) is the whole match. */
  readonly group?: number;
}

/**
 * A recognizer described as data: patterns, an optional validator, context words. Built-in
 * identifier recognizers and custom recognizers from a policy file share this shape.
 */
export interface PatternRecognizerDefinition {
  readonly name: string;
  readonly entity: string;
  readonly patterns: readonly PatternDefinition[];
  /** A validator function, or the name of a registered one. A failed check drops the candidate. */
  readonly validator?: Validator | string;
  /** The score a candidate gets when its validator passes (default: the pattern's score). */
  readonly validatedScore?: number;
  readonly context?: readonly string[];
  readonly negativeContext?: readonly string[];
  /** Defaults to the digit trigger when every pattern needs a digit, otherwise the whole text. */
  readonly trigger?: Trigger;
}

/** A recognizer built from a definition; it names its patterns so their facts can be generated. */
export interface PatternRecognizer extends Recognizer {
  /** The definition's regular expressions, as written (see `scripts/generate/engine-tables.ts`). */
  readonly patterns: readonly RegExp[];
}

/**
 * Builds a recognizer from its definition. Patterns are compiled once with the global flag;
 * each `find` runs them over one window, so text without a trigger hit is never scanned.
 *
 * @example
 * ```ts
 * const zip = patternRecognizer({ name: 'zip', entity: 'ZIP_CODE', patterns: [{ regex: /\b\d{5}\b/, score: 0.3 }] });
 * ```
 */
export function patternRecognizer(definition: PatternRecognizerDefinition): PatternRecognizer {
  const validator = resolveValidator(definition);
  const wordLists: (readonly string[])[] = [];
  const wordKeys: string[] = [];
  /** Patterns requiring the same words share one search per window (see `requiredWords`). */
  const wordListOf = (words: readonly string[] | undefined): number => {
    if (words === undefined) return -1;
    const key = words.join('\n');
    const known = wordKeys.indexOf(key);
    if (known >= 0) return known;
    if (wordKeys.length >= 30) return -1;
    wordLists.push(words);
    return wordKeys.push(key) - 1;
  };
  const facts = definition.patterns.map((pattern) => regexFacts(pattern.regex));
  // Compiled at the first `find`: a recognizer whose trigger never fires in a process (most of the
  // national identifiers) never pays for compiling its patterns.
  let compiled: readonly CompiledPattern[] | undefined;
  const compile = (): readonly CompiledPattern[] =>
    definition.patterns.map((pattern, k) => ({
      // The `d` flag (match indices) slows every exec, so only patterns reporting a group use it.
      regex: withFlags(pattern.regex, (pattern.group ?? 0) === 0 ? 'g' : 'gd'),
      score: pattern.score,
      group: pattern.group ?? 0,
      required: facts[k]!.requiredChars,
      words: wordListOf(facts[k]!.requiredWords),
      digitRun: facts[k]!.minDigitRun,
      capitalRun: facts[k]!.minCapitalRun,
      letterDigitPair: facts[k]!.minLetterDigitPair,
      runLengths: facts[k]!.digitRunLengths,
    }));
  const validatedScore = definition.validatedScore;
  return {
    name: definition.name,
    entities: [definition.entity],
    context: definition.context ?? [],
    negativeContext: definition.negativeContext ?? [],
    trigger: definition.trigger ?? defaultTrigger(facts),
    minDigits: Math.min(...facts.map((fact) => fact.minDigits)),
    maxLength: Math.max(...facts.map((fact) => fact.maxMatchLength)),
    minDigitRun: Math.min(...facts.map((fact) => fact.minDigitRun)),
    minCapitalRun: Math.min(...facts.map((fact) => fact.minCapitalRun)),
    minLetterDigitPair: Math.min(...facts.map((fact) => fact.minLetterDigitPair)),
    patterns: definition.patterns.map((pattern) => pattern.regex),
    find(text: string, window: TextWindow, scratch?: Scratch): Finding[] {
      const patterns = (compiled ??= compile());
      const current = scratch?.of(CURRENT_RUNS);
      const runs = current?.runs;
      const found: Finding[] = [];
      const slice =
        window.start === 0 && window.end === text.length ? text : text.slice(window.start, window.end);
      // Bit k: word list k was looked for in this window, and was found.
      let searched = 0;
      let present = 0;
      // The lengths of the window's whole digit runs, read on first need (-1: not yet).
      let windowRuns = -1;
      for (const {
        regex,
        score,
        group,
        required,
        words,
        digitRun,
        capitalRun,
        letterDigitPair,
        runLengths,
      } of patterns) {
        // A pattern whose every match needs a run or pair the whole analysed text lacks is not run.
        if (
          runs !== undefined &&
          (digitRun > runs.longestDigitRun ||
            capitalRun > runs.longestCapitalRun ||
            letterDigitPair > runs.letterDigitPair)
        )
          continue;
        // A window without a whole digit run of a length every match holds one of is not scanned.
        if (runLengths !== 0) {
          if (windowRuns < 0) windowRuns = windowRunLengths(slice, current);
          if ((windowRuns & runLengths) === 0) continue;
        }
        // A window without any of the characters one of which every match holds is not scanned.
        if (required !== undefined && !holdsAny(slice, required)) continue;
        if (words >= 0) {
          const bit = 1 << words;
          if (!(searched & bit)) {
            searched |= bit;
            if (holdsAnyWord(slice, wordLists[words]!)) present |= bit;
          }
          if (!(present & bit)) continue;
        }
        regex.lastIndex = 0;
        for (let match = regex.exec(slice); match !== null; match = regex.exec(slice)) {
          if (match[0].length === 0) {
            regex.lastIndex++;
            continue;
          }
          const value = match[group];
          if (value === undefined || value.length === 0) continue;
          const start = group === 0 ? match.index : match.indices?.[group]?.[0];
          if (start === undefined) continue;
          let finalScore = score;
          if (validator) {
            if (!validator(value)) continue;
            finalScore = validatedScore ?? score;
          }
          found.push({
            type: definition.entity,
            start: window.start + start,
            end: window.start + start + value.length,
            score: finalScore,
            recognizer: definition.name,
          });
        }
      }
      return found;
    },
  };
}

/** One pattern ready to run, with the prefilters that skip a window before it runs. */
interface CompiledPattern {
  readonly regex: RegExp;
  readonly score: number;
  readonly group: number;
  readonly required: string | undefined;
  readonly words: number;
  /** `minDigitRun`, `minCapitalRun` and `minLetterDigitPair` of the pattern (see `RegexFacts`). */
  readonly digitRun: number;
  readonly capitalRun: number;
  readonly letterDigitPair: number;
  /** `digitRunLengths` of the pattern (0: no gate). */
  readonly runLengths: number;
}

/**
 * The run lengths of `window` as a mask: those `analyze` read for the joined windows it passes
 * (`CurrentRuns.windowRuns`), else counted here (a direct call).
 */
function windowRunLengths(window: string, current: CurrentRuns | undefined): number {
  return current !== undefined && current.window === window && current.windowRuns >= 0
    ? current.windowRuns
    : runLengthMask(window);
}

function holdsAny(text: string, chars: string): boolean {
  for (let k = 0; k < chars.length; k++) if (text.includes(chars[k]!)) return true;
  return false;
}

/** Longest match for which a digit-run trigger is worth it; longer ones scan every digit window. */
const MAX_RUN_TRIGGER_LENGTH = 96;
/** Shorter runs are about as common as any digit, so the plain digit trigger serves them. */
const MIN_RUN_FOR_TRIGGER = 4;

/**
 * The digit trigger narrowed to the digit runs every match must contain, when the patterns say
 * so (`\d{9}` needs a run of 9): such text is rarer than any digit, so the patterns scan less.
 */
function defaultTrigger(facts: readonly RegexFacts[]): Trigger {
  const run = Math.min(...facts.map((fact) => fact.minDigitRun));
  const length = Math.max(...facts.map((fact) => fact.maxMatchLength));
  return run >= MIN_RUN_FOR_TRIGGER && length <= MAX_RUN_TRIGGER_LENGTH
    ? digitRunTrigger(run, length)
    : TRIGGERS.digit;
}

function resolveValidator(definition: PatternRecognizerDefinition): Validator | undefined {
  if (definition.validator === undefined || typeof definition.validator === 'function')
    return definition.validator;
  const named = validatorNamed(definition.validator);
  if (!named)
    throw new VeilError(
      'VEIL_INVALID_RECOGNIZER',
      `recognizer ${definition.name}: unknown validator "${definition.validator}"`,
    );
  return named;
}

function withFlags(regex: RegExp, flags: string): RegExp {
  const merged = new Set([...regex.flags, ...flags]);
  return new RegExp(regex.source, [...merged].join(''));
}
