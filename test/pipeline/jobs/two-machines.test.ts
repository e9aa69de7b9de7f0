import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { sql } from 'kysely';
import { createEnvironmentKeyProvider } from '../../../src/crypto/key-providers/environment.js';
import { readRedacted } from '../../../src/pipeline/jobs/commands.js';
import { openRuntime } from '../../../src/runtime/runtime.js';
import { findServer } from '../../store/drivers.js';
import { scratchDatabase } from '../../store/postgres-scratch.js';
import { S3_CREDENTIALS, startS3Server } from '../../store/s3-server.js';
import { canaries, filesContaining, submitCanaryJobs, waitForJob } from './fixtures.js';
import { PACKAGE_ROOT } from '../../../src/package-root.js';
import { veilNodeArgs } from '../../veil-process.js';

const SERVER = await findServer();

test(
  'two machines sharing only PostgreSQL (VEIL_BLOBS=postgres): jobs submitted on one are processed by `veil worker` on the other',
  { skip: SERVER === undefined ? 'no PostgreSQL answers on 127.0.0.1:5432' : false },
  async () => {
    const scratch = await scratchDatabase(SERVER!, 'veil_two_machines');
    const databaseUrl = scratch.url;
    // What the two machines share: the database and the key-encryption key. Nothing on disk.
    const kek = randomBytes(32).toString('base64');
    const [dirA, dirB] = await Promise.all([
      mkdtemp(join(tmpdir(), 'veil-machine-a-')),
      mkdtemp(join(tmpdir(), 'veil-machine-b-')),
    ]);
    const machineA = await openRuntime({
      dataDir: dirA,
      databaseUrl,
      blobs: 'postgres',
      keyProvider: createEnvironmentKeyProvider({
        variable: 'VEIL_KEK_BASE64',
        env: { VEIL_KEK_BASE64: kek },
      }),
    });
    const machineB = spawn(
      process.execPath,
      veilNodeArgs(['worker', '--poll-seconds', '0.5', '--concurrency', '2']),
      {
        cwd: PACKAGE_ROOT,
        env: {
          PATH: process.env.PATH,
          HOME: dirB,
          DATABASE_URL: databaseUrl,
          VEIL_DATA_DIR: dirB,
          VEIL_BLOBS: 'postgres',
          VEIL_KEK: 'env',
          VEIL_KEK_BASE64: kek,
          VEIL_SWEEP_SECONDS: '0',
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    machineB.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    try {
      const jobIds = await submitCanaryJobs(machineA, 'acme', 3);
      const store = { db: machineA.handle.db, blobs: machineA.blobs };
      for (const jobId of jobIds) {
        const view = await waitForJob(store, 'acme', jobId, ['succeeded', 'failed'], 120_000);
        assert.equal(view.status, 'succeeded', `${jobId}: ${stderr.slice(-2000)}`);
        // Machine A reads the output machine B wrote, through the database alone.
        const redacted = (await readRedacted(store, { tenant: 'acme', jobId })).bytes.toString('utf8');
        assert.ok(redacted.length > 0);
        for (let n = 0; n < 3; n++) assert.ok(!redacted.includes(canaries(n).ssn));
      }
      // Machine B did the work: its steps are in its log lines (ids and steps only).
      for (const jobId of jobIds) assert.match(stderr, new RegExp(`"jobId":"${jobId}"`));
      // No blob touched either file system.
      assert.deepEqual(
        (await readdir(dirA)).filter((name) => name === 'blobs'),
        [],
      );
      assert.deepEqual(
        (await readdir(dirB)).filter((name) => name === 'blobs'),
        [],
      );
    } finally {
      machineB.kill('SIGTERM');
      await new Promise((resolve) => machineB.once('exit', resolve));
      await machineA.close();
      await scratch.drop();
    }
    const all = [0, 1, 2].flatMap((n) => [canaries(n).ssn, canaries(n).email]);
    assert.deepEqual(await filesContaining(dirA, all), []);
    assert.deepEqual(await filesContaining(dirB, all), []);
    await Promise.all([
      rm(dirA, { recursive: true, force: true }),
      rm(dirB, { recursive: true, force: true }),
    ]);
  },
);

test(
  'the API machine and two `veil worker` machines sharing only PostgreSQL, an S3 bucket and the KEK: every job completes once, and the bucket holds ciphertext only',
  { skip: SERVER === undefined ? 'no PostgreSQL answers on 127.0.0.1:5432' : false },
  async () => {
    const scratch = await scratchDatabase(SERVER!, 'veil_s3_machines');
    const databaseUrl = scratch.url;
    const s3 = await startS3Server(['veil-blobs']);
    const kek = randomBytes(32).toString('base64');
    const dirs = await Promise.all(
      ['a', 'b', 'c'].map((machine) => mkdtemp(join(tmpdir(), `veil-s3-machine-${machine}-`))),
    );
    const [dirA, ...workerDirs] = dirs as [string, string, string];
    const machineA = await openRuntime({
      dataDir: dirA,
      databaseUrl,
      blobs: {
        driver: 's3',
        bucket: 'veil-blobs',
        prefix: 'shared',
        region: 'us-east-1',
        endpoint: s3.endpoint,
        forcePathStyle: true,
        clientConfig: { credentials: S3_CREDENTIALS },
      },
      keyProvider: createEnvironmentKeyProvider({
        variable: 'VEIL_KEK_BASE64',
        env: { VEIL_KEK_BASE64: kek },
      }),
    });
    // The workers read the same bucket from their configuration, credentials from the AWS chain.
    const workers = workerDirs.map((dir) => {
      const child = spawn(
        process.execPath,
        veilNodeArgs(['worker', '--poll-seconds', '0.5', '--concurrency', '2']),
        {
          cwd: PACKAGE_ROOT,
          env: {
            PATH: process.env.PATH,
            HOME: dir,
            DATABASE_URL: databaseUrl,
            VEIL_DATA_DIR: dir,
            VEIL_BLOBS: 's3://veil-blobs/shared',
            VEIL_S3_ENDPOINT: s3.endpoint,
            VEIL_S3_REGION: 'us-east-1',
            VEIL_S3_FORCE_PATH_STYLE: 'true',
            AWS_ACCESS_KEY_ID: S3_CREDENTIALS.accessKeyId,
            AWS_SECRET_ACCESS_KEY: S3_CREDENTIALS.secretAccessKey,
            VEIL_KEK: 'env',
            VEIL_KEK_BASE64: kek,
            VEIL_SWEEP_SECONDS: '0',
          },
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      );
      const log = { child, stderr: '' };
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (log.stderr += chunk));
      return log;
    });
    const jobCount = 6;
    try {
      const jobIds = await submitCanaryJobs(machineA, 'acme', jobCount);
      const store = { db: machineA.handle.db, blobs: machineA.blobs };
      const logs = () => workers.map((w) => w.stderr.slice(-1500)).join('\n');
      for (const jobId of jobIds) {
        const view = await waitForJob(store, 'acme', jobId, ['succeeded', 'failed'], 180_000);
        assert.equal(view.status, 'succeeded', `${jobId}: ${logs()}`);
        const redacted = (await readRedacted(store, { tenant: 'acme', jobId })).bytes.toString('utf8');
        assert.ok(redacted.length > 0);
        for (let n = 0; n < jobCount; n++) assert.ok(!redacted.includes(canaries(n).ssn));
      }
      // Each job was done by a worker machine, none by the API machine.
      for (const jobId of jobIds)
        assert.ok(
          workers.some((w) => w.stderr.includes(`"jobId":"${jobId}"`)),
          `${jobId} is in no worker's log`,
        );
      // Once: every object in the bucket is one artifact row, and no job has two of a class.
      const rows = await machineA.handle.db.transaction().execute(async (trx) => {
        await sql`select set_config('veil.tenant_id', '*', true)`.execute(trx);
        return trx.selectFrom('artifacts').select(['job_id', 'class', 'blob_name']).execute();
      });
      const objects = await s3.storedObjects('veil-blobs');
      assert.deepEqual(
        [...objects.keys()]
          .map((path) => path.slice(path.lastIndexOf('/') + 1, -'._S3rver_object'.length))
          .sort(),
        rows.map((row) => row.blob_name).sort(),
      );
      assert.equal(new Set(rows.map((row) => `${row.job_id}/${row.class}`)).size, rows.length);
      for (const jobId of jobIds)
        assert.equal(rows.filter((row) => row.job_id === jobId && row.class === 'redacted').length, 1);
      const all = Array.from({ length: jobCount }, (_, n) => [canaries(n).ssn, canaries(n).email]).flat();
      for (const [path, bytes] of objects)
        assert.ok(!all.some((needle) => bytes.includes(Buffer.from(needle))), `plaintext in ${path}`);
      // No blob touched any machine's file system.
      for (const dir of dirs) assert.ok(!(await readdir(dir)).includes('blobs'), `blobs/ in ${dir}`);
    } finally {
      for (const { child } of workers) child.kill('SIGTERM');
      await Promise.all(workers.map(({ child }) => new Promise((resolve) => child.once('exit', resolve))));
      await machineA.close();
      await s3.close();
      await scratch.drop();
    }
    const all = Array.from({ length: jobCount }, (_, n) => [canaries(n).ssn, canaries(n).email]).flat();
    for (const dir of dirs) assert.deepEqual(await filesContaining(dir, all), []);
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  },
);
