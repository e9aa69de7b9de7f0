import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { withTenantScope } from '../../src/store/database.js';
import { ensureTenant } from '../../src/store/repositories.js';
import { DRIVERS } from './drivers.js';
import type { TestDatabase } from './drivers.js';

for (const driver of DRIVERS) {
  describe(`withTenantScope on ${driver.name}`, { skip: driver.skip }, () => {
    let database: TestDatabase;

    before(async () => {
      database = await driver.open();
    });
    after(async () => {
      await database?.dispose();
    });

    const scopeSeen = (scope: string) =>
      withTenantScope(database.handle.db, scope, async (trx) => {
        const { rows } = await sql<{
          scope: string;
        }>`select current_setting('veil.tenant_id') as scope`.execute(trx);
        return rows[0]!.scope;
      });

    test('the work sees its scope, quotes and backslashes included, and only inside', async () => {
      assert.equal(await scopeSeen('tenant-a'), 'tenant-a');
      assert.equal(await scopeSeen(`o'brien\\x`), `o'brien\\x`);
      const { rows } = await sql<{
        scope: string | null;
      }>`select current_setting('veil.tenant_id', true) as scope`.execute(database.handle.db);
      assert.ok(rows[0]!.scope === null || rows[0]!.scope === '', 'no scope outside the transaction');
    });

    test('a throw rolls the work back and is thrown on; the next transaction starts clean', async () => {
      await assert.rejects(
        withTenantScope(database.handle.db, 'scope-rollback', async (trx) => {
          await ensureTenant(trx, 'scope-rollback');
          throw new Error('stop');
        }),
        /stop/,
      );
      const found = await database.handle.db
        .selectFrom('tenants')
        .select('id')
        .where('id', '=', 'scope-rollback')
        .execute();
      assert.deepEqual(found, []);
      // The same read sees a tenant whose transaction committed: the empty answer above is the rollback.
      await withTenantScope(database.handle.db, 'scope-kept', (trx) => ensureTenant(trx, 'scope-kept'));
      const kept = await database.handle.db
        .selectFrom('tenants')
        .select('id')
        .where('id', '=', 'scope-kept')
        .execute();
      assert.deepEqual(kept, [{ id: 'scope-kept' }]);
      assert.equal(await scopeSeen('tenant-b'), 'tenant-b');
    });
  });
}
