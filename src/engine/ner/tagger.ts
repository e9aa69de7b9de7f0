/**
 * Greedy left-to-right decoding with the averaged perceptron. Only candidate tokens are scored:
 * capitalised words, numbers, words in a name gazetteer, and any token right after an entity
 * token (so "Republic of Turkey" can continue through "of"). Every other token is O at the cost
 * of one flag test, which is what keeps the tagger fast on prose.
 */
import { extractFeatures, MAX_FEATURES, type TaggedTokens } from './features.js';
import { G, gazetteerBits, NAMEISH } from './gazetteer.js';
import { allowedAfter, beginTag } from './tags.js';
import { F_ALL_UPPER, F_FIRST_UPPER, F_HAS_DIGIT, F_UNCASED, F_WORD, type TokenBuffer } from './tokenizer.js';

/** Anything that scores a token's features for every tag: the trained model or the trainer. */
export interface Scorer {
  readonly tags: number;
  score(features: Int32Array, count: number, scores: Float32Array): void;
}

/** True when a token may start an entity, so it is worth scoring even after an O. */
export function isCandidate(flags: number, gaz: number): boolean {
  if (flags & (F_FIRST_UPPER | F_ALL_UPPER | F_HAS_DIGIT | F_UNCASED)) return true;
  // A lower-case word is a candidate only when it is a known name and not also a common word
  // ("rain", "will", "mark"): lower-case names are rare, lower-case common words are not.
  return (flags & F_WORD) !== 0 && (gaz & (NAMEISH | G.honorific)) !== 0 && (gaz & (G.function | G.common)) === 0;
}

const ADDRESS_BEGIN = beginTag('STREET_ADDRESS');

/**
 * True when a token that is not a candidate may still continue the entity tagged `prev`:
 * punctuation and connector words inside names, and anything inside a street address.
 */
export function mayContinue(prev: number, flags: number, gaz: number): boolean {
  if (prev === ADDRESS_BEGIN || prev === ADDRESS_BEGIN + 1) return true;
  return !(flags & F_WORD) || (gaz & G.connector) !== 0;
}

/** Fills `gaz` with each token's gazetteer mask (0 for punctuation). */
export function lookupGazetteers(tokens: TokenBuffer, gaz: Int32Array): void {
  for (let i = 0; i < tokens.count; i++) gaz[i] = tokens.flags[i]! & F_WORD ? gazetteerBits(tokens.hash[i]!) : 0;
}

/** Reusable scratch space for decoding. */
export class DecodeScratch {
  readonly features = new Int32Array(MAX_FEATURES);
  readonly scores: Float32Array;
  constructor(tags: number) {
    this.scores = new Float32Array(tags);
  }
}

/**
 * Tags every token of `t` into `tags`, writing into `margins` the gap between the best and the
 * second-best allowed tag (a confidence). `onToken`, when given, sees each scored token's
 * features and predicted tag; the trainer uses it to update weights.
 */
export function decode(
  t: TaggedTokens,
  scorer: Scorer,
  scratch: DecodeScratch,
  tags: Int8Array,
  margins: Float32Array,
  onToken?: (i: number, features: Int32Array, count: number, predicted: number) => number,
): void {
  const { tokens, gaz } = t;
  const { features, scores } = scratch;
  let prev = 0;
  let prevPrev = 0;
  for (let i = 0; i < tokens.count; i++) {
    const flags = tokens.flags[i]!;
    if (!isCandidate(flags, gaz[i]!) && (prev === 0 || !mayContinue(prev, flags, gaz[i]!))) {
      tags[i] = 0;
      margins[i] = 0;
      prevPrev = prev;
      prev = 0;
      continue;
    }
    const count = extractFeatures(t, i, prev, prevPrev, features);
    scorer.score(features, count, scores);
    let best = 0;
    let bestScore = -Infinity;
    let second = -Infinity;
    for (let tag = 0; tag < scorer.tags; tag++) {
      if (!allowedAfter(prev, tag)) continue;
      const s = scores[tag]!;
      if (s > bestScore) {
        second = bestScore;
        bestScore = s;
        best = tag;
      } else if (s > second) second = s;
    }
    if (onToken) best = onToken(i, features, count, best);
    tags[i] = best;
    margins[i] = bestScore - second;
    prevPrev = prev;
    prev = best;
  }
}
