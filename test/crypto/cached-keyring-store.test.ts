// The keyring store that keeps each tenant's key records for a while: reads within the TTL cost
// the store nothing, a write through it is seen at once, another writer's within the TTL, and
// subject keys (crypto-shredding) are never kept.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CachedKeyringStore } from '../../src/crypto/cached-keyring-store.js';
import { Keyring } from '../../src/crypto/keyring.js';
import { MemoryKeyringStore } from '../../src/crypto/keyring-store.js';
import type { KeyRef, KeyringStore, WrappedKeyRecord } from '../../src/crypto/keyring-store.js';
import { createLocalFileKeyProvider } from '../../src/crypto/key-providers/local-file.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A store that counts the reads that reach it. */
class CountingStore implements KeyringStore {
  reads = 0;
  constructor(readonly inner: KeyringStore) {}
  get(ref: KeyRef) {
    this.reads += 1;
    return this.inner.get(ref);
  }
  list(tenantId: string, subjectId?: string | null) {
    this.reads += 1;
    return this.inner.list(tenantId, subjectId);
  }
  put(record: WrappedKeyRecord, options?: { readonly onlyIfAbsent?: boolean }) {
    return this.inner.put(record, options);
  }
  delete(ref: KeyRef) {
    return this.inner.delete(ref);
  }
}

test('tenant key records are read once per TTL; writes through it, other writers and subject keys are seen', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'veil-cached-keyring-'));
  try {
    const provider = createLocalFileKeyProvider({ path: join(dir, 'kek.key') });
    const shared = new MemoryKeyringStore();
    const counting = new CountingStore(shared);
    let now = 1_000;
    const cached = new CachedKeyringStore(counting, { ttlMs: 5_000, now: () => now });
    const keyring = new Keyring({ provider, store: cached });
    // Another process: its own keyring on the same records, no cache.
    const other = new Keyring({ provider, store: shared, cacheTtlMs: 0 });

    const first = await keyring.currentKey('acme');
    assert.equal(first.version, 1);
    // Its creation (a write) dropped the kept list: one read keeps it again.
    counting.reads = 0;
    await keyring.currentKey('acme');
    assert.equal(counting.reads, 1);
    for (let i = 0; i < 10; i += 1) {
      assert.equal((await keyring.currentKey('acme')).version, 1);
      assert.equal((await keyring.keyForVersion('acme', 1)).version, 1);
    }
    assert.equal(counting.reads, 1, 'within the TTL the store is not asked again');

    // A rotation through this store is seen at once.
    assert.equal(await keyring.rotate('acme'), 2);
    assert.equal((await keyring.currentKey('acme')).version, 2);

    // Another process's rotation: seen once the TTL has passed, not before.
    assert.equal(await other.rotate('acme'), 3);
    assert.equal((await keyring.currentKey('acme')).version, 2);
    // A version the kept list does not know is asked of the store.
    assert.equal((await keyring.keyForVersion('acme', 3)).version, 3);
    now += 5_001;
    assert.equal((await keyring.currentKey('acme')).version, 3);

    // Subject keys are read through every time: destroying one elsewhere takes effect at once.
    const binding = { tenantId: 'acme', objectId: 'o1', artifactClass: 'vault' };
    const sealed = await keyring.encryptForSubject('subject-1', binding, Buffer.from('x'));
    await other.destroySubject('acme', 'subject-1');
    await assert.rejects(keyring.decryptForSubject('subject-1', binding, sealed));

    // ttlMs 0 keeps nothing.
    const through = new CachedKeyringStore(counting, { ttlMs: 0 });
    counting.reads = 0;
    await through.list('acme', null);
    await through.list('acme', null);
    assert.equal(counting.reads, 2);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
