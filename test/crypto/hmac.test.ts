import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deriveSubkey, hkdfSha256 } from '../../src/crypto/hkdf.js';
import { constantTimeEqual, hmacSha256, verifyHmacSha256 } from '../../src/crypto/hmac.js';
import { isVeilError } from '../../src/errors/veil-error.js';

test('hmacSha256 matches RFC 4231 test case 2', () => {
  assert.equal(
    hmacSha256(Buffer.from('Jefe'), 'what do ya want for nothing?').toString('hex'),
    '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
  );
});

test('verifyHmacSha256 accepts the tag, rejects any other, and refuses tags below 128 bits', () => {
  const key = Buffer.alloc(32, 9);
  const tag = hmacSha256(key, 'payload');
  assert.equal(verifyHmacSha256(key, 'payload', tag), true);
  assert.equal(verifyHmacSha256(key, 'payload!', tag), false);
  assert.equal(verifyHmacSha256(key, 'payload', tag.subarray(0, 31)), false);
  assert.equal(verifyHmacSha256(key, 'payload', tag.subarray(0, 16), 16), true);
  assert.throws(
    () => verifyHmacSha256(key, 'payload', tag.subarray(0, 8), 8),
    (e: unknown) => isVeilError(e) && e.code === 'VEIL_INVALID_OPTION',
  );
});

test('constantTimeEqual compares bytes and lengths', () => {
  assert.equal(constantTimeEqual(Buffer.from('abc'), Buffer.from('abc')), true);
  assert.equal(constantTimeEqual(Buffer.from('abc'), Buffer.from('abd')), false);
  assert.equal(constantTimeEqual(Buffer.from('abc'), Buffer.from('ab')), false);
});

test('hkdfSha256 matches RFC 5869 test case 1 and rejects impossible lengths', () => {
  const okm = hkdfSha256(
    Buffer.alloc(22, 0x0b),
    Buffer.from('000102030405060708090a0b0c', 'hex'),
    Buffer.from('f0f1f2f3f4f5f6f7f8f9', 'hex'),
    42,
  );
  assert.equal(
    okm.toString('hex'),
    '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865',
  );
  for (const bad of [0, 8161, 1.5])
    assert.throws(
      () => hkdfSha256(Buffer.alloc(32), Buffer.alloc(0), Buffer.alloc(0), bad),
      (e: unknown) => isVeilError(e) && e.code === 'VEIL_INVALID_OPTION',
    );
});

test('deriveSubkey separates purposes and contexts, including shifted fields', () => {
  const key = Buffer.alloc(32, 1);
  const a = deriveSubkey(key, 'operator/hmac', ['t', 'ab']);
  assert.equal(a.length, 32);
  assert.deepEqual(deriveSubkey(key, 'operator/hmac', ['t', 'ab']), a);
  assert.notDeepEqual(deriveSubkey(key, 'operator/aead', ['t', 'ab']), a);
  assert.notDeepEqual(deriveSubkey(key, 'operator/hmac', ['ta', 'b']), a);
});
