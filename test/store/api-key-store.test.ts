import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Migrator, sql } from 'kysely';
import type { Kysely, Migration } from 'kysely';
import { createApiKeyService, unauthenticatedReason } from '../../src/access/index.js';
import { isVeilError } from '../../src/errors/veil-error.js';
import { DatabaseApiKeyStore } from '../../src/store/api-key-store.js';
import { SYSTEM_SCOPE, withTenantScope } from '../../src/store/database.js';
import { MIGRATIONS, migrateToLatest } from '../../src/store/migrations.js';
import { ensureTenant } from '../../src/store/repositories.js';
import type { Schema } from '../../src/store/schema.js';
import { DRIVERS } from './drivers.js';
import type { TestDatabase } from './drivers.js';

const isCode = (code: string) => (e: unknown) => isVeilError(e) && e.code === code;
const record = (keyId: string, tenantId: string) => ({
  keyId,
  tenantId,
  roles: ['processor', 'reviewer'],
  hash: 'ab'.repeat(32),
  createdAt: '2026-01-02T03:04:05.678Z',
  revokedAt: null,
  expiresAt: null,
});

for (const driver of DRIVERS) {
  describe(`API key store on ${driver.name}`, { skip: driver.skip }, () => {
    let testDb: TestDatabase;
    let db: Kysely<Schema>;
    let store: DatabaseApiKeyStore;

    before(async () => {
      testDb = await driver.open();
      db = testDb.handle.db;
      store = new DatabaseApiKeyStore(db);
      for (const tenant of ['tenant-a', 'tenant-b']) await ensureTenant(db, tenant);
    });
    after(async () => {
      await testDb?.dispose();
    });

    test('a key round-trips, and findByKeyId finds it whichever tenant owns it', async () => {
      await store.create(record('0123456789abcdef01234567', 'tenant-b'));
      assert.deepEqual(
        await store.findByKeyId('0123456789abcdef01234567'),
        record('0123456789abcdef01234567', 'tenant-b'),
      );
      assert.equal(await store.findByKeyId('ffffffffffffffffffffffff'), undefined);
    });

    test('list, revoke and create are scoped to their tenant; a key id is unique across tenants', async () => {
      const keyId = 'aaaaaaaaaaaaaaaaaaaaaaa1';
      await store.create(record(keyId, 'tenant-a'));
      assert.deepEqual(
        (await store.list('tenant-a')).map((k) => k.keyId),
        [keyId],
      );
      assert.ok(!(await store.list('tenant-b')).some((k) => k.keyId === keyId));
      // The listing never carries the hash.
      assert.deepEqual(Object.keys((await store.list('tenant-a'))[0]!).sort(), [
        'createdAt',
        'expiresAt',
        'keyId',
        'revokedAt',
        'roles',
        'tenantId',
      ]);

      assert.equal(await store.revoke('tenant-b', keyId, new Date('2026-02-01T00:00:00Z')), false);
      assert.equal((await store.findByKeyId(keyId))?.revokedAt, null);
      assert.equal(await store.revoke('tenant-a', keyId, new Date('2026-02-01T00:00:00Z')), true);
      // Revoking again succeeds and keeps the first time.
      assert.equal(await store.revoke('tenant-a', keyId, new Date('2026-03-01T00:00:00Z')), true);
      assert.equal((await store.findByKeyId(keyId))?.revokedAt, '2026-02-01T00:00:00.000Z');
      assert.equal((await store.list('tenant-a'))[0]?.revokedAt, '2026-02-01T00:00:00.000Z');

      await assert.rejects(store.create(record(keyId, 'tenant-b')), isCode('VEIL_CONFLICT'));
      await assert.rejects(
        store.create(record('aaaaaaaaaaaaaaaaaaaaaaa2', 'no-such-tenant')),
        isCode('VEIL_NOT_FOUND'),
      );
      await assert.rejects(
        store.create({ ...record('aaaaaaaaaaaaaaaaaaaaaaa3', 'tenant-a'), hash: 'secret' }),
        isCode('VEIL_INVALID_INPUT'),
      );
      // The key id column takes only the public id's shape, so a whole key can never land in it.
      const whole = `veil_${'a'.repeat(24)}_${'A'.repeat(43)}`;
      await assert.rejects(store.create(record(whole, 'tenant-a')), isCode('VEIL_INVALID_INPUT'));
    });

    test('through the access layer: verify, revoke, and no plaintext secret in the table', async () => {
      const keys = createApiKeyService({ store, pepper: randomBytes(32) });
      const { apiKey, keyId } = await keys.create({ tenantId: 'tenant-a', roles: ['auditor'] });
      assert.deepEqual(await keys.verify(apiKey), {
        id: `apikey:${keyId}`,
        tenantId: 'tenant-a',
        roles: ['auditor'],
        kind: 'service',
      });
      const { rows } = await withTenantScope(db, SYSTEM_SCOPE, (trx) =>
        sql<{ row: string }>`select t::text as row from api_keys t`.execute(trx),
      );
      const dump = rows.map((r) => r.row).join('\n');
      const secret = apiKey.slice(`veil_${keyId}_`.length);
      assert.ok(dump.includes(keyId));
      assert.ok(!dump.includes(secret) && !dump.includes(Buffer.from(secret, 'base64url').toString('hex')));
      await keys.revoke('tenant-a', keyId);
      await assert.rejects(keys.verify(apiKey), (e: unknown) => unauthenticatedReason(e) === 'api_key');
      await assert.rejects(keys.revoke('tenant-b', keyId), isCode('VEIL_NOT_FOUND'));
    });

    test("row-level security shows an ordinary role only the scoped tenant's keys", async () => {
      const role = `veil_rls_${randomBytes(4).toString('hex')}`;
      await sql.raw(`create role ${role} nologin`).execute(db);
      try {
        await sql.raw(`grant select on api_keys to ${role}`).execute(db);
        const visible = (scope: string) =>
          db.transaction().execute(async (trx) => {
            await sql`select set_config('veil.tenant_id', ${scope}, true)`.execute(trx);
            await sql.raw(`set local role ${role}`).execute(trx);
            const { rows } = await sql<{
              tenant_id: string;
            }>`select distinct tenant_id from api_keys order by tenant_id`.execute(trx);
            return rows.map((r) => r.tenant_id);
          });
        assert.deepEqual(await visible('tenant-a'), ['tenant-a']);
        assert.deepEqual(await visible('tenant-b'), ['tenant-b']);
        assert.deepEqual(await visible(SYSTEM_SCOPE), ['tenant-a', 'tenant-b']);
      } finally {
        await sql.raw(`drop owned by ${role}`).execute(db);
        await sql.raw(`drop role ${role}`).execute(db);
      }
    });

    test('a database created before 0003 upgrades to the new api_keys table', async () => {
      const old = await driver.open({ migrate: false });
      try {
        const raw = old.handle.db as unknown as Kysely<unknown>;
        const migrator = new Migrator({
          db: raw,
          provider: { getMigrations: async (): Promise<Record<string, Migration>> => ({ ...MIGRATIONS }) },
          migrationTableName: 'veil_migration',
          migrationLockTableName: 'veil_migration_lock',
        });
        assert.equal((await migrator.migrateTo('0002_row_level_security')).error, undefined);
        await sql`insert into tenants (id) values ('tenant-a')`.execute(raw);
        await withTenantScope(old.handle.db, 'tenant-a', (trx) =>
          sql`insert into api_keys (tenant_id, id, key_hash, role) values ('tenant-a', 'k1', ${randomBytes(32)}, 'processor')`.execute(
            trx,
          ),
        );
        // Later migrations follow; what matters is that 0003 and 0004 run on the old database.
        assert.deepEqual((await migrateToLatest(raw)).slice(0, 2), [
          '0003_api_keys_by_key_id',
          '0004_api_key_expiry',
        ]);
        const { rows } = await sql<{ column_name: string }>`
          select column_name from information_schema.columns where table_name = 'api_keys' order by column_name`.execute(
          raw,
        );
        assert.deepEqual(
          rows.map((r) => r.column_name),
          ['created_at', 'expires_at', 'hash', 'key_id', 'revoked_at', 'roles', 'tenant_id'],
        );
        const upgraded = new DatabaseApiKeyStore(old.handle.db);
        assert.deepEqual(await upgraded.list('tenant-a'), []);
        await upgraded.create(record('bbbbbbbbbbbbbbbbbbbbbbbb', 'tenant-a'));
        assert.equal((await upgraded.list('tenant-a')).length, 1);
      } finally {
        await old.dispose();
      }
    });
  });
}
