/**
 * Group commit of the audit log: events appended together are written in one store write, in the
 * order appended, with the heads a one-by-one log would have signed, and the export verifies.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { AuditEventInput } from '../../src/audit/event.js';
import { exportAuditLog } from '../../src/audit/export.js';
import { AuditLog, MemoryAuditStore } from '../../src/audit/log.js';
import type { AuditStore } from '../../src/audit/log.js';
import { createAuditSigner, exportAuditPublicKey, generateAuditKeyPair } from '../../src/audit/tree-head.js';
import { verifyExport } from '../../src/audit/verify.js';
import { DatabaseAuditStore } from '../../src/store/audit-store.js';
import { DRIVERS } from '../store/drivers.js';
import type { TestDatabase } from '../store/drivers.js';

const keyPair = generateAuditKeyPair();
const signer = createAuditSigner(keyPair);
const publicJwk = exportAuditPublicKey(keyPair).jwk;

function event(i: number): AuditEventInput {
  return {
    time: new Date(Date.UTC(2026, 11, 6, 7, 0, 0, i)).toISOString(),
    actor: { id: 'veil-worker', role: 'system' },
    tenant: 'acme',
    action: 'job.step',
    objects: [{ kind: 'job', id: `job_${i}` }],
    step: 'detect',
    outcome: 'succeeded',
  };
}

/** The store, counting the writes the log makes to it. */
function counted(store: AuditStore): { store: AuditStore; writes: () => number } {
  let writes = 0;
  const wrapped: AuditStore = {
    append: (entry) => (writes++, store.append(entry)),
    appendMany: (entries) => (writes++, store.appendMany!(entries)),
    entries: (from, to) => store.entries(from, to),
    saveTreeHead: (head) => store.saveTreeHead(head),
    latestTreeHead: () => store.latestTreeHead(),
    treeHeads: () => store.treeHeads(),
    size: () => store.size(),
    leafHashes: (from, to) => store.leafHashes(from, to),
  };
  return { store: wrapped, writes: () => writes };
}

async function checkBatching(inner: AuditStore): Promise<void> {
  const { store, writes } = counted(inner);
  const log = new AuditLog({ store, signer, signEvery: 64, clock: () => 1_765_000_000_000 });
  // A burst, as a fused job's steps or many requests at once make: appended in one tick.
  const burst = await Promise.all(Array.from({ length: 150 }, (_, i) => log.append(event(i))));
  assert.deepEqual(
    burst.map((r) => r.index),
    Array.from({ length: 150 }, (_, i) => i),
    'indices follow the order of the appends',
  );
  assert.equal(writes(), 1, 'one store write for the burst');
  // One at a time still works and follows on.
  for (let i = 150; i < 200; i += 1) assert.equal((await log.append(event(i))).index, i);
  assert.equal(writes(), 51);
  assert.equal(await store.size(), 200);
  // The heads a one-by-one log signs: at 64, 128 and 192 entries.
  assert.deepEqual(
    (await store.treeHeads()).map((h) => h.tree_size),
    [64, 128, 192],
  );
  await log.treeHead();
  const exported = await exportAuditLog(store, signer);
  const verified = verifyExport(exported, publicJwk);
  assert.ok(verified.ok);
  assert.equal(verified.entries, 200);
  assert.equal(verified.treeHeads, 4);
  const objects = (await log.entries(0, 200)).map((e) => e.event.objects?.[0]?.id);
  assert.deepEqual(
    objects,
    Array.from({ length: 200 }, (_, i) => `job_${i}`),
    'every event is there, in order',
  );
}

test('a burst of appends is one store write; indices, heads and the export are as one by one (memory)', async () => {
  await checkBatching(new MemoryAuditStore());
});

test('a failed batch write rejects every event in it, and the log goes on', async () => {
  const memory = new MemoryAuditStore();
  let fail = true;
  const store: AuditStore = {
    ...counted(memory).store,
    appendMany: async (entries) => {
      if (fail) throw new Error('database unavailable');
      return memory.appendMany(entries);
    },
  };
  const log = new AuditLog({ store, signer });
  const outcomes = await Promise.allSettled([log.append(event(0)), log.append(event(1))]);
  assert.deepEqual(
    outcomes.map((o) => o.status),
    ['rejected', 'rejected'],
  );
  fail = false;
  assert.equal((await log.append(event(2))).index, 0);
  assert.equal(await memory.size(), 1);
});

test('heads after the append: an append resolves before its head is kept, and the heads land as one by one', async () => {
  const memory = new MemoryAuditStore();
  let releaseHead: () => void = () => undefined;
  let headStarted: () => void = () => undefined;
  const firstHeadStarted = new Promise<void>((resolve) => (headStarted = resolve));
  let heads = 0;
  const store: AuditStore = {
    ...counted(memory).store,
    saveTreeHead: async (head) => {
      heads += 1;
      // The first head waits until the test lets it through.
      if (heads === 1) {
        headStarted();
        await new Promise<void>((resolve) => (releaseHead = resolve));
      }
      await memory.saveTreeHead(head);
    },
  };
  const log = new AuditLog({ store, signer, signEvery: 64, heads: 'after-append' });
  const first = await Promise.all(Array.from({ length: 64 }, (_, i) => log.append(event(i))));
  assert.equal(first.at(-1)!.index, 63);
  await firstHeadStarted;
  assert.deepEqual(await memory.treeHeads(), [], 'the appends resolved while the head was held');
  // A later append of the log is written after the head: heads stay in order.
  const later = log.append(event(64));
  releaseHead();
  assert.equal((await later).index, 64);
  for (let i = 65; i < 200; i += 1) await log.append(event(i));
  await log.settled();
  assert.deepEqual(
    (await memory.treeHeads()).map((h) => h.tree_size),
    [64, 128, 192],
  );
  await log.treeHead();
  const verified = verifyExport(await exportAuditLog(memory, signer), publicJwk);
  assert.ok(verified.ok);
  assert.equal(verified.entries, 200);
});

test('heads after the append: a head that fails goes to onHeadError, the appends succeed, and the log goes on', async () => {
  const memory = new MemoryAuditStore();
  let fail = true;
  const errors: string[] = [];
  const store: AuditStore = {
    ...counted(memory).store,
    saveTreeHead: async (head) => {
      if (fail) throw new Error('database unavailable');
      await memory.saveTreeHead(head);
    },
  };
  const log = new AuditLog({
    store,
    signer,
    signEvery: 2,
    heads: 'after-append',
    onHeadError: (error) => errors.push(error.code),
  });
  const stored = await Promise.all([log.append(event(0)), log.append(event(1))]);
  assert.deepEqual(
    stored.map((r) => r.index),
    [0, 1],
  );
  await log.settled();
  assert.deepEqual(errors, ['VEIL_AUDIT_WRITE_FAILED']);
  fail = false;
  await log.append(event(2));
  await log.append(event(3));
  await log.settled();
  assert.deepEqual(
    (await memory.treeHeads()).map((h) => h.tree_size),
    [4],
  );
  assert.deepEqual(errors, ['VEIL_AUDIT_WRITE_FAILED']);
});

for (const driver of DRIVERS)
  describe(`audit group commit on ${driver.name}`, { skip: driver.skip }, () => {
    let database: TestDatabase | undefined;
    after(async () => {
      await database?.dispose();
    });
    test('a burst is one transaction; the log and its export verify', async () => {
      database = await driver.open();
      await checkBatching(new DatabaseAuditStore(database.handle.db, 'acme'));
    });
  });
