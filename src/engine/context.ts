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
 * Context words prepared for matching: single words are found with `indexOf` in the lower-cased
 * surroundings (a scan per word is several times cheaper than one case-insensitive Unicode
 * regex with a look-behind at every position); phrases keep a regex, as their words may be
 * separated by any spaces or punctuation.
 */
interface ContextMatcher {
  readonly words: readonly string[];
  /** Per word: it must end at a word boundary too (words shorter than four letters). */
  readonly whole: readonly boolean[];
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
  matcher =
    lowered.length === 0
      ? null
      : {
          words: single,
          whole: single.map((w) => w.length < 4),
          phrases:
            phrases.length === 0 ? null : new RegExp(`(?<![\\p{L}\\p{N}])(?:${phrases.join('|')})`, 'u'),
        };
  compiled.set(words, matcher);
  return matcher;
}

function escape(word: string): string {
  return word.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

const LETTER_OR_NUMBER = /[\p{L}\p{N}]/u;

/** True when the code point ending at `index` (exclusive) is a letter or a number. */
function wordCharBefore(text: string, index: number): boolean {
  if (index <= 0) return false;
  const code = text.charCodeAt(index - 1);
  if (code < 0x80)
    return (code >= 0x30 && code <= 0x39) || (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a);
  const pairStart = code >= 0xdc00 && code <= 0xdfff && index >= 2 ? index - 2 : index - 1;
  return LETTER_OR_NUMBER.test(String.fromCodePoint(text.codePointAt(pairStart) ?? code));
}

/** True when the code point starting at `index` is a letter or a number. */
function wordCharAt(text: string, index: number): boolean {
  if (index >= text.length) return false;
  const code = text.charCodeAt(index);
  if (code < 0x80)
    return (code >= 0x30 && code <= 0x39) || (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a);
  return LETTER_OR_NUMBER.test(String.fromCodePoint(text.codePointAt(index) ?? code));
}

function matchesIn(matcher: ContextMatcher, surroundings: string): boolean {
  const lower = surroundings.toLowerCase();
  const { words, whole } = matcher;
  for (let k = 0; k < words.length; k++) {
    const word = words[k]!;
    for (let at = lower.indexOf(word); at >= 0; at = lower.indexOf(word, at + 1)) {
      if (wordCharBefore(lower, at)) continue;
      if (whole[k] && wordCharAt(lower, at + word.length)) continue;
      return true;
    }
  }
  return matcher.phrases !== null && matcher.phrases.test(lower);
}

/**
 * True when one of the context words occurs in the characters around `[start, end)`.
 *
 * @example
 * ```ts
 * hasContextNear('SSN: 078-05-1120', 5, 16, ['ssn']); // true
 * ```
 */
export function hasContextNear(text: string, start: number, end: number, words: readonly string[]): boolean {
  const matcher = contextMatcher(words);
  if (!matcher) return false;
  if (matchesIn(matcher, text.slice(Math.max(0, start - CONTEXT_BEFORE), start))) return true;
  return matchesIn(matcher, text.slice(end, Math.min(text.length, end + CONTEXT_AFTER)));
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
  text: string,
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
