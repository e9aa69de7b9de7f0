/**
 * Places and groups: a kind of place and its name ("Borough of Southwark"), a place and its
 * region written with a comma ("Lyon, France"), and a nationality with its noun ("a Turkish
 * national").
 */
import { isCountryName } from '../countries.js';
import { G } from '../gazetteer.js';
import { F_ALL_UPPER, F_FIRST_UPPER, F_NEWLINE_BEFORE, F_WORD, WordSet } from '../tokenizer.js';
import { LOCATION, RULE_MARGIN, type RuleContext, type TokenSpan } from './context.js';
import { AND, charAt, isNameWord, OR } from './words.js';

const CITIZEN = new WordSet(['national', 'nationals', 'citizen', 'citizens']);

/** "a Turkish national": TAB marks the whole phrase as the demographic attribute. */
export function extendNationality(ctx: RuleContext, span: TokenSpan): void {
  const { tokens } = ctx;
  const next = span.last + 1;
  if (next < tokens.count && !(tokens.flags[next]! & F_FIRST_UPPER) && CITIZEN.has(tokens.hash[next]!))
    span.last = next;
}

/** Words naming a kind of place before "of" and its name ("Borough of Southwark", "County of Kent"). */
const PLACE_KIND = new WordSet([
  'borough',
  'county',
  'city',
  'district',
  'province',
  'region',
  'municipality',
  'republic',
  'kingdom',
  'state',
  'town',
  'village',
  'canton',
  'department',
  'prefecture',
  'governorate',
  'commune',
  'parish',
]);

/** Most name words after "of" in a place found by `placesOfKind`. */
const MAX_PLACE_WORDS = 3;

/**
 * "the Borough of Southwark", "the County of Kent": a capitalised kind of place, "of" and a name
 * are one place. The tagger tends to split them ("Borough" as an organisation, "Southwark" as a
 * person); the whole wins over the parts as the longer span.
 */
export function placesOfKind(ctx: RuleContext, spans: TokenSpan[]): void {
  const { tokens } = ctx;
  for (const i of ctx.placeStarts) {
    if (i + 2 >= tokens.count || !PLACE_KIND.has(tokens.hash[i]!)) continue;
    let last = i + 1;
    while (
      last + 1 < tokens.count &&
      last - i - 1 < MAX_PLACE_WORDS &&
      isNameWord(ctx, last + 1) &&
      !(tokens.flags[last + 1]! & F_NEWLINE_BEFORE)
    )
      last++;
    if (last > i + 1) spans.push({ tag: LOCATION, first: i, last, margin: RULE_MARGIN });
  }
}

/**
 * Capitalised words of a kind of land that end a place's name ("Sherwood Forest", "Victoria
 * Falls", "COOMINGLAH FOREST"). Words that are also common surnames or street types ("Hill",
 * "Lake", "Park") are left out.
 */
const LANDFORM = new WordSet([
  'forest',
  'mountains',
  'falls',
  'valley',
  'island',
  'islands',
  'bay',
  'springs',
  'desert',
  'canyon',
  'peninsula',
  'glacier',
  'fjord',
]);

/** Token `i` is a capitalised landform word (`LANDFORM`). */
function isLandform(ctx: RuleContext, i: number): boolean {
  return (ctx.tokens.flags[i]! & (F_FIRST_UPPER | F_ALL_UPPER)) !== 0 && LANDFORM.has(ctx.tokens.hash[i]!);
}

/**
 * "Sherwood Forest" read as a person, "Victoria Falls" as a street: a name ending in a landform
 * word is a place. "COOMINGLAH" + "FOREST": a landform word read apart right after a place ends
 * that place.
 */
export function landformPlaces(ctx: RuleContext, spans: TokenSpan[]): void {
  let kept = 0;
  for (const span of spans) {
    const previous = spans[kept - 1];
    if (
      previous?.tag === LOCATION &&
      span.first === span.last &&
      span.first === previous.last + 1 &&
      !(ctx.tokens.flags[span.first]! & F_NEWLINE_BEFORE) &&
      isLandform(ctx, span.first)
    ) {
      spans[kept - 1] = { ...previous, last: span.last, margin: Math.min(previous.margin, span.margin) };
      continue;
    }
    if (span.first < span.last && isLandform(ctx, span.last)) span.tag = LOCATION;
    spans[kept++] = span;
  }
  if (kept < spans.length) spans.length = kept;
}

/** Most lower-case words between the two halves of a country's name ("and the"). */
const MAX_COUNTRY_JOINERS = 2;

/**
 * "Saint Vincent" + "Grenadines", "Turks" + "Caicos Islands": two neighbouring spans with only
 * lower-case words between them ("and the") that together spell a country's name
 * (`countries.ts`) are that country, one place.
 */
export function joinCountryNames(ctx: RuleContext, spans: TokenSpan[]): void {
  const { tokens, text } = ctx;
  let kept = 0;
  for (const span of spans) {
    const previous = spans[kept - 1];
    const gap = previous ? span.first - previous.last - 1 : -1;
    if (
      previous &&
      gap >= 1 &&
      gap <= MAX_COUNTRY_JOINERS &&
      !hasUpperOrBreak(ctx, previous.last + 1, span.first) &&
      isCountryName(text, tokens.start[previous.first]!, tokens.end[span.last]!)
    ) {
      spans[kept - 1] = {
        tag: LOCATION,
        first: previous.first,
        last: span.last,
        margin: Math.min(previous.margin, span.margin),
      };
      continue;
    }
    spans[kept++] = span;
  }
  if (kept < spans.length) spans.length = kept;
}

/** Some token in `[from, to]` is capitalised, or a line break comes before one of `(from, to]`. */
function hasUpperOrBreak(ctx: RuleContext, from: number, to: number): boolean {
  for (let i = from; i <= to; i++) {
    if (i < to && ctx.tokens.flags[i]! & (F_FIRST_UPPER | F_ALL_UPPER)) return true;
    if (ctx.tokens.flags[i]! & F_NEWLINE_BEFORE) return true;
  }
  return false;
}

/**
 * "located in Beyoğlu, Istanbul", "born in Lyon, France": two places with only a comma between
 * them, the second one word or a known city, country or state, name one place (its district and
 * city, or city and country) and are reported as one span. A list of places ("Paris, London and
 * Rome") is not.
 */
export function joinPlaceAndRegion(ctx: RuleContext, spans: TokenSpan[]): void {
  const { tokens } = ctx;
  let kept = 0;
  for (let k = 0; k < spans.length; k++) {
    const span = spans[k]!;
    const previous = spans[kept - 1];
    const comma = span.first - 1;
    if (
      previous &&
      previous.tag === LOCATION &&
      span.tag === LOCATION &&
      previous.last === comma - 1 &&
      charAt(ctx, comma) === ',' &&
      !(tokens.flags[comma]! & F_WORD) &&
      !(tokens.flags[span.first]! & F_NEWLINE_BEFORE) &&
      !inPlaceList(ctx, spans, kept - 1, k) &&
      (isKnownRegion(ctx, span) || span.first === span.last) &&
      tokens.flags[previous.last]! & (F_FIRST_UPPER | F_ALL_UPPER)
    ) {
      spans[kept - 1] = { ...previous, last: span.last, margin: Math.min(previous.margin, span.margin) };
      continue;
    }
    spans[kept++] = span;
  }
  if (kept < spans.length) spans.length = kept;
}

/** The span ends in a known city, country or state code ("Istanbul", "France", "IL"). */
function isKnownRegion(ctx: RuleContext, span: TokenSpan): boolean {
  return (
    (ctx.gaz[span.last]! & (G.city | G.country | G.stateAbbr)) !== 0 &&
    (ctx.tokens.flags[span.last]! & (F_FIRST_UPPER | F_ALL_UPPER)) !== 0
  );
}

/** True when the places `spans[a]` and `spans[b]` are items of a longer list (a comma or "and"/"or" before or after them). */
function inPlaceList(ctx: RuleContext, spans: readonly TokenSpan[], a: number, b: number): boolean {
  const { tokens } = ctx;
  const before = spans[a]!.first - 1;
  const after = spans[b]!.last + 1;
  if (before >= 0 && !(tokens.flags[before]! & F_WORD) && charAt(ctx, before) === ',') return true;
  if (after >= tokens.count) return false;
  return (
    (!(tokens.flags[after]! & F_WORD) && charAt(ctx, after) === ',' && spans[b + 1]?.first === after + 1) ||
    tokens.hash[after] === AND ||
    tokens.hash[after] === OR
  );
}
