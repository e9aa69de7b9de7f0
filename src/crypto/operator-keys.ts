/**
 * The Node side of the engine's `OperatorKeys`: keyed anonymisation operators (hash, encrypt,
 * FPE) get per-scope subkeys, derived by HKDF-SHA256 from the tenant's data key with the purpose
 * and the scope as info, so that no two scopes or purposes share a key.
 *
 * The engine's interface is synchronous, while unwrapping a data key may need the network, so
 * {@link createOperatorKeys} loads the tenant's live key versions first and then answers from
 * memory.
 *
 * Versions: `encrypt` tokens record the key version and decrypt under any version loaded. HMAC
 * and FPE outputs carry no version, so they use one pinned version (the current one unless
 * `version` is given); a job that must reproduce earlier pseudonyms pins the version it recorded.
 */
import type { OperatorKeys } from '../engine/anonymize/keys.js';
import { VeilError } from '../errors/veil-error.js';
import { envelopeKeyVersion, openEnvelope, sealEnvelope } from './envelope.js';
import type { DataKey, EnvelopeBinding } from './envelope.js';
import { decryptDigits, encryptDigits } from './fpe.js';
import { deriveSubkey } from './hkdf.js';
import { hmacSha256 } from './hmac.js';
import type { Keyring } from './keyring.js';

/** Options of {@link createOperatorKeys}. */
export interface OperatorKeysOptions {
  /** The data key version for HMAC, FPE and new tokens; defaults to the current version. */
  readonly version?: number;
}

type Purpose = 'hmac' | 'aead' | 'fpe-key' | 'fpe-tweak';

const TOKEN_CLASS = 'operator-token';
const FF3_1_TWEAK_BYTES = 7;

function checkScope(scope: string): void {
  if (typeof scope !== 'string' || scope.length === 0 || Buffer.byteLength(scope, 'utf8') > 512) {
    throw new VeilError(
      'VEIL_INVALID_INPUT',
      'operator keys: `scope` must be a non-empty string of at most 512 bytes',
    );
  }
}

function decryptionFailed(): VeilError {
  return new VeilError('VEIL_DECRYPTION_FAILED', 'decryption failed');
}

/**
 * Loads the tenant's key versions and returns the synchronous `OperatorKeys` the engine's
 * operators take.
 *
 * @example
 * ```ts
 * const keys = await createOperatorKeys(keyring, 'tenant-a');
 * const pseudonym = keys.hmac('subject:42', 'jane@example.org');
 * ```
 */
export async function createOperatorKeys(
  keyring: Keyring,
  tenantId: string,
  options: OperatorKeysOptions = {},
): Promise<OperatorKeys> {
  const pinned =
    options.version === undefined
      ? await keyring.currentKey(tenantId)
      : await keyring.keyForVersion(tenantId, options.version);
  const loaded = new Map<number, DataKey>([[pinned.version, pinned]]);
  for (const info of await keyring.versions(tenantId)) {
    if (info.status === 'active' && !loaded.has(info.version))
      loaded.set(info.version, await keyring.keyForVersion(tenantId, info.version));
  }
  const subkeys = new Map<string, Buffer>();
  const subkey = (key: DataKey, purpose: Purpose, scope: string): Buffer => {
    const id = JSON.stringify([key.version, purpose, scope]);
    let derived = subkeys.get(id);
    if (derived === undefined) {
      derived = deriveSubkey(key.key, `operator/${purpose}`, [tenantId, scope]);
      subkeys.set(id, derived);
    }
    return derived;
  };
  const binding = (scope: string): EnvelopeBinding => ({
    tenantId,
    objectId: scope,
    artifactClass: TOKEN_CLASS,
  });
  const fpeParameters = (scope: string): [Buffer, Buffer] => [
    subkey(pinned, 'fpe-key', scope),
    subkey(pinned, 'fpe-tweak', scope).subarray(0, FF3_1_TWEAK_BYTES),
  ];

  return {
    hmac(scope, data) {
      checkScope(scope);
      return hmacSha256(subkey(pinned, 'hmac', scope), data).toString('hex');
    },
    encrypt(scope, plaintext) {
      checkScope(scope);
      const bytes = Buffer.from(plaintext, 'utf8');
      // A lone surrogate would come back as U+FFFD: refuse rather than break the exact round trip.
      if (bytes.toString('utf8') !== plaintext)
        throw new VeilError('VEIL_INVALID_INPUT', 'operator keys: the plaintext is not well-formed Unicode');
      const key = { version: pinned.version, key: subkey(pinned, 'aead', scope) };
      return sealEnvelope(key, binding(scope), bytes).toString('base64url');
    },
    decrypt(scope, token) {
      checkScope(scope);
      if (typeof token !== 'string' || !/^[A-Za-z0-9_-]+$/.test(token)) throw decryptionFailed();
      const envelope = Buffer.from(token, 'base64url');
      const dataKey = loaded.get(envelopeKeyVersion(envelope));
      if (dataKey === undefined) throw decryptionFailed();
      const plaintext = openEnvelope(
        { version: dataKey.version, key: subkey(dataKey, 'aead', scope) },
        binding(scope),
        envelope,
      );
      const text = plaintext.toString('utf8');
      // Tokens are made from strings, so invalid UTF-8 means the token was not made here.
      if (!Buffer.from(text, 'utf8').equals(plaintext)) throw decryptionFailed();
      return text;
    },
    fpeEncrypt(scope, digits) {
      checkScope(scope);
      const [key, tweak] = fpeParameters(scope);
      return encryptDigits(key, tweak, digits);
    },
    fpeDecrypt(scope, digits) {
      checkScope(scope);
      const [key, tweak] = fpeParameters(scope);
      return decryptDigits(key, tweak, digits);
    },
  };
}
