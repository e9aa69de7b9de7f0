import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { Policy } from './schema.js';

/**
 * The policy's version hash: SHA-256 (hex) of the RFC 8785 canonical JSON of the validated
 * policy. Key order, YAML style and comments do not change it; any setting does. Jobs record it.
 *
 * @example
 * ```ts
 * policyHash(parsePolicy(source)); // '3f1c…' (64 hex digits)
 * ```
 */
export function policyHash(policy: Policy): string {
  return canonicalHash(policy);
}

/**
 * SHA-256 (hex) of the RFC 8785 canonical JSON of any JSON data: the version hash of policies and
 * field templates alike.
 *
 * @example
 * ```ts
 * canonicalHash({ b: 1, a: 2 }) === canonicalHash({ a: 2, b: 1 }); // true
 * ```
 */
export function canonicalHash(data: unknown): string {
  const canonical = canonicalize(data);
  if (canonical === undefined) throw new TypeError('canonicalHash: the value is not JSON data');
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}
