/**
 * The one error the client throws for an API answer that is not a success: the stable code from
 * the server's catalogue (docs/errors.md), its plain message, and the HTTP status.
 */

/** Codes the client itself uses when there is no server answer to quote. */
export type ClientErrorCode =
  | 'VEIL_CLIENT_NETWORK'
  | 'VEIL_CLIENT_TIMEOUT'
  | 'VEIL_CLIENT_ABORTED'
  | 'VEIL_CLIENT_BAD_RESPONSE'
  | 'VEIL_CLIENT_BAD_OPTION';

/** An API error: `code` is stable, `message` says what to fix and never echoes content. */
export class VeilApiError extends Error {
  /** A code from the server's error catalogue, or one of {@link ClientErrorCode}. */
  readonly code: string;
  /** The HTTP status; 0 when no answer came. */
  readonly status: number;
  /** Seconds the server asked to wait (`Retry-After`), when it did. */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    code: string,
    message: string,
    status: number,
    options?: { cause?: unknown; retryAfterSeconds?: number | undefined },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'VeilApiError';
    this.code = code;
    this.status = status;
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }
}

/**
 * True when `value` is a {@link VeilApiError} (also across copies of the module).
 *
 * @example
 * ```ts
 * try { await client.getJob(id); } catch (e) { if (isVeilApiError(e) && e.code === 'VEIL_NOT_FOUND') … }
 * ```
 */
export function isVeilApiError(value: unknown): value is VeilApiError {
  return (
    value instanceof VeilApiError ||
    (value instanceof Error &&
      value.name === 'VeilApiError' &&
      typeof (value as { code?: unknown }).code === 'string')
  );
}
