/**
 * Purpose limitation: what a tenant's policy permits a job of one purpose to do. A policy without
 * a `purposes` key limits nothing (library use, `veil redact --policy`); the shipped default and
 * every tenant policy that lists purposes allow only those.
 */
import { VeilError } from '../errors/veil-error.js';
import type { GovernedPolicy, PurposePolicy } from './governance.js';

/** What a job asks to do, as the purpose check needs it. */
export interface PurposeRequest {
  readonly purpose: string;
  readonly basis: string;
  readonly outputs: readonly string[];
  readonly templates?: readonly string[];
  /** Whether the job asks for an AI model to see (pseudonymised) content. */
  readonly modelUse?: boolean;
  /** Whether the job's consent allows manual review. */
  readonly manualReview?: boolean;
}

function refused(what: string): VeilError {
  return new VeilError('VEIL_PURPOSE_NOT_ALLOWED', `jobs: ${what}`);
}

/**
 * The policy's entry for `purpose`, or undefined when the policy does not limit purposes.
 * Throws `VEIL_PURPOSE_NOT_ALLOWED` when it limits them and this one is not listed.
 *
 * @example
 * ```ts
 * purposeOf(policy, 'claims_processing'); // { outputs: ['fields', 'redacted'], … }
 * ```
 */
export function purposeOf(policy: GovernedPolicy, purpose: string): PurposePolicy | undefined {
  if (policy.purposes === undefined) return undefined;
  const entry = Object.hasOwn(policy.purposes, purpose) ? policy.purposes[purpose] : undefined;
  if (entry === undefined)
    throw refused(
      `the purpose is not one this tenant's policy allows (allowed: ${Object.keys(policy.purposes).sort().join(', ') || 'none'})`,
    );
  return entry;
}

/**
 * Refuses (`VEIL_PURPOSE_NOT_ALLOWED`) a job whose purpose, lawful basis, outputs, templates,
 * model use or review the tenant's policy does not permit; the message names what to change.
 *
 * @example
 * ```ts
 * checkPurpose(policy, { purpose: 'kyc', basis: 'legal_obligation', outputs: ['redacted'] });
 * ```
 */
export function checkPurpose(policy: GovernedPolicy, request: PurposeRequest): void {
  const entry = purposeOf(policy, request.purpose);
  if (entry === undefined) return;
  if (!entry.legal_basis.includes(request.basis))
    throw refused(`consent.basis must be one of ${entry.legal_basis.join(', ')} for this purpose`);
  const outputs = request.outputs.filter((o) => !entry.outputs.includes(o));
  if (outputs.length > 0)
    throw refused(
      `outputs ${outputs.join(', ')} are not permitted for this purpose (permitted: ${entry.outputs.join(', ') || 'none'})`,
    );
  if (entry.templates !== undefined) {
    const templates = (request.templates ?? []).filter((t) => !entry.templates!.includes(t));
    if (templates.length > 0)
      throw refused(`templates ${templates.join(', ')} are not permitted for this purpose`);
  }
  if (request.modelUse === true && (entry.model ?? 'off') === 'off')
    throw refused('model use is off for this purpose');
  if (request.manualReview === true && (entry.review ?? 'never') === 'never')
    throw refused('manual review is not permitted for this purpose');
}

/**
 * Refuses (`VEIL_PURPOSE_NOT_ALLOWED`) a reveal whose reason code the job's purpose does not list.
 *
 * @example
 * ```ts
 * checkRevealReason(policy, 'claims_processing', 'fraud_investigation');
 * ```
 */
export function checkRevealReason(policy: GovernedPolicy, purpose: string, reason: string): void {
  const entry = purposeOf(policy, purpose);
  if (entry === undefined) return;
  if (!(entry.reveal_reasons ?? []).includes(reason))
    throw refused(
      `reveal: the reason is not one this job's purpose allows (allowed: ${(entry.reveal_reasons ?? []).join(', ') || 'none'})`,
    );
}
