/**
 * The job-row changes the steps make, each a single conditional statement, so two workers that
 * race on one job (a step retried while its first run is still alive) cannot both win.
 */
import type { Kysely } from 'kysely';
import type { ErrorCode } from '../../errors/catalogue.js';
import type { RetentionClass } from '../../policy/index.js';
import { applyRetention, planRetention } from '../../privacy/retention/ledger.js';
import { forTenant, withTenantScope } from '../../store/index.js';
import type { Artifact, JobStatus, Schema, StoreContext } from '../../store/index.js';
import type { JobPayload } from './queues.js';

/**
 * Moves a job from one of `from` to `to`; false when it was in no such state (or is gone).
 *
 * @example
 * ```ts
 * await transitionJob(db, payload, ['queued'], 'running');
 * ```
 */
export function transitionJob(
  db: Kysely<Schema>,
  payload: JobPayload,
  from: readonly JobStatus[],
  to: JobStatus,
  errorCode: ErrorCode | null = null,
): Promise<boolean> {
  return withTenantScope(db, payload.tenantId, (trx) => transitionJobIn(trx, payload, from, to, errorCode));
}

/**
 * {@link transitionJob} inside the caller's transaction, under the job's tenant scope: a step
 * moves the job in the transaction that writes the rest of its rows.
 *
 * @example
 * ```ts
 * await withTenantScope(db, payload.tenantId, (trx) => transitionJobIn(trx, payload, ['queued'], 'running'));
 * ```
 */
export async function transitionJobIn(
  trx: Kysely<Schema>,
  payload: JobPayload,
  from: readonly JobStatus[],
  to: JobStatus,
  errorCode: ErrorCode | null = null,
): Promise<boolean> {
  const result = await trx
    .updateTable('jobs')
    .set({
      status: to,
      error_code: errorCode,
      updated_at: new Date(),
      ...(to === 'queued' || to === 'running' ? {} : { ended_at: new Date() }),
    })
    .where('tenant_id', '=', payload.tenantId)
    .where('id', '=', payload.jobId)
    .where('status', 'in', [...from])
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * Finishes a running job (or one in another of `from`, such as `awaiting_review`): the status becomes `succeeded` and each artifact's `delete_after`
 * its retention class's window from now (the job's own, the latest of them), in one
 * transaction. False when the job was not running.
 *
 * @example
 * ```ts
 * await completeJob(db, payload, retentionWindows(policy, days));
 * ```
 */
export function completeJob(
  db: Kysely<Schema>,
  payload: JobPayload,
  windows: Readonly<Record<RetentionClass, number>>,
  from: readonly JobStatus[] = ['running'],
): Promise<boolean> {
  return withTenantScope(db, payload.tenantId, (trx) => completeJobIn(trx, payload, windows, from));
}

/**
 * {@link completeJob} inside the caller's transaction, under the job's tenant scope.
 *
 * @example
 * ```ts
 * await withTenantScope(db, payload.tenantId, (trx) => completeJobIn(trx, payload, windows, ['running']));
 * ```
 */
export async function completeJobIn(
  trx: Kysely<Schema>,
  payload: JobPayload,
  windows: Readonly<Record<RetentionClass, number>>,
  from: readonly JobStatus[] = ['running'],
): Promise<boolean> {
  const endedAt = new Date();
  const schedule = await planRetention(trx, payload.tenantId, payload.jobId, windows, endedAt);
  const done = await trx
    .updateTable('jobs')
    .set({ status: 'succeeded', ended_at: endedAt, updated_at: endedAt, delete_after: schedule.last })
    .where('tenant_id', '=', payload.tenantId)
    .where('id', '=', payload.jobId)
    .where('status', 'in', [...from])
    .executeTakeFirst();
  if (done.numUpdatedRows === 0n) return false;
  await applyRetention(trx, schedule);
  return true;
}

/**
 * Hard-deletes a job's artifacts (blob first, then row), except the classes in `keep`.
 * Returns what was deleted.
 *
 * @example
 * ```ts
 * await discardArtifacts(ctx, payload); // everything
 * await discardArtifacts(ctx, payload, { only: ['parsed'] });
 * ```
 */
export async function discardArtifacts(
  ctx: StoreContext,
  payload: JobPayload,
  options: { readonly only?: readonly string[] } = {},
): Promise<Artifact[]> {
  const repos = forTenant(ctx, payload.tenantId);
  const deleted: Artifact[] = [];
  for (const artifact of await repos.artifacts.listForJob(payload.jobId)) {
    if (options.only !== undefined && !options.only.includes(artifact.artifactClass)) continue;
    if (await repos.artifacts.delete(artifact.id)) deleted.push(artifact);
  }
  return deleted;
}

/**
 * The failure hook: marks a job that has not finished `failed` with a stable code and deletes
 * every artifact it has, so nothing of the document outlives the failure. Repeating it is safe:
 * a job already failed only has its artifacts swept again; a finished job is left alone.
 *
 * @example
 * ```ts
 * await failJob(ctx, payload, 'VEIL_UNSUPPORTED_TYPE');
 * ```
 */
export async function failJob(ctx: StoreContext, payload: JobPayload, code: ErrorCode): Promise<void> {
  const job = await forTenant(ctx, payload.tenantId).jobs.get(payload.jobId);
  if (
    job === undefined ||
    job.status === 'succeeded' ||
    job.status === 'awaiting_review' ||
    job.status === 'cancelled'
  )
    return;
  // Artifacts first, so a caller who sees `failed` knows nothing is left; then again after the
  // status, for anything a step still running elsewhere wrote in between (it stops once it sees
  // the status).
  await discardArtifacts(ctx, payload);
  if (job.status !== 'failed') await transitionJob(ctx.db, payload, ['queued', 'running'], 'failed', code);
  await discardArtifacts(ctx, payload);
}
