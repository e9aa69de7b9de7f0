/**
 * People: the edges of a person's name (role words and labels before it, a first name the tagger
 * left out, a surname after it, a possessive "'s"), a first name and surname the tagger read as
 * a place, an honorific alone joined to the name after it, and a name's title and name as parts.
 */
import type { FindingPart } from '../../types.js';
import { EVERYDAY, G, NAMEISH } from '../gazetteer.js';
import {
  F_ALL_UPPER,
  F_FIRST_UPPER,
  F_HAS_DIGIT,
  F_JOINED,
  F_NEWLINE_BEFORE,
  F_WORD,
  WordSet,
} from '../tokenizer.js';
import { PERSON, type RuleContext, type TokenSpan } from './context.js';
import { charAt, PLACE_PREPOSITION, possessiveLength, sentenceInitial } from './words.js';

/** A person's title and name as pieces ("Dr." and "Nielsen"), or undefined without a title. */
export function titleAndName(ctx: RuleContext, span: TokenSpan, end: number): FindingPart[] | undefined {
  const { tokens, gaz } = ctx;
  if (span.first === span.last || !(gaz[span.first]! & G.honorific)) return undefined;
  let titleLast = span.first;
  if (
    titleLast + 1 < span.last &&
    charAt(ctx, titleLast + 1) === '.' &&
    !(tokens.flags[titleLast + 1]! & F_WORD)
  )
    titleLast++;
  const nameStart = tokens.start[titleLast + 1]!;
  if (nameStart >= end) return undefined;
  return [
    { type: 'TITLE', start: tokens.start[span.first]!, end: tokens.end[titleLast]! },
    { type: 'NAME', start: nameStart, end },
  ];
}

/**
 * A person or place ends at a possessive "'s" ("Arne's", "Paris’s centre"), which is not part
 * of the name: the tokenizer keeps apostrophes inside words for "O'Neil". Only people and places:
 * many shop and brand names keep theirs ("McDonald's").
 */
export function endAtPossessive(ctx: RuleContext, span: TokenSpan): void {
  const { tokens } = ctx;
  for (let i = span.first; i < span.last; i++) {
    // "People's Republic of China", "Smith's Green": a capitalised word after it continues a place.
    if (
      possessiveLength(ctx, i) &&
      (span.tag === PERSON || !(tokens.flags[i + 1]! & (F_FIRST_UPPER | F_ALL_UPPER)))
    ) {
      span.last = i;
      return;
    }
  }
}

/**
 * "Emergency Contact: Robert Brown", "ROSSÖN: Department Of Better Technology": a colon ends a
 * name; the words after it are a name of their own. Cuts `span` before the colon and returns the
 * part after it, if any.
 */
export function splitAtColon(ctx: RuleContext, span: TokenSpan): TokenSpan | undefined {
  const { tokens } = ctx;
  for (let i = span.first + 1; i < span.last; i++) {
    if (tokens.flags[i]! & F_WORD || charAt(ctx, i) !== ':') continue;
    // The tagger read the label and the name as one organisation; a name after it is a person's.
    const tag =
      span.tag !== PERSON && i + 2 <= span.last && readsAsPerson(ctx, span.tag, i + 1, span.last)
        ? PERSON
        : span.tag;
    const rest = { tag, first: i + 1, last: span.last, margin: span.margin };
    span.last = i - 1;
    return rest;
  }
  return undefined;
}

/**
 * "Employee Maria Garcia", "Client John Smith", "Nurse Ann Lee": a capitalised role word before a
 * first name is not part of the name. The span becomes the person after it, unless a word of
 * the rest makes it an organisation or a street ("Royal Mary Hospital", "Saint John Street").
 */
export function dropRoleWords(ctx: RuleContext, span: TokenSpan): void {
  // "home city Florida", "the capital Paris": a lower-case everyday word before a capitalised
  // name is not part of it ("new york" in lower case keeps its "new").
  while (
    span.first < span.last &&
    isLowerEverydayWord(ctx, span.first) &&
    ctx.tokens.flags[span.first + 1]! & (F_FIRST_UPPER | F_ALL_UPPER)
  )
    span.first++;
  let first = span.first;
  while (first < span.last && isRoleWord(ctx, first)) first++;
  if (first === span.first) return;
  // "Ask Brittney Einarsdóttir": a sentence-initial word before two or more capitalised words of a
  // person span is not part of the name, even when no list knows the name.
  const opening =
    span.tag === PERSON && first === span.first + 1 && first < span.last && sentenceInitial(ctx, span.first);
  if (opening || readsAsPerson(ctx, span.tag, first, span.last)) {
    span.first = first;
    span.tag = PERSON;
  }
}

/** Tokens `first..last` start with a first name (or a surname, in a person span) and hold no organisation or street word. */
function readsAsPerson(ctx: RuleContext, tag: number, first: number, last: number): boolean {
  const { gaz } = ctx;
  // A surname alone reads as a person only where the tagger said so ("Witness Smith").
  if (
    !(gaz[first]! & G.first || (tag === PERSON && gaz[first]! & G.last)) ||
    (first === last && tag !== PERSON)
  )
    return false;
  // The street list holds many given names ("Robert", "Albert"); those still read as names.
  for (let i = first; i <= last; i++)
    if (gaz[i]! & (G.orgSuffix | G.street | G.secondary) && !(gaz[i]! & (G.first | G.last))) return false;
  return true;
}

/** Words that name a part of a place ("northern Cyprus", "south London"). */
const DIRECTION = new WordSet([
  'north',
  'south',
  'east',
  'west',
  'northern',
  'southern',
  'eastern',
  'western',
  'central',
  'upper',
  'lower',
  'greater',
  'inner',
  'outer',
]);

/** A lower-case everyday word that is no person's name, no name's connector ("van", "de") and no direction. */
function isLowerEverydayWord(ctx: RuleContext, i: number): boolean {
  const { tokens, gaz } = ctx;
  const flags = tokens.flags[i]!;
  if (
    (flags & (F_WORD | F_FIRST_UPPER | F_ALL_UPPER | F_HAS_DIGIT)) !== F_WORD ||
    DIRECTION.has(tokens.hash[i]!)
  )
    return false;
  return (
    !(gaz[i]! & (G.first | G.last | G.connector | G.function | G.street)) &&
    ((gaz[i]! & G.common) !== 0 || EVERYDAY.has(tokens.hash[i]!))
  );
}

/** A capitalised everyday word that is no name, honorific, function word or organisation word ("Patient", "Employee"). */
function isRoleWord(ctx: RuleContext, i: number): boolean {
  const { tokens, gaz } = ctx;
  const flags = tokens.flags[i]!;
  if (!(flags & F_WORD) || !(flags & (F_FIRST_UPPER | F_ALL_UPPER)) || flags & F_HAS_DIGIT) return false;
  const bits = gaz[i]!;
  return (
    !(bits & (NAMEISH | G.honorific | G.function | G.month | G.weekday | G.orgSuffix)) &&
    ((bits & G.common) !== 0 || EVERYDAY.has(tokens.hash[i]!))
  );
}

/**
 * "Patient Jane Doe": a capitalised first name the tagger left out, right before a span that
 * starts with a surname (a known one, or a capitalised word in no word list), makes that span a
 * person with the first name in it.
 */
export function takeFirstNameBefore(ctx: RuleContext, span: TokenSpan): void {
  const { tokens, gaz, tags } = ctx;
  const before = span.first - 1;
  if (before < 0 || tags[before] !== 0 || tokens.start[span.first]! - tokens.end[before]! !== 1) return;
  const flags = tokens.flags[before]!;
  if (!(flags & F_WORD) || !(flags & F_FIRST_UPPER)) return;
  if (!(gaz[before]! & G.first) || gaz[before]! & (G.function | G.month | G.weekday)) return;
  // The span's first word reads as a surname: a known one, or a capitalised word no list knows.
  const surname = gaz[span.first]!;
  if (!(tokens.flags[span.first]! & F_FIRST_UPPER) || (!(surname & G.last) && surname !== 0)) return;
  span.first = before;
  span.tag = PERSON;
}

/**
 * "My name is Sarah Iwase", "a david lange concert": a lone first name followed on the same line by
 * a word that could be a surname takes it. The tagger often stops after the first name when the
 * surname is rare: a capitalised word, or (in lower-case text) a lower-case word that is neither
 * a common nor a function word. Months, week days, honorifics and numbers never extend a name.
 */
export function extendFirstName(ctx: RuleContext, span: TokenSpan): void {
  const { tokens, gaz, tags } = ctx;
  if (span.first !== span.last) return;
  if (!(gaz[span.first]! & G.first)) {
    extendUnknownName(ctx, span);
    return;
  }
  const next = span.last + 1;
  if (next >= tokens.count || tags[next] !== 0 || tokens.start[next]! - tokens.end[span.last]! !== 1) return;
  const flags = tokens.flags[next]!;
  if (!(flags & F_WORD) || flags & (F_HAS_DIGIT | F_NEWLINE_BEFORE | F_ALL_UPPER)) return;
  const bits = gaz[next]!;
  if (bits & (G.function | G.month | G.weekday | G.honorific | G.street | G.orgSuffix)) return;
  const capitalised = (flags & F_FIRST_UPPER) !== 0;
  const nameFirst = tokens.flags[span.first]! & F_FIRST_UPPER;
  if (capitalised ? !nameFirst : nameFirst || bits & G.common || EVERYDAY.has(tokens.hash[next]!)) return;
  span.last = next;
}

/**
 * "My name is Brittney Einarsdóttir": a capitalised word the tagger took for a person (or a
 * place: "a national, Olubukunola Obasa") although no list knows it takes a capitalised word
 * right after it that no list knows either (or only as a surname), and that is no everyday word.
 */
export function extendUnknownName(ctx: RuleContext, span: TokenSpan): void {
  const { tokens, gaz, tags } = ctx;
  const next = span.last + 1;
  if (next >= tokens.count || tags[next] !== 0 || tokens.start[next]! - tokens.end[span.last]! !== 1) return;
  const flags = tokens.flags[next]!;
  if (
    (flags & (F_WORD | F_FIRST_UPPER | F_HAS_DIGIT | F_NEWLINE_BEFORE | F_ALL_UPPER)) !==
    (F_WORD | F_FIRST_UPPER)
  )
    return;
  if (!(tokens.flags[span.first]! & F_FIRST_UPPER) || gaz[span.first]! & ~G.last) return;
  if (gaz[next]! & ~G.last || EVERYDAY.has(tokens.hash[next]!)) return;
  span.last = next;
}

/**
 * "Patient: Maria Garcia", "Resident Maria Garcia": two or three capitalised words that start with a
 * first name and end with a surname are a person, not the place the tagger read (many given names
 * and surnames are also towns), unless a preposition of place comes before them ("to Santa Clara").
 */
export function personNamedLikePlace(ctx: RuleContext, span: TokenSpan): void {
  const { tokens, gaz } = ctx;
  const words = span.last - span.first + 1;
  if (words < 2 || words > 3 || !(gaz[span.first]! & G.first) || !(gaz[span.last]! & G.last)) return;
  for (let i = span.first; i <= span.last; i++) {
    if ((tokens.flags[i]! & (F_WORD | F_FIRST_UPPER)) !== (F_WORD | F_FIRST_UPPER)) return;
    if (gaz[i]! & (G.street | G.orgSuffix) && !(gaz[i]! & (G.first | G.last))) return;
  }
  if (span.first > 0 && PLACE_PREPOSITION.has(tokens.hash[span.first - 1]!)) return;
  span.tag = PERSON;
}

/**
 * "Mary O'Neil", "Ann McDonald-Smith": a capitalised word with an apostrophe or hyphen right
 * after a name is its surname. Such words are rare in training data, so the tagger often stops
 * before them.
 */
export function extendJoinedSurname(ctx: RuleContext, span: TokenSpan): void {
  const { tokens, tags } = ctx;
  const next = span.last + 1;
  if (next >= tokens.count || tags[next] !== 0) return;
  const flags = tokens.flags[next]!;
  if ((flags & (F_WORD | F_FIRST_UPPER | F_JOINED | F_HAS_DIGIT)) !== (F_WORD | F_FIRST_UPPER | F_JOINED))
    return;
  if (tokens.start[next]! - tokens.end[span.last]! !== 1) return;
  span.last = next;
}

/** "Mr. Fernandez" tagged as "Mr." and "Fernandez": an honorific alone joins the person right after it. */
export function joinHonorific(ctx: RuleContext, spans: TokenSpan[]): void {
  const { tokens, gaz } = ctx;
  let kept = 0;
  for (const span of spans) {
    const previous = spans[kept - 1];
    if (
      previous &&
      previous.tag === PERSON &&
      span.tag === PERSON &&
      gaz[previous.first]! & G.honorific &&
      span.first === previous.last + 1
    ) {
      const lone =
        previous.first === previous.last ||
        (previous.first + 1 === previous.last && charAt(ctx, previous.last) === '.');
      if (lone && !(tokens.flags[span.first]! & F_NEWLINE_BEFORE)) {
        spans[kept - 1] = { ...previous, last: span.last, margin: Math.min(previous.margin, span.margin) };
        continue;
      }
    }
    spans[kept++] = span;
  }
  if (kept < spans.length) spans.length = kept;
}
