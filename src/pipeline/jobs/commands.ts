/**
 * The commands the API (and the CLI) call on a job after submitting it. They take plain inputs
 * and the store, never a transport's request, and return plain values.
 */
import { VeilError } from '../../errors/veil-error.js';
import { holdsOnJobs } from '../../privacy/legal-holds/holds.js';
import { retentionEntriesOf } from '../../privacy/retention/ledger.js';
import type { RetentionEntry } from '../../privacy/retention/ledger.js';
import { checkId, forTenant, withTenantScope } from '../../store/index.js';
import type { Job, JobPosition, JobStatus, StoreContext, TenantRepositories } from '../../store/index.js';
import type { Finding } from '../../engine/types.js';
import { ARTIFACT, artifactId, decodeManifest, unframeOutput } from './request.js';
import type { ArtifactClass } from './request.js';
import { jobText } from './text.js';
import type { FieldsResult } from '../../ai/fields/spec.js';
import type { JobTemplate } from '../../store/index.js';
import { renderPdfPageImage } from '../../documents/page-image.js';
import type { PageImage } from '../../documents/page-image.js';
import type { DocumentLimits } from '../../documents/limits.js';
/** The consent grants as the API names them (the status view's `consent`). */
export { consentGrants, type JobConsent } from '../../store/index.js';

/** Which job: the tenant comes from the authenticated principal. */
export interface JobRef {
  readonly tenant: string;
  readonly jobId: string;
}

/** A job's status: codes, hashes and counts, never values. */
export interface JobStatusView {
  readonly jobId: string;
  readonly status: JobStatus;
  readonly purpose: string;
  readonly consent: Job['consent'];
  readonly policyHash: string;
  /** Counts of findings by entity type, once the detect step has run. */
  readonly countsByType: Readonly<Record<string, number>>;
  /** The stable code a failed job failed with. */
  readonly errorCode: string | null;
  /** True once the redacted output can be read. */
  readonly redactedAvailable: boolean;
  /** The field template the job extracts under (name, version, hash), or null. */
  readonly template: JobTemplate | null;
  /** True once the extracted fields can be read. */
  readonly fieldsAvailable: boolean;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  /** When the job's record and artifacts are deleted. */
  readonly deleteAfter: Date;
  /** The region it was accepted in, and why it was cancelled (a code), when it was. */
  readonly region?: string | null;
  readonly cancelReason?: string | null;
  /** The policy id and hash, and each retention class's deadline and deletion. */
  readonly retention?: {
    readonly policyId: string | null;
    readonly policyHash: string;
    readonly classes: readonly RetentionEntry[];
  };
}

function notFound(): VeilError {
  return new VeilError('VEIL_NOT_FOUND', 'jobs: no such job in this tenant');
}

/**
 * A job's status. Throws `VEIL_NOT_FOUND` for an unknown id, or another tenant's.
 *
 * @example
 * ```ts
 * const view = await getJobStatus({ db, blobs }, { tenant: principal.tenantId, jobId });
 * view.countsByType; // { EMAIL_ADDRESS: 2, US_SSN: 1 }
 * ```
 */
export async function getJobStatus(store: StoreContext, ref: JobRef): Promise<JobStatusView> {
  const repos = forTenant(store, ref.tenant);
  checkId('jobId', ref.jobId);
  // One statement: the row with its artifacts and its ledger. Callers poll this while a job
  // runs, so its round trips count.
  const read = await withTenantScope(store.db, ref.tenant, (trx) =>
    repos.jobs.getWithLedgerIn(trx, ref.jobId),
  );
  if (read === undefined) throw notFound();
  const { job, artifacts } = read;
  const classes = retentionEntriesOf(read.ledger);
  // A finished job whose every class has been deleted answers with its deletion receipt.
  if (
    (job.status === 'succeeded' || job.status === 'cancelled') &&
    classes.length > 0 &&
    classes.every((c) => c.deletedAt !== null)
  ) {
    const leaves = classes.map((c) => c.receiptLeaf).filter((l): l is number => l !== null);
    throw new VeilError(
      'VEIL_JOB_EXPIRED',
      leaves.length === classes.length
        ? `jobs: every artifact of the job was deleted under its retention policy; deletion receipt: leaf ${Math.max(...leaves)} of the tenant's audit log`
        : `jobs: every artifact of the job was deleted under its retention policy; its deletion receipt is being recorded, retry shortly`,
    );
  }
  const has = (artifactClass: ArtifactClass): boolean =>
    artifacts.some((a) => a.id === artifactId(job.id, artifactClass));
  const redacted = job.status === 'succeeded' && has(ARTIFACT.redacted);
  const fields = job.status === 'succeeded' && has(ARTIFACT.fields);
  return {
    jobId: job.id,
    status: job.status,
    purpose: job.purpose,
    consent: job.consent,
    policyHash: job.policyHash,
    countsByType: job.countsByType,
    errorCode: job.errorCode,
    redactedAvailable: redacted,
    template: job.template,
    fieldsAvailable: fields,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    deleteAfter: job.deleteAfter,
    region: job.region ?? null,
    cancelReason: job.cancelReason ?? null,
    retention: { policyId: job.policyId ?? null, policyHash: job.policyHash, classes },
  };
}

/** A job in a list: what its status says, less what needs a look at its artifacts. */
export type JobSummary = Omit<JobStatusView, 'redactedAvailable' | 'fieldsAvailable'>;

/** One page of {@link listJobs}; `cursor` continues it, undefined at the end. */
export interface JobPage {
  readonly jobs: readonly JobSummary[];
  readonly cursor: string | undefined;
}

/** The most jobs one page holds. */
export const MAX_JOB_PAGE = 100;

/** An opaque cursor for a page position (creation time and id, never content); the job and review lists share it. */
export function encodeCursor(position: JobPosition): string {
  return Buffer.from(JSON.stringify([position.createdAt, position.id]), 'utf8').toString('base64url');
}

/** The position of a cursor {@link encodeCursor} wrote; `VEIL_INVALID_REQUEST` for any other. */
export function decodeCursor(cursor: string): JobPosition {
  const bad = (): VeilError =>
    new VeilError(
      'VEIL_INVALID_REQUEST',
      'cursor: pass back the `next_cursor` of the previous page unchanged',
    );
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw bad();
  const [createdAt, id] = parsed as unknown[];
  if (typeof createdAt !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/.test(createdAt))
    throw bad();
  if (typeof id !== 'string') throw bad();
  checkId('cursor', id);
  return { createdAt, id };
}

/**
 * A page of the tenant's jobs, newest first, optionally of one status and purpose. The cursor
 * is opaque to callers (a position: creation time and id, never content).
 *
 * @throws VeilError `VEIL_INVALID_REQUEST` for a cursor this function did not write.
 *
 * @example
 * ```ts
 * const page = await listJobs(store, { tenant, limit: 20, status: 'failed' });
 * const next = page.cursor === undefined ? undefined : await listJobs(store, { tenant, limit: 20, status: 'failed', cursor: page.cursor });
 * ```
 */
export async function listJobs(
  store: StoreContext,
  query: {
    readonly tenant: string;
    readonly limit: number;
    readonly status?: JobStatus | undefined;
    readonly purpose?: string | undefined;
    readonly cursor?: string | undefined;
  },
): Promise<JobPage> {
  const limit = Math.max(1, Math.min(MAX_JOB_PAGE, Math.floor(query.limit)));
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  const page = await forTenant(store, query.tenant).jobs.page({
    limit,
    status: query.status,
    purpose: query.purpose,
    after,
  });
  return {
    jobs: page.jobs.map((job) => ({
      jobId: job.id,
      status: job.status,
      purpose: job.purpose,
      consent: job.consent,
      policyHash: job.policyHash,
      template: job.template,
      countsByType: job.countsByType,
      errorCode: job.errorCode,
      createdAt: job.createdAt,
      updatedAt: job.updatedAt,
      deleteAfter: job.deleteAfter,
    })),
    cursor: page.nextAfter === undefined ? undefined : encodeCursor(page.nextAfter),
  };
}

/**
 * The redacted output of a finished job, decrypted, with its media type. Throws
 * `VEIL_NOT_FOUND` (no such job, or it was not asked for a redacted output), `VEIL_JOB_NOT_READY`
 * (still queued or running) or `VEIL_JOB_FAILED` (the message names the job's own code).
 * Callers authorise and audit before calling it.
 *
 * @example
 * ```ts
 * const { bytes, mediaType } = await readRedacted({ db, blobs }, { tenant, jobId });
 * reply.type(mediaType).send(bytes);
 * ```
 */
export async function readRedacted(
  store: StoreContext,
  ref: JobRef,
): Promise<{ readonly mediaType: string; readonly bytes: Buffer }> {
  const repos = forTenant(store, ref.tenant);
  const job = await requireFinishedJob(repos, ref.jobId);
  const id = artifactId(job.id, ARTIFACT.redacted);
  if ((await repos.artifacts.get(id)) === undefined)
    throw new VeilError(
      'VEIL_NOT_FOUND',
      'jobs: the job has no redacted output (it was not requested, or has been deleted)',
    );
  return unframeOutput(await repos.artifacts.read(id));
}

/**
 * One page of a finished job's redacted PDF as a PNG: the redacted output (never the original) is
 * decrypted in memory and the page rendered by the documents layer's isolated PDF renderer.
 * Throws as {@link readRedacted} does, `VEIL_JOB_NOT_PDF` when the redacted output is not a PDF,
 * and `VEIL_PAGE_OUT_OF_RANGE` for a page it lacks. Callers authorise and audit.
 *
 * @example
 * ```ts
 * const { png, pages } = await readRedactedPage({ db, blobs }, { tenant, jobId }, { page: 1, dpi: 96 });
 * ```
 */
export async function readRedactedPage(
  store: StoreContext,
  ref: JobRef,
  options: { readonly page: number; readonly dpi?: number; readonly limits?: DocumentLimits },
): Promise<PageImage> {
  const { mediaType, bytes } = await readRedacted(store, ref);
  if (mediaType !== 'application/pdf')
    throw new VeilError(
      'VEIL_JOB_NOT_PDF',
      `jobs: the job's redacted output is ${mediaType}, not a PDF; read it whole from /v1/jobs/{id}/redacted`,
    );
  return renderPdfPageImage(bytes, options);
}

/**
 * The extracted fields of a finished job, decrypted: the same fields object `veil fields --json`
 * prints. Throws as {@link readRedacted} does; `VEIL_NOT_FOUND` also when no fields were asked for.
 * Callers authorise before calling it.
 *
 * @example
 * ```ts
 * const { template, fields } = await readFields({ db, blobs }, { tenant, jobId });
 * ```
 */
export async function readFields(store: StoreContext, ref: JobRef): Promise<FieldsResult> {
  const repos = forTenant(store, ref.tenant);
  const job = await requireFinishedJob(repos, ref.jobId);
  const id = artifactId(job.id, ARTIFACT.fields);
  if ((await repos.artifacts.get(id)) === undefined)
    throw new VeilError(
      'VEIL_NOT_FOUND',
      'jobs: the job has no fields output (it was not requested, or has been deleted)',
    );
  return JSON.parse((await repos.artifacts.read(id)).toString('utf8')) as FieldsResult;
}

/**
 * The full transcript of a finished job that was asked for it with `consent.allow_full_text`.
 * Throws as {@link readRedacted} does. Callers authorise and audit (`job.full_text`) before calling it.
 *
 * @example
 * ```ts
 * const { text } = await readFullText({ db, blobs }, { tenant, jobId });
 * ```
 */
export async function readFullText(store: StoreContext, ref: JobRef): Promise<{ readonly text: string }> {
  const repos = forTenant(store, ref.tenant);
  const job = await requireFinishedJob(repos, ref.jobId);
  const id = artifactId(job.id, ARTIFACT.text);
  if ((await repos.artifacts.get(id)) === undefined)
    throw new VeilError(
      'VEIL_NOT_FOUND',
      'jobs: the job has no text output (it was not requested with consent.allow_full_text, or has been deleted)',
    );
  const { text } = JSON.parse((await repos.artifacts.read(id)).toString('utf8')) as { text: string };
  return { text };
}

/**
 * The job, when it has finished successfully and so its outputs may be read. Throws
 * `VEIL_NOT_FOUND` (no such job in the tenant, or it was cancelled), `VEIL_JOB_NOT_READY` (still
 * queued or running) or `VEIL_JOB_FAILED` (the message names the job's own code). The one rule
 * every read of a job's output goes through.
 *
 * @example
 * ```ts
 * const job = await requireFinishedJob(forTenant(store, tenant), jobId);
 * ```
 */
export async function requireFinishedJob(repos: TenantRepositories, jobId: string): Promise<Job> {
  checkId('jobId', jobId);
  const job = await repos.jobs.get(jobId);
  if (job === undefined || job.status === 'cancelled') throw notFound();
  if (job.status === 'queued' || job.status === 'running')
    throw new VeilError('VEIL_JOB_NOT_READY', `jobs: the job is ${job.status}; retry when it has succeeded`);
  if (job.status === 'failed')
    throw new VeilError(
      'VEIL_JOB_FAILED',
      `jobs: the job failed (${job.errorCode ?? 'VEIL_JOB_FAILED'}) and has no output`,
    );
  return job;
}

/** One detected value of a job, revealed: its type, offsets in the job's text, and the value. */
export interface RevealedFinding {
  readonly type: string;
  readonly start: number;
  readonly end: number;
  readonly value: string;
}

/**
 * The original values of a finished job's findings. `beforeDecrypt` runs once the job is known
 * to have findings and before anything is decrypted: the caller records the reveal there (an
 * audit event), so no value is revealed that the log does not hold; if it throws, nothing is.
 * Throws as {@link requireFinishedJob}, and `VEIL_NOT_FOUND` when the findings have been deleted.
 * Callers authorise (role and reason) before calling it.
 *
 * @example
 * ```ts
 * const values = await revealFindings(store, { tenant, jobId }, (job) => audit.append({ action: 'job.reveal', … }));
 * ```
 */
export async function revealFindings(
  store: StoreContext,
  ref: JobRef,
  beforeDecrypt: (job: Job) => Promise<void>,
): Promise<readonly RevealedFinding[]> {
  const repos = forTenant(store, ref.tenant);
  const job = await requireFinishedJob(repos, ref.jobId);
  if ((await repos.artifacts.get(artifactId(job.id, ARTIFACT.findings))) === undefined)
    throw new VeilError('VEIL_NOT_FOUND', 'jobs: the job has no findings (they have been deleted)');
  await beforeDecrypt(job);
  const { findings } = JSON.parse(
    (await repos.artifacts.read(artifactId(job.id, ARTIFACT.findings))).toString('utf8'),
  ) as { findings: readonly Finding[] };
  const manifest = decodeManifest(
    await repos.artifacts.read(artifactId(job.id, ARTIFACT.manifest)),
    job.policyHash,
  );
  const { text } = await jobText(
    await repos.artifacts.read(artifactId(job.id, ARTIFACT.original)),
    manifest.mediaType,
    manifest.extraction,
  );
  return findings.map((f) => ({
    type: f.type,
    start: f.start,
    end: f.end,
    value: text.slice(f.start, f.end),
  }));
}

/** What {@link deleteJob} deleted, for the deletion receipt (ids, classes and sizes only). */
export interface DeletedJob {
  readonly tenant: string;
  readonly jobId: string;
  readonly policyHash: string;
  readonly artifacts: ReadonlyArray<{
    readonly id: string;
    readonly artifactClass: string;
    readonly sizeBytes: number;
  }>;
  readonly deletedAt: Date;
}

/**
 * Hard-deletes a job: every artifact (blob, then row) and then the job's row. A step still
 * running sees the job cancelled and stops; anything it writes meanwhile is deleted by the
 * next pass. Throws `VEIL_NOT_FOUND` for an unknown id and `VEIL_LEGAL_HOLD` for a job under a
 * legal hold. Returns what was deleted.
 *
 * @example
 * ```ts
 * const receipt = await deleteJob({ db, blobs }, { tenant, jobId });
 * await audit.append({ action: 'job.delete', jobId, artifacts: receipt.artifacts.length });
 * ```
 */
export async function deleteJob(store: StoreContext, ref: JobRef): Promise<DeletedJob> {
  const repos = forTenant(store, ref.tenant);
  checkId('jobId', ref.jobId);
  const job = await repos.jobs.get(ref.jobId);
  if (job === undefined) throw notFound();
  if ((await holdsOnJobs(store.db, ref.tenant, [job.id])).size > 0)
    throw new VeilError(
      'VEIL_LEGAL_HOLD',
      'jobs: this job is under a legal hold and cannot be deleted until the hold is lifted',
    );
  // Cancelled first, so no step starts new work on it while its artifacts go.
  await repos.jobs.update(job.id, { status: 'cancelled' });
  const deleted: Array<{ id: string; artifactClass: string; sizeBytes: number }> = [];
  // A step that was mid-write may add an artifact after a pass lists them; a few passes settle it
  // (the job row cannot be deleted while an artifact still points at it).
  for (let pass = 0; ; pass += 1) {
    for (const artifact of await repos.artifacts.listForJob(job.id)) {
      if (await repos.artifacts.delete(artifact.id))
        deleted.push({
          id: artifact.id,
          artifactClass: artifact.artifactClass,
          sizeBytes: artifact.sizeBytes,
        });
    }
    try {
      await repos.jobs.delete(job.id);
      break;
    } catch (error) {
      if (pass >= 4) throw error;
    }
  }
  return {
    tenant: ref.tenant,
    jobId: job.id,
    policyHash: job.policyHash,
    artifacts: deleted,
    deletedAt: new Date(),
  };
}
