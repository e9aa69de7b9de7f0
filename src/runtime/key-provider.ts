/**
 * The key-encryption key provider a configuration selects (`VEIL_KEK`), built with its settings.
 * Every process of a deployment (`veil serve`, `veil worker`, `veil keys`) opens its keyring
 * through this, so they unwrap the same data keys.
 */
import { join, resolve } from 'node:path';
import { createKeyProvider } from '../crypto/key-providers/index.js';
import type { KeyEncryptionKeyProvider, KeyProviderConfig } from '../crypto/key-providers/index.js';
import type { VeilConfig } from './config.js';

/** The variable the `env` driver reads its key from. */
export const KEK_VARIABLE = 'VEIL_KEK_BASE64';

/**
 * The provider settings `VEIL_KEK` names; the configuration schema has already checked that the
 * driver's required settings are present.
 *
 * @example
 * ```ts
 * keyProviderConfig(loadConfig({ VEIL_KEK: 'vault-transit', VEIL_VAULT_ADDR: 'https://vault:8200', VEIL_VAULT_TOKEN: t, VEIL_VAULT_KEY: 'veil' }).config);
 * // { driver: 'vault-transit', address: 'https://vault:8200', token: t, keyName: 'veil', mount: 'transit' }
 * ```
 */
export function keyProviderConfig(config: VeilConfig): KeyProviderConfig {
  switch (config.VEIL_KEK) {
    case 'local-file':
      return {
        driver: 'local-file',
        path: resolve(config.VEIL_KEK_FILE ?? join(config.VEIL_DATA_DIR, 'kek.key')),
      };
    case 'env':
      // The key is handed over as a one-entry environment, so nothing else of process.env is read.
      return {
        driver: 'environment',
        variable: KEK_VARIABLE,
        env: { [KEK_VARIABLE]: config.VEIL_KEK_BASE64 },
      };
    case 'vault-transit':
      return {
        driver: 'vault-transit',
        address: config.VEIL_VAULT_ADDR!,
        token: config.VEIL_VAULT_TOKEN!,
        keyName: config.VEIL_VAULT_KEY!,
        mount: config.VEIL_VAULT_MOUNT,
        ...(config.VEIL_VAULT_NAMESPACE === undefined ? {} : { namespace: config.VEIL_VAULT_NAMESPACE }),
      };
    case 'aws-kms':
      return {
        driver: 'aws-kms',
        keyId: config.VEIL_KMS_KEY_ID!,
        clientConfig: {
          ...(config.VEIL_KMS_REGION === undefined ? {} : { region: config.VEIL_KMS_REGION }),
          ...(config.VEIL_KMS_ENDPOINT === undefined ? {} : { endpoint: config.VEIL_KMS_ENDPOINT }),
        },
      };
  }
}

/**
 * The KEK provider of a configuration.
 *
 * @example
 * ```ts
 * const keyring = new Keyring({ provider: await keyProviderFromConfig(config), store });
 * ```
 */
export function keyProviderFromConfig(config: VeilConfig): Promise<KeyEncryptionKeyProvider> {
  return createKeyProvider(keyProviderConfig(config));
}
