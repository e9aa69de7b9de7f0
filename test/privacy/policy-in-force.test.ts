/**
 * The audit log names the policy in force from the first start: a service that starts with a
 * policy the log has no record of records `policy.changed` from none; a restart on the same
 * policies records nothing; a file changed while no process ran is recorded from its last hash.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { stringify } from 'yaml';
import { parseAuditExport } from '../../src/audit/index.js';
import { VeilError } from '../../src/errors/veil-error.js';
import { openPolicyDirectory } from '../../src/policy/index.js';
import { exportAuditLogText, openAuditLogs } from '../../src/runtime/audit.js';
import { recordPoliciesInForce } from '../../src/runtime/governance.js';
import { openDatabase } from '../../src/store/database.js';
import { openService } from '../../src/runtime/service.js';
import { DRIVER_NAMES, SERVER_URL, skipReason } from '../api/jobs-harness.js';
import { scratchDatabase } from '../store/postgres-scratch.js';
import type { ScratchDatabase } from '../store/postgres-scratch.js';
import { policyDir, shippedDefault } from './governance-fixtures.js';

interface PolicyEvent {
  action: string;
  objects: Array<{ id: string }>;
  policy_hash: string;
  previous_policy_hash?: string;
}

for (const driver of DRIVER_NAMES) {
  describe(`policy.changed at start (${driver})`, { skip: skipReason(driver) }, () => {
    let dataDir: string;
    let dir: string;
    let databaseUrl: string | undefined;
    let database: ScratchDatabase | undefined;
    before(async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'veil-policy-start-'));
      dir = await policyDir({ default: {}, acme: { region: 'eu' } });
      if (driver === 'postgres') {
        database = await scratchDatabase(SERVER_URL!, 'veil_policy');
        databaseUrl = database.url;
      }
    });
    after(async () => {
      await rm(dataDir, { recursive: true, force: true });
      await rm(dir, { recursive: true, force: true });
      await database?.drop();
    });

    /** Starts the service on the same data and policies, returns each log's policy events, stops it. */
    const start = async (): Promise<Record<'system' | 'acme', PolicyEvent[]>> => {
      const service = await openService({
        dataDir,
        ...(databaseUrl === undefined ? {} : { databaseUrl }),
        policyDir: dir,
        workers: 0,
        detectionThreads: 0,
        sweepIntervalSeconds: 0,
        uploadSweepIntervalSeconds: 0,
        authenticate: async () => {
          throw new VeilError('VEIL_UNAUTHENTICATED', 'authentication failed');
        },
      });
      try {
        const of = async (log: string | undefined) =>
          parseAuditExport(await exportAuditLogText(service.audit, log))
            .entries.map((e) => e.event as unknown as PolicyEvent)
            .filter((e) => e.action === 'policy.changed');
        return { system: await of(undefined), acme: await of('acme') };
      } finally {
        await service.close();
      }
    };

    test('first start: from none to the hash in force; restart: nothing; a change while stopped: from the last hash', async () => {
      const hashes = new Map([...(await openPolicyDirectory(dir)).all()].map(([id, p]) => [id, p.hash]));
      const first = await start();
      assert.deepEqual(
        first.system.map((e) => ({
          id: e.objects[0]!.id,
          hash: e.policy_hash,
          previous: e.previous_policy_hash,
        })),
        [{ id: 'default', hash: hashes.get('default'), previous: undefined }],
      );
      assert.deepEqual(
        first.acme.map((e) => ({
          id: e.objects[0]!.id,
          hash: e.policy_hash,
          previous: e.previous_policy_hash,
        })),
        [{ id: 'acme', hash: hashes.get('acme'), previous: undefined }],
      );

      const second = await start();
      assert.equal(second.system.length, 1, 'a restart on the same policies records nothing');
      assert.equal(second.acme.length, 1);

      await writeFile(
        join(dir, 'acme.yaml'),
        stringify({ ...(await shippedDefault()), region: 'eu', retention: { original: '1m' } }),
      );
      const third = await start();
      assert.equal(third.system.length, 1);
      assert.equal(third.acme.length, 2);
      assert.equal(third.acme[1]!.previous_policy_hash, hashes.get('acme'));
      assert.equal(third.acme[1]!.policy_hash, (await openPolicyDirectory(dir)).all().get('acme')!.hash);
    });
  });
}

describe(
  'policy.changed at start, two processes at once (postgres)',
  { skip: skipReason('postgres') },
  () => {
    test('a serve and a worker starting together on one database record each policy once', async () => {
      const dir = await policyDir({ default: {}, acme: { region: 'eu' } });
      const dataDir = await mkdtemp(join(tmpdir(), 'veil-policy-race-'));
      const database = await scratchDatabase(SERVER_URL!, 'veil_policy_race', { migrated: true });
      // Two processes: each its own pool and its own audit logs (no shared in-process state).
      const handles = await Promise.all(
        [0, 1].map(() => openDatabase({ driver: 'postgres', connectionString: database.url })),
      );
      try {
        const policies = await openPolicyDirectory(dir);
        const logs = await Promise.all(handles.map((h) => openAuditLogs({ db: h.db, dataDir })));
        for (let round = 0; round < 5; round += 1)
          await Promise.all(handles.map((h, i) => recordPoliciesInForce(h, logs[i]!, policies)));
        const events = async (log: string | undefined) =>
          parseAuditExport(await exportAuditLogText(logs[0]!, log))
            .entries.map((e) => e.event as unknown as PolicyEvent)
            .filter((e) => e.action === 'policy.changed');
        assert.equal((await events(undefined)).length, 1, 'default is recorded once');
        assert.equal((await events('acme')).length, 1, 'acme is recorded once');
      } finally {
        await Promise.all(handles.map((h) => h.close()));
        await database.drop();
        await rm(dir, { recursive: true, force: true });
        await rm(dataDir, { recursive: true, force: true });
      }
    });
  },
);
