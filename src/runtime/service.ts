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
import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { authorize, can } from '../access/index.js';
import type { Principal } from '../access/index.js';
import { buildApp } from '../api/index.js';
import type { Authenticate } from '../api/index.js';
import type { JobsPort, JobSubmission, RevealedValue } from '../api/routes/jobs.js';
import { jobRoutes } from '../api/routes/jobs.js';
import type { UploadsPort, UploadUrlProof } from '../api/routes/uploads.js';
import { uploadRoutes } from '../api/routes/uploads.js';
import { signatureKeyVersion, signUpload, verifyUpload } from '../api/upload-signing.js';
import type { AuditEventInput } from '../audit/index.js';
import { deriveSubkey } from '../crypto/hkdf.js';
import type { Keyring } from '../crypto/keyring.js';
import { createOperatorKeys } from '../crypto/operator-keys.js';
import { DEFAULT_LIMITS, documentText, parseDocument, sniffType } from '../documents/index.js';
import type { Finding } from '../engine/types.js';
import { VeilError, isVeilError } from '../errors/veil-error.js';
import { deleteJob, getJobStatus, listJobs, openRuntime, readRedacted, startWorkers, submitJob, submitOnce } from '../pipeline/index.js';
import type { Runtime, Workers } from '../pipeline/index.js';
import { ARTIFACT, artifactId, decodeManifest, frameOutput, unframeOutput } from '../pipeline/jobs/request.js';
import { loadPolicy } from '../policy/index.js';
import type { Policy } from '../policy/index.js';
import { ensureTenant, forTenant } from '../store/index.js';
import type { StoreContext } from '../store/index.js';
import { openApiKeys } from './api-keys.js';
import type { ApiKeys } from './api-keys.js';
import { auditActor, auditApiDependencies, jobDeletedEvent, openAuditLogs, recordWorkerEvent } from './audit.js';
import type { AuditLogs } from './audit.js';
import { createDetectionPool } from './detection-pool.js';
import { idempotencyHashes } from './idempotency.js';
import type { DetectionPool } from './detection-pool.js';
import { sweepExpiredUploads, UPLOAD_CLASS } from './upload-sweeper.js';
import { consoleRoutes } from '../web/serve-console.js';

/** The policy a job runs under when the service is given none: the one shipped with Veil. */
export const DEFAULT_POLICY_PATH = fileURLToPath(new URL('../../policies/default.yaml', import.meta.url));

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
  /** The policy of a tenant; default the shipped `policies/default.yaml` for every tenant. */
  readonly policyFor?: (tenantId: string) => Policy | Promise<Policy>;
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
  /** Stops the API, drains the workers, closes pg-boss and the database. */
  close(): Promise<void>;
}

function jobEvent(principal: Principal, jobId: string): Pick<AuditEventInput, 'time' | 'actor' | 'tenant' | 'objects'> {
  return { time: new Date().toISOString(), actor: auditActor(principal), tenant: principal.tenantId, objects: [{ kind: 'job', id: jobId }] };
}

/**
 * The text a job's findings index into, rebuilt in memory from the original exactly as the parse
 * step built it (its `parsed` artifact is deleted when the job finishes).
 */
async function findingsText(original: Buffer, declaredType: string | null): Promise<string> {
  const sniffed = await sniffType(original);
  if (sniffed.text !== undefined && (sniffed.format === 'text' || declaredType === 'text/plain')) return sniffed.text;
  return documentText(await parseDocument(original)).text;
}

/** The upload-URL key of a tenant: derived from its data key, so it is never stored anywhere. */
async function uploadKey(keyring: Keyring, tenantId: string, version?: number): Promise<{ version: number; key: Buffer }> {
  const dataKey = version === undefined ? await keyring.currentKey(tenantId) : await keyring.keyForVersion(tenantId, version);
  return { version: dataKey.version, key: deriveSubkey(dataKey.key, 'upload/url', [tenantId]) };
}

function uploadInvalid(): VeilError {
  return new VeilError('VEIL_UPLOAD_INVALID', 'upload: the URL signature does not match; ask POST /v1/uploads for a new one');
}

function uploadUsed(): VeilError {
  return new VeilError('VEIL_UPLOAD_USED', 'upload: this upload has already been used; ask POST /v1/uploads for a new one');
}

function uploadExpired(): VeilError {
  return new VeilError('VEIL_UPLOAD_EXPIRED', 'upload: the upload has expired; ask POST /v1/uploads for a new one');
}

function uploadNotFound(): VeilError {
  return new VeilError('VEIL_NOT_FOUND', 'upload: no such upload in this tenant');
}

function createUploadsPort(store: StoreContext, keyring: Keyring, limits: { maxBytes: number; ttlSeconds: number }): UploadsPort {
  const check = async (principal: Principal, uploadId: string, proof: UploadUrlProof): Promise<{ maxBytes: number }> => {
    const tenantId = principal.tenantId;
    const upload = await forTenant(store, tenantId).uploads.get(uploadId);
    if (upload === undefined) throw uploadNotFound();
    const version = signatureKeyVersion(proof.sig);
    if (version === undefined) throw uploadInvalid();
    let key: Buffer;
    try {
      ({ key } = await uploadKey(keyring, tenantId, version));
    } catch (error) {
      if (isVeilError(error) && (error.code === 'VEIL_KEY_NOT_FOUND' || error.code === 'VEIL_KEY_RETIRED')) throw uploadInvalid();
      throw error;
    }
    const claims = { tenantId, uploadId, expires: proof.expires, maxBytes: upload.maxBytes };
    // The slot's own expiry must be the signed one: a valid signature over another time is no use.
    if (!verifyUpload(claims, proof.sig, key) || upload.expiresAt.getTime() !== proof.expires * 1000) throw uploadInvalid();
    if (Date.now() >= upload.expiresAt.getTime()) throw uploadExpired();
    if (upload.usedAt !== null || upload.blobName !== null) throw uploadUsed();
    return { maxBytes: upload.maxBytes };
  };
  return {
    maxBytes: limits.maxBytes,
    ttlSeconds: limits.ttlSeconds,
    async create(principal, input) {
      const tenantId = principal.tenantId;
      await ensureTenant(store.db, tenantId);
      const uploadId = randomUUID();
      const expires = Math.floor(Date.now() / 1000) + limits.ttlSeconds;
      const maxBytes = Math.max(1, Math.min(input.maxBytes, limits.maxBytes));
      await forTenant(store, tenantId).uploads.create({ id: uploadId, maxBytes, expiresAt: new Date(expires * 1000) });
      const { version, key } = await uploadKey(keyring, tenantId);
      return { uploadId, expires, maxBytes, sig: signUpload({ tenantId, uploadId, expires, maxBytes }, key, version) };
    },
    check,
    async receive(principal, uploadId, proof, content) {
      const { maxBytes } = await check(principal, uploadId, proof);
      if (content.bytes.length > maxBytes)
        throw new VeilError('VEIL_UPLOAD_TOO_LARGE', `upload: the document is larger than this upload's ${maxBytes} bytes`);
      const ref = await store.blobs.put(
        { tenantId: principal.tenantId, artifactClass: UPLOAD_CLASS },
        // The media type travels inside the ciphertext: the upload row has no column for it.
        frameOutput(content.mediaType, content.bytes),
      );
      if (!(await forTenant(store, principal.tenantId).uploads.attachBlob(uploadId, ref.name))) {
        await store.blobs.delete(ref);
        throw uploadUsed();
      }
      return { sizeBytes: content.bytes.length };
    },
  };
}

/** Takes an upload's bytes for a job, once; the upload (row and blob) is gone afterwards. */
async function takeUpload(store: StoreContext, tenantId: string, uploadId: string): Promise<{ bytes: Buffer; mediaType: string }> {
  const uploads = forTenant(store, tenantId).uploads;
  const upload = await uploads.get(uploadId);
  if (upload === undefined) throw uploadNotFound();
  if (upload.usedAt !== null) throw uploadUsed();
  if (Date.now() >= upload.expiresAt.getTime()) throw uploadExpired();
  if (upload.blobName === null) throw new VeilError('VEIL_UPLOAD_EMPTY', 'upload: the upload has not received its bytes; PUT them to its URL first');
  // consume() is the single-use gate: of two concurrent jobs, one gets the upload.
  if ((await uploads.consume(uploadId)) === undefined) throw uploadUsed();
  const ref = { tenantId, artifactClass: UPLOAD_CLASS, name: upload.blobName };
  try {
    const { mediaType, bytes } = unframeOutput(await store.blobs.get(ref));
    return { mediaType, bytes };
  } finally {
    // The job stores its own encrypted copy; the upload keeps nothing, not even its row.
    await store.blobs.delete(ref);
    await uploads.delete(uploadId);
  }
}

function createJobsPort(
  runtime: Runtime,
  logs: AuditLogs,
  policyFor: (tenantId: string) => Policy | Promise<Policy>,
  maxBytes: number,
  workers: Workers | undefined,
): JobsPort {
  const store: StoreContext = { db: runtime.handle.db, blobs: runtime.blobs };
  const submitNow = async (principal: Principal, submission: JobSubmission, jobId?: string): Promise<{ jobId: string; status: string }> => {
    const tenant = principal.tenantId;
    const { source } = submission;
    const document =
      source.kind === 'text'
        ? { bytes: Buffer.from(source.text, 'utf8'), mediaType: 'text/plain' }
        : source.kind === 'file'
          ? { bytes: source.bytes, mediaType: source.mediaType }
          : await takeUpload(store, tenant, source.uploadId);
    const job = await submitJob(
      { ...store, boss: runtime.boss },
      {
        tenant,
        bytes: document.bytes,
        mediaType: document.mediaType,
        purpose: submission.purpose,
        consent: submission.consent,
        outputs: submission.outputs,
        retentionDays: submission.retentionDays,
        policy: await policyFor(tenant),
        ...(jobId === undefined ? {} : { jobId }),
      },
    );
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
    // Recorded, so it may run: an idle local worker takes it now instead of at its next poll.
    workers?.wake('intake');
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
    status: (principal, jobId) => getJobStatus(store, { tenant: principal.tenantId, jobId }),
    list: (principal, query) => listJobs(store, { tenant: principal.tenantId, ...query }),
    async redacted(principal, jobId) {
      const output = await readRedacted(store, { tenant: principal.tenantId, jobId });
      await logs.forTenant(principal.tenantId).append({ ...jobEvent(principal, jobId), action: 'job.download' });
      return output;
    },
    async delete(principal, jobId) {
      const deleted = await deleteJob(store, { tenant: principal.tenantId, jobId });
      return logs.recordWithReceipt(jobDeletedEvent(deleted, { actor: auditActor(principal), trigger: 'request' }));
    },
    async reveal(principal, jobId, reason) {
      const tenant = principal.tenantId;
      // The route's guard checked the role; this checks the reason too, as the access layer defines it.
      authorize(principal, 'job:reveal', { tenantId: tenant, reason: [reason.code, reason.ticket, reason.note].filter(Boolean).join(' ') });
      const repos = forTenant(store, tenant);
      const job = await repos.jobs.get(jobId);
      if (job === undefined || job.status === 'cancelled') throw new VeilError('VEIL_NOT_FOUND', 'jobs: no such job in this tenant');
      if (job.status === 'queued' || job.status === 'running')
        throw new VeilError('VEIL_JOB_NOT_READY', `jobs: the job is ${job.status}; retry when it has succeeded`);
      if (job.status === 'failed') throw new VeilError('VEIL_JOB_FAILED', `jobs: the job failed (${job.errorCode ?? 'VEIL_JOB_FAILED'}) and has no findings`);
      if ((await repos.artifacts.get(artifactId(job.id, ARTIFACT.findings))) === undefined)
        throw new VeilError('VEIL_NOT_FOUND', 'jobs: the job has no findings (they have been deleted)');
      // Recorded before anything is decrypted: no reveal happens that the log does not hold. A
      // note shaped like personal data fails the event schema here, and nothing is revealed.
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
      const { findings } = JSON.parse((await repos.artifacts.read(artifactId(job.id, ARTIFACT.findings))).toString('utf8')) as {
        findings: readonly Finding[];
      };
      const manifest = decodeManifest(await repos.artifacts.read(artifactId(job.id, ARTIFACT.manifest)), job.policyHash);
      const text = await findingsText(await repos.artifacts.read(artifactId(job.id, ARTIFACT.original)), manifest.mediaType);
      return findings.map((f): RevealedValue => ({ type: f.type, start: f.start, end: f.end, value: text.slice(f.start, f.end) }));
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
        if (swept.length > 0) logger?.info({ component: 'uploads', deleted: swept.length }, 'expired uploads deleted');
      })
      // Names only: the next sweep tries again.
      .catch((error: unknown) => logger?.error({ component: 'uploads', errorName: error instanceof Error ? error.name : 'unknown' }, 'upload sweep failed'))
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
    throw new VeilError('VEIL_INVALID_OPTION', 'service: uploadSweepIntervalSeconds must be a number of at least 0');
  const runtime = await openRuntime({
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
    ...(options.databaseUrl === undefined ? {} : { databaseUrl: options.databaseUrl }),
    onQueueError: (error) => logger?.warn({ component: 'queue', errorName: error.name }, 'queue error'),
  });
  let workers: Workers | undefined;
  let detection: DetectionPool | undefined;
  try {
    const threads = options.detectionThreads ?? defaultDetectionThreads();
    if (!Number.isInteger(threads) || threads < 0)
      throw new VeilError('VEIL_INVALID_OPTION', 'service: detectionThreads must be an integer of at least 0');
    if (threads > 0) detection = createDetectionPool({ threads });
    const logs = await openAuditLogs({ db: runtime.handle.db, dataDir: runtime.dataDir });
    const apiKeys = await openApiKeys({ db: runtime.handle.db, keyring: runtime.keyring, logs });
    const concurrency = options.workers ?? 1;
    if (concurrency > 0)
      workers = await startWorkers({
        ...runtime,
        concurrency,
        pollingIntervalSeconds: options.pollingIntervalSeconds ?? 1,
        // Ids, steps and codes only: a worker event carries no content.
        onEvent: (event) => {
          logger?.[event.kind === 'step-done' ? 'debug' : 'warn'](
            { component: 'worker', kind: event.kind, step: event.step, tenant: event.tenantId, job: event.jobId, code: event.code, attempt: event.attempt },
            'job step',
          );
          recordWorkerEvent(logs, event).catch((error: unknown) =>
            logger?.error({ component: 'audit', errorName: error instanceof Error ? error.name : 'unknown' }, 'job step not recorded'),
          );
        },
      });
    const defaultPolicy = options.policyFor === undefined ? await loadPolicy(DEFAULT_POLICY_PATH) : undefined;
    const policyFor = options.policyFor ?? (() => defaultPolicy!);
    const maxBytes = options.maxDocumentBytes ?? DEFAULT_LIMITS.maxBytes;
    const store: StoreContext = { db: runtime.handle.db, blobs: runtime.blobs };
    const routes = [
      uploadRoutes(createUploadsPort(store, runtime.keyring, { maxBytes, ttlSeconds: options.uploadTtlSeconds ?? DEFAULT_UPLOAD_TTL_SECONDS })),
      jobRoutes(createJobsPort(runtime, logs, policyFor, maxBytes, workers)),
      consoleRoutes(),
    ];
    const app = await buildApp({
      authenticate: apiKeys.authenticate(options.authenticate),
      // The role check only: a privileged permission's reason is in the body, which the route's
      // command checks with the access layer's `authorize` once it has been parsed.
      authorize: (principal, permission) => {
        if (!can(principal.roles, permission))
          throw new VeilError('VEIL_FORBIDDEN', `this action needs the permission ${permission}`);
      },
      ready: async () => {
        await sql`select 1`.execute(runtime.handle.db);
      },
      ...(logger === undefined ? {} : { logger }),
      ...(options.api === undefined ? {} : { config: options.api }),
      // The same keyring as the workers, so keyed operators agree between /v1/anonymize and jobs.
      tenantKeys: (tenantId) => createOperatorKeys(runtime.keyring, tenantId),
      ...(detection === undefined ? {} : { analyzeText: detection.analyze }),
      ...auditApiDependencies(logs, routes),
    });
    const sweeper = startUploadSweeper(store, logs, sweepSeconds, logger);
    let closed: Promise<void> | undefined;
    const running = workers;
    const pool = detection;
    return {
      app,
      runtime,
      audit: logs,
      apiKeys,
      close: () =>
        (closed ??= (async () => {
          await app.close();
          await pool?.close();
          await sweeper.stop();
          await running?.stop();
          await runtime.close();
        })()),
    };
  } catch (error) {
    await detection?.close().catch(() => {});
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
export async function startService(options: ServiceOptions & { readonly host: string; readonly port: number }): Promise<Service & { readonly url: string }> {
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
  return { ...service, url: `http://${host}:${port}` };
}
