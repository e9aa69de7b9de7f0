import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import type { Pool } from 'pg';
import { readRedacted } from '../../../src/pipeline/jobs/commands.js';
import { FAILED_QUEUE, FUSED_QUEUE, STEP_QUEUES } from '../../../src/pipeline/jobs/queues.js';
import { openRuntime } from '../../../src/runtime/runtime.js';
import type { Runtime } from '../../../src/runtime/runtime.js';
import { forTenant } from '../../../src/store/index.js';
import { DRIVERS } from '../../store/drivers.js';
import type { TestDatabase } from '../../store/drivers.js';
import { canaries, submitCanaryJobs, unsettledJobMessages } from './fixtures.js';
import { PACKAGE_ROOT } from '../../../src/package-root.js';
import { veilNodeArgs } from '../../veil-process.js';

const postgres = DRIVERS.find((d) => d.name === 'postgres')!;
const TENANT = 'tenant-sigkill';
const JOBS = 20;

function spawnWorker(env: NodeJS.ProcessEnv, log: string[]): ChildProcess {
  const child = spawn(
    process.execPath,
    veilNodeArgs(['worker', '--concurrency', '2', '--poll-seconds', '0.5']),
    { cwd: PACKAGE_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (chunk: Buffer) => log.push(chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => log.push(chunk.toString('utf8')));
  return child;
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

async function until(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// Per-step jobs (a queue message per step) and fused jobs (one message runs every step in process).
for (const route of ['steps', 'fused'] as const)
  describe(
    `a worker killed with SIGKILL mid-way, ${route === 'steps' ? 'one queue message per step' : 'fused jobs'} (PostgreSQL)`,
    { skip: postgres.skip, timeout: 180_000 },
    () => {
      let database: TestDatabase;
      let runtime: Runtime;
      let dataDir: string;
      const children: ChildProcess[] = [];

      before(async () => {
        database = await postgres.open();
        dataDir = await mkdtemp(join(tmpdir(), 'veil-sigkill-'));
      });
      after(async () => {
        for (const child of children)
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        await runtime?.close();
        await database?.dispose();
        await rm(dataDir, { recursive: true, force: true });
      });

      test('every job completes exactly once: no duplicate output, none lost', async (t) => {
        const url = (database.handle.connection as { pool: Pool & { options: { connectionString: string } } })
          .pool.options.connectionString;
        // This process creates the queues first (short step timeout, quick retries) and supervises:
        // it is what notices the killed worker's steps have expired and puts them back. A fused
        // message expires after six step timeouts (`ensureJobQueues`): 3 s make that 18 s.
        runtime = await openRuntime({
          dataDir,
          databaseUrl: url,
          queues: { retryLimit: 5, retryDelaySeconds: 1, stepTimeoutSeconds: route === 'fused' ? 3 : 5 },
          maintenanceIntervalSeconds: 1,
        });
        const ids = await submitCanaryJobs(runtime, TENANT, JOBS, route);
        const succeeded = async () =>
          Number(
            (
              await sql<{ n: string }>`select count(*) as n from jobs where status = 'succeeded'`.execute(
                runtime.handle.db,
              )
            ).rows[0]?.n ?? 0,
          );
        const env = { ...process.env, DATABASE_URL: url, VEIL_DATA_DIR: dataDir };
        const log: string[] = [];

        const first = spawnWorker(env, log);
        children.push(first);
        await until(
          'the first worker to finish some jobs',
          120_000,
          async () => (await succeeded()) >= 3,
        ).catch((error: unknown) => {
          t.diagnostic(log.join('').slice(-3000));
          throw error;
        });
        first.kill('SIGKILL');
        const killed = await exited(first);
        assert.equal(killed.signal, 'SIGKILL');
        const doneAtKill = await succeeded();
        const active = await sql<{
          n: string;
        }>`select count(*) as n from pgboss.job where state = 'active' and name like 'veil-job-%'`.execute(
          runtime.handle.db,
        );
        t.diagnostic(
          `killed with ${doneAtKill}/${JOBS} jobs done and ${active.rows[0]?.n ?? 0} steps active`,
        );
        assert.ok(doneAtKill < JOBS, 'the kill came before the work was done');
        // A fused worker runs many jobs at once: the kill lands in the middle of some of them.
        if (route === 'fused') assert.ok(Number(active.rows[0]?.n ?? 0) > 0, 'the kill came mid-job');

        const second = spawnWorker(env, log);
        children.push(second);
        await until(
          'every job to succeed and every queue message to settle',
          90_000,
          async () => (await succeeded()) === JOBS && (await unsettledJobMessages(runtime.handle)) === 0,
        );
        second.kill('SIGTERM');
        assert.equal((await exited(second)).code, 0, 'the second worker stops cleanly on SIGTERM');

        const store = { db: runtime.handle.db, blobs: runtime.blobs };
        for (const [n, jobId] of ids.entries()) {
          const repos = forTenant(store, TENANT);
          const job = await repos.jobs.get(jobId);
          assert.equal(job?.status, 'succeeded');
          assert.deepEqual(job?.countsByType, { EMAIL_ADDRESS: 1, US_SSN: 1 });
          // One artifact per class: a step that ran twice did not store its output twice.
          assert.deepEqual((await repos.artifacts.listForJob(jobId)).map((a) => a.artifactClass).sort(), [
            'findings',
            'manifest',
            'original',
            'redacted',
          ]);
          const c = canaries(n);
          const { bytes } = await readRedacted(store, { tenant: TENANT, jobId });
          assert.equal(
            bytes.toString('utf8'),
            `Claim note ${n}.\nPlease contact ${c.name} by e-mail at <EMAIL_ADDRESS_1> about the claim.\nHis social security number is ***-**-${c.ssn.slice(-4)}.\n`,
          );
        }
        // Each step of each job has exactly one queue message (fixed ids), and none reached the failure queue.
        const perStep = await sql<{ name: string; job: string; n: string }>`
      select name, data->>'jobId' as job, count(*) as n from pgboss.job
      where name like 'veil-job-%' group by name, data->>'jobId'`.execute(runtime.handle.db);
        assert.equal(perStep.rows.filter((r) => r.name === FAILED_QUEUE).length, 0);
        // These jobs ask for no fields, so none of them passes through the extract step. A fused
        // job has one message and none on the step queues.
        for (const [step, queue] of Object.entries(STEP_QUEUES))
          assert.equal(
            perStep.rows.filter((r) => r.name === queue && Number(r.n) === 1).length,
            step === 'extract' || route === 'fused' ? 0 : JOBS,
            queue,
          );
        assert.equal(
          perStep.rows.filter((r) => r.name === FUSED_QUEUE && Number(r.n) === 1).length,
          route === 'fused' ? JOBS : 0,
        );
        assert.equal(perStep.rows.filter((r) => Number(r.n) !== 1).length, 0, 'no message was sent twice');
        const output = log.join('');
        for (let n = 0; n < JOBS; n += 1)
          for (const canary of Object.values(canaries(n)))
            assert.ok(!output.includes(canary), 'worker logs hold no canary');
      });
    },
  );
