import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readRedacted } from '../../../src/pipeline/jobs/commands.js';
import { submitJob } from '../../../src/pipeline/jobs/submit.js';
import { startWorkers } from '../../../src/pipeline/worker.js';
import { openRuntime } from '../../../src/runtime/runtime.js';
import { validatePolicy } from '../../../src/policy/index.js';
import { canaries, canaryText, DEFAULT_POLICY, filesContaining, waitForJob } from './fixtures.js';
import { PACKAGE_ROOT } from '../../../src/package-root.js';
import { veilNodeArgs } from '../../veil-process.js';

test('openRuntime wires PGlite, the key file, blobs and pg-boss in the data directory; embedded workers run a job', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'veil-runtime-'));
  const runtime = await openRuntime({ dataDir });
  try {
    const workers = await startWorkers({ ...runtime, pollingIntervalSeconds: 0.5 });
    const { jobId } = await submitJob(
      { db: runtime.handle.db, blobs: runtime.blobs, boss: runtime.boss },
      {
        tenant: 'embedded',
        bytes: Buffer.from(canaryText(7)),
        purpose: 'claims-intake',
        consent: { basis: 'consent', allowManualReview: true },
        outputs: ['redacted'],
        retentionDays: 1,
        policy: validatePolicy({ ...DEFAULT_POLICY, entities: ['EMAIL_ADDRESS', 'US_SSN'] }),
      },
    );
    const store = { db: runtime.handle.db, blobs: runtime.blobs };
    const view = await waitForJob(store, 'embedded', jobId, ['succeeded', 'failed']);
    assert.equal(view.status, 'succeeded');
    assert.deepEqual(view.consent, {
      basis: 'consent',
      allowModelTraining: false,
      allowManualReview: true,
      allowAnalytics: false,
      allowQualityImprovement: false,
      allowFullText: false,
      allowModelUse: false,
    });
    const text = (await readRedacted(store, { tenant: 'embedded', jobId })).bytes.toString('utf8');
    assert.ok(!text.includes(canaries(7).email) && !text.includes(canaries(7).ssn));
    await workers.stop();
    assert.equal((await stat(join(dataDir, 'kek.key'))).mode & 0o777, 0o600);
    assert.ok((await stat(join(dataDir, 'blobs'))).isDirectory());
    assert.ok((await stat(join(dataDir, 'pglite'))).isDirectory());
  } finally {
    await runtime.close();
  }
  // With the database closed and flushed, not one file under the data directory (the PGlite
  // files included) holds a canary.
  assert.deepEqual(
    await filesContaining(dataDir, [canaries(7).email, canaries(7).ssn, canaries(7).name]),
    [],
  );
  await rm(dataDir, { recursive: true, force: true });
});

test('veil worker without DATABASE_URL stops with a clear error', () => {
  const env = { ...process.env };
  delete env['DATABASE_URL'];
  const run = spawnSync(process.execPath, veilNodeArgs(['worker']), {
    cwd: PACKAGE_ROOT,
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(run.status, 1);
  assert.match(
    run.stderr,
    /^error VEIL_CONFIG_INVALID: configuration: DATABASE_URL: `veil worker` needs it to name the PostgreSQL server/m,
  );
});
