/**
 * Features of one token for the sequence tagger. A feature is a 32-bit hash of a template id and
 * a value (a word hash, a shape code, a gazetteer bit, the previous tag), so extracting one costs
 * a few integer multiplications and never allocates a string.
 */
import { G } from './gazetteer.js';
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
/** Punctuation after which a capitalised word says nothing (a sentence, quote or list starts). */
const SENTENCE_END = '.!?:;"“”()•*§';
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
// Retired ids are not reused: prev2Word (5), next2Word (6), prevWordWord (29) and wordNextWord
// (33) were dropped in version 4. Ablation (scripts/train/check.ts) showed that these sparse word
// pairs did not help on held-out text (presidio held-out F2 0.671 → 0.678, TAB dev within one
// mention) while they cost four table probes per token.
const T = {
  bias: 1,
  word: 2,
  prevWord: 3,
  nextWord: 4,
  shape: 7,
  prevShape: 8,
  nextShape: 9,
  shapeNext: 10,
  prevShapeShape: 11,
  suffix3: 12,
  suffix2: 13,
  prefix3: 14,
  gaz: 15,
  prevGaz: 16,
  nextGaz: 17,
  sentenceShape: 18,
  newline: 19,
  nextNewline: 20,
  prevTag: 21,
  prevTagShape: 22,
  prevTagWord: 23,
  prevTags: 24,
  honorific: 25,
  nextPeriod: 26,
  gazShape: 27,
  capsContext: 28,
  prevTagGaz: 30,
  paragraph: 31,
  suffix4: 32,
  prevTagNextShape: 34,
  noGazShape: 35,
} as const;

/** Bumped whenever templates or shapes change, so stale weights are refused at load. */
export const FEATURE_VERSION = 4;

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
 * Writes, from `out[n]` on, the features that depend only on token `i` itself (its lower-cased
 * text, its shape, its gazetteers) and returns the new count. They are the same wherever the
 * word occurs, so the run-time tagger caches their summed weights per word and shape.
 */
export function tokenFeatures(t: TaggedTokens, i: number, out: Int32Array, n: number): number {
  const { tokens, text } = t;
  const flags = tokens.flags[i]!;
  const shape = shapeOf(tokens, i);
  const gaz = t.gaz[i]!;
  out[n++] = mix(T.bias, 0);
  out[n++] = mix(T.word, tokens.hash[i]!);
  out[n++] = mix(T.shape, shape);
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
  for (let bits = gaz; bits !== 0; bits &= bits - 1) {
    const bit = 31 - Math.clz32(bits & -bits);
    out[n++] = mix(T.gaz, bit);
    out[n++] = mix(T.gazShape, mix(bit, shape));
  }
  if (gaz === 0) out[n++] = mix(T.noGazShape, shape);
  if (!(flags & (F_FIRST_UPPER | F_ALL_UPPER | F_HAS_DIGIT))) out[n++] = mix(T.capsContext, 2);
  return n;
}

/** True when the token before `i` ends a sentence (or there is none), so case says little. */
function afterSentenceEnd(t: TaggedTokens, i: number): boolean {
  return (
    i === 0 ||
    (!(t.tokens.flags[i - 1]! & F_WORD) && SENTENCE_END.includes(t.text.charAt(t.tokens.start[i - 1]!)))
  );
}

/**
 * Writes the features of token `i` that depend only on the token before it and on its own
 * shape. The run-time tagger caches their sum per (previous word, previous shape, shape).
 */
export function leftFeatures(t: TaggedTokens, i: number, out: Int32Array, n: number): number {
  const shape = shapeOf(t.tokens, i);
  const prevShape = shapeOrBoundary(t, i - 1);
  const prevGaz = gazOrNone(t, i - 1);
  out[n++] = mix(T.prevWord, wordOrBoundary(t, i - 1));
  out[n++] = mix(T.prevShape, prevShape);
  out[n++] = mix(T.prevShapeShape, mix(prevShape, shape));
  for (let bits = prevGaz; bits !== 0; bits &= bits - 1)
    out[n++] = mix(T.prevGaz, 31 - Math.clz32(bits & -bits));
  if (afterSentenceEnd(t, i)) out[n++] = mix(T.sentenceShape, shape);
  if (prevGaz & G.honorific) out[n++] = mix(T.honorific, shape);
  return n;
}

/**
 * Writes the features of token `i` that depend only on the token after it and on its own
 * shape. The run-time tagger caches their sum per (next word, next shape, shape).
 */
export function rightFeatures(t: TaggedTokens, i: number, out: Int32Array, n: number): number {
  const shape = shapeOf(t.tokens, i);
  const nextShape = shapeOrBoundary(t, i + 1);
  const nextWord = wordOrBoundary(t, i + 1);
  out[n++] = mix(T.nextWord, nextWord);
  out[n++] = mix(T.nextShape, nextShape);
  out[n++] = mix(T.shapeNext, mix(shape, nextShape));
  for (let bits = gazOrNone(t, i + 1); bits !== 0; bits &= bits - 1)
    out[n++] = mix(T.nextGaz, 31 - Math.clz32(bits & -bits));
  if (nextWord === PERIOD) out[n++] = mix(T.nextPeriod, shape);
  return n;
}

/** Writes the remaining features of token `i` that depend on the tokens around it: line breaks, capitals. */
export function positionFeatures(t: TaggedTokens, i: number, out: Int32Array, n: number): number {
  const { tokens } = t;
  const count = tokens.count;
  const flags = tokens.flags[i]!;
  const shape = shapeOf(tokens, i);
  if (flags & F_NEWLINE_BEFORE && !afterSentenceEnd(t, i)) out[n++] = mix(T.sentenceShape, shape);
  if (flags & F_NEWLINE_BEFORE) out[n++] = mix(T.newline, flags & F_PARAGRAPH_BEFORE ? 2 : 1);
  if (i + 1 < count && tokens.flags[i + 1]! & F_NEWLINE_BEFORE) out[n++] = mix(T.nextNewline, 1);
  // "Mr. Smith": the honorific two tokens back (one back is `leftFeatures`).
  if (
    !(gazOrNone(t, i - 1) & G.honorific) &&
    wordOrBoundary(t, i - 1) === PERIOD &&
    gazOrNone(t, i - 2) & G.honorific
  )
    out[n++] = mix(T.honorific, shape);
  // Text in capitals (headings, forms) says little through case; tell the model so.
  if (
    flags & F_ALL_UPPER &&
    i > 0 &&
    tokens.flags[i - 1]! & F_ALL_UPPER &&
    i + 1 < count &&
    tokens.flags[i + 1]! & F_ALL_UPPER
  )
    out[n++] = mix(T.capsContext, 1);
  return n;
}

/** Writes the features of token `i` that depend on its neighbours but not on tags. */
export function contextFeatures(t: TaggedTokens, i: number, out: Int32Array, n: number): number {
  return positionFeatures(t, i, out, rightFeatures(t, i, out, leftFeatures(t, i, out, n)));
}

/**
 * Writes the features of token `i` that combine the tags already decided for the two tokens
 * before it (`prevTag`, `prevPrevTag`; 0 is O) with the token itself. After two O tags they are
 * fixed per word, so the run-time tagger caches them with the token features.
 */
export function tagFeatures(
  t: TaggedTokens,
  i: number,
  prevTag: number,
  prevPrevTag: number,
  out: Int32Array,
  n: number,
): number {
  const word = t.tokens.hash[i]!;
  const shape = shapeOf(t.tokens, i);
  for (let bits = t.gaz[i]!; bits !== 0; bits &= bits - 1)
    out[n++] = mix(T.prevTagGaz, mix(31 - Math.clz32(bits & -bits), prevTag));
  out[n++] = mix(T.prevTag, prevTag);
  out[n++] = mix(T.prevTags, mix(prevTag, prevPrevTag));
  out[n++] = mix(T.prevTagShape, mix(prevTag, shape));
  out[n++] = mix(T.prevTagWord, mix(prevTag, word));
  return n;
}

/** Writes the features of token `i` that combine the previous tag with the next token. */
export function tagContextFeatures(
  t: TaggedTokens,
  i: number,
  prevTag: number,
  out: Int32Array,
  n: number,
): number {
  out[n++] = mix(T.prevTagNextShape, mix(prevTag, shapeOrBoundary(t, i + 1)));
  return n;
}

/**
 * Writes every feature of token `i` into `out` and returns how many there are. `prevTag` and
 * `prevPrevTag` are the tags already decided for the two tokens before (0 is O).
 *
 * @example
 * ```ts
 * const count = extractFeatures(tagged, 3, 0, 0, new Int32Array(MAX_FEATURES));
 * ```
 */
export function extractFeatures(
  t: TaggedTokens,
  i: number,
  prevTag: number,
  prevPrevTag: number,
  out: Int32Array,
): number {
  const n = tagFeatures(
    t,
    i,
    prevTag,
    prevPrevTag,
    out,
    contextFeatures(t, i, out, tokenFeatures(t, i, out, 0)),
  );
  return tagContextFeatures(t, i, prevTag, out, n);
}
