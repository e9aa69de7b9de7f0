/**
 * Greedy left-to-right decoding with the averaged perceptron. Only candidate tokens are scored:
 * capitalised words, numbers, words in a name gazetteer, and any token right after an entity
 * token (so "Republic of Turkey" can continue through "of"). Every other token is O at the cost
 * of one flag test, which is what keeps the tagger fast on prose.
 */
import {
  contextFeatures,
  leftFeatures,
  MAX_FEATURES,
  positionFeatures,
  rightFeatures,
  shapeOf,
  tagContextFeatures,
  tagFeatures,
  tokenFeatures,
  type TaggedTokens,
} from './features.js';
import type { PerceptronModel, Scorer } from './perceptron.js';
import { G, gazetteerBits, NAMEISH } from './gazetteer.js';
import { allowedAfter, beginTag } from './tags.js';
import {
  F_ALL_DIGIT,
  F_ALL_UPPER,
  F_FIRST_UPPER,
  F_HAS_DIGIT,
  F_UNCASED,
  F_WORD,
  type TokenBuffer,
  WordSet,
} from './tokenizer.js';

/** True when token `i` may start an entity, so it is worth scoring even after an O. */
export function isCandidate(t: TaggedTokens, i: number): boolean {
  const flags = t.tokens.flags[i]!;
  const gaz = t.gaz[i]!;
  if (flags & (F_ALL_UPPER | F_UNCASED)) return true;
  // Capitalised function words, months and weekdays are sentence starts and dates, not names
  // ("The", "On", "September"); a quarter of the candidates in court judgments. They can still
  // continue an entity through `mayContinue` when they are connectors.
  if (flags & F_FIRST_UPPER)
    return !(gaz & G.function) && (!(gaz & (G.month | G.weekday)) || (gaz & (G.first | G.last)) !== 0);
  if (flags & F_HAS_DIGIT)
    return (i + 1 < t.tokens.count && startsStreet(t, i + 1)) || (i > 0 && endsStreet(t, i - 1));
  // A lower-case word is a candidate only when it is a known name and not also a common word
  // ("rain", "will", "mark"): lower-case names are rare, lower-case common words are not.
  if (!(flags & F_WORD) || !(gaz & (NAMEISH | G.honorific)) || gaz & (G.function | G.common)) return false;
  // After a modal verb a lower-case word is a verb: "it may rain", "God will bless".
  return !(i > 0 && MODALS.has(t.tokens.hash[i - 1]!));
}

const MODALS = new WordSet([
  'may',
  'might',
  'will',
  'would',
  'can',
  'could',
  'shall',
  'should',
  'must',
  'not',
  "don't",
]);

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

/** Flags that make a token worth a closer look in `isCandidate`. */
const MAYBE_NAME = F_FIRST_UPPER | F_ALL_UPPER | F_UNCASED | F_HAS_DIGIT;

const ADDRESS_BEGIN = beginTag('STREET_ADDRESS');
const PERSON_BEGIN = beginTag('PERSON');

/**
 * True when a token that is not a candidate may still continue the entity tagged `prev`:
 * punctuation and connector words inside names, and anything inside a street address.
 */
export function mayContinue(prev: number, flags: number, gaz: number): boolean {
  if (prev === ADDRESS_BEGIN || prev === ADDRESS_BEGIN + 1) return true;
  // Names written in lower case ("roberto yamamura"): an unknown lower-case word after a name.
  if (
    (prev === PERSON_BEGIN || prev === PERSON_BEGIN + 1) &&
    flags & F_WORD &&
    !(gaz & (G.function | G.common)) &&
    !(flags & F_HAS_DIGIT)
  )
    return true;
  return !(flags & F_WORD) || (gaz & G.connector) !== 0;
}

/** Fills `gaz` with each token's gazetteer mask (0 for punctuation). */
export function lookupGazetteers(tokens: TokenBuffer, gaz: Int32Array): void {
  for (let i = 0; i < tokens.count; i++)
    gaz[i] = tokens.flags[i]! & F_WORD ? gazetteerBits(tokens.hash[i]!) : 0;
}

/**
 * Summed feature weights keyed by three integers, for a fixed model (the trainer's weights
 * change, so it never uses one). Prose repeats its words and word pairs, so most candidates cost
 * a few probes here instead of twenty feature hashes and table probes. Bounded: when half full
 * it empties at once, so memory stays flat on any stream.
 */
export class ScoreCache {
  private static readonly CAPACITY = 1 << 14;
  /** `[stamp, a, b, c]` per slot, side by side: one cache line per probe. */
  private readonly slots = new Int32Array(ScoreCache.CAPACITY * 4);
  /**
   * `rows` consecutive rows of `tags` sums per entry. The model's weights are integers, so their
   * sums are exact in 32 bits: half the memory of doubles, so more of the cache stays in the CPU's.
   */
  readonly sums: Int32Array;
  private readonly stride: number;
  /** Entries are valid when their stamp equals this; bumping it empties the cache. */
  private generation = 1;
  private used = 0;

  constructor(
    readonly tags: number,
    rows: number,
  ) {
    this.stride = rows * tags;
    this.sums = new Int32Array(ScoreCache.CAPACITY * this.stride);
  }

  /**
   * The offset in `sums` of the entry for `(a, b, c)`. A new entry (zeroed) is marked by
   * returning `-1 - offset`; the caller fills it.
   */
  entry(a: number, b: number, c: number): number {
    const mask = ScoreCache.CAPACITY - 1;
    let slot = (Math.imul(a ^ Math.imul(b, 0x9e3779b1) ^ Math.imul(c, 0x85ebca6b), 0xc2b2ae35) >>> 18) & mask;
    const slots = this.slots;
    while (slots[4 * slot] === this.generation) {
      if (slots[4 * slot + 1] === a && slots[4 * slot + 2] === b && slots[4 * slot + 3] === c)
        return slot * this.stride;
      slot = (slot + 1) & mask;
    }
    if (this.used >= ScoreCache.CAPACITY >> 1) {
      this.generation++;
      this.used = 0;
      return this.entry(a, b, c);
    }
    slots[4 * slot] = this.generation;
    slots[4 * slot + 1] = a;
    slots[4 * slot + 2] = b;
    slots[4 * slot + 3] = c;
    this.used++;
    const offset = slot * this.stride;
    this.sums.fill(0, offset, offset + this.stride);
    return -1 - offset;
  }
}

/**
 * The run-time caches: per word (token features, and with the tag features after two O tags),
 * per previous token and per next token.
 */
export class FeatureCaches {
  readonly word: ScoreCache;
  readonly left: ScoreCache;
  readonly right: ScoreCache;
  constructor(readonly scorer: PerceptronModel) {
    this.word = new ScoreCache(scorer.tags, 2);
    this.left = new ScoreCache(scorer.tags, 1);
    this.right = new ScoreCache(scorer.tags, 1);
  }

  /** Adds the cached sums for token `i` to `scores`. `features` is scratch space. */
  add(t: TaggedTokens, i: number, afterO: boolean, features: Int32Array, scores: Float64Array): void {
    const { tokens } = t;
    const { scorer } = this;
    const tags = scorer.tags;
    const shape = shapeOf(tokens, i);
    const last = tokens.count - 1;
    let at = this.word.entry(tokens.hash[i]!, shape, 0);
    if (at < 0) {
      at = -1 - at;
      const sums = this.word.sums;
      scorer.add(features, 0, tokenFeatures(t, i, features, 0), sums, at);
      sums.copyWithin(at + tags, at, at + tags);
      scorer.add(features, 0, tagFeatures(t, i, 0, 0, features, 0), sums, at + tags);
    }
    addRow(this.word.sums, afterO ? at + tags : at, tags, scores);
    at = this.left.entry(
      i > 0 ? tokens.hash[i - 1]! : OUTSIDE_KEY,
      i > 0 ? shapeOf(tokens, i - 1) : OUTSIDE_KEY,
      shape,
    );
    if (at < 0) {
      at = -1 - at;
      scorer.add(features, 0, leftFeatures(t, i, features, 0), this.left.sums, at);
    }
    addRow(this.left.sums, at, tags, scores);
    at = this.right.entry(
      i < last ? tokens.hash[i + 1]! : OUTSIDE_KEY,
      i < last ? shapeOf(tokens, i + 1) : OUTSIDE_KEY,
      shape,
    );
    if (at < 0) {
      at = -1 - at;
      scorer.add(features, 0, rightFeatures(t, i, features, 0), this.right.sums, at);
    }
    addRow(this.right.sums, at, tags, scores);
  }
}

/** Stands for "no token" in cache keys (a boundary); word and punctuation hashes never equal it. */
const OUTSIDE_KEY = 0x7fffffff;

function addRow(sums: Int32Array, at: number, tags: number, scores: Float64Array): void {
  for (let tag = 0; tag < tags; tag++) scores[tag]! += sums[at + tag]!;
}

/** Reusable scratch space for decoding. */
export class DecodeScratch {
  readonly features = new Int32Array(MAX_FEATURES);
  readonly scores: Float64Array;
  /** Set for a fixed model (run time); absent while training. */
  readonly caches: FeatureCaches | undefined;
  constructor(scorer: Scorer, caches?: FeatureCaches) {
    this.scores = new Float64Array(scorer.tags);
    this.caches = caches;
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
  const { features, scores, caches } = scratch;
  const tagCount = scorer.tags;
  let prev = 0;
  let prevPrev = 0;
  const allFlags = tokens.flags;
  const count = tokens.count;
  for (let i = 0; i < count; i++) {
    const flags = allFlags[i]!;
    // Most tokens are lower-case words that are no name: skip them without a call.
    const plain = prev === 0 && !(flags & MAYBE_NAME) && !(gaz[i]! & (NAMEISH | G.honorific));
    if (plain || (!isCandidate(t, i) && (prev === 0 || !mayContinue(prev, flags, gaz[i]!)))) {
      tags[i] = 0;
      margins[i] = 0;
      prevPrev = prev;
      prev = 0;
      continue;
    }
    for (let tag = 0; tag < tagCount; tag++) scores[tag] = 0;
    let n = 0;
    const afterO = prev === 0 && prevPrev === 0;
    if (caches) {
      caches.add(t, i, afterO, features, scores);
      if (!afterO) n = tagFeatures(t, i, prev, prevPrev, features, 0);
      n = positionFeatures(t, i, features, n);
    } else
      n = contextFeatures(
        t,
        i,
        features,
        tagFeatures(t, i, prev, prevPrev, features, tokenFeatures(t, i, features, 0)),
      );
    n = tagContextFeatures(t, i, prev, features, n);
    scorer.add(features, 0, n, scores, 0);
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
    if (onToken) best = onToken(i, features, n, best);
    tags[i] = best;
    margins[i] = (bestScore - second) * scorer.scale;
    prevPrev = prev;
    prev = best;
  }
}
