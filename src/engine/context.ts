import type { Finding } from './types.js';

/** How far (in characters) before and after a finding context words are looked for. */
export const CONTEXT_BEFORE = 64;
export const CONTEXT_AFTER = 32;
/** Added to a finding's score when a context word is near; Presidio uses the same boost. */
export const CONTEXT_BOOST = 0.35;
/** A finding with a context word scores at least this much. */
export const CONTEXT_FLOOR = 0.4;
/** Subtracted when a negative context word is near ("order number" next to a digit run). */
export const NEGATIVE_CONTEXT_PENALTY = 0.3;

/**
 * Context words prepared for matching: single words are looked up by their first character at
 * each word start of the lower-cased surroundings (one pass, instead of a scan per word); phrases
 * keep a regex, as their words may be separated by any spaces or punctuation.
 */
interface ContextMatcher {
  readonly words: readonly string[];
  /** Per word: it must end at a word boundary too (words shorter than four letters). */
  readonly whole: readonly boolean[];
  /** Indices into `words` by the word's first UTF-16 code unit: below 128 in an array, above in a map. */
  readonly byAsciiFirst: readonly (readonly number[] | undefined)[];
  readonly byOtherFirst: ReadonlyMap<number, readonly number[]>;
  readonly phrases: RegExp | null;
}

const compiled = new WeakMap<readonly string[], ContextMatcher | null>();

/**
 * The matcher for a list of context words, compiled once per list. A word matches at the start
 * of a nearby word, so "licen" matches "license" and "licence"; a phrase matches its words
 * separated by spaces or punctuation. Words shorter than four letters must match a whole word
 * ("dl" must not match "dlrow"). Matching ignores case.
 */
function contextMatcher(words: readonly string[]): ContextMatcher | null {
  let matcher = compiled.get(words);
  if (matcher !== undefined) return matcher;
  const lowered = words.map((w) => w.toLowerCase().trim()).filter(Boolean);
  const single = lowered.filter((w) => !/\s/.test(w));
  const phrases = lowered
    .filter((w) => /\s/.test(w))
    .map((w) => {
      const body = w.split(/\s+/).map(escape).join('[\\s\\p{P}]+');
      return w.length < 4 ? `${body}(?![\\p{L}\\p{N}])` : body;
    });
  const byAsciiFirst: (number[] | undefined)[] = new Array<number[] | undefined>(128).fill(undefined);
  const byOtherFirst = new Map<number, number[]>();
  single.forEach((w, k) => {
    const first = w.charCodeAt(0);
    if (first < 128) (byAsciiFirst[first] ??= []).push(k);
    else byOtherFirst.set(first, [...(byOtherFirst.get(first) ?? []), k]);
  });
  matcher =
    lowered.length === 0
      ? null
      : {
          words: single,
          whole: single.map((w) => w.length < 4),
          byAsciiFirst,
          byOtherFirst,
          phrases:
            phrases.length === 0 ? null : new RegExp(`(?<![\\p{L}\\p{N}])(?:${phrases.join('|')})`, 'u'),
        };
  compiled.set(words, matcher);
  return matcher;
}

/** `word` as a literal outside a character class: `-` stays bare, since the `u` flag refuses `\-` there. */
function escape(word: string): string {
  return word.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

const LETTER_OR_NUMBER = /[\p{L}\p{N}]/u;

/**
 * True when the code point ending at `index` (exclusive) is a letter or a number, reading
 * nothing before `from` (the surroundings start there: a pair cut by it is no letter).
 */
function wordCharBefore(text: string, index: number, from: number): boolean {
  if (index <= from) return false;
  const code = text.charCodeAt(index - 1);
  if (code < 0x80)
    return (code >= 0x30 && code <= 0x39) || (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a);
  const pairStart = code >= 0xdc00 && code <= 0xdfff && index - 2 >= from ? index - 2 : index - 1;
  return LETTER_OR_NUMBER.test(String.fromCodePoint(text.codePointAt(pairStart) ?? code));
}

/** True when the code point starting at `index` is a letter or a number, reading nothing from `to` on. */
function wordCharAt(text: string, index: number, to: number): boolean {
  if (index >= to) return false;
  const code = text.charCodeAt(index);
  if (code < 0x80)
    return (code >= 0x30 && code <= 0x39) || (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a);
  const point = index + 1 < to ? (text.codePointAt(index) ?? code) : code;
  return LETTER_OR_NUMBER.test(String.fromCodePoint(point));
}

/** True when a context word or phrase occurs in `lower[from, to)`, lower-cased surroundings. */
function matchesWithin(matcher: ContextMatcher, lower: string, from: number, to: number): boolean {
  const { words, whole, byAsciiFirst, byOtherFirst } = matcher;
  for (let at = from; at < to; at++) {
    const code = lower.charCodeAt(at);
    const candidates = code < 128 ? byAsciiFirst[code] : byOtherFirst.get(code);
    if (candidates === undefined || wordCharBefore(lower, at, from)) continue;
    for (const k of candidates) {
      const word = words[k]!;
      if (at + word.length > to || !lower.startsWith(word, at)) continue;
      if (whole[k] && wordCharAt(lower, at + word.length, to)) continue;
      return true;
    }
  }
  return matcher.phrases !== null && matcher.phrases.test(lower.slice(from, to));
}

/**
 * The text of one analysis, lower-cased once for the context words of all its findings. Lower-
 * casing the whole text equals lower-casing each stretch of it when no character changes length
 * and no capital sigma (whose lower case depends on its neighbours) occurs; otherwise each stretch
 * is lower-cased on its own.
 */
export class ContextText {
  private lowered: string | null | undefined;
  constructor(private text: string) {}

  /**
   * Reads `text` from now on. An analyzer keeps one for all its calls: a major GC drops the hidden
   * class of objects that are all dead by then, and the analysis loop, which inlines this class's
   * methods, was deoptimised and compiled again after each one.
   */
  reset(text: string): void {
    this.text = text;
    this.lowered = undefined;
  }

  /** The whole text lower-cased, or null when stretches must be lower-cased one by one. */
  get lower(): string | null {
    if (this.lowered === undefined) {
      const lower = this.text.toLowerCase();
      this.lowered = lower.length === this.text.length && !this.text.includes('\u03a3') ? lower : null;
    }
    return this.lowered;
  }

  /** True when one of `words` occurs in the characters around `[start, end)` (see `hasContextNear`). */
  near(start: number, end: number, words: readonly string[]): boolean {
    const matcher = contextMatcher(words);
    if (!matcher) return false;
    if (this.matches(matcher, Math.max(0, start - CONTEXT_BEFORE), start)) return true;
    return this.matches(matcher, end, Math.min(this.text.length, end + CONTEXT_AFTER));
  }

  private matches(matcher: ContextMatcher, from: number, to: number): boolean {
    const lower = this.lower;
    if (lower !== null) return matchesWithin(matcher, lower, from, to);
    const stretch = this.text.slice(from, to).toLowerCase();
    return matchesWithin(matcher, stretch, 0, stretch.length);
  }
}

/**
 * True when one of the context words occurs in the characters around `[start, end)`.
 *
 * @example
 * ```ts
 * hasContextNear('SSN: 078-05-1120', 5, 16, ['ssn']); // true
 * ```
 */
export function hasContextNear(
  text: string | ContextText,
  start: number,
  end: number,
  words: readonly string[],
): boolean {
  return (typeof text === 'string' ? new ContextText(text) : text).near(start, end, words);
}

/**
 * A finding's score after looking at the words around it: raised by positive context, lowered
 * by negative context. Scores stay in [0, 1].
 *
 * @example
 * ```ts
 * scoreWithContext(finding, 'SSN: 078-05-1120', ['ssn'], []); // finding.score + 0.35
 * ```
 */
export function scoreWithContext(
  finding: Finding,
  text: string | ContextText,
  context: readonly string[],
  negativeContext: readonly string[],
  threshold = 0,
): number {
  let score = finding.score;
  if (context.length > 0 && score < 1 && hasContextNear(text, finding.start, finding.end, context))
    score = Math.max(CONTEXT_FLOOR, score + CONTEXT_BOOST);
  if (score < threshold) return score;
  if (negativeContext.length > 0 && hasContextNear(text, finding.start, finding.end, negativeContext))
    score -= NEGATIVE_CONTEXT_PENALTY;
  return Math.min(1, Math.max(0, score));
}
