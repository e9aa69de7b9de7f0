import type { HashConfig, Operator } from '../types.js';

/**
 * HMAC-SHA256 of the value under the tenant's key, hex encoded. Keyed on purpose: an unkeyed hash
 * of a name or an SSN is reversed by hashing every candidate (a dictionary attack), while the
 * HMAC stays joinable within the tenant and opaque outside it.
 */
export const hashOperator: Operator<HashConfig> = {
  name: 'hash',
  needs: ['keys'],
  validate() {},
  apply(value, _config, env) {
    return env.keys!.hmac(`${env.tenant}/hash`, value);
  },
};
