/**
 * Features of one token for the sequence tagger. A feature is a 32-bit hash of a template id and
 * a value (a word hash, a shape code, a gazetteer bit, the previous tag), so extracting one costs
 * a few integer multiplications and never allocates a string.
 */
import { GAZETTEERS, G } from './gazetteer.js';
import {
  F_ALL_DIGIT,
  F_ALL_UPPER,
  F_FIRST_UPPER,
  F_HAS_DIGIT,
  F_INNER_UPPER,
  F_JOINED,
  F_NEWLINE_BEFORE,
  F_PARAGRAPH_BEFORE,
  F_UNCASED,
  F_WORD,
  hashWord,
  lowerCode,
  type TokenBuffer,
} from './tokenizer.js';

/** Token arrays plus the per-token gazetteer masks the tagger computes once per window. */
export interface TaggedTokens {
  readonly tokens: TokenBuffer;
  readonly gaz: Int32Array;
  readonly text: string;
}

/** The most features one token produces (the output buffer's size). */
export const MAX_FEATURES = 128;

/** Mixes a template id and a value into a feature hash (a murmur3 finaliser). */
export function mix(template: number, value: number): number {
  let h = (value ^ Math.imul(template + 1, 0x9e3779b1)) | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

const PERIOD = hashWord('.');
const SENTENCE_END = new Set(['.', '!', '?', ':', ';', '"', '“', '”', '(', ')', '•', '*', '§'].map(hashWord));
const OUTSIDE = hashWord('<none>');

/** A small code for a token's shape: digits by length, case pattern, joiners. */
export function shapeOf(tokens: TokenBuffer, i: number): number {
  const flags = tokens.flags[i]!;
  if (!(flags & F_WORD)) return tokens.hash[i]!;
  const length = tokens.end[i]! - tokens.start[i]!;
  let shape: number;
  if (flags & F_ALL_DIGIT) shape = Math.min(length, 6);
  else if (flags & F_HAS_DIGIT) shape = 7;
  else if (flags & F_UNCASED) shape = 8;
  else if (flags & F_ALL_UPPER) shape = length === 1 ? 9 : length <= 3 ? 10 : 11;
  else if (flags & F_FIRST_UPPER) shape = flags & F_INNER_UPPER ? 12 : length <= 3 ? 13 : 14;
  else shape = flags & F_INNER_UPPER ? 15 : length <= 3 ? 16 : 17;
  return flags & F_JOINED ? shape + 32 : shape;
}

function affixHash(text: string, from: number, to: number): number {
  let hash = 0x811c9dc5;
  for (let i = from; i < to; i++) hash = Math.imul(hash ^ lowerCode(text.charCodeAt(i)), 0x01000193);
  return hash | 0;
}

// Template ids; changing one invalidates trained weights (the model file records a version).
const T = {
  bias: 1, word: 2, prevWord: 3, nextWord: 4, prev2Word: 5, next2Word: 6, shape: 7, prevShape: 8, nextShape: 9,
  shapeNext: 10, prevShapeShape: 11, suffix3: 12, suffix2: 13, prefix3: 14, gaz: 15, prevGaz: 16, nextGaz: 17,
  sentenceShape: 18, newline: 19, nextNewline: 20, prevTag: 21, prevTagShape: 22, prevTagWord: 23, prevTags: 24,
  honorific: 25, nextPeriod: 26, gazShape: 27, capsContext: 28, prevWordWord: 29, prevTagGaz: 30, paragraph: 31,
  suffix4: 32, wordNextWord: 33, prevTagNextShape: 34, noGazShape: 35,
} as const;

/** Bumped whenever templates or shapes change, so stale weights are refused at load. */
export const FEATURE_VERSION = 3;

function wordOrBoundary(t: TaggedTokens, i: number): number {
  return i < 0 || i >= t.tokens.count ? OUTSIDE : t.tokens.hash[i]!;
}

function shapeOrBoundary(t: TaggedTokens, i: number): number {
  return i < 0 || i >= t.tokens.count ? OUTSIDE : shapeOf(t.tokens, i);
}

function gazOrNone(t: TaggedTokens, i: number): number {
  return i < 0 || i >= t.tokens.count ? 0 : t.gaz[i]!;
}

/**
 * Writes the features of token `i` into `out` and returns how many there are. `prevTag` and
 * `prevPrevTag` are the tags already decided for the two tokens before (0 is O).
 */
export function extractFeatures(t: TaggedTokens, i: number, prevTag: number, prevPrevTag: number, out: Int32Array): number {
  const { tokens, text } = t;
  const flags = tokens.flags[i]!;
  const word = tokens.hash[i]!;
  const shape = shapeOf(tokens, i);
  const prevShape = shapeOrBoundary(t, i - 1);
  const nextShape = shapeOrBoundary(t, i + 1);
  const prevWord = wordOrBoundary(t, i - 1);
  const nextWord = wordOrBoundary(t, i + 1);
  const gaz = t.gaz[i]!;
  let n = 0;
  out[n++] = mix(T.bias, 0);
  out[n++] = mix(T.word, word);
  out[n++] = mix(T.prevWord, prevWord);
  out[n++] = mix(T.nextWord, nextWord);
  out[n++] = mix(T.prev2Word, wordOrBoundary(t, i - 2));
  out[n++] = mix(T.next2Word, wordOrBoundary(t, i + 2));
  out[n++] = mix(T.shape, shape);
  out[n++] = mix(T.prevShape, prevShape);
  out[n++] = mix(T.nextShape, nextShape);
  out[n++] = mix(T.shapeNext, mix(shape, nextShape));
  out[n++] = mix(T.prevShapeShape, mix(prevShape, shape));
  out[n++] = mix(T.prevWordWord, mix(prevWord, word));
  out[n++] = mix(T.wordNextWord, mix(word, nextWord));
  if (flags & F_WORD) {
    const start = tokens.start[i]!;
    const end = tokens.end[i]!;
    const length = end - start;
    if (length > 3) {
      out[n++] = mix(T.suffix3, affixHash(text, end - 3, end));
      out[n++] = mix(T.prefix3, affixHash(text, start, start + 3));
    }
    if (length > 4) out[n++] = mix(T.suffix4, affixHash(text, end - 4, end));
    if (length > 2) out[n++] = mix(T.suffix2, affixHash(text, end - 2, end));
  }
  const prevGaz = gazOrNone(t, i - 1);
  const nextGaz = gazOrNone(t, i + 1);
  for (let bit = 0; bit < GAZETTEERS.length; bit++) {
    const mask = 1 << bit;
    if (gaz & mask) {
      out[n++] = mix(T.gaz, bit);
      out[n++] = mix(T.gazShape, mix(bit, shape));
      out[n++] = mix(T.prevTagGaz, mix(bit, prevTag));
    }
    if (prevGaz & mask) out[n++] = mix(T.prevGaz, bit);
    if (nextGaz & mask) out[n++] = mix(T.nextGaz, bit);
  }
  if (gaz === 0) out[n++] = mix(T.noGazShape, shape);
  const prevHash = i > 0 ? tokens.hash[i - 1]! : PERIOD;
  const sentenceStart = i === 0 || SENTENCE_END.has(prevHash) || (flags & F_NEWLINE_BEFORE) !== 0;
  if (sentenceStart) out[n++] = mix(T.sentenceShape, shape);
  if (flags & F_NEWLINE_BEFORE) out[n++] = mix(T.newline, flags & F_PARAGRAPH_BEFORE ? 2 : 1);
  if (i + 1 < tokens.count && tokens.flags[i + 1]! & F_NEWLINE_BEFORE) out[n++] = mix(T.nextNewline, 1);
  if (nextWord === PERIOD) out[n++] = mix(T.nextPeriod, shape);
  const honorific = prevGaz & G.honorific || (prevWord === PERIOD && gazOrNone(t, i - 2) & G.honorific);
  if (honorific) out[n++] = mix(T.honorific, shape);
  // Text in capitals (headings, forms) says little through case; tell the model so.
  if (flags & F_ALL_UPPER && i > 0 && tokens.flags[i - 1]! & F_ALL_UPPER && i + 1 < tokens.count && tokens.flags[i + 1]! & F_ALL_UPPER)
    out[n++] = mix(T.capsContext, 1);
  if (!(flags & (F_FIRST_UPPER | F_ALL_UPPER | F_HAS_DIGIT))) out[n++] = mix(T.capsContext, 2);
  out[n++] = mix(T.prevTag, prevTag);
  out[n++] = mix(T.prevTags, mix(prevTag, prevPrevTag));
  out[n++] = mix(T.prevTagShape, mix(prevTag, shape));
  out[n++] = mix(T.prevTagWord, mix(prevTag, word));
  out[n++] = mix(T.prevTagNextShape, mix(prevTag, nextShape));
  return n;
}
