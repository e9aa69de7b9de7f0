/**
 * Street lines the tagger found: a street type that makes a span a street, the house number
 * before it, dates and lone places that are no street, lists of addresses, and the words of the
 * sentence an address ran on into. The address grammar (`ner/address.ts`) adds the city, region,
 * postcode and country after the street line.
 */
import type { FindingPart } from '../../types.js';
import { STREET_TYPES } from '../address.js';
import { G, NAMEISH } from '../gazetteer.js';
import {
  F_ALL_DIGIT,
  F_ALL_UPPER,
  F_FIRST_UPPER,
  F_HAS_DIGIT,
  F_NEWLINE_BEFORE,
  F_WORD,
  WordSet,
} from '../tokenizer.js';
import { ADDRESS, type RuleContext, type TokenSpan } from './context.js';
import { AND, charAt, OR } from './words.js';

/**
 * The street line of a tagger address as pieces: a building number before a street line that
 * holds its own number ("46 velký průhon 426") is a piece of its own.
 */
export function streetLinePieces(ctx: RuleContext, span: TokenSpan): FindingPart[] {
  const { tokens } = ctx;
  const end = tokens.end[span.last]!;
  let first = span.first;
  const pieces: FindingPart[] = [];
  if (tokens.flags[first]! & F_ALL_DIGIT && first < span.last) {
    let other = first + 1;
    while (other <= span.last && !(tokens.flags[other]! & F_ALL_DIGIT)) other++;
    if (other <= span.last) {
      pieces.push({ type: 'BUILDING_NUMBER', start: tokens.start[first]!, end: tokens.end[first]! });
      first++;
    }
  }
  pieces.push({ type: 'STREET', start: tokens.start[first]!, end });
  return pieces;
}

/**
 * "Demystdata\n11 Eriksbo Västergärde 98", "Adobe Digital Government\n\nMille and …": a name,
 * place or organisation never runs on over a blank line, nor onto a line that starts with a
 * number (a letterhead's street line). Cuts `span` before that line and returns the rest: a street
 * line when it holds a number or a street word, else a span of the same type.
 */
export function splitAtLineBreak(ctx: RuleContext, span: TokenSpan): TokenSpan | undefined {
  const { tokens } = ctx;
  for (let i = span.first + 1; i <= span.last; i++) {
    if (!(tokens.flags[i]! & F_NEWLINE_BEFORE)) continue;
    const blankLine = ctx.text.slice(tokens.end[i - 1]!, tokens.start[i]!).split('\n').length > 2;
    if (!blankLine && !(tokens.flags[i]! & F_ALL_DIGIT)) continue;
    const rest: TokenSpan = { tag: span.tag, first: i, last: span.last, margin: span.margin };
    span.last = i - 1;
    // Numbers alone after the break ("X\n8" on a receipt) name nothing.
    if (!hasLetterWord(ctx, rest)) return undefined;
    if (looksLikeStreet(ctx, rest)) rest.tag = ADDRESS;
    return rest;
  }
  return undefined;
}

function hasLetterWord(ctx: RuleContext, span: TokenSpan): boolean {
  for (let i = span.first; i <= span.last; i++)
    if (ctx.tokens.flags[i]! & F_WORD && !(ctx.tokens.flags[i]! & F_HAS_DIGIT)) return true;
  return false;
}

/**
 * "Jan 2024" is a date, not a street and house number: a tagged address made only of month or
 * week-day names and numbers is dropped, so the date recognizers report the whole date.
 */
export function onlyCalendarWords(ctx: RuleContext, span: TokenSpan): boolean {
  const { tokens, gaz } = ctx;
  let calendar = false;
  for (let i = span.first; i <= span.last; i++) {
    const flags = tokens.flags[i]!;
    if (!(flags & F_WORD)) continue;
    if (gaz[i]! & (G.month | G.weekday)) calendar = true;
    else if (!(flags & F_ALL_DIGIT)) return false;
  }
  return calendar;
}

/**
 * Words before a number that make it a place in a text, not a house ("Chapters 5", "p. 85",
 * "section 2"). Not "No.": it labels house numbers too ("NO.59 JALAN PERMAS").
 */
const REFERENCE_WORD = new WordSet([
  'chapter',
  'chapters',
  'section',
  'sections',
  'article',
  'articles',
  'paragraph',
  'paragraphs',
  'page',
  'pages',
  'p',
  'pp',
  'rule',
  'rules',
  'part',
  'annex',
  'item',
  'volume',
  'vol',
]);

/** Words after a number that make it an amount or a duration ("73 Euros", "40 %"). */
const QUANTITY_WORD = new WordSet([
  'euro',
  'euros',
  'eur',
  'dollars',
  'usd',
  'pounds',
  'gbp',
  'percent',
  'per',
  'hours',
  'days',
  'weeks',
  'months',
  'years',
]);

const ORDINAL = /^\d+(?:st|nd|rd|th)$/i;

/**
 * "Between 14 November 2003", "Chapters 5 and 6", "Council 40%", "the 7th Chamber of the Court":
 * a tagged address with no street word whose every number is something else (a day before its
 * month, an amount, an ordinal, a number after "section" or "p.") is no address; it is dropped,
 * so the date or amount recognizers report what it is.
 */
export function numbersOfSomethingElse(ctx: RuleContext, span: TokenSpan): boolean {
  const { tokens, gaz } = ctx;
  let numbers = 0;
  for (let i = span.first; i <= span.last; i++) {
    if (gaz[i]! & (G.street | G.secondary)) return false;
    if (!(tokens.flags[i]! & F_HAS_DIGIT)) continue;
    if (!numberOfSomethingElse(ctx, i)) return false;
    numbers++;
  }
  return numbers > 0;
}

function numberOfSomethingElse(ctx: RuleContext, i: number): boolean {
  const { tokens, gaz } = ctx;
  if (ORDINAL.test(ctx.text.slice(tokens.start[i]!, tokens.end[i]!))) return true;
  const next = i + 1;
  if (next < tokens.count && !(tokens.flags[next]! & F_NEWLINE_BEFORE)) {
    if (
      tokens.flags[next]! & F_WORD
        ? gaz[next]! & G.month || QUANTITY_WORD.has(tokens.hash[next]!)
        : charAt(ctx, next) === '%'
    )
      return true;
  }
  const before = i > 0 && !(tokens.flags[i - 1]! & F_WORD) && charAt(ctx, i - 1) === '.' ? i - 2 : i - 1;
  return before >= 0 && (tokens.flags[before]! & F_WORD) !== 0 && REFERENCE_WORD.has(tokens.hash[before]!);
}

/** Most digits of a house number the tagger left out before a street line. */
const MAX_HOUSE_NUMBER = 5;

/** "46 velký průhon 426": a number right before a tagged street line, on its line, is its house number. */
export function takeHouseNumber(ctx: RuleContext, span: TokenSpan): void {
  const { tokens } = ctx;
  const number = span.first - 1;
  if (
    number < 0 ||
    !(tokens.flags[number]! & F_ALL_DIGIT) ||
    tokens.end[number]! - tokens.start[number]! > MAX_HOUSE_NUMBER
  )
    return;
  if (tokens.flags[span.first]! & F_NEWLINE_BEFORE || tokens.start[span.first]! - tokens.end[number]! !== 1)
    return;
  // "Room 12 Oak Street", "page 3": a number after a word of its own is that word's.
  if (
    number > 0 &&
    tokens.flags[number - 1]! & F_WORD &&
    !(tokens.flags[number]! & F_NEWLINE_BEFORE) &&
    !(ctx.gaz[number - 1]! & G.function)
  )
    return;
  span.first = number;
}

/** True when no word of the span has a capital. */
export function lowerCaseOnly(ctx: RuleContext, span: TokenSpan): boolean {
  const { tokens } = ctx;
  for (let i = span.first; i <= span.last; i++)
    if (tokens.flags[i]! & (F_FIRST_UPPER | F_ALL_UPPER)) return false;
  return true;
}

/** An address from the tagger needs a number or a street word; "Reykjavík" alone is a place. */
export function looksLikeStreet(ctx: RuleContext, span: TokenSpan): boolean {
  const { tokens, gaz } = ctx;
  for (let i = span.first; i <= span.last; i++)
    if (tokens.flags[i]! & F_HAS_DIGIT || gaz[i]! & (G.street | G.secondary)) return true;
  return false;
}

/**
 * "85 Kongshøj Allé 70, Georgia, and 32 Pernilles vei": ", and" or ", or" inside an address
 * separates two addresses of a list. Cuts `span` before the comma and returns the part after
 * the conjunction, if any.
 */
export function splitAddressList(ctx: RuleContext, span: TokenSpan): TokenSpan | undefined {
  const { tokens } = ctx;
  for (let i = span.first + 1; i + 1 < span.last; i++) {
    if (
      charAt(ctx, i) !== ',' ||
      tokens.flags[i]! & F_WORD ||
      (tokens.hash[i + 1] !== AND && tokens.hash[i + 1] !== OR)
    )
      continue;
    const rest = { tag: ADDRESS, first: i + 2, last: span.last, margin: span.margin };
    span.last = i - 1;
    return rest;
  }
  return undefined;
}

/** Most lower-case words a tagged address may end with after a function word. */
const MAX_TAIL = 2;

/**
 * "Auerstrasse 12 Apt. 974 Lyss and I", "Apt. 676 Hamilton ON for post": the tagger carries an
 * address on over the sentence after it. An address ends before a lower-case function word (or
 * "I") that only lower-case words follow up to its end; "Avenue of the Americas", "Antigua and
 * Barbuda 48083" and "Hamilton ON" keep theirs.
 */
export function trimAddressTail(ctx: RuleContext, span: TokenSpan): void {
  const { tokens, gaz } = ctx;
  let cut = -1;
  for (let i = span.last, tail = 0; i > span.first && tail <= MAX_TAIL; i--, tail++) {
    const flags = tokens.flags[i]!;
    if (!(flags & F_WORD) || flags & F_HAS_DIGIT) break;
    const capital = (flags & (F_FIRST_UPPER | F_ALL_UPPER)) !== 0;
    // "ON" is a state code, "I" the pronoun.
    if (gaz[i]! & G.function && (!capital || tokens.end[i]! - tokens.start[i]! === 1)) cut = i;
    else if (capital) break;
  }
  if (cut > span.first) span.last = cut - 1;
}

/**
 * "Kate Edger Place, BINSTED, Vatican City\n69 987 88 37 office": numbers the tagger took as the
 * last line of an address, or as an address of their own, when the run of numbers goes on past
 * the span on the same line, are one longer figure (a phone number), not a postcode or a house
 * number. Ends the address before that line; returns true when the span holds nothing else and is
 * to be dropped.
 */
export function endBeforeLongerFigure(ctx: RuleContext, span: TokenSpan): boolean {
  const { tokens } = ctx;
  const number = (i: number) => i >= 0 && i < tokens.count && (tokens.flags[i]! & F_ALL_DIGIT) !== 0;
  if (!number(span.last)) return false;
  let first = span.last;
  while (first > span.first && number(first - 1) && !(tokens.flags[first]! & F_NEWLINE_BEFORE)) first--;
  const runsOn =
    (number(span.last + 1) && !(tokens.flags[span.last + 1]! & F_NEWLINE_BEFORE)) ||
    (first === span.first && number(first - 1) && !(tokens.flags[first]! & F_NEWLINE_BEFORE));
  if (!runsOn) return false;
  if (first === span.first) return true;
  if (!(tokens.flags[first]! & F_NEWLINE_BEFORE)) return false;
  span.last = first - 1;
  return false;
}

/** Street types that end a street's name and nothing else ("Court", "Park" and "Place" also name institutions and sights). */
const STREET_TYPE = new WordSet(STREET_TYPES);
/**
 * "Hansen Street", "Old Spallumcheen Rd" tagged as an organisation or a group: two or more
 * words ending in a capitalised street type are a street, with the house number before them
 * ("1599 Old Spallumcheen Rd").
 */
export function namedStreet(ctx: RuleContext, span: TokenSpan): void {
  const { tokens } = ctx;
  const last = tokens.flags[span.last]! & F_WORD ? span.last : span.last - 1;
  if (
    last <= span.first ||
    !(tokens.flags[last]! & (F_FIRST_UPPER | F_ALL_UPPER)) ||
    !STREET_TYPE.has(tokens.hash[last]!)
  )
    return;
  span.tag = ADDRESS;
  const number = span.first - 1;
  if (
    number >= 0 &&
    tokens.flags[number]! & F_ALL_DIGIT &&
    tokens.end[number]! - tokens.start[number]! <= 5 &&
    !(tokens.flags[span.first]! & F_NEWLINE_BEFORE)
  )
    span.first = number;
}

/**
 * "on Adams Street street", "at Hochstrasse 96 street", "Bem rakpart 79. street", "14 Rue Aghlab
 * street": a lower-case street word after a street word, a house number (with its period) or a
 * street name that began with a capitalised street word is the writer's, not part of the
 * street's name. So is the same street word twice ("Adams Street Street").
 */
export function dropRepeatedStreetWord(ctx: RuleContext, span: TokenSpan): void {
  const { tokens, gaz } = ctx;
  // The period a street word took as an abbreviation goes with it.
  const last = tokens.flags[span.last]! & F_WORD ? span.last : span.last - 1;
  if (last <= span.first || !(gaz[last]! & G.street)) return;
  let before = last - 1;
  if (tokens.flags[last]! & (F_FIRST_UPPER | F_ALL_UPPER)) {
    if (tokens.hash[before] === tokens.hash[last] && tokens.flags[before]! & F_WORD) span.last = before;
    return;
  }
  // "79. street": the period of a Hungarian or German house number.
  if (
    before > span.first &&
    !(tokens.flags[before]! & F_WORD) &&
    charAt(ctx, before) === '.' &&
    tokens.flags[before - 1]! & F_ALL_DIGIT
  )
    before--;
  if (
    tokens.flags[before]! & F_HAS_DIGIT ||
    gaz[before]! & G.street ||
    startsWithStreetWord(ctx, span, before)
  )
    span.last = tokens.flags[before + 1]! & F_WORD ? before : before + 1;
}

/** True when a capitalised street word ("Rue", "Via") comes before a name word in `span.first..upTo`. */
function startsWithStreetWord(ctx: RuleContext, span: TokenSpan, upTo: number): boolean {
  const { tokens, gaz } = ctx;
  for (let i = span.first; i < upTo; i++)
    if (tokens.flags[i]! & F_FIRST_UPPER && gaz[i]! & G.street && !(gaz[i]! & NAMEISH)) return true;
  return false;
}
