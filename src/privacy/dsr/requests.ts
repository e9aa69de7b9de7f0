/**
 * Data-subject requests: access (an export of everything Veil holds about a subject) and erasure
 * (deleting it all and crypto-shredding the keys of its tokens). A subject is found by the
 * caller's `subject_ref` (its HMAC on the job rows) or by identifiers (the subject index).
 */
import type { Kysely } from 'kysely';
import type { Keyring } from '../../crypto/keyring.js';
import { VeilError, isVeilError } from '../../errors/veil-error.js';
import { consentGrants, DatabaseTokenVault, forTenant, withTenantScope } from '../../store/index.js';
import type { BlobStore, Schema } from '../../store/index.js';
import { subjectHmacCandidates } from '../consent/subject-ref.js';
import { cancelOpenJobs } from '../consent/withdrawals.js';
import { holdsOnJobs } from '../legal-holds/holds.js';
import type { LegalHold } from '../legal-holds/holds.js';
import { scheduleDeletionNow } from '../retention/ledger.js';
import { indexedValues, jobsByIdentifiers } from './subject-index.js';
import type { DetectedValue } from './subject-index.js';

/** What a DSR needs: the store and the keyring. */
export interface DsrDeps {
  readonly db: Kysely<Schema>;
  readonly blobs: BlobStore;
  readonly keyring: Keyring;
}

/** Who the request is about: the caller's reference, or identifiers, or both. */
export interface SubjectQuery {
  readonly subjectRef?: string | undefined;
  readonly identifiers?: readonly DetectedValue[] | undefined;
}

/**
 * The vault subject a job's tokens are issued under: one key per job, so erasing a job's subject
 * destroys exactly the keys of the tokens issued for it.
 *
 * @example
 * ```ts
 * vaultSubjectOf('4f0c…'); // 'job-4f0c…'
 * ```
 */
export function vaultSubjectOf(jobId: string): string {
  return `job-${jobId}`;
}

/**
 * The ids of the tenant's jobs that name the subject. Throws `VEIL_INVALID_INPUT` when the query
 * names nothing.
 *
 * @example
 * ```ts
 * await findSubjectJobs(deps, 'acme', { identifiers: [{ type: 'EMAIL_ADDRESS', value: 'jane@example.org' }] });
 * ```
 */
export async function findSubjectJobs(
  deps: DsrDeps,
  tenantId: string,
  query: SubjectQuery,
): Promise<string[]> {
  if (query.subjectRef === undefined && (query.identifiers === undefined || query.identifiers.length === 0))
    throw new VeilError('VEIL_INVALID_INPUT', 'dsr: give a subject_ref or at least one identifier');
  const ids = new Set<string>();
  if (query.subjectRef !== undefined) {
    const hmacs = await subjectHmacCandidates(deps.keyring, tenantId, query.subjectRef);
    const rows = await withTenantScope(deps.db, tenantId, (trx) =>
      trx
        .selectFrom('jobs')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where('subject_hmac', 'in', hmacs)
        .execute(),
    );
    for (const row of rows) ids.add(row.id);
  }
  if (query.identifiers !== undefined && query.identifiers.length > 0)
    for (const id of await jobsByIdentifiers(deps, tenantId, query.identifiers)) ids.add(id);
  return [...ids].sort();
}

/** One job of a subject-access export. */
export interface SubjectJob {
  readonly jobId: string;
  readonly status: string;
  readonly purpose: string;
  readonly consent: Readonly<Record<string, boolean | string>>;
  readonly policyHash: string;
  readonly region: string | null;
  readonly createdAt: Date;
  readonly endedAt: Date | null;
  /** The direct identifiers detected in the job, decrypted. */
  readonly detected: readonly DetectedValue[];
  /** The extracted fields, when the job has them (decrypted). */
  readonly fields?: unknown;
}

/**
 * The export of a subject-access request: each job with its purpose, consent, dates, fields and
 * detected values, decrypted. The caller audits it and adds the audit events about the jobs.
 *
 * @example
 * ```ts
 * const jobs = await subjectAccess(deps, 'acme', { subjectRef: 'patient-4471' });
 * ```
 */
export async function subjectAccess(
  deps: DsrDeps,
  tenantId: string,
  query: SubjectQuery,
): Promise<SubjectJob[]> {
  const repos = forTenant(deps, tenantId);
  const out: SubjectJob[] = [];
  for (const jobId of await findSubjectJobs(deps, tenantId, query)) {
    const job = await repos.jobs.get(jobId);
    if (job === undefined) continue;
    let fields: unknown;
    const stored = (await repos.artifacts.listForJob(jobId)).find((a) => a.artifactClass === 'fields');
    if (stored !== undefined) {
      const bytes = await repos.artifacts.read(stored.id);
      try {
        fields = JSON.parse(bytes.toString('utf8'));
      } catch {
        fields = bytes.toString('base64');
      }
    }
    out.push({
      jobId,
      status: job.status,
      purpose: job.purpose,
      consent: { basis: job.consent.basis, ...consentGrants(job.consent) },
      policyHash: job.policyHash,
      region: job.region ?? null,
      createdAt: job.createdAt,
      endedAt: job.endedAt ?? null,
      detected: await indexedValues(deps, tenantId, jobId),
      ...(fields === undefined ? {} : { fields }),
    });
  }
  return out;
}

/** The legal ground on which a job under a legal hold is withheld from erasure. */
export const ERASURE_EXEMPTION = 'gdpr_art_17_3_e';

/** A job an erasure did not delete because legal holds cover it, and those holds. */
export interface WithheldJob {
  readonly jobId: string;
  readonly holds: readonly LegalHold[];
}

/** What an erasure removed, and what it withheld: ids and counts only. */
export interface Erasure {
  readonly jobs: readonly string[];
  readonly artifacts: number;
  readonly vaultEntries: number;
  /**
   * Jobs kept for legal holds (GDPR Art. 17(3)(e): data needed for legal claims): not deleted
   * now, but cancelled if still open and due at once, so the first sweep after their last hold
   * is lifted deletes them.
   */
  readonly withheld: readonly WithheldJob[];
}

/**
 * Erases a subject: for each of its jobs, cancels it (so no step starts new work), destroys the
 * keys of the tokens issued for it and their vault entries, deletes every artifact (blob, then
 * row) and the job's row, with its ledger and index rows. Audit events stay: they hold no content.
 * Jobs under a legal hold are withheld (see {@link Erasure.withheld}) and named with their holds.
 *
 * @example
 * ```ts
 * const erased = await eraseSubject(deps, 'acme', { subjectRef: 'patient-4471' });
 * ```
 */
export async function eraseSubject(deps: DsrDeps, tenantId: string, query: SubjectQuery): Promise<Erasure> {
  const repos = forTenant(deps, tenantId);
  const vault = new DatabaseTokenVault({ db: deps.db, keyring: deps.keyring });
  const found = await findSubjectJobs(deps, tenantId, query);
  const holds = await holdsOnJobs(deps.db, tenantId, found);
  const withheld = [...holds].map(([jobId, on]) => ({ jobId, holds: on }));
  if (withheld.length > 0) {
    const ids = withheld.map((w) => w.jobId);
    const now = new Date();
    await withTenantScope(deps.db, tenantId, async (trx) => {
      await cancelOpenJobs(trx, tenantId, ids, 'erasure_requested', now);
      await scheduleDeletionNow(trx, tenantId, ids, now);
    });
  }
  const jobs = found.filter((id) => !holds.has(id));
  let artifacts = 0;
  let vaultEntries = 0;
  for (const jobId of jobs) {
    await repos.jobs.update(jobId, { status: 'cancelled' });
    vaultEntries += await vault.forgetSubject(tenantId, vaultSubjectOf(jobId));
    // A step mid-write may add an artifact after a pass lists them; a few passes settle it.
    for (let pass = 0; ; pass += 1) {
      for (const artifact of await repos.artifacts.listForJob(jobId))
        if (await repos.artifacts.delete(artifact.id)) artifacts += 1;
      try {
        await repos.jobs.delete(jobId);
        break;
      } catch (error) {
        if (pass >= 4 || (isVeilError(error) && error.code !== 'VEIL_CONFLICT')) throw error;
      }
    }
  }
  return { jobs, artifacts, vaultEntries, withheld };
}
