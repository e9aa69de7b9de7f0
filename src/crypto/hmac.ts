/**
 * HMAC-SHA256 and constant-time comparison. Every verification in Veil goes through
 * {@link constantTimeEqual}, so no comparison of secrets leaks timing.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { VeilError } from '../errors/veil-error.js';

/** The HMAC-SHA256 output length in bytes. */
export const HMAC_SHA256_BYTES = 32;
// Below 128 bits a forged tag becomes guessable; Veil refuses to verify shorter ones.
const MIN_TAG_BYTES = 16;

/**
 * True when `a` and `b` hold the same bytes, in time that depends only on their lengths.
 *
 * @example
 * ```ts
 * if (!constantTimeEqual(expected, presented)) throw new VeilError('VEIL_DECRYPTION_FAILED', 'decryption failed');
 * ```
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  // timingSafeEqual throws on a length mismatch; a length is not secret, so answer directly.
  if (a.length !== b.length) return false;
  return timingSafeEqual(a, b);
}

/**
 * HMAC-SHA256 of `data` (a string is taken as UTF-8) under `key`.
 *
 * @example
 * ```ts
 * const tag = hmacSha256(key, 'alice@example.org').toString('hex');
 * ```
 */
export function hmacSha256(key: Uint8Array, data: Uint8Array | string): Buffer {
  return createHmac('sha256', key)
    .update(typeof data === 'string' ? Buffer.from(data, 'utf8') : data)
    .digest();
}

/**
 * Verifies an HMAC-SHA256 tag in constant time. `tagBytes` allows a truncated tag (at least
 * 16 bytes, as RFC 2104 section 5 permits); a presented tag of any other length is rejected.
 *
 * @example
 * ```ts
 * verifyHmacSha256(key, body, presentedTag); // true or false, never throws on a bad tag
 * ```
 */
export function verifyHmacSha256(
  key: Uint8Array,
  data: Uint8Array | string,
  tag: Uint8Array,
  tagBytes: number = HMAC_SHA256_BYTES,
): boolean {
  if (!Number.isInteger(tagBytes) || tagBytes < MIN_TAG_BYTES || tagBytes > HMAC_SHA256_BYTES) {
    throw new VeilError(
      'VEIL_INVALID_OPTION',
      `verifyHmacSha256: tagBytes must be an integer from ${MIN_TAG_BYTES} to ${HMAC_SHA256_BYTES}`,
    );
  }
  return constantTimeEqual(hmacSha256(key, data).subarray(0, tagBytes), tag);
}
