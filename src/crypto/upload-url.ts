/**
 * Signed upload URLs: an HMAC-SHA256 over the tenant, the upload id, the expiry and the size
 * limit, so none of them can be changed without the server noticing. The key is handed in (the
 * service derives it from the tenant's data key); this module holds no key and touches no store.
 *
 * The signature names the data key version it was made with (`v3.…`), so a key rotation does not
 * break URLs already handed out; they expire within minutes anyway.
 */
import { constantTimeEqual, hmacSha256 } from './hmac.js';

/** What a signature covers. */
export interface UploadClaims {
  readonly tenantId: string;
  readonly uploadId: string;
  /** Expiry, in whole seconds since the Unix epoch. */
  readonly expires: number;
  readonly maxBytes: number;
}

const SIGNATURE = /^v([1-9][0-9]{0,8})\.([A-Za-z0-9_-]{43})$/;

function message(claims: UploadClaims): string {
  // Length-prefixed fields: no choice of values can make two claim sets sign the same bytes.
  return [
    'veil-upload-url-v1',
    claims.tenantId,
    claims.uploadId,
    String(claims.expires),
    String(claims.maxBytes),
  ]
    .map((field) => `${field.length}:${field}`)
    .join('|');
}

/**
 * Signs an upload's claims with `key` (version `keyVersion`) and returns the `sig` query value.
 *
 * @example
 * ```ts
 * const sig = signUpload({ tenantId: 'acme', uploadId, expires: 1767225600, maxBytes: 1_048_576 }, key, 3);
 * // 'v3.Xk…' (43 base64url characters after the dot)
 * ```
 */
export function signUpload(claims: UploadClaims, key: Uint8Array, keyVersion: number): string {
  const mac = hmacSha256(key, message(claims)).toString('base64url');
  return `v${keyVersion}.${mac}`;
}

/**
 * The data key version a signature names, or undefined when it is not shaped like one of ours.
 *
 * @example
 * ```ts
 * signatureKeyVersion('v3.Xk…'); // 3
 * signatureKeyVersion('forged'); // undefined
 * ```
 */
export function signatureKeyVersion(sig: string): number | undefined {
  const match = SIGNATURE.exec(sig);
  return match === null ? undefined : Number(match[1]);
}

/**
 * True when `sig` signs exactly these claims under `key`. The comparison is constant-time.
 *
 * @example
 * ```ts
 * verifyUpload(claims, request.query.sig, key); // false if any claim or byte of the signature changed
 * ```
 */
export function verifyUpload(claims: UploadClaims, sig: string, key: Uint8Array): boolean {
  const version = signatureKeyVersion(sig);
  if (version === undefined) return false;
  const expected = Buffer.from(signUpload(claims, key, version), 'utf8');
  const given = Buffer.from(sig, 'utf8');
  return constantTimeEqual(expected, given);
}
