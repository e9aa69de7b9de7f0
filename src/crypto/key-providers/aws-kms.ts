/**
 * A KEK provider backed by AWS KMS (or any service speaking its API): data keys are wrapped with
 * `Encrypt` and unwrapped with `Decrypt`, the wrap context passed as `EncryptionContext`, which
 * KMS authenticates and records in CloudTrail.
 */
import { DecryptCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import type { KMSClientConfig } from '@aws-sdk/client-kms';
import { VeilError } from '../../errors/veil-error.js';
import type { KeyEncryptionKeyProvider } from './provider.js';

/** Options of {@link createAwsKmsKeyProvider}. */
export interface AwsKmsKeyProviderOptions {
  /** The KMS key id, ARN or alias (`alias/veil-kek`). */
  readonly keyId: string;
  /** A ready client; when absent one is built from `clientConfig`. */
  readonly client?: KMSClient;
  /** Region, endpoint, credentials... for the client built when `client` is absent. */
  readonly clientConfig?: KMSClientConfig;
  /** The deployment region label the KMS key is in (`eu`), distinct from the AWS region name. */
  readonly region?: string;
}

// Error names the SDK uses for a ciphertext or context that does not authenticate.
const DECRYPTION_ERRORS = new Set(['InvalidCiphertextException', 'IncorrectKeyException']);

/**
 * Creates an AWS KMS KEK provider. Errors carry the KMS error name, never key material.
 *
 * @example
 * ```ts
 * const provider = createAwsKmsKeyProvider({ keyId: 'alias/veil-kek', clientConfig: { region: 'eu-west-1' } });
 * ```
 */
export function createAwsKmsKeyProvider(options: AwsKmsKeyProviderOptions): KeyEncryptionKeyProvider {
  if (typeof options.keyId !== 'string' || options.keyId.length === 0)
    throw new VeilError('VEIL_INVALID_OPTION', 'AWS KMS: `keyId` must be a non-empty string');
  const client = options.client ?? new KMSClient(options.clientConfig ?? {});
  const name = `AWS KMS key ${options.keyId}`;
  const fail = (operation: string, error: unknown): VeilError => {
    const errorName = error instanceof Error ? error.name : 'unknown error';
    if (operation === 'Decrypt' && DECRYPTION_ERRORS.has(errorName))
      return new VeilError('VEIL_DECRYPTION_FAILED', 'decryption failed', { cause: error });
    return new VeilError('VEIL_KEY_PROVIDER', `${name}: ${operation} failed (${errorName})`, {
      cause: error,
    });
  };
  return {
    id: `aws-kms:${options.keyId}`,
    name,
    ...(options.region === undefined ? {} : { region: options.region }),
    async wrapKey(dataKey, context) {
      let blob: Uint8Array | undefined;
      try {
        ({ CiphertextBlob: blob } = await client.send(
          new EncryptCommand({ KeyId: options.keyId, Plaintext: dataKey, EncryptionContext: { ...context } }),
        ));
      } catch (error) {
        throw fail('Encrypt', error);
      }
      if (blob === undefined)
        throw new VeilError('VEIL_KEY_PROVIDER', `${name}: Encrypt returned no ciphertext`);
      return blob;
    },
    async unwrapKey(wrapped, context) {
      let plaintext: Uint8Array | undefined;
      try {
        ({ Plaintext: plaintext } = await client.send(
          new DecryptCommand({
            KeyId: options.keyId,
            CiphertextBlob: wrapped,
            EncryptionContext: { ...context },
          }),
        ));
      } catch (error) {
        throw fail('Decrypt', error);
      }
      if (plaintext === undefined)
        throw new VeilError('VEIL_KEY_PROVIDER', `${name}: Decrypt returned no plaintext`);
      return plaintext;
    },
  };
}
