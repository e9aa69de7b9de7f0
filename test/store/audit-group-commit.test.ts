/**
 * Group commit across logs: the appends of many tenants' logs on one database share statements,
 * each log's indices stay consecutive and in the order appended, every log verifies, and a batch
 * whose statement fails rejects every caller in it with `VEIL_AUDIT_WRITE_FAILED` and writes none
 * of its events.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { sql } from 'kysely';
import type { AuditEventInput } from '../../src/audit/event.js';
import { exportAuditLog } from '../../src/audit/export.js';
import { AuditLog } from '../../src/audit/log.js';
import { createAuditSigner, exportAuditPublicKey, generateAuditKeyPair } from '../../src/audit/tree-head.js';
import { verifyExport } from '../../src/audit/verify.js';
import { auditGroupCommit } from '../../src/store/audit-group-commit.js';
import { DatabaseAuditStore } from '../../src/store/audit-store.js';
import { DRIVERS } from './drivers.js';
import type { TestDatabase } from './drivers.js';

const keyPair = generateAuditKeyPair();
const signer = createAuditSigner(keyPair);
const publicJwk = exportAuditPublicKey(keyPair).jwk;

function analyzed(tenant: string, request: number): AuditEventInput {
  return {
    time: new Date(Date.UTC(2026, 11, 6, 18, 0, 0, request)).toISOString(),
    actor: { id: 'user-processor', role: 'user' },
    tenant,
    action: 'text.analyzed',
    objects: [{ kind: 'request', id: `req-${request}` }],
    counts: { email_address: request % 5 },
  };
}

for (const driver of DRIVERS)
  describe(`audit group commit across logs on ${driver.name}`, { skip: driver.skip }, () => {
    let database: TestDatabase | undefined;
    after(async () => {
      await database?.dispose();
    });

    test('concurrent appends to 16 logs: consecutive indices in order, few statements, every log verifies', async () => {
      database = await driver.open();
      const { db } = database.handle;
      const tenants = Array.from({ length: 16 }, (_, i) => `tenant-${String(i).padStart(2, '0')}`);
      const logs = new Map(
        tenants.map((t) => [t, new AuditLog({ store: new DatabaseAuditStore(db, t), signer, signEvery: 8 })]),
      );
      const writer = auditGroupCommit(db);
      const before = { ...writer.stats };
      // 320 requests over 16 tenants, as a loaded server sees them: each appends when it finishes.
      const results = await Promise.all(
        Array.from({ length: 320 }, (_, request) => {
          const tenant = tenants[request % 16]!;
          return logs.get(tenant)!.append(analyzed(tenant, request));
        }),
      );
      // Request r is the (r div 16)-th event of its tenant.
      assert.deepEqual(
        results.map((r) => r.index),
        Array.from({ length: 320 }, (_, request) => Math.floor(request / 16)),
      );
      assert.equal(writer.stats.entries - before.entries, 320);
      assert.ok(
        writer.stats.transactions - before.transactions <= 4,
        `320 appends in one tick took ${writer.stats.transactions - before.transactions} statements`,
      );
      for (const tenant of tenants) {
        const log = logs.get(tenant)!;
        assert.equal(await log.size(), 20);
        assert.deepEqual(
          (await log.entries(0, 20)).map((e) => e.event.objects?.[0]?.id),
          Array.from({ length: 20 }, (_, k) => `req-${k * 16 + tenants.indexOf(tenant)}`),
        );
        // Heads at 8 and 16, as if the events had come one by one; then one over all 20.
        assert.deepEqual(
          (await log.store.treeHeads()).map((h) => h.tree_size),
          [8, 16],
        );
        await log.treeHead();
        const verified = verifyExport(await exportAuditLog(log.store, signer), publicJwk);
        assert.ok(verified.ok, `${tenant}: ${JSON.stringify(verified)}`);
        assert.equal(verified.entries, 20);
      }
    });

    test('two stores of one log (two callers) in one batch get consecutive indices, in the order called', async () => {
      const { db } = database!.handle;
      const [a, b] = [new DatabaseAuditStore(db, 'tenant-twin'), new DatabaseAuditStore(db, 'tenant-twin')];
      const entry = (n: number) => ({ event: `{"n":${n}}`, leafHash: new Uint8Array(32).fill(n) });
      const writer = auditGroupCommit(db);
      const before = writer.stats.transactions;
      assert.deepEqual(
        await Promise.all([a.appendMany([entry(1), entry(2)]), b.append(entry(3)), a.append(entry(4))]),
        [0, 2, 3],
      );
      assert.equal(writer.stats.transactions - before, 1);
      assert.deepEqual(
        (await b.entries(0, 4)).map((e) => [e.index, e.event, e.leafHash[0]]),
        [
          [0, '{"n":1}', 1],
          [1, '{"n":2}', 2],
          [2, '{"n":3}', 3],
          [3, '{"n":4}', 4],
        ],
      );
    });

    test('a failed batch rejects every caller of every log in it with VEIL_AUDIT_WRITE_FAILED, and writes nothing', async () => {
      const { db } = database!.handle;
      const healthy = new AuditLog({ store: new DatabaseAuditStore(db, 'tenant-00'), signer, signEvery: 8 });
      const other = new AuditLog({ store: new DatabaseAuditStore(db, 'tenant-01'), signer, signEvery: 8 });
      const poisoned = new AuditLog({ store: new DatabaseAuditStore(db, 'tenant-poison'), signer });
      // A real database failure: a trigger refuses the rows of one log, so the batch's one
      // statement fails, and with it the rows of the other logs in the same batch.
      await sql`create function refuse_poison() returns trigger language plpgsql as $$
        begin raise exception 'refused' using errcode = 'check_violation'; end $$`.execute(db);
      await sql`create trigger refuse_poison before insert on audit_entries
        for each row when (new.log_id = 'tenant-poison') execute function refuse_poison()`.execute(db);
      const outcomes = await Promise.allSettled([
        healthy.append(analyzed('tenant-00', 1000)),
        poisoned.append(analyzed('tenant-poison', 1001)),
        other.append(analyzed('tenant-01', 1002)),
        healthy.append(analyzed('tenant-00', 1003)),
      ]);
      assert.deepEqual(
        outcomes.map((o) => (o.status === 'rejected' ? (o.reason as { code?: unknown }).code : o.status)),
        [
          'VEIL_AUDIT_WRITE_FAILED',
          'VEIL_AUDIT_WRITE_FAILED',
          'VEIL_AUDIT_WRITE_FAILED',
          'VEIL_AUDIT_WRITE_FAILED',
        ],
      );
      for (const o of outcomes)
        if (o.status === 'rejected')
          assert.doesNotMatch(String((o.reason as Error).message), /req-|tenant-|email/);
      assert.equal(await healthy.size(), 20, 'none of the batch was written');
      assert.equal(await other.size(), 20);
      assert.equal(await poisoned.size(), 0);
      await sql`drop trigger refuse_poison on audit_entries`.execute(db);
      await sql`drop function refuse_poison()`.execute(db);
      // The logs go on from where they were, and still verify.
      assert.equal((await healthy.append(analyzed('tenant-00', 1004))).index, 20);
      assert.equal((await poisoned.append(analyzed('tenant-poison', 1005))).index, 0);
      await healthy.treeHead();
      const verified = verifyExport(await exportAuditLog(healthy.store, signer), publicJwk);
      assert.ok(verified.ok);
      assert.equal(verified.entries, 21);
    });
  });
