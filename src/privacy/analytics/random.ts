/**
 * Uniform random integers for the noise samplers, drawn exactly from bytes of a cryptographic
 * source: rejection sampling over the smallest byte length that holds the range, so every integer
 * below `n` is equally likely (no modulo bias, no floating point).
 */
import { createCipheriv, createHash, randomBytes } from 'node:crypto';

/** A source of uniform integers: `below(n)` returns an integer in [0, n), each equally likely. */
export interface RandomSource {
  below(n: bigint): bigint;
}

/** Fills a byte array with random bytes. */
export type ByteSource = (length: number) => Uint8Array;

/**
 * A {@link RandomSource} over `bytes`: the smallest number of bytes that holds `n - 1` is read,
 * the top byte masked to the bit length, and draws at or above `n` are thrown away (at most half
 * on average), so the result is exactly uniform.
 *
 * @example
 * ```ts
 * const rng = randomSourceFromBytes((length) => randomBytes(length));
 * rng.below(6n); // 0n … 5n
 * ```
 */
export function randomSourceFromBytes(bytes: ByteSource): RandomSource {
  return {
    below(n: bigint): bigint {
      if (n <= 0n) throw new RangeError('random: the range must be positive');
      if (n === 1n) return 0n;
      const bits = (n - 1n).toString(2).length;
      const length = Math.ceil(bits / 8);
      const topMask = (1 << (bits - (length - 1) * 8)) - 1;
      for (;;) {
        const draw = bytes(length);
        draw[0] = draw[0]! & topMask;
        let value = 0n;
        for (const byte of draw) value = (value << 8n) | BigInt(byte);
        if (value < n) return value;
      }
    },
  };
}

/**
 * The operating system's cryptographic generator (`crypto.randomBytes`): what every release uses.
 *
 * @example
 * ```ts
 * sampleDiscreteLaplace({ num: 10n, den: 1n }, cryptoRandomSource());
 * ```
 */
export function cryptoRandomSource(): RandomSource {
  return randomSourceFromBytes((length) => randomBytes(length));
}

/**
 * A deterministic generator for tests and reproducible checks: the AES-256-CTR keystream under a
 * key derived from `seed` (SHA-256). Cryptographic quality, but anyone with the seed can replay
 * it, so it never serves a release.
 *
 * @example
 * ```ts
 * const a = seededRandomSource('ks-test').below(1000n);
 * const b = seededRandomSource('ks-test').below(1000n); // a === b
 * ```
 */
export function seededRandomSource(seed: string): RandomSource {
  const key = createHash('sha256').update(`veil/dp-seed/${seed}`, 'utf8').digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  // Keystream bytes are buffered in blocks, so a draw costs no cipher call most of the time.
  let buffer = Buffer.alloc(0);
  let offset = 0;
  const zeros = Buffer.alloc(4096);
  return randomSourceFromBytes((length) => {
    if (offset + length > buffer.length) {
      buffer = Buffer.concat([buffer.subarray(offset), cipher.update(zeros)]);
      offset = 0;
    }
    const out = Uint8Array.from(buffer.subarray(offset, offset + length));
    offset += length;
    return out;
  });
}
