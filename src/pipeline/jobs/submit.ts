/**
 * Encrypted intake: the command the API and the CLI call to start a job.
 */
import { randomUUID } from 'node:crypto';
import type PgBoss from 'pg-boss';
import { DEFAULT_LIMITS } from '../../documents/limits.js';
import { VeilError } from '../../errors/veil-error.js';
import type { Keyring } from '../../crypto/keyring.js';
import { policyHash, validatePolicy } from '../../policy/index.js';
import type { Policy } from '../../policy/index.js';
import { admitJob } from './admission.js';
import { ledgerRows } from '../../privacy/retention/ledger.js';
import { checkId, forTenant, pgBossDbIn, withTenantScope } from '../../store/index.js';
import type { JobStatus, StoreContext } from '../../store/index.js';
import { enqueueFused, enqueueStep } from './queues.js';
import type { JobStep } from './queues.js';
import type { InlineJobs } from './inline.js';
import { runsFused, runsInline } from './fused.js';
import { resolveExtraction, type ExtractionInput } from './extraction.js';
import { ARTIFACT, artifactId, checkRequest, encodeManifest } from './request.js';
import type { JobOutput } from './request.js';

/** What {@link submitJob} needs: the store and the queue. */
export interface JobDeps extends StoreContext {
  readonly boss: PgBoss;
  /** For a `subjectRef`: its HMAC is keyed by the tenant's data key. */
  readonly keyring?: Keyring;
  /**
   * The configured AI provider (`VEIL_AI_URL`), by what admission checks of it: its region label
   * (`VEIL_AI_REGION`). Absent: the `model` and `auto` extractors are refused (VEIL_EXTRACTOR_UNAVAILABLE).
   */
  readonly model?: { readonly region?: string | undefined };
  /**
   * The largest `text/plain` document that runs as one fused message (`fused.ts`); 0 sends
   * every job through the per-step queues. Default 256 KiB.
   */
  readonly fusedMaxBytes?: number;
  /**
   * Runs a small text job to completion in this call (`inline.ts`, `VEIL_INLINE_MAX_BYTES`):
   * `text/plain` up to its `maxBytes`, without the `fields` or `text` outputs. Absent: every job
   * is queued.
   */
  readonly inline?: InlineJobs;
}

/** A job request, as the API and the CLI receive it. */
export interface SubmitJobInput {
  /** The tenant (from the authenticated principal, never from the request body). */
  readonly tenant: string;
  /** The document. It is encrypted before anything is written. */
  readonly bytes: Uint8Array;
  /** The caller's media type, without parameters. `text/plain` keeps text-like content as text; otherwise the type comes from the content. */
  readonly mediaType?: string;
  /** The declared purpose: a code such as `claims-intake`. */
  readonly purpose: string;
  readonly consent: {
    readonly basis: string;
    /** Default false. */
    readonly allowModelTraining?: boolean;
    readonly allowManualReview: boolean;
    /** Default false, as every consent flag. */
    readonly allowAnalytics?: boolean;
    readonly allowQualityImprovement?: boolean;
    readonly allowFullText?: boolean;
    /** Default false: a model may see the job's pseudonymised content (the `model` and `auto` extractors) only with it. */
    readonly allowModelUse?: boolean;
    /** The caller's reference for the data subject; stored only as a keyed HMAC. */
    readonly subjectRef?: string;
  };
  readonly outputs: readonly JobOutput[];
  /** What to extract for the `fields` output: a template or fields, the extractor, pages and regions. */
  readonly extraction?: ExtractionInput;
  /** Extra template directories (a tenant's own), searched before the built-in ones. */
  readonly templateDirectories?: readonly string[];
  /**
   * Days the job's outputs are kept after it finishes (1 to 3650); it may only shorten the
   * policy's retention. Default: the policy's window.
   */
  readonly retentionDays?: number;
  /** The policy file's id (`acme`, `default`), shown in the job's retention block. */
  readonly policyId?: string;
  /** The deployment's region (`VEIL_REGION`): a tenant pinned elsewhere is refused. */
  readonly region?: string;
  /** The tenant's policy; the job records its hash and runs under exactly it. */
  readonly policy: Policy;
  /** Default: a random UUID. */
  readonly jobId?: string;
}

/** What {@link submitJob} returns. */
export interface SubmittedJob {
  readonly jobId: string;
  /** `queued`, or `succeeded` for a job run inline. */
  readonly status: JobStatus;
  readonly policyHash: string;
  /**
   * The steps a job run inline ran, in order: their events (`job.step`, as a worker's) are the
   * caller's to record, after the submission's. Absent for a queued job.
   */
  readonly steps?: readonly JobStep[];
}

/**
 * What the submitter does once a job is recorded (and its `job.created` event written): a job run
 * inline has its steps' `step-done` events told, in order, as a fused run's are after its commit;
 * a queued one wakes the process's intake and fused loops, so an idle local worker takes it now
 * rather than at its next poll.
 *
 * @example
 * ```ts
 * afterRecorded(job, { tellStep: (step) => tell({ kind: 'step-done', step, tenantId, jobId: job.jobId }), wake: () => workers?.wake('intake') });
 * ```
 */
export function afterRecorded(
  job: SubmittedJob,
  then: { readonly tellStep: (step: JobStep) => void; readonly wake: () => void },
): void {
  if (job.steps === undefined) then.wake();
  else for (const step of job.steps) then.tellStep(step);
}

const DAY_MS = 86_400_000;

/**
 * Starts a job: records it (policy hash and consent context), stores the document and the
 * request as encrypted artifacts, and enqueues the intake step (or, for a small text, the whole
 * job as one fused message) with ids only, in the transaction that writes its rows. On a failure
 * nothing is left: the transaction rolls back and the blobs written before it are deleted. With
 * `deps.inline`, a small text job runs to completion here instead (`inline.ts`): its rows and its
 * steps' in one transaction, status `succeeded`, the original never stored; if a step throws it
 * is queued as above.
 *
 * @example
 * ```ts
 * const { jobId } = await submitJob(
 *   { db: handle.db, blobs, boss },
 *   {
 *     tenant: 'acme',
 *     bytes: Buffer.from(text),
 *     mediaType: 'text/plain',
 *     purpose: 'claims',
 *     consent: { basis: 'contract', allowManualReview: false },
 *     outputs: ['findings_summary', 'redacted'],
 *     retentionDays: 7,
 *     policy: await loadPolicy('policies/default.yaml'),
 *   },
 * );
 * ```
 */
export async function submitJob(deps: JobDeps, input: SubmitJobInput): Promise<SubmittedJob> {
  checkId('tenant', input.tenant);
  const jobId = input.jobId ?? randomUUID();
  checkId('jobId', jobId);
  if (!(input.bytes instanceof Uint8Array) || input.bytes.byteLength === 0)
    throw new VeilError('VEIL_INVALID_INPUT', 'jobs: bytes must be a non-empty Uint8Array');
  if (input.bytes.byteLength > DEFAULT_LIMITS.maxBytes)
    throw new VeilError(
      'VEIL_LIMIT_BYTES',
      `jobs: the document is larger than ${DEFAULT_LIMITS.maxBytes} bytes`,
    );
  const mediaType = input.mediaType ?? null;
  const outputs = [...input.outputs];
  // Shapes first (codes, numbers), then what the policy permits.
  checkRequest({
    purpose: input.purpose,
    basis: input.consent?.basis,
    outputs,
    retentionDays: input.retentionDays ?? 1,
    mediaType,
  });
  if (outputs.includes('fields') !== (input.extraction !== undefined))
    throw new VeilError(
      'VEIL_INVALID_INPUT',
      'jobs: the fields output needs a template or fields, and a template or fields needs the fields output',
    );
  if (outputs.includes('text') && input.consent.allowFullText !== true)
    throw new VeilError(
      'VEIL_INVALID_INPUT',
      'jobs: the text output (a full transcript) needs consent.allow_full_text: true',
    );
  const extraction = input.extraction
    ? await resolveExtraction(
        input.extraction,
        { directories: input.templateDirectories ?? [] },
        { modelConfigured: deps.model !== undefined },
      )
    : undefined;
  // The redacted output is written from the whole document; minimising input would leave it unredacted outside the pages.
  if (extraction && (extraction.pages || extraction.regions) && outputs.includes('redacted'))
    throw new VeilError(
      'VEIL_INVALID_INPUT',
      'jobs: pages and regions cannot be combined with the redacted output, which covers the whole document',
    );
  const policy = validatePolicy(input.policy);
  const hash = policyHash(policy);
  // Region, purpose, model use, retention and withdrawn consent are checked before anything is written.
  const admitted = await admitJob(deps, {
    tenant: input.tenant,
    policy,
    purpose: input.purpose,
    basis: input.consent?.basis,
    outputs,
    manualReview: input.consent?.allowManualReview === true,
    model:
      extraction !== undefined && extraction.extractor !== 'rules'
        ? { allowModelUse: input.consent.allowModelUse === true, providerRegion: deps.model?.region }
        : undefined,
    retentionDays: input.retentionDays,
    subjectRef: input.consent?.subjectRef,
    region: input.region,
  });
  const retentionDays = admitted.retentionDays;
  // Until the job finishes, its artifacts are kept no longer than it asked for: a job that
  // never finishes is still swept.
  const deleteAfter = new Date(Date.now() + retentionDays * DAY_MS);

  const repos = forTenant(deps, input.tenant);
  const job = {
    id: jobId,
    purpose: input.purpose,
    consent: {
      basis: input.consent.basis,
      allowModelTraining: input.consent.allowModelTraining ?? false,
      allowManualReview: input.consent.allowManualReview,
      allowAnalytics: input.consent.allowAnalytics ?? false,
      allowQualityImprovement: input.consent.allowQualityImprovement ?? false,
      allowFullText: input.consent.allowFullText ?? false,
      allowModelUse: input.consent.allowModelUse ?? false,
    },
    policyHash: hash,
    retentionClass: `days-${retentionDays}`,
    deleteAfter,
    template: extraction?.template
      ? {
          name: extraction.template.name,
          version: extraction.template.version,
          hash: extraction.template.hash,
        }
      : null,
    region: input.region ?? null,
    policyId: input.policyId ?? null,
    subjectHmac: admitted.subjectHmac ?? null,
  };
  const ledger = ledgerRows(input.tenant, jobId, admitted.retentionClasses, deleteAfter);
  const manifest = encodeManifest({
    version: 1,
    mediaType,
    outputs,
    retentionDays,
    policy,
    ...(extraction ? { extraction } : {}),
    ...(input.consent.allowFullText === true ? { allowFullText: true } : {}),
  });
  const route = { mediaType, byteLength: input.bytes.byteLength, outputs };
  if (deps.inline !== undefined && runsInline({ ...route, maxBytes: deps.inline.maxBytes })) {
    const ran = await deps.inline.run({
      tenant: input.tenant,
      job,
      ledger,
      ledgerClasses: admitted.retentionClasses,
      manifest,
      original: input.bytes,
    });
    // Undefined: a step or the commit failed and nothing was recorded; the job goes queued.
    if (ran !== undefined) return { jobId, status: ran.after.job.status, policyHash: hash, steps: ran.steps };
  }
  const fused = runsFused({
    ...route,
    ...(deps.fusedMaxBytes === undefined ? {} : { maxBytes: deps.fusedMaxBytes }),
  });
  // Blobs first, then every row of the submission and its queue message in one transaction: the
  // tenant, job, retention ledger, manifest and original artifacts in one statement, then the
  // message. A job is never seen without its ledger, its artifacts or its message. If the
  // transaction fails its blobs are deleted.
  const staged = await repos.artifacts.stage([
    {
      input: {
        id: artifactId(jobId, ARTIFACT.manifest),
        jobId,
        artifactClass: ARTIFACT.manifest,
        deleteAfter,
      },
      content: manifest,
    },
    {
      input: {
        id: artifactId(jobId, ARTIFACT.original),
        jobId,
        artifactClass: ARTIFACT.original,
        deleteAfter,
      },
      content: input.bytes,
    },
  ]);
  try {
    await withTenantScope(deps.db, input.tenant, async (trx) => {
      await repos.jobs.createWithRowsIn(trx, job, { ledger, artifacts: repos.artifacts.rowsOf(staged) });
      const payload = { tenantId: input.tenant, jobId };
      const queue = { db: pgBossDbIn(trx) };
      await (fused
        ? enqueueFused(deps.boss, payload, queue)
        : enqueueStep(deps.boss, payload, 'intake', queue));
    });
  } catch (error) {
    await repos.artifacts.discard(staged).catch(() => {});
    throw error;
  }
  return { jobId, status: 'queued', policyHash: hash };
}
