/**
 * What only the S3 driver does, against a real S3-compatible server (s3rver on a loopback port):
 * keys under the prefix and nothing else, the bucket checked at open, and refusals as stable
 * codes that never echo a credential.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createEnvironmentKeyProvider } from '../../src/crypto/key-providers/environment.js';
import { Keyring } from '../../src/crypto/keyring.js';
import { DatabaseKeyringStore, openS3BlobStore } from '../../src/store/index.js';
import type { S3BlobSettings } from '../../src/store/index.js';
import { S3BlobStore } from '../../src/store/s3-blob-store.js';
import { DRIVERS } from './drivers.js';
import type { TestDatabase } from './drivers.js';
import { S3_CREDENTIALS, startS3Server } from './s3-server.js';
import type { TestS3Server } from './s3-server.js';

const SECRET = `secret-canary-${randomBytes(6).toString('hex')}`;
const KEY_ID = `AKIACANARY${randomBytes(4).toString('hex').toUpperCase()}`;

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('S3 blob store (s3rver)', () => {
  let server: TestS3Server;
  let database: TestDatabase;
  let keyring: Keyring;
  let base: S3BlobSettings;
  before(async () => {
    server = await startS3Server(['veil-blobs', 'other-bucket']);
    database = await DRIVERS[0]!.open();
    keyring = new Keyring({
      provider: createEnvironmentKeyProvider({
        variable: 'VEIL_KEK_BASE64',
        env: { VEIL_KEK_BASE64: randomBytes(32).toString('base64') },
      }),
      store: new DatabaseKeyringStore(database.handle.db),
    });
    base = {
      driver: 's3',
      bucket: 'veil-blobs',
      region: 'us-east-1',
      endpoint: server.endpoint,
      forcePathStyle: true,
      clientConfig: { credentials: S3_CREDENTIALS, maxAttempts: 1 },
    };
  });
  after(async () => {
    await server?.close();
    await database?.dispose();
  });

  test('object keys are the prefix and the opaque name; prefixes keep deployments apart', async () => {
    const prod = await openS3BlobStore({ ...base, prefix: '/prod/eu/' }, keyring);
    const staging = await openS3BlobStore({ ...base, prefix: 'staging' }, keyring);
    try {
      const ref = await prod.put({ tenantId: 'acme', artifactClass: 'original' }, Buffer.from('x'));
      const paths = [...(await server.storedObjects('veil-blobs')).keys()].map((path) =>
        path.slice(server.directory.length),
      );
      assert.deepEqual(paths, [`/veil-blobs/prod/eu/${ref.name}._S3rver_object`]);
      assert.equal(await prod.exists(ref), true);
      assert.equal(await staging.exists(ref), false);
      await assert.rejects(staging.get(ref), { code: 'VEIL_NOT_FOUND' });
      await prod.delete(ref);
      assert.equal((await server.storedObjects('veil-blobs')).size, 0);
    } finally {
      prod.close();
      staging.close();
    }
  });

  test('a missing bucket stops the open with VEIL_STORE_BUCKET_MISSING, naming the bucket', async () => {
    await assert.rejects(openS3BlobStore({ ...base, bucket: 'no-such-bucket' }, keyring), (error: Error) => {
      assert.equal((error as { code?: string }).code, 'VEIL_STORE_BUCKET_MISSING');
      assert.match(error.message, /bucket "no-such-bucket" does not exist/);
      assert.match(error.message, /VEIL_S3_BUCKET/);
      return true;
    });
    // A bucket removed after the start: writes fail with the same code.
    const store = new S3BlobStore({ ...base, bucket: 'gone-bucket' }, keyring);
    try {
      await assert.rejects(store.put({ tenantId: 'acme', artifactClass: 'original' }, Buffer.from('x')), {
        code: 'VEIL_STORE_BUCKET_MISSING',
      });
    } finally {
      store.close();
    }
  });

  test('refused credentials stop with VEIL_STORE_ACCESS_DENIED; no credential is echoed', async () => {
    const refused: S3BlobSettings = {
      ...base,
      clientConfig: { credentials: { accessKeyId: KEY_ID, secretAccessKey: SECRET }, maxAttempts: 1 },
    };
    const seen: unknown[] = [];
    await assert.rejects(openS3BlobStore(refused, keyring), (error: unknown) => {
      seen.push(error);
      return (error as { code?: string }).code === 'VEIL_STORE_ACCESS_DENIED';
    });
    const store = new S3BlobStore(refused, keyring);
    try {
      for (const attempt of [
        () => store.put({ tenantId: 'acme', artifactClass: 'original' }, Buffer.from('x')),
        () => store.get({ tenantId: 'acme', artifactClass: 'original', name: `b_${'a'.repeat(32)}` }),
      ])
        await assert.rejects(attempt(), (error: unknown) => {
          seen.push(error);
          return (error as { code?: string }).code === 'VEIL_STORE_ACCESS_DENIED';
        });
    } finally {
      store.close();
    }
    for (const error of seen) {
      const { message, cause } = error as Error;
      // HeadBucket answers have no body, so the S3 error name is known only for the other calls.
      assert.match(message, /\((InvalidAccessKeyId|Unknown), HTTP 403\)/);
      assert.match(message, /AWS_ACCESS_KEY_ID/);
      const everything = `${message} ${String(cause)} ${JSON.stringify(error)} ${JSON.stringify(cause)}`;
      assert.ok(!everything.includes(SECRET), 'the secret was echoed');
      assert.ok(!everything.includes(KEY_ID), 'the access key id was echoed');
    }
  });

  test('an endpoint that does not answer is VEIL_STORE_UNAVAILABLE naming VEIL_S3_ENDPOINT', async () => {
    const port = await closedPort();
    await assert.rejects(
      openS3BlobStore({ ...base, endpoint: `http://127.0.0.1:${port}` }, keyring),
      (error: Error) => {
        assert.equal((error as { code?: string }).code, 'VEIL_STORE_UNAVAILABLE');
        assert.match(error.message, /HeadBucket in bucket "veil-blobs" failed/);
        assert.match(error.message, /VEIL_S3_ENDPOINT/);
        return true;
      },
    );
  });
});
