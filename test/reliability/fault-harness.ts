/**
 * The fault tests' wiring: queued canary text jobs on PostgreSQL, `veil worker` processes (the
 * real CLI, as deployed) that a test kills, starves of disk or cuts off from the database, and
 * the checks every fault must pass: each job completes exactly once or fails with a stable code,
 * no output is duplicated or lost, and no canary is left in plaintext in temp files, blobs or
 * logs.
 *
 * `VEIL_FAULT_JOBS` sets how many jobs each test queues (default 30; `npm run test:faults` runs
 * 1,000).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sql } from 'kysely';
import { ERROR_CATALOGUE } from '../../src/errors/catalogue.js';
import { readRedacted } from '../../src/pipeline/jobs/commands.js';
import { FAILED_QUEUE, STEP_QUEUES } from '../../src/pipeline/jobs/queues.js';
import type { Runtime } from '../../src/runtime/runtime.js';
import { forTenant, SYSTEM_SCOPE, withTenantScope } from '../../src/store/index.js';
import { canaries, submitCanaryJobs, unsettledJobMessages } from '../pipeline/jobs/fixtures.js';
import { PACKAGE_ROOT } from '../../src/package-root.js';
import { veilNodeArgs } from '../veil-process.js';

export const FAULT_JOBS = Number(process.env.VEIL_FAULT_JOBS ?? 30);
export const TENANT = 'tenant-faults';
/**
 * Quick retries and a short step timeout, so a killed worker's steps come back in seconds. The jobs
 * are fused, whose messages expire after six step timeouts (`ensureJobQueues`): 18 s, which every
 * kill and crash test waits out once. A fused canary job takes under 1.1 s even at a load average of
 * 14 on 2 cores; one that outlives its message is retried, and each job still ends exactly once.
 */
export const FAULT_QUEUES = { retryLimit: 6, retryDelaySeconds: 1, stepTimeoutSeconds: 3 } as const;

/** Starts `veil worker` with its output kept in `log`. */
export function spawnWorker(env: NodeJS.ProcessEnv, log: string[], concurrency = 2): ChildProcess {
  const child = spawn(
    process.execPath,
    // Two fused jobs at a time, so a kill lands while most jobs are still to run.
    veilNodeArgs([
      'worker',
      '--concurrency',
      String(concurrency),
      '--fused-concurrency',
      '2',
      '--poll-seconds',
      '0.5',
    ]),
    { cwd: PACKAGE_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (chunk: Buffer) => log.push(chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => log.push(chunk.toString('utf8')));
  return child;
}

/** How many workers writing to `log` have started (each says so once it handles SIGTERM). */
export function workersStarted(log: readonly string[]): number {
  return (log.join('').match(/veil worker: \d+ worker\(s\) per step, pid \d+; stop with SIGTERM/g) ?? [])
    .length;
}

export function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

export async function until(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Queues `count` canary text jobs; returns their ids in order (job n holds canaries(n)). */
export function submitJobs(runtime: Runtime, count: number): Promise<string[]> {
  return submitCanaryJobs(runtime, TENANT, count);
}

/** Jobs by status. */
export async function statusCounts(runtime: Runtime): Promise<Record<string, number>> {
  const rows = await withTenantScope(runtime.handle.db, SYSTEM_SCOPE, (trx) =>
    sql<{ status: string; n: string }>`select status, count(*) as n from jobs group by status`.execute(trx),
  );
  return Object.fromEntries(rows.rows.map((r) => [r.status, Number(r.n)]));
}

/** How many jobs have finished, one way or the other. */
export async function finished(runtime: Runtime): Promise<number> {
  const counts = await statusCounts(runtime);
  return (counts['succeeded'] ?? 0) + (counts['failed'] ?? 0);
}

/** True once `count` jobs have finished and no queue message is left to run (see unsettledJobMessages). */
export async function allSettled(runtime: Runtime, count: number): Promise<boolean> {
  return (await finished(runtime)) === count && (await unsettledJobMessages(runtime.handle)) === 0;
}

/** What a finished run looks like. */
export interface Outcome {
  readonly succeeded: number;
  /** Failed jobs by error code. */
  readonly failed: Record<string, number>;
}

/**
 * Checks every job: a succeeded one has exactly one artifact of each class and the right redacted
 * output; a failed one has a catalogue code and no artifacts left; each step of each job has at
 * most one queue message; no job is still queued or running.
 */
export async function checkJobs(runtime: Runtime, ids: readonly string[]): Promise<Outcome> {
  const store = { db: runtime.handle.db, blobs: runtime.blobs };
  const repos = forTenant(store, TENANT);
  let succeeded = 0;
  const failed: Record<string, number> = {};
  for (const [n, jobId] of ids.entries()) {
    const job = await repos.jobs.get(jobId);
    assert.ok(job !== undefined, `job ${n} was lost`);
    const classes = (await repos.artifacts.listForJob(jobId)).map((a) => a.artifactClass).sort();
    if (job.status === 'succeeded') {
      succeeded += 1;
      assert.deepEqual(
        classes,
        ['findings', 'manifest', 'original', 'redacted'],
        `job ${n}: one artifact per class`,
      );
      assert.deepEqual(job.countsByType, { EMAIL_ADDRESS: 1, US_SSN: 1 });
      const c = canaries(n);
      const { bytes } = await readRedacted(store, { tenant: TENANT, jobId });
      assert.equal(
        bytes.toString('utf8'),
        `Claim note ${n}.\nPlease contact ${c.name} by e-mail at <EMAIL_ADDRESS_1> about the claim.\nHis social security number is ***-**-${c.ssn.slice(-4)}.\n`,
      );
    } else {
      assert.equal(job.status, 'failed', `job ${n} ended ${job.status}`);
      const code = job.errorCode ?? 'none';
      assert.ok(code in ERROR_CATALOGUE, `job ${n} failed with a catalogue code (${code})`);
      failed[code] = (failed[code] ?? 0) + 1;
      assert.deepEqual(classes, [], `failed job ${n} keeps no artifacts`);
    }
  }
  const perStep = await sql<{ name: string; n: string }>`
    select name, count(*) as n from pgboss.job where name like 'veil-job-%' and name <> ${FAILED_QUEUE}
    group by name, data->>'jobId' having count(*) > 1`.execute(runtime.handle.db);
  assert.deepEqual(perStep.rows, [], 'no step of any job was queued twice');
  assert.equal(Object.values(STEP_QUEUES).length, 6, 'intake, parse, detect, anonymise, extract, finalise');
  return { succeeded, failed };
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

/** Asserts that no canary of jobs 0..count-1 appears in any file under `dirs` or in `text`. */
export async function assertNoCanaries(count: number, dirs: readonly string[], text: string): Promise<void> {
  const needles = Array.from({ length: count }, (_, n) => canaries(n)).flatMap((c) => [c.ssn, c.email]);
  const haystacks: Array<[string, string]> = [['logs', text]];
  for (const dir of dirs)
    for (const file of await filesUnder(dir))
      haystacks.push([file, (await readFile(file)).toString('latin1')]);
  for (const [where, hay] of haystacks)
    for (const needle of needles) assert.ok(!hay.includes(needle), `a canary in plaintext in ${where}`);
}

/** Temp files of interrupted blob writes left under `dir`. */
export async function leftoverTempFiles(dir: string): Promise<string[]> {
  return (await filesUnder(dir)).filter((f) => /\.tmp-[0-9a-f]+$/.test(f));
}
