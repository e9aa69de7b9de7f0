/**
 * Idempotent submission: a request retried with the same `Idempotency-Key` gets the job the
 * first one created, never a second job. The command takes keyed hashes of the key and of the
 * request (the caller derives them), so nothing here ever sees or stores either.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { constantTimeEqual } from '../../crypto/hmac.js';
import { VeilError } from '../../errors/veil-error.js';
import { ensureTenant, TenantIdempotencyKeys } from '../../store/index.js';
import type { Schema } from '../../store/index.js';

/** How long a key holds its job: a day, as long as any client keeps retrying one request. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * A key whose job is still not recorded this long after it was reserved was abandoned (the
 * server stopped mid-submission, or the job has since been deleted); a retry may take it over.
 */
export const IDEMPOTENCY_ABANDONED_MS = 2 * 60 * 1000;

/** What {@link submitOnce} needs to know of the request. */
export interface IdempotentRequest {
  readonly tenant: string;
  /** A keyed hash (32 bytes) of the caller's key. */
  readonly keyHash: Uint8Array;
  /** A keyed hash (32 bytes) of everything the request asks: options and document. */
  readonly requestHash: Uint8Array;
  /** Default `new Date()`. */
  readonly now?: Date;
}

/** The job a key stands for, and whether this call created it or replayed an earlier one. */
export interface IdempotentOutcome {
  readonly jobId: string;
  readonly status: string;
  readonly replayed: boolean;
}

/**
 * Runs `submit(jobId)` once per key: a first request reserves the key for a fresh job id and
 * submits; a repeat of the same request returns that job and its current status; a different
 * request with the same key is refused. A failed submission frees the key again.
 *
 * @throws VeilError `VEIL_IDEMPOTENCY_KEY_REUSED` for another request under a key in use,
 *   `VEIL_IDEMPOTENCY_IN_PROGRESS` while the first request with the key is still being submitted.
 *
 * @example
 * ```ts
 * const { jobId, replayed } = await submitOnce(db, { tenant, keyHash, requestHash },
 *   (jobId) => submitJob(deps, { ...input, jobId }),
 *   async (jobId) => (await forTenant(store, tenant).jobs.get(jobId))?.status);
 * ```
 */
export async function submitOnce(
  db: Kysely<Schema>,
  request: IdempotentRequest,
  submit: (jobId: string) => Promise<{ readonly jobId: string; readonly status: string }>,
  statusOf: (jobId: string) => Promise<string | undefined>,
): Promise<IdempotentOutcome> {
  const now = request.now ?? new Date();
  await ensureTenant(db, request.tenant);
  const keys = new TenantIdempotencyKeys(db, request.tenant);
  await keys.deleteExpired(now);
  let jobId = randomUUID();
  let reservation = await keys.reserve({
    keyHash: request.keyHash,
    requestHash: request.requestHash,
    jobId,
    expiresAt: new Date(now.getTime() + IDEMPOTENCY_TTL_MS),
    now,
  });
  if (!reservation.reserved) {
    const { record } = reservation;
    if (!constantTimeEqual(record.requestHash, request.requestHash))
      throw new VeilError(
        'VEIL_IDEMPOTENCY_KEY_REUSED',
        'jobs: this Idempotency-Key was used for a different request; use a new key for a new request',
      );
    const status = await statusOf(record.jobId);
    if (status !== undefined) return { jobId: record.jobId, status, replayed: true };
    if (now.getTime() - record.createdAt.getTime() < IDEMPOTENCY_ABANDONED_MS)
      throw new VeilError(
        'VEIL_IDEMPOTENCY_IN_PROGRESS',
        'jobs: a request with this Idempotency-Key is still being submitted; retry in a few seconds',
      );
    // Abandoned: of several retries taking it over, one wins and the others see it in progress.
    jobId = randomUUID();
    if (!(await keys.takeOver(request.keyHash, record.jobId, jobId, now)))
      throw new VeilError(
        'VEIL_IDEMPOTENCY_IN_PROGRESS',
        'jobs: a request with this Idempotency-Key is still being submitted; retry in a few seconds',
      );
    reservation = { reserved: true };
  }
  try {
    const job = await submit(jobId);
    return { jobId: job.jobId, status: job.status, replayed: false };
  } catch (error) {
    await keys.release(request.keyHash, jobId).catch(() => {});
    throw error;
  }
}
