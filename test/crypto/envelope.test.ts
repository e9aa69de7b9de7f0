import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import {
  aesGcmDecrypt,
  aesGcmEncrypt,
  encodeFields,
  envelopeKeyVersion,
  openEnvelope,
  sealEnvelope,
} from '../../src/crypto/envelope.js';
import { isVeilError } from '../../src/errors/veil-error.js';

const key = { version: 3, key: randomBytes(32) };
const binding = { tenantId: 'tenant-a', objectId: 'doc-1', artifactClass: 'source-document' };
const plaintext = Buffer.from('Jane Roe, SSN 078-05-1120');
const failed = (e: unknown) =>
  isVeilError(e) && e.code === 'VEIL_DECRYPTION_FAILED' && e.message === 'decryption failed';

test('the envelope layout: magic, format version, key version, 12-byte nonce, ciphertext, 16-byte tag', () => {
  const sealed = sealEnvelope(key, binding, plaintext);
  assert.deepEqual([...sealed.subarray(0, 3)], [0x56, 0x45, 1]);
  assert.equal(sealed.readUInt32BE(3), 3);
  assert.equal(envelopeKeyVersion(sealed), 3);
  assert.equal(sealed.length, 7 + 12 + plaintext.length + 16);
  assert.equal(sealed.includes(plaintext), false);
  assert.deepEqual(openEnvelope(key, binding, sealed), plaintext);
});

test('each seal uses a fresh nonce', () => {
  const nonces = new Set(
    Array.from({ length: 200 }, () => sealEnvelope(key, binding, plaintext).subarray(7, 19).toString('hex')),
  );
  assert.equal(nonces.size, 200);
});

test('moving a ciphertext to another tenant, object or class fails, including shifted fields', () => {
  const sealed = sealEnvelope(key, binding, plaintext);
  const moves = [
    { ...binding, tenantId: 'tenant-b' },
    { ...binding, objectId: 'doc-2' },
    { ...binding, artifactClass: 'extracted-fields' },
    // The same characters split differently must not produce the same AAD.
    { tenantId: 'tenant-ad', objectId: 'oc-1', artifactClass: 'source-document' },
    { tenantId: 'tenant-a', objectId: 'doc-1source-', artifactClass: 'document' },
  ];
  for (const moved of moves) assert.throws(() => openEnvelope(key, moved, sealed), failed);
});

test('any altered byte, a wrong key, or a rewritten key version fails with the same message', () => {
  const sealed = sealEnvelope(key, binding, plaintext);
  for (let i = 0; i < sealed.length; i += 1) {
    const altered = Buffer.from(sealed);
    altered[i] = altered[i]! ^ 0x01;
    assert.throws(
      () => openEnvelope({ version: altered.readUInt32BE(3), key: key.key }, binding, altered),
      failed,
      `byte ${i}`,
    );
  }
  assert.throws(() => openEnvelope({ version: 3, key: randomBytes(32) }, binding, sealed), failed);
  assert.throws(() => openEnvelope({ version: 4, key: key.key }, binding, sealed), failed);
  assert.throws(() => openEnvelope(key, binding, sealed.subarray(0, 20)), failed);
  assert.throws(() => envelopeKeyVersion(Buffer.from('not an envelope at all, clearly')), failed);
});

test('an empty binding field is refused as invalid input, not silently accepted', () => {
  assert.throws(
    () => sealEnvelope(key, { ...binding, objectId: '' }, plaintext),
    (e: unknown) => isVeilError(e) && e.code === 'VEIL_INVALID_INPUT',
  );
});

test('encodeFields length-prefixes every field', () => {
  assert.equal(encodeFields('d', ['ab', 'c']).toString('hex'), '0000000164' + '000000026162' + '0000000163');
  assert.notDeepEqual(encodeFields('d', ['ab', 'c']), encodeFields('d', ['a', 'bc']));
  assert.notDeepEqual(encodeFields('d', ['a']), encodeFields('d', ['a', '']));
});

test('the raw primitive enforces Veil parameters: 32-byte key, 12-byte nonce, 16-byte tag', () => {
  const nonce = randomBytes(12);
  const { ciphertext, tag } = aesGcmEncrypt(key.key, nonce, plaintext, Buffer.alloc(0));
  assert.equal(tag.length, 16);
  assert.throws(
    () => aesGcmEncrypt(randomBytes(16), nonce, plaintext, Buffer.alloc(0)),
    (e: unknown) => isVeilError(e) && e.code === 'VEIL_INVALID_INPUT',
  );
  assert.throws(
    () => aesGcmEncrypt(key.key, randomBytes(8), plaintext, Buffer.alloc(0)),
    (e: unknown) => isVeilError(e) && e.code === 'VEIL_INVALID_INPUT',
  );
  // OpenSSL would accept a truncated tag if asked; Veil never asks.
  assert.throws(
    () => aesGcmDecrypt(key.key, nonce, ciphertext, tag.subarray(0, 12), Buffer.alloc(0)),
    failed,
  );
  assert.deepEqual(aesGcmDecrypt(key.key, nonce, ciphertext, tag, Buffer.alloc(0)), plaintext);
});
