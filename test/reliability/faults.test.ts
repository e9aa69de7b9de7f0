/**
 * Faults on PostgreSQL with queued text jobs and `veil worker` processes: a worker killed with
 * SIGKILL mid-step, the database server crashing and coming back mid-run, the blob disk filling
 * up, and a stored blob altered on disk. Every job completes exactly once or fails with a stable
 * code; nothing is duplicated or lost; no plaintext is left in temp files, blobs or logs.
 *
 * `VEIL_FAULT_JOBS` jobs per test (default 30); `npm run test:faults` runs 1,000.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import { readRedacted } from '../../src/pipeline/jobs/commands.js';
import { ARTIFACT, artifactId } from '../../src/pipeline/jobs/request.js';
import { startWorkers } from '../../src/pipeline/worker.js';
import { openRuntime } from '../../src/runtime/runtime.js';
import type { Runtime } from '../../src/runtime/runtime.js';
import { EncryptedFileBlobStore, forTenant } from '../../src/store/index.js';
import { findServer } from '../store/drivers.js';
import { canaries } from '../pipeline/jobs/fixtures.js';
import {
  allSettled,
  assertNoCanaries,
  checkJobs,
  exited,
  FAULT_JOBS,
  FAULT_QUEUES,
  finished,
  leftoverTempFiles,
  spawnWorker,
  statusCounts,
  submitJobs,
  TENANT,
  until,
  workersStarted,
} from './fault-harness.js';
import { scratchDatabase } from '../store/postgres-scratch.js';
import { ownPostgresSkip, startOwnPostgres } from './own-postgres.js';
import type { OwnPostgres } from './own-postgres.js';

const SERVER_URL = await findServer();
const noServer =
  SERVER_URL === undefined ? 'no PostgreSQL answers on 127.0.0.1:5432; fault tests skipped' : false;
/** Generous: the machine is shared, and 1,000 jobs take minutes. */
const DRAIN_MS = 120_000 + FAULT_JOBS * 600;

/** One fault test's surroundings: a database, a data directory, a private TMPDIR, workers. */
interface Scene {
  runtime: Runtime;
  dataDir: string;
  tmp: string;
  env: NodeJS.ProcessEnv;
  log: string[];
  children: ChildProcess[];
  ids: string[];
  dispose(): Promise<void>;
}

async function scene(
  serverUrl: string,
  prefix: string,
  beforeOpen?: (dataDir: string) => Promise<void>,
): Promise<Scene> {
  const database = await scratchDatabase(serverUrl, prefix);
  const dataDir = await mkdtemp(join(tmpdir(), `${prefix}-`));
  const tmp = await mkdtemp(join(tmpdir(), `${prefix}-tmp-`));
  await beforeOpen?.(dataDir);
  // This process queues the jobs and supervises (expires the steps of a dead worker).
  const runtime = await openRuntime({
    dataDir,
    databaseUrl: database.url,
    queues: FAULT_QUEUES,
    maintenanceIntervalSeconds: 1,
    onQueueError: () => {},
  });
  const children: ChildProcess[] = [];
  const result: Scene = {
    runtime,
    dataDir,
    tmp,
    // Workers write their temp files (if any) where the test can look for plaintext.
    env: { ...process.env, DATABASE_URL: database.url, VEIL_DATA_DIR: dataDir, TMPDIR: tmp },
    log: [],
    children,
    ids: [],
    async dispose() {
      for (const child of children)
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await Promise.all(children.map(exited));
      await runtime.close().catch(() => {});
      await database.drop().catch(() => {});
      await rm(tmp, { recursive: true, force: true });
    },
  };
  return result;
}

async function drain(s: Scene, t: TestContext): Promise<void> {
  const started = Date.now();
  await until(`all ${FAULT_JOBS} jobs to finish and their queue messages to settle`, DRAIN_MS, async () =>
    allSettled(s.runtime, FAULT_JOBS),
  );
  t.diagnostic(
    `drained in ${((Date.now() - started) / 1000).toFixed(1)} s: ${JSON.stringify(await statusCounts(s.runtime))}`,
  );
  for (const child of s.children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  for (const child of s.children) await exited(child);
}

describe(
  `faults on PostgreSQL, ${FAULT_JOBS} queued text jobs each`,
  { skip: noServer, timeout: DRAIN_MS * 5 },
  () => {
    test(
      'kill -9 of a worker mid-step: every job completes exactly once',
      { timeout: DRAIN_MS + 60_000 },
      async (t) => {
        const s = await scene(SERVER_URL!, 'veil_fault_kill');
        try {
          s.ids = await submitJobs(s.runtime, FAULT_JOBS);
          const started = Date.now();
          const victim = spawnWorker(s.env, s.log);
          s.children.push(victim, spawnWorker(s.env, s.log));
          await until(
            'a fifth of the jobs to finish',
            DRAIN_MS,
            async () => (await finished(s.runtime)) >= FAULT_JOBS / 5,
          );
          victim.kill('SIGKILL');
          assert.equal((await exited(victim)).signal, 'SIGKILL');
          const atKill = await finished(s.runtime);
          t.diagnostic(
            `killed one of two workers with ${atKill}/${FAULT_JOBS} done after ${((Date.now() - started) / 1000).toFixed(1)} s`,
          );
          assert.ok(atKill < FAULT_JOBS, 'the kill came before the work was done');
          s.children.push(spawnWorker(s.env, s.log));
          await drain(s, t);
          const outcome = await checkJobs(s.runtime, s.ids);
          assert.equal(outcome.succeeded, FAULT_JOBS, JSON.stringify(outcome.failed));
          // A write cut between its temp file and the rename leaves ciphertext (checked for canaries
          // below); the next process to start reclaims it once no live write could own it.
          await assertNoCanaries(FAULT_JOBS, [s.tmp, join(s.dataDir, 'blobs')], s.log.join(''));
          const orphans = await leftoverTempFiles(join(s.dataDir, 'blobs'));
          t.diagnostic(`${orphans.length} temp file(s) of the killed worker's writes`);
          const blobStore = new EncryptedFileBlobStore({
            directory: join(s.dataDir, 'blobs'),
            keyring: s.runtime.keyring,
          });
          assert.equal(await blobStore.sweepTempFiles(0), orphans.length);
          assert.deepEqual(await leftoverTempFiles(join(s.dataDir, 'blobs')), []);
        } finally {
          await s.dispose();
        }
      },
    );

    test(
      'the database server crashes and comes back mid-run: every job completes exactly once or fails with a stable code',
      { skip: ownPostgresSkip, timeout: DRAIN_MS + 60_000 },
      async (t) => {
        let server: OwnPostgres | undefined;
        let s: Scene | undefined;
        try {
          server = await startOwnPostgres();
          s = await scene(server.url, 'veil_fault_restart');
          s.ids = await submitJobs(s.runtime, FAULT_JOBS);
          s.children.push(spawnWorker(s.env, s.log), spawnWorker(s.env, s.log));
          // Both workers must be running when the server goes: one still starting under load could
          // meet the outage before it handles SIGTERM, and die by the signal once the jobs drain.
          await until(
            'both workers to start and a fifth of the jobs to finish',
            DRAIN_MS,
            async () => workersStarted(s!.log) === 2 && (await finished(s!.runtime)) >= FAULT_JOBS / 5,
          );
          const atCrash = await finished(s.runtime);
          await server.crash();
          await new Promise((r) => setTimeout(r, 3000));
          await server.start();
          t.diagnostic(
            `PostgreSQL crashed (immediate stop) with ${atCrash}/${FAULT_JOBS} done, down 3 s, restarted`,
          );
          await drain(s, t);
          const exits = s.children.map((c) => c.exitCode ?? c.signalCode);
          // Worker logs hold ids and codes, never content (checked for canaries below).
          if (exits.some((e) => e !== 0))
            t.diagnostic(`worker exits ${JSON.stringify(exits)}: ${s.log.join('').slice(-3000)}`);
          assert.ok(
            exits.every((e) => e === 0),
            'the workers rode out the outage and stopped cleanly',
          );
          const outcome = await checkJobs(s.runtime, s.ids);
          t.diagnostic(`succeeded ${outcome.succeeded}, failed ${JSON.stringify(outcome.failed)}`);
          assert.ok(
            outcome.succeeded >= FAULT_JOBS * 0.95,
            `most jobs succeed after the restart (${outcome.succeeded})`,
          );
          assert.deepEqual(await leftoverTempFiles(join(s.dataDir, 'blobs')), []);
          await assertNoCanaries(FAULT_JOBS, [s.tmp, join(s.dataDir, 'blobs')], s.log.join(''));
        } finally {
          await s?.dispose();
          await server?.dispose();
        }
      },
    );

    test(
      'the blob disk fills up mid-run (a small tmpfs): steps retry with VEIL_STORE_FULL, no temp files stay, every job ends exactly once',
      { timeout: DRAIN_MS + 60_000 },
      async (t) => {
        let mounted: string | undefined;
        const mountBlobs = async (dataDir: string): Promise<void> => {
          const blobs = join(dataDir, 'blobs');
          await mkdir(blobs, { mode: 0o700 });
          execFileSync(
            'mount',
            ['-t', 'tmpfs', '-o', `size=${16 + Math.ceil(FAULT_JOBS / 15)}m,mode=0700`, 'tmpfs', blobs],
            { stdio: 'ignore' },
          );
          mounted = blobs;
        };
        let s: Scene | undefined;
        try {
          s = await scene(SERVER_URL!, 'veil_fault_full', async (dataDir) => {
            try {
              await mountBlobs(dataDir);
            } catch {
              // Without the right to mount there is no disk to fill.
            }
          });
          if (mounted === undefined) {
            t.skip('cannot mount a tmpfs here (needs root); the disk-full test is skipped');
            return;
          }
          s.ids = await submitJobs(s.runtime, FAULT_JOBS);
          // Fill what is left of the disk.
          const filler = join(mounted, 'filler');
          const handle = await open(filler, 'w');
          try {
            for (;;) await handle.write(Buffer.alloc(64 * 1024));
          } catch (error) {
            assert.equal((error as NodeJS.ErrnoException).code, 'ENOSPC');
          } finally {
            await handle.close();
          }
          // A new job cannot be stored: a stable code, nothing written.
          await assert.rejects(
            submitJobs(s.runtime, 1),
            (error: { code?: string }) => error.code === 'VEIL_STORE_FULL',
          );
          s.children.push(spawnWorker(s.env, s.log), spawnWorker(s.env, s.log));
          await until(
            'steps to hit the full disk',
            60_000,
            async () => (s!.log.join('').match(/"code":"VEIL_STORE_FULL"/g) ?? []).length >= 4,
          );
          const retries = (s.log.join('').match(/"code":"VEIL_STORE_FULL"/g) ?? []).length;
          await rm(filler);
          t.diagnostic(`${retries} step attempts met the full disk; space freed`);
          await drain(s, t);
          const outcome = await checkJobs(s.runtime, s.ids.slice(0, FAULT_JOBS));
          t.diagnostic(`succeeded ${outcome.succeeded}, failed ${JSON.stringify(outcome.failed)}`);
          for (const code of Object.keys(outcome.failed)) assert.equal(code, 'VEIL_JOB_FAILED');
          assert.deepEqual(
            await leftoverTempFiles(mounted),
            [],
            'no half-written blob is left on the full disk',
          );
          await assertNoCanaries(FAULT_JOBS, [s.tmp, mounted], s.log.join(''));
        } finally {
          await s?.dispose();
          if (mounted !== undefined) execFileSync('umount', ['-l', mounted]);
          if (s !== undefined) await rm(s.dataDir, { recursive: true, force: true });
        }
      },
    );

    test(
      'a stored blob with one flipped byte is detected by its tag, reported as VEIL_BLOB_CORRUPT and never served',
      { timeout: DRAIN_MS },
      async (t) => {
        const s = await scene(SERVER_URL!, 'veil_fault_corrupt');
        const count = Math.min(FAULT_JOBS, 50);
        const workers = { stop: async () => {} };
        try {
          s.ids = await submitJobs(s.runtime, count);
          const store = { db: s.runtime.handle.db, blobs: s.runtime.blobs };
          const repos = forTenant(store, TENANT);
          const blobPath = async (
            jobId: string,
            artifact: (typeof ARTIFACT)[keyof typeof ARTIFACT],
          ): Promise<string> => {
            const row = await repos.artifacts.get(artifactId(jobId, artifact));
            assert.ok(row !== undefined);
            return join(s.dataDir, 'blobs', row.blobName.slice(2, 4), row.blobName);
          };
          const flip = async (path: string): Promise<void> => {
            const bytes = await readFile(path);
            bytes[bytes.length - 20]! ^= 0x01;
            await writeFile(path, bytes);
          };
          // Job 3's original is altered before any worker reads it.
          await flip(await blobPath(s.ids[3]!, ARTIFACT.original));
          Object.assign(
            workers,
            await startWorkers({ ...s.runtime, concurrency: 2, pollingIntervalSeconds: 0.5 }),
          );
          await until('every job to finish', DRAIN_MS, async () => allSettled(s.runtime, count));
          const outcome = await checkJobs(s.runtime, s.ids);
          assert.deepEqual(outcome, { succeeded: count - 1, failed: { VEIL_BLOB_CORRUPT: 1 } });

          // A finished job's redacted output altered on disk: refused with the code, never served.
          await flip(await blobPath(s.ids[5]!, ARTIFACT.redacted));
          await assert.rejects(
            readRedacted(store, { tenant: TENANT, jobId: s.ids[5]! }),
            (error: Error & { code?: string }) => {
              assert.equal(error.code, 'VEIL_BLOB_CORRUPT');
              for (const canary of Object.values(canaries(5))) assert.ok(!error.message.includes(canary));
              return true;
            },
          );
          // Its neighbours are untouched.
          assert.match(
            (await readRedacted(store, { tenant: TENANT, jobId: s.ids[6]! })).bytes.toString('utf8'),
            /<EMAIL_ADDRESS_1>/,
          );
          t.diagnostic(`${count} jobs: ${JSON.stringify(outcome)}; corrupted output refused`);
        } finally {
          await workers.stop();
          await s.dispose();
          await rm(s.dataDir, { recursive: true, force: true });
        }
      },
    );
  },
);
