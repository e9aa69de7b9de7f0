import { VeilError } from '../errors/veil-error.js';
import { CONTEXT_BOOST, CONTEXT_FLOOR, ContextText, scoreWithContext } from './context.js';
import { customRecognizer, type CustomRecognizerDefinition } from './recognizers/custom.js';
import { defaultRecognizers } from './recognizers/index.js';
import { resolveOverlaps } from './overlap.js';
import { withoutPublicRecord } from './public-record.js';
import { withDefinedAcronyms } from './defined-acronyms.js';
import { joinWindows, mapToOriginal, type JoinedWindows } from './scan/joined.js';
import { CURRENT_RUNS, textRuns, type TextRuns } from './scan/text-runs.js';
import { Scratch } from './scratch.js';
import { mostDigitsWithin, windowsFor } from './scan/windows.js';
import { runLengthsWithin } from './scan/digit-run-lengths.js';
import type { Finding, Recognizer, Trigger } from './types.js';
import { WHOLE_TEXT_TOKENS } from './ner/tokenizer.js';

/** Languages the built-in recognizers and context words are written for. */
export const SUPPORTED_LANGUAGES = ['en'] as const;

/** The default minimum score a finding needs to be reported. */
export const DEFAULT_THRESHOLD = 0.4;

/** The largest text `analyze` takes in one call; larger inputs go through `analyzeChunks`. */
export const MAX_TEXT_LENGTH = 64 * 1024 * 1024;

/** A term that is always reported, with the entity type to report it as. */
export interface DenyListEntry {
  readonly type: string;
  readonly values: readonly string[];
}

export interface AnalyzeOptions {
  /** Report only these entity types (default: every type). */
  readonly entities?: readonly string[];
  /** Minimum score in [0, 1] (default 0.4). */
  readonly threshold?: number;
  /** Language of the text; only `en` is supported today. */
  readonly language?: string;
  /** Values never reported, compared exactly (after trimming). */
  readonly allowList?: readonly string[];
  /** Values always reported: plain strings are reported as `DENY_LIST`. */
  readonly denyList?: readonly string[] | readonly DenyListEntry[];
  /** Extra recognizers, as objects or as data (see `CustomRecognizerDefinition`). */
  readonly recognizers?: readonly (Recognizer | CustomRecognizerDefinition)[];
  /** Set false to run only the recognizers given in `recognizers`. */
  readonly useDefaultRecognizers?: boolean;
}

/**
 * Finds personal data in `text`. Every default recognizer runs (identifiers with their check
 * digits, contact data, secrets, and the name/place/organisation tagger); scores are adjusted by
 * context words, filtered by the threshold, and overlaps resolved by `resolveOverlaps`; then the
 * built-in recognizers' findings that name the public record (an institution named only by its
 * kind, the date a law came into force) are dropped, with the whole text at hand
 * (`withoutPublicRecord`), and the acronyms kept organisations define are found where the text
 * uses them (`withDefinedAcronyms`).
 * The result is sorted by start offset. The function is pure and never throws on any string.
 *
 * @example
 * ```ts
 * import { analyze } from 'veil';
 * analyze('Call John Smith on 212-555-0199');
 * // [{ type: 'PERSON', start: 5, end: 15, ... }, { type: 'PHONE_NUMBER', start: 19, end: 31, ... }]
 * ```
 */
export function analyze(text: string, options: AnalyzeOptions = {}): Finding[] {
  if (typeof text !== 'string') throw new VeilError('VEIL_INVALID_INPUT', 'analyze: `text` must be a string');
  if (text.length > MAX_TEXT_LENGTH)
    throw new VeilError(
      'VEIL_INPUT_TOO_LARGE',
      `analyze: text longer than ${MAX_TEXT_LENGTH} characters; use analyzeChunks`,
    );
  return createAnalyzer(options)(text);
}

/** A prepared analysis: options validated and recognizers compiled once, then run on many texts. */
export type Analyzer = (text: string) => Finding[];

/**
 * Validates the options and compiles the recognizers once, returning a function that analyses
 * texts. Use it when analysing many texts with the same options (the batch CLI, the pipeline).
 *
 * @example
 * ```ts
 * const run = createAnalyzer({ entities: ['EMAIL_ADDRESS'] });
 * run('mail jane@example.org'); // [{ type: 'EMAIL_ADDRESS', start: 5, end: 21, ... }]
 * ```
 */
export function createAnalyzer(options: AnalyzeOptions = {}): Analyzer {
  const threshold = options.threshold ?? DEFAULT_THRESHOLD;
  if (typeof threshold !== 'number' || !(threshold >= 0 && threshold <= 1))
    throw new VeilError('VEIL_INVALID_OPTION', 'analyze: `threshold` must be a number in [0, 1]');
  const language = options.language ?? 'en';
  if (!(SUPPORTED_LANGUAGES as readonly string[]).includes(language))
    throw new VeilError(
      'VEIL_INVALID_OPTION',
      `analyze: language "${String(language).slice(0, 16)}" is not supported (supported: ${SUPPORTED_LANGUAGES.join(', ')})`,
    );

  const custom = (options.recognizers ?? []).map((r) => ('find' in r ? r : customRecognizer(r)));
  const all = [...(options.useDefaultRecognizers === false ? [] : defaultRecognizers()), ...custom];
  const wanted = options.entities ? new Set(options.entities) : undefined;
  if (wanted) {
    const known = new Set(all.flatMap((r) => r.entities));
    const denyTypes = denyEntries(options.denyList).map((e) => e.type);
    for (const type of wanted)
      if (!known.has(type) && !denyTypes.includes(type))
        throw new VeilError(
          'VEIL_UNKNOWN_ENTITY',
          `analyze: unknown entity type "${String(type).slice(0, 64)}"`,
        );
  }
  const recognizers = wanted ? all.filter((r) => r.entities.some((e) => wanted.has(e))) : all;
  const allow = new Set((options.allowList ?? []).map((v) => v.trim()));
  const deny = denyEntries(options.denyList);
  // Recognizers sharing a trigger share its windows: each trigger gets a slot, numbered here once.
  const slotOf = new Map<string, number>();
  const triggerSlots = recognizers.map((r) => {
    const id = r.trigger.kind === 'all' ? 'all' : r.trigger.id;
    let slot = slotOf.get(id);
    if (slot === undefined) slotOf.set(id, (slot = slotOf.size));
    return slot;
  });
  const neededDigits = recognizers.map((r) => r.minDigits ?? 0);
  const neededRun = recognizers.map((r) => r.minDigitRun ?? 0);
  const neededCapitals = recognizers.map((r) => r.minCapitalRun ?? 0);
  const neededPairs = recognizers.map((r) => r.minLetterDigitPair ?? 0);
  // Recognizers bounding their match length share a slot per length for the digits-within check.
  const spans: number[] = [];
  const spanSlots = recognizers.map((r, k) => {
    const span = r.maxLength ?? Infinity;
    if (neededDigits[k]! === 0 || !Number.isFinite(span)) return -1;
    const slot = spans.indexOf(span);
    return slot >= 0 ? slot : spans.push(span) - 1;
  });

  // The recognizers' working memory, this analyzer's own: filled and read within each call.
  const scratch = new Scratch();
  const current = scratch.of(CURRENT_RUNS);
  const surroundings = new ContextText('');
  // The tagger's tokens of the text, which the address grammar reads (see `copyTokens`).
  const wholeTokens = scratch.of(WHOLE_TEXT_TOKENS);
  // The public-record step drops only what the built-in recognizers found.
  const builtIn = new Set(recognizers.filter((r) => !custom.includes(r)).map((r) => r.name));
  const isOwn = (f: Finding) => !builtIn.has(f.recognizer);

  return (text: string): Finding[] => {
    if (typeof text !== 'string')
      throw new VeilError('VEIL_INVALID_INPUT', 'analyze: `text` must be a string');
    // Per slot: the trigger's joined windows (null when it has none), and their digit count.
    const joinedBySlot: (JoinedWindows | null | undefined)[] = new Array(slotOf.size);
    const digitsBySlot: (number | undefined)[] = new Array(slotOf.size);
    // Per slot: the lengths of the digit runs of its joined windows (see `runLengthsWithin`).
    const windowRunsBySlot: (number | undefined)[] = new Array(slotOf.size);
    // Per span slot: the most digits any stretch of that length holds.
    const digitsWithinSpan: (number | undefined)[] = new Array(spans.length);
    // One pass over the text on first need gives every prefilter its runs.
    let runs: TextRuns | undefined;
    surroundings.reset(text);
    const candidates: Finding[] = [];
    for (let r = 0; r < recognizers.length; r++) {
      const recognizer = recognizers[r]!;
      // A match's digit run lies inside one window (blank lines join them), so in the text too.
      if (neededRun[r]! > 0 && (runs ??= textRuns(text)).longestDigitRun < neededRun[r]!) continue;
      if (neededCapitals[r]! > 0 && (runs ??= textRuns(text)).longestCapitalRun < neededCapitals[r]!)
        continue;
      if (neededPairs[r]! > 0 && (runs ??= textRuns(text)).letterDigitPair < neededPairs[r]!) continue;
      const spanSlot = spanSlots[r]!;
      if (spanSlot >= 0) {
        let most = digitsWithinSpan[spanSlot];
        if (most === undefined)
          digitsWithinSpan[spanSlot] = most = mostDigitsWithin(
            (runs ??= textRuns(text)).digitRuns,
            spans[spanSlot]!,
          );
        if (most < neededDigits[r]!) continue;
      }
      const slot = triggerSlots[r]!;
      let joined = joinedBySlot[slot];
      if (joined === undefined) {
        const windows = windowsFor(
          text,
          recognizer.trigger,
          recognizer.trigger.kind === 'digitRun' ? (runs ??= textRuns(text)).digitRuns : undefined,
        );
        joinedBySlot[slot] = joined = windows.length === 0 ? null : joinWindows(text, windows);
        if (joined !== null)
          windowRunsBySlot[slot] =
            joined.text === text
              ? (runs ??= textRuns(text)).runLengths
              : runLengthsWithin((runs ??= textRuns(text)).digitRuns, windows);
      }
      if (joined === null) continue;
      // Counted once per trigger, on first need: most texts have too few digits for most identifiers.
      const needed = neededDigits[r]!;
      if (needed > 0) {
        let digits = digitsBySlot[slot];
        // The windows of every digit, and the whole text, hold all its digits.
        if (digits === undefined)
          digitsBySlot[slot] = digits =
            joined.text === text || coversEveryDigit(recognizer.trigger)
              ? (runs ??= textRuns(text)).digits
              : countDigits(joined.text);
        if (digits < needed) continue;
      }
      const context = recognizer.context ?? [];
      const negative = recognizer.negativeContext ?? [];
      current.runs = runs;
      current.window = joined.text;
      current.windowRuns = windowRunsBySlot[slot]!;
      for (const raw of recognizer.find(joined.text, { start: 0, end: joined.text.length }, scratch)) {
        if (wanted && !wanted.has(raw.type)) continue;
        // A candidate that even a context word cannot lift over the threshold is not looked at.
        if ((context.length > 0 ? Math.max(CONTEXT_FLOOR, raw.score + CONTEXT_BOOST) : raw.score) < threshold)
          continue;
        const finding = joined.text === text ? raw : mapToOriginal(joined, raw);
        if (!finding) continue;
        const score = scoreWithContext(finding, surroundings, context, negative, threshold);
        if (score < threshold) continue;
        candidates.push(score === finding.score ? finding : { ...finding, score });
      }
    }
    // The runs describe this text only: the next call must not read them.
    current.runs = undefined;
    current.window = undefined;
    current.windowRuns = -1;
    surroundings.reset('');
    wholeTokens.text = undefined;
    for (const entry of deny)
      if (!wanted || wanted.has(entry.type)) candidates.push(...findTerms(text, entry));
    const allowed =
      allow.size === 0 ? candidates : candidates.filter((f) => !allow.has(text.slice(f.start, f.end).trim()));
    const kept = withoutPublicRecord(text, resolveOverlaps(allowed), isOwn);
    return wanted && !wanted.has('ORGANIZATION') ? kept : withDefinedAcronyms(text, kept);
  };
}

/** True when the trigger's windows hold every digit of the text (a window around each digit run). */
function coversEveryDigit(trigger: Trigger): boolean {
  return trigger.kind === 'digitRun' && trigger.minRun <= 1;
}

function countDigits(text: string): number {
  let digits = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x30 && code <= 0x39) digits++;
  }
  return digits;
}

function denyEntries(denyList: AnalyzeOptions['denyList']): DenyListEntry[] {
  if (!denyList || denyList.length === 0) return [];
  if (denyList.every((v) => typeof v === 'string'))
    return [{ type: 'DENY_LIST', values: denyList as readonly string[] }];
  return denyList.filter((v): v is DenyListEntry => typeof v === 'object' && v !== null);
}

/** Every occurrence of each deny-listed value, on word boundaries, scored 1.0. */
function findTerms(text: string, entry: DenyListEntry): Finding[] {
  const found: Finding[] = [];
  for (const value of entry.values) {
    if (value.length === 0) continue;
    for (let at = text.indexOf(value); at >= 0; at = text.indexOf(value, at + 1)) {
      const before = text[at - 1];
      const after = text[at + value.length];
      if ((before && /[\p{L}\p{N}]/u.test(before)) || (after && /[\p{L}\p{N}]/u.test(after))) continue;
      found.push({ type: entry.type, start: at, end: at + value.length, score: 1, recognizer: 'deny-list' });
    }
  }
  return found;
}
