/**
 * The composition root of `veil serve`: the runtime (database, keyring, blobs, pg-boss), job
 * workers embedded in the same process, the audit logs, and the HTTP API with the analysis,
 * job, upload and audit routes. Tests build the same service with their own authenticator, so
 * every route they exercise runs the chain `veil serve` runs.
 *
 * The ports the routes need (`JobsPort`, `UploadsPort`) are implemented here over the pipeline's
 * commands, which take plain inputs; this file adds the tenant from the principal, the audit
 * events, and the upload slots.
 */
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { authorize, requirePermission } from '../access/index.js';
import type { Principal } from '../access/index.js';
import { buildApp } from '../api/index.js';
import type { Authenticate, TlsFiles } from '../api/index.js';
import type { JobsPort, JobSubmission, RevealedValue } from '../api/routes/jobs.js';
import { apiKeyRoutes } from '../api/routes/api-keys.js';
import type { UploadsPort } from '../api/routes/uploads.js';
import type { AuditEventInput } from '../audit/index.js';
import type { KeyEncryptionKeyProvider } from '../crypto/key-providers/index.js';
import { createOperatorKeys } from '../crypto/operator-keys.js';
import { DEFAULT_LIMITS } from '../documents/index.js';
import { VeilError } from '../errors/veil-error.js';
import {
  afterRecorded,
  applyReviews,
  createInlineJobs,
  deleteJob,
  getJobStatus,
  readFields,
  listJobs,
  readFullText,
  readRedacted,
  readRedactedPage,
  revealFindings,
  startWorkers,
  submitJob,
  submitOnce,
} from '../pipeline/index.js';
import { openRuntime } from './runtime.js';
import type { InlineJobs, WorkerEvent, Workers } from '../pipeline/index.js';
import type { Runtime } from './runtime.js';
import { governanceRoutes } from '../api/routes/governance.js';
import { legalHoldRoutes } from '../api/routes/legal-holds.js';
import { signInRoute } from '../api/routes/session.js';
import type { BrowserSignIn } from '../api/routes/session.js';
import { checkRevealReason, openPolicyDirectory, policyHash } from '../policy/index.js';
import { DEFAULT_POLICY_DIR } from '../policy/shipped.js';
import type { Policy, PolicyDirectory, TenantPolicy } from '../policy/index.js';
import { checkRegion } from '../pipeline/jobs/admission.js';
import type { RetentionSweepReport } from '../privacy/retention/sweeper.js';
import { outputReleased } from '../privacy/risk/outputs.js';
import { ARTIFACT, artifactId, decodeManifest } from '../pipeline/jobs/request.js';
import { DatabaseTokenVault, forTenant } from '../store/index.js';
import type { BlobSettings, StoreContext } from '../store/index.js';
import { openApiKeys } from './api-keys.js';
import type { ApiKeys } from './api-keys.js';
import {
  auditActor,
  auditApiDependencies,
  jobDeletedEvent,
  openAuditLogs,
  recordWorkerEvent,
} from './audit.js';
import type { AuditLogs } from './audit.js';
import { createDetectionPool } from './detection-pool.js';
import { jobModelServices, recordModelRefusal } from './ai.js';
import { ModelUseRefusedError } from '../ai/gate.js';
import type { ModelProviderConfig } from '../ai/model/config.js';
import { startKeyMaintenance } from './key-maintenance.js';
import { idempotencyHashes } from './idempotency.js';
import { consoleRoutes } from '../web/serve-console.js';
import type { DetectionPool } from './detection-pool.js';
import { checkUpload, createUpload, receiveUpload, takeUpload } from '../pipeline/uploads.js';
import type { UploadDeps } from '../pipeline/uploads.js';
import { sweepExpiredUploads } from './upload-sweeper.js';
import {
  createGovernancePort,
  createLegalHoldsPort,
  DEFAULT_SWEEP_SECONDS,
  recordPoliciesInForce,
  startGovernance,
} from './governance.js';
import { createAlerting, privacyMetricsSource, privacyRoutes } from './privacy.js';
import { CUSTOM_POLICY_ID, createPolicyPort } from './policy.js';
import { policyRoutes } from '../api/routes/policy.js';
import type { PrivacyWiring } from './privacy.js';
import type { ReviewMetricsSource } from '../privacy/metrics/index.js';
import { reviewRoutes } from '../api/routes/review.js';
import { templateRoutes } from '../api/routes/templates.js';
import { listTemplates, loadTemplate } from '../ai/fields/templates.js';
import { createReviewPort, reviewMetricsSource, reviewStepServices } from './review.js';
import type { Alerting, AlertingWiring } from './privacy.js';

/** Upload URLs live this long by default: long enough for a slow link, short enough to leak little. */
export const DEFAULT_UPLOAD_TTL_SECONDS = 600;

/** What {@link openService} takes. */
export interface ServiceOptions {
  /** Keys, blobs and (without `databaseUrl`) the PGlite database. Default `VEIL_DATA_DIR` or `./.veil`. */
  readonly dataDir?: string;
  /** A PostgreSQL connection string; PGlite in the data directory when absent. */
  readonly databaseUrl?: string;
  /** Jobs each step runs at once in this process; 0 runs no workers (`veil worker` does). Default 1. */
  readonly workers?: number;
  /** How often idle workers poll, in seconds (default 1). */
  readonly pollingIntervalSeconds?: number;
  /**
   * Resolves callers that present a token; `veil serve` passes the local issuer's. The service
   * itself verifies `Authorization: Bearer veil_…` API keys before this is asked.
   */
  readonly authenticate: Authenticate;
  readonly logger?: Logger;
  /** API settings (`ApiConfig`), validated at start-up. */
  readonly api?: unknown;
  /** The policy of a tenant; overrides `policyDir` (tests, embedding). */
  readonly policyFor?: (tenantId: string) => Policy | Promise<Policy>;
  /** `VEIL_POLICY_DIR`: `<tenant>.yaml`, else `default.yaml`; default the shipped directory. */
  readonly policyDir?: string;
  /** `VEIL_REGION`: the deployment's region, recorded on jobs and audit events; a tenant pinned elsewhere is refused. */
  readonly region?: string;
  /** `VEIL_SWEEP_SECONDS`: seconds between retention sweeps and policy reloads; 0 never (default 60). */
  readonly sweepIntervalSeconds?: number;
  /** Upload URL lifetime in seconds (default {@link DEFAULT_UPLOAD_TTL_SECONDS}). */
  readonly uploadTtlSeconds?: number;
  /** The largest document, in bytes (default the documents layer's limit). */
  readonly maxDocumentBytes?: number;
  /** How often expired, unused uploads are deleted, in seconds; 0 never (default 60). */
  readonly uploadSweepIntervalSeconds?: number;
  /**
   * Threads that analyse texts for `/v1/analyze` and `/v1/anonymize`, off the event loop; 0
   * analyses in the request's thread. Default {@link defaultDetectionThreads}.
   */
  readonly detectionThreads?: number;
  /** When the detection threads start: all at once (default) or each when first needed. */
  readonly detectionStart?: 'eager' | 'on-demand';
  /**
   * The largest text/plain document that runs as one fused job (`VEIL_FUSED_MAX_BYTES`); 0 sends
   * every job through the per-step queues. Default `DEFAULT_FUSED_MAX_BYTES` (256 KiB).
   */
  readonly fusedMaxBytes?: number;
  /**
   * The largest text/plain document (without the `fields` or `text` outputs) run to completion
   * in the request that submits it (`VEIL_INLINE_MAX_BYTES`, `createInlineJobs`): detection on
   * the detection pool, one transaction, nothing queued, the answer `succeeded`. 0 (the default)
   * queues every job.
   */
  readonly inlineMaxBytes?: number;
  /** The KEK provider; default a local key file, `<dataDir>/kek.key` (see `keyProviderFromConfig`). */
  readonly keyProvider?: KeyEncryptionKeyProvider;
  /** Where encrypted blobs live: `file` (the data directory, default), `postgres` (the database) or an S3 bucket. */
  readonly blobs?: BlobSettings;
  /** Serve HTTPS with this certificate and key (`startService`'s URL is then `https://`). */
  readonly tls?: TlsFiles;
  /**
   * How often data keys are rotated by policy (`keys.rotate_every`) and re-wrapped under the
   * current KEK, in seconds; 0 never (the default here; `veil serve` runs it hourly).
   */
  readonly keyMaintenanceIntervalSeconds?: number;
  /** The review queue's figures for the privacy metrics; none (no queue) when absent. */
  readonly reviewMetrics?: ReviewMetricsSource;
  /** The OIDC issuer and public client the console signs in with (`GET /v1/sign-in`); pasted tokens only when absent. */
  readonly browserSignIn?: BrowserSignIn;
  /** Alert webhook delivery timing (tests shorten it) and the environment its secrets are read from. */
  readonly alerts?: Pick<AlertingWiring, 'dispatcher' | 'env'>;
  /**
   * The AI provider (`VEIL_AI_*`, see `modelProviderFromConfig`) of the `model` and `auto`
   * extractors. Absent (the default): no job can ask a model, and nothing is ever sent to one.
   */
  readonly ai?: ModelProviderConfig;
}

/**
 * One thread per core. The request thread mostly waits on sockets, so the cores are for
 * detection; on 2 cores, 2 threads kept p99 lower than 1 at 500 req/s (bench:api: 6.7–10.0 ms
 * against 9.1–11.9 ms).
 */
export function defaultDetectionThreads(): number {
  return Math.max(1, availableParallelism());
}

/** A running service. */
export interface Service {
  readonly app: FastifyInstance;
  readonly runtime: Runtime;
  readonly audit: AuditLogs;
  /** Service API keys (what `veil apikey` manages), accepted on every route. */
  readonly apiKeys: ApiKeys;
  /** One governance pass now (policy reload, retention sweep): what the timer runs. */
  governancePass(): Promise<RetentionSweepReport>;
  /** The access anomaly detector and alert delivery. */
  readonly alerting: Alerting;
  /** Stops the API, drains the workers, closes pg-boss and the database. */
  close(): Promise<void>;
}

function jobEvent(
  principal: Principal,
  jobId: string,
): Pick<AuditEventInput, 'time' | 'actor' | 'tenant' | 'objects'> {
  return {
    time: new Date().toISOString(),
    actor: auditActor(principal),
    tenant: principal.tenantId,
    objects: [{ kind: 'job', id: jobId }],
  };
}

function createUploadsPort(deps: UploadDeps, admit: (tenantId: string) => Promise<void>): UploadsPort {
  return {
    maxBytes: deps.maxBytes,
    ttlSeconds: deps.ttlSeconds,
    // A tenant pinned to another region gets no upload slot, so no byte of it lands here.
    create: async (principal, input) => {
      await admit(principal.tenantId);
      return createUpload(deps, principal.tenantId, input);
    },
    check: (principal, uploadId, proof) => checkUpload(deps, principal.tenantId, uploadId, proof),
    receive: (principal, uploadId, proof, content) =>
      receiveUpload(deps, principal.tenantId, uploadId, proof, content),
  };
}

function createJobsPort(
  runtime: Runtime,
  logs: AuditLogs,
  policyFor: (tenantId: string) => Promise<TenantPolicy>,
  maxBytes: number,
  workers: Workers | undefined,
  region: string | undefined,
  ai: ModelProviderConfig | undefined,
  fusedMaxBytes: number | undefined,
  inline: InlineJobs | undefined,
  tellStep: (event: WorkerEvent) => void,
): JobsPort {
  const store: StoreContext = { db: runtime.handle.db, blobs: runtime.blobs };
  const submitNow = async (
    principal: Principal,
    submission: JobSubmission,
    jobId?: string,
  ): Promise<{ jobId: string; status: string }> => {
    const tenant = principal.tenantId;
    const { source } = submission;
    const tenantPolicy = await policyFor(tenant);
    // Before any byte is stored (an upload's bytes are taken, and deleted, only after this).
    checkRegion(tenantPolicy.policy, region);
    const document =
      source.kind === 'text'
        ? { bytes: Buffer.from(source.text, 'utf8'), mediaType: 'text/plain' }
        : source.kind === 'file'
          ? { bytes: source.bytes, mediaType: source.mediaType }
          : await takeUpload(store, tenant, source.uploadId);
    const job = await submitJob(
      {
        ...store,
        boss: runtime.boss,
        keyring: runtime.keyring,
        ...(fusedMaxBytes === undefined ? {} : { fusedMaxBytes }),
        ...(inline === undefined ? {} : { inline }),
        ...(ai === undefined ? {} : { model: { region: ai.region } }),
      },
      {
        tenant,
        bytes: document.bytes,
        mediaType: document.mediaType,
        purpose: submission.purpose,
        consent: submission.consent,
        outputs: submission.outputs,
        ...(submission.extraction ? { extraction: submission.extraction } : {}),
        ...(submission.retentionDays === undefined ? {} : { retentionDays: submission.retentionDays }),
        policy: tenantPolicy.policy,
        policyId: tenantPolicy.id,
        ...(region === undefined ? {} : { region }),
        ...(jobId === undefined ? {} : { jobId }),
      },
    ).catch(async (error: unknown) => {
      // Nothing of the job was stored; the log holds the refusal and the rule, never content.
      if (error instanceof ModelUseRefusedError)
        await recordModelRefusal(logs, principal, {
          purpose: submission.purpose,
          policyHash: tenantPolicy.hash,
          reason: error.reason,
        });
      throw error;
    });
    try {
      await logs.forTenant(tenant).append({
        ...jobEvent(principal, job.jobId),
        action: 'job.created',
        policy_hash: job.policyHash,
        purpose: submission.purpose,
      });
    } catch (error) {
      // A job the audit log does not know of must not run.
      await deleteJob(store, { tenant, jobId: job.jobId }).catch(() => {});
      throw error;
    }
    afterRecorded(job, {
      tellStep: (step) => tellStep({ kind: 'step-done', step, tenantId: tenant, jobId: job.jobId }),
      wake: () => workers?.wake('intake'),
    });
    return { jobId: job.jobId, status: job.status };
  };
  return {
    maxBytes,
    async submit(principal, submission, options) {
      const key = options?.idempotencyKey;
      if (key === undefined) return submitNow(principal, submission);
      const tenant = principal.tenantId;
      const hashes = await idempotencyHashes(runtime.keyring, tenant, key, submission);
      return submitOnce(
        store.db,
        { tenant, ...hashes },
        (jobId) => submitNow(principal, submission, jobId),
        async (jobId) => (await forTenant(store, tenant).jobs.get(jobId))?.status,
      );
    },
    list: (principal, query) => listJobs(store, { tenant: principal.tenantId, ...query }),
    status: (principal, jobId) => getJobStatus(store, { tenant: principal.tenantId, jobId }),
    async redacted(principal, jobId) {
      const output = await readRedacted(store, { tenant: principal.tenantId, jobId });
      await logs
        .forTenant(principal.tenantId)
        .append({ ...jobEvent(principal, jobId), action: 'job.download' });
      return output;
    },
    // Audited once the page is rendered: a page that does not exist handed nothing out.
    async redactedPage(principal, jobId, { page, dpi }) {
      const image = await readRedactedPage(store, { tenant: principal.tenantId, jobId }, { page, dpi });
      await logs
        .forTenant(principal.tenantId)
        .append({ ...jobEvent(principal, jobId), action: 'job.download' });
      return { png: image.png, pages: image.pages };
    },
    // With the review outcomes: corrected values, `reviewed` with the reviewer's id, `unverified`.
    async fields(principal, jobId) {
      const fields = await applyReviews(
        { ...store, keyring: runtime.keyring },
        principal.tenantId,
        jobId,
        await readFields(store, { tenant: principal.tenantId, jobId }),
      );
      // After the read: a job without fields (404, 409) handed nothing out.
      await logs
        .forTenant(principal.tenantId)
        .append({ ...jobEvent(principal, jobId), action: 'job.fields' });
      return fields;
    },
    async fullText(principal, jobId) {
      // Audited before anything is decrypted: a transcript read the log does not hold never happens.
      await getJobStatus(store, { tenant: principal.tenantId, jobId });
      await logs
        .forTenant(principal.tenantId)
        .append({ ...jobEvent(principal, jobId), action: 'job.full_text' });
      return readFullText(store, { tenant: principal.tenantId, jobId });
    },
    async delete(principal, jobId) {
      const deleted = await deleteJob(store, { tenant: principal.tenantId, jobId });
      return logs.recordWithReceipt(
        jobDeletedEvent(deleted, { actor: auditActor(principal), trigger: 'request' }),
      );
    },
    async released(principal, jobId, output) {
      // The job's policy hash names the rules the output was made under; the job is the caller's
      // (tenant-scoped read), and it exists: the output was just read from it.
      const job = await forTenant(store, principal.tenantId).jobs.get(jobId);
      // Its re-identification risk as released: k among the tenant's released outputs of the kind.
      const risk =
        output.kind === 'reveal'
          ? undefined
          : await outputReleased(store.db, { tenant: principal.tenantId, jobId, kind: output.kind });
      return logs.recordWithReceipt({
        ...jobEvent(principal, jobId),
        action: 'output.released',
        ...(job === undefined ? {} : { policy_hash: job.policyHash }),
        ...(risk === undefined ? {} : { counts: { k: risk.k, identifiers: risk.identifiers } }),
        output: {
          kind: output.kind,
          sha256: createHash('sha256').update(output.bytes).digest('hex'),
          bytes: output.bytes.byteLength,
        },
      });
    },
    async reveal(principal, jobId, reason) {
      const tenant = principal.tenantId;
      // The route's guard checked the role; this checks the reason too, as the access layer defines it.
      authorize(principal, 'job:reveal', {
        tenantId: tenant,
        reason: [reason.code, reason.ticket, reason.note].filter(Boolean).join(' '),
      });
      // Recorded before anything is decrypted: no reveal happens that the log does not hold. A
      // note shaped like personal data fails the event schema here, and nothing is revealed.
      const values = await revealFindings(store, { tenant, jobId }, async (job) => {
        // The manifest holds the request and the policy, no content: the job's purpose decides
        // which reasons may reveal, under the very policy the job ran with.
        const manifest = decodeManifest(
          await forTenant(store, tenant).artifacts.read(artifactId(job.id, ARTIFACT.manifest)),
          job.policyHash,
        );
        checkRevealReason(manifest.policy, job.purpose, reason.code);
        await logs.forTenant(tenant).append({
          ...jobEvent(principal, job.id),
          action: 'job.reveal',
          purpose: job.purpose,
          policy_hash: job.policyHash,
          reason: {
            code: reason.code,
            ...(reason.ticket === undefined ? {} : { ticket: reason.ticket }),
            ...(reason.note === undefined ? {} : { note: reason.note }),
          },
        });
      });
      return values.map((v): RevealedValue => ({ ...v }));
    },
  };
}

/** Runs {@link sweepExpiredUploads} every `intervalSeconds`, one sweep at a time. */
function startUploadSweeper(
  store: StoreContext,
  logs: AuditLogs,
  intervalSeconds: number,
  logger: Logger | undefined,
): { stop(): Promise<void> } {
  if (intervalSeconds === 0) return { stop: async () => {} };
  let sweeping: Promise<void> | undefined;
  const timer = setInterval(() => {
    sweeping ??= sweepExpiredUploads(store, logs)
      .then((swept) => {
        if (swept.length > 0)
          logger?.info({ component: 'uploads', deleted: swept.length }, 'expired uploads deleted');
      })
      // Names only: the next sweep tries again.
      .catch((error: unknown) =>
        logger?.error(
          { component: 'uploads', errorName: error instanceof Error ? error.name : 'unknown' },
          'upload sweep failed',
        ),
      )
      .finally(() => (sweeping = undefined));
  }, intervalSeconds * 1000);
  // The sweeper alone must not keep the process alive.
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await sweeping;
    },
  };
}

/**
 * Opens the service without listening: runtime, workers, audit logs and the API. `app.inject()`
 * for tests; {@link startService} to listen.
 *
 * @example
 * ```ts
 * const service = await openService({ dataDir: '.veil', authenticate, workers: 2 });
 * const res = await service.app.inject({ method: 'GET', url: '/readyz' });
 * await service.close();
 * ```
 */
export async function openService(options: ServiceOptions): Promise<Service> {
  const logger = options.logger;
  const sweepSeconds = options.uploadSweepIntervalSeconds ?? 60;
  if (!Number.isFinite(sweepSeconds) || sweepSeconds < 0)
    throw new VeilError(
      'VEIL_INVALID_OPTION',
      'service: uploadSweepIntervalSeconds must be a number of at least 0',
    );
  const retentionSeconds = options.sweepIntervalSeconds ?? DEFAULT_SWEEP_SECONDS;
  if (!Number.isFinite(retentionSeconds) || retentionSeconds < 0)
    throw new VeilError(
      'VEIL_INVALID_OPTION',
      'service: sweepIntervalSeconds (VEIL_SWEEP_SECONDS) must be a number of at least 0',
    );
  if (options.region !== undefined && !/^[a-z][a-z0-9-]{0,31}$/.test(options.region))
    throw new VeilError(
      'VEIL_INVALID_OPTION',
      'service: region (VEIL_REGION) must be a code such as eu or us-east',
    );
  // Before anything opens: an invalid policy stops the service, naming the file and the field.
  const policies: PolicyDirectory | undefined =
    options.policyFor === undefined
      ? await openPolicyDirectory(options.policyDir ?? DEFAULT_POLICY_DIR)
      : undefined;
  const custom = options.policyFor;
  const tenantPolicy = async (tenantId: string): Promise<TenantPolicy> => {
    if (policies !== undefined) return policies.policyFor(tenantId);
    const policy = await custom!(tenantId);
    return { id: CUSTOM_POLICY_ID, policy, hash: policyHash(policy) };
  };
  const runtime = await openRuntime({
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
    ...(options.databaseUrl === undefined ? {} : { databaseUrl: options.databaseUrl }),
    ...(options.keyProvider === undefined ? {} : { keyProvider: options.keyProvider }),
    ...(options.region === undefined ? {} : { region: options.region }),
    ...(options.blobs === undefined ? {} : { blobs: options.blobs }),
    onQueueError: (error) => logger?.warn({ component: 'queue', errorName: error.name }, 'queue error'),
  });
  let workers: Workers | undefined;
  let detection: DetectionPool | undefined;
  let alerting: Alerting | undefined;
  try {
    const threads = options.detectionThreads ?? defaultDetectionThreads();
    if (!Number.isInteger(threads) || threads < 0)
      throw new VeilError(
        'VEIL_INVALID_OPTION',
        'service: detectionThreads must be an integer of at least 0',
      );
    if (threads > 0)
      detection = createDetectionPool({
        threads,
        ...(options.detectionStart ? { start: options.detectionStart } : {}),
      });
    const policyFor = async (tenantId: string): Promise<Policy> => (await tenantPolicy(tenantId)).policy;
    alerting = createAlerting({
      db: runtime.handle.db,
      policyFor,
      ...options.alerts,
      onError: (error) =>
        logger?.error(
          { component: 'alerts', errorName: error instanceof Error ? error.name : 'unknown' },
          'alert not stored or delivered',
        ),
    });
    const logs = await openAuditLogs({
      db: runtime.handle.db,
      dataDir: runtime.dataDir,
      onAppend: alerting.onAudit,
      // A request never waits for the head its append made due (a tile read, a signature and a
      // committed insert, every 64th append of a log): it is signed right after, in order.
      heads: 'after-append',
      onHeadError: (error) =>
        logger?.error({ component: 'audit', code: error.code }, 'audit: a tree head due was not signed'),
      ...(options.region === undefined ? {} : { region: options.region }),
    });
    alerting.attach(logs);
    // Before any job runs: the log names the policies in force (from none, the first time).
    if (policies !== undefined) await recordPoliciesInForce(runtime.handle, logs, policies);
    const apiKeys = await openApiKeys({ db: runtime.handle.db, keyring: runtime.keyring, logs });
    // Ids, steps and codes only: a worker event (or an inline job's step) carries no content.
    const tellStep = (event: WorkerEvent): void => {
      logger?.[event.kind === 'step-done' ? 'debug' : 'warn'](
        {
          component: 'worker',
          kind: event.kind,
          step: event.step,
          tenant: event.tenantId,
          job: event.jobId,
          code: event.code,
          attempt: event.attempt,
        },
        'job step',
      );
      recordWorkerEvent(logs, event).catch((error: unknown) =>
        logger?.error(
          { component: 'audit', errorName: error instanceof Error ? error.name : 'unknown' },
          'job step not recorded',
        ),
      );
    };
    const concurrency = options.workers ?? 1;
    if (concurrency > 0)
      workers = await startWorkers({
        ...runtime,
        concurrency,
        pollingIntervalSeconds: options.pollingIntervalSeconds ?? 1,
        ...(options.ai === undefined ? {} : { model: jobModelServices(options.ai, logs) }),
        review: reviewStepServices(logs),
        // Jobs detect on the pool's threads too, so a long document never blocks the API.
        ...(detection === undefined ? {} : { analyzeText: detection.analyze }),
        onEvent: tellStep,
      });
    const maxBytes = options.maxDocumentBytes ?? DEFAULT_LIMITS.maxBytes;
    const store: StoreContext = { db: runtime.handle.db, blobs: runtime.blobs };
    const inlineMaxBytes = options.inlineMaxBytes ?? 0;
    // Small text jobs run in their submitting request, detecting on the pool as workers do.
    const inlineJobs =
      inlineMaxBytes === 0
        ? undefined
        : createInlineJobs(
            store,
            {
              keyring: runtime.keyring,
              vault: new DatabaseTokenVault({ db: runtime.handle.db, keyring: runtime.keyring }),
              ...(detection === undefined ? {} : { analyzeText: detection.analyze }),
            },
            inlineMaxBytes,
          );
    const routes = [
      apiKeyRoutes({
        create: (principal, input) =>
          apiKeys.create({ tenantId: principal.tenantId, ...input }, auditActor(principal)),
        list: (principal) => apiKeys.list(principal.tenantId),
        revoke: (principal, keyId) => apiKeys.revoke(principal.tenantId, keyId, auditActor(principal)),
      }),
      governanceRoutes(createGovernancePort({ ...store, keyring: runtime.keyring }, logs, options.region)),
      legalHoldRoutes(createLegalHoldsPort({ db: runtime.handle.db, keyring: runtime.keyring }, logs)),
      reviewRoutes(createReviewPort({ store, keyring: runtime.keyring, logs, policyFor })),
      policyRoutes(createPolicyPort(runtime.handle.db, logs, tenantPolicy)),
      // The templates a job may name: the same directories submission loads them from.
      templateRoutes({
        list: async () => Promise.all((await listTemplates()).map((name) => loadTemplate(name))),
      }),
    ];
    const privacy: PrivacyWiring = {
      db: runtime.handle.db,
      logs,
      policyFor,
      review: options.reviewMetrics ?? reviewMetricsSource(runtime.handle.db),
    };
    const app = await buildApp({
      authenticate: apiKeys.authenticate(options.authenticate),
      privacyMetrics: privacyMetricsSource(privacy),
      // The role check only: a privileged permission's reason is in the body, which the route's
      // command checks with the access layer's `authorize` once it has been parsed.
      authorize: requirePermission,
      ready: async () => {
        await sql`select 1`.execute(runtime.handle.db);
      },
      ...(logger === undefined ? {} : { logger }),
      ...(options.api === undefined ? {} : { config: options.api }),
      // The same keyring as the workers, so keyed operators agree between /v1/anonymize and jobs.
      tenantKeys: (tenantId) => createOperatorKeys(runtime.keyring, tenantId),
      ...(detection === undefined
        ? {}
        : { analyzeText: detection.analyze, analyzePresented: detection.analyzePresented }),
      ...(options.tls === undefined ? {} : { tls: options.tls }),
      uploads: createUploadsPort(
        {
          store,
          keyring: runtime.keyring,
          maxBytes,
          ttlSeconds: options.uploadTtlSeconds ?? DEFAULT_UPLOAD_TTL_SECONDS,
        },
        async (tenantId) => checkRegion((await tenantPolicy(tenantId)).policy, options.region),
      ),
      jobs: createJobsPort(
        runtime,
        logs,
        tenantPolicy,
        maxBytes,
        workers,
        options.region,
        options.ai,
        options.fusedMaxBytes,
        inlineJobs,
        tellStep,
      ),
      ...auditApiDependencies(logs),
      routes: [
        ...routes,
        ...privacyRoutes(privacy),
        ...alerting.routes,
        signInRoute(options.browserSignIn),
        consoleRoutes(
          undefined,
          options.browserSignIn === undefined ? [] : [new URL(options.browserSignIn.issuer).origin],
        ),
      ],
      observeRequest: alerting.onRequest,
    });
    const sweeper = startUploadSweeper(store, logs, sweepSeconds, logger);
    const keyUpkeep = startKeyMaintenance({
      db: runtime.handle.db,
      keyring: runtime.keyring,
      logs,
      policyFor: async (tenantId: string) => (await tenantPolicy(tenantId)).policy,
      intervalSeconds: options.keyMaintenanceIntervalSeconds ?? 0,
      ...(logger === undefined ? {} : { logger }),
    });
    const governance = startGovernance({
      store,
      logs,
      ...(policies === undefined ? {} : { policies }),
      intervalSeconds: retentionSeconds,
      keyring: runtime.keyring,
      ...(options.region === undefined ? {} : { region: options.region }),
      ...(logger === undefined ? {} : { logger }),
    });
    let closed: Promise<void> | undefined;
    const running = workers;
    const pool = detection;
    const alerts = alerting;
    return {
      app,
      runtime,
      audit: logs,
      apiKeys,
      governancePass: () => governance.runOnce(),
      alerting: alerts,
      close: () =>
        (closed ??= (async () => {
          await app.close();
          await pool?.close();
          await sweeper.stop();
          await keyUpkeep.stop();
          await governance.stop();
          await running?.stop();
          await alerts.close();
          // The heads signed after the last appends, before the database closes.
          await logs.settled();
          await runtime.close();
        })()),
    };
  } catch (error) {
    await detection?.close().catch(() => {});
    await alerting?.close().catch(() => {});
    await workers?.stop().catch(() => {});
    await runtime.close().catch(() => {});
    throw error;
  }
}

/**
 * {@link openService}, listening on `host:port` (port 0 picks a free one). What `veil serve` runs.
 *
 * @example
 * ```ts
 * const { url, close } = await startService({ dataDir: '.veil', host: '127.0.0.1', port: 8080, workers: 1, authenticate });
 * console.error(`listening on ${url}`);
 * ```
 */
export async function startService(
  options: ServiceOptions & { readonly host: string; readonly port: number },
): Promise<Service & { readonly url: string }> {
  const service = await openService(options);
  try {
    await service.app.listen({ host: options.host, port: options.port });
  } catch (error) {
    await service.close().catch(() => {});
    throw error;
  }
  const address = service.app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return { ...service, url: `${options.tls === undefined ? 'http' : 'https'}://${host}:${port}` };
}
