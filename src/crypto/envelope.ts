/**
 * AES-256-GCM envelope encryption: the one format in which Veil stores content at rest.
 *
 * Layout (all integers big-endian):
 *
 * | bytes | field |
 * |---|---|
 * | 2 | magic `0x56 0x45` ("VE") |
 * | 1 | format version (1) |
 * | 4 | data key version |
 * | 12 | random nonce |
 * | n | ciphertext |
 * | 16 | GCM tag |
 *
 * The AAD binds the header (so the key version cannot be swapped) and the object's identity:
 * tenant id, object id and artifact class, each length-prefixed so that no two distinct
 * bindings encode to the same bytes ("ab"+"c" differs from "a"+"bc").
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { VeilError } from '../errors/veil-error.js';

/** The AES-256 key length in bytes. */
export const KEY_BYTES = 32;
/** The GCM nonce length Veil uses (96 bits, the length GCM is designed for). */
export const NONCE_BYTES = 12;
/** The GCM tag length Veil uses (128 bits, never truncated). */
export const TAG_BYTES = 16;

const MAGIC_0 = 0x56;
const MAGIC_1 = 0x45;
const FORMAT_VERSION = 1;
const HEADER_BYTES = 2 + 1 + 4;
const AAD_DOMAIN = 'veil/envelope/v1';

/** What a ciphertext belongs to; moving it to another binding makes it undecryptable. */
export interface EnvelopeBinding {
  readonly tenantId: string;
  readonly objectId: string;
  /** The artifact's retention class, e.g. `source-document`, `extracted-fields`, `vault-entry`. */
  readonly artifactClass: string;
}

/** A data key in the clear, held only in memory for the duration of an operation. */
export interface DataKey {
  readonly version: number;
  readonly key: Uint8Array;
}

/** Output of {@link aesGcmEncrypt}. */
export interface AesGcmSealed {
  readonly ciphertext: Buffer;
  readonly tag: Buffer;
}

function decryptionFailed(cause?: unknown): VeilError {
  // One message for every failure, so the error cannot serve as an oracle.
  return new VeilError(
    'VEIL_DECRYPTION_FAILED',
    'decryption failed',
    cause === undefined ? undefined : { cause },
  );
}

function checkParameters(key: Uint8Array, nonce: Uint8Array): void {
  if (key.length !== KEY_BYTES)
    throw new VeilError('VEIL_INVALID_INPUT', `AES-256-GCM: the key must be ${KEY_BYTES} bytes`);
  if (nonce.length !== NONCE_BYTES)
    throw new VeilError('VEIL_INVALID_INPUT', `AES-256-GCM: the nonce must be ${NONCE_BYTES} bytes`);
}

/**
 * The raw AES-256-GCM primitive with Veil's fixed parameters (256-bit key, 96-bit nonce,
 * 128-bit tag). The envelope builds on it; the Wycheproof conformance test runs through it.
 * The caller must never reuse a nonce with the same key.
 *
 * @example
 * ```ts
 * const { ciphertext, tag } = aesGcmEncrypt(key, randomBytes(12), Buffer.from('hi'), aad);
 * ```
 */
export function aesGcmEncrypt(
  key: Uint8Array,
  nonce: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array,
): AesGcmSealed {
  checkParameters(key, nonce);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { ciphertext, tag: cipher.getAuthTag() };
}

/**
 * Inverse of {@link aesGcmEncrypt}. Any failure (wrong key, nonce, AAD, tag or a tampered
 * ciphertext) throws `VEIL_DECRYPTION_FAILED` with the same message.
 *
 * @example
 * ```ts
 * const plaintext = aesGcmDecrypt(key, nonce, ciphertext, tag, aad);
 * ```
 */
export function aesGcmDecrypt(
  key: Uint8Array,
  nonce: Uint8Array,
  ciphertext: Uint8Array,
  tag: Uint8Array,
  aad: Uint8Array,
): Buffer {
  checkParameters(key, nonce);
  // A short tag would be accepted by OpenSSL as a truncated tag: refuse it before it gets there.
  if (tag.length !== TAG_BYTES) throw decryptionFailed();
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch (cause) {
    throw decryptionFailed(cause);
  }
}

/**
 * Canonical, injective encoding of a list of strings: a domain label, then for each field its
 * UTF-8 byte length (uint32 big-endian) and its bytes. Used for every AAD and KDF context Veil
 * builds, so fields can never be shifted from one position into another.
 *
 * @example
 * ```ts
 * encodeFields('veil/envelope/v1', ['tenant-a', 'doc-1', 'source-document']);
 * ```
 */
export function encodeFields(domain: string, fields: readonly string[]): Buffer {
  const parts: Buffer[] = [];
  for (const field of [domain, ...fields]) {
    const bytes = Buffer.from(field, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    parts.push(length, bytes);
  }
  return Buffer.concat(parts);
}

function envelopeAad(header: Buffer, binding: EnvelopeBinding): Buffer {
  for (const [name, value] of Object.entries({
    tenantId: binding.tenantId,
    objectId: binding.objectId,
    artifactClass: binding.artifactClass,
  })) {
    if (typeof value !== 'string' || value.length === 0)
      throw new VeilError('VEIL_INVALID_INPUT', `envelope: binding.${name} must be a non-empty string`);
  }
  return Buffer.concat([
    header,
    encodeFields(AAD_DOMAIN, [binding.tenantId, binding.objectId, binding.artifactClass]),
  ]);
}

function encodeHeader(keyVersion: number): Buffer {
  if (!Number.isInteger(keyVersion) || keyVersion < 1 || keyVersion > 0xffffffff) {
    throw new VeilError(
      'VEIL_INVALID_INPUT',
      'envelope: the key version must be an integer from 1 to 2^32-1',
    );
  }
  const header = Buffer.alloc(HEADER_BYTES);
  header[0] = MAGIC_0;
  header[1] = MAGIC_1;
  header[2] = FORMAT_VERSION;
  header.writeUInt32BE(keyVersion, 3);
  return header;
}

/**
 * Encrypts `plaintext` under `dataKey` with a fresh random nonce, bound to `binding`.
 *
 * @example
 * ```ts
 * const sealed = sealEnvelope({ version: 1, key }, { tenantId: 't1', objectId: 'doc-9', artifactClass: 'source-document' }, bytes);
 * ```
 */
export function sealEnvelope(dataKey: DataKey, binding: EnvelopeBinding, plaintext: Uint8Array): Buffer {
  const header = encodeHeader(dataKey.version);
  const nonce = randomBytes(NONCE_BYTES);
  const { ciphertext, tag } = aesGcmEncrypt(dataKey.key, nonce, plaintext, envelopeAad(header, binding));
  return Buffer.concat([header, nonce, ciphertext, tag]);
}

/**
 * The data key version an envelope was sealed under, read from its header, so the caller can
 * fetch that key. Throws `VEIL_DECRYPTION_FAILED` when the bytes are not a Veil envelope.
 *
 * @example
 * ```ts
 * const key = await keyring.keyForVersion(tenantId, envelopeKeyVersion(sealed));
 * ```
 */
export function envelopeKeyVersion(envelope: Uint8Array): number {
  if (
    envelope.length < HEADER_BYTES + NONCE_BYTES + TAG_BYTES ||
    envelope[0] !== MAGIC_0 ||
    envelope[1] !== MAGIC_1 ||
    envelope[2] !== FORMAT_VERSION
  ) {
    throw decryptionFailed();
  }
  return Buffer.from(envelope.buffer, envelope.byteOffset, envelope.byteLength).readUInt32BE(3);
}

/**
 * Decrypts an envelope made by {@link sealEnvelope}. Fails with `VEIL_DECRYPTION_FAILED` if the
 * key, the binding or any byte differs.
 *
 * @example
 * ```ts
 * const bytes = openEnvelope({ version: 1, key }, binding, sealed);
 * ```
 */
export function openEnvelope(dataKey: DataKey, binding: EnvelopeBinding, envelope: Uint8Array): Buffer {
  if (envelopeKeyVersion(envelope) !== dataKey.version) throw decryptionFailed();
  const bytes = Buffer.from(envelope.buffer, envelope.byteOffset, envelope.byteLength);
  const header = bytes.subarray(0, HEADER_BYTES);
  const nonce = bytes.subarray(HEADER_BYTES, HEADER_BYTES + NONCE_BYTES);
  const ciphertext = bytes.subarray(HEADER_BYTES + NONCE_BYTES, bytes.length - TAG_BYTES);
  const tag = bytes.subarray(bytes.length - TAG_BYTES);
  return aesGcmDecrypt(dataKey.key, nonce, ciphertext, tag, envelopeAad(header, binding));
}
