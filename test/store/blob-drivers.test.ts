/**
 * One blob store suite over every driver `VEIL_BLOBS` selects: files in a directory, chunks in
 * the database (PGlite and PostgreSQL), and objects in a real S3-compatible server (s3rver on a
 * loopback port). Each test also reads the medium itself (files, rows, the server's own object
 * files) and checks that only ciphertext reached it.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { createEnvironmentKeyProvider } from '../../src/crypto/key-providers/environment.js';
import { Keyring } from '../../src/crypto/keyring.js';
import type { KeyringStore } from '../../src/crypto/keyring-store.js';
import {
  DatabaseKeyringStore,
  EncryptedFileBlobStore,
  openS3BlobStore,
  PostgresBlobStore,
} from '../../src/store/index.js';
import type { BlobStore } from '../../src/store/index.js';
import { DRIVERS } from './drivers.js';
import { S3_CREDENTIALS, startS3Server } from './s3-server.js';

const CANARY = 'canary-blob-9083@example.org';

function keyringOn(store: KeyringStore): Keyring {
  return new Keyring({
    provider: createEnvironmentKeyProvider({
      variable: 'VEIL_KEK_BASE64',
      env: { VEIL_KEK_BASE64: randomBytes(32).toString('base64') },
    }),
    store,
  });
}

/** A driver under test: the store, and every byte it put on its medium. */
interface OpenedDriver {
  readonly blobs: BlobStore;
  readonly medium: () => Promise<Buffer[]>;
  readonly close: () => Promise<void>;
}

interface DriverCase {
  readonly name: string;
  readonly skip: string | false;
  open(): Promise<OpenedDriver>;
}

async function filesUnder(directory: string): Promise<Buffer[]> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true });
  return Promise.all(
    entries.filter((entry) => entry.isFile()).map((entry) => readFile(join(entry.parentPath, entry.name))),
  );
}

const CASES: DriverCase[] = [
  ...DRIVERS.map((driver): DriverCase => ({
    name: `postgres on ${driver.name}`,
    skip: driver.skip,
    async open() {
      const database = await driver.open();
      const keyring = keyringOn(new DatabaseKeyringStore(database.handle.db));
      return {
        blobs: new PostgresBlobStore({ db: database.handle.db, keyring, chunkBytes: 1000 }),
        medium: async () =>
          database.handle.db.transaction().execute(async (trx) => {
            await sql`select set_config('veil.tenant_id', '*', true)`.execute(trx);
            const rows = await trx.selectFrom('blob_chunks').select('data').execute();
            return rows.map((row) => Buffer.from(row.data));
          }),
        close: () => database.dispose(),
      };
    },
  })),
  {
    name: 'file',
    skip: false,
    async open() {
      const directory = await mkdtemp(join(tmpdir(), 'veil-blob-files-'));
      const database = await DRIVERS[0]!.open();
      const keyring = keyringOn(new DatabaseKeyringStore(database.handle.db));
      return {
        blobs: new EncryptedFileBlobStore({ directory, keyring }),
        medium: () => filesUnder(directory),
        close: async () => {
          await database.dispose();
          await rm(directory, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 's3 (s3rver)',
    skip: false,
    async open() {
      const server = await startS3Server(['veil-blobs']);
      const database = await DRIVERS[0]!.open();
      const keyring = keyringOn(new DatabaseKeyringStore(database.handle.db));
      const blobs = await openS3BlobStore(
        {
          driver: 's3',
          bucket: 'veil-blobs',
          prefix: 'prod',
          region: 'us-east-1',
          endpoint: server.endpoint,
          forcePathStyle: true,
          clientConfig: { credentials: S3_CREDENTIALS },
        },
        keyring,
      );
      return {
        blobs,
        medium: async () => [...(await server.storedObjects('veil-blobs')).values()],
        close: async () => {
          blobs.close();
          await server.close();
          await database.dispose();
        },
      };
    },
  },
];

for (const driver of CASES) {
  describe(`blob store contract: ${driver.name}`, { skip: driver.skip }, () => {
    let opened: OpenedDriver;
    before(async () => {
      opened = await driver.open();
    });
    after(async () => {
      await opened?.close();
    });

    test('an object reads back whole; the medium holds ciphertext only', async () => {
      const content = Buffer.from(`${CANARY} `.repeat(300));
      const ref = await opened.blobs.put({ tenantId: 'acme', artifactClass: 'source-document' }, content);
      assert.match(ref.name, /^b_[0-9a-f]{32}$/);
      assert.deepEqual(await opened.blobs.get(ref), content);
      assert.equal(await opened.blobs.exists(ref), true);
      const stored = await opened.medium();
      assert.ok(Buffer.concat(stored).length >= content.length, 'the object reached the medium');
      for (const bytes of stored) {
        assert.ok(!bytes.includes(CANARY.slice(0, 12)), 'plaintext on the medium');
        assert.ok(!bytes.includes(CANARY.slice(-12)), 'plaintext on the medium');
      }
      const empty = await opened.blobs.put(
        { tenantId: 'acme', artifactClass: 'original' },
        new Uint8Array(0),
      );
      assert.equal((await opened.blobs.get(empty)).length, 0);
    });

    test('bound to tenant and class: a wrong tenant or class never reads the content', async () => {
      const ref = await opened.blobs.put(
        { tenantId: 'acme', artifactClass: 'redacted' },
        Buffer.from(CANARY),
      );
      // The other tenant has a key of its own, so its refusal is about the binding, not a missing key.
      await opened.blobs.put({ tenantId: 'globex', artifactClass: 'redacted' }, Buffer.from('x'));
      await assert.rejects(opened.blobs.get({ ...ref, artifactClass: 'findings' }), {
        code: 'VEIL_DECRYPTION_FAILED',
      });
      await assert.rejects(opened.blobs.get({ ...ref, tenantId: 'globex' }), (error: { code: string }) =>
        ['VEIL_NOT_FOUND', 'VEIL_DECRYPTION_FAILED'].includes(error.code),
      );
      assert.deepEqual(await opened.blobs.get(ref), Buffer.from(CANARY));
    });

    test('delete is for good and may be repeated; absent and foreign names get stable codes', async () => {
      const ref = await opened.blobs.put({ tenantId: 'acme', artifactClass: 'original' }, randomBytes(5000));
      await opened.blobs.delete(ref);
      assert.equal(await opened.blobs.exists(ref), false);
      await assert.rejects(opened.blobs.get(ref), { code: 'VEIL_NOT_FOUND' });
      await opened.blobs.delete(ref);
      for (const name of ['../../etc/passwd', 'b_0', `b_${'0'.repeat(32)}/../x`]) {
        await assert.rejects(opened.blobs.get({ ...ref, name }), { code: 'VEIL_INVALID_INPUT' });
        await assert.rejects(opened.blobs.delete({ ...ref, name }), { code: 'VEIL_INVALID_INPUT' });
      }
    });
  });
}
