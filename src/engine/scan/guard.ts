/**
 * Guard look-aheads: a cheap test put in front of a pattern, which every match passes anyway.
 *
 * A pattern that opens with a Unicode look-behind (`(?<![\p{L}\p{N}])`) makes V8's regex engine
 * evaluate that look-behind at every position of the text before it reads a single character of
 * the match. A leading look-ahead on the first characters every match has (`(?=[A-Za-z]{1,2}\d)`
 * for a licence number) lets it reject most positions at once: one such pattern ran 10x faster
 * on the benchmark corpus. The guard must be implied by the pattern (every string the pattern
 * matches at a position also matches the guard there), so the matches are the same;
 * `test/engine/guard.test.ts` checks each guarded pattern against its unguarded form on
 * generated texts. Hand-written, not derived from the syntax tree: a handful of patterns carry
 * most of the cost, and a guard that reads two or three elements ahead is what pays.
 */

/** A guarded pattern beside the pattern it was made from, for the equivalence tests. */
export interface GuardedPattern {
  readonly guarded: RegExp;
  readonly original: RegExp;
}

const made: GuardedPattern[] = [];

/**
 * `regex` with the look-ahead `(?=guard)` in front, same flags. `guard` must not capture.
 *
 * @example
 * ```ts
 * guarded('[A-Za-z]{1,2}\\d', /(?<![\p{L}\p{N}-])[A-Za-z]{1,2}\d{5,14}/u);
 * // /(?=[A-Za-z]{1,2}\d)(?<![\p{L}\p{N}-])[A-Za-z]{1,2}\d{5,14}/u
 * ```
 */
export function guarded(guard: string, regex: RegExp): RegExp {
  const result = new RegExp(`(?=${guard})${regex.source}`, regex.flags);
  made.push({ guarded: result, original: regex });
  return result;
}

/** Every pattern `guarded` made so far (the recognizer modules make theirs when loaded). */
export function guardedPatterns(): readonly GuardedPattern[] {
  return made;
}
