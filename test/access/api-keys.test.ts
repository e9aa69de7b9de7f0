import assert from 'node:assert/strict';
import crypto, { createHmac, randomBytes } from 'node:crypto';
import { syncBuiltinESMExports } from 'node:module';
import { mock, test } from 'node:test';
import { createApiKeyService, InMemoryApiKeyStore, parseApiKey } from '../../src/access/api-keys.js';
import type { StoredApiKey } from '../../src/access/api-keys.js';
import { AuthenticationFailure, unauthenticatedReason } from '../../src/access/failure.js';
import { isVeilError } from '../../src/errors/veil-error.js';
import { rejection } from './token-fixtures.js';

const pepper = randomBytes(32);
const FORMAT = /^veil_[0-9a-f]{24}_[A-Za-z0-9_-]{43}$/;

/** A store that also lets the test read what was written. */
class InspectableStore extends InMemoryApiKeyStore {
  readonly written: StoredApiKey[] = [];
  override async create(record: StoredApiKey): Promise<void> {
    this.written.push(record);
    await super.create(record);
  }
}

function setup(): { store: InspectableStore; keys: ReturnType<typeof createApiKeyService> } {
  const store = new InspectableStore();
  return { store, keys: createApiKeyService({ store, pepper, now: () => new Date('2026-01-01T00:00:00Z') }) };
}

test('create → verify → revoke', async () => {
  const { store, keys } = setup();
  const { apiKey, keyId } = await keys.create({
    tenantId: 'acme',
    roles: ['processor', 'processor', 'reviewer'],
  });
  assert.match(apiKey, FORMAT);
  assert.equal(apiKey.slice(5, 29), keyId);
  assert.deepEqual(
    { ...(await keys.verify(apiKey)) },
    { id: `apikey:${keyId}`, tenantId: 'acme', roles: ['processor', 'reviewer'], kind: 'service' },
  );
  await keys.revoke('acme', keyId);
  assert.equal(await rejection(keys.verify(apiKey)), 'api_key');
  assert.equal((await store.findByKeyId(keyId))?.revokedAt, '2026-01-01T00:00:00.000Z');
  await keys.revoke('acme', keyId); // idempotent
});

test('the stored record holds an HMAC-SHA256 of the secret under the pepper, never the secret', async () => {
  const { store, keys } = setup();
  const { apiKey, keyId } = await keys.create({ tenantId: 'acme', roles: ['admin'] });
  const secret = apiKey.slice(30);
  assert.equal(Buffer.from(secret, 'base64url').length, 32, 'a 256-bit secret');
  const [record] = store.written;
  const expectedHash = createHmac('sha256', pepper)
    .update(`veil-api-key-v1\0${keyId}\0${secret}`)
    .digest('hex');
  assert.deepEqual(record, {
    keyId,
    tenantId: 'acme',
    roles: ['admin'],
    hash: expectedHash,
    createdAt: '2026-01-01T00:00:00.000Z',
    revokedAt: null,
    expiresAt: null,
  });
  assert.equal(JSON.stringify(record).includes(secret), false);
  assert.equal(JSON.stringify(record).includes(apiKey), false);
  // Another pepper (another deployment, or a stolen table without the KEK) cannot verify the key.
  const elsewhere = createApiKeyService({ store, pepper: randomBytes(32) });
  assert.equal(await rejection(elsewhere.verify(apiKey)), 'api_key');
});

test('wrong secret, wrong key id and tampered format all fail the same way', async () => {
  const { keys } = setup();
  const { apiKey, keyId } = await keys.create({ tenantId: 'acme', roles: ['processor'] });
  const secret = apiKey.slice(30);
  const flip = (s: string): string => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
  const variants: Record<string, unknown> = {
    'wrong secret': `veil_${keyId}_${flip(secret)}`,
    'wrong key id': `veil_${'0'.repeat(24)}_${secret}`,
    'key id of another key': `veil_${(await keys.create({ tenantId: 'acme', roles: ['processor'] })).keyId}_${secret}`,
    'secret one character short': apiKey.slice(0, -1),
    'secret one character long': `${apiKey}A`,
    'upper-case key id': `veil_${keyId.toUpperCase()}_${secret}`,
    'wrong prefix': `vail_${keyId}_${secret}`,
    'no prefix': `${keyId}_${secret}`,
    'padding appended': `${apiKey}=`,
    whitespace: ` ${apiKey}`,
    empty: '',
    'not a string': 42,
  };
  const seen = new Set<string>();
  for (const [name, presented] of Object.entries(variants)) {
    try {
      await keys.verify(presented);
      assert.fail(`${name} was accepted`);
    } catch (error) {
      assert.ok(isVeilError(error) && error.cause instanceof AuthenticationFailure, name);
      assert.equal(error.cause.reason, 'api_key', name);
      seen.add(JSON.stringify(error));
    }
  }
  assert.deepEqual([...seen], ['{"code":"VEIL_UNAUTHENTICATED","message":"authentication failed"}']);
});

test('verification compares in constant time, and compares even when the key id is unknown', async () => {
  const { keys } = setup();
  const { apiKey, keyId } = await keys.create({ tenantId: 'acme', roles: ['processor'] });
  const spy = mock.method(crypto, 'timingSafeEqual');
  syncBuiltinESMExports(); // named imports of node:crypto now see the spy
  try {
    await keys.verify(apiKey);
    await keys.verify(`veil_${keyId}_${'A'.repeat(43)}`).catch(() => undefined);
    await keys.verify(`veil_${'f'.repeat(24)}_${'A'.repeat(43)}`).catch(() => undefined);
    assert.equal(
      spy.mock.callCount(),
      3,
      'one constant-time comparison per well-formed key, known id or not',
    );
    for (const call of spy.mock.calls) {
      assert.deepEqual(
        call.arguments.map((a) => (a as Uint8Array).length),
        [32, 32],
      );
    }
    await keys.verify('veil_malformed').catch(() => undefined);
    assert.equal(spy.mock.callCount(), 3, 'a malformed key is refused before any lookup');
  } finally {
    spy.mock.restore();
    syncBuiltinESMExports();
  }
});

test('revoking is tenant-scoped: another tenant revoking the id gets VEIL_NOT_FOUND and the key keeps working', async () => {
  const { keys } = setup();
  const { apiKey, keyId } = await keys.create({ tenantId: 'acme', roles: ['processor'] });
  await assert.rejects(
    keys.revoke('globex', keyId),
    (e: unknown) => isVeilError(e) && e.code === 'VEIL_NOT_FOUND' && e.status === 404,
  );
  await assert.rejects(
    keys.revoke('acme', 'f'.repeat(24)),
    (e: unknown) => isVeilError(e) && e.code === 'VEIL_NOT_FOUND',
  );
  assert.equal((await keys.verify(apiKey)).tenantId, 'acme');
});

test('listing shows one tenant its keys with ids, roles and dates, never a hash', async () => {
  const { keys } = setup();
  const a = await keys.create({ tenantId: 'acme', roles: ['processor'] });
  await keys.create({ tenantId: 'globex', roles: ['admin'] });
  await keys.revoke('acme', a.keyId);
  assert.deepEqual(await keys.list('acme'), [
    {
      keyId: a.keyId,
      tenantId: 'acme',
      roles: ['processor'],
      createdAt: '2026-01-01T00:00:00.000Z',
      revokedAt: '2026-01-01T00:00:00.000Z',
      expiresAt: null,
    },
  ]);
  await assert.rejects(keys.list('../x'), (e: unknown) => isVeilError(e) && e.code === 'VEIL_INVALID_OPTION');
});

test('keys are unique; bad input and a short pepper are refused', async () => {
  const { keys } = setup();
  const a = await keys.create({ tenantId: 'acme', roles: ['auditor'] });
  const b = await keys.create({ tenantId: 'acme', roles: ['auditor'] });
  assert.notEqual(a.keyId, b.keyId);
  assert.notEqual(a.apiKey.slice(30), b.apiKey.slice(30));
  const invalid = (e: unknown) => isVeilError(e) && e.code === 'VEIL_INVALID_OPTION';
  await assert.rejects(keys.create({ tenantId: 'acme', roles: [] }), invalid);
  await assert.rejects(keys.create({ tenantId: 'acme', roles: ['root' as never] }), invalid);
  await assert.rejects(keys.create({ tenantId: '../x', roles: ['admin'] }), invalid);
  assert.throws(
    () => createApiKeyService({ store: new InMemoryApiKeyStore(), pepper: randomBytes(31) }),
    invalid,
  );
});

test('the in-memory store refuses a duplicate key id', async () => {
  const store = new InMemoryApiKeyStore();
  const record: StoredApiKey = {
    keyId: 'a'.repeat(24),
    tenantId: 'acme',
    roles: ['admin'],
    hash: '00',
    createdAt: '2026-01-01T00:00:00.000Z',
    revokedAt: null,
    expiresAt: null,
  };
  await store.create(record);
  await assert.rejects(store.create(record), (e: unknown) => isVeilError(e) && e.code === 'VEIL_CONFLICT');
});

test('parseApiKey splits id and secret even when the secret holds underscores', () => {
  const secret = `${'_'.repeat(10)}${'a'.repeat(33)}`;
  assert.deepEqual(parseApiKey(`veil_${'0a'.repeat(12)}_${secret}`), { keyId: '0a'.repeat(12), secret });
  assert.equal(parseApiKey(`veil_${'0a'.repeat(12)}_${secret}_`), undefined);
  assert.equal(parseApiKey(`veil_${'0a'.repeat(12)}`), undefined);
});

test('a key with an expiry works until then and is refused as expired afterwards', async () => {
  let clock = new Date('2026-01-01T00:00:00Z');
  const store = new InMemoryApiKeyStore();
  const keys = createApiKeyService({ store, pepper: randomBytes(32), now: () => clock });
  const created = await keys.create({
    tenantId: 'acme',
    roles: ['processor'],
    expiresAt: new Date('2026-01-31T00:00:00Z'),
  });
  assert.equal(created.expiresAt, '2026-01-31T00:00:00.000Z');
  assert.equal((await keys.list('acme'))[0]?.expiresAt, '2026-01-31T00:00:00.000Z');
  clock = new Date('2026-01-30T23:59:59Z');
  assert.equal((await keys.verify(created.apiKey)).tenantId, 'acme');
  clock = new Date('2026-01-31T00:00:00Z');
  await assert.rejects(
    keys.verify(created.apiKey),
    (e: unknown) =>
      isVeilError(e) && e.code === 'VEIL_UNAUTHENTICATED' && unauthenticatedReason(e) === 'expired',
  );
  // An expiry in the past is a mistake, not a key.
  await assert.rejects(
    keys.create({ tenantId: 'acme', roles: ['processor'], expiresAt: new Date('2026-01-01T00:00:00Z') }),
    (e: unknown) => isVeilError(e) && e.code === 'VEIL_INVALID_OPTION',
  );
});
