// `veil serve` as configured by the environment: sign-in with a real OIDC issuer on loopback
// (discovery document and JWKS over HTTP) that rotates its signing key, and HTTPS with HSTS from
// a certificate made by the openssl CLI for this test.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createTokenVerifier } from '../../src/access/index.js';
import { loadConfig } from '../../src/runtime/config.js';
import { startConfiguredService } from '../../src/runtime/configured-service.js';
import { oidcVerifierOptions } from '../../src/runtime/sign-in.js';
import { createTestIssuer } from '../access/oidc-issuer.js';

const issuer = createTestIssuer();
before(() => issuer.listen());
after(() => issuer.close());

// Each test's data directory (a PGlite cluster, about 40 MB), removed when the file is done.
const dataDirs: string[] = [];
after(() => Promise.all(dataDirs.map((dir) => rm(dir, { recursive: true, force: true }))));

const baseEnv = () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'veil-configured-'));
  dataDirs.push(dataDir);
  return { VEIL_DATA_DIR: dataDir, VEIL_PORT: '0', VEIL_WORKERS: '0', VEIL_DETECTION_THREADS: '0' };
};

test(
  'veil serve signs in with an external OIDC issuer and follows its key rotation',
  { timeout: 120_000 },
  async () => {
    const { config } = loadConfig({
      ...baseEnv(),
      VEIL_OIDC_ISSUER: issuer.url,
      VEIL_OIDC_AUDIENCE: 'veil-api',
      // Refetch the key set as soon as a token names an unknown key, and check every token anew,
      // so the rotation is seen within the test rather than after the 30 s defaults.
      VEIL_OIDC_KEYS_REFRESH_SECONDS: '0',
      VEIL_OIDC_TOKEN_CACHE_SECONDS: '0',
    });
    const service = await startConfiguredService(config);
    try {
      assert.equal(service.issuer, 'oidc');
      assert.equal(issuer.fetched.length, 0, 'start-up does not wait for the issuer');
      const analyze = async (token: string) => {
        const response = await fetch(`${service.url}/v1/analyze`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ text: 'mail jane@example.org', entities: ['EMAIL_ADDRESS'] }),
        });
        return { status: response.status, body: (await response.json()) as unknown };
      };

      const before = await issuer.token({ tenant: 'acme', roles: ['processor'] });
      assert.deepEqual(await analyze(before), {
        status: 200,
        body: [{ entity_type: 'EMAIL_ADDRESS', start: 5, end: 21, score: 1, recognizer: 'email' }],
      });
      assert.deepEqual(issuer.fetched, [
        '/realms/veil/.well-known/openid-configuration',
        '/realms/veil/certs',
      ]);
      // The roles claim is read: an auditor may not analyse; a token for another audience is refused.
      assert.equal((await analyze(await issuer.token({ tenant: 'acme', roles: ['auditor'] }))).status, 403);
      assert.equal(
        (await analyze(await issuer.token({ tenant: 'acme', roles: ['processor'] }, 'other-api'))).status,
        401,
      );
      // No tenant claim, no principal.
      assert.equal((await analyze(await issuer.token({ roles: ['processor'] }))).status, 401);

      issuer.rotate();
      const rotated = await issuer.token({ tenant: 'acme', roles: ['processor'] });
      assert.equal(
        (await analyze(rotated)).status,
        200,
        'a token of the new key verifies once the key set is fetched again',
      );
      assert.equal(issuer.fetched.filter((url) => url.endsWith('/certs')).length, 2);
      assert.deepEqual(await analyze(before), {
        status: 401,
        body: { error: { code: 'VEIL_UNAUTHENTICATED', message: 'authentication failed' } },
      });
    } finally {
      await service.close();
    }
  },
);

test('a tenant and roles claim of another name are mapped, with the key set named by VEIL_JWKS_URL', async () => {
  const options = oidcVerifierOptions(
    loadConfig({
      VEIL_OIDC_ISSUER: issuer.url,
      VEIL_OIDC_AUDIENCE: 'veil-api',
      VEIL_JWKS_URL: `${issuer.url}/certs`,
      VEIL_OIDC_TENANT_CLAIM: 'org.id',
      VEIL_OIDC_ROLES_CLAIM: 'realm_access.roles',
    }).config,
  );
  const verifier = await createTokenVerifier(options!);
  const token = await issuer.token({
    org: { id: 'globex' },
    realm_access: { roles: ['offline_access', 'processor'] },
  });
  assert.deepEqual(
    { ...(await verifier.verify(token)) },
    { id: 'user-7', tenantId: 'globex', roles: ['processor'], kind: 'user' },
  );
  // The default claim names are not read once others are configured.
  await assert.rejects(verifier.verify(await issuer.token({ tenant: 'globex', roles: ['processor'] })), {
    code: 'VEIL_UNAUTHENTICATED',
  });
});

const openssl = spawnSync('openssl', ['version'], { encoding: 'utf8' });

test(
  '--tls-cert and --tls-key serve HTTPS with HSTS',
  { timeout: 120_000, skip: openssl.status === 0 ? false : 'the openssl CLI is not installed' },
  async () => {
    const env = baseEnv();
    const cert = join(env.VEIL_DATA_DIR, 'cert.pem');
    const key = join(env.VEIL_DATA_DIR, 'key.pem');
    const made = spawnSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { encoding: 'utf8' },
    );
    assert.equal(made.status, 0, made.stderr);
    const { config } = loadConfig(env, [
      { setting: 'VEIL_TLS_CERT', flag: '--tls-cert', value: cert },
      { setting: 'VEIL_TLS_KEY', flag: '--tls-key', value: key },
    ]);
    const service = await startConfiguredService(config);
    try {
      assert.equal(service.tls, true);
      assert.match(service.url, /^https:\/\/127\.0\.0\.1:\d+$/);
      const answer = await new Promise<{
        status: number;
        hsts: string | undefined;
        body: string;
        protocol: string;
      }>((resolve, reject) => {
        const req = httpsRequest(`${service.url}/healthz`, { ca: readFileSync(cert) }, (response) => {
          const protocol = (response.socket as TLSSocket).getProtocol() ?? '';
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () =>
            resolve({
              status: response.statusCode ?? 0,
              hsts: response.headers['strict-transport-security'],
              body: Buffer.concat(chunks).toString('utf8'),
              protocol,
            }),
          );
        });
        req.on('error', reject);
        req.end();
      });
      assert.equal(answer.status, 200);
      assert.equal(answer.hsts, 'max-age=31536000; includeSubDomains');
      assert.match(answer.protocol, /^TLSv1\.[23]$/);
      // Plain HTTP on the same port gets no answer from the API.
      await assert.rejects(fetch(service.url.replace('https:', 'http:') + '/healthz'));
    } finally {
      await service.close();
    }
  },
);

test('an unreadable or wrong TLS file stops start-up naming the setting', { timeout: 30_000 }, async () => {
  const env = baseEnv();
  const { config } = loadConfig({
    ...env,
    VEIL_TLS_CERT: join(env.VEIL_DATA_DIR, 'absent.pem'),
    VEIL_TLS_KEY: join(env.VEIL_DATA_DIR, 'absent-key.pem'),
  });
  await assert.rejects(startConfiguredService(config), (error: Error & { code?: string }) => {
    assert.equal(error.code, 'VEIL_CONFIG_INVALID');
    assert.equal(
      error.message,
      `configuration: --tls-cert (VEIL_TLS_CERT): cannot read ${config.VEIL_TLS_CERT} (ENOENT)`,
    );
    return true;
  });
});
