/**
 * The key-encryption key provider a configuration selects (`VEIL_KEK`), built with its settings.
 * Every process of a deployment (`veil serve`, `veil worker`, `veil keys`) opens its keyring
 * through this, so they unwrap the same data keys.
 */
import { join, resolve } from 'node:path';
import { assertKeyProviderRegion, createKeyProvider } from '../crypto/key-providers/index.js';
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
  // A key in a local file or the environment is where this deployment runs; a remote one is
  // wherever the operator declares it.
  const declared = config.VEIL_KEK_REGION;
  const local = declared ?? config.VEIL_REGION;
  const region = (label: string | undefined) => (label === undefined ? {} : { region: label });
  switch (config.VEIL_KEK) {
    case 'local-file':
      return {
        driver: 'local-file',
        path: resolve(config.VEIL_KEK_FILE ?? join(config.VEIL_DATA_DIR, 'kek.key')),
        ...region(local),
      };
    case 'env':
      // The key is handed over as a one-entry environment, so nothing else of process.env is read.
      return {
        driver: 'environment',
        variable: KEK_VARIABLE,
        env: { [KEK_VARIABLE]: config.VEIL_KEK_BASE64 },
        ...region(local),
      };
    case 'vault-transit':
      return {
        driver: 'vault-transit',
        ...region(declared),
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
        ...region(declared),
        clientConfig: {
          ...(config.VEIL_KMS_REGION === undefined ? {} : { region: config.VEIL_KMS_REGION }),
          ...(config.VEIL_KMS_ENDPOINT === undefined ? {} : { endpoint: config.VEIL_KMS_ENDPOINT }),
        },
      };
  }
}

/**
 * The KEK provider of a configuration. A deployment pinned to a region (`VEIL_REGION`) refuses,
 * with `VEIL_REGION_MISMATCH`, a provider in another region or in none: every process (`veil
 * serve`, `veil worker`, `veil keys`, `veil backup`) opens its keys here, so none starts with it.
 *
 * @example
 * ```ts
 * const keyring = new Keyring({ provider: await keyProviderFromConfig(config), store });
 * ```
 */
export async function keyProviderFromConfig(config: VeilConfig): Promise<KeyEncryptionKeyProvider> {
  const provider = await createKeyProvider(keyProviderConfig(config));
  assertKeyProviderRegion(provider, config.VEIL_REGION);
  return provider;
}
