/**
 * A deployment pinned to a region (`VEIL_REGION`) never starts on, nor uses, a key-encryption key
 * held in another region or in an undeclared one: `VEIL_REGION_MISMATCH`, before the database or
 * the data directory is touched.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  assertKeyProviderRegion,
  createLocalFileKeyProvider,
  createVaultTransitKeyProvider,
} from '../../src/crypto/key-providers/index.js';
import { isVeilError } from '../../src/errors/veil-error.js';
import { openRuntime } from '../../src/runtime/runtime.js';
import { loadConfig } from '../../src/runtime/config.js';
import { startConfiguredService } from '../../src/runtime/configured-service.js';
import { keyProviderConfig, keyProviderFromConfig } from '../../src/runtime/key-provider.js';

const VAULT = {
  VEIL_KEK: 'vault-transit',
  VEIL_VAULT_ADDR: 'http://127.0.0.1:8200',
  VEIL_VAULT_TOKEN: 's.token',
  VEIL_VAULT_KEY: 'veil',
};

async function codeOf(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (error) {
    return isVeilError(error) ? `${error.code}: ${error.message}` : String(error);
  }
  return 'started';
}

test('a key provider declares its region; a pinned region accepts only the same one', () => {
  const vault = (region?: string) =>
    createVaultTransitKeyProvider({
      address: 'http://127.0.0.1:8200',
      token: 't',
      keyName: 'veil',
      ...(region === undefined ? {} : { region }),
    });
  assert.equal(vault('eu').region, 'eu');
  assert.equal(createLocalFileKeyProvider({ path: '/tmp/k', region: 'us' }).region, 'us');
  assert.doesNotThrow(() => assertKeyProviderRegion(vault('eu'), 'eu'));
  assert.doesNotThrow(() => assertKeyProviderRegion(vault('EU'), 'eu'));
  assert.doesNotThrow(() => assertKeyProviderRegion(vault(), undefined), 'nothing pinned: any provider');
  assert.throws(
    () => assertKeyProviderRegion(vault('us'), 'eu'),
    (e) =>
      isVeilError(e) &&
      e.code === 'VEIL_REGION_MISMATCH' &&
      /in region us.*pinned to region eu/.test(e.message),
  );
  assert.throws(
    () => assertKeyProviderRegion(vault(), 'eu'),
    (e) => isVeilError(e) && e.code === 'VEIL_REGION_MISMATCH' && /no declared region/.test(e.message),
  );
});

test('VEIL_KEK_REGION labels the provider; a local key defaults to VEIL_REGION; a foreign or undeclared remote KEK is refused', async () => {
  assert.deepEqual(keyProviderConfig(loadConfig({ ...VAULT, VEIL_KEK_REGION: 'eu' }).config), {
    driver: 'vault-transit',
    region: 'eu',
    address: 'http://127.0.0.1:8200',
    token: 's.token',
    keyName: 'veil',
    mount: 'transit',
  });
  assert.equal(
    (await keyProviderFromConfig(loadConfig({ VEIL_REGION: 'eu', VEIL_KEK_FILE: '/tmp/kek' }).config)).region,
    'eu',
  );
  assert.equal(
    (await keyProviderFromConfig(loadConfig({ ...VAULT, VEIL_REGION: 'eu', VEIL_KEK_REGION: 'eu' }).config))
      .region,
    'eu',
  );
  assert.match(
    await codeOf(() =>
      keyProviderFromConfig(loadConfig({ ...VAULT, VEIL_REGION: 'eu', VEIL_KEK_REGION: 'us' }).config),
    ),
    /^VEIL_REGION_MISMATCH: /,
  );
  assert.match(
    await codeOf(() => keyProviderFromConfig(loadConfig({ ...VAULT, VEIL_REGION: 'eu' }).config)),
    /^VEIL_REGION_MISMATCH: .*no declared region/,
  );
  assert.match(
    await codeOf(() =>
      keyProviderFromConfig(
        loadConfig({ VEIL_REGION: 'eu', VEIL_KEK_FILE: '/tmp/kek', VEIL_KEK_REGION: 'us' }).config,
      ),
    ),
    /^VEIL_REGION_MISMATCH: /,
  );
  // Not pinned: any provider, labelled or not.
  assert.equal((await keyProviderFromConfig(loadConfig(VAULT).config)).region, undefined);
});

test('veil serve pinned to eu with a KEK in us refuses to start, and nothing is written', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'veil-kek-region-'));
  try {
    const config = loadConfig({
      ...VAULT,
      VEIL_DATA_DIR: dataDir,
      VEIL_PORT: '0',
      VEIL_REGION: 'eu',
      VEIL_KEK_REGION: 'us',
    }).config;
    assert.match(
      await codeOf(() => startConfiguredService(config, { region: 'eu', sweepIntervalSeconds: 0 })),
      /^VEIL_REGION_MISMATCH: /,
    );
    // The runtime itself refuses a foreign provider handed to it, before the database opens.
    const foreign = createLocalFileKeyProvider({ path: join(dataDir, 'kek.key'), region: 'us' });
    assert.match(
      await codeOf(() => openRuntime({ dataDir, keyProvider: foreign, region: 'eu' })),
      /^VEIL_REGION_MISMATCH: /,
    );
    assert.deepEqual(await readdir(dataDir), [], 'no database, no key file, no blob');
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
