/**
 * Picks a KEK provider from configuration. The AWS SDK is imported only when the `aws-kms`
 * driver is chosen, so the default install never loads it.
 */
import { VeilError } from '../../errors/veil-error.js';
import type { AwsKmsKeyProviderOptions } from './aws-kms.js';
import { createEnvironmentKeyProvider } from './environment.js';
import type { EnvironmentKeyProviderOptions } from './environment.js';
import { createLocalFileKeyProvider } from './local-file.js';
import type { LocalFileKeyProviderOptions } from './local-file.js';
import type { KeyEncryptionKeyProvider } from './provider.js';
import { createVaultTransitKeyProvider } from './vault-transit.js';
import type { VaultTransitKeyProviderOptions } from './vault-transit.js';

export type { KeyEncryptionKeyProvider, WrapContext } from './provider.js';
export { assertKeyProviderRegion } from './region.js';
export { createEnvironmentKeyProvider, createLocalFileKeyProvider, createVaultTransitKeyProvider };
export type {
  AwsKmsKeyProviderOptions,
  EnvironmentKeyProviderOptions,
  LocalFileKeyProviderOptions,
  VaultTransitKeyProviderOptions,
};

/** Which KEK provider to use, and its settings. */
export type KeyProviderConfig =
  | ({ readonly driver: 'local-file' } & LocalFileKeyProviderOptions)
  | ({ readonly driver: 'environment' } & EnvironmentKeyProviderOptions)
  | ({ readonly driver: 'vault-transit' } & VaultTransitKeyProviderOptions)
  | ({ readonly driver: 'aws-kms' } & AwsKmsKeyProviderOptions);

/**
 * Builds the KEK provider a configuration names.
 *
 * @example
 * ```ts
 * const provider = await createKeyProvider({ driver: 'local-file', path: '/var/lib/veil/kek.key' });
 * ```
 */
export async function createKeyProvider(config: KeyProviderConfig): Promise<KeyEncryptionKeyProvider> {
  switch (config.driver) {
    case 'local-file':
      return createLocalFileKeyProvider(config);
    case 'environment':
      return createEnvironmentKeyProvider(config);
    case 'vault-transit':
      return createVaultTransitKeyProvider(config);
    case 'aws-kms': {
      const { createAwsKmsKeyProvider } = await import('./aws-kms.js');
      return createAwsKmsKeyProvider(config);
    }
    default:
      throw new VeilError(
        'VEIL_INVALID_OPTION',
        'keys.provider.driver: expected one of local-file, environment, vault-transit, aws-kms',
      );
  }
}
