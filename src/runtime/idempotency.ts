/**
 * The keyed hashes `submitOnce` stores for an `Idempotency-Key`: HMAC-SHA256 of the key and of the
 * request under a per-tenant subkey of the deployment's system data key (version 1, as the API-key
 * pepper), so they stay the same across the tenant's key rotations, and a database reader can
 * neither recover a key nor test a guess at a document against a row.
 */
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { JobSubmission } from '../api/routes/jobs.js';
import { deriveSubkey } from '../crypto/hkdf.js';
import { hmacSha256 } from '../crypto/hmac.js';
import type { Keyring } from '../crypto/keyring.js';
import { API_KEY_KEYRING_SCOPE } from './api-keys.js';

const SYSTEM_KEY_VERSION = 1;

function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * What a request asks, as canonical JSON: every option, and the document by its SHA-256 (or the
 * upload it names). Two requests are "the same" for idempotency exactly when this is equal.
 *
 * @example
 * ```ts
 * requestFingerprint({ source: { kind: 'text', text }, purpose: 'claims', … }); // '{"consent":…,"source":{"kind":"text","sha256":"…"}}'
 * ```
 */
export function requestFingerprint(submission: JobSubmission): string {
  const { source } = submission;
  const document =
    source.kind === 'text'
      ? { kind: 'text', sha256: sha256Hex(Buffer.from(source.text, 'utf8')) }
      : source.kind === 'file'
        ? { kind: 'file', media_type: source.mediaType, sha256: sha256Hex(source.bytes) }
        : { kind: 'upload', upload_id: source.uploadId };
  return canonicalize({
    source: document,
    purpose: submission.purpose,
    consent: submission.consent,
    outputs: [...submission.outputs],
    retention_days: submission.retentionDays,
  }) as string;
}

/**
 * The key hash and request hash of an idempotent submission in `tenant`.
 *
 * @example
 * ```ts
 * const { keyHash, requestHash } = await idempotencyHashes(runtime.keyring, 'acme', key, submission);
 * ```
 */
export async function idempotencyHashes(
  keyring: Keyring,
  tenant: string,
  key: string,
  submission: JobSubmission,
): Promise<{ keyHash: Uint8Array; requestHash: Uint8Array }> {
  // currentKey creates version 1 on first use, as the API-key pepper does.
  await keyring.currentKey(API_KEY_KEYRING_SCOPE);
  const { key: systemKey } = await keyring.keyForVersion(API_KEY_KEYRING_SCOPE, SYSTEM_KEY_VERSION);
  const subkey = deriveSubkey(systemKey, 'jobs/idempotency', [tenant]);
  return {
    keyHash: hmacSha256(subkey, `key\0${key}`),
    requestHash: hmacSha256(subkey, `request\0${requestFingerprint(submission)}`),
  };
}
