import type { Scratch } from './scratch.js';

/**
 * A span of text that a recognizer believes holds personal data. Offsets are JavaScript string
 * indices (UTF-16 code units); `end` is exclusive, so `text.slice(start, end)` is the value.
 */
export interface Finding {
  readonly type: string;
  readonly start: number;
  readonly end: number;
  /** Confidence in [0, 1] after validation and context. */
  readonly score: number;
  /** The name of the recognizer that produced the finding. */
  readonly recognizer: string;
  /**
   * The pieces of a finding that names one thing in several parts, for callers that want them:
   * an address's street line, unit, place, region, postcode and country, a person's title and
   * name, a date's week day and date. Offsets are into the same text as the finding's and lie
   * inside it, in order. Absent for most findings.
   */
  readonly parts?: readonly FindingPart[];
}

/** One piece of a finding (see `Finding.parts`). */
export interface FindingPart {
  /**
   * What the piece is: an address's `BUILDING_NUMBER`, `STREET`, `UNIT`, `PLACE` (a city or
   * district), `REGION`, `POSTCODE`, `COUNTRY`; a person's `TITLE`, `NAME`; a date's `WEEKDAY`, `DATE`.
   */
  readonly type: string;
  readonly start: number;
  readonly end: number;
}

/**
 * The finding moved by `shift` code units, its parts with it.
 *
 * @example
 * ```ts
 * shiftFinding({ type: 'URL', start: 0, end: 4, score: 1, recognizer: 'url' }, 10).start; // 10
 * ```
 */
export function shiftFinding(finding: Finding, shift: number): Finding {
  const moved = { ...finding, start: finding.start + shift, end: finding.end + shift };
  if (finding.parts)
    return {
      ...moved,
      parts: finding.parts.map((p) => ({ ...p, start: p.start + shift, end: p.end + shift })),
    };
  return moved;
}

/** A half-open range of the text that a recognizer is asked to look at. */
export interface TextWindow {
  readonly start: number;
  readonly end: number;
}

/**
 * A recognizer finds candidate findings of one or more entity types. It is a pure function of
 * the text: no I/O, no shared mutable state, so it can run in a browser or a worker.
 */
export interface Recognizer {
  readonly name: string;
  /** The entity types this recognizer can report. */
  readonly entities: readonly string[];
  /** Words that raise a finding's score when they appear near it. */
  readonly context?: readonly string[];
  /** Words that lower a finding's score when they appear near it. */
  readonly negativeContext?: readonly string[];
  /**
   * Where in the text this recognizer can match. Windows are computed once per trigger and
   * shared, so a recognizer that needs digits never scans prose without any.
   */
  readonly trigger: Trigger;
  /**
   * The fewest ASCII digits any match holds (see `minDigits`); `analyze` skips the recognizer on
   * text with fewer. Absent or 0: always run.
   */
  readonly minDigits?: number;
  /**
   * The most UTF-16 code units a match spans (see `maxMatchLength`). With `minDigits`, `analyze`
   * also skips the recognizer when no stretch of text this long holds that many digits: a
   * nine-digit identifier needs nine digits close together, not nine anywhere. Absent: unbounded.
   */
  readonly maxLength?: number;
  /**
   * The longest run of consecutive ASCII digits every match holds (see `minDigitRun`); `analyze`
   * skips the recognizer on text whose digit runs are all shorter. Absent or 0: always run.
   */
  readonly minDigitRun?: number;
  /**
   * The longest run of consecutive `[A-Z0-9]` every match holds (see `minCapitalRun`); `analyze`
   * skips the recognizer on text whose runs are all shorter. Absent or 0: always run.
   */
  readonly minCapitalRun?: number;
  /**
   * The letter next to a digit every match holds (see `minLetterDigitPair`): 1 any ASCII letter,
   * 2 a capital. `analyze` skips the recognizer on text without such a pair. Absent or 0: always run.
   */
  readonly minLetterDigitPair?: number;
  /**
   * Candidate findings inside `window`. Offsets are absolute (into `text`). `scratch` is the
   * calling analyzer's working memory, for recognizers that reuse buffers between calls.
   */
  find(text: string, window: TextWindow, scratch?: Scratch): Finding[];
}

/**
 * A trigger names the cheap pre-scan that bounds where a recognizer can match.
 * `all` means the whole text; the others are windows around hits of a shared pattern, widened by
 * the margin (characters) and snapped to whitespace so word boundaries stay exact.
 */
export type Trigger =
  | { readonly kind: 'all' }
  | { readonly kind: 'pattern'; readonly id: string; readonly pattern: RegExp; readonly margin: number }
  /**
   * Runs of at least `minRun` consecutive ASCII digits, widened by `margin`. Every digit trigger
   * is cut from one scan for digit runs per text.
   */
  | { readonly kind: 'digitRun'; readonly id: string; readonly minRun: number; readonly margin: number };
