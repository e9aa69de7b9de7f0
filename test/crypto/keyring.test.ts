import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { envelopeKeyVersion } from '../../src/crypto/envelope.js';
import { createEnvironmentKeyProvider } from '../../src/crypto/key-providers/environment.js';
import { createLocalFileKeyProvider } from '../../src/crypto/key-providers/local-file.js';
import { JsonFileKeyringStore } from '../../src/crypto/keyring-json-file-store.js';
import { MemoryKeyringStore } from '../../src/crypto/keyring-store.js';
import type { KeyringStore, WrappedKeyRecord } from '../../src/crypto/keyring-store.js';
import { Keyring } from '../../src/crypto/keyring.js';
import { isVeilError } from '../../src/errors/veil-error.js';

const dir = await mkdtemp(join(tmpdir(), 'veil-keyring-'));
after(() => rm(dir, { recursive: true, force: true }));

let n = 0;
const STORES: ReadonlyArray<{ name: string; make: () => KeyringStore }> = [
  { name: 'memory', make: () => new MemoryKeyringStore() },
  { name: 'json-file', make: () => new JsonFileKeyringStore(join(dir, `store-${(n += 1)}`, 'keyring.json')) },
];

const isCode = (code: string) => (e: unknown) => isVeilError(e) && e.code === code;
const doc = { tenantId: 'tenant-a', objectId: 'doc-1', artifactClass: 'source-document' };
const secret = Buffer.from('SSN 078-05-1120 belongs to canary Jane Roe');

function makeKeyring(store: KeyringStore, cacheTtlMs = 0): Keyring {
  return new Keyring({
    provider: createLocalFileKeyProvider({ path: join(dir, 'kek.key') }),
    store,
    cacheTtlMs,
  });
}

for (const { name, make } of STORES) {
  describe(`keyring on the ${name} store`, () => {
    test('creates version 1 on first use and round-trips an object', async () => {
      const store = make();
      const keyring = makeKeyring(store);
      const sealed = await keyring.encrypt(doc, secret);
      assert.equal(envelopeKeyVersion(sealed), 1);
      assert.equal(sealed.includes(secret), false);
      assert.deepEqual(await keyring.decrypt(doc, sealed), secret);
      const [record] = await store.list('tenant-a');
      assert.equal(record?.version, 1);
      assert.equal(record?.kekId, 'local-file');
      // The store holds only wrapped material.
      const { key } = await keyring.currentKey('tenant-a');
      assert.equal(Buffer.from(record?.wrappedKey ?? '', 'base64').includes(Buffer.from(key)), false);
    });

    test('rotation adds a version; old versions decrypt until retired', async () => {
      const keyring = makeKeyring(make());
      const v1 = await keyring.encrypt(doc, secret);
      assert.equal(await keyring.rotate('tenant-a'), 2);
      const v2 = await keyring.encrypt(doc, secret);
      assert.equal(envelopeKeyVersion(v2), 2);
      assert.deepEqual(await keyring.decrypt(doc, v1), secret);
      await assert.rejects(keyring.retire('tenant-a', 2), isCode('VEIL_INVALID_OPTION'));
      await keyring.retire('tenant-a', 1);
      await assert.rejects(keyring.decrypt(doc, v1), isCode('VEIL_KEY_RETIRED'));
      assert.deepEqual(await keyring.decrypt(doc, v2), secret);
      assert.deepEqual(
        (await keyring.versions('tenant-a')).map((v) => [v.version, v.status]),
        [
          [1, 'retired'],
          [2, 'active'],
        ],
      );
      await assert.rejects(
        keyring.decrypt(doc, Buffer.concat([v2.subarray(0, 3), Buffer.from([0, 0, 0, 9]), v2.subarray(7)])),
        isCode('VEIL_KEY_NOT_FOUND'),
      );
    });

    test('a ciphertext moved to another object, tenant or class does not decrypt', async () => {
      const keyring = makeKeyring(make());
      const sealed = await keyring.encrypt(doc, secret);
      await keyring.currentKey('tenant-b');
      for (const moved of [
        { ...doc, objectId: 'doc-2' },
        { ...doc, artifactClass: 'extracted-fields' },
        { ...doc, tenantId: 'tenant-b' },
      ]) {
        await assert.rejects(
          keyring.decrypt(moved, sealed),
          (e: unknown) => isCode('VEIL_DECRYPTION_FAILED')(e) && (e as Error).message === 'decryption failed',
        );
      }
    });

    test('destroyTenant crypto-shreds: the ciphertext is still there and no longer decrypts', async () => {
      const store = make();
      const keyring = makeKeyring(store, 60_000);
      const sealed = await keyring.encrypt(doc, secret);
      const forSubject = await keyring.encryptForSubject(
        'subj-1',
        { ...doc, objectId: 'tok-1', artifactClass: 'vault-entry' },
        secret,
      );
      await keyring.rotate('tenant-a');
      const other = await keyring.encrypt({ ...doc, tenantId: 'tenant-b' }, secret);
      assert.equal(await keyring.destroyTenant('tenant-a'), 3);
      assert.deepEqual(await store.list('tenant-a'), []);
      assert.ok(sealed.length > secret.length, 'the ciphertext itself is untouched');
      await assert.rejects(keyring.decrypt(doc, sealed), isCode('VEIL_KEY_NOT_FOUND'));
      await assert.rejects(
        keyring.decryptForSubject(
          'subj-1',
          { ...doc, objectId: 'tok-1', artifactClass: 'vault-entry' },
          forSubject,
        ),
        isCode('VEIL_KEY_NOT_FOUND'),
      );
      // A tenant created again under the same id gets fresh keys, which cannot open the old data.
      await keyring.currentKey('tenant-a');
      await assert.rejects(keyring.decrypt(doc, sealed), isCode('VEIL_DECRYPTION_FAILED'));
      assert.deepEqual(
        await keyring.decrypt({ ...doc, tenantId: 'tenant-b' }, other),
        secret,
        'other tenants are untouched',
      );
    });

    test('subject keys are separate, stable, and destroyed one by one', async () => {
      const keyring = makeKeyring(make());
      const entry = (id: string) => ({
        tenantId: 'tenant-a',
        objectId: `tok-${id}`,
        artifactClass: 'vault-entry',
      });
      const a = await keyring.encryptForSubject('subj-a', entry('a'), Buffer.from('alice'));
      const b = await keyring.encryptForSubject('subj-b', entry('b'), Buffer.from('bob'));
      assert.notDeepEqual(
        (await keyring.subjectKey('tenant-a', 'subj-a')).key,
        (await keyring.subjectKey('tenant-a', 'subj-b')).key,
      );
      assert.deepEqual(
        (await keyring.subjectKey('tenant-a', 'subj-a')).key,
        (await keyring.subjectKey('tenant-a', 'subj-a')).key,
      );
      await assert.rejects(
        keyring.decryptForSubject('subj-b', entry('a'), a),
        isCode('VEIL_DECRYPTION_FAILED'),
      );
      await keyring.destroySubject('tenant-a', 'subj-a');
      await assert.rejects(keyring.decryptForSubject('subj-a', entry('a'), a), isCode('VEIL_KEY_NOT_FOUND'));
      assert.equal((await keyring.decryptForSubject('subj-b', entry('b'), b)).toString(), 'bob');
    });
  });
}

test('rotation re-wraps every live key under a new KEK provider; the old provider is then not needed', async () => {
  const store = new MemoryKeyringStore();
  const oldKek = createEnvironmentKeyProvider({
    variable: 'OLD_KEK',
    env: { OLD_KEK: randomBytes(32).toString('base64') },
  });
  const newKek = createEnvironmentKeyProvider({
    variable: 'NEW_KEK',
    env: { NEW_KEK: randomBytes(32).toString('base64') },
  });
  const before = new Keyring({ provider: oldKek, store, cacheTtlMs: 0 });
  const sealed = await before.encrypt(doc, secret);
  const forSubject = await before.encryptForSubject('subj-1', { ...doc, objectId: 't' }, secret);
  const migrating = new Keyring({ provider: newKek, previousProviders: [oldKek], store, cacheTtlMs: 0 });
  await migrating.rotate('tenant-a');
  assert.deepEqual(
    (await store.list('tenant-a')).map((r: WrappedKeyRecord) => r.kekId),
    ['env:NEW_KEK', 'env:NEW_KEK', 'env:NEW_KEK'],
  );
  const after = new Keyring({ provider: newKek, store, cacheTtlMs: 0 });
  assert.deepEqual(await after.decrypt(doc, sealed), secret);
  assert.deepEqual(await after.decryptForSubject('subj-1', { ...doc, objectId: 't' }, forSubject), secret);
});

test('a record wrapped by an unconfigured provider names the provider id', async () => {
  const store = new MemoryKeyringStore();
  const a = createEnvironmentKeyProvider({
    variable: 'A_KEK',
    env: { A_KEK: randomBytes(32).toString('base64') },
  });
  const b = createEnvironmentKeyProvider({
    variable: 'B_KEK',
    env: { B_KEK: randomBytes(32).toString('base64') },
  });
  const sealed = await new Keyring({ provider: a, store }).encrypt(doc, secret);
  await assert.rejects(
    new Keyring({ provider: b, store }).decrypt(doc, sealed),
    (e: unknown) => isCode('VEIL_KEY_PROVIDER')(e) && (e as Error).message.includes('env:A_KEK'),
  );
});

test('concurrent first use creates exactly one version, and every caller gets its key', async () => {
  for (const store of [
    new MemoryKeyringStore(),
    new JsonFileKeyringStore(join(dir, 'race', 'keyring.json')),
  ]) {
    const keyring = makeKeyring(store);
    const keys = await Promise.all(Array.from({ length: 8 }, () => keyring.currentKey('tenant-c')));
    assert.equal(new Set(keys.map((k) => Buffer.from(k.key).toString('hex'))).size, 1);
    assert.deepEqual(
      (await store.list('tenant-c')).map((r) => r.version),
      [1],
    );
    const subjects = await Promise.all(
      Array.from({ length: 8 }, () => keyring.subjectKey('tenant-c', 'subj-race')),
    );
    assert.equal(new Set(subjects.map((k) => Buffer.from(k.key).toString('hex'))).size, 1);
  }
});

test('first use settles on the stored version when another writer lands between look and create', async () => {
  // The interleaving that raced on PostgreSQL: both callers see no key, the first stores
  // version 1, and the second lists after that store. It must take version 1, not add version 2.
  const inner = new MemoryKeyringStore();
  let lists = 0;
  const store: KeyringStore = {
    get: (ref) => inner.get(ref),
    put: (record, options) => inner.put(record, options),
    delete: (ref) => inner.delete(ref),
    list: async (tenantId, subjectId) => {
      lists += 1;
      if (lists === 4) await new Promise((resolve) => setTimeout(resolve, 20));
      return inner.list(tenantId, subjectId);
    },
  };
  const keyring = makeKeyring(store);
  const keys = await Promise.all([keyring.currentKey('tenant-d'), keyring.currentKey('tenant-d')]);
  assert.deepEqual(
    keys.map((k) => k.version),
    [1, 1],
  );
  assert.deepEqual(
    (await inner.list('tenant-d')).map((r) => r.version),
    [1],
  );
});

test('the JSON keyring file is written atomically with mode 0600 and reloads in a new process', async () => {
  const path = join(dir, 'persist', 'keyring.json');
  const first = makeKeyring(new JsonFileKeyringStore(path));
  const sealed = await first.encrypt(doc, secret);
  await first.rotate('tenant-a');
  assert.equal((await stat(path)).mode & 0o777, 0o600);
  const text = await readFile(path, 'utf8');
  assert.match(text, /"format": "veil-keyring"/);
  assert.equal(text.includes(secret.toString()), false);
  const reopened = makeKeyring(new JsonFileKeyringStore(path));
  assert.deepEqual(await reopened.decrypt(doc, sealed), secret);
  assert.deepEqual(
    (await reopened.versions('tenant-a')).map((v) => v.version),
    [1, 2],
  );
});

test('a corrupt keyring file is a clear error, not an empty keyring', async () => {
  const path = join(dir, 'corrupt.json');
  const { writeFile } = await import('node:fs/promises');
  await writeFile(path, '{"format":"something-else"}', { mode: 0o600 });
  await assert.rejects(
    makeKeyring(new JsonFileKeyringStore(path)).currentKey('tenant-a'),
    (e: unknown) =>
      isCode('VEIL_KEY_PROVIDER')(e) && /is not a version 1 Veil keyring/.test((e as Error).message),
  );
});

test('ids with spaces or control characters are refused', async () => {
  const keyring = makeKeyring(new MemoryKeyringStore());
  await assert.rejects(keyring.currentKey('tenant a'), isCode('VEIL_INVALID_INPUT'));
  await assert.rejects(keyring.subjectKey('tenant-a', ''), isCode('VEIL_INVALID_INPUT'));
});
