/**
 * Tampering in the database, as an attacker with superuser access would do it (the append-only
 * trigger disabled first): change, delete, reorder (swap two rows, hashes and all) and insert
 * (shift the rest up, with a correctly hashed forged event). `veil audit export` then
 * `veil audit verify` must fail and name the first bad entry. Heads are signed every 4 appends,
 * so a change that keeps each row self-consistent is pinned to the first entry of its 4-entry span.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import {
  auditVerifyCommand,
  canonicalAuditEvent,
  exportAuditPublicKey,
  hashLeaf,
} from '../../src/audit/index.js';
import { exportAuditLogText, openAuditLogs } from '../../src/runtime/audit.js';
import type { AuditLogs } from '../../src/runtime/audit.js';
import { openDatabase } from '../../src/store/database.js';
import type { DatabaseHandle } from '../../src/store/database.js';
import { DRIVERS } from '../store/drivers.js';
import { migratedPGlite } from '../store/pglite-template.js';
import type { TestDatabase } from '../store/drivers.js';
import { runVeil } from '../cli/veil.js';
import { stepEvent, testAuditLogs } from './fixtures.js';
import { tempDir } from '../temp-dir.js';

const ENTRIES = 20;

async function raw(handle: DatabaseHandle, statement: string): Promise<void> {
  await sql.raw(statement).execute(handle.db);
}

type Tamper = (handle: DatabaseHandle, log: string) => Promise<void>;

const CASES: [string, Tamper, RegExp][] = [
  [
    'change an event',
    (h, log) =>
      raw(
        h,
        `update audit_entries set event = convert_to(replace(convert_from(event, 'UTF8'), '"findings":9', '"findings":8'), 'UTF8') where log_id = '${log}' and leaf_index = 9`,
      ),
    /^export does NOT verify \(leaf-hash\): first bad entry: 9; entry 9: the event does not hash to its recorded leaf hash/,
  ],
  [
    'delete an entry',
    (h, log) => raw(h, `delete from audit_entries where log_id = '${log}' and leaf_index = 13`),
    /^export does NOT verify \(sequence\): first bad entry: 13; expected entry 13 here, found 14/,
  ],
  [
    'reorder (swap) two entries',
    async (h, log) => {
      await raw(h, `update audit_entries set leaf_index = 1000 where log_id = '${log}' and leaf_index = 10`);
      await raw(h, `update audit_entries set leaf_index = 10 where log_id = '${log}' and leaf_index = 11`);
      await raw(h, `update audit_entries set leaf_index = 11 where log_id = '${log}' and leaf_index = 1000`);
    },
    /^export does NOT verify \(root-mismatch\): first bad entry: 8; entries 8 to 11 do not match the signed tree head of size 12/,
  ],
  [
    'insert an entry',
    async (h, log) => {
      await raw(
        h,
        `update audit_entries set leaf_index = leaf_index + 1000 where log_id = '${log}' and leaf_index >= 6`,
      );
      await raw(
        h,
        `update audit_entries set leaf_index = leaf_index - 999 where log_id = '${log}' and leaf_index >= 1000`,
      );
      const { canonical } = canonicalAuditEvent({ ...stepEvent(log, 6), counts: { findings: 0 } });
      const leaf = Buffer.from(hashLeaf(Buffer.from(canonical, 'utf8'))).toString('hex');
      await raw(
        h,
        `insert into audit_entries (log_id, leaf_index, leaf_hash, event) values ('${log}', 6, '\\x${leaf}'::bytea, convert_to('${canonical}', 'UTF8'))`,
      );
    },
    /^export does NOT verify \(root-mismatch\): first bad entry: 4; entries 4 to 7 do not match the signed tree head of size 8/,
  ],
];

async function seed(logs: AuditLogs, tenant: string): Promise<void> {
  for (let i = 0; i < ENTRIES; i++) await logs.forTenant(tenant).append(stepEvent(tenant, i));
}

for (const driver of DRIVERS) {
  describe(`audit tamper detection on ${driver.name}`, { skip: driver.skip }, () => {
    let database: TestDatabase;
    let logs: AuditLogs;
    let dataDir: string;
    let keyFile: string;

    before(async () => {
      database = await driver.open();
      ({ logs, dataDir } = await testAuditLogs(database.handle));
      keyFile = join(dataDir, 'audit-public-key.json');
      writeFileSync(keyFile, JSON.stringify(exportAuditPublicKey(logs.signer)));
      for (const tenant of ['intact', 'change', 'delete', 'swap', 'insert']) await seed(logs, tenant);
      await raw(database.handle, 'alter table audit_entries disable trigger audit_entries_append_only');
    });
    after(async () => {
      await raw(database.handle, 'alter table audit_entries enable trigger audit_entries_append_only').catch(
        () => {},
      );
      await database?.dispose();
    });

    // A new process reads the database: a fresh AuditLog with nothing cached, as `veil audit export` would.
    const exportAndVerify = async (tenant: string) => {
      const fresh = await openAuditLogs({ db: database.handle.db, dataDir });
      const file = join(dataDir, `${tenant}.jsonl`);
      writeFileSync(file, await exportAuditLogText(fresh, tenant));
      return auditVerifyCommand(file, { publicKeyPath: keyFile });
    };

    test('the untouched log exports and verifies against the pinned key', async () => {
      const outcome = await exportAndVerify('intact');
      assert.equal(outcome.exitCode, 0);
      assert.match(
        outcome.output,
        new RegExp(
          `^export verified: ${ENTRIES} entries, 5 signed tree heads, root [0-9a-f]{64}, signed by the pinned key ${logs.signer.keyId}\\n$`,
        ),
      );
    });

    for (const [name, tamper, expected] of CASES) {
      test(`${name} in the database is detected and the first bad entry named`, async () => {
        const tenant = name.split(' ')[0]!.replace('reorder', 'swap');
        await tamper(database.handle, tenant);
        const outcome = await exportAndVerify(tenant);
        assert.equal(outcome.exitCode, 1, outcome.output);
        assert.match(outcome.output, expected);
      });
    }

    test('the append-only trigger refuses the same edits when it is on', async () => {
      await raw(database.handle, 'alter table audit_entries enable trigger audit_entries_append_only');
      await assert.rejects(
        raw(
          database.handle,
          `update audit_entries set leaf_index = 99 where log_id = 'intact' and leaf_index = 0`,
        ),
        /append-only/,
      );
      await assert.rejects(
        raw(database.handle, `delete from audit_entries where log_id = 'intact'`),
        /append-only/,
      );
      await raw(database.handle, 'alter table audit_entries disable trigger audit_entries_append_only');
    });
  });
}

describe('veil audit export and verify as commands (PGlite in the data directory)', () => {
  const dataDir = tempDir('veil-audit-cli-');
  const veil = (...args: string[]) =>
    runVeil(args, { env: { ...process.env, DATABASE_URL: '', VEIL_DATA_DIR: dataDir } });

  before(async () => {
    await migratedPGlite(join(dataDir, 'pglite'));
    const handle = await openDatabase({ driver: 'pglite', dataDir: join(dataDir, 'pglite') });
    try {
      const logs = await openAuditLogs({ db: handle.db, dataDir, signEvery: 4 });
      await seed(logs, 'acme');
      writeFileSync(join(dataDir, 'key.json'), JSON.stringify(exportAuditPublicKey(logs.signer)));
    } finally {
      await handle.close();
    }
  });

  test('export then verify: exit 0; after a change in the database, exit 1 naming the entry', async () => {
    const out = join(dataDir, 'acme.jsonl');
    const exported = await veil('audit', 'export', '--tenant', 'acme', '-o', out, '--data-dir', dataDir);
    assert.equal(exported.code, 0, exported.stderr);
    const ok = await veil('audit', 'verify', out, '--public-key', join(dataDir, 'key.json'));
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^export verified: 20 entries, 5 signed tree heads/);

    const handle = await openDatabase({ driver: 'pglite', dataDir: join(dataDir, 'pglite') });
    try {
      await raw(handle, 'alter table audit_entries disable trigger audit_entries_append_only');
      await raw(
        handle,
        `update audit_entries set event = convert_to(replace(convert_from(event, 'UTF8'), '"job_17"', '"job_71"'), 'UTF8') where log_id = 'acme' and leaf_index = 17`,
      );
    } finally {
      await handle.close();
    }
    const tampered = await veil('audit', 'export', '--tenant', 'acme', '-o', out, '--data-dir', dataDir);
    assert.equal(tampered.code, 0, tampered.stderr);
    const bad = await veil('audit', 'verify', out, '--public-key', join(dataDir, 'key.json'));
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /^export does NOT verify \(leaf-hash\): first bad entry: 17;/);
    const badTenant = await veil('audit', 'export', '--tenant', '../etc', '--data-dir', dataDir);
    assert.equal(badTenant.code, 1);
    assert.match(badTenant.stderr, /^error VEIL_INVALID_OPTION: --tenant:/);
  });
});
