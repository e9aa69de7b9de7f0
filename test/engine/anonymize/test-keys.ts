/**
 * A small OperatorKeys on node:crypto for the engine's tests: HMAC-SHA256 and AES-256-GCM with
 * per-scope keys, and the crypto module's FF3-1 for FPE. The real one is src/crypto/operator-keys.ts.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { decryptDigits, encryptDigits } from '../../../src/crypto/fpe.js';
import type { OperatorKeys } from '../../../src/engine/anonymize/keys.js';
import { VeilError } from '../../../src/errors/veil-error.js';

export function testKeys(secret = 'test-master-key'): OperatorKeys {
  const keyFor = (purpose: string, scope: string): Buffer =>
    createHmac('sha256', secret).update(`${purpose}\u0000${scope}`).digest();
  const tweakFor = (scope: string): Buffer => keyFor('fpe-tweak', scope).subarray(0, 7);
  return {
    hmac: (scope, data) => createHmac('sha256', keyFor('hmac', scope)).update(data, 'utf8').digest('hex'),
    encrypt(scope, plaintext) {
      const nonce = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', keyFor('aead', scope), nonce);
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64url');
    },
    decrypt(scope, token) {
      try {
        const raw = Buffer.from(token, 'base64url');
        const decipher = createDecipheriv('aes-256-gcm', keyFor('aead', scope), raw.subarray(0, 12));
        decipher.setAuthTag(raw.subarray(raw.length - 16));
        return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString(
          'utf8',
        );
      } catch (cause) {
        throw new VeilError('VEIL_DECRYPTION_FAILED', 'decryption failed', { cause });
      }
    },
    fpeEncrypt: (scope, digits) => encryptDigits(keyFor('fpe-key', scope), tweakFor(scope), digits),
    fpeDecrypt: (scope, digits) => decryptDigits(keyFor('fpe-key', scope), tweakFor(scope), digits),
  };
}
