// OIDC discovery and remote JWKS against a real HTTP server on loopback.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { createTokenVerifier } from '../../src/access/tokens.js';
import type { FetchLike } from '../../src/access/token-keys.js';
import { AUDIENCE, JWKS, mint, now, rejection } from './token-fixtures.js';

type Route = { status: number; body: string };
const routes = new Map<string, Route>();
const hits: string[] = [];
const server = createServer((request, response) => {
  hits.push(request.url ?? '');
  const route = routes.get(request.url ?? '') ?? { status: 404, body: '{}' };
  response.writeHead(route.status, { 'content-type': 'application/json' }).end(route.body);
});
let base = '';

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

function serve(path: string, body: unknown, status = 200): void {
  routes.set(path, { status, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

/** A fetch that records what it was asked for, to prove the injected one is used. */
function recordingFetch(): { fetch: FetchLike; urls: string[] } {
  const urls: string[] = [];
  return { urls, fetch: (url, init) => (urls.push(url), fetch(url, init)) };
}

test('OIDC discovery: the configuration names jwks_uri, tokens verify, both are fetched once', async () => {
  const issuer = `${base}/realms/good`;
  serve('/realms/good/.well-known/openid-configuration', { issuer, jwks_uri: `${base}/realms/good/certs` });
  serve('/realms/good/certs', JWKS);
  const { fetch, urls } = recordingFetch();
  const verifier = await createTokenVerifier({
    keys: { kind: 'oidc' },
    issuer,
    audience: AUDIENCE,
    fetch,
    now,
  });
  assert.deepEqual(urls, [], 'nothing is fetched before the first token');
  assert.deepEqual(
    { ...(await verifier.verify(await mint({ iss: issuer }))) },
    { id: 'user-1', tenantId: 'acme', roles: ['processor'], kind: 'user' },
  );
  assert.equal((await verifier.verify(await mint({ iss: issuer, sub: 'user-2' }))).id, 'user-2');
  assert.deepEqual(urls, [`${issuer}/.well-known/openid-configuration`, `${base}/realms/good/certs`]);
  assert.equal(await rejection(verifier.verify(await mint({ iss: `${base}/realms/other` }))), 'issuer');
});

test('OIDC discovery refuses a configuration whose issuer is another provider', async () => {
  const issuer = `${base}/realms/mixup`;
  serve('/realms/mixup/.well-known/openid-configuration', {
    issuer: `${base}/realms/good`,
    jwks_uri: `${base}/realms/good/certs`,
  });
  const verifier = await createTokenVerifier({ keys: { kind: 'oidc' }, issuer, audience: AUDIENCE, now });
  assert.equal(await rejection(verifier.verify(await mint({ iss: issuer }))), 'key_source');
});

test('OIDC discovery refuses a jwks_uri over plain http off loopback, and a missing one', async () => {
  const issuer = `${base}/realms/cleartext`;
  serve('/realms/cleartext/.well-known/openid-configuration', {
    issuer,
    jwks_uri: 'http://idp.example/certs',
  });
  const verifier = await createTokenVerifier({ keys: { kind: 'oidc' }, issuer, audience: AUDIENCE, now });
  assert.equal(await rejection(verifier.verify(await mint({ iss: issuer }))), 'key_source');
  serve('/realms/cleartext/.well-known/openid-configuration', { issuer });
  assert.equal(await rejection(verifier.verify(await mint({ iss: issuer }))), 'key_source');
});

test('a failed discovery is retried on the next request, not cached', async () => {
  const issuer = `${base}/realms/flaky`;
  serve('/realms/flaky/.well-known/openid-configuration', 'unavailable', 503);
  const verifier = await createTokenVerifier({ keys: { kind: 'oidc' }, issuer, audience: AUDIENCE, now });
  assert.equal(await rejection(verifier.verify(await mint({ iss: issuer }))), 'key_source');
  serve('/realms/flaky/.well-known/openid-configuration', '{"issuer": ');
  assert.equal(await rejection(verifier.verify(await mint({ iss: issuer }))), 'key_source');
  serve('/realms/flaky/.well-known/openid-configuration', { issuer, jwks_uri: `${base}/realms/good/certs` });
  assert.equal((await verifier.verify(await mint({ iss: issuer }))).id, 'user-1');
});

test('an oversized discovery document is refused', async () => {
  const issuer = `${base}/realms/huge`;
  serve('/realms/huge/.well-known/openid-configuration', {
    issuer,
    jwks_uri: `${base}/realms/good/certs`,
    pad: 'x'.repeat(2 << 20),
  });
  const verifier = await createTokenVerifier({ keys: { kind: 'oidc' }, issuer, audience: AUDIENCE, now });
  assert.equal(await rejection(verifier.verify(await mint({ iss: issuer }))), 'key_source');
});

test('a JWKS URL verifies; an unreachable one refuses tokens without stopping start-up', async () => {
  serve('/keys.json', JWKS);
  const { fetch, urls } = recordingFetch();
  const fromUrl = await createTokenVerifier({
    keys: { kind: 'url', url: `${base}/keys.json` },
    issuer: 'https://idp.test.example/realms/veil',
    audience: AUDIENCE,
    fetch,
    now,
  });
  assert.equal((await fromUrl.verify(await mint())).id, 'user-1');
  assert.deepEqual(urls, [`${base}/keys.json`]);
  const missing = await createTokenVerifier({
    keys: { kind: 'url', url: `${base}/absent.json` },
    issuer: 'https://idp.test.example/realms/veil',
    audience: AUDIENCE,
    now,
  });
  assert.equal(await rejection(missing.verify(await mint())), 'key_source');
});
