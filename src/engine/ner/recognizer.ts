/**
 * The recognizer that finds names of people, places, organisations, nationalities/religious/
 * political groups and street addresses with the trained tagger. No model download: the
 * weights ship in `model/weights.json` and the gazetteers in `data/gazetteers.json`.
 */
import type { Finding, Recognizer, TextWindow } from '../types.js';
import { TRIGGERS } from '../scan/triggers.js';
import { FEATURE_VERSION, type TaggedTokens } from './features.js';
import { G } from './gazetteer.js';
import { PerceptronModel, type ModelFile } from './perceptron.js';
import { entityOf, isInside, TAGS } from './tags.js';
import { decode, DecodeScratch, lookupGazetteers } from './tagger.js';
import { F_WORD, TokenBuffer, tokenize } from './tokenizer.js';
import weights from './model/weights.json' with { type: 'json' };

/** The trained model, built once when the module loads. */
export const MODEL = PerceptronModel.fromFile(weights as ModelFile, FEATURE_VERSION, TAGS);

/** Longest window tagged in one pass; longer windows are cut at a whitespace near this size. */
const SLICE = 1 << 16;

/** Span-final punctuation that belongs to an entity ("Acme Corp.", "Smith Jr."). */
const KEEP_AT_END = new Set(['.']);

/** Words whose following period is part of the entity. */
const ABBREVIATION = G.orgSuffix | G.personSuffix | G.street | G.secondary;

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
  for (let at = from; at < to; ) {
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

function tagSlice(text: string, from: number, to: number, found: Finding[]): void {
  const { tokens } = scratch;
  tokenize(text, from, to, tokens);
  scratch.fit(tokens.count);
  const { gaz, tags, margins } = scratch;
  lookupGazetteers(tokens, gaz);
  const t: TaggedTokens = { tokens, gaz, text };
  decode(t, MODEL, scratch.decode, tags, margins);
  for (let i = 0; i < tokens.count; ) {
    const tag = tags[i]!;
    if (tag === 0 || isInside(tag)) {
      i++;
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
    while (last >= first && !(tokens.flags[last]! & F_WORD) && !KEEP_AT_END.has(text[tokens.start[last]!]!)) last--;
    // "Acme Corp." and "Smith Jr.": the period of an abbreviation belongs to the name.
    if (first <= last && next < tokens.count && gaz[last]! & ABBREVIATION && tokens.start[next] === tokens.end[last] && text[tokens.start[next]!] === '.') last = next;
    if (first <= last)
      found.push({ type: entityOf(tag), start: tokens.start[first]!, end: tokens.end[last]!, score: confidence(minMargin), recognizer: 'ner-tagger' });
    i = next;
  }
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
  entities: ['PERSON', 'LOCATION', 'ORGANIZATION', 'STREET_ADDRESS', 'NRP'],
  trigger: TRIGGERS.all,
  find: (text: string, window: TextWindow): Finding[] => tagEntities(text, window.start, window.end),
};

/** The recognizers of this module, for `recognizers/index.ts`. */
export const NER_RECOGNIZERS: readonly Recognizer[] = [NER_RECOGNIZER];
