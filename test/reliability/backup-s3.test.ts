/**
 * `veil backup` and `veil restore` of a deployment whose blobs are in an S3 bucket
 * (`VEIL_BLOBS=s3`), against a real S3-compatible server on loopback (s3rver): the backup holds
 * every object as stored (sealed envelopes, no canary readable), and a restore into an empty
 * bucket serves the same outputs. A restore into a bucket that holds objects, or with another
 * blob driver than the backup's, is refused with its code.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createBackup, restoreBackup } from '../../src/runtime/backup.js';
import { openService } from '../../src/runtime/service.js';
import type { Service } from '../../src/runtime/service.js';
import type { Principal, Role } from '../../src/access/index.js';
import { ROLES } from '../../src/access/index.js';
import { VeilError } from '../../src/errors/veil-error.js';
import type { S3BlobSettings } from '../../src/store/index.js';
import { as, waitForJob } from '../api/jobs-harness.js';
import { canaries, canaryText } from '../pipeline/jobs/fixtures.js';
import { S3_CREDENTIALS, startS3Server } from '../store/s3-server.js';
import type { TestS3Server } from '../store/s3-server.js';

const authenticate = async (headers: Record<string, unknown>): Promise<Principal> => {
  const match = /^Bearer ([a-z]+):([a-z0-9-]+)$/.exec(String(headers['authorization'] ?? ''));
  if (match === null || !(ROLES as readonly string[]).includes(match[1]!))
    throw new VeilError('VEIL_UNAUTHENTICATED', 'authentication failed');
  return { id: `user-${match[1]!}`, tenantId: match[2]!, roles: [match[1] as Role], kind: 'user' };
};

describe('backup and restore with S3 blobs (PGlite, s3rver)', { timeout: 240_000 }, () => {
  let server: TestS3Server;
  let work: string;
  let source: string;
  let backupFile: string;
  const outputs = new Map<string, string>();
  const bucket = (name: string): S3BlobSettings => ({
    driver: 's3',
    bucket: name,
    prefix: 'veil',
    region: 'us-east-1',
    endpoint: server.endpoint,
    forcePathStyle: true,
    clientConfig: { credentials: S3_CREDENTIALS, maxAttempts: 1 },
  });
  const open = (dataDir: string, blobs: S3BlobSettings): Promise<Service> =>
    openService({
      dataDir,
      authenticate,
      workers: 1,
      pollingIntervalSeconds: 0.5,
      uploadSweepIntervalSeconds: 0,
      detectionThreads: 0,
      blobs,
      api: { rateLimit: { max: 100_000 } },
    });
  /** A job's redacted output as the service serves it. */
  const redacted = async (service: Service, id: string): Promise<string> => {
    const res = await service.app.inject({
      method: 'GET',
      url: `/v1/jobs/${id}/redacted`,
      headers: as('processor'),
    });
    assert.equal(res.statusCode, 200, res.body);
    return res.body;
  };
  const rejectsWith = async (work: Promise<unknown>, code: string): Promise<void> => {
    await assert.rejects(work, (error: VeilError) => {
      assert.equal(error.code, code, error.message);
      return true;
    });
  };

  before(async () => {
    server = await startS3Server(['veil-source', 'veil-restored']);
    work = await mkdtemp(join(tmpdir(), 'veil-backup-s3-'));
    source = join(work, 'source');
    const service = await open(source, bucket('veil-source'));
    try {
      const ids: string[] = [];
      for (let n = 0; n < 3; n += 1) {
        const res = await service.app.inject({
          method: 'POST',
          url: '/v1/jobs',
          headers: as('processor'),
          payload: {
            text: canaryText(n),
            purpose: 'claims-intake',
            consent: { basis: 'contract' },
            outputs: ['findings_summary', 'redacted'],
            retention_days: 7,
          },
        });
        assert.equal(res.statusCode, 202, res.body);
        ids.push(res.json<{ job_id: string }>().job_id);
      }
      for (const id of ids) {
        assert.equal((await waitForJob(service.app, id)).status, 'succeeded');
        outputs.set(id, await redacted(service, id));
      }
    } finally {
      await service.close();
    }
    backupFile = join(work, 'veil.backup');
  });
  after(async () => {
    await server?.close();
    if (work !== undefined) await rm(work, { recursive: true, force: true });
  });

  test('the backup holds every object of the bucket as stored, and nothing readable', async () => {
    const stored = await server.storedObjects('veil-source');
    assert.ok(stored.size >= 6, 'each job left its original, manifest, findings and output in the bucket');
    const counts = await createBackup({ dataDir: source, blobs: bucket('veil-source') }, backupFile);
    assert.equal(counts.blobs, stored.size, 'every object of the bucket is in the backup');
    const bytes = await readFile(backupFile);
    for (const needle of [0, 1, 2].flatMap((n) => Object.values(canaries(n))))
      assert.equal(bytes.indexOf(Buffer.from(needle)), -1, 'no canary readable in the backup');
  });

  test('restored into an empty bucket: the same sealed objects, and the same outputs served', async () => {
    const target = join(work, 'restored');
    const counts = await restoreBackup(backupFile, {
      dataDir: target,
      kekFile: join(source, 'kek.key'),
      blobs: bucket('veil-restored'),
    });
    assert.ok(counts.blobs > 0);
    const before = [...(await server.storedObjects('veil-source')).values()]
      .map((b) => b.toString('hex'))
      .sort();
    const restored = [...(await server.storedObjects('veil-restored')).values()]
      .map((b) => b.toString('hex'))
      .sort();
    assert.deepEqual(restored, before, 'the objects come back byte for byte, still sealed');
    const service = await open(target, bucket('veil-restored'));
    try {
      for (const [id, body] of outputs) assert.equal(await redacted(service, id), body);
    } finally {
      await service.close();
    }
  });

  test('a bucket that holds objects, or another blob driver than the backup had, is refused', async () => {
    const kekFile = join(source, 'kek.key');
    await rejectsWith(
      restoreBackup(backupFile, { dataDir: join(work, 'again'), kekFile, blobs: bucket('veil-restored') }),
      'VEIL_RESTORE_NOT_EMPTY',
    );
    await rejectsWith(
      restoreBackup(backupFile, { dataDir: join(work, 'files'), kekFile }),
      'VEIL_CONFIG_INVALID',
    );
  });
});
