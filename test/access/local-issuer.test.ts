import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import {
  LOCAL_SIGNING_KEY_FILE,
  mintDevelopmentToken,
  openLocalIssuer,
} from '../../src/access/local-issuer.js';
import { createTokenVerifier } from '../../src/access/tokens.js';
import { isVeilError } from '../../src/errors/veil-error.js';
import { rejection } from './token-fixtures.js';

const root = await mkdtemp(join(tmpdir(), 'veil-local-issuer-'));
after(() => rm(root, { recursive: true, force: true }));
let counter = 0;
const freshDir = (): string => join(root, `data-${++counter}`, 'keys');

test('first use creates the directory (0700) and an Ed25519 key file (0600); its tokens verify', async () => {
  const dir = freshDir();
  const issuer = await openLocalIssuer(dir);
  assert.equal((await stat(dir)).mode & 0o777, 0o700);
  assert.equal((await stat(join(dir, LOCAL_SIGNING_KEY_FILE))).mode & 0o777, 0o600);
  const stored = JSON.parse(await readFile(join(dir, LOCAL_SIGNING_KEY_FILE), 'utf8')) as Record<
    string,
    string
  >;
  assert.deepEqual(Object.keys(stored).sort(), ['crv', 'd', 'kty', 'x']);
  assert.equal(stored.crv, 'Ed25519');

  const token = await issuer.mintDevelopmentToken({ role: 'processor', tenant: 'acme' });
  const verifier = await createTokenVerifier(issuer.verifierOptions());
  assert.deepEqual(
    { ...(await verifier.verify(token)) },
    { id: 'dev:processor', tenantId: 'acme', roles: ['processor'], kind: 'user' },
  );
  assert.deepEqual(decodeProtectedHeader(token), { alg: 'EdDSA', kid: issuer.keyId, typ: 'JWT' });
  const claims = decodeJwt(token);
  assert.equal(claims.iss, 'urn:veil:local');
  assert.equal(claims.aud, 'veil');
  assert.equal((claims.exp ?? 0) - (claims.iat ?? 0), 3600);
  assert.match(String(claims.jti), /^[0-9a-f-]{36}$/);
});

test('the published JWKS holds the public key only, under its RFC 7638 thumbprint', async () => {
  const issuer = await openLocalIssuer(freshDir());
  const { keys } = issuer.jwks();
  assert.equal(keys.length, 1);
  assert.deepEqual(Object.keys(keys[0] ?? {}).sort(), ['alg', 'crv', 'kid', 'kty', 'use', 'x']);
  assert.equal(keys[0]?.kid, issuer.keyId);
  assert.match(issuer.keyId, /^[A-Za-z0-9_-]{43}$/);
});

test('the key persists: reopening reuses it, and concurrent first opens agree on one key', async () => {
  const dir = freshDir();
  const opened = await Promise.all([1, 2, 3, 4, 5].map(() => openLocalIssuer(dir)));
  assert.equal(new Set(opened.map((i) => i.keyId)).size, 1);
  const token = await mintDevelopmentToken(dir, {
    role: ['reviewer', 'auditor'],
    tenant: 'globex',
    ttl: 60,
    subject: 'alice',
  });
  const reopened = await openLocalIssuer(dir);
  assert.equal(reopened.keyId, opened[0]?.keyId);
  const principal = await (await createTokenVerifier(reopened.verifierOptions())).verify(token);
  assert.deepEqual(
    { ...principal },
    { id: 'alice', tenantId: 'globex', roles: ['reviewer', 'auditor'], kind: 'user' },
  );
  const other = await openLocalIssuer(freshDir());
  assert.equal(
    await rejection((await createTokenVerifier(other.verifierOptions())).verify(token)),
    'unknown_key',
  );
});

test('a key file readable by others or corrupt is refused without quoting it', async () => {
  const dir = freshDir();
  await openLocalIssuer(dir);
  const path = join(dir, LOCAL_SIGNING_KEY_FILE);
  await chmod(path, 0o644);
  await assert.rejects(
    openLocalIssuer(dir),
    (e: unknown) => isVeilError(e) && e.code === 'VEIL_SIGNING_KEY' && e.message.includes('chmod 600'),
  );
  await writeFile(path, '{"kty":"OKP","crv":"Ed25519","d":"c2VjcmV0LWtleS1tYXRlcmlhbA"', { mode: 0o600 });
  await chmod(path, 0o600);
  await assert.rejects(
    openLocalIssuer(dir),
    (e: unknown) =>
      isVeilError(e) &&
      e.code === 'VEIL_SIGNING_KEY' &&
      e.cause === undefined &&
      !e.message.includes('c2VjcmV0'),
  );
});

test('roles, tenant and ttl are checked', async () => {
  const issuer = await openLocalIssuer(freshDir());
  const invalid = (setting: string) => (e: unknown) =>
    isVeilError(e) && e.code === 'VEIL_INVALID_OPTION' && e.message.startsWith(setting);
  await assert.rejects(
    issuer.mintDevelopmentToken({ role: 'root' as never, tenant: 'acme' }),
    invalid('--role'),
  );
  await assert.rejects(issuer.mintDevelopmentToken({ role: [], tenant: 'acme' }), invalid('--role'));
  await assert.rejects(issuer.mintDevelopmentToken({ role: 'admin', tenant: 'a/b' }), invalid('--tenant'));
  for (const ttl of [0, 1.5, 604_801])
    await assert.rejects(
      issuer.mintDevelopmentToken({ role: 'admin', tenant: 'acme', ttl }),
      invalid('--ttl'),
    );
  const week = decodeJwt(
    await issuer.mintDevelopmentToken({ role: 'admin', tenant: 'acme', ttl: 604_800, kind: 'service' }),
  );
  assert.equal((week.exp ?? 0) - (week.iat ?? 0), 604_800);
  assert.equal(week.veil_kind, 'service');
});
