/**
 * HKDF-SHA256 (RFC 5869) key derivation: how Veil turns one data key into independent subkeys
 * per purpose and scope, so that compromising one subkey reveals nothing about another.
 */
import { hkdfSync } from 'node:crypto';
import { VeilError } from '../errors/veil-error.js';
import { encodeFields } from './envelope.js';

/** The largest output RFC 5869 allows for SHA-256: 255 blocks of 32 bytes. */
export const HKDF_SHA256_MAX_BYTES = 255 * 32;
/** The longest `info` Node's HKDF accepts. */
export const HKDF_INFO_MAX_BYTES = 1024;

/**
 * HKDF-SHA256 extract-and-expand. Throws `VEIL_INVALID_OPTION` when `length` is outside
 * 1..8160 bytes.
 *
 * @example
 * ```ts
 * const okm = hkdfSha256(ikm, salt, Buffer.from('veil/example'), 32);
 * ```
 */
export function hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Buffer {
  if (!Number.isInteger(length) || length < 1 || length > HKDF_SHA256_MAX_BYTES) {
    throw new VeilError(
      'VEIL_INVALID_OPTION',
      `hkdfSha256: length must be an integer from 1 to ${HKDF_SHA256_MAX_BYTES}`,
    );
  }
  // Node limits info to 1024 bytes, RFC 5869 does not; Veil's contexts are short, so keep Node's limit.
  if (info.length > HKDF_INFO_MAX_BYTES)
    throw new VeilError(
      'VEIL_INVALID_OPTION',
      `hkdfSha256: info must be at most ${HKDF_INFO_MAX_BYTES} bytes`,
    );
  return Buffer.from(hkdfSync('sha256', ikm, salt, info, length));
}

/**
 * Derives a 32-byte subkey of `key` for a named purpose and a list of context fields, encoded
 * canonically so that distinct contexts can never collide.
 *
 * @example
 * ```ts
 * const hmacKey = deriveSubkey(tenantDataKey, 'operator/hmac', ['subject:42']);
 * ```
 */
export function deriveSubkey(key: Uint8Array, purpose: string, context: readonly string[]): Buffer {
  return hkdfSha256(key, Buffer.alloc(0), encodeFields(`veil/${purpose}`, context), 32);
}
