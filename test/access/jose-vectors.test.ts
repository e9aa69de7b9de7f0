// The JOSE vectors in ../shared/eval/security/jose (see its SOURCE.md): every negative case is
// refused by Veil's verifier; the RFC 7520 / RFC 8037 cookbook signatures whose algorithm is on
// the allow-list verify, and the others are refused by it.
import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import type { JsonWebKey, KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { SignJWT, compactVerify, errors } from 'jose';
import type { JWK, JWTPayload } from 'jose';
import { createTokenVerifier, TOKEN_ALGORITHMS } from '../../src/access/tokens.js';
import type { TokenAlgorithm, TokenVerifierOptions } from '../../src/access/tokens.js';
import { ED, JWKS, rejection } from './token-fixtures.js';
import { EVAL_URL } from '../repo-paths.js';

const DIR = new URL('security/jose/', EVAL_URL);
const ABSENT = existsSync(fileURLToPath(DIR)) ? false : `JOSE vectors not found at ${fileURLToPath(DIR)}`;
const read = (path: string): unknown => JSON.parse(readFileSync(new URL(path, DIR), 'utf8'));

interface LiteralCase {
  id: string;
  token?: string;
  jws?: { payload: string; protected: string; signature: string };
  detachedPayload?: string;
}
interface DerivedCase {
  id: string;
  header: Record<string, unknown>;
  claims: JWTPayload;
  verifyOptions: Record<string, unknown>;
  expect: string;
  token: string;
}
interface Negatives {
  literalTokens: { cases: LiteralCase[] };
  derivedClaimCases: { now: number; cases: DerivedCase[] };
}

// The panva/jose scenarios' issuer and audience (test/jwt/verify.test.ts).
const ISS = 'urn:example:issuer';
const AUD = 'urn:example:audience';

test('JOSE negative vectors: every literal and derived token is refused', { skip: ABSENT }, async (t) => {
  const vectors = read('panva-jose/jwt_negative_cases.json') as Negatives;
  const now = vectors.derivedClaimCases.now;
  const verifier = await createTokenVerifier({
    keys: { kind: 'jwks', jwks: JWKS },
    issuer: ISS,
    audience: AUD,
    now: () => new Date(now * 1000),
  });
  const reasons = new Map<string, number>();
  let count = 0;
  const refuse = async (id: string, token: string, expected?: string): Promise<void> => {
    const reason = await rejection(verifier.verify(token));
    if (expected !== undefined) assert.equal(reason, expected, id);
    reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    count += 1;
  };
  for (const vector of vectors.literalTokens.cases) {
    if (vector.token !== undefined) {
      await refuse(vector.id, vector.token);
    } else if (vector.jws !== undefined) {
      // The flattened RFC 7797 JWS as a compact token, with the payload detached and inline.
      await refuse(`${vector.id} detached`, `${vector.jws.protected}..${vector.jws.signature}`, 'malformed');
      await refuse(
        `${vector.id} inline`,
        `${vector.jws.protected}.${vector.detachedPayload ?? ''}.${vector.jws.signature}`,
        'algorithm',
      );
    }
  }
  const literal = count;
  // The derived tokens are HS256 (a shared secret): refused by the allow-list, the valid one too.
  for (const vector of vectors.derivedClaimCases.cases) await refuse(vector.id, vector.token, 'algorithm');
  t.diagnostic(
    `literal: ${literal} refused of ${vectors.literalTokens.cases.length} vectors (RFC 7797 one as 2 compact forms)`,
  );
  t.diagnostic(`derived (HS256): ${count - literal} refused of ${vectors.derivedClaimCases.cases.length}`);
  t.diagnostic(`reasons: ${[...reasons].map(([r, n]) => `${r} ${n}`).join(', ')}`);
  assert.equal(literal, 11);
  assert.equal(count - literal, 14);
});

/**
 * The derived scenarios again, re-signed with an allow-listed key (EdDSA) so the claim checks, not
 * the algorithm, decide. Each scenario's `verifyOptions` become verifier settings: an empty
 * allowed issuer or audience list becomes a different configured one, `clockTolerance` and
 * `maxTokenAge` map across, and the tenant and roles Veil needs are added to the claims.
 */
const RESIGNED_EXPECTED: Record<string, string> = {
  'basic-valid': 'accepted',
  'iss-not-in-allowed-list': 'issuer',
  'iss-is-array': 'issuer',
  'aud-not-in-allowed-list': 'audience',
  'aud-array-not-allowed': 'audience',
  // Veil does not pin subjects: any `sub` of the right issuer is a principal.
  'sub-mismatch': 'accepted',
  'exp-equals-now': 'expired',
  'exp-equals-now-with-1s-tolerance': 'accepted',
  'nbf-in-future': 'not_yet_valid',
  'iat-in-future-maxTokenAge': 'not_yet_valid',
  'iat-too-old': 'expired',
  'iat-null': 'claims',
  'nbf-null': 'claims',
  'exp-null': 'claims',
};

test(
  'JOSE claim scenarios re-signed with EdDSA: refused for the scenario reason',
  { skip: ABSENT },
  async (t) => {
    const vectors = read('panva-jose/jwt_negative_cases.json') as Negatives;
    const now = vectors.derivedClaimCases.now;
    const outcomes = { refused: 0, accepted: 0 };
    for (const vector of vectors.derivedClaimCases.cases) {
      const expected = RESIGNED_EXPECTED[vector.id];
      assert.ok(expected !== undefined, `no expectation for ${vector.id}`);
      const o = vector.verifyOptions;
      const maxAge =
        o.maxTokenAge === undefined
          ? undefined
          : typeof o.maxTokenAge === 'number'
            ? o.maxTokenAge
            : Number.parseInt(String(o.maxTokenAge), 10);
      const options: TokenVerifierOptions = {
        keys: { kind: 'jwks', jwks: JWKS },
        issuer: Array.isArray(o.issuer) && o.issuer.length === 0 ? 'urn:veil:another-issuer' : ISS,
        audience: Array.isArray(o.audience) && o.audience.length === 0 ? 'urn:veil:another-audience' : AUD,
        clockToleranceSeconds: typeof o.clockTolerance === 'number' ? o.clockTolerance : 0,
        ...(maxAge === undefined ? {} : { maxTokenAgeSeconds: maxAge }),
        now: () => new Date(now * 1000),
      };
      const verifier = await createTokenVerifier(options);
      const claims = {
        iss: ISS,
        aud: AUD,
        sub: 'urn:example:subject',
        exp: now + 60,
        veil_tenant: 'acme',
        veil_roles: ['auditor'],
        ...vector.claims,
      };
      const token = await new SignJWT(claims as JWTPayload)
        .setProtectedHeader({ ...vector.header, alg: 'EdDSA', kid: ED.kid })
        .sign(ED.privateKey);
      if (expected === 'accepted') {
        assert.equal((await verifier.verify(token)).tenantId, 'acme', vector.id);
        outcomes.accepted += 1;
      } else {
        assert.equal(await rejection(verifier.verify(token)), expected, vector.id);
        outcomes.refused += 1;
      }
    }
    t.diagnostic(
      `re-signed scenarios: ${outcomes.refused} refused as the scenario expects, ${outcomes.accepted} accepted (basic-valid, exp within 1 s tolerance, sub-mismatch: Veil pins no subject)`,
    );
    assert.deepEqual(outcomes, { refused: 11, accepted: 3 });
  },
);

interface CookbookCase {
  title: string;
  input: { payload: string; key: JWK; alg: string };
  output: { compact?: string };
}

function publicKeyOf(jwk: JWK): KeyObject {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub } = jwk;
  return createPublicKey({ key: pub as JsonWebKey, format: 'jwk' });
}

test(
  'cookbook signatures (RFC 7520, RFC 8037, joserfc): allow-listed ones verify, the rest are refused',
  { skip: ABSENT },
  async (t) => {
    const algorithms = [...TOKEN_ALGORITHMS];
    const results = { verified: [] as string[], refused: [] as string[] };
    const check = async (
      name: string,
      alg: string,
      compact: string,
      key: KeyObject,
      payload: string,
    ): Promise<void> => {
      if ((algorithms as string[]).includes(alg)) {
        const { payload: bytes } = await compactVerify(compact, key, { algorithms });
        assert.equal(Buffer.from(bytes).toString('utf8'), payload, name);
        results.verified.push(`${alg}`);
      } else {
        await assert.rejects(compactVerify(compact, key, { algorithms }), errors.JOSEAlgNotAllowed, name);
        results.refused.push(alg);
      }
    };
    for (const c of read('panva-jose/cookbook_jws.json') as CookbookCase[]) {
      if (c.output.compact === undefined || c.input.key.kty === 'oct') {
        if (c.output.compact !== undefined) {
          await assert.rejects(
            compactVerify(c.output.compact, new Uint8Array(32), { algorithms }),
            errors.JOSEAlgNotAllowed,
          );
          results.refused.push(c.input.alg);
        }
        continue;
      }
      if (c.input.key.kty === 'AKP') {
        results.refused.push(c.input.alg); // ML-DSA: outside the allow-list (and Node 20 cannot import it)
        continue;
      }
      await check(c.title, c.input.alg, c.output.compact, publicKeyOf(c.input.key), c.input.payload);
    }
    const ed = read('ietf-jose-cookbook/curve25519/jws.json') as CookbookCase;
    await check(
      'RFC 8037 A.4',
      ed.input.alg,
      ed.output.compact ?? '',
      publicKeyOf(ed.input.key),
      ed.input.payload,
    );
    const rsaPem = createPublicKey(readFileSync(new URL('joserfc/keys/rsa-openssl-public.pem', DIR)));
    for (const file of ['joserfc/jws_examples.json', 'joserfc/jwt_use_jws.json']) {
      const set = read(file) as {
        payload: unknown;
        tests: Array<{ name: string; compact?: string; token?: string; public_key?: string }>;
      };
      for (const vector of set.tests) {
        const compact = vector.compact ?? vector.token;
        if (compact === undefined || vector.public_key !== 'rsa-openssl-public.pem') continue;
        const alg = vector.name;
        if ((algorithms as string[]).includes(alg)) {
          const { payload: bytes } = await compactVerify(compact, rsaPem, { algorithms });
          const text = Buffer.from(bytes).toString('utf8');
          if (typeof set.payload === 'string') assert.equal(text, set.payload, `${file} ${alg}`);
          else assert.deepEqual(JSON.parse(text), set.payload, `${file} ${alg}`);
          results.verified.push(alg);
        } else {
          await assert.rejects(compactVerify(compact, rsaPem, { algorithms }), errors.JOSEAlgNotAllowed);
          results.refused.push(alg);
        }
      }
    }
    t.diagnostic(
      `cookbook/joserfc signatures verified: ${results.verified.length} (${results.verified.join(', ')})`,
    );
    t.diagnostic(`refused by the allow-list: ${results.refused.length} (${results.refused.join(', ')})`);
    assert.deepEqual(results.verified.sort(), ['EdDSA', 'EdDSA', 'RS256', 'RS256', 'RS256']);
  },
);

test(
  'JWTs signed with the vector keys (RFC 7520 RSA, RFC 8037 Ed25519, P-256) verify from a JWKS file',
  { skip: ABSENT },
  async () => {
    const cookbook = read('panva-jose/cookbook_jws.json') as CookbookCase[];
    const rsaJwk = cookbook.find((c) => c.input.alg === 'RS256')?.input.key;
    const edJwk = (read('ietf-jose-cookbook/curve25519/jws.json') as CookbookCase).input.key;
    assert.ok(rsaJwk !== undefined);
    const ecPrivate = createPrivateKey(readFileSync(new URL('joserfc/keys/ec-p256-private.pem', DIR)));
    const signers: Array<[TokenAlgorithm, KeyObject, string]> = [
      ['RS256', createPrivateKey({ key: rsaJwk as JsonWebKey, format: 'jwk' }), 'bilbo'],
      ['PS256', createPrivateKey({ key: rsaJwk as JsonWebKey, format: 'jwk' }), 'bilbo'],
      ['ES256', ecPrivate, 'p256'],
      ['EdDSA', createPrivateKey({ key: edJwk as JsonWebKey, format: 'jwk' }), 'rfc8037'],
    ];
    const jwks = {
      keys: [
        { ...(publicKeyOf(rsaJwk).export({ format: 'jwk' }) as JWK), kid: 'bilbo' },
        { ...(createPublicKey(ecPrivate).export({ format: 'jwk' }) as JWK), kid: 'p256' },
        { ...(publicKeyOf(edJwk).export({ format: 'jwk' }) as JWK), kid: 'rfc8037' },
      ],
    };
    const dir = await mkdtemp(join(tmpdir(), 'veil-jwks-'));
    try {
      await writeFile(join(dir, 'jwks.json'), JSON.stringify(jwks));
      const verifier = await createTokenVerifier({
        keys: { kind: 'file', path: join(dir, 'jwks.json') },
        issuer: ISS,
        audience: AUD,
      });
      for (const [alg, key, kid] of signers) {
        const token = await new SignJWT({ veil_tenant: 'shire', veil_roles: ['reviewer'] })
          .setProtectedHeader({ alg, kid })
          .setIssuer(ISS)
          .setAudience(AUD)
          .setSubject('bilbo.baggins@hobbiton.example')
          .setExpirationTime('5m')
          .sign(key);
        assert.deepEqual(
          { ...(await verifier.verify(token)) },
          { id: 'bilbo.baggins@hobbiton.example', tenantId: 'shire', roles: ['reviewer'], kind: 'user' },
          alg,
        );
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
);
