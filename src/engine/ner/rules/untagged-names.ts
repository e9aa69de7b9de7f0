/**
 * Names the tagger left out, looked for at each untagged word while its spans are read: the words
 * after "my name is", capitalised words no list knows, and first names typed in lower case.
 */
import { EVERYDAY, G, gazetteerBits } from '../gazetteer.js';
import {
  F_ALL_UPPER,
  F_FIRST_UPPER,
  F_HAS_DIGIT,
  F_NEWLINE_BEFORE,
  F_UNCASED,
  F_WORD,
  hashWord,
  WordSet,
} from '../tokenizer.js';
import {
  LOCATION,
  LOWER_NAME_MARGIN,
  ORGANIZATION,
  PERSON,
  type RuleContext,
  type TokenSpan,
} from './context.js';
import {
  AND,
  charAt,
  COMMA,
  DETERMINER,
  everydayPlural,
  OF,
  PLACE_PREPOSITION,
  possessiveLength,
} from './words.js';

/**
 * Names the tagger left out, looked for at each untagged word `i` during the pass that collects
 * the tagger's spans: after "my name is" (`nameAfterNameIs`), capitalised words no list knows
 * (`unknownProperName`) and first names typed in lower case (`lowerCaseFirstName`). Returns the
 * last token it used.
 */
export function untaggedWord(ctx: RuleContext, spans: TokenSpan[], i: number): number {
  const { tokens, gaz } = ctx;
  const word = tokens.flags[i]!;
  if (!(word & F_WORD)) return i;
  noteListOrPlace(ctx, i);
  // Cheap tests first: most words are neither after a function word nor first names.
  if (tokens.hash[i] === NAME) return nameAfterNameIs(ctx, spans, i);
  if (word & (F_FIRST_UPPER | F_ALL_UPPER))
    return i === 0 || word & F_NEWLINE_BEFORE || gaz[i - 1]! & G.function || afterPlaceNoun(ctx, i)
      ? unknownProperName(ctx, spans, i)
      : i;
  if ((gaz[i]! & (G.first | NOT_A_LOWER_NAME)) === G.first) lowerCaseFirstName(ctx, spans, i);
  return i;
}

/** Notes token `i` when a comma or "and" (a list) or "of" after a capital (a kind of place) follows it. */
export function noteListOrPlace(ctx: RuleContext, i: number): void {
  const { tokens } = ctx;
  if (i + 1 >= tokens.count) return;
  // Punctuation tokens carry the hash of their character, so one compare finds a comma.
  const after = tokens.hash[i + 1]!;
  if (after === AND || after === COMMA) ctx.listStarts.push(i);
  else if (after === OF && tokens.flags[i]! & F_FIRST_UPPER) ctx.placeStarts.push(i);
}

/** Gazetteer lists that make a lower-case first name more likely some other word. */
const NOT_A_LOWER_NAME =
  G.common |
  G.function |
  G.month |
  G.weekday |
  G.connector |
  G.street |
  G.secondary |
  G.orgSuffix |
  G.honorific;

/** Characters that, touching a word, make it part of an address, a file name or an identifier. */
const JOINING = '@._/-\\#';

/**
 * "follow up with tracy wiśniewska", "oles shouted at samantha": in text typed in lower case a
 * first name no everyday list knows is a name, even where the tagger, trained mostly on
 * capitalised text, left it out. Such words are rare outside names (a few in a year of court
 * judgments), so each becomes a person; `extendFirstName` then adds the surname after it.
 */
function lowerCaseFirstName(ctx: RuleContext, spans: TokenSpan[], i: number): void {
  const { tokens, gaz, tags } = ctx;
  const text = ctx.text;
  if ((tokens.flags[i]! & (F_WORD | F_FIRST_UPPER | F_ALL_UPPER | F_HAS_DIGIT | F_UNCASED)) !== F_WORD)
    return;
  if (!(gaz[i]! & G.first) || gaz[i]! & NOT_A_LOWER_NAME || tokens.end[i]! - tokens.start[i]! < 3) return;
  if ((i > 0 && tags[i - 1] !== 0) || (i + 1 < tokens.count && tags[i + 1] !== 0)) return;
  // A name stands after a function word ("with", "at", "by") or punctuation, and before no
  // lower-case content word: "inter alia complained", "under martial law" are phrases.
  if (i > 0 && tokens.flags[i - 1]! & F_WORD && !(gaz[i - 1]! & G.function)) return;
  if (EVERYDAY.has(tokens.hash[i]!)) return;
  if (
    JOINING.includes(text.charAt(tokens.start[i]! - 1) || ' ') ||
    JOINING.includes(text.charAt(tokens.end[i]!) || ' ')
  )
    return;
  const next = i + 1;
  if (
    next < tokens.count &&
    (tokens.flags[next]! & (F_WORD | F_FIRST_UPPER | F_ALL_UPPER)) === F_WORD &&
    !(gaz[next]! & G.function) &&
    EVERYDAY.has(tokens.hash[next]!)
  )
    return;
  spans.push({ tag: PERSON, first: i, last: i, margin: LOWER_NAME_MARGIN });
}

/**
 * "but Julitta just has to", "we returned to Blaketown by helicopter", "him and Sumaya's kid": a
 * capitalised word inside a sentence that no list knows (not even the everyday words), between a
 * lower-case function word and a function word or punctuation, is a name the tagger left out.
 * A word followed by a content word is left alone ("where Metallica first played", "the
 * Maxillofacial surgeon"): there it is more often a brand or an adjective. Reported as a person,
 * as a place after a preposition of place, or as an organisation after an article. Such a word
 * opening a line before a colon is a speaker in a transcript ("Kalman: Who are you?").
 */
function unknownProperName(ctx: RuleContext, spans: TokenSpan[], i: number): number {
  const { tokens, gaz, tags } = ctx;
  if (i + 1 >= tokens.count) return i;
  // "Kalman: “Who are you?”": a speaker's name opening a line of a transcript.
  if (
    (i === 0 || tokens.flags[i]! & F_NEWLINE_BEFORE) &&
    charAt(ctx, i + 1) === ':' &&
    !(tokens.flags[i + 1]! & F_WORD) &&
    isUnknownName(ctx, i, false)
  ) {
    spans.push({ tag: PERSON, first: i, last: i, margin: LOWER_NAME_MARGIN });
    return i;
  }
  if (i === 0) return i;
  const previous = tokens.flags[i - 1]!;
  // "her home city Montevideo": a name right after a lower-case place noun names that place.
  const ofPlaceNoun = afterPlaceNoun(ctx, i);
  if (
    tags[i - 1] !== 0 ||
    (previous & (F_WORD | F_FIRST_UPPER | F_ALL_UPPER)) !== F_WORD ||
    !(gaz[i - 1]! & G.function || ofPlaceNoun)
  )
    return i;
  const before = tokens.hash[i - 1]!;
  // A known place the tagger left out counts after a preposition of place ("in FINSPÅNG for").
  const place = PLACE_PREPOSITION.has(before) || ofPlaceNoun;
  if (!isUnknownName(ctx, i, place)) return i;
  // "represented by Royds Rdw, solicitors": a second such word is part of the name.
  const last =
    !possessiveLength(ctx, i) &&
    tokens.start[i + 1]! - tokens.end[i]! === 1 &&
    isUnknownName(ctx, i + 1, place)
      ? i + 1
      : i;
  if (last + 1 >= tokens.count || tags[last + 1] !== 0) return i;
  const next = tokens.flags[last + 1]!;
  if (
    !possessiveLength(ctx, last) &&
    (next & F_WORD
      ? next & (F_FIRST_UPPER | F_ALL_UPPER) || !(gaz[last + 1]! & G.function || ofPlaceNoun)
      : !',.;:!?)"”'.includes(charAt(ctx, last + 1)))
  )
    return i;
  // "the Registry", "an Etibank branch": a name after an article is an institution's, not a person's.
  const tag = ofPlaceNoun ? LOCATION : DETERMINER.has(before) ? ORGANIZATION : place ? LOCATION : PERSON;
  spans.push({ tag, first: i, last, margin: LOWER_NAME_MARGIN });
  return last;
}

/** Lower-case nouns of a kind of place, after which a name is that place ("home city Montevideo"). */
const PLACE_NOUN = new WordSet(['city', 'town', 'village', 'hometown', 'capital']);

/** Token `i - 1` is a lower-case place noun (`PLACE_NOUN`) on the same line as token `i`. */
function afterPlaceNoun(ctx: RuleContext, i: number): boolean {
  const { tokens } = ctx;
  return (
    i > 0 &&
    !(tokens.flags[i]! & F_NEWLINE_BEFORE) &&
    (tokens.flags[i - 1]! & (F_WORD | F_FIRST_UPPER | F_ALL_UPPER)) === F_WORD &&
    PLACE_NOUN.has(tokens.hash[i - 1]!)
  );
}

/**
 * Token `i` is an untagged capitalised word (or one of five capitals or more) that no list knows,
 * everyday words and their plurals included; with `place`, a known place counts as unknown.
 */
function isUnknownName(ctx: RuleContext, i: number, place: boolean): boolean {
  const { tokens, tags } = ctx;
  const flags = tokens.flags[i]!;
  if (
    tags[i] !== 0 ||
    !(flags & F_WORD) ||
    flags & (F_HAS_DIGIT | F_UNCASED) ||
    !(flags & (F_FIRST_UPPER | F_ALL_UPPER))
  )
    return false;
  // "I am in FINSPÅNG for a trip": a word in capitals is a name too when it is long enough
  // not to be a common acronym ("HTML", "JSON").
  if (flags & F_ALL_UPPER && tokens.end[i]! - tokens.start[i]! < MIN_CAPITALS_NAME) return false;
  const possessive = possessiveLength(ctx, i);
  const hash = possessive
    ? hashWord(ctx.text.slice(tokens.start[i]!, tokens.end[i]! - possessive))
    : tokens.hash[i]!;
  const bits = (possessive ? gazetteerBits(hash) : ctx.gaz[i]!) & ~(place ? G.city | G.country : 0);
  return (
    tokens.end[i]! - possessive - tokens.start[i]! >= 3 &&
    bits === 0 &&
    !EVERYDAY.has(hash) &&
    !everydayPlural(ctx, i)
  );
}

const NAME = hashWord('name');

const IS = hashWord('is');

const WAS = hashWord('was');

/** Most words of a name taken after "my name is". */
const MAX_NAMED_WORDS = 2;

/**
 * "my name is mieszko", "user name: dana mitchell": the words right after "name is", "name was" or
 * "name:" on the same line are a person's name, whatever their case and whether or not a list
 * knows them, up to a function word, an everyday word or punctuation.
 */
function nameAfterNameIs(ctx: RuleContext, spans: TokenSpan[], i: number): number {
  const { tokens, gaz, tags } = ctx;
  const verb = i + 1;
  if (verb + 1 >= tokens.count) return i;
  const colon = !(tokens.flags[verb]! & F_WORD) && charAt(ctx, verb) === ':';
  if (!colon && tokens.hash[verb] !== IS && tokens.hash[verb] !== WAS) return i;
  let last = verb;
  for (let j = verb + 1; j < tokens.count && j - verb <= MAX_NAMED_WORDS; j++) {
    const flags = tokens.flags[j]!;
    if (
      tags[j] !== 0 ||
      !(flags & F_WORD) ||
      flags & (F_HAS_DIGIT | F_NEWLINE_BEFORE) ||
      gaz[j]! & (G.function | G.honorific)
    )
      break;
    if (EVERYDAY.has(tokens.hash[j]!) && !(gaz[j]! & G.first)) break;
    last = j;
  }
  if (last === verb) return i;
  spans.push({ tag: PERSON, first: verb + 1, last, margin: LOWER_NAME_MARGIN });
  return last;
}

/** Fewest letters of a word in capitals that `unknownProperName` reads as a name. */
const MIN_CAPITALS_NAME = 5;
