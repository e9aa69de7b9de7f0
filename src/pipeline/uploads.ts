/**
 * Upload slots: the commands behind `POST /v1/uploads`, the signed `PUT` and a job made from an
 * upload. A slot is single-use and short-lived; its URL is signed with a key derived from the
 * tenant's data key (never stored), and its bytes are kept encrypted, framed with their media
 * type, until a job takes them. The rules (signature, expiry, single use, size) live here; the
 * HTTP routes and the service only call them.
 */
import { randomUUID } from 'node:crypto';
import { deriveSubkey } from '../crypto/hkdf.js';
import type { Keyring } from '../crypto/keyring.js';
import { signatureKeyVersion, signUpload, verifyUpload } from '../crypto/upload-url.js';
import { VeilError, isVeilError } from '../errors/veil-error.js';
import { ensureTenant, forTenant } from '../store/index.js';
import type { StoreContext } from '../store/index.js';
import { frameOutput, unframeOutput } from './jobs/request.js';

/** The blob class of an upload's bytes (framed with their media type, encrypted). */
export const UPLOAD_CLASS = 'upload';

/** What the upload commands need: the store, the keyring and the server's limits. */
export interface UploadDeps {
  readonly store: StoreContext;
  readonly keyring: Keyring;
  /** The largest upload a slot may take, in bytes. */
  readonly maxBytes: number;
  /** The lifetime of an upload URL, in seconds. */
  readonly ttlSeconds: number;
}

/** An upload slot as issued: what the URL is built from. */
export interface IssuedUploadSlot {
  readonly uploadId: string;
  /** Expiry in whole seconds since the Unix epoch. */
  readonly expires: number;
  readonly maxBytes: number;
  /** The `sig` query value. */
  readonly sig: string;
}

/** The signed part of an upload URL, as the caller sends it back. */
export interface UploadProof {
  readonly expires: number;
  readonly sig: string;
}

function uploadInvalid(): VeilError {
  return new VeilError(
    'VEIL_UPLOAD_INVALID',
    'upload: the URL signature does not match; ask POST /v1/uploads for a new one',
  );
}

function uploadUsed(): VeilError {
  return new VeilError(
    'VEIL_UPLOAD_USED',
    'upload: this upload has already been used; ask POST /v1/uploads for a new one',
  );
}

function uploadExpired(): VeilError {
  return new VeilError(
    'VEIL_UPLOAD_EXPIRED',
    'upload: the upload has expired; ask POST /v1/uploads for a new one',
  );
}

function uploadNotFound(): VeilError {
  return new VeilError('VEIL_NOT_FOUND', 'upload: no such upload in this tenant');
}

/** The upload-URL key of a tenant: derived from its data key, so it is never stored anywhere. */
async function uploadKey(
  keyring: Keyring,
  tenantId: string,
  version?: number,
): Promise<{ version: number; key: Buffer }> {
  const dataKey =
    version === undefined
      ? await keyring.currentKey(tenantId)
      : await keyring.keyForVersion(tenantId, version);
  return { version: dataKey.version, key: deriveSubkey(dataKey.key, 'upload/url', [tenantId]) };
}

/**
 * Opens an upload slot in the tenant and signs its URL. The slot's limit is the smaller of what
 * the caller asked and the server's maximum.
 *
 * @example
 * ```ts
 * const slot = await createUpload(deps, 'acme', { maxBytes: 1_048_576 });
 * const url = `/v1/uploads/${slot.uploadId}?expires=${slot.expires}&sig=${slot.sig}`;
 * ```
 */
export async function createUpload(
  deps: UploadDeps,
  tenantId: string,
  input: { readonly maxBytes: number },
): Promise<IssuedUploadSlot> {
  await ensureTenant(deps.store.db, tenantId);
  const uploadId = randomUUID();
  const expires = Math.floor(Date.now() / 1000) + deps.ttlSeconds;
  const maxBytes = Math.max(1, Math.min(input.maxBytes, deps.maxBytes));
  await forTenant(deps.store, tenantId).uploads.create({
    id: uploadId,
    maxBytes,
    expiresAt: new Date(expires * 1000),
  });
  const { version, key } = await uploadKey(deps.keyring, tenantId);
  return {
    uploadId,
    expires,
    maxBytes,
    sig: signUpload({ tenantId, uploadId, expires, maxBytes }, key, version),
  };
}

/**
 * Checks an upload URL before any byte is read. Throws `VEIL_NOT_FOUND` (no such upload in the
 * tenant), `VEIL_UPLOAD_INVALID` (signature, or a retired key), `VEIL_UPLOAD_EXPIRED` or
 * `VEIL_UPLOAD_USED`. Returns the slot's byte limit.
 *
 * @example
 * ```ts
 * const { maxBytes } = await checkUpload(deps, 'acme', uploadId, { expires, sig });
 * ```
 */
export async function checkUpload(
  deps: UploadDeps,
  tenantId: string,
  uploadId: string,
  proof: UploadProof,
): Promise<{ readonly maxBytes: number }> {
  const upload = await forTenant(deps.store, tenantId).uploads.get(uploadId);
  if (upload === undefined) throw uploadNotFound();
  const version = signatureKeyVersion(proof.sig);
  if (version === undefined) throw uploadInvalid();
  let key: Buffer;
  try {
    ({ key } = await uploadKey(deps.keyring, tenantId, version));
  } catch (error) {
    if (isVeilError(error) && (error.code === 'VEIL_KEY_NOT_FOUND' || error.code === 'VEIL_KEY_RETIRED'))
      throw uploadInvalid();
    throw error;
  }
  const claims = { tenantId, uploadId, expires: proof.expires, maxBytes: upload.maxBytes };
  // The slot's own expiry must be the signed one: a valid signature over another time is no use.
  if (!verifyUpload(claims, proof.sig, key) || upload.expiresAt.getTime() !== proof.expires * 1000)
    throw uploadInvalid();
  if (Date.now() >= upload.expiresAt.getTime()) throw uploadExpired();
  if (upload.usedAt !== null || upload.blobName !== null) throw uploadUsed();
  return { maxBytes: upload.maxBytes };
}

/**
 * Checks the URL again and stores the bytes encrypted, once: of two concurrent PUTs, one wins
 * and the other gets `VEIL_UPLOAD_USED`. `VEIL_UPLOAD_TOO_LARGE` past the slot's limit.
 *
 * @example
 * ```ts
 * await receiveUpload(deps, 'acme', uploadId, proof, { bytes, mediaType: 'application/pdf' });
 * ```
 */
export async function receiveUpload(
  deps: UploadDeps,
  tenantId: string,
  uploadId: string,
  proof: UploadProof,
  content: { readonly bytes: Buffer; readonly mediaType: string },
): Promise<{ readonly sizeBytes: number }> {
  const { maxBytes } = await checkUpload(deps, tenantId, uploadId, proof);
  if (content.bytes.length > maxBytes)
    throw new VeilError(
      'VEIL_UPLOAD_TOO_LARGE',
      `upload: the document is larger than this upload's ${maxBytes} bytes`,
    );
  const ref = await deps.store.blobs.put(
    { tenantId, artifactClass: UPLOAD_CLASS },
    // The media type travels inside the ciphertext: the upload row has no column for it.
    frameOutput(content.mediaType, content.bytes),
  );
  if (!(await forTenant(deps.store, tenantId).uploads.attachBlob(uploadId, ref.name))) {
    await deps.store.blobs.delete(ref);
    throw uploadUsed();
  }
  return { sizeBytes: content.bytes.length };
}

/**
 * Takes an upload's bytes for a job, once; the upload (row and blob) is gone afterwards. Throws
 * `VEIL_NOT_FOUND`, `VEIL_UPLOAD_USED`, `VEIL_UPLOAD_EXPIRED` or `VEIL_UPLOAD_EMPTY` (no bytes yet).
 *
 * @example
 * ```ts
 * const { bytes, mediaType } = await takeUpload(store, 'acme', uploadId);
 * ```
 */
export async function takeUpload(
  store: StoreContext,
  tenantId: string,
  uploadId: string,
): Promise<{ readonly bytes: Buffer; readonly mediaType: string }> {
  const uploads = forTenant(store, tenantId).uploads;
  const upload = await uploads.get(uploadId);
  if (upload === undefined) throw uploadNotFound();
  if (upload.usedAt !== null) throw uploadUsed();
  if (Date.now() >= upload.expiresAt.getTime()) throw uploadExpired();
  if (upload.blobName === null)
    throw new VeilError(
      'VEIL_UPLOAD_EMPTY',
      'upload: the upload has not received its bytes; PUT them to its URL first',
    );
  // consume() is the single-use gate: of two concurrent jobs, one gets the upload.
  if ((await uploads.consume(uploadId)) === undefined) throw uploadUsed();
  const ref = { tenantId, artifactClass: UPLOAD_CLASS, name: upload.blobName };
  try {
    return unframeOutput(await store.blobs.get(ref));
  } finally {
    // The job stores its own encrypted copy; the upload keeps nothing, not even its row.
    await store.blobs.delete(ref);
    await uploads.delete(uploadId);
  }
}
