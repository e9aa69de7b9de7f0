/**
 * Authentication failures. Callers get one uninformative `VEIL_UNAUTHENTICATED`, so a probe
 * learns nothing about which check failed; the reason travels as the error's `cause` for the
 * server log. The cause holds a reason code and at most a library error code, never token
 * contents: jose's own errors carry the decoded claims, so they are never kept.
 */
import { VeilError } from '../errors/veil-error.js';

/** Why a credential was refused, for the server log only. */
export type UnauthenticatedReason =
  | 'missing'
  | 'malformed'
  | 'too_large'
  | 'algorithm'
  | 'crit'
  | 'header'
  | 'unknown_key'
  | 'signature'
  | 'expired'
  | 'not_yet_valid'
  | 'issuer'
  | 'audience'
  | 'claims'
  | 'subject'
  | 'tenant'
  | 'roles'
  | 'key_source'
  | 'api_key';

/** The `cause` of a `VEIL_UNAUTHENTICATED` error: a reason code and an optional library code. */
export class AuthenticationFailure extends Error {
  readonly reason: UnauthenticatedReason;
  /** A library error code such as `ERR_JWT_EXPIRED`; never a message, which may quote claims. */
  readonly detail: string | undefined;

  constructor(reason: UnauthenticatedReason, detail?: string) {
    super(
      detail === undefined
        ? `authentication failed: ${reason}`
        : `authentication failed: ${reason} (${detail})`,
    );
    this.name = 'AuthenticationFailure';
    this.reason = reason;
    this.detail = detail;
  }
}

/**
 * The error every authentication path throws: the same code and message whatever the reason.
 *
 * @example
 * ```ts
 * throw unauthenticated('expired', 'ERR_JWT_EXPIRED');
 * ```
 */
export function unauthenticated(reason: UnauthenticatedReason, detail?: string): VeilError {
  return new VeilError('VEIL_UNAUTHENTICATED', 'authentication failed', {
    cause: new AuthenticationFailure(reason, detail),
  });
}

/**
 * The reason behind a `VEIL_UNAUTHENTICATED` error, or undefined for any other value. For logs
 * and tests; never send it to the caller.
 *
 * @example
 * ```ts
 * logger.info({ code: error.code, reason: unauthenticatedReason(error) }, 'request refused');
 * ```
 */
export function unauthenticatedReason(error: unknown): UnauthenticatedReason | undefined {
  if (!(error instanceof VeilError) || error.code !== 'VEIL_UNAUTHENTICATED') return undefined;
  return error.cause instanceof AuthenticationFailure ? error.cause.reason : undefined;
}
