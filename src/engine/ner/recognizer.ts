/**
 * The recognizer that finds names of people, places, organisations, nationalities/religious/
 * political groups, street addresses and job titles with the trained tagger and the span rules of
 * `rules/`. No model download: the weights ship in `model/weights.json` and the gazetteers in
 * `data/gazetteers.json`.
 */
import { TRIGGERS } from '../scan/triggers.js';
import { Scratch, type ScratchKind } from '../scratch.js';
import type { Finding, FindingPart, Recognizer, TextWindow } from '../types.js';
import { ADDRESS_PARSER, continueAddress, type Parser } from './address.js';
import { FEATURE_VERSION } from './features.js';
import { PerceptronModel, type ModelFile } from './perceptron.js';
import { decode, DecodeScratch, FeatureCaches, lookupGazetteers } from './tagger.js';
import { entityOf, TAGS } from './tags.js';
import { TokenBuffer, tokenize, WHOLE_TEXT_TOKENS, type WholeTextTokens } from './tokenizer.js';
import {
  ADDRESS,
  JOB_TITLE,
  LOCATION,
  NRP,
  ORGANIZATION,
  PERSON,
  type RuleContext,
  type TokenSpan,
} from './rules/context.js';
import { dropEverydayWordSpans } from './rules/everyday-words.js';
import { jobTitles } from './rules/job-titles.js';
import { dropCodesAndLabels, endBeforeLabelledNumber } from './rules/labels.js';
import { coordinatedNames, firmName } from './rules/lists.js';
import {
  institution,
  legalForms,
  joinOrganisationParts,
  organisationEdges,
  organisationListItems,
  splitOrganisationList,
} from './rules/organisations.js';
import { enclosingMarks } from './rules/enclosing.js';
import { endAtNameWord } from './rules/trailing-words.js';
import { dropOverlaps } from './rules/overlaps.js';
import {
  dropRoleWords,
  endAtPossessive,
  extendFirstName,
  extendJoinedSurname,
  extendUnknownName,
  joinHonorific,
  personNamedLikePlace,
  splitAtColon,
  takeFirstNameBefore,
  titleAndName,
} from './rules/persons.js';
import {
  extendNationality,
  joinCountryNames,
  joinPlaceAndRegion,
  landformPlaces,
  placesOfKind,
} from './rules/places.js';
import {
  dropRepeatedStreetWord,
  endBeforeLongerFigure,
  looksLikeStreet,
  lowerCaseOnly,
  namedStreet,
  numbersOfSomethingElse,
  onlyCalendarWords,
  splitAddressList,
  splitAtLineBreak,
  streetLinePieces,
  takeHouseNumber,
  trimAddressTail,
} from './rules/streets.js';
import { readTaggedSpans } from './rules/tagged-spans.js';
import { possessiveLength } from './rules/words.js';
import weights from './model/weights.json' with { type: 'json' };

/** The trained model, built once when the module loads. */
export const MODEL = PerceptronModel.fromFile(weights as ModelFile, FEATURE_VERSION, TAGS);

/**
 * The model's summed feature weights per word, previous word and next word: a bounded memo of a
 * pure function of the model and those keys (word hashes and shapes, never text), shared by every
 * analyzer so a short text finds it warm. It is read and written only inside a synchronous call.
 */
const MODEL_CACHES = new FeatureCaches(MODEL);

/** Longest window tagged in one pass; longer windows are cut at a whitespace near this size. */
const SLICE = 1 << 16;

/**
 * Confidence from the smallest margin inside the span: a span is as sure as its least sure token.
 * The curve keeps every tagged span above the default threshold (0.4) and below validated
 * identifiers (1.0), so a checksum-validated number wins an overlap against a name.
 */
function confidence(minMargin: number): number {
  return Math.round((0.5 + 0.45 * (1 - Math.exp(-minMargin / 4))) * 100) / 100;
}

/**
 * Typed arrays reused from one slice to the next, grown when a slice has more tokens: allocating
 * them per call cost more than tagging a short text. One analyzer owns them (see `Scratch`), and
 * nothing in them is read before the slice that fills them; what the rules read is the
 * `RuleContext` built per slice.
 */
class Buffers {
  readonly tokens = new TokenBuffer();
  gaz = new Int32Array(64);
  tags = new Int8Array(64);
  margins = new Float32Array(64);
  readonly decode = new DecodeScratch(MODEL, MODEL_CACHES);

  fit(count: number): void {
    if (this.gaz.length >= count) return;
    let size = this.gaz.length;
    while (size < count) size *= 2;
    this.gaz = new Int32Array(size);
    this.tags = new Int8Array(size);
    this.margins = new Float32Array(size);
  }
}

/** An analyzer's tagger buffers. */
const TAGGER_BUFFERS: ScratchKind<Buffers> = { create: () => new Buffers() };

/**
 * Tags `text[from, to)` and returns the entity spans found, with absolute offsets, using the
 * buffers in `scratch` (the calling analyzer's, or fresh ones).
 *
 * @example
 * ```ts
 * tagEntities('Mr John Smith lives in Paris.', 0, 29);
 * // [{ type: 'PERSON', start: 0, end: 13, ... }, { type: 'LOCATION', start: 23, end: 28, ... }]
 * ```
 */
export function tagEntities(text: string, from: number, to: number, scratch = new Scratch()): Finding[] {
  const buffers = scratch.of(TAGGER_BUFFERS);
  const parser = scratch.of(ADDRESS_PARSER);
  // The tokens are kept for the address grammar only when one slice is the whole text.
  const whole = scratch.of(WHOLE_TEXT_TOKENS);
  whole.text = undefined;
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
    tagSlice(buffers, parser, text, at, stop, found, at === 0 && stop === text.length ? whole : undefined);
    at = stop;
  }
  buffers.tokens.release();
  return found;
}

/**
 * Tokenizes and tags `text[from, to)`, applies the span rules and appends the findings to `found`.
 * With `whole` (the slice is the whole text), the tokens are recorded there for the address grammar.
 */
function tagSlice(
  buffers: Buffers,
  parser: Parser,
  text: string,
  from: number,
  to: number,
  found: Finding[],
  whole: WholeTextTokens | undefined,
): void {
  const { tokens } = buffers;
  tokenize(text, from, to, tokens);
  if (whole) {
    whole.text = text;
    whole.count = tokens.count;
    whole.start = tokens.start;
    whole.end = tokens.end;
    whole.hash = tokens.hash;
    whole.flags = tokens.flags;
  }
  buffers.fit(tokens.count);
  const { gaz, tags, margins } = buffers;
  lookupGazetteers(tokens, gaz);
  decode({ tokens, gaz, text }, MODEL, buffers.decode, tags, margins);
  const ctx: RuleContext = { text, tokens, gaz, tags, listStarts: [], placeStarts: [] };
  const spans = applyRules(ctx, readTaggedSpans(ctx, margins));
  let addressEnd = -1;
  for (const span of spans) {
    const start = tokens.start[span.first]!;
    // A place or number the tagger found inside the lines an address took is part of it.
    if (start < addressEnd) continue;
    let end = tokens.end[span.last]!;
    let parts: FindingPart[] | undefined;
    // The tagger learned street lines; the address grammar adds the city, postcode and country.
    if (span.tag === ADDRESS) {
      parts = streetLinePieces(ctx, span);
      end = addressEnd = continueAddress(text, end, to, lowerCaseOnly(ctx, span), parts, parser);
    } else if (span.tag === PERSON || span.tag === LOCATION) end -= possessiveLength(ctx, span.last);
    if (span.tag === PERSON) parts = titleAndName(ctx, span, end);
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
 * The span rules, in the order they are applied to the spans `readTaggedSpans` read (which has
 * already found the names the tagger left out: after "name is", unknown capitalised words, first
 * names in lower case). Returns the final spans, sorted and without overlaps.
 *
 * | # | rule (module) | why here |
 * |---|---|---|
 * | 1 | `coordinatedNames` (lists) | Reads lists ("Leehy, Perkins and Copeland") on the tagger's own spans, sorted and not yet edited; it may split a merged span into one person per item, which the per-span rules then treat one by one. |
 * | 2 | per-span pass, each span in turn: | Edges first (left, then right), then a change of type, then the edits of that type, so each rule sees the span its type says. |
 * | 2a | `splitAtLineBreak` (streets), `splitAtColon`, `dropRoleWords` (persons) | A span over a blank line or onto a numbered line is cut there, the rest read next (a street line becomes an address). The left edge: a label ("Emergency Contact:", "Patient") comes off before any rule looks at the span's first word or the word before it. Addresses keep theirs ("Apt: 4"). |
 * | 2b | `endBeforeLabelledNumber` (labels) | The right edge: "Doe, SSN 536…" is cut before any rule extends the span rightwards. |
 * | 2c | `takeFirstNameBefore` (persons) | May make the span a person, so it comes before the rules for persons. |
 * | 2d | `extendJoinedSurname`, then `extendFirstName` / `extendUnknownName` (persons) | Rightward growth of a name; a joined surname ("O'Neil") first, since the others grow only one-word spans. |
 * | 2e | `personNamedLikePlace` (persons) | After growth: a place of a first name and a surname ("Maria Garcia") becomes a person only once both words are in it. |
 * | 2f | `endAtPossessive` (persons) | After every rightward growth, so an "'s" taken in by one is cut off. |
 * | 2g | `namedStreet` (streets) | May make the span an address, so before the address rules. |
 * | 2h | `onlyCalendarWords`, `numbersOfSomethingElse`, `looksLikeStreet` (streets) | An address must be one before it is edited: "Jan 2024" and "Between 14 [November]" are dropped, "Reykjavík" alone becomes a place. |
 * | 2i | `takeHouseNumber`, `splitAddressList`, `dropRepeatedStreetWord`, `trimAddressTail`, `endBeforeLongerFigure` (streets) | The address's own edges: the number before it, then the list split (the number belongs to the first address), then the tail words, then a line of numbers that runs on past it (a phone number). |
 * | 2j | `extendNationality` (places) | "a Turkish national": only a group's span, and only its right edge. |
 * | 2k | `institution` (organisations) | "Catterick garrison": may make the span an organisation, so before the organisation rules. |
 * | 2l | `organisationEdges`, `splitOrganisationList` (organisations) | An organisation's article and bracketed name, then the list split on its final edges. |
 * | 2m | `firmName` (lists) | Last for the span: it merges the span with the next two into "Graham, Ochoa and Vasquez", which needs this span's final edges. |
 * | 3 | `legalForms` (organisations), `placesOfKind` (places) | Spans built by rule from explicit evidence ("Viasat AB", "Borough of Southwark"): added after the tagger's spans are final, so no per-span rule edits them. |
 * | 4 | `dropOverlaps` (overlaps) | Keeps a rule's span or the longer of two overlapping spans, leaving them sorted: every rule below looks at neighbours. |
 * | 5 | `dropEverydayWordSpans` (everyday-words), `dropCodesAndLabels` (labels) | False alarms go before the joins below, so a dropped span never joins a neighbour. |
 * | 6 | `organisationListItems` (organisations): an item left out between two organisations of a list. `joinOrganisationParts` (organisations): a body's part and the body, a court and its level or seat. `landformPlaces`, `joinCountryNames`, `joinPlaceAndRegion` (places), `joinHonorific` (persons) | Neighbours joined into one span ("COOMINGLAH" + "FOREST", "Lyon, France", "Mr." + "Fernandez"), on the sorted spans that survived; a name ending in a landform word becomes a place. |
 * | 6a | `endAtNameWord` (trailing-words) | A name never ends in a lower-case function word ("Bursa Administrative Court and the"): on the final joined spans, before the marks around them are read. |
 * | 6b | `enclosingMarks` (enclosing) | Quotation marks around a whole name and the closing bracket of a bracket a name opened: on the joined spans, never taking a mark from a neighbour. |
 * | 7 | `jobTitles` (job-titles) | Last: it needs the final persons, may shorten one that ran into its title, and removes the spans inside the title it adds. |
 */
function applyRules(ctx: RuleContext, spans: TokenSpan[]): TokenSpan[] {
  coordinatedNames(ctx, spans);
  for (let k = 0; k < spans.length; k++) {
    const span = spans[k]!;
    if (span.tag !== ADDRESS) {
      const line = splitAtLineBreak(ctx, span);
      if (line) spans.splice(k + 1, 0, line);
      const rest = splitAtColon(ctx, span);
      if (rest) spans.splice(k + 1, 0, rest);
      dropRoleWords(ctx, span);
    }
    if (span.tag !== ADDRESS) endBeforeLabelledNumber(ctx, span);
    if (span.tag !== ADDRESS) takeFirstNameBefore(ctx, span);
    if (span.tag === PERSON) extendJoinedSurname(ctx, span);
    if (span.tag === PERSON) extendFirstName(ctx, span);
    else if (span.tag !== ADDRESS && span.first === span.last) extendUnknownName(ctx, span);
    if (span.tag === LOCATION) personNamedLikePlace(ctx, span);
    if (span.tag === PERSON || span.tag === LOCATION) endAtPossessive(ctx, span);
    if (span.tag !== PERSON && span.tag !== ADDRESS) namedStreet(ctx, span);
    if (span.tag === ADDRESS && (onlyCalendarWords(ctx, span) || numbersOfSomethingElse(ctx, span))) {
      spans.splice(k--, 1);
      continue;
    }
    if (span.tag === ADDRESS && !looksLikeStreet(ctx, span)) span.tag = LOCATION;
    if (span.tag === ADDRESS) {
      takeHouseNumber(ctx, span);
      const next = splitAddressList(ctx, span);
      if (next) spans.splice(k + 1, 0, next);
      dropRepeatedStreetWord(ctx, span);
      trimAddressTail(ctx, span);
      if (endBeforeLongerFigure(ctx, span)) {
        spans.splice(k--, 1);
        continue;
      }
    }
    if (span.tag === NRP) extendNationality(ctx, span);
    if (span.tag !== PERSON && span.tag !== ADDRESS) institution(ctx, span);
    if (span.tag === ORGANIZATION) {
      organisationEdges(ctx, span);
      const next = splitOrganisationList(ctx, spans, k);
      if (next) spans.splice(k + 1, 0, next);
    }
    const merged = firmName(ctx, spans, k);
    if (merged) spans.splice(k, 3, merged);
  }
  legalForms(ctx, spans);
  placesOfKind(ctx, spans);
  dropOverlaps(spans);
  dropEverydayWordSpans(ctx, spans);
  dropCodesAndLabels(ctx, spans);
  organisationListItems(ctx, spans);
  joinOrganisationParts(ctx, spans);
  landformPlaces(ctx, spans);
  joinCountryNames(ctx, spans);
  joinPlaceAndRegion(ctx, spans);
  joinHonorific(ctx, spans);
  endAtNameWord(ctx, spans);
  enclosingMarks(ctx, spans);
  jobTitles(ctx, spans);
  return spans;
}

/**
 * The default recognizer for PERSON, LOCATION, ORGANIZATION, STREET_ADDRESS, NRP and JOB_TITLE.
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
  find: (text: string, window: TextWindow, scratch = new Scratch()): Finding[] =>
    tagEntities(text, window.start, window.end, scratch),
};

/** The recognizers of this module, for `recognizers/index.ts`. */
export const NER_RECOGNIZERS: readonly Recognizer[] = [NER_RECOGNIZER];
