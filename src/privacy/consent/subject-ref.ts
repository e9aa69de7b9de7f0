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
  const hmacs = subjectHmacs(dataKey, tenantId);
  try {
    return hmacs.of(ref, kind);
  } finally {
    hmacs.wipe();
  }
}

/** Keyed HMACs of many values under one data key; {@link SubjectHmacs.wipe} when done. */
export interface SubjectHmacs {
  /** {@link subjectHmacUnder} of `value` under the tagger's key. */
  of(value: string, kind: string): string;
  /** Zeroes the subkeys derived so far. */
  wipe(): void;
}

/**
 * {@link subjectHmacUnder} for many values: each kind's subkey is derived once (an HKDF) and
 * kept until `wipe`, rather than derived and zeroed again for every value.
 *
 * @example
 * ```ts
 * const hmacs = subjectHmacs(await keyring.currentKey('acme'), 'acme');
 * try {
 *   hmacs.of('jane@example.org', 'EMAIL_ADDRESS'); // 'v1:3a7f…'
 * } finally {
 *   hmacs.wipe();
 * }
 * ```
 */
export function subjectHmacs(dataKey: DataKey, tenantId: string): SubjectHmacs {
  const subkeys = new Map<string, Buffer>();
  return {
    of(value, kind) {
      if (kind === 'subject_ref') checkRef(value);
      let hmacKey = subkeys.get(kind);
      if (hmacKey === undefined) {
        hmacKey = deriveSubkey(dataKey.key, 'privacy/subject-index', [tenantId, kind]);
        subkeys.set(kind, hmacKey);
      }
      return `v${dataKey.version}:${hmacSha256(hmacKey, value).toString('hex')}`;
    },
    wipe() {
      for (const key of subkeys.values()) key.fill(0);
      subkeys.clear();
    },
  };
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
    out.push(subjectHmacUnder(await keyring.keyForVersion(tenantId, info.version), tenantId, ref, kind));
  }
  return out;
}
