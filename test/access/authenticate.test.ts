import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { createApiKeyService, InMemoryApiKeyStore } from '../../src/access/api-keys.js';
import { createAuthenticator } from '../../src/access/authenticate.js';
import { unauthenticatedReason } from '../../src/access/failure.js';
import { createTokenVerifier } from '../../src/access/tokens.js';
import { VeilError } from '../../src/errors/veil-error.js';
import { AUDIENCE, ISSUER, JWKS, mint, now, rejection } from './token-fixtures.js';

const tokens = await createTokenVerifier({
  keys: { kind: 'jwks', jwks: JWKS },
  issuer: ISSUER,
  audience: AUDIENCE,
  now,
});
const apiKeys = createApiKeyService({ store: new InMemoryApiKeyStore(), pepper: randomBytes(32) });
const { apiKey, keyId } = await apiKeys.create({ tenantId: 'acme', roles: ['processor'] });

test('a bearer JWT and a bearer API key each reach their verifier', async () => {
  const auth = createAuthenticator({ tokens, apiKeys });
  assert.equal((await auth.authenticate(`Bearer ${await mint()}`)).id, 'user-1');
  assert.equal((await auth.authenticate(`bearer ${await mint()}`)).kind, 'user');
  assert.deepEqual(
    { ...(await auth.authenticate(`Bearer ${apiKey}`)) },
    { id: `apikey:${keyId}`, tenantId: 'acme', roles: ['processor'], kind: 'service' },
  );
});

test('missing, malformed and disabled credentials are refused alike', async () => {
  const auth = createAuthenticator({ tokens, apiKeys });
  assert.equal(await rejection(auth.authenticate(undefined)), 'missing');
  assert.equal(await rejection(auth.authenticate('')), 'missing');
  assert.equal(
    await rejection(auth.authenticate(`Basic ${Buffer.from('a:b').toString('base64')}`)),
    'malformed',
  );
  assert.equal(await rejection(auth.authenticate('Bearer')), 'malformed');
  assert.equal(await rejection(auth.authenticate(`Bearer ${apiKey} extra`)), 'malformed');
  assert.equal(await rejection(auth.authenticate(`Bearer veil_${keyId}_wrong`)), 'api_key');
  assert.equal(
    await rejection(createAuthenticator({ tokens }).authenticate(`Bearer ${apiKey}`)),
    'malformed',
  );
  assert.equal(
    await rejection(createAuthenticator({ apiKeys }).authenticate(`Bearer ${await mint()}`)),
    'malformed',
  );
});

test('unauthenticatedReason reads the reason for the log, and nothing from other errors', async () => {
  const error = await createAuthenticator({ tokens })
    .authenticate(undefined)
    .catch((e: unknown) => e);
  assert.equal(unauthenticatedReason(error), 'missing');
  assert.equal(unauthenticatedReason(new VeilError('VEIL_FORBIDDEN', 'no')), undefined);
  assert.equal(unauthenticatedReason(new Error('authentication failed')), undefined);
});
