/**
 * The recognizer that finds names of people, places, organisations, nationalities/religious/
 * political groups and street addresses with the trained tagger. No model download: the
 * weights ship in `model/weights.json` and the gazetteers in `data/gazetteers.json`.
 */
import type { Finding, FindingPart, Recognizer, TextWindow } from '../types.js';
import { lowerBound } from '../scan/lower-bound.js';
import { TRIGGERS } from '../scan/triggers.js';
import { continueAddress } from './address.js';
import { occupationOf } from './job-title.js';
import { FEATURE_VERSION, type TaggedTokens } from './features.js';
import { EVERYDAY, G, gazetteerBits, NAMEISH } from './gazetteer.js';
import { PerceptronModel, type ModelFile } from './perceptron.js';
import { beginTag, entityOf, isInside, TAGS } from './tags.js';
import { decode, DecodeScratch, lookupGazetteers } from './tagger.js';
import {
  F_ALL_DIGIT,
  F_ALL_UPPER,
  F_FIRST_UPPER,
  F_HAS_DIGIT,
  F_JOINED,
  F_NEWLINE_BEFORE,
  F_UNCASED,
  F_WORD,
  hashWord,
  TokenBuffer,
  tokenize,
  WordSet,
} from './tokenizer.js';
import weights from './model/weights.json' with { type: 'json' };

/** The trained model, built once when the module loads. */
export const MODEL = PerceptronModel.fromFile(weights as ModelFile, FEATURE_VERSION, TAGS);

/** Longest window tagged in one pass; longer windows are cut at a whitespace near this size. */
const SLICE = 1 << 16;

/** The one span-final punctuation that belongs to an entity ("Acme Corp.", "Smith Jr."). */
const PERIOD_CODE = 46;

/** Words whose following period is part of the entity, when they are abbreviated. */
const ABBREVIATION = G.orgSuffix | G.personSuffix | G.street | G.secondary | G.honorific;

/** Abbreviations of four letters or more; shorter words of the lists above ("St", "Inc", "Jr") are all taken as abbreviated. */
const LONG_ABBREVIATION = new WordSet([
  'corp',
  'blvd',
  'bldg',
  'dept',
  'bros',
  'assn',
  'assoc',
  'univ',
  'intl',
  'mfrs',
  'pkwy',
  'hwy',
  'apts',
  'esq',
  'cres',
  'tce',
]);

/** A single capital letter ("J" of "J. R. Tolkien"). */
function isInitial(i: number): boolean {
  const { tokens } = scratch;
  return (
    tokens.end[i]! - tokens.start[i]! === 1 &&
    (tokens.flags[i]! & (F_WORD | F_ALL_UPPER)) === (F_WORD | F_ALL_UPPER)
  );
}

/**
 * True when the period right after token `i` abbreviates it ("Acme Corp.", "Smith Jr.", "Baker
 * St."), rather than ending the sentence after a whole word ("... and Hill.", "Baker Street.").
 */
function takesPeriod(i: number): boolean {
  const { tokens } = scratch;
  return (
    (scratch.gaz[i]! & ABBREVIATION) !== 0 &&
    (tokens.end[i]! - tokens.start[i]! <= 3 || LONG_ABBREVIATION.has(tokens.hash[i]!))
  );
}

/**
 * Confidence from the smallest margin inside the span: a span is as sure as its least sure token.
 * The curve keeps every tagged span above the default threshold (0.4) and below validated
 * identifiers (1.0), so a checksum-validated number wins an overlap against a name.
 */
function confidence(minMargin: number): number {
  return Math.round((0.5 + 0.45 * (1 - Math.exp(-minMargin / 4))) * 100) / 100;
}

class Scratch {
  readonly tokens = new TokenBuffer();
  gaz = new Int32Array(1024);
  tags = new Int8Array(1024);
  margins = new Float32Array(1024);
  readonly decode = new DecodeScratch(MODEL, true);
  /** The text being tagged (for the span rules). */
  text = '';

  fit(count: number): void {
    if (this.gaz.length >= count) return;
    let size = this.gaz.length;
    while (size < count) size *= 2;
    this.gaz = new Int32Array(size);
    this.tags = new Int8Array(size);
    this.margins = new Float32Array(size);
  }
}

const scratch = new Scratch();

/**
 * Tags `text[from, to)` and returns the entity spans found, with absolute offsets.
 *
 * @example
 * ```ts
 * tagEntities('Mr John Smith lives in Paris.', 0, 29);
 * // [{ type: 'PERSON', start: 0, end: 13, ... }, { type: 'LOCATION', start: 23, end: 28, ... }]
 * ```
 */
export function tagEntities(text: string, from: number, to: number): Finding[] {
  const found: Finding[] = [];
  // Long windows are tagged in slices cut at whitespace, so the token arrays stay small.
  for (let at = from; at < to;) {
    let stop = Math.min(to, at + SLICE);
    if (stop < to) {
      const newline = text.lastIndexOf('\n', stop);
      const space = text.lastIndexOf(' ', stop);
      const cut = newline > at + SLICE / 2 ? newline : space;
      if (cut > at) stop = cut;
    }
    tagSlice(text, at, stop, found);
    at = stop;
  }
  scratch.tokens.release();
  return found;
}

/** A tagged span in token indices, before the rules below adjust it. */
interface TokenSpan {
  tag: number;
  first: number;
  last: number;
  margin: number;
  /** Built by a rule from explicit evidence (a legal form); wins over a tagger span it overlaps. */
  rule?: boolean;
}

const PERSON = beginTag('PERSON');
const LOCATION = beginTag('LOCATION');
const ORGANIZATION = beginTag('ORGANIZATION');
const ADDRESS = beginTag('STREET_ADDRESS');
const AND = hashWord('and');

function tagSlice(text: string, from: number, to: number, found: Finding[]): void {
  const { tokens } = scratch;
  scratch.text = text;
  tokenize(text, from, to, tokens);
  scratch.fit(tokens.count);
  const { gaz, tags, margins } = scratch;
  lookupGazetteers(tokens, gaz);
  const t: TaggedTokens = { tokens, gaz, text };
  decode(t, MODEL, scratch.decode, tags, margins);
  const spans: TokenSpan[] = [];
  listStarts.length = 0;
  placeStarts.length = 0;
  for (let i = 0; i < tokens.count;) {
    const tag = tags[i]!;
    if (tag === 0 || isInside(tag)) {
      // Untagged words are looked at in this same pass, so the spans stay in order.
      i = (tag === 0 ? untaggedWord(spans, tags, i) : i) + 1;
      continue;
    }
    let last = i;
    let minMargin = margins[i]!;
    while (last + 1 < tokens.count && tags[last + 1] === tag + 1) {
      last++;
      minMargin = Math.min(minMargin, margins[last]!);
    }
    const next = last + 1;
    let first = i;
    // Trim punctuation the span cannot start or end with.
    while (first <= last && !(tokens.flags[first]! & F_WORD)) first++;
    while (
      last >= first &&
      !(tokens.flags[last]! & F_WORD) &&
      text.charCodeAt(tokens.start[last]!) !== PERIOD_CODE
    )
      last--;
    // "Group, London.": a full stop the tagger took in ends the sentence, unless it abbreviates
    // the word before it ("Acme Corp.", "John F.").
    if (last > first && !(tokens.flags[last]! & F_WORD) && !takesPeriod(last - 1) && !isInitial(last - 1))
      last--;
    // "Acme Corp." and "Smith Jr.": the period of an abbreviation belongs to the name.
    if (
      first <= last &&
      next < tokens.count &&
      takesPeriod(last) &&
      tokens.start[next] === tokens.end[last] &&
      text[tokens.start[next]!] === '.'
    )
      last = next;
    if (first <= last) spans.push({ tag, first, last, margin: minMargin });
    noteListOrPlace(next - 1);
    i = next;
  }
  coordinatedNames(spans);
  for (let k = 0; k < spans.length; k++) {
    const span = spans[k]!;
    if (span.tag !== ADDRESS) {
      const rest = splitAtColon(span);
      if (rest) spans.splice(k + 1, 0, rest);
      dropRoleWords(span);
    }
    if (span.tag !== ADDRESS) endBeforeLabelledNumber(span);
    if (span.tag !== ADDRESS) takeFirstNameBefore(span, tags);
    if (span.tag === PERSON) extendJoinedSurname(span, tags);
    if (span.tag === PERSON) extendFirstName(span, tags);
    else if (span.tag !== ADDRESS && span.first === span.last) extendUnknownName(span, tags);
    if (span.tag === LOCATION) personNamedLikePlace(span);
    if (span.tag === PERSON || span.tag === LOCATION) endAtPossessive(span);
    if (span.tag !== PERSON && span.tag !== ADDRESS) namedStreet(span);
    if (span.tag === ADDRESS && onlyCalendarWords(span)) {
      spans.splice(k--, 1);
      continue;
    }
    if (span.tag === ADDRESS && !looksLikeStreet(span)) span.tag = LOCATION;
    if (span.tag === ADDRESS) {
      takeHouseNumber(span);
      const next = splitAddressList(span);
      if (next) spans.splice(k + 1, 0, next);
      dropRepeatedStreetWord(span);
      trimAddressTail(span);
    }
    if (span.tag === NRP) extendNationality(span);
    if (span.tag !== PERSON && span.tag !== ADDRESS) institution(span);
    if (span.tag === ORGANIZATION) {
      organisationEdges(span);
      const next = splitOrganisationList(spans, k);
      if (next) spans.splice(k + 1, 0, next);
    }
    const merged = firmName(spans, k);
    if (merged) spans.splice(k, 3, merged);
  }
  legalForms(spans);
  placesOfKind(spans);
  dropOverlaps(spans);
  dropEverydayWordSpans(spans);
  dropCodesAndLabels(spans);
  joinPlaceAndRegion(spans);
  joinHonorific(spans);
  jobTitles(spans);
  let addressEnd = -1;
  for (const span of spans) {
    const start = tokens.start[span.first]!;
    // A place or number the tagger found inside the lines an address took is part of it.
    if (start < addressEnd) continue;
    let end = tokens.end[span.last]!;
    let parts: FindingPart[] | undefined;
    // The tagger learned street lines; the address grammar adds the city, postcode and country.
    if (span.tag === ADDRESS) {
      parts = streetLinePieces(span);
      end = addressEnd = continueAddress(text, end, to, lowerCaseOnly(span), parts);
    } else if (span.tag === PERSON || span.tag === LOCATION) end -= possessiveLength(span.last);
    if (span.tag === PERSON) parts = titleAndName(span, end);
    const finding: Finding = {
      type: span.tag === JOB_TITLE ? 'JOB_TITLE' : entityOf(span.tag),
      start,
      end,
      score: confidence(span.margin),
      recognizer: 'ner-tagger',
    };
    found.push(parts && parts.length > 1 ? { ...finding, parts } : finding);
  }
}

/**
 * The street line of a tagger address as pieces: a building number before a street line that
 * holds its own number ("46 velký průhon 426") is a piece of its own.
 */
function streetLinePieces(span: TokenSpan): FindingPart[] {
  const { tokens } = scratch;
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

/** A person's title and name as pieces ("Dr." and "Nielsen"), or undefined without a title. */
function titleAndName(span: TokenSpan, end: number): FindingPart[] | undefined {
  const { tokens, gaz } = scratch;
  if (span.first === span.last || !(gaz[span.first]! & G.honorific)) return undefined;
  let titleLast = span.first;
  if (titleLast + 1 < span.last && text(titleLast + 1) === '.' && !(tokens.flags[titleLast + 1]! & F_WORD))
    titleLast++;
  const nameStart = tokens.start[titleLast + 1]!;
  if (nameStart >= end) return undefined;
  return [
    { type: 'TITLE', start: tokens.start[span.first]!, end: tokens.end[titleLast]! },
    { type: 'NAME', start: nameStart, end },
  ];
}

/** The tag of a job title found by `jobTitles`: a rule's type, not one of the tagger's. */
const JOB_TITLE = -1;

/** Words before a job title in apposition to a name ("Jane Doe, the site manager,"). */
const TITLE_DETERMINER = new WordSet(['the', 'a', 'an', 'our', 'their', 'his', 'her', 'its', 'your', 'my']);

/** Most words of a job title ("Liquid waste treatment plant and system operator"). */
const MAX_TITLE_WORDS = 7;

/** Most words after the "of" or "for" of a job title ("head of human resources"). */
const MAX_TITLE_COMPLEMENT = 3;

/** Punctuation that ends a job title in apposition. */
const TITLE_END = ',.;:)!?';

const FOR = hashWord('for');
const A = hashWord('a');
const AN = hashWord('an');

/** The margin of a job title (a confidence of 0.68). */
const TITLE_MARGIN = 2;

/**
 * Job titles next to a person's name: in apposition ("Matthew Reumer, the Civil drafter, said",
 * "Jane Doe, head of sales,") or alone on the line under a name that fills its own line, as in
 * a letter's signature ("Dr Jane Smith\nConsultant Cardiologist"). The phrase must end in a word
 * that heads a job title (`occupationOf`); an agent noun alone ("installer") needs an article, a
 * second word or lower case, so "Smith, Baker and Taylor" stays a list of names. Only looked at
 * after a person span, so it costs nothing on text without names.
 */
function jobTitles(spans: TokenSpan[]): void {
  const { tokens } = scratch;
  const count = spans.length;
  for (let k = 0; k < count; k++) {
    const person = spans[k]!;
    if (person.tag !== PERSON) continue;
    const ownLine = person.first === 0 || (tokens.flags[person.first]! & F_NEWLINE_BEFORE) !== 0;
    // "Michael Brandt\nSenior software engineer": the tagger ran the name on into the title under it.
    const wrap = ownLine ? lineBreakIn(person) : -1;
    const next = wrap > 0 ? wrap : person.last + 1;
    if (next + 1 >= tokens.count) continue;
    const flags = tokens.flags[next]!;
    let title: TokenSpan | undefined;
    if (!(flags & (F_WORD | F_NEWLINE_BEFORE)) && text(next) === ',') title = jobTitle(next + 1, false);
    else if (flags & F_NEWLINE_BEFORE && ownLine) title = jobTitle(next, true);
    if (!title) continue;
    const last = person.last;
    person.last = next - 1;
    if (blocksTitle(spans, count, title, tokens.hash[title.first - 1] !== COMMA)) person.last = last;
    else spans.push(title);
  }
  if (spans.length === count) return;
  // A title replaces the organisations and places the tagger read inside it ("the Platemaker").
  spans.sort((a, b) => a.first - b.first || (a.tag === JOB_TITLE ? -1 : b.tag === JOB_TITLE ? 1 : 0));
  let kept = 0;
  let titleEnd = -1;
  for (const span of spans) {
    if (span.first <= titleEnd) continue;
    if (span.tag === JOB_TITLE) titleEnd = span.last;
    spans[kept++] = span;
  }
  spans.length = kept;
}

/** The first token of `span` after its first that starts a line, or -1. */
function lineBreakIn(span: TokenSpan): number {
  const { tokens } = scratch;
  for (let i = span.first + 1; i <= span.last; i++) if (tokens.flags[i]! & F_NEWLINE_BEFORE) return i;
  return -1;
}

/**
 * The job title starting at token `first`, if the words there form one: an optional article,
 * up to `MAX_TITLE_WORDS` words without digits ("and", "of", "for" inside), ended by punctuation
 * or the line's end (`line`: by the line's end only), headed by an occupation.
 */
function jobTitle(first: number, line: boolean): TokenSpan | undefined {
  const { tokens, gaz } = scratch;
  const determiner =
    !line && TITLE_DETERMINER.has(tokens.hash[first]!) && (tokens.flags[first]! & F_WORD) !== 0;
  const start = determiner ? first + 1 : first;
  let last = -1;
  let head = -1;
  let complement = 0;
  for (let i = start; i < tokens.count && (i === start || !(tokens.flags[i]! & F_NEWLINE_BEFORE)); i++) {
    const flags = tokens.flags[i]!;
    if (!(flags & F_WORD)) {
      if (line || !TITLE_END.includes(text(i))) return undefined;
      break;
    }
    if (flags & F_HAS_DIGIT || possessiveLength(i) || i - start >= MAX_TITLE_WORDS) return undefined;
    const hash = tokens.hash[i]!;
    if (gaz[i]! & G.function) {
      const of = hash === OF || hash === FOR;
      // "head of the department": an article may follow "of".
      if (i === start || (!of && hash !== AND && !(hash === THE && tokens.hash[i - 1] === OF)))
        return undefined;
      if (of && head < 0) head = i - 1;
    } else if (head >= 0) complement++;
    last = i;
  }
  if (last < 0 || gaz[last]! & G.function || complement > MAX_TITLE_COMPLEMENT) return undefined;
  if (head < 0) head = last;
  const occupation = occupationOf(scratch.text, tokens.start[head]!, tokens.end[head]!, tokens.hash[head]);
  if (occupation === undefined) return undefined;
  const capital = (tokens.flags[head]! & (F_FIRST_UPPER | F_ALL_UPPER)) !== 0;
  // "Smith, Baker and Taylor", "Ann, Mason": a capitalised name is a name unless an article says otherwise.
  if (!determiner && capital && gaz[head]! & (G.first | G.last) && last === head) return undefined;
  if (occupation === 'agent' && !determiner && last === start && capital) return undefined;
  // "represented by Mr C. Whomersley, a lawyer": one word after "a" describes the person's trade.
  if (last === start && (tokens.hash[first] === A || tokens.hash[first] === AN)) return undefined;
  return { tag: JOB_TITLE, first: start, last, margin: TITLE_MARGIN };
}

/**
 * True when a span among `spans[0, count)` keeps `title` from being one: a person or address in
 * it, a span running out of it, or, unless an article or the line says it is a title (`marked`),
 * any span in it ("Rand Mcnally, Parsons Brinckerhoff and Social Explorer" lists organisations).
 */
function blocksTitle(spans: readonly TokenSpan[], count: number, title: TokenSpan, marked: boolean): boolean {
  for (
    let k = lowerBound(count, (i) => spans[i]!.last < title.first);
    k < count && spans[k]!.first <= title.last;
    k++
  ) {
    const span = spans[k]!;
    if (
      !marked ||
      span.tag === PERSON ||
      span.tag === ADDRESS ||
      span.first < title.first ||
      span.last > title.last
    )
      return true;
  }
  return false;
}

const APOSTROPHE = 39;
const RIGHT_QUOTE = 0x2019;

/**
 * A person or place ends at a possessive "'s" ("Arne's", "Paris’s centre"), which is not part
 * of the name: the tokenizer keeps apostrophes inside words for "O'Neil". Only people and places:
 * many shop and brand names keep theirs ("McDonald's").
 */
function endAtPossessive(span: TokenSpan): void {
  const { tokens } = scratch;
  for (let i = span.first; i < span.last; i++) {
    // "People's Republic of China", "Smith's Green": a capitalised word after it continues a place.
    if (
      possessiveLength(i) &&
      (span.tag === PERSON || !(tokens.flags[i + 1]! & (F_FIRST_UPPER | F_ALL_UPPER)))
    ) {
      span.last = i;
      return;
    }
  }
}

/** 2 when token `i` ends in a possessive "'s", else 0. */
function possessiveLength(i: number): number {
  const { tokens } = scratch;
  if (!(tokens.flags[i]! & F_JOINED)) return 0;
  const end = tokens.end[i]!;
  if (end - tokens.start[i]! < 4) return 0;
  const s = scratch.text.charCodeAt(end - 1) | 32;
  const mark = scratch.text.charCodeAt(end - 2);
  return s === 115 && (mark === APOSTROPHE || mark === RIGHT_QUOTE) ? 2 : 0;
}

/**
 * "Emergency Contact: Robert Brown", "ROSSÖN: Department Of Better Technology": a colon ends a
 * name; the words after it are a name of their own. Cuts `span` before the colon and returns the
 * part after it, if any.
 */
function splitAtColon(span: TokenSpan): TokenSpan | undefined {
  const { tokens } = scratch;
  for (let i = span.first + 1; i < span.last; i++) {
    if (tokens.flags[i]! & F_WORD || text(i) !== ':') continue;
    // The tagger read the label and the name as one organisation; a name after it is a person's.
    const tag =
      span.tag !== PERSON && i + 2 <= span.last && readsAsPerson(span.tag, i + 1, span.last)
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
function dropRoleWords(span: TokenSpan): void {
  // "home city Florida", "the capital Paris": a lower-case everyday word before a capitalised
  // name is not part of it ("new york" in lower case keeps its "new").
  while (
    span.first < span.last &&
    isLowerEverydayWord(span.first) &&
    scratch.tokens.flags[span.first + 1]! & (F_FIRST_UPPER | F_ALL_UPPER)
  )
    span.first++;
  let first = span.first;
  while (first < span.last && isRoleWord(first)) first++;
  if (first === span.first) return;
  // "Ask Brittney Einarsdóttir": a sentence-initial word before two or more capitalised words of a
  // person span is not part of the name, even when no list knows the name.
  const opening =
    span.tag === PERSON && first === span.first + 1 && first < span.last && sentenceInitial(span.first);
  if (opening || readsAsPerson(span.tag, first, span.last)) {
    span.first = first;
    span.tag = PERSON;
  }
}

/** Tokens `first..last` start with a first name (or a surname, in a person span) and hold no organisation or street word. */
function readsAsPerson(tag: number, first: number, last: number): boolean {
  const { gaz } = scratch;
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
function isLowerEverydayWord(i: number): boolean {
  const { tokens, gaz } = scratch;
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
function isRoleWord(i: number): boolean {
  const { tokens, gaz } = scratch;
  const flags = tokens.flags[i]!;
  if (!(flags & F_WORD) || !(flags & (F_FIRST_UPPER | F_ALL_UPPER)) || flags & F_HAS_DIGIT) return false;
  const bits = gaz[i]!;
  return (
    !(bits & (NAMEISH | G.honorific | G.function | G.month | G.weekday | G.orgSuffix)) &&
    ((bits & G.common) !== 0 || EVERYDAY.has(tokens.hash[i]!))
  );
}

/**
 * "Jane Doe, SSN 536-22-1245": a name or place does not run on over a comma into a label in
 * capitals and the number it labels. The tagger reads "Doe, SSN 536…" like "Springfield, IL
 * 62704"; a real state or country code after the comma keeps the span whole.
 */
function endBeforeLabelledNumber(span: TokenSpan): void {
  const { tokens, gaz } = scratch;
  for (let i = span.first + 1; i + 1 <= span.last; i++) {
    if (text(i) !== ',' || tokens.flags[i]! & F_WORD) continue;
    const label = i + 1;
    const flags = tokens.flags[label]!;
    if (!(flags & F_WORD) || !(flags & F_ALL_UPPER) || gaz[label]! & (G.stateAbbr | G.country)) continue;
    let numbered = false;
    for (let j = label + 1; j <= span.last && !numbered; j++)
      numbered = (tokens.flags[j]! & F_HAS_DIGIT) !== 0;
    if (!numbered && label !== span.last) continue;
    span.last = i - 1;
    return;
  }
}

/**
 * "Patient Jane Doe": a capitalised first name the tagger left out, right before a span that
 * starts with a surname (a known one, or a capitalised word in no word list), makes that span a
 * person with the first name in it.
 */
function takeFirstNameBefore(span: TokenSpan, tags: Int8Array): void {
  const { tokens, gaz } = scratch;
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
function extendFirstName(span: TokenSpan, tags: Int8Array): void {
  const { tokens, gaz } = scratch;
  if (span.first !== span.last) return;
  if (!(gaz[span.first]! & G.first)) {
    extendUnknownName(span, tags);
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
function extendUnknownName(span: TokenSpan, tags: Int8Array): void {
  const { tokens, gaz } = scratch;
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
function personNamedLikePlace(span: TokenSpan): void {
  const { tokens, gaz } = scratch;
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
function extendJoinedSurname(span: TokenSpan, tags: Int8Array): void {
  const { tokens } = scratch;
  const next = span.last + 1;
  if (next >= tokens.count || tags[next] !== 0) return;
  const flags = tokens.flags[next]!;
  if ((flags & (F_WORD | F_FIRST_UPPER | F_JOINED | F_HAS_DIGIT)) !== (F_WORD | F_FIRST_UPPER | F_JOINED))
    return;
  if (tokens.start[next]! - tokens.end[span.last]! !== 1) return;
  span.last = next;
}

/**
 * "Jan 2024" is a date, not a street and house number: a tagged address made only of month or
 * week-day names and numbers is dropped, so the date recognizers report the whole date.
 */
function onlyCalendarWords(span: TokenSpan): boolean {
  const { tokens, gaz } = scratch;
  let calendar = false;
  for (let i = span.first; i <= span.last; i++) {
    const flags = tokens.flags[i]!;
    if (!(flags & F_WORD)) continue;
    if (gaz[i]! & (G.month | G.weekday)) calendar = true;
    else if (!(flags & F_ALL_DIGIT)) return false;
  }
  return calendar;
}

/** Most digits of a house number the tagger left out before a street line. */
const MAX_HOUSE_NUMBER = 5;

/** "46 velký průhon 426": a number right before a tagged street line, on its line, is its house number. */
function takeHouseNumber(span: TokenSpan): void {
  const { tokens } = scratch;
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
    !(scratch.gaz[number - 1]! & G.function)
  )
    return;
  span.first = number;
}

/** True when no word of the span has a capital. */
function lowerCaseOnly(span: TokenSpan): boolean {
  const { tokens } = scratch;
  for (let i = span.first; i <= span.last; i++)
    if (tokens.flags[i]! & (F_FIRST_UPPER | F_ALL_UPPER)) return false;
  return true;
}

/** An address from the tagger needs a number or a street word; "Reykjavík" alone is a place. */
function looksLikeStreet(span: TokenSpan): boolean {
  const { tokens, gaz } = scratch;
  for (let i = span.first; i <= span.last; i++)
    if (tokens.flags[i]! & F_HAS_DIGIT || gaz[i]! & (G.street | G.secondary)) return true;
  return false;
}

const OR = hashWord('or');
const OF = hashWord('of');

/**
 * "85 Kongshøj Allé 70, Georgia, and 32 Pernilles vei": ", and" or ", or" inside an address
 * separates two addresses of a list. Cuts `span` before the comma and returns the part after
 * the conjunction, if any.
 */
function splitAddressList(span: TokenSpan): TokenSpan | undefined {
  const { tokens } = scratch;
  for (let i = span.first + 1; i + 1 < span.last; i++) {
    if (
      text(i) !== ',' ||
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
function trimAddressTail(span: TokenSpan): void {
  const { tokens, gaz } = scratch;
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

/** Street types that end a street's name and nothing else ("Court", "Park" and "Place" also name institutions and sights). */
const STREET_TYPE = new WordSet([
  'street',
  'st',
  'road',
  'rd',
  'avenue',
  'ave',
  'lane',
  'ln',
  'boulevard',
  'blvd',
  'strasse',
  'straße',
]);

/**
 * "Hansen Street", "Old Spallumcheen Rd" tagged as an organisation or a group: two or more
 * words ending in a capitalised street type are a street, with the house number before them
 * ("1599 Old Spallumcheen Rd").
 */
function namedStreet(span: TokenSpan): void {
  const { tokens } = scratch;
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
function dropRepeatedStreetWord(span: TokenSpan): void {
  const { tokens, gaz } = scratch;
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
    text(before) === '.' &&
    tokens.flags[before - 1]! & F_ALL_DIGIT
  )
    before--;
  if (tokens.flags[before]! & F_HAS_DIGIT || gaz[before]! & G.street || startsWithStreetWord(span, before))
    span.last = tokens.flags[before + 1]! & F_WORD ? before : before + 1;
}

/** True when a capitalised street word ("Rue", "Via") comes before a name word in `span.first..upTo`. */
function startsWithStreetWord(span: TokenSpan, upTo: number): boolean {
  const { tokens, gaz } = scratch;
  for (let i = span.first; i < upTo; i++)
    if (tokens.flags[i]! & F_FIRST_UPPER && gaz[i]! & G.street && !(gaz[i]! & NAMEISH)) return true;
  return false;
}

/**
 * Names the tagger left out, looked for at each untagged word `i` during the pass that collects
 * the tagger's spans: after "my name is" (`nameAfterNameIs`), capitalised words no list knows
 * (`unknownProperName`) and first names typed in lower case (`lowerCaseFirstName`). Returns the
 * last token it used.
 */
function untaggedWord(spans: TokenSpan[], tags: Int8Array, i: number): number {
  const { tokens, gaz } = scratch;
  const word = tokens.flags[i]!;
  if (!(word & F_WORD)) return i;
  noteListOrPlace(i);
  // Cheap tests first: most words are neither after a function word nor first names.
  if (tokens.hash[i] === NAME) return nameAfterNameIs(spans, tags, i);
  if (word & (F_FIRST_UPPER | F_ALL_UPPER))
    return i === 0 || word & F_NEWLINE_BEFORE || gaz[i - 1]! & G.function
      ? unknownProperName(spans, tags, i)
      : i;
  if ((gaz[i]! & (G.first | NOT_A_LOWER_NAME)) === G.first) lowerCaseFirstName(spans, tags, i);
  return i;
}

/** Notes token `i` when a comma or "and" (a list) or "of" after a capital (a kind of place) follows it. */
function noteListOrPlace(i: number): void {
  const { tokens } = scratch;
  if (i + 1 >= tokens.count) return;
  // Punctuation tokens carry the hash of their character, so one compare finds a comma.
  const after = tokens.hash[i + 1]!;
  if (after === AND || after === COMMA) listStarts.push(i);
  else if (after === OF && tokens.flags[i]! & F_FIRST_UPPER) placeStarts.push(i);
}

const COMMA = hashWord(',');

/** Tokens followed by a comma or "and", noted by `noteListOrPlace` for `coordinatedNames`. */
const listStarts: number[] = [];
/** Capitalised tokens followed by "of", noted by `noteListOrPlace` for `placesOfKind`. */
const placeStarts: number[] = [];

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
function lowerCaseFirstName(spans: TokenSpan[], tags: Int8Array, i: number): void {
  const { tokens, gaz } = scratch;
  const text = scratch.text;
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
function unknownProperName(spans: TokenSpan[], tags: Int8Array, i: number): number {
  const { tokens, gaz } = scratch;
  if (i + 1 >= tokens.count) return i;
  // "Kalman: “Who are you?”": a speaker's name opening a line of a transcript.
  if (
    (i === 0 || tokens.flags[i]! & F_NEWLINE_BEFORE) &&
    text(i + 1) === ':' &&
    !(tokens.flags[i + 1]! & F_WORD) &&
    isUnknownName(i, tags, false)
  ) {
    spans.push({ tag: PERSON, first: i, last: i, margin: LOWER_NAME_MARGIN });
    return i;
  }
  if (i === 0) return i;
  const previous = tokens.flags[i - 1]!;
  if (
    tags[i - 1] !== 0 ||
    (previous & (F_WORD | F_FIRST_UPPER | F_ALL_UPPER)) !== F_WORD ||
    !(gaz[i - 1]! & G.function)
  )
    return i;
  const before = tokens.hash[i - 1]!;
  // A known place the tagger left out counts after a preposition of place ("in FINSPÅNG for").
  const place = PLACE_PREPOSITION.has(before);
  if (!isUnknownName(i, tags, place)) return i;
  // "represented by Royds Rdw, solicitors": a second such word is part of the name.
  const last =
    !possessiveLength(i) && tokens.start[i + 1]! - tokens.end[i]! === 1 && isUnknownName(i + 1, tags, place)
      ? i + 1
      : i;
  if (last + 1 >= tokens.count || tags[last + 1] !== 0) return i;
  const next = tokens.flags[last + 1]!;
  if (
    !possessiveLength(last) &&
    (next & F_WORD
      ? next & (F_FIRST_UPPER | F_ALL_UPPER) || !(gaz[last + 1]! & G.function)
      : !',.;:!?)"”'.includes(text(last + 1)))
  )
    return i;
  // "the Registry", "an Etibank branch": a name after an article is an institution's, not a person's.
  const tag = DETERMINER.has(before) ? ORGANIZATION : place ? LOCATION : PERSON;
  spans.push({ tag, first: i, last, margin: LOWER_NAME_MARGIN });
  return last;
}

/**
 * Token `i` is an untagged capitalised word (or one of five capitals or more) that no list knows,
 * everyday words and their plurals included; with `place`, a known place counts as unknown.
 */
function isUnknownName(i: number, tags: Int8Array, place: boolean): boolean {
  const { tokens } = scratch;
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
  const possessive = possessiveLength(i);
  const hash = possessive
    ? hashWord(scratch.text.slice(tokens.start[i]!, tokens.end[i]! - possessive))
    : tokens.hash[i]!;
  const bits = (possessive ? gazetteerBits(hash) : scratch.gaz[i]!) & ~(place ? G.city | G.country : 0);
  return (
    tokens.end[i]! - possessive - tokens.start[i]! >= 3 &&
    bits === 0 &&
    !EVERYDAY.has(hash) &&
    !everydayPlural(i)
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
function nameAfterNameIs(spans: TokenSpan[], tags: Int8Array, i: number): number {
  const { tokens, gaz } = scratch;
  const verb = i + 1;
  if (verb + 1 >= tokens.count) return i;
  const colon = !(tokens.flags[verb]! & F_WORD) && text(verb) === ':';
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

/** "Obligations", "Regulations": the plural of an everyday word. */
function everydayPlural(i: number): boolean {
  const { tokens } = scratch;
  const end = tokens.end[i]!;
  return (
    (scratch.text.charCodeAt(end - 1) | 32) === 115 &&
    EVERYDAY.has(hashWord(scratch.text.slice(tokens.start[i]!, end - 1)))
  );
}

/** Prepositions after which a name is more likely a place. */
const PLACE_PREPOSITION = new WordSet(['in', 'to', 'from', 'near', 'into', 'at']);

/** The margin of a name found by `untaggedWord` (a confidence of 0.6). */
const LOWER_NAME_MARGIN = 1;

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
function coordinatedNames(spans: TokenSpan[]): void {
  const { tokens, gaz } = scratch;
  let done = -1;
  for (const i of listStarts) {
    if (i <= done || i + 2 >= tokens.count) continue;
    // "our founders: bulgakov, ali and howard": in lower case, a list after punctuation or a function word.
    const lower = !(tokens.flags[i]! & (F_FIRST_UPPER | F_ALL_UPPER));
    if (!isListWord(i, lower)) continue;
    if (
      i > 0 &&
      !(tokens.flags[i]! & F_NEWLINE_BEFORE) &&
      (lower ? tokens.flags[i - 1]! & F_WORD && !(gaz[i - 1]! & G.function) : isNameWord(i - 1))
    )
      continue;
    const items = [i];
    let j = i + 1;
    let closed = false;
    while (j < tokens.count && !closed) {
      const comma = !(tokens.flags[j]! & F_WORD) && text(j) === ',';
      const at = comma ? j + 1 : j;
      if (
        at < tokens.count &&
        tokens.hash[at] === AND &&
        tokens.flags[at]! & F_WORD &&
        isListWord(at + 1, lower)
      ) {
        items.push(at + 1);
        j = at + 2;
        closed = true;
      } else if (comma && isListWord(j + 1, lower)) {
        items.push(j + 1);
        j += 2;
      } else break;
    }
    const last = items[items.length - 1]!;
    const after = last + 1;
    const runsOn =
      after < tokens.count &&
      !(tokens.flags[after]! & F_NEWLINE_BEFORE) &&
      (lower ? tokens.flags[after]! & F_WORD && !(gaz[after]! & G.function) : isNameWord(after));
    // A firm's name ("the Hubbard, Fox and Gillespie website") is capitalised.
    const listOfPeople = closed && items.length >= MIN_LIST && !runsOn;
    if (listOfPeople && (lower || !firmAfterArticle(spans, items))) namePeopleInList(spans, items);
    done = last;
  }
}

/** The margin of a span built by a rule from explicit evidence (a legal form, a firm's name). */
const RULE_MARGIN = 8;

/**
 * "according to the Hubbard, Fox and Gillespie website": three surnames as "A, B and C" after a
 * lower-case "the" name one firm, whether or not the tagger saw them. Everyday words and places
 * ("the Red, White and Blue") are not read as surnames. Returns true when it added the firm.
 */
function firmAfterArticle(spans: TokenSpan[], items: readonly number[]): boolean {
  const { tokens, gaz } = scratch;
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
function isListWord(i: number, lower: boolean): boolean {
  if (i >= scratch.tokens.count) return false;
  const flags = scratch.tokens.flags[i]!;
  const shape = lower
    ? (flags & (F_WORD | F_FIRST_UPPER | F_ALL_UPPER | F_UNCASED)) === F_WORD
    : (flags & (F_WORD | F_FIRST_UPPER)) === (F_WORD | F_FIRST_UPPER);
  return (
    shape &&
    !(flags & F_HAS_DIGIT) &&
    !(scratch.gaz[i]! & (G.function | G.month | G.weekday | G.honorific | G.country))
  );
}

function namePeopleInList(spans: TokenSpan[], items: readonly number[]): void {
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
    if (scratch.gaz[item]! & (G.city | G.country) && !(scratch.gaz[item]! & (G.first | G.last))) places++;
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
function firmName(spans: readonly TokenSpan[], k: number): TokenSpan | undefined {
  if (k + 2 >= spans.length) return undefined;
  const a = spans[k]!;
  const b = spans[k + 1]!;
  const c = spans[k + 2]!;
  if (!singleWord(a) || !singleWord(b) || !singleWord(c)) return undefined;
  const { tokens } = scratch;
  if (
    b.first !== a.last + 2 ||
    text(a.last + 1) !== ',' ||
    c.first !== b.last + 2 ||
    tokens.hash[b.last + 1] !== AND
  )
    return undefined;
  // "Mr Graham, Ochoa and Vasquez" or "John Graham, ..." are people.
  if (a.first > 0 && tokens.flags[a.first - 1]! & F_WORD && scratch.gaz[a.first - 1]! & G.honorific)
    return undefined;
  // "our founders: Kovalev, Lee and Phillips": a list after a plural noun and a colon names its members.
  if (a.first > 1 && text(a.first - 1) === ':' && isPluralNoun(a.first - 2)) return undefined;
  // "Malon, Mark, Kaylee, Brandi, Miguel and Jennifer": the end of a longer list names people.
  const before = spans[k - 1];
  if (before && before.last === a.first - 2 && text(a.first - 1) === ',') return undefined;
  // "Vitalchek, Locavore and SKY": a firm's name joins its partners' surnames; words no list
  // knows as surnames are brands, each a name of its own.
  const { gaz } = scratch;
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
function isPluralNoun(i: number): boolean {
  const { tokens } = scratch;
  const flags = tokens.flags[i]!;
  return (
    (flags & F_WORD) !== 0 &&
    !(flags & (F_FIRST_UPPER | F_ALL_UPPER)) &&
    (scratch.text.charCodeAt(tokens.end[i]! - 1) | 32) === 115 &&
    !(scratch.gaz[i]! & G.function)
  );
}

/**
 * "Logixdata LLC, Social Health Insights and Sigfig": the last "and" of an organisation span ends
 * a list of organisations when the span also holds a comma and an item of two or more words (a
 * firm name of the form "A, B and C" has one word per item), or when the span itself follows
 * another organisation and a comma ("Uber, Importio and Futureadvisor" tagged as two spans).
 * Cuts `span` before that "and" and returns the organisation after it.
 */
function splitOrganisationList(spans: readonly TokenSpan[], k: number): TokenSpan | undefined {
  const span = spans[k]!;
  const { tokens } = scratch;
  let and = -1;
  let comma = false;
  let longItem = false;
  // "The Jones, Mitchell and Williams" is still a firm name.
  let itemStart = tokens.hash[span.first] === THE ? span.first + 1 : span.first;
  for (let i = span.first; i <= span.last + 1; i++) {
    const isAnd = i <= span.last && tokens.hash[i] === AND && (tokens.flags[i]! & F_WORD) !== 0;
    const isComma = i <= span.last && !(tokens.flags[i]! & F_WORD) && text(i) === ',';
    if (!isAnd && !isComma && i <= span.last) continue;
    if (i - itemStart > 1) longItem = true;
    if (isAnd) and = i;
    if (isComma) comma = true;
    itemStart = i + 1;
  }
  if (and <= span.first || and >= span.last) return undefined;
  const previous = spans[k - 1];
  const afterOrganisation =
    previous?.tag === ORGANIZATION && previous.last === span.first - 2 && text(span.first - 1) === ',';
  if (!(afterOrganisation || (comma && longItem))) return undefined;
  const rest: TokenSpan = { tag: ORGANIZATION, first: and + 1, last: span.last, margin: span.margin };
  span.last = and - 1;
  return rest;
}

function singleWord(span: TokenSpan): boolean {
  return (
    span.first === span.last &&
    (scratch.tokens.flags[span.first]! & F_FIRST_UPPER) !== 0 &&
    span.tag !== ADDRESS
  );
}

function text(i: number): string {
  return scratch.text.charAt(scratch.tokens.start[i]!);
}

const NRP = beginTag('NRP');
const CITIZEN = new WordSet(['national', 'nationals', 'citizen', 'citizens']);
/** Lower-case words that make the name before them an institution: "the Beyoğlu court", "British army". */
const INSTITUTION = new WordSet([
  'court',
  'army',
  'garrison',
  'police',
  'navy',
  'council',
  'municipality',
  'hospital',
  'prison',
  'university',
  'ministry',
  'government',
  'parliament',
  'tribunal',
  'gendarmerie',
  'prosecutor',
]);
/** Legal forms that end a company name ("Viasat AB", "Viasat Broadcasting UK Ltd"). */
const LEGAL_FORM = new WordSet([
  'ab',
  'ag',
  'asa',
  'aps',
  'bv',
  'gmbh',
  'inc',
  'llc',
  'llp',
  'ltd',
  'limited',
  'plc',
  'sa',
  'sarl',
  'sas',
  'spa',
  'srl',
  'nv',
  'oy',
  'kg',
  'ohg',
  'pty',
  'corp',
  'corporation',
  'lda',
  'ltda',
  'sro',
  'kft',
  'zrt',
]);
const THE = hashWord('the');
/** Words that end the name of a body ("Child Poverty Action Group", "Data Protection Authority"). */
const BODY = new WordSet([
  'group',
  'association',
  'foundation',
  'society',
  'committee',
  'commission',
  'authority',
  'agency',
  'institute',
  'trust',
  'federation',
  'union',
  'council',
  'board',
  'centre',
  'center',
  'bank',
  'hospital',
  'clinic',
  'university',
  'college',
  'partners',
  'associates',
]);
/** Fewest capitalised words before a body word for a name found by rule. */
const MIN_BODY_WORDS = 2;

/** "a Turkish national": TAB marks the whole phrase as the demographic attribute. */
function extendNationality(span: TokenSpan): void {
  const { tokens } = scratch;
  const next = span.last + 1;
  if (next < tokens.count && !(tokens.flags[next]! & F_FIRST_UPPER) && CITIZEN.has(tokens.hash[next]!))
    span.last = next;
}

/** A name followed by a lower-case institution word is that institution ("Catterick garrison"). */
function institution(span: TokenSpan): void {
  const { tokens } = scratch;
  const next = span.last + 1;
  if (next < tokens.count && !(tokens.flags[next]! & F_FIRST_UPPER) && INSTITUTION.has(tokens.hash[next]!)) {
    span.last = next;
    span.tag = ORGANIZATION;
  }
}

/**
 * An organisation takes a capitalised "The" before it ("works for The Home Depot", "The Swedish
 * Government") and a name in brackets right after it, often its name in the original language
 * ("Supreme Court (Högsta domstolen)", "Dev-Yol (Revolutionary Way)").
 */
function organisationEdges(span: TokenSpan): void {
  const { tokens } = scratch;
  // At a sentence start the capital says nothing ("The Social Explorer office is"), except before
  // a nationality: "The Swedish Government" is a title whose article belongs to it.
  const the = span.first - 1;
  if (
    the >= 0 &&
    tokens.hash[the] === THE &&
    tokens.flags[the]! & F_FIRST_UPPER &&
    (!sentenceInitial(the) || scratch.gaz[span.first]! & G.nrp)
  )
    span.first--;
  let open = -1;
  for (let i = span.first; i <= span.last; i++) if (text(i) === '(' && !(tokens.flags[i]! & F_WORD)) open = i;
  if (open < 0 && span.last + 1 < tokens.count && text(span.last + 1) === '(') open = span.last + 1;
  if (open < 0) return;
  for (let i = open + 1; i < Math.min(tokens.count, open + 9); i++) {
    if (tokens.flags[i]! & F_NEWLINE_BEFORE) return;
    if (!(tokens.flags[i]! & F_WORD) && text(i) === ')') {
      if (i > open + 1) span.last = i;
      return;
    }
  }
}

/**
 * Company and body names that end in a legal form or a body word ("Viasat AB", "Child Poverty
 * Action Group"), found by rule: up to four capitalised words before it, two at least before a
 * body word.
 */
function legalForms(spans: TokenSpan[]): void {
  const { tokens } = scratch;
  for (let i = 1; i < tokens.count; i++) {
    const flags = tokens.flags[i]!;
    if (!(flags & F_WORD) || !(flags & (F_FIRST_UPPER | F_ALL_UPPER))) continue;
    const legal = LEGAL_FORM.has(tokens.hash[i]!);
    // Every body word is in the organisation-suffix list, a cheaper test than the set.
    if (!legal && !(scratch.gaz[i]! & G.orgSuffix && BODY.has(tokens.hash[i]!))) continue;
    let first = i;
    while (first > 0 && i - first < 4 && isNameWord(first - 1) && !(tokens.flags[first]! & F_NEWLINE_BEFORE))
      first--;
    // "Working Group" may be any group; "Child Poverty Action Group" is one.
    if (
      first === i ||
      (!legal && i - first < MIN_BODY_WORDS) ||
      (!legal && sentenceInitial(first) && i - first === MIN_BODY_WORDS)
    )
      continue;
    let last = i;
    if (i + 1 < tokens.count && text(i + 1) === '.' && tokens.start[i + 1] === tokens.end[i]) last = i + 1;
    // A legal form is explicit evidence that wins over the tagger; a body word is weaker, and a
    // longer span of the tagger ("Hamburg Appeals Board for Physicians") keeps its words.
    spans.push({ tag: ORGANIZATION, first, last, margin: RULE_MARGIN, rule: legal });
  }
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
function placesOfKind(spans: TokenSpan[]): void {
  const { tokens } = scratch;
  for (const i of placeStarts) {
    if (i + 2 >= tokens.count || !PLACE_KIND.has(tokens.hash[i]!)) continue;
    let last = i + 1;
    while (
      last + 1 < tokens.count &&
      last - i - 1 < MAX_PLACE_WORDS &&
      isNameWord(last + 1) &&
      !(tokens.flags[last + 1]! & F_NEWLINE_BEFORE)
    )
      last++;
    if (last > i + 1) spans.push({ tag: LOCATION, first: i, last, margin: RULE_MARGIN });
  }
}

function isNameWord(i: number): boolean {
  const flags = scratch.tokens.flags[i]!;
  return (
    (flags & F_WORD) !== 0 &&
    (flags & (F_FIRST_UPPER | F_ALL_UPPER)) !== 0 &&
    !(scratch.gaz[i]! & (G.function | G.month | G.weekday))
  );
}

/**
 * Drops tagged spans whose words are all ordinary English words with case that says nothing
 * ("Battery" opening a sentence, "idea", "SPEAK", "REAL PERSON" in a line of capitals), and
 * spans without a letter. Spans whose words are all also names or places are kept ("Rose",
 * "Will", "MARK SMITH"), unless the span is one lower-case word ("idea", a first name in some
 * locale); Title Case phrases inside a sentence are kept too ("General Electric"), except in a
 * heading or a work's title ("The Great Silver Horse Came For Me"). Rule-built spans (a legal form)
 * and addresses are never dropped.
 */
/** Digits in one token from which it is a code or an identifier, never a name, place or street line. */
const CODE_DIGITS = 7;
/** Longest word in capitals read as the label of a number after it ("KVNR", "TCKN", "SSN"). */
const MAX_LABEL_LETTERS = 6;

/**
 * "ID A1234567", "TCKN 10000000146", "KVNR A123456780": the tagger reads an identifier as a
 * place or a street line, and the label in capitals before it as a name. A lone token holding
 * seven digits or more is dropped, and so is a lone word in capitals of two to six letters that no
 * list knows as a name or place when a token with digits follows it (after at most a colon,
 * "#" or "No."), or when it opens a line before a colon and has at most four letters ("SSN:" over
 * a value already replaced by a placeholder). The identifier recognizers report the number with
 * its label as context.
 */
function dropCodesAndLabels(spans: TokenSpan[]): void {
  let kept = 0;
  for (const span of spans) {
    if (span.rule || span.first !== span.last || !(isCode(span.first) || isLabelOfNumber(span.first)))
      spans[kept++] = span;
  }
  spans.length = kept;
}

function isCode(i: number): boolean {
  const { tokens } = scratch;
  if (!(tokens.flags[i]! & F_HAS_DIGIT)) return false;
  let digits = 0;
  for (let c = tokens.start[i]!; c < tokens.end[i]!; c++) {
    const code = scratch.text.charCodeAt(c);
    if (code >= 48 && code <= 57) digits++;
  }
  return digits >= CODE_DIGITS;
}

function isLabelOfNumber(i: number): boolean {
  const { tokens, gaz } = scratch;
  const flags = tokens.flags[i]!;
  const length = tokens.end[i]! - tokens.start[i]!;
  if (
    !(flags & F_WORD) ||
    !(flags & F_ALL_UPPER) ||
    flags & F_HAS_DIGIT ||
    length < 2 ||
    length > MAX_LABEL_LETTERS
  )
    return false;
  if (gaz[i]! & (NAMEISH | G.stateAbbr)) return false;
  // "SSN: <US_SSN_1>", "DOB:" opening a line: a short field label, whatever follows the colon.
  const lineStart = i === 0 || (flags & F_NEWLINE_BEFORE) !== 0;
  if (
    lineStart &&
    length <= MAX_FIELD_LABEL &&
    i + 1 < tokens.count &&
    text(i + 1) === ':' &&
    !(tokens.flags[i + 1]! & F_WORD)
  )
    return true;
  let next = i + 1;
  while (
    next < tokens.count &&
    next <= i + 3 &&
    !(tokens.flags[next]! & F_HAS_DIGIT) &&
    LABEL_FILLER.has(scratch.text.slice(tokens.start[next]!, tokens.end[next]!).toLowerCase())
  )
    next++;
  return (
    next < tokens.count &&
    (tokens.flags[next]! & F_HAS_DIGIT) !== 0 &&
    tokens.start[next]! - tokens.end[i]! <= 6
  );
}

/** Longest word in capitals read as a field label before a colon at the start of a line ("SSN:", "MRN:"). */
const MAX_FIELD_LABEL = 4;

/** What may stand between a label and its number: "KVNR: A123…", "TIN No. 123…", "ID # 42…". */
const LABEL_FILLER = new Set([':', '#', '.', 'no', 'nr', 'n°', '-']);

function dropEverydayWordSpans(spans: TokenSpan[]): void {
  let kept = 0;
  for (const span of spans) {
    if (
      span.rule ||
      span.tag === ADDRESS ||
      !(everydayWordsOnly(span) || !hasNameWord(span) || inIdentifier(span))
    )
      spans[kept++] = span;
  }
  spans.length = kept;
}

/**
 * Most words (less one) of a span of everyday words that may be dropped: a song or book title the
 * tagger cut short ("The Big Yellow Taxi Took" of "... Took My Girl") has four or five.
 */
const MAX_EVERYDAY_SPAN = 5;

function everydayWordsOnly(span: TokenSpan): boolean {
  const { tokens, gaz } = scratch;
  if (span.last - span.first >= MAX_EVERYDAY_SPAN) return false;
  // In a Title Case heading ("Musicians You're Supposed To Hate (But Secretly Love)") every
  // word has a capital, so a capital says nothing, and a lone everyday word that is also a name
  // is most likely the everyday word ("A Night With Rose Smith" keeps its two names).
  // Looked at only when a capital has to be explained: most spans fail before.
  let heading: boolean | undefined;
  const lone = span.first === span.last;
  let names = 0;
  let words = 0;
  for (let i = span.first; i <= span.last; i++) {
    const flags = tokens.flags[i]!;
    if (!(flags & F_WORD)) continue;
    const bits = gaz[i]!;
    if (!(bits & G.common || EVERYDAY.has(tokens.hash[i]!) || everydayPlural(i))) return false;
    const lower = !(flags & (F_FIRST_UPPER | F_ALL_UPPER));
    const capitals = (flags & F_ALL_UPPER) !== 0 && tokens.end[i]! - tokens.start[i]! > 1;
    const opening = lone && (sentenceInitial(i) || afterDeterminer(i));
    if (!(lower || capitals || opening || (heading ??= inHeading(span)))) return false;
    words++;
    if (bits & NAMEISH && !(lone && (heading ??= inHeading(span)))) names++;
  }
  // Everyday words that are also names ("Rose", "MARK SMITH") are kept, except a lone one in
  // lower case ("a good idea"): without a capital the everyday sense is the likely one.
  return names < words || (words === 1 && !(tokens.flags[span.first]! & (F_FIRST_UPPER | F_ALL_UPPER)));
}

/** Lower-case words before a noun that make a capitalised one a common noun ("the Tribunal", "his Commanding Officer"). */
const DETERMINER = new WordSet([
  'the',
  'a',
  'an',
  'his',
  'her',
  'its',
  'their',
  'our',
  'your',
  'my',
  'this',
  'that',
]);

/**
 * "the Tribunal", "the Council", "his Commanding Officer": a lone capitalised everyday word right
 * after a lower-case determiner is the institution or role the text is about, written with a
 * capital, rather than a name ("the Supreme Court" and "the Home Office" have two words).
 */
function afterDeterminer(i: number): boolean {
  const { tokens } = scratch;
  const previous = i - 1;
  if (previous < 0 || !(tokens.flags[previous]! & F_WORD) || !DETERMINER.has(tokens.hash[previous]!))
    return false;
  // "The Tribunal replied": a capitalised article opening the sentence is an article all the same.
  return !(tokens.flags[previous]! & (F_FIRST_UPPER | F_ALL_UPPER)) || sentenceInitial(previous);
}

/**
 * True when the span has a word with a letter that is no function word or number ("The 70s" has
 * none); a word with a letter and a digit counts where no function word stands beside it ("3M").
 */
function hasNameWord(span: TokenSpan): boolean {
  const { tokens, gaz } = scratch;
  let letters = false;
  let functionWord = false;
  for (let i = span.first; i <= span.last; i++) {
    const flags = tokens.flags[i]!;
    if (!(flags & F_WORD) || flags & F_ALL_DIGIT) continue;
    letters = true;
    if (gaz[i]! & G.function) functionWord = true;
    else if (!(flags & F_HAS_DIGIT) || !isDigitCode(scratch.text.charCodeAt(tokens.start[i]!))) return true;
  }
  return letters && !functionWord;
}

function isDigitCode(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** "client_ip", "user_Name": a word joined to others by an underscore is part of an identifier. */
function inIdentifier(span: TokenSpan): boolean {
  const { tokens } = scratch;
  const start = tokens.start[span.first]!;
  return (
    (start > 0 && scratch.text.charAt(start - 1) === '_') ||
    scratch.text.charAt(tokens.end[span.last]!) === '_'
  );
}

/** Words looked at on each side of a span for a heading's capitalised function words. */
const HEADING_REACH = 3;

/**
 * True when a capitalised function word that does not open a sentence stands within
 * `HEADING_REACH` words of the span on its line ("Supposed To Hate", "(But Secretly Love)"):
 * the span sits in a Title Case heading.
 */
function inHeading(span: TokenSpan): boolean {
  const { tokens } = scratch;
  for (
    let i = span.first - 1, words = 0;
    i >= 0 && words < HEADING_REACH && !(tokens.flags[i + 1]! & F_NEWLINE_BEFORE);
    i--
  ) {
    if (!(tokens.flags[i]! & F_WORD)) continue;
    words++;
    if (headingFunctionWord(i)) return true;
  }
  for (
    let i = span.last + 1, words = 0;
    i < tokens.count && words < HEADING_REACH && !(tokens.flags[i]! & F_NEWLINE_BEFORE);
    i++
  ) {
    if (!(tokens.flags[i]! & F_WORD)) continue;
    words++;
    if (headingFunctionWord(i)) return true;
  }
  return false;
}

function headingFunctionWord(i: number): boolean {
  const { tokens } = scratch;
  const flags = tokens.flags[i]!;
  // "May" is a month as often as a modal verb.
  return (
    (flags & F_FIRST_UPPER) !== 0 &&
    !(flags & F_ALL_UPPER) &&
    (scratch.gaz[i]! & (G.function | G.month)) === G.function &&
    tokens.end[i]! - tokens.start[i]! > 1 &&
    !sentenceInitial(i)
  );
}

/** True when token `i` starts a sentence or a line (its capital comes from its position). */
function sentenceInitial(i: number): boolean {
  const { tokens } = scratch;
  if (i === 0 || tokens.flags[i]! & F_NEWLINE_BEFORE) return true;
  const previous = i - 1;
  return !(tokens.flags[previous]! & F_WORD) && '.!?:;"“”•*'.includes(text(previous));
}

/** "Mr. Fernandez" tagged as "Mr." and "Fernandez": an honorific alone joins the person right after it. */
function joinHonorific(spans: TokenSpan[]): void {
  const { tokens, gaz } = scratch;
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
        (previous.first + 1 === previous.last && text(previous.last) === '.');
      if (lone && !(tokens.flags[span.first]! & F_NEWLINE_BEFORE)) {
        spans[kept - 1] = { ...previous, last: span.last, margin: Math.min(previous.margin, span.margin) };
        continue;
      }
    }
    spans[kept++] = span;
  }
  if (kept < spans.length) spans.length = kept;
}

/**
 * "located in Beyoğlu, Istanbul", "born in Lyon, France": two places with only a comma between
 * them, the second one word or a known city, country or state, name one place (its district and
 * city, or city and country) and are reported as one span. A list of places ("Paris, London and
 * Rome") is not.
 */
function joinPlaceAndRegion(spans: TokenSpan[]): void {
  const { tokens } = scratch;
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
      text(comma) === ',' &&
      !(tokens.flags[comma]! & F_WORD) &&
      !(tokens.flags[span.first]! & F_NEWLINE_BEFORE) &&
      !inPlaceList(spans, kept - 1, k) &&
      (isKnownRegion(span) || span.first === span.last) &&
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
function isKnownRegion(span: TokenSpan): boolean {
  return (
    (scratch.gaz[span.last]! & (G.city | G.country | G.stateAbbr)) !== 0 &&
    (scratch.tokens.flags[span.last]! & (F_FIRST_UPPER | F_ALL_UPPER)) !== 0
  );
}

/** True when the places `spans[a]` and `spans[b]` are items of a longer list (a comma or "and"/"or" before or after them). */
function inPlaceList(spans: readonly TokenSpan[], a: number, b: number): boolean {
  const { tokens } = scratch;
  const before = spans[a]!.first - 1;
  const after = spans[b]!.last + 1;
  if (before >= 0 && !(tokens.flags[before]! & F_WORD) && text(before) === ',') return true;
  if (after >= tokens.count) return false;
  return (
    (!(tokens.flags[after]! & F_WORD) && text(after) === ',' && spans[b + 1]?.first === after + 1) ||
    tokens.hash[after] === AND ||
    tokens.hash[after] === OR
  );
}

/**
 * After the rules, keeps one of two overlapping spans: a rule's span, else the longer (the
 * earlier on a tie). Leaves the spans sorted.
 */
function dropOverlaps(spans: TokenSpan[]): void {
  spans.sort((a, b) => a.first - b.first || b.last - a.last);
  let kept = 0;
  for (const span of spans) {
    const previous = spans[kept - 1];
    if (previous && span.first <= previous.last) {
      const longer = span.last - span.first > previous.last - previous.first;
      if ((span.rule && !previous.rule) || (longer && (span.rule || !previous.rule))) spans[kept - 1] = span;
      continue;
    }
    spans[kept++] = span;
  }
  spans.length = kept;
}

/**
 * The default recognizer for PERSON, LOCATION, ORGANIZATION, STREET_ADDRESS and NRP.
 *
 * @example
 * ```ts
 * NER_RECOGNIZER.find('Dr. Jane Doe works at Acme Corp.', { start: 0, end: 32 });
 * ```
 */
export const NER_RECOGNIZER: Recognizer = {
  name: 'ner-tagger',
  entities: ['PERSON', 'LOCATION', 'ORGANIZATION', 'STREET_ADDRESS', 'NRP', 'JOB_TITLE'],
  trigger: TRIGGERS.all,
  find: (text: string, window: TextWindow): Finding[] => tagEntities(text, window.start, window.end),
};

/** The recognizers of this module, for `recognizers/index.ts`. */
export const NER_RECOGNIZERS: readonly Recognizer[] = [NER_RECOGNIZER];
