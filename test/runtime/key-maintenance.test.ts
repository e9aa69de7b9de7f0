// Scheduled rotation and background re-wrapping over a real database (PGlite) and a real KEK peer:
// a loopback Vault Transit whose key is rotated and whose old key version is then retired.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { Keyring } from '../../src/crypto/keyring.js';
import { parsePolicy } from '../../src/policy/index.js';
import { openAuditLogs } from '../../src/runtime/audit.js';
import { loadConfig } from '../../src/runtime/config.js';
import { keyProviderFromConfig } from '../../src/runtime/key-provider.js';
import { durationMs, maintainKeys } from '../../src/runtime/key-maintenance.js';
import { openDatabase } from '../../src/store/database.js';
import type { DatabaseHandle } from '../../src/store/database.js';
import { indexSubjects, jobsByIdentifiers } from '../../src/privacy/dsr/subject-index.js';
import { ensureTenant, withTenantScope } from '../../src/store/index.js';
import { DatabaseKeyringStore } from '../../src/store/keyring-store.js';
import { insertSucceededJob } from '../store/job-rows.js';
import { startVaultTransit } from '../crypto/loopback-kek-servers.js';
import type { VaultTransitServer } from '../crypto/loopback-kek-servers.js';
import { tempDir } from '../temp-dir.js';

const dataDir = tempDir('veil-key-upkeep-');
let handle: DatabaseHandle;
let vault: VaultTransitServer;
before(async () => {
  handle = await openDatabase({ driver: 'pglite', dataDir: 'memory://' });
  vault = await startVaultTransit({ token: 's.upkeep', mount: 'transit', keyName: 'veil' });
});
after(async () => {
  await handle.close();
  await vault.close();
});

test('policy durations', () => {
  assert.equal(durationMs('90d'), 90 * 86_400_000);
  assert.equal(durationMs('12h'), 12 * 3_600_000);
  assert.equal(durationMs('30m'), 1_800_000);
  assert.throws(
    () =>
      parsePolicy('version: 1\noperators: { default: { operator: redact } }\nkeys: { rotate_every: 3w }\n'),
    { code: 'VEIL_POLICY_INVALID' },
  );
});

test(
  'VEIL_KEK=vault-transit: scheduled rotation by policy, re-wrapping so an old Vault key version can be retired',
  { timeout: 60_000 },
  async () => {
    const { config } = loadConfig({
      VEIL_DATA_DIR: dataDir,
      VEIL_KEK: 'vault-transit',
      VEIL_VAULT_ADDR: vault.url,
      VEIL_VAULT_TOKEN: 's.upkeep',
      VEIL_VAULT_KEY: 'veil',
    });
    // cacheTtlMs 0: every unwrap goes to Vault, so a key Vault no longer opens is seen at once.
    const keyring = new Keyring({
      provider: await keyProviderFromConfig(config),
      store: new DatabaseKeyringStore(handle.db),
      cacheTtlMs: 0,
    });
    const logs = await openAuditLogs({ db: handle.db, dataDir });
    await ensureTenant(handle.db, 'acme');
    await ensureTenant(handle.db, 'globex');
    const binding = { tenantId: 'acme', objectId: 'doc-1', artifactClass: 'source-document' };
    const sealed = await keyring.encrypt(binding, Buffer.from('canary 078-05-1120'));
    const sealedGlobex = await keyring.encrypt(
      { ...binding, tenantId: 'globex' },
      Buffer.from('globex canary'),
    );
    const policies = {
      acme: parsePolicy(
        'version: 1\noperators: { default: { operator: redact } }\nkeys: { rotate_every: 30d }\n',
      ),
      globex: parsePolicy('version: 1\noperators: { default: { operator: redact } }\n'),
    };
    const policyFor = (tenantId: string) => policies[tenantId as keyof typeof policies];
    const created = Date.parse((await keyring.versions('acme'))[0]!.createdAt);

    // Not due yet: nothing rotates, and every live key is re-wrapped under Vault's current version.
    const early = await maintainKeys({
      db: handle.db,
      keyring,
      logs,
      policyFor,
      now: () => new Date(created + durationMs('29d')),
    });
    assert.deepEqual(early, { rotated: [], rewrapped: 2 });

    // A job whose detected e-mail address is in the subject index, keyed under version 1.
    await insertSucceededJob(handle.db, 'acme', 'job-indexed');
    assert.equal(
      await indexSubjects({ db: handle.db, keyring }, 'acme', 'job-indexed', [
        { type: 'EMAIL_ADDRESS', value: 'upkeep-canary@example.org' },
      ]),
      1,
    );
    const indexed = () =>
      withTenantScope(handle.db, 'acme', (trx) =>
        sql<{ hmac: string }>`select unnest(hmacs) as hmac from subject_index_lists`.execute(trx),
      ).then((r) => r.rows);
    assert.match((await indexed())[0]!.hmac, /^v1:/);

    // Vault's key is rotated; the next pass re-wraps under v2, so v1 can be retired in Vault.
    vault.rotateKey();
    const due = await maintainKeys({
      db: handle.db,
      keyring,
      logs,
      policyFor,
      now: () => new Date(created + durationMs('31d')),
    });
    assert.deepEqual(due, { rotated: [{ tenantId: 'acme', version: 2 }], rewrapped: 2 });
    vault.retireBelow(2);
    assert.equal((await keyring.decrypt(binding, sealed)).toString(), 'canary 078-05-1120');
    assert.equal(
      (await keyring.decrypt({ ...binding, tenantId: 'globex' }, sealedGlobex)).toString(),
      'globex canary',
    );
    assert.equal((await keyring.currentKey('acme')).version, 2);
    // The scheduled rotation re-keyed the subject index to version 2: the job is still found by its address.
    assert.match((await indexed())[0]!.hmac, /^v2:/);
    assert.deepEqual(
      await jobsByIdentifiers({ db: handle.db, keyring }, 'acme', [
        { type: 'EMAIL_ADDRESS', value: 'upkeep-canary@example.org' },
      ]),
      ['job-indexed'],
    );
    assert.equal(
      (await keyring.currentKey('globex')).version,
      1,
      'a tenant without rotate_every is not rotated',
    );

    // The rotation is in acme's audit log, as the scheduler's; nothing in it is key material.
    const log = logs.forTenant('acme');
    const events = (await log.entries(0, await log.size())).map((entry) => entry.event);
    assert.deepEqual(
      events.map((e) => ({ action: e.action, actor: e.actor, trigger: e.trigger, key: e.key })),
      [
        {
          action: 'key.rotated',
          actor: { id: 'veil-scheduler', role: 'system' },
          trigger: 'schedule',
          key: { id: 'tenant-data-key', version: 2 },
        },
      ],
    );
    // Every wrapped key in the database is Vault v2 ciphertext now.
    const rows = await handle.db
      .selectFrom('keyring_records')
      .select(['tenant_id', 'version', 'wrapped_key'])
      .orderBy('tenant_id')
      .orderBy('version')
      .execute();
    assert.deepEqual(
      rows.map((row) => [
        row.tenant_id,
        row.version,
        Buffer.from(row.wrapped_key ?? '', 'base64')
          .toString('latin1')
          .slice(0, 9),
      ]),
      [
        ['acme', 1, 'vault:v2:'],
        ['acme', 2, 'vault:v2:'],
        ['globex', 1, 'vault:v2:'],
      ],
    );
  },
);
