/**
 * Consent withdrawal: a data subject (by the HMAC of its reference) or a single job withdraws
 * consent for some purposes, or all. Withdrawal cancels the subject's queued and running jobs of
 * those purposes (status `cancelled`, reason `consent_withdrawn`), brings every deadline of their
 * artifacts to now so the next retention sweep deletes them, and refuses new jobs of the subject
 * for those purposes.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { VeilError } from '../../errors/veil-error.js';
import { withTenantScope } from '../../store/index.js';
import type { Schema } from '../../store/index.js';
import { scheduleDeletionNow } from '../retention/ledger.js';

/** Who withdraws: a subject (every HMAC its reference may have) or one job. */
export type WithdrawalTarget = { readonly subjectHmacs: readonly string[] } | { readonly jobId: string };

/** What {@link withdrawConsent} did: ids and counts. */
export interface Withdrawal {
  readonly withdrawalId: string;
  /** Jobs cancelled (they were queued or running). */
  readonly cancelled: readonly string[];
  /** Jobs (ended or cancelled now) whose artifacts are now due for deletion. */
  readonly scheduled: readonly string[];
}

/**
 * Records a withdrawal and applies it, in one transaction.
 *
 * @example
 * ```ts
 * const w = await withdrawConsent(db, 'acme', { subjectHmacs: await subjectHmacCandidates(keyring, 'acme', ref) }, ['kyc']);
 * ```
 */
export async function withdrawConsent(
  db: Kysely<Schema>,
  tenantId: string,
  target: WithdrawalTarget,
  purposes: readonly string[] | undefined,
  now: Date = new Date(),
): Promise<Withdrawal> {
  const withdrawalId = randomUUID();
  return withTenantScope(db, tenantId, async (trx) => {
    let query = trx
      .selectFrom('jobs')
      .select(['id', 'status', 'subject_hmac'])
      .where('tenant_id', '=', tenantId);
    if ('jobId' in target) query = query.where('id', '=', target.jobId);
    else
      query = query.where(
        'subject_hmac',
        'in',
        target.subjectHmacs.length > 0 ? [...target.subjectHmacs] : [''],
      );
    if (purposes !== undefined) query = query.where('purpose', 'in', [...purposes]);
    const jobs = await query.execute();
    if ('jobId' in target && jobs.length === 0)
      throw new VeilError('VEIL_NOT_FOUND', 'consent: no such job in this tenant (for those purposes)');
    // A job-scoped withdrawal of a job with a subject also refuses that subject's new jobs.
    const subject =
      'jobId' in target ? (jobs[0]?.subject_hmac ?? null) : (target.subjectHmacs.at(-1) ?? null);
    await trx
      .insertInto('consent_withdrawals')
      .values({
        tenant_id: tenantId,
        id: withdrawalId,
        subject_hmac: subject,
        job_id: subject === null && 'jobId' in target ? target.jobId : null,
        purposes: purposes === undefined ? null : [...purposes],
        created_at: now,
      })
      .execute();
    const ids = jobs.map((j) => j.id);
    const cancelled = await cancelOpenJobs(trx, tenantId, ids, 'consent_withdrawn', now);
    await scheduleDeletionNow(trx, tenantId, ids, now);
    return { withdrawalId, cancelled, scheduled: ids };
  });
}

/**
 * Cancels those of the jobs still queued or running, with a reason code, inside the caller's
 * transaction; returns their ids. A cancelled job starts no further step.
 *
 * @example
 * ```ts
 * const cancelled = await cancelOpenJobs(trx, 'acme', ids, 'consent_withdrawn', new Date());
 * ```
 */
export async function cancelOpenJobs(
  trx: Kysely<Schema>,
  tenantId: string,
  jobIds: readonly string[],
  reason: string,
  now: Date,
): Promise<string[]> {
  if (jobIds.length === 0) return [];
  const rows = await trx
    .updateTable('jobs')
    .set({ status: 'cancelled', cancel_reason: reason, ended_at: now, updated_at: now })
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', [...jobIds])
    .where('status', 'in', ['queued', 'running'])
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

/**
 * Refuses (`VEIL_CONSENT_WITHDRAWN`) a new job of a subject who withdrew consent for its purpose.
 *
 * @example
 * ```ts
 * await assertConsentStands(db, 'acme', candidates, 'kyc');
 * ```
 */
export async function assertConsentStands(
  db: Kysely<Schema>,
  tenantId: string,
  subjectHmacs: readonly string[],
  purpose: string,
): Promise<void> {
  if (subjectHmacs.length === 0) return;
  const rows = await withTenantScope(db, tenantId, (trx) =>
    trx
      .selectFrom('consent_withdrawals')
      .select('purposes')
      .where('tenant_id', '=', tenantId)
      .where('subject_hmac', 'in', [...subjectHmacs])
      .execute(),
  );
  if (rows.some((r) => r.purposes === null || r.purposes.includes(purpose)))
    throw new VeilError(
      'VEIL_CONSENT_WITHDRAWN',
      'jobs: the data subject has withdrawn consent for this purpose',
    );
}
