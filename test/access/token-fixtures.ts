// Keys, a JWKS and token builders shared by the access tests. Tokens that jose refuses to sign
// (unknown crit, b64=false, embedded keys) are signed by hand with node:crypto.
import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import assert from 'node:assert/strict';
import { SignJWT } from 'jose';
import type { JSONWebKeySet, JWK, JWTPayload } from 'jose';
import { AuthenticationFailure } from '../../src/access/failure.js';
import type { UnauthenticatedReason } from '../../src/access/failure.js';
import { isVeilError } from '../../src/errors/veil-error.js';

export const ISSUER = 'https://idp.test.example/realms/veil';
export const AUDIENCE = 'veil-api';
/** The verifier's frozen clock in these tests, in seconds. */
export const NOW = 1_767_225_600; // 2026-01-01T00:00:00Z
export const now = (): Date => new Date(NOW * 1000);

export interface TestKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

function keyPair(kid: string, pair: { privateKey: KeyObject; publicKey: KeyObject }): TestKey {
  return { kid, ...pair };
}

export const RSA = keyPair('rsa-1', generateKeyPairSync('rsa', { modulusLength: 2048 }));
export const EC = keyPair('ec-1', generateKeyPairSync('ec', { namedCurve: 'P-256' }));
export const ED = keyPair('ed-1', generateKeyPairSync('ed25519'));
/** Not in the JWKS: an attacker's key, used with the kid of a trusted key. */
export const ATTACKER_EC = keyPair('ec-1', generateKeyPairSync('ec', { namedCurve: 'P-256' }));
export const ATTACKER_ED = keyPair('ed-1', generateKeyPairSync('ed25519'));

export function publicJwk(key: TestKey): JWK {
  return { ...(key.publicKey.export({ format: 'jwk' }) as JWK), kid: key.kid };
}

export const JWKS: JSONWebKeySet = { keys: [publicJwk(RSA), publicJwk(EC), publicJwk(ED)] };

/** Claims of a valid token: subject, tenant, roles, iss, aud, iat and a five-minute exp. */
export function validClaims(): JWTPayload {
  return {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: 'user-1',
    iat: NOW,
    exp: NOW + 300,
    veil_tenant: 'acme',
    veil_roles: ['processor'],
  };
}

/** Signs `claims` (merged over {@link validClaims}; `undefined` removes a claim) with jose. */
export async function mint(
  overrides: Record<string, unknown> = {},
  options: { alg?: string; key?: TestKey; header?: Record<string, unknown> } = {},
): Promise<string> {
  const key = options.key ?? ED;
  const alg = options.alg ?? (key === RSA ? 'RS256' : key.kid.startsWith('ec') ? 'ES256' : 'EdDSA');
  const claims: Record<string, unknown> = { ...validClaims(), ...overrides };
  for (const [name, value] of Object.entries(overrides)) if (value === undefined) delete claims[name];
  return new SignJWT(claims as JWTPayload)
    .setProtectedHeader({ alg, kid: key.kid, ...options.header })
    .sign(key.privateKey);
}

const b64u = (value: string | Uint8Array): string => Buffer.from(value).toString('base64url');

/** Signs a compact JWS by hand with Ed25519 (for headers jose will not produce). */
export function handSignEd25519(
  header: Record<string, unknown>,
  payload: string,
  key: TestKey = ED,
  encodePayload = true,
): string {
  const input = `${b64u(JSON.stringify(header))}.${encodePayload ? b64u(payload) : payload}`;
  return `${input}.${b64u(sign(null, Buffer.from(input), key.privateKey))}`;
}

/** Signs a compact JWS by hand with HMAC-SHA256 under `secret`. */
export function handSignHs256(
  header: Record<string, unknown>,
  claims: JWTPayload,
  secret: Uint8Array | string,
): string {
  const input = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(claims))}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

/** Awaits `promise`, asserts the uniform VEIL_UNAUTHENTICATED error, and returns its reason. */
export async function rejection(promise: Promise<unknown>): Promise<UnauthenticatedReason> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isVeilError(error), `expected a VeilError, got ${String(error)}`);
    assert.equal(error.code, 'VEIL_UNAUTHENTICATED');
    assert.equal(error.message, 'authentication failed');
    assert.equal(error.status, 401);
    assert.deepEqual(JSON.parse(JSON.stringify(error)), {
      code: 'VEIL_UNAUTHENTICATED',
      message: 'authentication failed',
    });
    assert.ok(
      error.cause instanceof AuthenticationFailure,
      'the reason travels as an AuthenticationFailure cause',
    );
    return error.cause.reason;
  }
  assert.fail('expected VEIL_UNAUTHENTICATED, but the credential was accepted');
}
