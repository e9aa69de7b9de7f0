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

const WORD = /[\p{L}\p{N}]+/gu;

/** The lower-cased words near a finding, from the surrounding characters only. */
export function nearbyWords(text: string, start: number, end: number): Set<string> {
  const before = text.slice(Math.max(0, start - CONTEXT_BEFORE), start);
  const after = text.slice(end, Math.min(text.length, end + CONTEXT_AFTER));
  const words = new Set<string>();
  for (const part of [before, after]) for (const match of part.toLowerCase().matchAll(WORD)) words.add(match[0]);
  return words;
}

/**
 * True when a context word (or phrase) is among the nearby words. A word matches when a nearby
 * word starts with it, so "licen" matches "license" and "licence"; a phrase matches when each
 * of its words does.
 */
export function hasContext(words: ReadonlySet<string>, context: readonly string[]): boolean {
  if (context.length === 0 || words.size === 0) return false;
  for (const entry of context) {
    const parts = entry.toLowerCase().split(/\s+/).filter(Boolean);
    if (parts.every((part) => anyStartsWith(words, part))) return true;
  }
  return false;
}

function anyStartsWith(words: ReadonlySet<string>, prefix: string): boolean {
  if (words.has(prefix)) return true;
  if (prefix.length < 4) return false;
  for (const word of words) if (word.startsWith(prefix)) return true;
  return false;
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
): number {
  if (context.length === 0 && negativeContext.length === 0) return finding.score;
  const words = nearbyWords(text, finding.start, finding.end);
  let score = finding.score;
  if (hasContext(words, context)) score = Math.max(CONTEXT_FLOOR, score + CONTEXT_BOOST);
  if (hasContext(words, negativeContext)) score -= NEGATIVE_CONTEXT_PENALTY;
  return Math.min(1, Math.max(0, score));
}
