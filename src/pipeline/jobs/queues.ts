/**
 * The job queues: one pg-boss queue per step, each with retries, exponential backoff, a step
 * timeout and a dead-letter queue whose worker is the failure hook. Payloads carry ids only.
 */
import { createHash } from 'node:crypto';
import type PgBoss from 'pg-boss';
import { VeilError } from '../../errors/veil-error.js';
import type { PgBossDb } from '../../store/index.js';

/** The steps of a job, in order. */
export const JOB_STEPS = ['intake', 'parse', 'detect', 'anonymise', 'extract', 'finalise'] as const;

/** One step of a job. */
export type JobStep = (typeof JOB_STEPS)[number];

/** What a queue message holds: ids, never content (privacy invariant 1). */
export interface JobPayload {
  readonly tenantId: string;
  readonly jobId: string;
}

/** The queue of each step, and of the failure hook (pg-boss's dead-letter target). */
export const STEP_QUEUES: Readonly<Record<JobStep, string>> = {
  intake: 'veil-job-intake',
  parse: 'veil-job-parse',
  detect: 'veil-job-detect',
  anonymise: 'veil-job-anonymise',
  extract: 'veil-job-extract',
  finalise: 'veil-job-finalise',
};
export const FAILED_QUEUE = 'veil-job-failed';
/** The queue of fused jobs: one message runs every step of a small job in sequence (`fused.ts`). */
export const FUSED_QUEUE = 'veil-job-run';

/** Retry and timeout settings of the step queues. */
export interface QueueSettings {
  /** Attempts after the first (default 3). */
  readonly retryLimit?: number;
  /** Seconds before the first retry; doubled (with jitter) each time (default 5). */
  readonly retryDelaySeconds?: number;
  /** A step still active after this long is taken to have died with its worker and is retried (default 900). */
  readonly stepTimeoutSeconds?: number;
}

const DEFAULTS = { retryLimit: 3, retryDelaySeconds: 5, stepTimeoutSeconds: 900 } as const;

function positiveInteger(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min)
    throw new VeilError('VEIL_INVALID_OPTION', `jobs: ${name} must be an integer of at least ${min}`);
  return value;
}

/**
 * Creates the step queues and the failure queue if they do not exist. pg-boss keeps the settings
 * of the first creator, so every process may call this at start-up.
 *
 * @example
 * ```ts
 * await ensureJobQueues(boss, { retryLimit: 3, retryDelaySeconds: 5 });
 * ```
 */
export async function ensureJobQueues(boss: PgBoss, settings: QueueSettings = {}): Promise<void> {
  const retryLimit = positiveInteger('retryLimit', settings.retryLimit ?? DEFAULTS.retryLimit, 0);
  const retryDelay = positiveInteger(
    'retryDelaySeconds',
    settings.retryDelaySeconds ?? DEFAULTS.retryDelaySeconds,
    1,
  );
  const expireInSeconds = positiveInteger(
    'stepTimeoutSeconds',
    settings.stepTimeoutSeconds ?? DEFAULTS.stepTimeoutSeconds,
    1,
  );
  // The dead-letter queue must exist before a queue can name it.
  await boss.createQueue(FAILED_QUEUE, { name: FAILED_QUEUE, retryLimit: 5, retryDelay, retryBackoff: true });
  const queues: Array<[string, number]> = [
    ...JOB_STEPS.map((step): [string, number] => [STEP_QUEUES[step], expireInSeconds]),
    // A fused message runs every step: it has the time of all of them before it is taken to have died.
    [FUSED_QUEUE, expireInSeconds * JOB_STEPS.length],
  ];
  for (const [name, expire] of queues) {
    await boss.createQueue(name, {
      name,
      retryLimit,
      retryDelay,
      retryBackoff: true,
      expireInSeconds: expire,
      deadLetter: FAILED_QUEUE,
    });
  }
}

/**
 * The pg-boss id of a job's step: derived from the ids, so sending the same step twice (a retry
 * after a crash between "step done" and "message completed") inserts nothing the second time.
 *
 * @example
 * ```ts
 * await boss.send(STEP_QUEUES.parse, payload, { id: stepMessageId(payload, 'parse') });
 * ```
 */
export function stepMessageId(payload: JobPayload, step: JobStep | 'run'): string {
  const digest = createHash('sha256')
    .update(`veil-job-step\0${payload.tenantId}\0${payload.jobId}\0${step}`, 'utf8')
    .digest();
  // An RFC 9562 version 8 (custom) UUID: pg-boss keeps ids in a uuid column.
  digest[6] = (digest[6]! & 0x0f) | 0x80;
  digest[8] = (digest[8]! & 0x3f) | 0x80;
  const hex = digest.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Enqueues one step of a job; a second call for the same step is a no-op.
 *
 * @example
 * ```ts
 * await enqueueStep(boss, { tenantId, jobId }, 'intake');
 * ```
 */
export async function enqueueStep(
  boss: PgBoss,
  payload: JobPayload,
  step: JobStep,
  options: EnqueueOptions = {},
): Promise<void> {
  const data: JobPayload = { tenantId: payload.tenantId, jobId: payload.jobId };
  await boss.send(STEP_QUEUES[step], data, { id: stepMessageId(data, step), ...options });
}

/** Where a message is written: `db` (`pgBossDbIn(trx)`) puts it in the caller's transaction. */
export interface EnqueueOptions {
  readonly db?: PgBossDb;
}

/**
 * Enqueues a whole job as one message on {@link FUSED_QUEUE}; a second call is a no-op.
 *
 * @example
 * ```ts
 * await enqueueFused(boss, { tenantId, jobId });
 * ```
 */
export async function enqueueFused(
  boss: PgBoss,
  payload: JobPayload,
  options: EnqueueOptions = {},
): Promise<void> {
  const data: JobPayload = { tenantId: payload.tenantId, jobId: payload.jobId };
  await boss.send(FUSED_QUEUE, data, { id: stepMessageId(data, 'run'), ...options });
}

/**
 * Reads a queue message's payload, refusing anything but the two ids.
 *
 * @example
 * ```ts
 * const { tenantId, jobId } = payloadOf(message.data);
 * ```
 */
export function payloadOf(data: unknown): JobPayload {
  const record = data as Partial<Record<string, unknown>> | null;
  if (
    record === null ||
    typeof record !== 'object' ||
    typeof record['tenantId'] !== 'string' ||
    typeof record['jobId'] !== 'string'
  )
    throw new VeilError('VEIL_INVALID_INPUT', 'jobs: a queue message must hold { tenantId, jobId }');
  return { tenantId: record['tenantId'], jobId: record['jobId'] };
}
