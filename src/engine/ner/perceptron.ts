/**
 * The averaged-perceptron weights at run time: an open-addressing hash table from feature hash
 * to one weight per tag. The table is built once from the compact model file.
 */

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
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/**
 * Perceptron weights keyed by feature hash. `score` adds the weights of a token's features.
 *
 * @example
 * ```ts
 * const model = PerceptronModel.fromFile(file);
 * model.score(features, count, scores);
 * ```
 */
export class PerceptronModel {
  readonly tags: number;
  readonly size: number;
  private readonly keys: Int32Array;
  private readonly weights: Float32Array;
  private readonly mask: number;

  constructor(tags: number, entries: Iterable<readonly [number, ArrayLike<number>]>, count: number) {
    this.tags = tags;
    let capacity = 16;
    while (capacity < count * 2) capacity <<= 1;
    this.mask = capacity - 1;
    this.keys = new Int32Array(capacity);
    this.weights = new Float32Array(capacity * tags);
    let size = 0;
    for (const [key, values] of entries) {
      // 0 marks an empty slot, so a feature whose hash is 0 is stored under 1 (and looked up so).
      const stored = key === 0 ? 1 : key;
      let slot = stored & this.mask;
      while (this.keys[slot] !== 0 && this.keys[slot] !== stored) slot = (slot + 1) & this.mask;
      if (this.keys[slot] === 0) size++;
      this.keys[slot] = stored;
      for (let t = 0; t < tags; t++) this.weights[slot * tags + t] = values[t]!;
    }
    this.size = size;
  }

  /** Builds the table from the model file, checking that it matches the feature code. */
  static fromFile(file: ModelFile, featureVersion: number, tags: readonly string[]): PerceptronModel {
    if (file.format !== 1 || file.featureVersion !== featureVersion || file.tags.join() !== tags.join())
      throw new Error('ner: the model file does not match this version of the features; run npm run train:ner');
    const keyBytes = fromBase64(file.keys);
    const keys = new Int32Array(keyBytes.buffer, keyBytes.byteOffset, keyBytes.byteLength >> 2);
    const bytes = fromBase64(file.weights);
    const weights = file.bits === 16 ? new Int16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 1) : new Int8Array(bytes.buffer);
    const n = tags.length;
    const row = new Float32Array(n);
    function* entries(): Generator<readonly [number, Float32Array]> {
      for (let f = 0; f < keys.length; f++) {
        for (let t = 0; t < n; t++) row[t] = weights[f * n + t]! * file.scale;
        yield [keys[f]!, row];
      }
    }
    return new PerceptronModel(n, entries(), keys.length);
  }

  /** Sets `scores[t]` to the sum of the weights of `features[0..count)` for each tag `t`. */
  score(features: Int32Array, count: number, scores: Float32Array): void {
    const tags = this.tags;
    scores.fill(0);
    for (let f = 0; f < count; f++) {
      const key = features[f] === 0 ? 1 : features[f]!;
      let slot = key & this.mask;
      for (;;) {
        const stored = this.keys[slot]!;
        if (stored === key) {
          const base = slot * tags;
          for (let t = 0; t < tags; t++) scores[t]! += this.weights[base + t]!;
          break;
        }
        if (stored === 0) break;
        slot = (slot + 1) & this.mask;
      }
    }
  }
}
