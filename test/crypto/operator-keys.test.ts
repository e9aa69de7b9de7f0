import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import { createEnvironmentKeyProvider } from '../../src/crypto/key-providers/environment.js';
import { MemoryKeyringStore } from '../../src/crypto/keyring-store.js';
import { Keyring } from '../../src/crypto/keyring.js';
import { createOperatorKeys } from '../../src/crypto/operator-keys.js';
import { isVeilError } from '../../src/errors/veil-error.js';

const isCode = (code: string) => (e: unknown) => isVeilError(e) && e.code === code;

function newKeyring(): Keyring {
  const provider = createEnvironmentKeyProvider({
    variable: 'VEIL_KEK',
    env: { VEIL_KEK: randomBytes(32).toString('base64') },
  });
  return new Keyring({ provider, store: new MemoryKeyringStore(), cacheTtlMs: 0 });
}

test('hmac is keyed, deterministic per tenant and scope, and differs across scopes and tenants', async () => {
  const keyring = newKeyring();
  const a = await createOperatorKeys(keyring, 'tenant-a');
  const again = await createOperatorKeys(keyring, 'tenant-a');
  const b = await createOperatorKeys(keyring, 'tenant-b');
  const h = a.hmac('subject:1', 'jane@example.org');
  assert.match(h, /^[0-9a-f]{64}$/);
  assert.equal(again.hmac('subject:1', 'jane@example.org'), h);
  assert.notEqual(a.hmac('subject:2', 'jane@example.org'), h);
  assert.notEqual(b.hmac('subject:1', 'jane@example.org'), h);
});

test('encrypt/decrypt round-trips any string exactly (property)', async () => {
  const keys = await createOperatorKeys(newKeyring(), 'tenant-a');
  fc.assert(
    fc.property(
      fc.string({ unit: 'grapheme', maxLength: 200 }),
      fc.string({ minLength: 1, maxLength: 40 }),
      (plaintext, scope) => {
        const token = keys.encrypt(scope, plaintext);
        assert.match(token, /^[A-Za-z0-9_-]+$/);
        assert.equal(keys.decrypt(scope, token), plaintext);
      },
    ),
    { numRuns: 300 },
  );
});

test('a token fails to decrypt in another scope or tenant, or when altered, with one message', async () => {
  const keyring = newKeyring();
  const a = await createOperatorKeys(keyring, 'tenant-a');
  const b = await createOperatorKeys(keyring, 'tenant-b');
  const token = a.encrypt('job:7', '078-05-1120');
  const flipped = `${token.slice(0, -2)}${token.at(-2) === 'A' ? 'B' : 'A'}${token.at(-1)}`;
  for (const attempt of [
    () => a.decrypt('job:8', token),
    () => b.decrypt('job:7', token),
    () => a.decrypt('job:7', flipped),
    () => a.decrypt('job:7', 'not a token!'),
    () => a.decrypt('job:7', 'AAAA'),
  ]) {
    assert.throws(
      attempt,
      (e: unknown) => isCode('VEIL_DECRYPTION_FAILED')(e) && (e as Error).message === 'decryption failed',
    );
  }
});

test('tokens survive a rotation; HMAC and FPE stay stable when the version is pinned', async () => {
  const keyring = newKeyring();
  const before = await createOperatorKeys(keyring, 'tenant-a');
  const token = before.encrypt('s', 'value');
  const hmac = before.hmac('s', 'value');
  const fpe = before.fpeEncrypt('s', '078051120');
  await keyring.rotate('tenant-a');
  const current = await createOperatorKeys(keyring, 'tenant-a');
  assert.equal(current.decrypt('s', token), 'value');
  assert.notEqual(current.hmac('s', 'value'), hmac, 'the current version derives new subkeys');
  const pinned = await createOperatorKeys(keyring, 'tenant-a', { version: 1 });
  assert.equal(pinned.hmac('s', 'value'), hmac);
  assert.equal(pinned.fpeDecrypt('s', fpe), '078051120');
  await keyring.retire('tenant-a', 1);
  const afterRetire = await createOperatorKeys(keyring, 'tenant-a');
  assert.throws(() => afterRetire.decrypt('s', token), isCode('VEIL_DECRYPTION_FAILED'));
  await assert.rejects(createOperatorKeys(keyring, 'tenant-a', { version: 1 }), isCode('VEIL_KEY_RETIRED'));
});

test('FPE keeps digit strings digit strings of the same length and round-trips (property)', async () => {
  const keys = await createOperatorKeys(newKeyring(), 'tenant-a');
  fc.assert(
    fc.property(
      fc.stringMatching(/^[0-9]{6,56}$/),
      fc.constantFrom('ssn', 'card', 'phone'),
      (digits, scope) => {
        const encrypted = keys.fpeEncrypt(scope, digits);
        assert.equal(encrypted.length, digits.length);
        assert.match(encrypted, /^[0-9]+$/);
        assert.equal(keys.fpeDecrypt(scope, encrypted), digits);
      },
    ),
    { numRuns: 300 },
  );
  assert.notEqual(keys.fpeEncrypt('ssn', '078051120'), keys.fpeEncrypt('card', '078051120'));
});

test('FPE refuses digit strings shorter than FF3-1 allows with a clear error', async () => {
  const keys = await createOperatorKeys(newKeyring(), 'tenant-a');
  assert.throws(
    () => keys.fpeEncrypt('zip', '12345'),
    (e: unknown) => isCode('VEIL_FPE_INPUT')(e) && /from 6 to 56 digits, got 5/.test((e as Error).message),
  );
  assert.throws(() => keys.fpeEncrypt('zip', '12-345-678'), isCode('VEIL_FPE_INPUT'));
});

test('an empty scope and malformed Unicode are refused', async () => {
  const keys = await createOperatorKeys(newKeyring(), 'tenant-a');
  assert.throws(() => keys.hmac('', 'x'), isCode('VEIL_INVALID_INPUT'));
  assert.throws(() => keys.encrypt('s', 'half a pair \ud800'), isCode('VEIL_INVALID_INPUT'));
});

test('after destroyTenant, earlier tokens cannot be decrypted by anyone', async () => {
  const keyring = newKeyring();
  const token = (await createOperatorKeys(keyring, 'tenant-a')).encrypt('s', 'secret value');
  await keyring.destroyTenant('tenant-a');
  const fresh = await createOperatorKeys(keyring, 'tenant-a');
  assert.throws(() => fresh.decrypt('s', token), isCode('VEIL_DECRYPTION_FAILED'));
});
