/**
 * Lists of names: "Leehy, Perkins and Copeland" is a list of people where one of them reads as a
 * person; "Graham, Ochoa and Vasquez" (or "the Hubbard, Fox and Gillespie website") is a firm.
 */
import { lowerBound } from '../../scan/lower-bound.js';
import { EVERYDAY, G } from '../gazetteer.js';
import {
  F_ALL_UPPER,
  F_FIRST_UPPER,
  F_HAS_DIGIT,
  F_NEWLINE_BEFORE,
  F_UNCASED,
  F_WORD,
} from '../tokenizer.js';
import { ADDRESS, ORGANIZATION, PERSON, RULE_MARGIN, type RuleContext, type TokenSpan } from './context.js';
import { AND, charAt, isNameWord, THE } from './words.js';

/** Fewest items of a list of single words read as one list of people. */
const MIN_LIST = 3;

/**
 * "our founders: Leehy, Perkins and Copeland", "Kovalev, Lee and Phillips": in a list of single
 * capitalised words joined by commas and a final "and", one word the tagger read as a person
 * makes every word of the list a person; the tagger tends to miss or merge the others ("Lee and
 * Phillips" as one place). So in lower-case text ("founders: bulgakov, ali and howard"). A list
 * with a country in it, or with a span that runs on past it, is left alone. `firmName` later
 * reads a list of exactly three as a firm where the wording says so.
 */
export function coordinatedNames(ctx: RuleContext, spans: TokenSpan[]): void {
  const { tokens, gaz } = ctx;
  let done = -1;
  for (const i of ctx.listStarts) {
    if (i <= done || i + 2 >= tokens.count) continue;
    // "our founders: bulgakov, ali and howard": in lower case, a list after punctuation or a function word.
    const lower = !(tokens.flags[i]! & (F_FIRST_UPPER | F_ALL_UPPER));
    if (!isListWord(ctx, i, lower)) continue;
    if (
      i > 0 &&
      !(tokens.flags[i]! & F_NEWLINE_BEFORE) &&
      (lower ? tokens.flags[i - 1]! & F_WORD && !(gaz[i - 1]! & G.function) : isNameWord(ctx, i - 1))
    )
      continue;
    const items = [i];
    let j = i + 1;
    let closed = false;
    while (j < tokens.count && !closed) {
      const comma = !(tokens.flags[j]! & F_WORD) && charAt(ctx, j) === ',';
      const at = comma ? j + 1 : j;
      if (
        at < tokens.count &&
        tokens.hash[at] === AND &&
        tokens.flags[at]! & F_WORD &&
        isListWord(ctx, at + 1, lower)
      ) {
        items.push(at + 1);
        j = at + 2;
        closed = true;
      } else if (comma && isListWord(ctx, j + 1, lower)) {
        items.push(j + 1);
        j += 2;
      } else break;
    }
    const last = items[items.length - 1]!;
    const after = last + 1;
    const runsOn =
      after < tokens.count &&
      !(tokens.flags[after]! & F_NEWLINE_BEFORE) &&
      (lower ? tokens.flags[after]! & F_WORD && !(gaz[after]! & G.function) : isNameWord(ctx, after));
    // A firm's name ("the Hubbard, Fox and Gillespie website") is capitalised.
    const listOfPeople = closed && items.length >= MIN_LIST && !runsOn;
    if (listOfPeople && (lower || !firmAfterArticle(ctx, spans, items))) namePeopleInList(ctx, spans, items);
    done = last;
  }
}

/**
 * "according to the Hubbard, Fox and Gillespie website": three surnames as "A, B and C" after a
 * lower-case "the" name one firm, whether or not the tagger saw them. Everyday words and places
 * ("the Red, White and Blue") are not read as surnames. Returns true when it added the firm.
 */
function firmAfterArticle(ctx: RuleContext, spans: TokenSpan[], items: readonly number[]): boolean {
  const { tokens, gaz } = ctx;
  const first = items[0]!;
  const last = items[items.length - 1]!;
  const article = first - 1;
  if (
    items.length !== 3 ||
    article < 0 ||
    tokens.hash[article] !== THE ||
    tokens.flags[article]! & (F_FIRST_UPPER | F_ALL_UPPER)
  )
    return false;
  for (const item of items)
    if ((EVERYDAY.has(tokens.hash[item]!) && !(gaz[item]! & G.last)) || gaz[item]! & (G.city | G.country))
      return false;
  for (const span of spans)
    if (span.last >= first && span.first <= last && (span.first < first || span.last > last)) return false;
  let kept = 0;
  for (const span of spans) if (span.last < first || span.first > last) spans[kept++] = span;
  spans.length = kept;
  spans.push({ tag: ORGANIZATION, first, last, margin: RULE_MARGIN, rule: true });
  spans.sort((a, b) => a.first - b.first);
  return true;
}

/** A capitalised (or, with `lower`, a lower-case) word with no digit that is no function word, month, week day, honorific or country. */
function isListWord(ctx: RuleContext, i: number, lower: boolean): boolean {
  if (i >= ctx.tokens.count) return false;
  const flags = ctx.tokens.flags[i]!;
  const shape = lower
    ? (flags & (F_WORD | F_FIRST_UPPER | F_ALL_UPPER | F_UNCASED)) === F_WORD
    : (flags & (F_WORD | F_FIRST_UPPER)) === (F_WORD | F_FIRST_UPPER);
  return (
    shape &&
    !(flags & F_HAS_DIGIT) &&
    !(ctx.gaz[i]! & (G.function | G.month | G.weekday | G.honorific | G.country))
  );
}

function namePeopleInList(ctx: RuleContext, spans: TokenSpan[], items: readonly number[]): void {
  const first = items[0]!;
  const last = items[items.length - 1]!;
  let person = false;
  let margin = Infinity;
  // The spans are sorted and do not overlap yet: those touching the list sit together, found by
  // a binary search (court judgments hold hundreds of lists and spans).
  const low = lowerBound(spans.length, (i) => spans[i]!.last < first);
  for (let k = low; k < spans.length && spans[k]!.first <= last; k++) {
    const span = spans[k]!;
    if (span.first < first || span.last > last) return;
    if (span.tag === PERSON) person = true;
    margin = Math.min(margin, span.margin);
  }
  // "Paris, Lyon and Marseille": a list with places that are no one's name is a list of places.
  let places = 0;
  for (const item of items)
    if (ctx.gaz[item]! & (G.city | G.country) && !(ctx.gaz[item]! & (G.first | G.last))) places++;
  if (!person || places * 3 > items.length) return;
  let kept = 0;
  for (const span of spans) if (span.last < first || span.first > last) spans[kept++] = span;
  spans.length = kept;
  for (const item of items) spans.push({ tag: PERSON, first: item, last: item, margin });
  spans.sort((a, b) => a.first - b.first);
}

/**
 * "Graham, Ochoa and Vasquez": three single capitalised words as "A, B and C" name a firm, not
 * three people (the usual form of law firms and of generated company names), unless they end a
 * longer list ("Malon, Mark, Kaylee, Brandi and Miguel"). Returns the merged
 * span when `spans[k..k+2]` has that form.
 */
export function firmName(ctx: RuleContext, spans: readonly TokenSpan[], k: number): TokenSpan | undefined {
  if (k + 2 >= spans.length) return undefined;
  const a = spans[k]!;
  const b = spans[k + 1]!;
  const c = spans[k + 2]!;
  if (!singleWord(ctx, a) || !singleWord(ctx, b) || !singleWord(ctx, c)) return undefined;
  const { tokens } = ctx;
  if (
    b.first !== a.last + 2 ||
    charAt(ctx, a.last + 1) !== ',' ||
    c.first !== b.last + 2 ||
    tokens.hash[b.last + 1] !== AND
  )
    return undefined;
  // "Mr Graham, Ochoa and Vasquez" or "John Graham, ..." are people.
  if (a.first > 0 && tokens.flags[a.first - 1]! & F_WORD && ctx.gaz[a.first - 1]! & G.honorific)
    return undefined;
  // "our founders: Kovalev, Lee and Phillips": a list after a plural noun and a colon names its members.
  if (a.first > 1 && charAt(ctx, a.first - 1) === ':' && isPluralNoun(ctx, a.first - 2)) return undefined;
  // "Malon, Mark, Kaylee, Brandi, Miguel and Jennifer": the end of a longer list names people.
  const before = spans[k - 1];
  if (before && before.last === a.first - 2 && charAt(ctx, a.first - 1) === ',') return undefined;
  // "Vitalchek, Locavore and SKY": a firm's name joins its partners' surnames; words no list
  // knows as surnames are brands, each a name of its own.
  const { gaz } = ctx;
  if (
    (gaz[a.first]! & G.last ? 1 : 0) + (gaz[b.first]! & G.last ? 1 : 0) + (gaz[c.first]! & G.last ? 1 : 0) <
    MIN_FIRM_SURNAMES
  )
    return undefined;
  return { tag: ORGANIZATION, first: a.first, last: c.last, margin: Math.min(a.margin, b.margin, c.margin) };
}

/** Fewest known surnames among the three words of a firm's name ("Graham, Ochoa and Vasquez"). */
const MIN_FIRM_SURNAMES = 2;

/** A lower-case word ending in "s" ("founders", "partners"). */
function isPluralNoun(ctx: RuleContext, i: number): boolean {
  const { tokens } = ctx;
  const flags = tokens.flags[i]!;
  return (
    (flags & F_WORD) !== 0 &&
    !(flags & (F_FIRST_UPPER | F_ALL_UPPER)) &&
    (ctx.text.charCodeAt(tokens.end[i]! - 1) | 32) === 115 &&
    !(ctx.gaz[i]! & G.function)
  );
}

function singleWord(ctx: RuleContext, span: TokenSpan): boolean {
  return (
    span.first === span.last && (ctx.tokens.flags[span.first]! & F_FIRST_UPPER) !== 0 && span.tag !== ADDRESS
  );
}
