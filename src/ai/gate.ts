/**
 * Whether a job may use a model at all: the consent, the purpose and the region, decided by one
 * pure function so the submission, the worker, the CLI and the tests agree.
 */
import { VeilError } from '../errors/veil-error.js';

/** What the decision looks at. */
export interface ModelUseContext {
  /** The job's consent: `allow_model_use` (absent: not given). */
  readonly consent: { readonly allowModelUse?: boolean };
  /**
   * The purpose's `model` permission in the tenant's policy (absent `model`: `off`). Leave the
   * whole object out only when the policy limits no purposes (library use, the CLI without one).
   */
  readonly purpose?: { readonly model?: 'off' | 'pseudonymised' | undefined };
  /**
   * Where the data must stay: the tenant policy's `region` pin, else the deployment's
   * (`VEIL_REGION`); absent when neither is set.
   */
  readonly region?: string | undefined;
  /** The configured provider's region label (`VEIL_AI_REGION`). */
  readonly provider: { readonly region?: string | undefined };
}

/** Which rule refused model use. */
export const MODEL_USE_REFUSALS = ['consent', 'purpose', 'region'] as const;
export type ModelUseRefusal = (typeof MODEL_USE_REFUSALS)[number];

export type ModelUseDecision =
  { readonly allowed: true } | { readonly allowed: false; readonly reason: ModelUseRefusal };

function sameRegion(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

/**
 * Allowed only when all three hold: the job's consent says `allow_model_use`, its purpose's
 * `model` permission is `pseudonymised` (or the policy limits no purposes), and, when the data is
 * pinned to a region, the provider declares that same region (a provider with no region label
 * never matches a pin). The first rule that fails is the reason.
 *
 * @example
 * ```ts
 * decideModelUse({
 *   consent: { allowModelUse: true },
 *   purpose: { model: 'pseudonymised' },
 *   region: 'eu-west',
 *   provider: { region: 'us-east' },
 * }); // { allowed: false, reason: 'region' }
 * ```
 */
export function decideModelUse(context: ModelUseContext): ModelUseDecision {
  if (context.consent.allowModelUse !== true) return { allowed: false, reason: 'consent' };
  if (context.purpose !== undefined && context.purpose.model !== 'pseudonymised')
    return { allowed: false, reason: 'purpose' };
  const pinned = context.region;
  if (pinned !== undefined && pinned !== '') {
    const region = context.provider.region;
    if (region === undefined || !sameRegion(region, pinned)) return { allowed: false, reason: 'region' };
  }
  return { allowed: true };
}

const MESSAGES: Readonly<Record<ModelUseRefusal, string>> = {
  consent: 'model use is not allowed for this job: its consent does not set `allow_model_use: true`',
  purpose:
    "model use is not allowed for this job's purpose: the tenant's policy sets its `model` to off (set `model: pseudonymised` to allow it)",
  region:
    "model use is not allowed: the AI provider's region (`VEIL_AI_REGION`) is not the region the tenant's data is pinned to (the policy's `region`, else `VEIL_REGION`)",
};

/** VEIL_AI_NOT_ALLOWED, with the rule that refused, so the caller can audit it without parsing the message. */
export class ModelUseRefusedError extends VeilError {
  readonly reason: ModelUseRefusal;

  constructor(reason: ModelUseRefusal) {
    super('VEIL_AI_NOT_ALLOWED', MESSAGES[reason]);
    this.reason = reason;
  }
}

/**
 * {@link decideModelUse} that throws {@link ModelUseRefusedError} (VEIL_AI_NOT_ALLOWED), saying
 * which rule refused.
 *
 * @example
 * ```ts
 * assertModelUse({ consent: {}, provider: {} }); // throws VEIL_AI_NOT_ALLOWED (reason 'consent')
 * ```
 */
export function assertModelUse(context: ModelUseContext): void {
  const decision = decideModelUse(context);
  if (!decision.allowed) throw new ModelUseRefusedError(decision.reason);
}
