import canonicalize from 'canonicalize';
import { VeilError } from '../errors/veil-error.js';

/**
 * RFC 8785 (JCS) canonical JSON of `value`. Two parties that hold the same JSON data get the same
 * bytes, whatever key order or number spelling their serialiser chose; that is what lets an auditor
 * recompute a leaf hash from an exported event.
 *
 * @example
 * ```ts
 * canonicalJson({ b: 1, a: [true, 'x'] }); // '{"a":[true,"x"],"b":1}'
 * ```
 */
export function canonicalJson(value: unknown): string {
  let text: string | undefined;
  try {
    text = canonicalize(value);
  } catch (cause) {
    // canonicalize throws on non-finite numbers and cycles; the value itself stays out of the message.
    throw new VeilError('VEIL_AUDIT_INVALID_EVENT', 'audit: the value cannot be written as canonical JSON', {
      cause,
    });
  }
  if (text === undefined)
    throw new VeilError('VEIL_AUDIT_INVALID_EVENT', 'audit: the value is not JSON data');
  return text;
}

/**
 * The UTF-8 bytes of {@link canonicalJson}: the exact input of an audit leaf hash.
 *
 * @example
 * ```ts
 * hashLeaf(canonicalBytes(event));
 * ```
 */
export function canonicalBytes(value: unknown): Uint8Array {
  return Buffer.from(canonicalJson(value), 'utf8');
}
