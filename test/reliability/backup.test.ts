/**
 * `veil backup` and `veil restore`: a data directory with finished, revealed, deleted and queued
 * jobs is backed up (through the CLI), restored into a new directory, and the restored service
 * serves the same outputs, reveals the same values (so the wrapped keys came back and open under
 * the KEK), finishes the queued job, and keeps an audit log that still verifies. Restoring
 * without the KEK, with another KEK, from an altered or cut file, or into a non-empty directory
 * fails with its code.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { verifyExport } from '../../src/audit/index.js';
import { restoreBackup } from '../../src/runtime/backup.js';
import { exportAuditLogText } from '../../src/runtime/audit.js';
import { openService } from '../../src/runtime/service.js';
import type { Service } from '../../src/runtime/service.js';
import { as, openTestService, skipReason, waitForJob } from '../api/jobs-harness.js';
import { runVeil } from '../cli/veil.js';
import { createBackup } from '../../src/runtime/backup.js';
import { ROLES } from '../../src/access/index.js';
import type { Principal, Role } from '../../src/access/index.js';
import { VeilError } from '../../src/errors/veil-error.js';
import { canaries, canaryText } from '../pipeline/jobs/fixtures.js';
import { PACKAGE_ROOT } from '../../src/package-root.js';

const authenticate = async (headers: Record<string, unknown>): Promise<Principal> => {
  const match = /^Bearer ([a-z]+):([a-z0-9-]+)$/.exec(String(headers['authorization'] ?? ''));
  if (match === null || !(ROLES as readonly string[]).includes(match[1]!))
    throw new VeilError('VEIL_UNAUTHENTICATED', 'authentication failed');
  return { id: `user-${match[1]!}`, tenantId: match[2]!, roles: [match[1] as Role], kind: 'user' };
};

function open(dataDir: string, workers: number): Promise<Service> {
  return openService({
    dataDir,
    authenticate,
    workers,
    pollingIntervalSeconds: 0.5,
    uploadSweepIntervalSeconds: 0,
    detectionThreads: 0,
    api: { rateLimit: { max: 100_000 } },
  });
}

function job(n: number): Record<string, unknown> {
  return {
    text: canaryText(n),
    purpose: 'claims-intake',
    consent: { basis: 'contract' },
    outputs: ['findings_summary', 'redacted'],
    retention_days: 7,
  };
}

async function rejectsWith(work: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(work, (error: VeilError) => {
    assert.equal(error.code, code, error.message);
    return true;
  });
}

describe('backup and restore (PGlite)', { timeout: 240_000 }, () => {
  let work: string;
  let source: string;
  let backupFile: string;
  const outputs = new Map<string, string>();
  let revealed: unknown;
  const doneIds: string[] = [];
  let queuedId = '';
  let deletedId = '';
  let exportBefore = '';

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'veil-backup-'));
    source = join(work, 'source');
    const service = await open(source, 1);
    try {
      for (let n = 0; n < 4; n += 1) {
        const res = await service.app.inject({
          method: 'POST',
          url: '/v1/jobs',
          headers: as('processor'),
          payload: job(n),
        });
        assert.equal(res.statusCode, 202, res.body);
        doneIds.push(res.json<{ job_id: string }>().job_id);
      }
      for (const id of doneIds) assert.equal((await waitForJob(service.app, id)).status, 'succeeded');
      deletedId = doneIds.pop()!;
      assert.equal(
        (
          await service.app.inject({
            method: 'DELETE',
            url: `/v1/jobs/${deletedId}`,
            headers: as('processor'),
          })
        ).statusCode,
        200,
      );
      for (const id of doneIds) {
        const res = await service.app.inject({
          method: 'GET',
          url: `/v1/jobs/${id}/redacted`,
          headers: as('processor'),
        });
        assert.equal(res.statusCode, 200);
        outputs.set(id, res.body);
      }
      const reveal = await service.app.inject({
        method: 'POST',
        url: `/v1/jobs/${doneIds[0]}/reveal`,
        headers: as('dpo'),
        payload: { reason: { code: 'data_subject_request', ticket: 'DSR-1' } },
      });
      assert.equal(reveal.statusCode, 200, reveal.body);
      revealed = reveal.json();
    } finally {
      await service.close();
    }
    // A job submitted while no worker runs: it is queued when the backup is taken.
    const idle = await open(source, 0);
    try {
      const res = await idle.app.inject({
        method: 'POST',
        url: '/v1/jobs',
        headers: as('processor'),
        payload: job(9),
      });
      queuedId = res.json<{ job_id: string }>().job_id;
      exportBefore = await exportAuditLogText(idle.audit, 'acme');
    } finally {
      await idle.close();
    }
    backupFile = join(work, 'veil.backup');
    const cli = await runVeil(['backup', '-o', backupFile, '--data-dir', source], {
      cwd: PACKAGE_ROOT,
      env: { ...process.env, DATABASE_URL: '' },
    });
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(cli.stderr, /^veil backup: \d+ rows in \d+ tables, \d+ blobs, 1 key file\(s\) -> /);
  });
  after(async () => {
    await rm(work, { recursive: true, force: true });
  });

  test('the backup file is 0600 and holds neither the KEK, a key file in the clear, nor any canary', async () => {
    assert.equal((await stat(backupFile)).mode & 0o777, 0o600);
    const bytes = await readFile(backupFile);
    assert.equal(bytes.indexOf(await readFile(join(source, 'kek.key'))), -1);
    for (const needle of [
      'PRIVATE KEY',
      '"d":',
      ...[0, 1, 2, 3, 9].flatMap((n) => Object.values(canaries(n))),
    ])
      assert.equal(bytes.indexOf(Buffer.from(needle)), -1, 'nothing readable in the file');
  });

  test('restored into a new directory: outputs, reveals, the queued job and the audit log are intact', async () => {
    const target = join(work, 'restored');
    const counts = await restoreBackup(backupFile, { dataDir: target, kekFile: join(source, 'kek.key') });
    assert.equal(counts.requeued, 1, 'the queued job is queued again');
    assert.ok(counts.blobs > 0);
    assert.equal((await stat(join(target, 'kek.key'))).mode & 0o777, 0o600);
    const service = await open(target, 1);
    try {
      for (const id of doneIds) {
        const status = await service.app.inject({
          method: 'GET',
          url: `/v1/jobs/${id}`,
          headers: as('processor'),
        });
        assert.equal(status.json<{ status: string }>().status, 'succeeded');
        const res = await service.app.inject({
          method: 'GET',
          url: `/v1/jobs/${id}/redacted`,
          headers: as('processor'),
        });
        assert.equal(res.statusCode, 200);
        assert.equal(res.body, outputs.get(id));
      }
      const gone = await service.app.inject({
        method: 'GET',
        url: `/v1/jobs/${deletedId}`,
        headers: as('processor'),
      });
      assert.equal(gone.statusCode, 404, 'a deleted job stays deleted');
      const reveal = await service.app.inject({
        method: 'POST',
        url: `/v1/jobs/${doneIds[0]}/reveal`,
        headers: as('dpo'),
        payload: { reason: { code: 'data_subject_request', ticket: 'DSR-2' } },
      });
      assert.equal(reveal.statusCode, 200, reveal.body);
      assert.deepEqual(reveal.json(), revealed);
      assert.equal(
        (await waitForJob(service.app, queuedId)).status,
        'succeeded',
        'the job queued at backup time runs after the restore',
      );

      const exportAfter = await exportAuditLogText(service.audit, 'acme');
      const verdict = verifyExport(exportAfter);
      assert.equal(verdict.ok, true, JSON.stringify(verdict));
      const before = verifyExport(exportBefore);
      assert.equal(before.ok, true);
      // Every entry from before the backup is there, unchanged, in the same place.
      const entries = (text: string) => text.split('\n').filter((l) => l.includes('"leaf_hash"'));
      const old = entries(exportBefore);
      assert.ok(old.length > 0);
      assert.deepEqual(entries(exportAfter).slice(0, old.length), old);
      assert.ok(entries(exportAfter).length > old.length, 'the log grew by the reveal and the resumed job');
    } finally {
      await service.close();
    }
  });

  test('without the KEK, or with another one, the restore refuses with its code and writes nothing', async () => {
    const noKek = join(work, 'no-kek');
    await rejectsWith(restoreBackup(backupFile, { dataDir: noKek }), 'VEIL_BACKUP_KEK_MISSING');
    await rejectsWith(
      restoreBackup(backupFile, { dataDir: noKek, kekFile: join(work, 'absent.key') }),
      'VEIL_BACKUP_KEK_MISSING',
    );
    const otherKey = join(work, 'other.key');
    await writeFile(otherKey, randomBytes(32), { mode: 0o600 });
    const wrong = join(work, 'wrong-kek');
    await rejectsWith(
      restoreBackup(backupFile, { dataDir: wrong, kekFile: otherKey }),
      'VEIL_BACKUP_KEK_MISMATCH',
    );
    assert.equal(await stat(join(wrong, 'pglite')).catch(() => 'absent'), 'absent');
  });

  test('an altered or truncated backup fails VEIL_BACKUP_INVALID and leaves no partial restore', async () => {
    const bytes = await readFile(backupFile);
    const altered = join(work, 'altered.backup');
    const flipped = Buffer.from(bytes);
    flipped[Math.floor(bytes.length * 0.6)]! ^= 0x01;
    await writeFile(altered, flipped);
    const target = join(work, 'from-altered');
    await rejectsWith(
      restoreBackup(altered, { dataDir: target, kekFile: join(source, 'kek.key') }),
      'VEIL_BACKUP_INVALID',
    );
    assert.equal(await stat(join(target, 'pglite')).catch(() => 'absent'), 'absent');
    assert.equal(await stat(join(target, 'audit-signing-key.pem')).catch(() => 'absent'), 'absent');

    const cut = join(work, 'cut.backup');
    await writeFile(cut, bytes);
    await truncate(cut, bytes.length - 40);
    await rejectsWith(
      restoreBackup(cut, { dataDir: join(work, 'from-cut'), kekFile: join(source, 'kek.key') }),
      'VEIL_BACKUP_INVALID',
    );
    const notBackup = join(work, 'not.backup');
    await writeFile(notBackup, 'hello\n');
    await rejectsWith(restoreBackup(notBackup, { dataDir: join(work, 'from-text') }), 'VEIL_BACKUP_INVALID');
  });

  test('a data directory that holds anything is refused', async () => {
    await rejectsWith(
      restoreBackup(backupFile, { dataDir: source, kekFile: join(source, 'kek.key') }),
      'VEIL_RESTORE_NOT_EMPTY',
    );
  });
});

test(
  'a backup of a PostgreSQL deployment restores into PGlite, outputs and audit log intact',
  { skip: skipReason('postgres'), timeout: 180_000 },
  async () => {
    const work = await mkdtemp(join(tmpdir(), 'veil-backup-pg-'));
    const served = await openTestService('postgres');
    try {
      const res = await served.app.inject({
        method: 'POST',
        url: '/v1/jobs',
        headers: as('processor'),
        payload: job(5),
      });
      const jobId = res.json<{ job_id: string }>().job_id;
      assert.equal((await waitForJob(served.app, jobId)).status, 'succeeded');
      const output = (
        await served.app.inject({
          method: 'GET',
          url: `/v1/jobs/${jobId}/redacted`,
          headers: as('processor'),
        })
      ).body;
      const exported = await exportAuditLogText(served.service.audit, 'acme');
      await served.service.close();
      const file = join(work, 'pg.backup');
      const counts = await createBackup({ dataDir: served.dataDir, databaseUrl: served.databaseUrl! }, file);
      assert.ok((counts.rows['jobs'] ?? 0) === 1 && counts.blobs > 0);
      const target = join(work, 'restored');
      await restoreBackup(file, { dataDir: target, kekFile: join(served.dataDir, 'kek.key') });
      const service = await open(target, 0);
      try {
        const again = await service.app.inject({
          method: 'GET',
          url: `/v1/jobs/${jobId}/redacted`,
          headers: as('processor'),
        });
        assert.equal(again.body, output);
        const after = await exportAuditLogText(service.audit, 'acme');
        assert.equal(verifyExport(after).ok, true);
        const leaves = (text: string) => text.split('\n').filter((l) => l.includes('"leaf_hash"'));
        assert.deepEqual(leaves(after).slice(0, leaves(exported).length), leaves(exported));
      } finally {
        await service.close();
      }
    } finally {
      await served.dispose();
      await rm(work, { recursive: true, force: true });
    }
  },
);
