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

const compiled = new WeakMap<readonly string[], RegExp | null>();

/**
 * One case-insensitive pattern for a list of context words, compiled once per list. A word
 * matches at the start of a nearby word, so "licen" matches "license" and "licence"; a phrase
 * matches its words separated by spaces or punctuation. Words shorter than four letters must
 * match a whole word ("dl" must not match "dlrow").
 */
export function contextPattern(words: readonly string[]): RegExp | null {
  let pattern = compiled.get(words);
  if (pattern !== undefined) return pattern;
  const alternatives = words
    .map((w) => w.toLowerCase().trim())
    .filter(Boolean)
    .map((w) => {
      const body = w.split(/\s+/).map(escape).join('[\\s\\p{P}]+');
      return w.length < 4 ? `${body}(?![\\p{L}\\p{N}])` : body;
    });
  pattern = alternatives.length === 0 ? null : new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternatives.join('|')})`, 'iu');
  compiled.set(words, pattern);
  return pattern;
}

function escape(word: string): string {
  return word.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
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
  const pattern = contextPattern(words);
  if (!pattern) return false;
  const before = text.slice(Math.max(0, start - CONTEXT_BEFORE), start);
  if (pattern.test(before)) return true;
  return pattern.test(text.slice(end, Math.min(text.length, end + CONTEXT_AFTER)));
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
  if (negativeContext.length > 0 && hasContextNear(text, finding.start, finding.end, negativeContext)) score -= NEGATIVE_CONTEXT_PENALTY;
  return Math.min(1, Math.max(0, score));
}
