import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { mintDevelopmentToken } from '../../src/access/index.js';
import { buildApp } from '../../src/api/index.js';
import { localApiDependencies } from '../../src/cli/commands/serve.js';
import { createLocalFileKeyProvider } from '../../src/crypto/key-providers/local-file.js';
import { Keyring } from '../../src/crypto/keyring.js';
import { MemoryKeyringStore } from '../../src/crypto/keyring-store.js';
import { tempDir } from '../temp-dir.js';

const freshDir = () => tempDir('veil-serve-');

test('veil serve wiring: local issuer tokens, the permission matrix and keyed operators', async () => {
  const dataDir = freshDir();
  const keyring = new Keyring({
    provider: createLocalFileKeyProvider({ path: join(dataDir, 'kek.key') }),
    store: new MemoryKeyringStore(),
  });
  const app = await buildApp(await localApiDependencies(dataDir, keyring));
  try {
    const bearer = async (role: 'processor' | 'auditor', dir = dataDir) => ({
      authorization: `Bearer ${await mintDevelopmentToken(dir, { role, tenant: 'acme' })}`,
    });
    const payload = { text: 'mail jane@example.org', entities: ['EMAIL_ADDRESS'] };

    const ok = await app.inject({
      method: 'POST',
      url: '/v1/analyze',
      headers: await bearer('processor'),
      payload,
    });
    assert.equal(ok.statusCode, 200);
    assert.deepEqual(ok.json(), [
      { entity_type: 'EMAIL_ADDRESS', start: 5, end: 21, score: 1, recognizer: 'email' },
    ]);

    const auditor = await app.inject({
      method: 'POST',
      url: '/v1/analyze',
      headers: await bearer('auditor'),
      payload,
    });
    assert.equal(auditor.statusCode, 403);
    assert.equal(auditor.json().error.code, 'VEIL_FORBIDDEN');

    // A token signed by another data directory's key is refused.
    const stranger = await app.inject({
      method: 'POST',
      url: '/v1/analyze',
      headers: await bearer('processor', freshDir()),
      payload,
    });
    assert.equal(stranger.statusCode, 401);
    assert.deepEqual(stranger.json(), {
      error: { code: 'VEIL_UNAUTHENTICATED', message: 'authentication failed' },
    });

    const hashed = await app.inject({
      method: 'POST',
      url: '/v1/anonymize',
      headers: await bearer('processor'),
      payload: {
        text: 'mail jane@example.org',
        analyzer_results: [{ entity_type: 'EMAIL_ADDRESS', start: 5, end: 21 }],
        anonymizers: { DEFAULT: { type: 'hash' } },
      },
    });
    assert.equal(hashed.statusCode, 200);
    const body = hashed.json() as { text: string; items: unknown[] };
    assert.match(body.text, /^mail [0-9a-f]{64}$/);
    assert.deepEqual(body.items, [{ entity_type: 'EMAIL_ADDRESS', start: 5, end: 69, operator: 'hash' }]);
  } finally {
    await app.close();
  }
});
