/**
 * Wrapping under a KEK that Veil holds in its own memory (the local key file and the
 * environment-variable drivers): AES-256-GCM with the wrap context as AAD.
 *
 * Wrapped layout: format byte (1) | 12-byte nonce | encrypted key | 16-byte tag.
 */
import { randomBytes } from 'node:crypto';
import { VeilError } from '../../errors/veil-error.js';
import {
  KEY_BYTES,
  NONCE_BYTES,
  TAG_BYTES,
  aesGcmDecrypt,
  aesGcmEncrypt,
  encodeFields,
} from '../envelope.js';
import type { KeyEncryptionKeyProvider, WrapContext } from './provider.js';

const WRAP_FORMAT = 1;

/**
 * The canonical bytes of a wrap context, used as AAD (or Vault's `associated_data`). Sorting
 * makes them independent of property order; `encodeFields` keeps them injective.
 *
 * @example
 * ```ts
 * wrapContextAad({ 'veil:tenant': 't1', 'veil:version': '2' });
 * ```
 */
export function wrapContextAad(context: WrapContext): Buffer {
  const fields = Object.keys(context)
    .sort()
    .flatMap((k) => [k, context[k] ?? '']);
  return encodeFields('veil/kek-wrap/v1', fields);
}

/**
 * Builds a provider around a lazily loaded 32-byte KEK. `loadKek` runs once, on first use; a
 * failed load is retried on the next call rather than cached.
 *
 * @example
 * ```ts
 * const provider = inProcessKekProvider('env:VEIL_KEK', 'environment variable VEIL_KEK', async () => readKey());
 * ```
 */
export function inProcessKekProvider(
  id: string,
  name: string,
  loadKek: () => Promise<Uint8Array>,
  region?: string,
): KeyEncryptionKeyProvider {
  let kek: Promise<Uint8Array> | undefined;
  const getKek = (): Promise<Uint8Array> => {
    kek ??= loadKek().then(
      (key) => {
        if (key.length !== KEY_BYTES)
          throw new VeilError('VEIL_KEY_PROVIDER', `${name}: the key must be ${KEY_BYTES} bytes`);
        return key;
      },
      (error: unknown) => {
        kek = undefined;
        throw error;
      },
    );
    return kek;
  };
  return {
    id,
    name,
    ...(region === undefined ? {} : { region }),
    async wrapKey(dataKey, context) {
      const key = await getKek();
      const nonce = randomBytes(NONCE_BYTES);
      const { ciphertext, tag } = aesGcmEncrypt(key, nonce, dataKey, wrapContextAad(context));
      return Buffer.concat([Buffer.from([WRAP_FORMAT]), nonce, ciphertext, tag]);
    },
    async unwrapKey(wrapped, context) {
      const key = await getKek();
      const bytes = Buffer.from(wrapped);
      if (bytes.length < 1 + NONCE_BYTES + TAG_BYTES || bytes[0] !== WRAP_FORMAT) {
        throw new VeilError('VEIL_DECRYPTION_FAILED', 'decryption failed');
      }
      const nonce = bytes.subarray(1, 1 + NONCE_BYTES);
      const ciphertext = bytes.subarray(1 + NONCE_BYTES, bytes.length - TAG_BYTES);
      return aesGcmDecrypt(
        key,
        nonce,
        ciphertext,
        bytes.subarray(bytes.length - TAG_BYTES),
        wrapContextAad(context),
      );
    },
  };
}
