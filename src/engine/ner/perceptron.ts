/**
 * The averaged-perceptron weights at run time: an open-addressing hash table from feature hash
 * to one weight per tag. The table is built once from the compact model file.
 */
import { VeilError } from '../../errors/veil-error.js';

/** The model file format (`model/weights.json`). */
export interface ModelFile {
  /** Format of this file. */
  readonly format: 1;
  /** `FEATURE_VERSION` of the features the weights were trained with. */
  readonly featureVersion: number;
  readonly tags: readonly string[];
  /** Number of features (keys) stored. */
  readonly features: number;
  /** Bits per stored weight (8 or 16). */
  readonly bits: 8 | 16;
  /** Multiply a stored integer weight by this to get the trained weight. */
  readonly scale: number;
  /** Feature hashes, little-endian int32, base64. */
  readonly keys: string;
  /** `features × tags.length` weights, little-endian int8 or int16 (see `bits`), base64. */
  readonly weights: string;
  /** Provenance: what the weights were trained on. */
  readonly trainedOn: string;
}

/** Decodes base64 without Buffer, so the engine also runs in a browser. */
export function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Encodes bytes as base64 without Buffer. */
export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** Size of the absent-feature filter in bits (32 KB). */
const FILTER_BITS = 1 << 18;

/** Anything that adds the weights of features to per-tag scores: the trained model or the trainer. */
export interface Scorer {
  readonly tags: number;
  /** Multiply a sum of scores by this to get weight units (the margins' unit). */
  readonly scale: number;
  /** Adds, for each tag `t`, the weights of `features[from..to)` to `scores[at + t]`. */
  add(features: Int32Array, from: number, to: number, scores: Float64Array, at: number): void;
}

/**
 * Perceptron weights keyed by feature hash, for run time. Slots of an open-addressing table hold
 * `[key, row]` pairs side by side (one cache line per probe, and most probes are misses); the
 * rows are the file's integer weights, packed. Scores are sums of integers, exact in a double,
 * so they do not depend on the order features are added in; `scale` turns them into weights.
 *
 * @example
 * ```ts
 * const model = PerceptronModel.fromFile(file, FEATURE_VERSION, TAGS);
 * model.add(features, 0, count, scores, 0);
 * ```
 */
export class PerceptronModel implements Scorer {
  readonly tags: number;
  readonly size: number;
  readonly scale: number;
  private readonly slots: Int32Array;
  private readonly weights: Int16Array;
  private readonly mask: number;
  /**
   * One bit per hash value (modulo its size), set for every stored feature. Most features of a
   * token are not in the model (rare words and word pairs); this 32 KB filter answers those
   * from the L1 cache instead of probing the table.
   */
  private readonly filter: Int32Array;

  private constructor(tags: number, keys: Int32Array, weights: Int16Array, scale: number) {
    this.tags = tags;
    this.scale = scale;
    this.weights = weights;
    // Load factor at most 3/4: the filter keeps probes for absent features rare, so a denser
    // table (fewer cache misses) beats shorter probe chains.
    let capacity = 16;
    while (capacity * 3 < keys.length * 4) capacity <<= 1;
    this.mask = capacity - 1;
    this.slots = new Int32Array(capacity * 2);
    this.filter = new Int32Array(FILTER_BITS >> 5);
    let size = 0;
    for (let f = 0; f < keys.length; f++) {
      // 0 marks an empty slot, so a feature whose hash is 0 is stored under 1 (and looked up so).
      const stored = keys[f] === 0 ? 1 : keys[f]!;
      let slot = stored & this.mask;
      while (this.slots[2 * slot] !== 0 && this.slots[2 * slot] !== stored) slot = (slot + 1) & this.mask;
      if (this.slots[2 * slot] === 0) size++;
      this.slots[2 * slot] = stored;
      this.slots[2 * slot + 1] = f * tags;
      const bit = (stored >>> 15) & (FILTER_BITS - 1);
      this.filter[bit >> 5]! |= 1 << (bit & 31);
    }
    this.size = size;
  }

  /** Builds the table from the model file, checking that it matches the feature code. */
  static fromFile(file: ModelFile, featureVersion: number, tags: readonly string[]): PerceptronModel {
    if (file.format !== 1 || file.featureVersion !== featureVersion || file.tags.join() !== tags.join())
      throw new VeilError(
        'VEIL_MODEL_INVALID',
        'ner: the model file does not match this version of the features; run npm run train:ner',
      );
    const keyBytes = fromBase64(file.keys);
    const keys = new Int32Array(keyBytes.buffer, keyBytes.byteOffset, keyBytes.byteLength >> 2);
    const bytes = fromBase64(file.weights);
    const weights =
      file.bits === 16
        ? new Int16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 1)
        : Int16Array.from(new Int8Array(bytes.buffer));
    return new PerceptronModel(tags.length, keys, weights, file.scale);
  }

  /** Adds the integer weights of `features[from..to)` to `scores[at..]` (multiply by `scale` for weights). */
  /** As `Scorer.add`; the sums of integer weights may go into an `Int32Array` too (a cache of sums). */
  add(features: Int32Array, from: number, to: number, scores: Float64Array | Int32Array, at: number): void {
    const { slots, weights, mask, tags, filter } = this;
    for (let f = from; f < to; f++) {
      const key = features[f] === 0 ? 1 : features[f]!;
      // High bits for the filter, low bits for the slot: the two tests stay independent.
      const bit = (key >>> 15) & (FILTER_BITS - 1);
      if (!(filter[bit >> 5]! & (1 << (bit & 31)))) continue;
      let slot = key & mask;
      for (;;) {
        const stored = slots[2 * slot]!;
        if (stored === key) {
          const base = slots[2 * slot + 1]!;
          for (let t = 0; t < tags; t++) scores[at + t]! += weights[base + t]!;
          break;
        }
        if (stored === 0) break;
        slot = (slot + 1) & mask;
      }
    }
  }
}
