/**
 * Brackets and quotation marks around or inside a name belong to it when they enclose it: a name
 * quoted as a whole ("the “Northern Coastal University”") or a bracket the span opened and
 * left unclosed ("Gaziantep (Turkey"). Masking the name then leaves no stray mark that outlines
 * where it was, and a reader of the redacted text sees one hidden thing.
 */
import { F_NEWLINE_BEFORE, F_WORD } from '../tokenizer.js';
import { ADDRESS, JOB_TITLE, type RuleContext, type TokenSpan } from './context.js';
import { charAt } from './words.js';

/** Opening quotation marks and the closing mark each pairs with. */
const CLOSING_QUOTE: Readonly<Record<string, string>> = { '“': '”', '„': '“', '«': '»', '"': '"' };

/**
 * Extends each name over the quotation marks that enclose exactly it, and over the closing
 * bracket of a bracket it opened. Addresses and job titles keep their edges (their grammar sets
 * them). Runs on the sorted spans after overlaps are resolved; a mark is never taken from a
 * neighbouring span.
 *
 * @example
 * ```ts
 * // "the “Institute of Marine Studies” was": the organisation span grows over both quotes.
 * enclosingMarks(ctx, spans);
 * ```
 */
export function enclosingMarks(ctx: RuleContext, spans: TokenSpan[]): void {
  const { tokens } = ctx;
  for (let k = 0; k < spans.length; k++) {
    const span = spans[k]!;
    if (span.tag === ADDRESS || span.tag === JOB_TITLE) continue;
    const before = span.first - 1;
    const after = span.last + 1;
    if (after >= tokens.count || tokens.flags[after]! & (F_WORD | F_NEWLINE_BEFORE)) continue;
    const next = spans[k + 1];
    if (next && next.first <= after) continue;
    const previous = spans[k - 1];
    if (unclosedBracket(ctx, span) && charAt(ctx, after) === ')') span.last = after;
    else if (
      before >= 0 &&
      !(tokens.flags[before]! & F_WORD) &&
      !(previous && previous.last >= before) &&
      !(tokens.flags[span.first]! & F_NEWLINE_BEFORE) &&
      CLOSING_QUOTE[charAt(ctx, before)] === charAt(ctx, after)
    ) {
      span.first = before;
      span.last = after;
    }
  }
}

/** True when the span holds an opening bracket that it does not close. */
function unclosedBracket(ctx: RuleContext, span: TokenSpan): boolean {
  let depth = 0;
  for (let i = span.first; i <= span.last; i++) {
    if (ctx.tokens.flags[i]! & F_WORD) continue;
    const mark = charAt(ctx, i);
    if (mark === '(') depth++;
    else if (mark === ')') depth--;
  }
  return depth > 0;
}
