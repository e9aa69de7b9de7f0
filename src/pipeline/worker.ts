/**
 * Job workers: each step's queue polled by handlers that run the pipeline's idempotent steps.
 * The runtime they run on (database, keyring, blobs, pg-boss) is opened by `src/runtime`.
 */
import type PgBoss from 'pg-boss';
import type { Keyring } from '../crypto/keyring.js';
import type { ErrorCode } from '../errors/catalogue.js';
import { VeilError, isVeilError } from '../errors/veil-error.js';
import { DatabaseTokenVault } from '../store/index.js';
import type { BlobStore, DatabaseHandle, StoreContext } from '../store/index.js';
import { enqueueStep, FAILED_QUEUE, FUSED_QUEUE, JOB_STEPS, payloadOf, STEP_QUEUES } from './jobs/queues.js';
import type { JobPayload, JobStep } from './jobs/queues.js';
import { discardArtifacts, failJob } from './jobs/records.js';
import { createJobTasks, jobSnapshot, stepEnv } from './jobs/steps.js';
import type { JobModelServices, JobSnapshot, StepOutcome, StepServices } from './jobs/steps.js';
import { runFusedSteps } from './jobs/fused.js';
import { HeldWrites, runsWhole } from './jobs/held-writes.js';
import { groupHeldCommits } from './jobs/held-commits.js';
import { groupOpeningReads } from './jobs/opening-reads.js';
import { workInBatches } from './batched-worker.js';
import type { BatchedWorker } from './batched-worker.js';

/** Something a worker reports: ids, steps, codes and attempts only, never content. */
export interface WorkerEvent {
  readonly kind: 'step-done' | 'step-retry' | 'job-failed' | 'queue-error';
  readonly step?: JobStep;
  readonly tenantId?: string;
  readonly jobId?: string;
  readonly code?: string;
  readonly attempt?: number;
  /** For `queue-error`: pg-boss's message (queue names and SQL states; payloads hold ids only). */
  readonly detail?: string;
}

/** What {@link startWorkers} takes. */
export interface WorkerOptions {
  readonly handle: DatabaseHandle;
  readonly boss: PgBoss;
  readonly keyring: Keyring;
  readonly blobs: BlobStore;
  /** Jobs each step runs at once in this process (default 1). */
  readonly concurrency?: number;
  /**
   * Fused jobs (small text jobs whose steps run in one message) this process runs at once;
   * default {@link fusedConcurrencyFor} of `concurrency`.
   */
  readonly fusedConcurrency?: number;
  /** How often an idle worker polls its queue, in seconds (default 1; pg-boss's minimum is 0.5). */
  readonly pollingIntervalSeconds?: number;
  /** Called for each event, for logs and metrics. */
  readonly onEvent?: (event: WorkerEvent) => void;
  /** The AI provider of the `model` and `auto` extractors (`VEIL_AI_*`); absent, jobs cannot ask one. */
  readonly model?: JobModelServices;
  /** The review crop renderer and the audit log the extract step records task creation in. */
  readonly review?: Pick<StepServices, 'audit' | 'renderCrop'>;
  /** Where the detect step analyses a job's text (the service's detection pool); in process without it. */
  readonly analyzeText?: StepServices['analyzeText'];
}

/** Running workers. */
export interface Workers {
  /**
   * Wakes this process's workers of a step so that an idle one looks now rather than at its next
   * poll; call it after enqueueing that step here (the API does after each submitted job).
   */
  wake(step: JobStep): void;
  /** Stops polling and waits for the steps in flight to finish. */
  stop(): Promise<void>;
}

/**
 * Codes worth retrying: the database, the key provider or the OCR engine may come back. Any
 * other VeilError is about the document or the request, and retrying cannot change it.
 */
const TRANSIENT_CODES: ReadonlySet<string> = new Set([
  'VEIL_STORE_UNAVAILABLE',
  // A full disk may be freed: the step backs off and tries again, and fails the job if it is not.
  'VEIL_STORE_FULL',
  // An S3 bucket or credentials fixed by the operator (recreated, rotated) serve again.
  'VEIL_STORE_BUCKET_MISSING',
  'VEIL_STORE_ACCESS_DENIED',
  'VEIL_KEY_PROVIDER',
  'VEIL_OCR_FAILED',
  // The AI provider may be back after a restart or an overload.
  'VEIL_AI_PROVIDER',
  'VEIL_INTERNAL',
  // The detection pool's queue was full, or the pool was closing as the service stopped.
  'VEIL_BUSY',
  'VEIL_NOT_READY',
]);

function permanentCode(error: unknown): ErrorCode | undefined {
  if (!isVeilError(error) || TRANSIENT_CODES.has(error.code)) return undefined;
  return error.code;
}

/**
 * How many fused jobs a process runs at once for a per-step `concurrency`: 8 per unit. A fused
 * job is a text of at most 256 KiB whose time is mostly waiting on the database, so many in
 * flight keep the cores busy while their memory stays small (a few MB each).
 *
 * @example
 * ```ts
 * fusedConcurrencyFor(2); // 16
 * ```
 */
export function fusedConcurrencyFor(concurrency: number): number {
  return Math.min(256, concurrency * 8);
}

/**
 * Starts one fetch loop on each step queue running `concurrency` messages at once,
 * `fusedConcurrency` on the fused queue and one on the failure queue (pg-boss's dead-letter
 * target, reached when a step has used up its retries). A step that fails with an
 * error about the document fails the job at once, with that error's code; anything else is
 * retried with exponential backoff. Whatever fails a job, its artifacts are deleted.
 *
 * @example
 * ```ts
 * const runtime = await openRuntime({ dataDir: './.veil' });
 * const workers = await startWorkers({ ...runtime, concurrency: 2 });
 * process.once('SIGTERM', () => void workers.stop().then(() => runtime.close()));
 * ```
 */
export async function startWorkers(options: WorkerOptions): Promise<Workers> {
  const concurrency = options.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64)
    throw new VeilError('VEIL_INVALID_OPTION', 'worker: concurrency must be an integer from 1 to 64');
  const fusedConcurrency = options.fusedConcurrency ?? fusedConcurrencyFor(concurrency);
  if (!Number.isInteger(fusedConcurrency) || fusedConcurrency < 1 || fusedConcurrency > 256)
    throw new VeilError('VEIL_INVALID_OPTION', 'worker: fusedConcurrency must be an integer from 1 to 256');
  const { boss } = options;
  const store: StoreContext = { db: options.handle.db, blobs: options.blobs };
  const tasks = createJobTasks({
    keyring: options.keyring,
    vault: new DatabaseTokenVault({ db: options.handle.db, keyring: options.keyring }),
    ...(options.model ? { model: options.model } : {}),
    ...(options.analyzeText ? { analyzeText: options.analyzeText } : {}),
    ...options.review,
  });
  // Held fused runs that end together share one transaction (`jobs/held-commits.ts`).
  const heldCommits = groupHeldCommits(store);
  // A fetched batch of fused jobs reads its jobs together (`jobs/opening-reads.ts`).
  const openingReads = groupOpeningReads(store);
  const emit = (event: WorkerEvent): void => {
    try {
      options.onEvent?.(event);
    } catch {
      // A failing logger must not fail a job.
    }
  };
  /** Each queue's fetch loop, by queue name. */
  const loops = new Map<string, BatchedWorker>();
  const wake = (queue: string): void => loops.get(queue)?.wake();

  /**
   * What a step's failure does: an error about the document fails the job (answers undefined);
   * anything else is reported and thrown back, for pg-boss to retry the message.
   */
  const stepFailed = async (
    step: JobStep,
    payload: JobPayload,
    attempt: number,
    report: (event: WorkerEvent) => void,
    error: unknown,
  ): Promise<undefined> => {
    const code = permanentCode(error);
    if (code !== undefined) {
      await failJob(store, payload, code);
      report({ kind: 'job-failed', step, ...payload, code });
      return undefined;
    }
    const seen = isVeilError(error) ? error.code : 'unexpected error';
    report({ kind: 'step-retry', step, ...payload, code: seen, attempt });
    // pg-boss stores what is thrown in its job table: a new error with the step and code only,
    // never the original message (a library's message may quote the document).
    throw new Error(`veil job step ${step} failed (${seen})`);
  };

  /**
   * Runs one step of a job (or finds it done) and names the next; undefined when the job has
   * ended meanwhile (gone, failed, cancelled) or was not runnable at this step. A step that fails
   * with an error about the document fails the job; anything else is thrown back for a retry.
   */
  const runStepOnce = async (
    step: JobStep,
    payload: JobPayload,
    attempt: number,
    report: (event: WorkerEvent) => void = emit,
    found?: JobSnapshot,
    held?: HeldWrites,
  ): Promise<{ readonly next: JobStep | null; readonly after: JobSnapshot } | undefined> => {
    const env = await stepEnv(store, payload, step, found, held);
    if (env === undefined) return undefined;
    let outcome: StepOutcome;
    try {
      outcome = await tasks[step].run(env);
    } catch (error) {
      return stepFailed(step, payload, attempt, report, error);
    }
    // A failure hook or a deletion may have run meanwhile: sweep anything this run wrote. The
    // same read (the step's own closing read, when it wrote anything) is what the next step of a
    // fused run starts from.
    const after =
      outcome.after === undefined ? await jobSnapshot(store, payload) : (outcome.after ?? undefined);
    const status = after?.job.status;
    if (after === undefined || status === 'failed' || status === 'cancelled') {
      if (status === 'failed') await discardArtifacts(store, payload);
      return undefined;
    }
    report({ kind: 'step-done', step, ...payload });
    return { next: outcome.next, after };
  };

  const runStep = async (step: JobStep, message: PgBoss.JobWithMetadata<object>): Promise<void> => {
    const payload: JobPayload = payloadOf(message.data);
    const outcome = await runStepOnce(step, payload, message.retryCount + 1);
    if (outcome !== undefined && outcome.next !== null) {
      await enqueueStep(boss, payload, outcome.next);
      // Wake this process's idle workers of the next step rather than wait for their poll.
      wake(STEP_QUEUES[outcome.next]);
    }
  };

  // A fused job: every step in this process, one after another; a retry starts again from
  // intake and skips what is done. Its step events are told together when the run ends (or
  // stops), in order, so the audit log records a job's steps in one append, not one per step.
  // A job found queued and untouched runs with its writes held, recorded in one transaction at
  // the end (`jobs/held-writes.ts`); its steps' events are told only once that has committed.
  const runFused = async (message: PgBoss.JobWithMetadata<object>): Promise<void> => {
    const payload: JobPayload = payloadOf(message.data);
    const attempt = message.retryCount + 1;
    const told: WorkerEvent[] = [];
    // Each step starts from the job as the previous one's closing read found it.
    let found: JobSnapshot | undefined = await openingReads.read(payload);
    const run = async (held?: HeldWrites): Promise<boolean> => {
      const done: WorkerEvent[] = [];
      let ended = false;
      await runFusedSteps(async (step) => {
        const outcome = await runStepOnce(
          step,
          payload,
          attempt,
          (event) => (held?.holding === true && event.kind === 'step-done' ? done : told).push(event),
          found,
          held,
        );
        found = outcome?.after;
        ended = outcome?.next === null;
        return outcome;
      });
      if (held?.holding !== true) {
        told.push(...done);
        return true;
      }
      // A run that ended early (the job failed, or was gone) holds writes nobody may record.
      if (!ended) return true;
      let after: JobSnapshot | undefined;
      try {
        after = await heldCommits.commit(held, payload);
      } catch (error) {
        // The commit records every step, and ends with finalise's: it fails as that step does.
        await stepFailed('finalise', payload, attempt, (event) => told.push(event), error);
        return true;
      }
      if (after === undefined) return false;
      told.push(...done);
      return true;
    };
    try {
      const whole = found !== undefined && runsWhole(found);
      if (whole && (await run(new HeldWrites(found!.job, found!.ledgerClasses)))) return;
      // Another run (or a cancellation, or a deletion) came first: step by step from the store.
      if (whole) found = undefined;
      await run();
    } finally {
      for (const event of told) emit(event);
    }
  };

  const pollingIntervalSeconds = options.pollingIntervalSeconds ?? 1;
  const onError = (error: unknown): void =>
    emit({
      kind: 'queue-error',
      detail: error instanceof Error ? error.message.slice(0, 200) : 'job queue: unknown error',
    });
  // One fetch loop a queue (`batched-worker.ts`): a message is fetched as soon as a slot is free,
  // each settles alone, and an idle queue is polled once per interval, where `concurrency` pg-boss
  // workers each polled (six step queues: 12 empty polls per interval at concurrency 2, now 6).
  const loop = (
    queue: string,
    slots: number,
    handle: (message: PgBoss.JobWithMetadata<object>) => Promise<unknown>,
  ): void => {
    loops.set(
      queue,
      workInBatches({ boss, queue, concurrency: slots, pollingIntervalSeconds, handle, onError }),
    );
  };
  for (const step of JOB_STEPS) loop(STEP_QUEUES[step], concurrency, (message) => runStep(step, message));
  // Fused jobs: batched fetches and acknowledgements too.
  loop(FUSED_QUEUE, fusedConcurrency, runFused);
  loop(FAILED_QUEUE, 1, async (message) => {
    const payload = payloadOf(message.data);
    await failJob(store, payload, 'VEIL_JOB_FAILED');
    emit({ kind: 'job-failed', ...payload, code: 'VEIL_JOB_FAILED' });
  });

  let stopped: Promise<void> | undefined;
  return {
    wake: (step) => {
      wake(STEP_QUEUES[step]);
      // A submitted job enters at intake or as one fused message.
      if (step === 'intake') wake(FUSED_QUEUE);
    },
    stop: () =>
      (stopped ??= (async () => {
        await Promise.all([...loops.values()].map((l) => l.stop()));
      })()),
  };
}
