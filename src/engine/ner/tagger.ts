/**
 * Greedy left-to-right decoding with the averaged perceptron. Only candidate tokens are scored:
 * capitalised words, numbers, words in a name gazetteer, and any token right after an entity
 * token (so "Republic of Turkey" can continue through "of"). Every other token is O at the cost
 * of one flag test, which is what keeps the tagger fast on prose.
 */
import { contextFeatures, MAX_FEATURES, shapeOf, tagContextFeatures, tagFeatures, tokenFeatures, type TaggedTokens } from './features.js';
import type { Scorer } from './perceptron.js';
import { G, gazetteerBits, NAMEISH } from './gazetteer.js';
import { allowedAfter, beginTag } from './tags.js';
import { F_ALL_DIGIT, F_ALL_UPPER, F_FIRST_UPPER, F_HAS_DIGIT, F_UNCASED, F_WORD, hashWord, type TokenBuffer } from './tokenizer.js';

/** True when token `i` may start an entity, so it is worth scoring even after an O. */
export function isCandidate(t: TaggedTokens, i: number): boolean {
  const flags = t.tokens.flags[i]!;
  const gaz = t.gaz[i]!;
  if (flags & (F_ALL_UPPER | F_UNCASED)) return true;
  // Capitalised function words, months and weekdays are sentence starts and dates, not names
  // ("The", "On", "September"); a quarter of the candidates in court judgments. They can still
  // continue an entity through `mayContinue` when they are connectors.
  if (flags & F_FIRST_UPPER) return !(gaz & G.function) && (!(gaz & (G.month | G.weekday)) || (gaz & (G.first | G.last)) !== 0);
  if (flags & F_HAS_DIGIT) return (i + 1 < t.tokens.count && startsStreet(t, i + 1)) || (i > 0 && endsStreet(t, i - 1));
  // A lower-case word is a candidate only when it is a known name and not also a common word
  // ("rain", "will", "mark"): lower-case names are rare, lower-case common words are not.
  if (!(flags & F_WORD) || !(gaz & (NAMEISH | G.honorific)) || gaz & (G.function | G.common)) return false;
  // After a modal verb a lower-case word is a verb: "it may rain", "God will bless".
  return !(i > 0 && MODALS.has(t.tokens.hash[i - 1]!));
}

const MODALS = new Set(['may', 'might', 'will', 'would', 'can', 'could', 'shall', 'should', 'must', 'not', "don't"].map(hashWord));

/**
 * True when token `i` may follow a house number: a capitalised word, a street or unit word
 * ("rue", "suite") or another number ("23 49 boulevard"). Numbers in other places ("at 12.50
 * each", "3 dogs") never start an entity, which removes most numbers from the candidates.
 */
function startsStreet(t: TaggedTokens, i: number): boolean {
  const flags = t.tokens.flags[i]!;
  const gaz = t.gaz[i]!;
  if (!(flags & F_WORD) || gaz & (G.month | G.weekday)) return false;
  return (flags & (F_FIRST_UPPER | F_ALL_UPPER | F_ALL_DIGIT)) !== 0 || (gaz & STREETISH) !== 0;
}

/** True when token `i` may precede a number that belongs to an address ("Karpacka 69", "suite 763"). */
function endsStreet(t: TaggedTokens, i: number): boolean {
  const flags = t.tokens.flags[i]!;
  const gaz = t.gaz[i]!;
  if (!(flags & F_WORD) || flags & F_HAS_DIGIT || gaz & (G.month | G.weekday)) return false;
  return (flags & (F_FIRST_UPPER | F_ALL_UPPER)) !== 0 || (gaz & STREETISH) !== 0;
}

const STREETISH = G.street | G.secondary;

const ADDRESS_BEGIN = beginTag('STREET_ADDRESS');
const PERSON_BEGIN = beginTag('PERSON');

/**
 * True when a token that is not a candidate may still continue the entity tagged `prev`:
 * punctuation and connector words inside names, and anything inside a street address.
 */
export function mayContinue(prev: number, flags: number, gaz: number): boolean {
  if (prev === ADDRESS_BEGIN || prev === ADDRESS_BEGIN + 1) return true;
  // Names written in lower case ("roberto yamamura"): an unknown lower-case word after a name.
  if ((prev === PERSON_BEGIN || prev === PERSON_BEGIN + 1) && flags & F_WORD && !(gaz & (G.function | G.common)) && !(flags & F_HAS_DIGIT)) return true;
  return !(flags & F_WORD) || (gaz & G.connector) !== 0;
}

/** Fills `gaz` with each token's gazetteer mask (0 for punctuation). */
export function lookupGazetteers(tokens: TokenBuffer, gaz: Int32Array): void {
  for (let i = 0; i < tokens.count; i++) gaz[i] = tokens.flags[i]! & F_WORD ? gazetteerBits(tokens.hash[i]!) : 0;
}

/**
 * Summed weights of each word's token features (see `tokenFeatures`), keyed by word hash and
 * shape, in two rows: alone, and with the tag features that follow two O tags (the usual case).
 * Prose repeats its words, so most candidates cost one probe here instead of a dozen feature
 * hashes and table probes. Only for a fixed model: the trainer's weights change.
 */
export class TokenScoreCache {
  private static readonly CAPACITY = 1 << 14;
  private readonly stamps = new Int32Array(TokenScoreCache.CAPACITY);
  private readonly hashes = new Int32Array(TokenScoreCache.CAPACITY);
  private readonly shapes = new Int32Array(TokenScoreCache.CAPACITY);
  private readonly rows: Float64Array;
  private readonly tags: number;
  /** Entries are valid when their stamp equals this; bumping it empties the cache at once. */
  private generation = 1;
  private used = 0;

  constructor(readonly scorer: Scorer) {
    this.tags = scorer.tags;
    this.rows = new Float64Array(TokenScoreCache.CAPACITY * 2 * scorer.tags);
  }

  /**
   * Adds the token-feature weights of token `i` to `scores`, with the tag features of two O tags
   * when `afterO`. `features` is scratch space.
   */
  add(t: TaggedTokens, i: number, afterO: boolean, features: Int32Array, scores: Float64Array): void {
    const hash = t.tokens.hash[i]!;
    const shape = shapeOf(t.tokens, i);
    const mask = TokenScoreCache.CAPACITY - 1;
    const tags = this.tags;
    let slot = (hash ^ Math.imul(shape, 0x9e3779b1)) & mask;
    let found = false;
    while (this.stamps[slot] === this.generation) {
      if (this.hashes[slot] === hash && this.shapes[slot] === shape) {
        found = true;
        break;
      }
      slot = (slot + 1) & mask;
    }
    if (!found) {
      // Half full: start afresh rather than let probe chains grow (a bounded cache on any stream).
      if (this.used >= TokenScoreCache.CAPACITY >> 1) {
        this.generation++;
        this.used = 0;
        slot = (hash ^ Math.imul(shape, 0x9e3779b1)) & mask;
      }
      const alone = this.rows.subarray(2 * slot * tags, (2 * slot + 1) * tags);
      const withTags = this.rows.subarray((2 * slot + 1) * tags, (2 * slot + 2) * tags);
      alone.fill(0);
      this.scorer.add(features, 0, tokenFeatures(t, i, features, 0), alone);
      withTags.set(alone);
      this.scorer.add(features, 0, tagFeatures(t, i, 0, 0, features, 0), withTags);
      this.stamps[slot] = this.generation;
      this.hashes[slot] = hash;
      this.shapes[slot] = shape;
      this.used++;
    }
    const base = (2 * slot + (afterO ? 1 : 0)) * tags;
    for (let tag = 0; tag < tags; tag++) scores[tag]! += this.rows[base + tag]!;
  }
}

/** Reusable scratch space for decoding. */
export class DecodeScratch {
  readonly features = new Int32Array(MAX_FEATURES);
  readonly scores: Float64Array;
  /** Set for a fixed model (run time); absent while training. */
  readonly cache: TokenScoreCache | undefined;
  constructor(scorer: Scorer, cached: boolean) {
    this.scores = new Float64Array(scorer.tags);
    this.cache = cached ? new TokenScoreCache(scorer) : undefined;
  }
}

/**
 * Tags every token of `t` into `tags`, writing into `margins` the gap between the best and the
 * second-best allowed tag (a confidence, in weight units). `onToken`, when given, sees each
 * scored token's features and predicted tag; the trainer uses it to update weights.
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
  const { features, scores, cache } = scratch;
  const tagCount = scorer.tags;
  let prev = 0;
  let prevPrev = 0;
  for (let i = 0; i < tokens.count; i++) {
    const flags = tokens.flags[i]!;
    if (!isCandidate(t, i) && (prev === 0 || !mayContinue(prev, flags, gaz[i]!))) {
      tags[i] = 0;
      margins[i] = 0;
      prevPrev = prev;
      prev = 0;
      continue;
    }
    for (let tag = 0; tag < tagCount; tag++) scores[tag] = 0;
    let count = 0;
    const afterO = prev === 0 && prevPrev === 0;
    if (cache) {
      cache.add(t, i, afterO, features, scores);
      if (!afterO) count = tagFeatures(t, i, prev, prevPrev, features, 0);
    } else count = tagFeatures(t, i, prev, prevPrev, features, tokenFeatures(t, i, features, 0));
    count = tagContextFeatures(t, i, prev, features, contextFeatures(t, i, features, count));
    scorer.add(features, 0, count, scores);
    let best = 0;
    let bestScore = -Infinity;
    let second = -Infinity;
    for (let tag = 0; tag < tagCount; tag++) {
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
    margins[i] = (bestScore - second) * scorer.scale;
    prevPrev = prev;
    prev = best;
  }
}
