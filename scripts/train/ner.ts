/**
 * Trains the name/place/organisation/address tagger (an averaged perceptron with greedy
 * decoding) and writes `src/engine/ner/model/weights.json`.
 *
 * Training data (both MIT licensed, read from ../shared/eval, never copied into the repo):
 * TAB train, and the presidio-research generated_large samples whose template is not held out
 * (see scripts/eval/splits.ts).
 *
 * Run: `npm run train:ner` (a minute or two on one core).
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FEATURE_VERSION, type TaggedTokens } from '../../src/engine/ner/features.js';
import type { ModelFile, Scorer } from '../../src/engine/ner/perceptron.js';
import { toBase64 } from '../../src/engine/ner/perceptron.js';
import { beginTag, TAGS } from '../../src/engine/ner/tags.js';
import { decode, DecodeScratch, lookupGazetteers } from '../../src/engine/ner/tagger.js';
import { TokenBuffer, tokenize } from '../../src/engine/ner/tokenizer.js';
import { augment } from './augment.js';
import { presidio, tab, type GoldDoc } from './corpus.js';

const EPOCHS = Number(process.env.EPOCHS ?? 8);
/** Averaged weights smaller than this (in every tag) are dropped: they barely move a score. */
const PRUNE = Number(process.env.PRUNE ?? 1);
/** Bits per stored weight: 8 (smallest file) or 16. */
const BITS = Number(process.env.BITS ?? 16) === 8 ? 8 : 16;
/** The share of weights below the int8 clipping point. */
const CLIP_PERCENTILE = Number(process.env.CLIP ?? 1);
/** Copies of each presidio-research training sample with faker values swapped in (off: it lowered held-out F2 from 0.66 to 0.62). */
const COPIES = Number(process.env.COPIES ?? 0);

/** Averaged perceptron weights with lazy averaging (each weight remembers when it last changed). */
class Trainer implements Scorer {
  readonly tags = TAGS.length;
  readonly scale = 1;
  readonly rows = new Map<number, Float64Array>();
  step = 0;

  add(features: Int32Array, from: number, to: number, scores: Float64Array, at: number): void {
    for (let f = from; f < to; f++) {
      const row = this.rows.get(features[f] === 0 ? 1 : features[f]!);
      if (row) for (let t = 0; t < this.tags; t++) scores[at + t]! += row[t]!;
    }
  }

  update(features: Int32Array, count: number, gold: number, predicted: number): void {
    const n = this.tags;
    for (let f = 0; f < count; f++) {
      const key = features[f] === 0 ? 1 : features[f]!;
      let row = this.rows.get(key);
      if (!row) this.rows.set(key, (row = new Float64Array(3 * n)));
      for (const [tag, delta] of [
        [gold, 1],
        [predicted, -1],
      ] as const) {
        row[n + tag]! += (this.step - row[2 * n + tag]!) * row[tag]!;
        row[2 * n + tag] = this.step;
        row[tag]! += delta;
      }
    }
  }

  averaged(): Map<number, Float64Array> {
    const n = this.tags;
    const out = new Map<number, Float64Array>();
    for (const [key, row] of this.rows) {
      const avg = new Float64Array(n);
      for (let t = 0; t < n; t++)
        avg[t] = (row[n + t]! + (this.step - row[2 * n + t]!) * row[t]!) / this.step;
      out.set(key, avg);
    }
    return out;
  }
}

interface Prepared {
  readonly t: TaggedTokens;
  readonly gold: Int8Array;
}

function prepare(doc: GoldDoc): Prepared {
  const tokens = new TokenBuffer();
  tokenize(doc.text, 0, doc.text.length, tokens);
  const gaz = new Int32Array(tokens.count);
  lookupGazetteers(tokens, gaz);
  // Own copies: the buffer's arrays may be longer than `count`.
  const owned = new TokenBuffer();
  owned.count = tokens.count;
  owned.start = tokens.start.slice(0, tokens.count);
  owned.end = tokens.end.slice(0, tokens.count);
  owned.hash = tokens.hash.slice(0, tokens.count);
  owned.flags = tokens.flags.slice(0, tokens.count);
  const gold = new Int8Array(tokens.count);
  // A token belongs to a span when it overlaps it; B on the first such token.
  for (const span of [...doc.spans].sort((a, b) => a.start - b.start)) {
    let first = true;
    for (let i = 0; i < owned.count; i++) {
      if (owned.end[i]! <= span.start || owned.start[i]! >= span.end) continue;
      gold[i] = first ? beginTag(span.type) : beginTag(span.type) + 1;
      first = false;
    }
  }
  return { t: { tokens: owned, gaz, text: doc.text }, gold };
}

/** A small deterministic PRNG (mulberry32) so runs are reproducible. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let r = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

function main(): void {
  const base = [...tab('train'), ...presidio('generated_large.json', 'train')];
  const docs = [...base, ...augment(presidio('generated_large.json', 'train'), COPIES, random(11))];
  const prepared = docs.map(prepare);
  console.log(
    `training on ${docs.length} documents, ${prepared.reduce((s, p) => s + p.t.tokens.count, 0)} tokens`,
  );
  const trainer = new Trainer();
  const scratch = new DecodeScratch(trainer);
  const rand = random(7);
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    const order = prepared.map((_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    let errors = 0;
    let scored = 0;
    for (const index of order) {
      const { t, gold } = prepared[index]!;
      const tags = new Int8Array(t.tokens.count);
      const margins = new Float32Array(t.tokens.count);
      decode(t, trainer, scratch, tags, margins, (i, features, count, predicted) => {
        trainer.step++;
        scored++;
        const want = gold[i]!;
        if (predicted !== want) {
          errors++;
          trainer.update(features, count, want, predicted);
        }
        // Continue from the predicted tag (as at run time), unless it breaks the BIO grammar.
        return predicted;
      });
    }
    console.log(`epoch ${epoch + 1}: ${errors} errors in ${scored} scored tokens`);
  }
  const averaged = trainer.averaged();
  const kept: [number, Float64Array][] = [];
  let maxAbs = 0;
  for (const [key, row] of averaged) {
    let big = 0;
    for (const w of row) big = Math.max(big, Math.abs(w));
    if (big < PRUNE) continue;
    kept.push([key, row]);
    maxAbs = Math.max(maxAbs, big);
  }
  kept.sort((a, b) => a[0] - b[0]);
  // int8 with a scale set by a high percentile, not the maximum: a few huge weights (bias,
  // shape) would otherwise round every ordinary weight to zero. Larger weights are clipped.
  const magnitudes = kept.flatMap(([, row]) => Array.from(row, Math.abs)).sort((a, b) => a - b);
  const clip = Math.min(maxAbs, magnitudes[Math.floor(magnitudes.length * CLIP_PERCENTILE)] ?? maxAbs);
  const limit = BITS === 16 ? 32767 : 127;
  const scale = clip / limit;
  const keys = new Int32Array(kept.length);
  const weights =
    BITS === 16 ? new Int16Array(kept.length * TAGS.length) : new Int8Array(kept.length * TAGS.length);
  kept.forEach(([key, row], f) => {
    keys[f] = key;
    for (let t = 0; t < TAGS.length; t++)
      weights[f * TAGS.length + t] = Math.max(-limit, Math.min(limit, Math.round(row[t]! / scale)));
  });
  const file: ModelFile = {
    format: 1,
    featureVersion: FEATURE_VERSION,
    tags: TAGS,
    features: kept.length,
    scale,
    bits: BITS,
    keys: toBase64(new Uint8Array(keys.buffer)),
    weights: toBase64(new Uint8Array(weights.buffer)),
    trainedOn:
      'TAB tab144_train (MIT) + presidio-research generated_large, templates with template_id % 5 !== 0 (MIT)',
  };
  const target = fileURLToPath(new URL('../../src/engine/ner/model/weights.json', import.meta.url));
  writeFileSync(target, JSON.stringify(file) + '\n');
  console.log(
    `${averaged.size} features trained, ${kept.length} kept (|w| >= ${PRUNE}), scale ${scale.toFixed(4)}; wrote ${target}`,
  );
}

main();
