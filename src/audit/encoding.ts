/**
 * Strict hex for hashes on the wire. `Buffer.from(text, 'hex')` silently stops at the first bad
 * character, which would let a malformed proof decode to a shorter, different one; these helpers
 * refuse instead.
 */

/** The length in bytes of every hash in the audit log (SHA-256). */
export const HASH_BYTES = 32;

const HEX = /^(?:[0-9a-f]{2})*$/;

/**
 * Lower-case hex of `bytes`.
 *
 * @example
 * ```ts
 * toHex(new Uint8Array([1, 255])); // '01ff'
 * ```
 */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/**
 * Decodes lower-case hex of any even length, or returns undefined.
 *
 * @example
 * ```ts
 * fromHex('01ff'); // Uint8Array [1, 255]
 * fromHex('0x1'); // undefined
 * ```
 */
export function fromHex(text: unknown): Uint8Array | undefined {
  if (typeof text !== 'string' || !HEX.test(text)) return undefined;
  return new Uint8Array(Buffer.from(text, 'hex'));
}

/**
 * Decodes a 32-byte hash written as 64 lower-case hex digits, or returns undefined.
 *
 * @example
 * ```ts
 * hashFromHex('e3b0c442…b855'); // Uint8Array(32)
 * ```
 */
export function hashFromHex(text: unknown): Uint8Array | undefined {
  if (typeof text !== 'string' || text.length !== HASH_BYTES * 2) return undefined;
  return fromHex(text);
}
