/**
 * The authenticated caller, as every layer below the transport sees it. Tokens and API keys both
 * end here, so authorisation never depends on how the caller authenticated.
 */
import { VeilError } from '../errors/veil-error.js';
import type { Role } from './permissions.js';

/** Who is calling: a person (through an identity provider) or a service (API key or client credentials). */
export interface Principal {
  /** The stable subject id: the token's `sub`, or `apikey:<keyId>` for an API key. */
  readonly id: string;
  /** The only tenant this principal can see; every query is scoped to it. */
  readonly tenantId: string;
  /** Veil roles only, deduplicated; never empty. */
  readonly roles: readonly Role[];
  readonly kind: 'user' | 'service';
}

// Tenant ids end up in database rows, blob names, log lines and AAD; a narrow alphabet keeps them
// from carrying paths, separators or personal data by accident.
const TENANT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * True when `value` is a well-formed tenant id: 1 to 64 characters of letters, digits, `.`, `_`
 * and `-`, starting with a letter or digit.
 *
 * @example
 * ```ts
 * isTenantId('acme-health'); // true
 * isTenantId('../other'); // false
 * ```
 */
export function isTenantId(value: unknown): value is string {
  return typeof value === 'string' && TENANT_ID.test(value);
}

/**
 * Checks a tenant id from configuration or a command line, naming the setting when it is wrong.
 *
 * @example
 * ```ts
 * const tenant = requireTenantId(options.tenant, '--tenant');
 * ```
 */
export function requireTenantId(value: unknown, setting: string): string {
  if (!isTenantId(value)) {
    throw new VeilError(
      'VEIL_INVALID_OPTION',
      `${setting}: a tenant id is 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit`,
    );
  }
  return value;
}
