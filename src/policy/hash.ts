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
  const canonical = canonicalize(policy);
  if (canonical === undefined) throw new TypeError('policyHash: the policy is not JSON data');
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}
