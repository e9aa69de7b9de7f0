/**
 * The client's one way to call the API: bearer token, JSON or raw bodies, the API's error shape
 * turned into {@link VeilApiError}, and retries with backoff for answers that say "later" (503,
 * 429, honouring `Retry-After`) and, where repeating is safe, for lost connections.
 */
import { VeilApiError } from './errors.js';

/** A token, or a function that returns the current one (for tokens that are refreshed). */
export type TokenSource = string | (() => string | Promise<string>);

/** How a request may be repeated. */
export type RetryMode =
  /** Repeating cannot do anything twice (reads, submissions with an idempotency key). */
  | 'safe'
  /** Repeat only when the server refused before doing anything (503, 429). */
  | 'refused'
  /** Never (a streamed body cannot be sent twice). */
  | 'never';

export interface TransportOptions {
  readonly baseUrl: string;
  readonly token: TokenSource;
  readonly fetch: typeof fetch;
  /** Attempts after the first (default 4). */
  readonly retries: number;
  /** The longest wait between attempts, in ms; a longer `Retry-After` is not waited for (default 30 000). */
  readonly maxRetryDelayMs: number;
}

export interface RequestSpec {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** A path on the API, e.g. `/v1/jobs`, with its query. */
  readonly path: string;
  readonly json?: unknown;
  readonly body?: NonNullable<RequestInit['body']>;
  readonly headers?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal | undefined;
  readonly retry: RetryMode;
  /** More error codes worth waiting out (e.g. `VEIL_IDEMPOTENCY_IN_PROGRESS`). */
  readonly retryCodes?: readonly string[];
  /** Extra fetch options (`duplex` for a streamed body). */
  readonly init?: Readonly<Record<string, unknown>>;
}

/** Seconds from a `Retry-After` header (seconds or an HTTP date), or undefined. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - now) / 1000);
}

/**
 * Waits `ms`, or rejects with `VEIL_CLIENT_ABORTED` as soon as `signal` aborts.
 *
 * @example
 * ```ts
 * await sleep(250, controller.signal);
 * ```
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) return reject(aborted(signal));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(aborted(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function aborted(signal: AbortSignal): VeilApiError {
  return new VeilApiError('VEIL_CLIENT_ABORTED', 'the request was aborted', 0, { cause: signal.reason });
}

async function tokenOf(source: TokenSource): Promise<string> {
  return typeof source === 'string' ? source : source();
}

/**
 * The error an answer carries: the API's `{ error: { code, message } }`, else a client code.
 *
 * @example
 * ```ts
 * if (!res.ok) throw await errorOf(res);
 * ```
 */
export async function errorOf(res: Response): Promise<VeilApiError> {
  const retryAfterSeconds = parseRetryAfter(res.headers.get('retry-after'));
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
  const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  if (typeof error?.code === 'string' && typeof error.message === 'string')
    return new VeilApiError(error.code, error.message, res.status, { retryAfterSeconds });
  return new VeilApiError(
    'VEIL_CLIENT_BAD_RESPONSE',
    `the server answered ${res.status} without an error body`,
    res.status,
    { retryAfterSeconds },
  );
}

const LATER = new Set([429, 503]);

/**
 * Sends a request and returns the successful response; throws {@link VeilApiError} otherwise.
 * Waits between attempts for `Retry-After` when given, else 200 ms doubling with jitter.
 *
 * @example
 * ```ts
 * const res = await send(transport, { method: 'GET', path: '/v1/jobs', retry: 'safe' });
 * const page = await res.json();
 * ```
 */
export async function send(transport: TransportOptions, spec: RequestSpec): Promise<Response> {
  const url = new URL(spec.path, transport.baseUrl).toString();
  for (let attempt = 0; ; attempt++) {
    if (spec.signal?.aborted === true) throw aborted(spec.signal);
    const headers: Record<string, string> = {
      authorization: `Bearer ${await tokenOf(transport.token)}`,
      ...spec.headers,
    };
    let body = spec.body;
    if (spec.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(spec.json);
    }
    let failure: VeilApiError;
    try {
      const res = await transport.fetch(url, {
        method: spec.method,
        headers,
        ...(body === undefined ? {} : { body }),
        ...(spec.signal === undefined ? {} : { signal: spec.signal }),
        ...spec.init,
      });
      if (res.ok) return res;
      failure = await errorOf(res);
      const later = LATER.has(res.status) || (spec.retryCodes ?? []).includes(failure.code);
      if (!later || spec.retry === 'never') throw failure;
    } catch (error) {
      if (error instanceof VeilApiError) {
        if (
          error.status === 0 ||
          !(LATER.has(error.status) || (spec.retryCodes ?? []).includes(error.code)) ||
          spec.retry === 'never'
        )
          throw error;
        failure = error;
      } else {
        if (spec.signal !== undefined && spec.signal.aborted) throw aborted(spec.signal);
        // fetch rejects with a TypeError when no answer came: the request may or may not have run.
        failure = new VeilApiError(
          'VEIL_CLIENT_NETWORK',
          'no answer from the server (connection refused, reset or lost)',
          0,
          { cause: error },
        );
        if (spec.retry !== 'safe') throw failure;
      }
    }
    if (attempt >= transport.retries) throw failure;
    const backoff = Math.min(transport.maxRetryDelayMs, 200 * 2 ** attempt) * (0.5 + Math.random() / 2);
    const asked = failure.retryAfterSeconds === undefined ? undefined : failure.retryAfterSeconds * 1000;
    if (asked !== undefined && asked > transport.maxRetryDelayMs) throw failure;
    await sleep(asked ?? backoff, spec.signal);
  }
}
