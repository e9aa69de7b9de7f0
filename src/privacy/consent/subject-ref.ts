/**
 * The caller's reference for a data subject (a patient or customer number) is stored only as a
 * keyed HMAC: `v<version>:<hex>`, under a subkey of the tenant's data key of that version. The
 * reference itself is never written. A lookup computes the HMAC under every live key version,
 * so jobs recorded before a rotation are still found until that version is retired.
 */
import { deriveSubkey } from '../../crypto/hkdf.js';
import { hmacSha256 } from '../../crypto/hmac.js';
import type { Keyring } from '../../crypto/keyring.js';
import type { DataKey } from '../../crypto/envelope.js';
import { VeilError } from '../../errors/veil-error.js';

const REF = /^[\x21-\x7e]{1,200}$/;

function checkRef(ref: string): void {
  if (typeof ref !== 'string' || !REF.test(ref))
    throw new VeilError(
      'VEIL_INVALID_INPUT',
      'consent: subject_ref must be 1-200 printable ASCII characters without spaces',
    );
}

/**
 * The keyed HMAC of a subject reference (or any direct identifier, under its own `kind`) under the
 * tenant's current key: what a job row and the subject index store.
 *
 * @example
 * ```ts
 * await subjectHmac(keyring, 'acme', 'patient-4471'); // 'v1:9c1e…'
 * ```
 */
export async function subjectHmac(
  keyring: Keyring,
  tenantId: string,
  ref: string,
  kind = 'subject_ref',
): Promise<string> {
  return subjectHmacUnder(await keyring.currentKey(tenantId), tenantId, ref, kind);
}

/**
 * {@link subjectHmac} under a data key the caller already holds (the tenant's current one), so
 * a job's many identifiers cost one key lookup, not one each.
 *
 * @example
 * ```ts
 * const key = await keyring.currentKey('acme');
 * subjectHmacUnder(key, 'acme', 'jane@example.org', 'EMAIL_ADDRESS'); // 'v1:3a7f…'
 * ```
 */
export function subjectHmacUnder(
  dataKey: DataKey,
  tenantId: string,
  ref: string,
  kind = 'subject_ref',
): string {
  if (kind === 'subject_ref') checkRef(ref);
  return tag(dataKey.key, dataKey.version, tenantId, kind, ref);
}

function tag(key: Uint8Array, version: number, tenantId: string, kind: string, value: string): string {
  const hmacKey = deriveSubkey(key, 'privacy/subject-index', [tenantId, kind]);
  try {
    return `v${version}:${hmacSha256(hmacKey, value).toString('hex')}`;
  } finally {
    hmacKey.fill(0);
  }
}

/**
 * The HMACs a reference may have been stored under: one per live key version of the tenant.
 *
 * @example
 * ```ts
 * const candidates = await subjectHmacCandidates(keyring, 'acme', 'patient-4471');
 * ```
 */
export async function subjectHmacCandidates(
  keyring: Keyring,
  tenantId: string,
  ref: string,
  kind = 'subject_ref',
): Promise<string[]> {
  if (kind === 'subject_ref') checkRef(ref);
  await keyring.currentKey(tenantId);
  const out: string[] = [];
  for (const info of await keyring.versions(tenantId)) {
    if (info.status !== 'active') continue;
    const { key } = await keyring.keyForVersion(tenantId, info.version);
    out.push(tag(key, info.version, tenantId, kind, ref));
  }
  return out;
}
