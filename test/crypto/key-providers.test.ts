import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { createAwsKmsKeyProvider } from '../../src/crypto/key-providers/aws-kms.js';
import { createEnvironmentKeyProvider } from '../../src/crypto/key-providers/environment.js';
import { createKeyProvider } from '../../src/crypto/key-providers/index.js';
import { createLocalFileKeyProvider } from '../../src/crypto/key-providers/local-file.js';
import type { KeyEncryptionKeyProvider } from '../../src/crypto/key-providers/provider.js';
import { createVaultTransitKeyProvider } from '../../src/crypto/key-providers/vault-transit.js';
import { isVeilError } from '../../src/errors/veil-error.js';
import { startKms, startVaultTransit } from './loopback-kek-servers.js';
import type { LoopbackServer } from './loopback-kek-servers.js';

const dir = await mkdtemp(join(tmpdir(), 'veil-kek-'));
const servers: LoopbackServer[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await rm(dir, { recursive: true, force: true });
});

const VAULT_TOKEN = 'hvs.test-token-not-a-secret';
const vault = await startVaultTransit({ token: VAULT_TOKEN, mount: 'transit', keyName: 'veil-kek' });
const KMS_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/0b7c3c6f-0000-4000-8000-000000000001';
const kms = await startKms({ keyArn: KMS_ARN });
servers.push(vault, kms);

const envKey = randomBytes(32).toString('base64');
const kmsClientConfig = {
  region: 'eu-west-1',
  endpoint: kms.url,
  credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
};

const DRIVERS: ReadonlyArray<{ name: string; make: () => KeyEncryptionKeyProvider }> = [
  { name: 'local-file', make: () => createLocalFileKeyProvider({ path: join(dir, 'suite', 'kek.key') }) },
  {
    name: 'environment',
    make: () => createEnvironmentKeyProvider({ variable: 'VEIL_TEST_KEK', env: { VEIL_TEST_KEK: envKey } }),
  },
  {
    name: 'vault-transit',
    make: () =>
      createVaultTransitKeyProvider({ address: vault.url, token: VAULT_TOKEN, keyName: 'veil-kek' }),
  },
  { name: 'aws-kms', make: () => createAwsKmsKeyProvider({ keyId: KMS_ARN, clientConfig: kmsClientConfig }) },
];

const isCode = (code: string) => (e: unknown) => isVeilError(e) && e.code === code;
const context = { 'veil:tenant': 'tenant-a', 'veil:key': 'tenant', 'veil:version': '1' };

for (const driver of DRIVERS) {
  describe(`KEK provider ${driver.name}`, () => {
    test('wraps and unwraps a data key; the wrapped form does not contain it', async () => {
      const provider = driver.make();
      const dataKey = randomBytes(32);
      const wrapped = await provider.wrapKey(dataKey, context);
      assert.equal(Buffer.from(wrapped).includes(dataKey), false);
      assert.equal(Buffer.from(wrapped).toString('latin1').includes(dataKey.toString('base64')), false);
      assert.deepEqual(Buffer.from(await provider.unwrapKey(wrapped, context)), dataKey);
      // A second instance with the same configuration reads the same KEK.
      assert.deepEqual(Buffer.from(await driver.make().unwrapKey(wrapped, { ...context })), dataKey);
    });

    test('unwrap with another context or a tampered blob fails with an uninformative error', async () => {
      const provider = driver.make();
      const wrapped = Buffer.from(await provider.wrapKey(randomBytes(32), context));
      await assert.rejects(
        provider.unwrapKey(wrapped, { ...context, 'veil:tenant': 'tenant-b' }),
        isCode('VEIL_DECRYPTION_FAILED'),
      );
      await assert.rejects(
        provider.unwrapKey(wrapped, { ...context, 'veil:version': '2' }),
        isCode('VEIL_DECRYPTION_FAILED'),
      );
      const tampered = Buffer.from(wrapped);
      tampered[tampered.length - 1] = tampered[tampered.length - 1]! ^ 1;
      await assert.rejects(
        provider.unwrapKey(tampered, context),
        (e: unknown) => isCode('VEIL_DECRYPTION_FAILED')(e) && (e as Error).message === 'decryption failed',
      );
    });
  });
}

describe('local key file', () => {
  test('is created on first use with mode 0600, 32 random bytes, in a 0700 directory', async () => {
    const path = join(dir, 'fresh', 'nested', 'kek.key');
    const provider = createLocalFileKeyProvider({ path });
    await provider.wrapKey(randomBytes(32), context);
    const info = await stat(path);
    assert.equal(info.mode & 0o777, 0o600);
    assert.equal(info.size, 32);
    assert.equal((await stat(join(dir, 'fresh', 'nested'))).mode & 0o777, 0o700);
    const first = await readFile(path);
    await createLocalFileKeyProvider({ path }).wrapKey(randomBytes(32), context);
    assert.deepEqual(await readFile(path), first, 'an existing key file is never overwritten');
  });

  test('refuses a key file readable by others, and one of the wrong size, naming the path only', async () => {
    const loose = join(dir, 'loose.key');
    const secret = randomBytes(32);
    await writeFile(loose, secret, { mode: 0o644 });
    await chmod(loose, 0o644);
    await assert.rejects(
      createLocalFileKeyProvider({ path: loose }).wrapKey(randomBytes(32), context),
      (e: unknown) => {
        assert.ok(isVeilError(e) && e.code === 'VEIL_KEY_PROVIDER');
        assert.match(e.message, /loose\.key is readable or writable by group or others \(mode 644\)/);
        assert.equal(e.message.includes(secret.toString('hex')), false);
        return true;
      },
    );
    const short = join(dir, 'short.key');
    await writeFile(short, randomBytes(16), { mode: 0o600 });
    await assert.rejects(
      createLocalFileKeyProvider({ path: short }).wrapKey(randomBytes(32), context),
      /must hold exactly 32 bytes, it holds 16/,
    );
  });
});

describe('environment variable', () => {
  test('a missing or malformed variable is named in the error, its value never', async () => {
    await assert.rejects(
      createEnvironmentKeyProvider({ variable: 'VEIL_KEK', env: {} }).wrapKey(randomBytes(32), context),
      (e: unknown) => {
        assert.ok(isVeilError(e) && e.code === 'VEIL_KEY_PROVIDER');
        assert.match(e.message, /environment variable VEIL_KEK is not set/);
        return true;
      },
    );
    const wrongLength = randomBytes(16).toString('base64');
    for (const value of [wrongLength, 'not base64 at all!!', `${envKey}junk`]) {
      await assert.rejects(
        createEnvironmentKeyProvider({ variable: 'VEIL_KEK', env: { VEIL_KEK: value } }).wrapKey(
          randomBytes(32),
          context,
        ),
        (e: unknown) => {
          assert.ok(isVeilError(e) && e.code === 'VEIL_KEY_PROVIDER');
          assert.equal(e.message, 'environment variable VEIL_KEK must hold a base64-encoded 32-byte key');
          return true;
        },
      );
    }
  });
});

describe('Vault Transit', () => {
  test('calls /v1/transit/encrypt|decrypt/:key with X-Vault-Token and the context as associated_data', async () => {
    const before = vault.requests.length;
    const provider = createVaultTransitKeyProvider({
      address: vault.url,
      token: VAULT_TOKEN,
      keyName: 'veil-kek',
    });
    const wrapped = await provider.wrapKey(randomBytes(32), context);
    await provider.unwrapKey(wrapped, context);
    const [enc, dec] = vault.requests.slice(before);
    assert.equal(enc?.url, '/v1/transit/encrypt/veil-kek');
    assert.equal(dec?.url, '/v1/transit/decrypt/veil-kek');
    assert.equal(enc?.headers['x-vault-token'], VAULT_TOKEN);
    assert.equal(typeof enc?.body.associated_data, 'string');
    assert.match(Buffer.from(wrapped).toString('utf8'), /^vault:v1:/);
    assert.equal(provider.id, 'vault-transit:transit/veil-kek');
  });

  test('a rejected token is a provider error that does not echo the token', async () => {
    const provider = createVaultTransitKeyProvider({
      address: vault.url,
      token: 'hvs.wrong-token',
      keyName: 'veil-kek',
    });
    await assert.rejects(provider.wrapKey(randomBytes(32), context), (e: unknown) => {
      assert.ok(isVeilError(e) && e.code === 'VEIL_KEY_PROVIDER');
      assert.equal(e.message, 'Vault Transit key veil-kek: encrypt returned HTTP 403');
      return true;
    });
  });

  test('an unreachable Vault is a provider error naming the origin', async () => {
    const closed = await startVaultTransit({ token: VAULT_TOKEN, mount: 'transit', keyName: 'k' });
    await closed.close();
    const provider = createVaultTransitKeyProvider({
      address: closed.url,
      token: VAULT_TOKEN,
      keyName: 'k',
      timeoutMs: 2000,
    });
    await assert.rejects(
      provider.wrapKey(randomBytes(32), context),
      (e: unknown) => isVeilError(e) && e.code === 'VEIL_KEY_PROVIDER' && e.message.includes(closed.url),
    );
  });
});

describe('AWS KMS', () => {
  test('sends signed JSON 1.1 Encrypt/Decrypt with the EncryptionContext and KeyId', async () => {
    const before = kms.requests.length;
    const provider = createAwsKmsKeyProvider({ keyId: KMS_ARN, clientConfig: kmsClientConfig });
    const wrapped = await provider.wrapKey(randomBytes(32), context);
    await provider.unwrapKey(wrapped, context);
    const [enc, dec] = kms.requests.slice(before);
    assert.equal(enc?.headers['x-amz-target'], 'TrentService.Encrypt');
    assert.equal(dec?.headers['x-amz-target'], 'TrentService.Decrypt');
    assert.equal(enc?.headers['content-type'], 'application/x-amz-json-1.1');
    assert.deepEqual(enc?.body.EncryptionContext, context);
    assert.deepEqual(dec?.body.EncryptionContext, context);
    assert.equal(enc?.body.KeyId, KMS_ARN);
    assert.equal(dec?.body.KeyId, KMS_ARN);
  });
});

test('createKeyProvider picks the configured driver', async () => {
  const local = await createKeyProvider({ driver: 'local-file', path: join(dir, 'factory.key') });
  assert.equal(local.id, 'local-file');
  const viaKms = await createKeyProvider({
    driver: 'aws-kms',
    keyId: KMS_ARN,
    clientConfig: kmsClientConfig,
  });
  assert.equal(viaKms.id, `aws-kms:${KMS_ARN}`);
  await assert.rejects(createKeyProvider({ driver: 'nope' } as never), isCode('VEIL_INVALID_OPTION'));
});
