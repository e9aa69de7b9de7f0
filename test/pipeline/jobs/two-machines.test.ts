import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import pg from 'pg';
import { createEnvironmentKeyProvider } from '../../../src/crypto/key-providers/environment.js';
import { readRedacted } from '../../../src/pipeline/jobs/commands.js';
import { openRuntime } from '../../../src/pipeline/worker.js';
import { findServer } from '../../store/drivers.js';
import { canaries, filesContaining, submitCanaryJobs, waitForJob } from './fixtures.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SERVER = await findServer();

test(
  'two machines sharing only PostgreSQL (VEIL_BLOBS=postgres): jobs submitted on one are processed by `veil worker` on the other',
  { skip: SERVER === undefined ? 'no PostgreSQL answers on 127.0.0.1:5432' : false },
  async () => {
    const database = `veil_two_machines_${process.pid}_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: SERVER });
    await admin.connect();
    await admin.query(`create database ${database}`);
    const url = new URL(SERVER!);
    url.pathname = `/${database}`;
    const databaseUrl = url.toString();
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
      ['--import', 'tsx', 'src/cli/main.ts', 'worker', '--poll-seconds', '0.5', '--concurrency', '2'],
      {
        cwd: ROOT,
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
      await admin.query(`drop database if exists ${database} with (force)`);
      await admin.end();
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
