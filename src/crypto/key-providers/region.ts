/**
 * Region pinning of the key-encryption key: a deployment (`VEIL_REGION`) or a tenant pinned to a
 * region keeps its keys only with a provider that declares that region, so no data key is ever
 * wrapped or unwrapped by a KEK held elsewhere.
 */
import { VeilError } from '../../errors/veil-error.js';
import type { KeyEncryptionKeyProvider } from './provider.js';

function sameRegion(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

/**
 * Throws `VEIL_REGION_MISMATCH` when `pinned` is set and the provider declares another region or
 * none; passes when nothing is pinned. Names the provider and both regions, never key material.
 *
 * @example
 * ```ts
 * assertKeyProviderRegion(provider, 'eu'); // throws unless provider.region is 'eu'
 * ```
 */
export function assertKeyProviderRegion(
  provider: Pick<KeyEncryptionKeyProvider, 'name' | 'region'>,
  pinned: string | undefined,
): void {
  if (pinned === undefined || pinned === '') return;
  if (provider.region !== undefined && sameRegion(provider.region, pinned)) return;
  throw new VeilError(
    'VEIL_REGION_MISMATCH',
    `keys: the key provider (${provider.name}) is ${
      provider.region === undefined ? 'in no declared region' : `in region ${provider.region}`
    }, but data here is pinned to region ${pinned}; use a key provider in ${pinned} and declare it with VEIL_KEK_REGION`,
  );
}
