/**
 * Byte mutations for coverage-guided fuzzing, in the manner of libFuzzer's mutators: bit flips,
 * interesting bytes, insertions, deletions, copies within the input, crossover with another
 * corpus entry, and tokens from a dictionary (the format's keywords and the canary), stacked one
 * to five at a time. Randomness comes from `node:crypto` (inputs are kept, not seeds).
 */
import { randomInt } from 'node:crypto';

/** Bytes that tend to sit on a parser's branches: bounds, signs, separators, quotes. */
const INTERESTING = [
  0x00, 0x01, 0x7f, 0x80, 0xff, 0x0a, 0x0d, 0x20, 0x22, 0x27, 0x2c, 0x3a, 0x3c, 0x3e, 0x5c, 0x7b, 0x7d,
];

const pick = <T>(items: readonly T[]): T => items[randomInt(items.length)]!;

type Mutation = (
  input: Buffer,
  others: readonly Uint8Array[],
  dictionary: readonly Buffer[],
) => Buffer<ArrayBufferLike>;

const at = (input: Buffer): number => (input.length === 0 ? 0 : randomInt(input.length + 1));
const splice = (input: Buffer, index: number, removed: number, added: Uint8Array): Buffer =>
  Buffer.concat([input.subarray(0, index), added, input.subarray(index + removed)]);

const MUTATIONS: readonly Mutation[] = [
  (input) => {
    if (input.length === 0) return input;
    const copy = Buffer.from(input);
    copy[randomInt(copy.length)]! ^= 1 << randomInt(8);
    return copy;
  },
  (input) => {
    if (input.length === 0) return Buffer.from([pick(INTERESTING)]);
    const copy = Buffer.from(input);
    copy[randomInt(copy.length)] = pick(INTERESTING);
    return copy;
  },
  (input) =>
    splice(input, at(input), 0, Buffer.from(Array.from({ length: 1 + randomInt(16) }, () => randomInt(256)))),
  (input) => {
    if (input.length === 0) return input;
    const start = randomInt(input.length);
    return splice(input, start, 1 + randomInt(Math.min(64, input.length - start)), Buffer.alloc(0));
  },
  (input) => {
    if (input.length < 2) return input;
    const start = randomInt(input.length);
    const chunk = input.subarray(start, start + 1 + randomInt(Math.min(64, input.length - start)));
    return splice(input, at(input), 0, Buffer.from(chunk));
  },
  (input, others) => {
    if (others.length === 0) return input;
    const other = pick(others);
    if (other.length === 0) return input;
    const start = randomInt(other.length);
    const chunk = other.subarray(start, start + 1 + randomInt(Math.min(256, other.length - start)));
    return splice(input, at(input), randomInt(2) === 0 ? 0 : Math.min(chunk.length, input.length), chunk);
  },
  (input, _others, dictionary) =>
    dictionary.length === 0 ? input : splice(input, at(input), 0, pick(dictionary)),
  (input) => (input.length === 0 ? input : input.subarray(0, randomInt(input.length))),
];

/**
 * A mutant of `input`: one to five stacked mutations, at most `maxLength` bytes.
 *
 * @example
 * ```ts
 * const child = mutate(parent, corpus, [Buffer.from('obj'), Buffer.from('endstream')], 65_536);
 * ```
 */
export function mutate(
  input: Uint8Array,
  others: readonly Uint8Array[],
  dictionary: readonly Buffer[],
  maxLength: number,
): Uint8Array {
  let bytes: Buffer<ArrayBufferLike> = Buffer.from(input);
  for (let n = 1 + randomInt(5); n > 0; n -= 1) bytes = pick(MUTATIONS)(bytes, others, dictionary);
  return new Uint8Array(bytes.subarray(0, maxLength));
}
