/**
 * `VeilClient`: the typed SDK over Veil's HTTP API, for Node 20+ and browsers (fetch only). Its
 * defaults are the conservative ones a caller must override on purpose: redacted output only,
 * 7-day retention, no model training, no manual review; and every submission carries an
 * idempotency key, reused on each retry, so a lost answer never makes a second job.
 */
import { VeilApiError } from './errors.js';
import { send, sleep } from './http.js';
import type { RequestSpec, TokenSource, TransportOptions } from './http.js';
import type {
  AlertList,
  AlertsQuery,
  ApiKeyCreated,
  ApiKeyList,
  ApiKeyRequest,
  AuditEntries,
  AuditEntriesQuery,
  AuditPublicKey,
  ConsentBasis,
  ConsentWithdrawal,
  ConsentWithdrawalRequest,
  CountsQuery,
  CountsRelease,
  JobDeletion,
  JobFields,
  JobList,
  JobListQuery,
  JobOutput,
  JobRequestBody,
  JobStatus,
  Me,
  PrivacyMetrics,
  TenantPolicyView,
  ComplianceReport,
  ComplianceReportQuery,
  Revealed,
  RevealRequest,
  ReviewDecision,
  ReviewTask,
  ReviewTaskList,
  ReviewTaskListQuery,
  SignedTreeHead,
  SubjectAccess,
  SubjectErasure,
  SubjectQuery,
  TemplateList,
  UploadIssued,
  UploadReceived,
} from './types.js';
import { decodeOutputReceipt, OUTPUT_RECEIPT_HEADER, verifyReceipt } from './verify-receipt.js';
import type { ReceiptPublicKey, ReceiptVerification } from './verify-receipt.js';

/** What {@link VeilClient} takes. */
export interface VeilClientOptions {
  /** Where `veil serve` answers, e.g. `http://127.0.0.1:8080`. */
  readonly baseUrl: string;
  /** A bearer token or an API key (`veil_…`), or a function returning the current one. */
  readonly token: TokenSource;
  /**
   * The data region this client's work must stay in. Kept on the client for the calls that will
   * carry it; the API does not take a region yet (see the README).
   */
  readonly region?: string;
  /** Attempts after the first for answers that say "later" (503, 429) and safe repeats (default 4). */
  readonly retries?: number;
  /** The longest wait between attempts in ms; a longer `Retry-After` fails at once (default 30 000). */
  readonly maxRetryDelayMs?: number;
  /** A fetch to use instead of the global one (tests, instrumentation). */
  readonly fetch?: typeof fetch;
}

/** A job request with the client's defaults filled in for anything not given. */
export interface SubmitJobRequest {
  /** The document as text (exactly one of `text`, `uploadId`, `file`). */
  readonly text?: string;
  /** An upload that has received its bytes ({@link VeilClient.uploadFile}). */
  readonly uploadId?: string;
  /** A document to upload first (a Blob/File in a browser, bytes anywhere). */
  readonly file?: Blob | Uint8Array;
  /** The file's media type (default `application/octet-stream`: the server sniffs the content). */
  readonly mediaType?: string;
  /** Why the document is processed: a purpose code such as `claims-intake`. */
  readonly purpose: string;
  readonly consent: {
    readonly basis: ConsentBasis;
    /** Default false. */
    readonly allowModelTraining?: boolean;
    /** Default false. */
    readonly allowManualReview?: boolean;
  };
  /** Default `['redacted']`: no output carries a detected value. */
  readonly outputs?: readonly JobOutput[];
  /** Default 7. */
  readonly retentionDays?: number;
  /**
   * A field template (`GET /v1/templates`) to extract under; adds the `fields` output when
   * `outputs` is not given.
   */
  readonly template?: string;
  /** With `template`: only these of its fields (default: all of them). */
  readonly templateFields?: readonly string[];
}

/** The client's defaults, in one place. */
export const SAFE_DEFAULTS = {
  outputs: ['redacted'] as readonly JobOutput[],
  retentionDays: 7,
  allowModelTraining: false,
  allowManualReview: false,
} as const;

/** The states after which a job no longer changes. */
export const FINAL_STATES: ReadonlySet<string> = new Set(['succeeded', 'failed', 'cancelled']);

/** Progress of an upload. */
export interface UploadProgress {
  readonly sentBytes: number;
  /** Known for Blobs and byte arrays; undefined for a stream of unknown length. */
  readonly totalBytes: number | undefined;
}

const CHUNK = 64 * 1024;

function idempotencyKey(): string {
  // getRandomValues exists in every browser context (randomUUID only in secure ones) and in Node 20.
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  return `veil-sdk-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

function query(params: Readonly<Record<string, string | number | undefined>>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params))
    if (value !== undefined) search.set(name, String(value));
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

function path(id: string): string {
  return encodeURIComponent(id);
}

/** A stream of `data` in chunks, reporting each chunk as it is read (what the server has been sent, near enough). */
function counted(
  data: Blob | Uint8Array | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>,
  onProgress: ((progress: UploadProgress) => void) | undefined,
): { stream: ReadableStream<Uint8Array>; total: number | undefined } {
  const total =
    data instanceof Uint8Array
      ? data.byteLength
      : typeof Blob !== 'undefined' && data instanceof Blob
        ? data.size
        : undefined;
  let source: AsyncIterator<Uint8Array>;
  if (data instanceof Uint8Array) {
    source = (async function* () {
      for (let at = 0; at < data.byteLength; at += CHUNK) yield data.subarray(at, at + CHUNK);
    })();
  } else if (typeof Blob !== 'undefined' && data instanceof Blob) {
    source = (data.stream() as unknown as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
  } else {
    source = (data as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
  }
  let sent = 0;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await source.next();
      if (next.done === true) return controller.close();
      sent += next.value.byteLength;
      controller.enqueue(next.value);
      onProgress?.({ sentBytes: sent, totalBytes: total });
    },
    async cancel() {
      await source.return?.();
    },
  });
  return { stream, total };
}

/** The part of a browser's XMLHttpRequest used here, typed structurally (no DOM types in this package). */
interface BrowserXhr {
  open(method: string, url: string): void;
  setRequestHeader(name: string, value: string): void;
  send(body: unknown): void;
  abort(): void;
  readonly upload: { onprogress: ((event: { loaded: number }) => void) | null };
  onerror: (() => void) | null;
  onabort: (() => void) | null;
  onload: (() => void) | null;
  readonly status: number;
  readonly responseText: string;
}

function browserXhr(): (new () => BrowserXhr) | undefined {
  const ctor = (globalThis as { XMLHttpRequest?: new () => BrowserXhr }).XMLHttpRequest;
  return typeof ctor === 'function' ? ctor : undefined;
}

/** A PUT through XMLHttpRequest, the one browser API that reports upload progress. */
function xhrPut(
  url: string,
  token: string,
  body: Blob | Uint8Array,
  mediaType: string,
  onProgress: ((progress: UploadProgress) => void) | undefined,
  signal: AbortSignal | undefined,
): Promise<UploadReceived> {
  return new Promise((resolve, reject) => {
    const Xhr = browserXhr()!;
    const xhr = new Xhr();
    xhr.open('PUT', url);
    xhr.setRequestHeader('authorization', `Bearer ${token}`);
    xhr.setRequestHeader('content-type', mediaType);
    const total = body instanceof Uint8Array ? body.byteLength : body.size;
    xhr.upload.onprogress = (event) => onProgress?.({ sentBytes: event.loaded, totalBytes: total });
    xhr.onerror = () =>
      reject(
        new VeilApiError(
          'VEIL_CLIENT_NETWORK',
          'no answer from the server (connection refused, reset or lost)',
          0,
        ),
      );
    xhr.onabort = () => reject(new VeilApiError('VEIL_CLIENT_ABORTED', 'the request was aborted', 0));
    xhr.onload = () => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(xhr.responseText);
      } catch {
        parsed = undefined;
      }
      if (xhr.status === 201) return resolve(parsed as UploadReceived);
      const error = (parsed as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
      reject(
        typeof error?.code === 'string' && typeof error.message === 'string'
          ? new VeilApiError(error.code, error.message, xhr.status)
          : new VeilApiError(
              'VEIL_CLIENT_BAD_RESPONSE',
              `the server answered ${xhr.status} without an error body`,
              xhr.status,
            ),
      );
    };
    signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(body);
  });
}

/**
 * The Veil API client.
 *
 * @example
 * ```ts
 * const veil = new VeilClient({ baseUrl: 'http://127.0.0.1:8080', token: process.env.VEIL_TOKEN! });
 * const { jobId } = await veil.submitJob({ text: 'Call Jane on 555-0100', purpose: 'claims-intake', consent: { basis: 'contract' } });
 * const done = await veil.waitForJob(jobId); // { status: 'succeeded', counts_by_type: { PHONE_NUMBER: 1, PERSON: 1 }, … }
 * const { receipt } = await veil.deleteJob(jobId);
 * (await veil.verifyReceipt(receipt)).ok; // true
 * ```
 */
export class VeilClient {
  /** The region from the options, if any. */
  readonly region: string | undefined;
  readonly #transport: TransportOptions;
  #publicKey: Promise<AuditPublicKey> | undefined;

  constructor(options: VeilClientOptions) {
    let base: URL;
    try {
      base = new URL(options.baseUrl);
    } catch {
      throw new VeilApiError('VEIL_CLIENT_BAD_OPTION', 'baseUrl must be an absolute http(s) URL', 0);
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:')
      throw new VeilApiError('VEIL_CLIENT_BAD_OPTION', 'baseUrl must be an absolute http(s) URL', 0);
    if (options.token === '' || options.token === undefined)
      throw new VeilApiError('VEIL_CLIENT_BAD_OPTION', 'token is required (a bearer token or an API key)', 0);
    const fetchImpl = options.fetch ?? globalThis.fetch;
    this.region = options.region;
    this.#transport = {
      baseUrl: base.toString(),
      token: options.token,
      // Bound, so a browser's fetch is called with the right `this`.
      fetch: (...args: Parameters<typeof fetch>) => fetchImpl(...args),
      retries: options.retries ?? 4,
      maxRetryDelayMs: options.maxRetryDelayMs ?? 30_000,
    };
  }

  async #json<T>(spec: RequestSpec): Promise<T> {
    const res = await send(this.#transport, spec);
    try {
      return (await res.json()) as T;
    } catch (cause) {
      throw new VeilApiError(
        'VEIL_CLIENT_BAD_RESPONSE',
        'the server answered with something that is not JSON',
        res.status,
        { cause },
      );
    }
  }

  /** The caller's tenant, roles and permissions (`GET /v1/me`). */
  me(options: { signal?: AbortSignal } = {}): Promise<Me> {
    return this.#json({ method: 'GET', path: '/v1/me', retry: 'safe', signal: options.signal });
  }

  /**
   * Submits a document. Defaults: {@link SAFE_DEFAULTS}. The idempotency key (generated unless
   * given) goes with every retry, so the server makes one job however many attempts it takes.
   * `status` is `queued`, or `succeeded` when the server ran a small text job in the request
   * (`VEIL_INLINE_MAX_BYTES`): its outputs can be read at once, and {@link VeilClient.waitForJob} answers
   * after one status read.
   *
   * @example
   * ```ts
   * const { jobId, status } = await veil.submitJob({ text, purpose: 'claims-intake', consent: { basis: 'contract' } });
   * ```
   */
  async submitJob(
    request: SubmitJobRequest,
    options: {
      idempotencyKey?: string;
      signal?: AbortSignal;
      onUploadProgress?: (p: UploadProgress) => void;
    } = {},
  ): Promise<{ jobId: string; status: string }> {
    const sources = [request.text, request.uploadId, request.file].filter((s) => s !== undefined).length;
    if (sources !== 1)
      throw new VeilApiError(
        'VEIL_CLIENT_BAD_OPTION',
        'submitJob: give exactly one of text, uploadId or file',
        0,
      );
    let uploadId = request.uploadId;
    if (request.file !== undefined) {
      uploadId = (
        await this.uploadFile(request.file, {
          mediaType: request.mediaType ?? 'application/octet-stream',
          ...(options.onUploadProgress === undefined ? {} : { onProgress: options.onUploadProgress }),
          ...(options.signal === undefined ? {} : { signal: options.signal }),
        })
      ).uploadId;
    }
    const body: JobRequestBody = {
      ...(request.text !== undefined ? { text: request.text } : { upload_id: uploadId! }),
      purpose: request.purpose,
      consent: {
        basis: request.consent.basis,
        allow_model_training: request.consent.allowModelTraining ?? SAFE_DEFAULTS.allowModelTraining,
        allow_manual_review: request.consent.allowManualReview ?? SAFE_DEFAULTS.allowManualReview,
      },
      outputs: [
        ...(request.outputs ??
          (request.template === undefined ? SAFE_DEFAULTS.outputs : [...SAFE_DEFAULTS.outputs, 'fields'])),
      ],
      retention_days: request.retentionDays ?? SAFE_DEFAULTS.retentionDays,
      ...(request.template === undefined ? {} : { template: request.template }),
      ...(request.templateFields === undefined ? {} : { template_fields: [...request.templateFields] }),
    };
    const accepted = await this.#json<{ job_id: string; status: string }>({
      method: 'POST',
      path: '/v1/jobs',
      json: body,
      headers: { 'idempotency-key': options.idempotencyKey ?? idempotencyKey() },
      retry: 'safe',
      retryCodes: ['VEIL_IDEMPOTENCY_IN_PROGRESS'],
      signal: options.signal,
    });
    return { jobId: accepted.job_id, status: accepted.status };
  }

  /** A job's status: counts by type, times, never values (`GET /v1/jobs/{id}`). */
  getJob(jobId: string, options: { signal?: AbortSignal } = {}): Promise<JobStatus> {
    return this.#json({
      method: 'GET',
      path: `/v1/jobs/${path(jobId)}`,
      retry: 'safe',
      signal: options.signal,
    });
  }

  /** A page of the tenant's jobs, newest first (`GET /v1/jobs`); follow `next_cursor`. */
  listJobs(filters: JobListQuery = {}, options: { signal?: AbortSignal } = {}): Promise<JobList> {
    return this.#json({
      method: 'GET',
      path: `/v1/jobs${query({ status: filters.status, purpose: filters.purpose, limit: filters.limit, cursor: filters.cursor })}`,
      retry: 'safe',
      signal: options.signal,
    });
  }

  /**
   * Polls a job until it is final (succeeded, failed or cancelled) and returns its status; waits
   * 250 ms, then longer (×1.5, at most `maxDelayMs`) between polls.
   *
   * @throws VeilApiError `VEIL_CLIENT_TIMEOUT` after `timeoutMs`, `VEIL_CLIENT_ABORTED` when `signal` aborts.
   *
   * @example
   * ```ts
   * const done = await veil.waitForJob(jobId, { signal: AbortSignal.timeout(120_000) });
   * ```
   */
  async waitForJob(
    jobId: string,
    options: {
      signal?: AbortSignal;
      timeoutMs?: number;
      maxDelayMs?: number;
      onStatus?: (status: JobStatus) => void;
    } = {},
  ): Promise<JobStatus> {
    const deadline = options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs;
    let delay = 250;
    for (;;) {
      const status = await this.getJob(jobId, options.signal === undefined ? {} : { signal: options.signal });
      options.onStatus?.(status);
      if (FINAL_STATES.has(status.status)) return status;
      if (Date.now() + delay > deadline)
        throw new VeilApiError(
          'VEIL_CLIENT_TIMEOUT',
          `the job was still ${status.status} after ${options.timeoutMs} ms`,
          0,
        );
      await sleep(delay, options.signal);
      delay = Math.min(options.maxDelayMs ?? 5000, delay * 1.5);
    }
  }

  /**
   * Uploads a document to a signed, single-use upload URL: asks for one, then PUTs the bytes,
   * streamed, reporting progress. In a browser pass a Blob or File (sent with XMLHttpRequest,
   * whose progress events are the browser's); in Node anything, including a stream.
   *
   * @example
   * ```ts
   * const { uploadId } = await veil.uploadFile(await readFile('claim.pdf'), { mediaType: 'application/pdf', onProgress: (p) => bar.update(p.sentBytes) });
   * await veil.submitJob({ uploadId, purpose: 'claims-intake', consent: { basis: 'contract' } });
   * ```
   */
  async uploadFile(
    data: Blob | Uint8Array | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>,
    options: { mediaType: string; onProgress?: (progress: UploadProgress) => void; signal?: AbortSignal },
  ): Promise<{ uploadId: string; sizeBytes: number }> {
    const known =
      data instanceof Uint8Array
        ? data.byteLength
        : typeof Blob !== 'undefined' && data instanceof Blob
          ? data.size
          : undefined;
    const issued = await this.#json<UploadIssued>({
      method: 'POST',
      path: '/v1/uploads',
      json: known === undefined ? {} : { max_bytes: Math.max(1, known) },
      retry: 'safe',
      signal: options.signal,
    });
    const url = new URL(issued.upload_url, this.#transport.baseUrl).toString();
    let received: UploadReceived;
    if (browserXhr() !== undefined && (data instanceof Uint8Array || data instanceof Blob)) {
      const token =
        typeof this.#transport.token === 'string' ? this.#transport.token : await this.#transport.token();
      received = await xhrPut(url, token, data, options.mediaType, options.onProgress, options.signal);
    } else {
      const { stream } = counted(data, options.onProgress);
      received = await this.#json<UploadReceived>({
        method: 'PUT',
        path: issued.upload_url,
        body: stream,
        headers: { 'content-type': options.mediaType },
        // A stream is read once: a lost answer cannot be repeated, only reported.
        retry: 'never',
        signal: options.signal,
        // Node's fetch sends a stream body only half-duplex.
        init: { duplex: 'half' },
      });
    }
    return { uploadId: received.upload_id, sizeBytes: received.size_bytes };
  }

  /**
   * The job's extracted fields (`GET /v1/jobs/{id}/fields`): the template, and each field's
   * value, type, confidence, status and sensitivity. Give a narrower type for a known template.
   *
   * @example
   * ```ts
   * const fields = await veil.getFields<{ total: number; date: string }>(jobId);
   * ```
   */
  getFields<T = JobFields>(jobId: string, options: { signal?: AbortSignal } = {}): Promise<T> {
    return this.#json({
      method: 'GET',
      path: `/v1/jobs/${path(jobId)}/fields`,
      retry: 'safe',
      signal: options.signal,
    });
  }

  /**
   * The redacted document, its media type and its `output.released` receipt
   * (`GET /v1/jobs/{id}/redacted`, audited as a download); check them with `verifyOutputReceipt`.
   */
  async getRedacted(
    jobId: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<{ mediaType: string; bytes: Uint8Array; receipt: unknown }> {
    return this.#bytes({
      method: 'GET',
      path: `/v1/jobs/${path(jobId)}/redacted`,
      retry: 'safe',
      signal: options.signal,
    });
  }

  /**
   * One page of a job's redacted PDF as a PNG (`GET /v1/jobs/{id}/redacted/pages/{page}`, audited
   * as a download), with the document's page count and the `output.released` receipt of the PNG.
   * `dpi` is 36 to 200 (default 96). Errors: `VEIL_JOB_NOT_PDF` when the redacted output is not a
   * PDF, `VEIL_PAGE_OUT_OF_RANGE` past the last page, `VEIL_JOB_NOT_READY` before it has succeeded.
   *
   * @example
   * ```ts
   * const first = await veil.getRedactedPage(jobId, 1);
   * for (let page = 2; page <= first.pages; page++) await veil.getRedactedPage(jobId, page);
   * ```
   */
  async getRedactedPage(
    jobId: string,
    page: number,
    options: { dpi?: number; signal?: AbortSignal } = {},
  ): Promise<{ png: Uint8Array; page: number; pages: number; receipt: unknown }> {
    const res = await send(this.#transport, {
      method: 'GET',
      path: `/v1/jobs/${path(jobId)}/redacted/pages/${page}${query({ dpi: options.dpi })}`,
      retry: 'safe',
      signal: options.signal,
    });
    return {
      png: new Uint8Array(await res.arrayBuffer()),
      page,
      pages: Number(res.headers.get('veil-page-count')),
      receipt: decodeOutputReceipt(res.headers.get(OUTPUT_RECEIPT_HEADER)),
    };
  }

  /** The field templates jobs may extract under, with their fields (`GET /v1/templates`). */
  listTemplates(options: { signal?: AbortSignal } = {}): Promise<TemplateList> {
    return this.#json({ method: 'GET', path: '/v1/templates', retry: 'safe', signal: options.signal });
  }

  async #bytes(spec: RequestSpec): Promise<{ mediaType: string; bytes: Uint8Array; receipt: unknown }> {
    const res = await send(this.#transport, spec);
    return {
      mediaType: (res.headers.get('content-type') ?? 'application/octet-stream').split(';')[0]!.trim(),
      bytes: new Uint8Array(await res.arrayBuffer()),
      receipt: decodeOutputReceipt(res.headers.get(OUTPUT_RECEIPT_HEADER)),
    };
  }

  /** A page of the open review tasks of your queues, oldest first (`GET /v1/review/tasks`); follow `next_cursor`. */
  listReviewTasks(
    query: ReviewTaskListQuery = {},
    options: { signal?: AbortSignal } = {},
  ): Promise<ReviewTaskList> {
    const params = new URLSearchParams();
    if (query.limit !== undefined) params.set('limit', String(query.limit));
    if (query.cursor !== undefined) params.set('cursor', query.cursor);
    const qs = params.toString();
    return this.#json({
      method: 'GET',
      path: `/v1/review/tasks${qs === '' ? '' : `?${qs}`}`,
      retry: 'safe',
      signal: options.signal,
    });
  }

  /** One review task (`GET /v1/review/tasks/{id}`). */
  getReviewTask(taskId: string, options: { signal?: AbortSignal } = {}): Promise<ReviewTask> {
    return this.#json({
      method: 'GET',
      path: `/v1/review/tasks/${path(taskId)}`,
      retry: 'safe',
      signal: options.signal,
    });
  }

  /** The PNG crop of a task's field; each view is audited (`GET /v1/review/tasks/{id}/crop`). */
  async getReviewCrop(taskId: string, options: { signal?: AbortSignal } = {}): Promise<Uint8Array> {
    const res = await send(this.#transport, {
      method: 'GET',
      path: `/v1/review/tasks/${path(taskId)}/crop`,
      retry: 'safe',
      signal: options.signal,
    });
    return new Uint8Array(await res.arrayBuffer());
  }

  /** Claims a task for the policy's lease; another reviewer's claim answers 409 (`POST …/claim`). */
  claimReviewTask(taskId: string, options: { signal?: AbortSignal } = {}): Promise<ReviewTask> {
    return this.#json({
      method: 'POST',
      path: `/v1/review/tasks/${path(taskId)}/claim`,
      retry: 'refused',
      signal: options.signal,
    });
  }

  /** Confirms, corrects (a bad value is 422) or rejects a task's field (`POST …/decision`). */
  decideReviewTask(
    taskId: string,
    decision: ReviewDecision,
    options: { signal?: AbortSignal } = {},
  ): Promise<ReviewTask> {
    return this.#json({
      method: 'POST',
      path: `/v1/review/tasks/${path(taskId)}/decision`,
      json: decision,
      retry: 'refused',
      signal: options.signal,
    });
  }

  /**
   * Deletes a job and everything it stored; returns what was deleted and the receipt (verify it
   * with {@link VeilClient.verifyReceipt} or `veil audit verify`).
   */
  deleteJob(jobId: string, options: { signal?: AbortSignal } = {}): Promise<JobDeletion> {
    return this.#json({
      method: 'DELETE',
      path: `/v1/jobs/${path(jobId)}`,
      retry: 'refused',
      signal: options.signal,
    });
  }

  /** Reveals the original values (admin, dpo), with a reason the audit log records first. */
  reveal(
    jobId: string,
    reason: RevealRequest['reason'],
    options: { signal?: AbortSignal } = {},
  ): Promise<Revealed> {
    return this.#json({
      method: 'POST',
      path: `/v1/jobs/${path(jobId)}/reveal`,
      json: { reason },
      retry: 'refused',
      signal: options.signal,
    });
  }

  /** A page of the tenant's audit log (`GET /v1/audit/entries`). */
  auditEntries(
    filters: AuditEntriesQuery = {},
    options: { signal?: AbortSignal } = {},
  ): Promise<AuditEntries> {
    return this.#json({
      method: 'GET',
      path: `/v1/audit/entries${query({ from: filters.from, limit: filters.limit, action: filters.action })}`,
      retry: 'safe',
      signal: options.signal,
    });
  }

  /** The latest signed tree head of the tenant's log. */
  auditTreeHead(options: { signal?: AbortSignal } = {}): Promise<SignedTreeHead> {
    return this.#json({ method: 'GET', path: '/v1/audit/sth', retry: 'safe', signal: options.signal });
  }

  /** The tenant's API keys: ids, roles and dates, never a key (`GET /v1/api-keys`, admin). */
  listApiKeys(options: { signal?: AbortSignal } = {}): Promise<ApiKeyList> {
    return this.#json({ method: 'GET', path: '/v1/api-keys', retry: 'safe', signal: options.signal });
  }

  /**
   * Creates a service API key (admin). The key is in this answer only: show it once, keep it
   * nowhere. Not retried (a retry after a lost answer would make a second key).
   *
   * @example
   * ```ts
   * const { api_key, key_id } = await veil.createApiKey({ roles: ['processor'], expires_in_seconds: 86_400 });
   * ```
   */
  createApiKey(request: ApiKeyRequest, options: { signal?: AbortSignal } = {}): Promise<ApiKeyCreated> {
    return this.#json({
      method: 'POST',
      path: '/v1/api-keys',
      json: request,
      retry: 'refused',
      signal: options.signal,
    });
  }

  /** Revokes an API key (admin): requests with it fail from now on. */
  async revokeApiKey(keyId: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    await send(this.#transport, {
      method: 'DELETE',
      path: `/v1/api-keys/${path(keyId)}`,
      retry: 'safe',
      signal: options.signal,
    });
  }

  /** A subject access request (dpo, admin): the subject's jobs, values and audit events. Audited as `dsr.access`. */
  subjectAccess(subject: SubjectQuery, options: { signal?: AbortSignal } = {}): Promise<SubjectAccess> {
    return this.#json({
      method: 'POST',
      path: '/v1/dsr/access',
      json: subject,
      retry: 'refused',
      signal: options.signal,
    });
  }

  /** Erases a data subject (dpo, admin); returns the counts and the `dsr.erasure` receipt. */
  subjectErasure(subject: SubjectQuery, options: { signal?: AbortSignal } = {}): Promise<SubjectErasure> {
    return this.#json({
      method: 'POST',
      path: '/v1/dsr/erasure',
      json: subject,
      retry: 'refused',
      signal: options.signal,
    });
  }

  /** Withdraws consent by subject or job (dpo, admin); returns the `consent.withdrawn` receipt. */
  withdrawConsent(
    withdrawal: ConsentWithdrawalRequest,
    options: { signal?: AbortSignal } = {},
  ): Promise<ConsentWithdrawal> {
    return this.#json({
      method: 'POST',
      path: '/v1/consents/withdrawals',
      json: withdrawal,
      retry: 'refused',
      signal: options.signal,
    });
  }

  /**
   * Counts released with differential privacy (admin, auditor). Each call spends privacy budget,
   * so it is never retried.
   */
  analyticsCounts(filters: CountsQuery, options: { signal?: AbortSignal } = {}): Promise<CountsRelease> {
    return this.#json({
      method: 'GET',
      path: `/v1/analytics/counts${query({ from: filters.from, to: filters.to, group_by: filters.group_by })}`,
      // A 429 here is the exhausted budget, not a busy server: never repeated.
      retry: 'never',
      signal: options.signal,
    });
  }

  /** The tenant's access anomaly alerts, newest first (admin, auditor, dpo). */
  alerts(filters: AlertsQuery = {}, options: { signal?: AbortSignal } = {}): Promise<AlertList> {
    return this.#json({
      method: 'GET',
      path: `/v1/alerts${query({ limit: filters.limit, since: filters.since })}`,
      retry: 'safe',
      signal: options.signal,
    });
  }

  /** The tenant's privacy metrics over the last 30 days (`GET /v1/privacy/metrics`; admin, auditor, dpo). */
  privacyMetrics(options: { signal?: AbortSignal } = {}): Promise<PrivacyMetrics> {
    return this.#json({ method: 'GET', path: '/v1/privacy/metrics', retry: 'safe', signal: options.signal });
  }

  /**
   * The tenant's policy in force (read-only): its id, hash, version, the validated policy and its
   * `policy.changed` history, newest first (`GET /v1/policy`; admin, processor, auditor, dpo).
   */
  policy(options: { historyLimit?: number; signal?: AbortSignal } = {}): Promise<TenantPolicyView> {
    return this.#json({
      method: 'GET',
      path: `/v1/policy${query({ history_limit: options.historyLimit })}`,
      retry: 'safe',
      signal: options.signal,
    });
  }

  /**
   * The tenant's compliance evidence report: every control with its status under the policy, its
   * clauses, tests and the period's audit counts, pinned by the signed tree head
   * (`GET /v1/compliance/report`; admin, auditor, dpo). The period defaults to the last 30 days.
   */
  complianceReport(
    filters: Partial<ComplianceReportQuery> = {},
    options: { signal?: AbortSignal } = {},
  ): Promise<ComplianceReport> {
    return this.#json({
      method: 'GET',
      path: `/v1/compliance/report${query({ since: filters.since, until: filters.until })}`,
      retry: 'safe',
      signal: options.signal,
    });
  }

  /** The audit public key (fetched once per client). Pin it out of band for real assurance. */
  auditPublicKey(): Promise<AuditPublicKey> {
    this.#publicKey ??= this.#json<AuditPublicKey>({
      method: 'GET',
      path: '/v1/audit/public-key',
      retry: 'safe',
    }).catch((error: unknown) => {
      this.#publicKey = undefined;
      throw error;
    });
    return this.#publicKey;
  }

  /**
   * Verifies a receipt offline against `publicKey`, or against the server's key when none is
   * given (which proves integrity, not that the server is the one you trust: pin the key).
   */
  async verifyReceipt(receipt: unknown, publicKey?: ReceiptPublicKey): Promise<ReceiptVerification> {
    return verifyReceipt(receipt, publicKey ?? (await this.auditPublicKey()));
  }
}
