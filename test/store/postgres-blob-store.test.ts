import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { createEnvironmentKeyProvider } from '../../src/crypto/key-providers/environment.js';
import { Keyring } from '../../src/crypto/keyring.js';
import { DatabaseKeyringStore, PostgresBlobStore } from '../../src/store/index.js';
import { DRIVERS } from './drivers.js';
import type { TestDatabase } from './drivers.js';

const CANARY = 'canary-blob-4417@example.org';

for (const driver of DRIVERS) {
  describe(`database blob store (${driver.name})`, { skip: driver.skip }, () => {
    let database: TestDatabase;
    let blobs: PostgresBlobStore;
    before(async () => {
      database = await driver.open();
      const keyring = new Keyring({
        provider: createEnvironmentKeyProvider({
          variable: 'VEIL_KEK_BASE64',
          env: { VEIL_KEK_BASE64: randomBytes(32).toString('base64') },
        }),
        store: new DatabaseKeyringStore(database.handle.db),
      });
      // Small chunks, so a few kilobytes already span several rows.
      blobs = new PostgresBlobStore({ db: database.handle.db, keyring, chunkBytes: 1000 });
    });
    after(async () => {
      await database?.dispose();
    });

    const chunksOf = async (name: string): Promise<{ seq: number; data: Uint8Array }[]> =>
      database.handle.db.transaction().execute(async (trx) => {
        await sql`select set_config('veil.tenant_id', '*', true)`.execute(trx);
        return trx
          .selectFrom('blob_chunks')
          .select(['seq', 'data'])
          .where('name', '=', name)
          .orderBy('seq')
          .execute();
      });

    test('an object spans chunk rows of ciphertext only, and reads back whole', async () => {
      const content = Buffer.from(`${CANARY} `.repeat(300));
      const ref = await blobs.put({ tenantId: 'acme', artifactClass: 'source-document' }, content);
      assert.match(ref.name, /^b_[0-9a-f]{32}$/);
      const rows = await chunksOf(ref.name);
      assert.deepEqual(
        rows.map((r) => r.seq),
        [0, 1, 2, 3, 4, 5, 6, 7, 8],
      ); // 8,700 bytes and the envelope
      assert.ok(rows.every((r) => r.data.length <= 1000));
      for (const row of rows)
        assert.ok(!Buffer.from(row.data).includes(CANARY.slice(0, 12)), 'plaintext in a row');
      assert.deepEqual(await blobs.get(ref), content);
      assert.equal(await blobs.exists(ref), true);
      // An empty object is one empty chunk, and reads back empty.
      const empty = await blobs.put(
        { tenantId: 'acme', artifactClass: 'source-document' },
        new Uint8Array(0),
      );
      assert.equal((await blobs.get(empty)).length, 0);
    });

    test('bound to tenant and class: another tenant sees nothing, another class does not decrypt', async () => {
      const ref = await blobs.put({ tenantId: 'acme', artifactClass: 'redacted' }, Buffer.from(CANARY));
      await assert.rejects(blobs.get({ ...ref, tenantId: 'globex' }), { code: 'VEIL_NOT_FOUND' });
      assert.equal(await blobs.exists({ ...ref, tenantId: 'globex' }), false);
      await assert.rejects(blobs.get({ ...ref, artifactClass: 'findings' }), {
        code: 'VEIL_DECRYPTION_FAILED',
      });
      // Deleting as another tenant removes nothing.
      await blobs.delete({ ...ref, tenantId: 'globex' });
      assert.equal(await blobs.exists(ref), true);
    });

    test('delete removes every chunk; absent objects and foreign names get stable codes', async () => {
      const ref = await blobs.put({ tenantId: 'acme', artifactClass: 'original' }, randomBytes(5000));
      assert.ok((await chunksOf(ref.name)).length > 1);
      await blobs.delete(ref);
      assert.deepEqual(await chunksOf(ref.name), []);
      assert.equal(await blobs.exists(ref), false);
      await assert.rejects(blobs.get(ref), { code: 'VEIL_NOT_FOUND' });
      await blobs.delete(ref);
      await assert.rejects(blobs.get({ ...ref, name: '../../etc/passwd' }), { code: 'VEIL_INVALID_INPUT' });
    });
  });
}
