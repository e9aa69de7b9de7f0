import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { UnsecuredJWT } from 'jose';
import { createTokenVerifier } from '../../src/access/tokens.js';
import type { TokenVerifierOptions } from '../../src/access/tokens.js';
import { isVeilError } from '../../src/errors/veil-error.js';
import {
  ATTACKER_EC,
  ATTACKER_ED,
  AUDIENCE,
  EC,
  ED,
  ISSUER,
  JWKS,
  NOW,
  RSA,
  handSignEd25519,
  handSignHs256,
  mint,
  now,
  publicJwk,
  rejection,
  validClaims,
} from './token-fixtures.js';

const verifier = await createTokenVerifier({
  keys: { kind: 'jwks', jwks: JWKS },
  issuer: ISSUER,
  audience: AUDIENCE,
  now,
});
const processor = { id: 'user-1', tenantId: 'acme', roles: ['processor'], kind: 'user' };

test('tokens signed with RS256, PS256, ES256 and EdDSA keys from the JWKS verify to the principal', async () => {
  for (const [alg, key] of [
    ['RS256', RSA],
    ['PS256', RSA],
    ['ES256', EC],
    ['EdDSA', ED],
  ] as const) {
    assert.deepEqual({ ...(await verifier.verify(await mint({}, { alg, key }))) }, processor, alg);
  }
});

test('claims map to the principal: roles as array or space-separated string, unknown roles dropped, kind', async () => {
  const principal = await verifier.verify(
    await mint({ veil_roles: 'reviewer offline_access dpo reviewer', veil_kind: 'service', sub: 'svc-7' }),
  );
  assert.deepEqual(
    { ...principal },
    { id: 'svc-7', tenantId: 'acme', roles: ['reviewer', 'dpo'], kind: 'service' },
  );
  assert.ok(Object.isFrozen(principal) && Object.isFrozen(principal.roles));
});

test('tenant and roles can come from configured, nested claims', async () => {
  const keycloak = await createTokenVerifier({
    keys: { kind: 'jwks', jwks: JWKS },
    issuer: ISSUER,
    audience: [AUDIENCE, 'account'],
    tenantClaim: 'https://veil.example/tenant',
    rolesClaim: ['realm_access', 'roles'],
    now,
  });
  const token = await mint({
    veil_tenant: undefined,
    veil_roles: undefined,
    aud: ['account', 'other'],
    'https://veil.example/tenant': 'globex',
    realm_access: { roles: ['auditor', 'uma_authorization'] },
  });
  assert.deepEqual(
    { ...(await keycloak.verify(token)) },
    { id: 'user-1', tenantId: 'globex', roles: ['auditor'], kind: 'user' },
  );
  assert.equal(await rejection(keycloak.verify(await mint())), 'tenant');
});

test('clock tolerance: 30 s by default on exp and nbf, configurable down to 0', async () => {
  assert.equal((await verifier.verify(await mint({ exp: NOW - 10 }))).id, 'user-1');
  assert.equal((await verifier.verify(await mint({ nbf: NOW + 10 }))).id, 'user-1');
  const strict = await createTokenVerifier({ ...JWKS_OPTIONS, clockToleranceSeconds: 0 });
  assert.equal(await rejection(strict.verify(await mint({ exp: NOW }))), 'expired');
  assert.equal(await rejection(strict.verify(await mint({ nbf: NOW + 1 }))), 'not_yet_valid');
});

test('a verified token is trusted for the cache period only, and never past its expiry', async () => {
  let clock = NOW * 1000;
  const cached = await createTokenVerifier({
    ...JWKS_OPTIONS,
    clockToleranceSeconds: 0,
    now: () => new Date(clock),
  });
  const token = await mint({ exp: NOW + 60 });
  const first = await cached.verify(token);
  // The same frozen principal: the signature was not checked again.
  assert.equal(await cached.verify(token), first);
  clock += 31_000;
  const afterPeriod = await cached.verify(token);
  assert.notEqual(afterPeriod, first);
  assert.deepEqual({ ...afterPeriod }, { ...first });
  clock = (NOW + 60) * 1000;
  assert.equal(await rejection(cached.verify(token)), 'expired');
  // Failures are never cached, and 0 turns the cache off.
  const uncached = await createTokenVerifier({ ...JWKS_OPTIONS, verifiedCacheSeconds: 0 });
  const again = await mint();
  assert.notEqual(await uncached.verify(again), await uncached.verify(again));
});

const JWKS_OPTIONS: TokenVerifierOptions = {
  keys: { kind: 'jwks', jwks: JWKS },
  issuer: ISSUER,
  audience: AUDIENCE,
  now,
};

/** Our own negative cases: each is refused, for the reason named. */
const NEGATIVES: ReadonlyArray<readonly [string, () => Promise<string> | string, string]> = [
  ['alg none (unsecured JWT)', () => new UnsecuredJWT(validClaims()).encode(), 'malformed'],
  [
    'alg none with a non-empty signature',
    () => `${b64json({ alg: 'none' })}.${b64json(validClaims())}.AAAA`,
    'algorithm',
  ],
  ['alg NONE in capitals', () => `${b64json({ alg: 'NONE' })}.${b64json(validClaims())}.AAAA`, 'algorithm'],
  // Algorithm confusion: the RSA public key, as PEM, used as an HMAC secret under the RSA key's kid.
  [
    'HS256 signed with the RSA public key as secret',
    () =>
      handSignHs256(
        { alg: 'HS256', kid: RSA.kid },
        validClaims(),
        RSA.publicKey.export({ type: 'spki', format: 'pem' }),
      ),
    'algorithm',
  ],
  [
    'HS256 signed with the RSA public JWK as secret',
    () => handSignHs256({ alg: 'HS256', kid: RSA.kid }, validClaims(), JSON.stringify(publicJwk(RSA))),
    'algorithm',
  ],
  [
    'HS256 signed with the Ed25519 raw public key as secret',
    () =>
      handSignHs256(
        { alg: 'HS256', kid: ED.kid },
        validClaims(),
        ED.publicKey.export({ format: 'der', type: 'spki' }).subarray(12),
      ),
    'algorithm',
  ],
  [
    'RS384 (a real algorithm outside the allow-list)',
    () => mint({}, { alg: 'RS384', key: RSA }),
    'algorithm',
  ],
  [
    'ES256 header on an EdDSA signature',
    () => mint({}, { alg: 'EdDSA', key: ED }).then((t) => swapHeader(t, { alg: 'ES256', kid: ED.kid })),
    'unknown_key',
  ],
  [
    'expired (exp 60 s ago, beyond the 30 s tolerance)',
    () => mint({ iat: NOW - 3600, exp: NOW - 60 }),
    'expired',
  ],
  ['not yet valid (nbf in 120 s)', () => mint({ nbf: NOW + 120 }), 'not_yet_valid'],
  ['wrong audience', () => mint({ aud: 'someone-else' }), 'audience'],
  ['audience missing', () => mint({ aud: undefined }), 'audience'],
  ['wrong issuer', () => mint({ iss: 'https://evil.example/realms/veil' }), 'issuer'],
  ['issuer missing', () => mint({ iss: undefined }), 'issuer'],
  ['issuer with a trailing slash', () => mint({ iss: `${ISSUER}/` }), 'issuer'],
  ['wrong key (attacker ES256 key under a trusted kid)', () => mint({}, { key: ATTACKER_EC }), 'signature'],
  ['wrong key (attacker Ed25519 key under a trusted kid)', () => mint({}, { key: ATTACKER_ED }), 'signature'],
  ['unknown kid', () => mint({}, { header: { kid: 'rotated-away' } }), 'unknown_key'],
  [
    'payload tampered after signing (tenant swapped)',
    () => mint().then((t) => swapPayload(t, { ...validClaims(), veil_tenant: 'globex' })),
    'signature',
  ],
  ['signature truncated', () => mint().then((t) => t.slice(0, -4)), 'signature'],
  ['oversized token (9 KB of claims)', () => mint({ padding: 'x'.repeat(9000) }), 'too_large'],
  ['missing tenant claim', () => mint({ veil_tenant: undefined }), 'tenant'],
  ['tenant claim not a string', () => mint({ veil_tenant: ['acme'] }), 'tenant'],
  ['tenant claim with a path', () => mint({ veil_tenant: '../globex' }), 'tenant'],
  ['missing roles claim', () => mint({ veil_roles: undefined }), 'roles'],
  ['only roles Veil does not know', () => mint({ veil_roles: ['offline_access', 'superuser'] }), 'roles'],
  ['roles claim an object', () => mint({ veil_roles: { admin: true } }), 'roles'],
  ['kind claim neither user nor service', () => mint({ veil_kind: 'robot' }), 'claims'],
  ['missing sub', () => mint({ sub: undefined }), 'claims'],
  ['missing exp (a token valid forever)', () => mint({ exp: undefined }), 'claims'],
  ['exp as a string', () => mint({ exp: String(NOW + 300) }), 'claims'],
  [
    'crit naming an unknown extension',
    () =>
      handSignEd25519(
        { alg: 'EdDSA', kid: ED.kid, crit: ['urn:example:ext'], 'urn:example:ext': 1 },
        JSON.stringify(validClaims()),
      ),
    'crit',
  ],
  [
    'b64=false with crit (RFC 7797 unencoded payload)',
    () =>
      handSignEd25519(
        { alg: 'EdDSA', kid: ED.kid, b64: false, crit: ['b64'] },
        JSON.stringify(validClaims()).replaceAll('.', ''),
        ED,
        false,
      ),
    'malformed',
  ],
  [
    'b64=false with crit, payload base64url-shaped',
    () => handSignEd25519({ alg: 'EdDSA', kid: ED.kid, b64: false, crit: ['b64'] }, 'e30', ED, false),
    'crit',
  ],
  [
    'empty crit list',
    () => handSignEd25519({ alg: 'EdDSA', kid: ED.kid, crit: [] }, JSON.stringify(validClaims())),
    'crit',
  ],
  [
    'embedded jwk header (attacker key)',
    () =>
      handSignEd25519(
        { alg: 'EdDSA', kid: ED.kid, jwk: publicJwk(ATTACKER_ED) },
        JSON.stringify(validClaims()),
        ATTACKER_ED,
      ),
    'header',
  ],
  [
    'jku header',
    () =>
      handSignEd25519(
        { alg: 'EdDSA', kid: ED.kid, jku: 'https://evil.example/jwks' },
        JSON.stringify(validClaims()),
      ),
    'header',
  ],
  [
    'JWE-shaped (five segments)',
    () => 'eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..AAAA.AAAA.AAAA',
    'malformed',
  ],
  ['two segments', () => `${b64json({ alg: 'EdDSA' })}.${b64json(validClaims())}`, 'malformed'],
  [
    'header not JSON',
    () => `${Buffer.from('{alg:EdDSA').toString('base64url')}.${b64json(validClaims())}.AAAA`,
    'malformed',
  ],
  ['payload not JSON', () => handSignEd25519({ alg: 'EdDSA', kid: ED.kid }, 'not json'), 'malformed'],
  ['whitespace around the token', () => mint().then((t) => ` ${t} `), 'malformed'],
  ['empty string', () => '', 'missing'],
];

function b64json(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
function swapHeader(token: string, header: Record<string, unknown>): string {
  const [, payload, signature] = token.split('.');
  return `${b64json(header)}.${payload}.${signature}`;
}
function swapPayload(token: string, claims: Record<string, unknown>): string {
  const [header, , signature] = token.split('.');
  return `${header}.${b64json(claims)}.${signature}`;
}

test('our negative cases are refused with VEIL_UNAUTHENTICATED, each for its own reason', async (t) => {
  const tally = new Map<string, number>();
  for (const [name, build, reason] of NEGATIVES) {
    const token = await build();
    assert.equal(await rejection(verifier.verify(token)), reason, name);
    tally.set(reason, (tally.get(reason) ?? 0) + 1);
  }
  t.diagnostic(
    `${NEGATIVES.length} own negative cases refused: ${[...tally].map(([r, n]) => `${r} ${n}`).join(', ')}`,
  );
  assert.equal(NEGATIVES.length, 43);
});

test('a non-string token is refused as missing', async () => {
  assert.equal(await rejection(verifier.verify(undefined)), 'missing');
  assert.equal(await rejection(verifier.verify({ token: 'x' })), 'missing');
});

test('the refusal never carries token contents: not in the message, not in the cause', async () => {
  const token = await mint(
    { sub: 'canary-subject-7731', veil_tenant: 'canary-tenant' },
    { key: ATTACKER_ED },
  );
  try {
    await verifier.verify(token);
    assert.fail('accepted');
  } catch (error) {
    assert.ok(error instanceof Error && error.cause instanceof Error);
    const seen = `${error.message} ${error.cause.message} ${JSON.stringify(error)} ${JSON.stringify(error.cause)}`;
    for (const secret of ['canary-subject-7731', 'canary-tenant', token.split('.')[1] ?? ''])
      assert.equal(seen.includes(secret), false);
    assert.equal(
      error.cause.message,
      'authentication failed: signature (ERR_JWS_SIGNATURE_VERIFICATION_FAILED)',
    );
  }
});

test('the token size cap is configurable and checked before parsing', async () => {
  const small = await createTokenVerifier({ ...JWKS_OPTIONS, maxTokenBytes: 256 });
  const token = await mint();
  assert.ok(token.length > 256);
  assert.equal(await rejection(small.verify(token)), 'too_large');
  assert.equal(await rejection(small.verify('x'.repeat(10_000_000))), 'too_large');
});

test('the algorithm allow-list can narrow but never widen', async () => {
  const edOnly = await createTokenVerifier({ ...JWKS_OPTIONS, algorithms: ['EdDSA'] });
  assert.equal((await edOnly.verify(await mint())).id, 'user-1');
  assert.equal(await rejection(edOnly.verify(await mint({}, { key: RSA }))), 'algorithm');
  for (const algorithms of [['HS256'], ['none'], ['EdDSA', 'HS512'], [], ['RS384']]) {
    await assert.rejects(
      createTokenVerifier({ ...JWKS_OPTIONS, algorithms: algorithms as never }),
      (e: unknown) => isVeilError(e) && e.code === 'VEIL_INVALID_OPTION' && e.message.includes('algorithms'),
      JSON.stringify(algorithms),
    );
  }
});

test('a JWKS of symmetric keys only is refused at start-up; oct keys beside public keys are ignored', async () => {
  const oct = { kty: 'oct', k: Buffer.alloc(32).toString('base64url'), kid: 'hmac-1' };
  await assert.rejects(
    createTokenVerifier({ ...JWKS_OPTIONS, keys: { kind: 'jwks', jwks: { keys: [oct] } } }),
    (e: unknown) => isVeilError(e) && e.code === 'VEIL_INVALID_OPTION' && e.message.includes('no public'),
  );
  const mixed = await createTokenVerifier({
    ...JWKS_OPTIONS,
    keys: { kind: 'jwks', jwks: { keys: [oct, ...JWKS.keys] } },
  });
  const hs = handSignHs256({ alg: 'HS256', kid: 'hmac-1' }, validClaims(), Buffer.alloc(32));
  assert.equal(await rejection(mixed.verify(hs)), 'algorithm');
  assert.equal((await mixed.verify(await mint())).id, 'user-1');
});

test('keys pinned to another use or algorithm are left out of the JWKS', async () => {
  const jwks = {
    keys: [{ ...publicJwk(ED), use: 'enc' }, { ...publicJwk(EC), alg: 'ES384' }, publicJwk(RSA)],
  };
  const pinned = await createTokenVerifier({ ...JWKS_OPTIONS, keys: { kind: 'jwks', jwks } });
  assert.equal(await rejection(pinned.verify(await mint())), 'unknown_key');
  assert.equal(await rejection(pinned.verify(await mint({}, { key: EC }))), 'unknown_key');
  assert.equal((await pinned.verify(await mint({}, { key: RSA }))).id, 'user-1');
});

test('a JWKS file verifies; private members in it are dropped; a missing file stops start-up', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'veil-access-'));
  try {
    const path = join(dir, 'jwks.json');
    const privateJwk = { ...ED.privateKey.export({ format: 'jwk' }), kid: ED.kid };
    await writeFile(path, JSON.stringify({ keys: [privateJwk, publicJwk(RSA)] }));
    const fromFile = await createTokenVerifier({ ...JWKS_OPTIONS, keys: { kind: 'file', path } });
    assert.equal((await fromFile.verify(await mint())).id, 'user-1');
    assert.equal((await fromFile.verify(await mint({}, { key: RSA }))).id, 'user-1');
    await assert.rejects(
      createTokenVerifier({ ...JWKS_OPTIONS, keys: { kind: 'file', path: join(dir, 'absent.json') } }),
      (e: unknown) =>
        isVeilError(e) &&
        e.code === 'VEIL_INVALID_OPTION' &&
        e.message.includes('keys.path') &&
        e.message.includes('ENOENT'),
    );
    await writeFile(path, '{"keys": ');
    await assert.rejects(
      createTokenVerifier({ ...JWKS_OPTIONS, keys: { kind: 'file', path } }),
      (e: unknown) => isVeilError(e) && e.code === 'VEIL_INVALID_OPTION' && e.message.endsWith('is not JSON'),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('bad settings name the setting', async () => {
  const cases: Array<[Partial<TokenVerifierOptions>, string]> = [
    [{ issuer: '' }, 'issuer'],
    [{ audience: [] }, 'audience'],
    [{ clockToleranceSeconds: 301 }, 'clockToleranceSeconds'],
    [{ clockToleranceSeconds: -1 }, 'clockToleranceSeconds'],
    [{ maxTokenBytes: 100 }, 'maxTokenBytes'],
    [{ maxTokenAgeSeconds: 0 }, 'maxTokenAgeSeconds'],
    [{ verifiedCacheSeconds: 301 }, 'verifiedCacheSeconds'],
    [{ tenantClaim: [] }, 'tenantClaim'],
    [{ keys: { kind: 'url', url: 'http://idp.example/jwks' } }, 'keys.url'],
    [{ keys: { kind: 'url', url: 'not a url' } }, 'keys.url'],
    [{ keys: { kind: 'oidc' }, issuer: 'http://idp.example' }, 'issuer'],
    [{ keys: { kind: 'ldap' } as never }, 'keys.kind'],
  ];
  for (const [override, setting] of cases) {
    await assert.rejects(
      createTokenVerifier({ ...JWKS_OPTIONS, ...override }),
      (e: unknown) =>
        isVeilError(e) &&
        e.code === 'VEIL_INVALID_OPTION' &&
        e.message.startsWith(`token verifier: ${setting} `),
      setting,
    );
  }
});

test('maxTokenAgeSeconds requires iat and bounds its age', async () => {
  const fresh = await createTokenVerifier({ ...JWKS_OPTIONS, maxTokenAgeSeconds: 600 });
  assert.equal((await fresh.verify(await mint())).id, 'user-1');
  assert.equal(await rejection(fresh.verify(await mint({ iat: undefined }))), 'claims');
  assert.equal(await rejection(fresh.verify(await mint({ iat: NOW - 3600, exp: NOW + 60 }))), 'expired');
});
