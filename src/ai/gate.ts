/**
 * Whether a job may use a model at all: the consent, the purpose, the tenant's policy and the
 * provider's region, decided by one pure function so the service, the worker and the tests agree.
 */
import { VeilError } from '../errors/veil-error.js';

/** What the decision looks at. */
export interface ModelUseContext {
  /** The job's consent context. */
  readonly consent: { readonly allowModelUse?: boolean };
  /** The purpose's permissions, when the purpose grants model use on its own. */
  readonly purpose?: { readonly model?: boolean };
  /** The tenant's policy: model use permitted at all, and the region data must stay in, if pinned. */
  readonly tenant: { readonly allowModelUse: boolean; readonly region?: string };
  /** The configured provider's region label (`VEIL_AI_REGION`). */
  readonly provider: { readonly region?: string };
}

/** Why model use was refused. */
export type ModelUseRefusal = 'consent' | 'tenant_policy' | 'region';

export type ModelUseDecision =
  { readonly allowed: true } | { readonly allowed: false; readonly reason: ModelUseRefusal };

function sameRegion(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

/**
 * Allowed only when the consent (`allow_model_use`) or the purpose's `model` permission permits
 * it, the tenant's policy permits it, and, when the tenant pins a region, the provider declares
 * that same region (a provider with no region label never matches a pinned one).
 *
 * @example
 * ```ts
 * decideModelUse({
 *   consent: { allowModelUse: true },
 *   tenant: { allowModelUse: true, region: 'eu-west' },
 *   provider: { region: 'us-east' },
 * }); // { allowed: false, reason: 'region' }
 * ```
 */
export function decideModelUse(context: ModelUseContext): ModelUseDecision {
  if (context.consent.allowModelUse !== true && context.purpose?.model !== true)
    return { allowed: false, reason: 'consent' };
  if (context.tenant.allowModelUse !== true) return { allowed: false, reason: 'tenant_policy' };
  const pinned = context.tenant.region;
  if (pinned !== undefined && pinned !== '') {
    const region = context.provider.region;
    if (region === undefined || !sameRegion(region, pinned)) return { allowed: false, reason: 'region' };
  }
  return { allowed: true };
}

const MESSAGES: Readonly<Record<ModelUseRefusal, string>> = {
  consent:
    'model use is not allowed for this job: neither its consent (`allow_model_use`) nor its purpose permits it',
  tenant_policy: "model use is not allowed by the tenant's policy",
  region:
    "model use is not allowed: the AI provider's region (`VEIL_AI_REGION`) is not the tenant's pinned region",
};

/**
 * {@link decideModelUse} that throws VEIL_AI_NOT_ALLOWED, saying which rule refused.
 *
 * @example
 * ```ts
 * assertModelUse({ consent: {}, tenant: { allowModelUse: true }, provider: {} }); // throws VEIL_AI_NOT_ALLOWED (consent)
 * ```
 */
export function assertModelUse(context: ModelUseContext): void {
  const decision = decideModelUse(context);
  if (!decision.allowed) throw new VeilError('VEIL_AI_NOT_ALLOWED', MESSAGES[decision.reason]);
}
