/**
 * A name never ends in a lower-case function word: "the Ankara Administrative Court and the
 * [Ministry]", "Sivas Military Hospital for an [examination]", "the United Kingdom in the
 * [present case]". The tagger sometimes carries a name's last tag over the words that link it to
 * the next phrase; those words name nothing, so they come off.
 */
import { G } from '../gazetteer.js';
import { F_ALL_UPPER, F_FIRST_UPPER, F_WORD } from '../tokenizer.js';
import { LOCATION, NRP, ORGANIZATION, PERSON, type RuleContext, type TokenSpan } from './context.js';

/**
 * Ends each person, place, organisation and group span at its last word that is not a
 * lower-case function word ("of", "the", "and", "for", "in", …); a span made of such words only
 * is removed. Addresses (whose lines are often lower case) and job titles keep their edges.
 *
 * @example
 * ```ts
 * // "… before the Ankara Administrative Court and the Ministry …": the span read as
 * // "Ankara Administrative Court and the" ends at "Court".
 * endAtNameWord(ctx, spans);
 * ```
 */
export function endAtNameWord(ctx: RuleContext, spans: TokenSpan[]): void {
  let kept = 0;
  for (const span of spans) {
    if (span.tag === PERSON || span.tag === LOCATION || span.tag === ORGANIZATION || span.tag === NRP)
      while (span.last >= span.first && isTrailingFunctionWord(ctx, span.last)) span.last--;
    if (span.last >= span.first) spans[kept++] = span;
  }
  spans.length = kept;
}

function isTrailingFunctionWord(ctx: RuleContext, i: number): boolean {
  const flags = ctx.tokens.flags[i]!;
  return (
    (flags & F_WORD) !== 0 &&
    (flags & (F_FIRST_UPPER | F_ALL_UPPER)) === 0 &&
    (ctx.gaz[i]! & G.function) !== 0
  );
}
