/**
 * The AI provider's wiring: the `VEIL_AI_*` settings as a provider configuration, the worker's
 * model services with their audit sink, and the audit event of a job refused model use. Wiring
 * only; the rules are the AI gate's (`src/ai/gate.ts`) and admission's.
 */
import type { Principal } from '../access/principal.js';
import { modelConfigFromEnv } from '../ai/model/config.js';
import type { ModelProviderConfig } from '../ai/model/config.js';
import type { ModelUseRefusal } from '../ai/gate.js';
import type { JobModelServices } from '../pipeline/jobs/steps.js';
import { auditActor } from './audit.js';
import type { AuditLogs } from './audit.js';
import type { VeilConfig } from './config.js';

/**
 * The provider the validated settings name, or undefined when `VEIL_AI_URL` is unset (model use
 * off). The AI layer's own checks run on them (a model name, a region label, no credentials in the URL).
 *
 * @example
 * ```ts
 * const ai = modelProviderFromConfig(loadConfig(process.env).config);
 * ```
 */
export function modelProviderFromConfig(config: VeilConfig): ModelProviderConfig | undefined {
  const text = (value: string | number | undefined): string | undefined =>
    value === undefined ? undefined : String(value);
  return modelConfigFromEnv({
    VEIL_AI_URL: config.VEIL_AI_URL,
    VEIL_AI_MODEL: config.VEIL_AI_MODEL,
    VEIL_AI_API_KEY: config.VEIL_AI_API_KEY,
    VEIL_AI_REGION: config.VEIL_AI_REGION,
    VEIL_AI_TIMEOUT_MS: text(config.VEIL_AI_TIMEOUT_MS),
    VEIL_AI_MAX_RETRIES: text(config.VEIL_AI_MAX_RETRIES),
  });
}

/**
 * What the workers need to ask a model: the provider, and an audit sink that records each
 * job's `ai.request` and `ai.egress_blocked` events in its tenant's log, as the worker.
 *
 * @example
 * ```ts
 * await startWorkers({ ...runtime, model: jobModelServices(ai, logs) });
 * ```
 */
export function jobModelServices(config: ModelProviderConfig, logs: AuditLogs): JobModelServices {
  return {
    config,
    audit: (job) => async (event) => {
      await logs.forTenant(job.tenantId).append({
        time: new Date().toISOString(),
        actor: { id: 'veil-worker', role: 'system' },
        tenant: job.tenantId,
        objects: [{ kind: 'job', id: job.jobId }],
        ...event,
      });
    },
  };
}

/**
 * Records `ai.refused`: a job was refused at submission because model use was not allowed, with
 * the rule (`consent`, `purpose`, `region`) as its code. Nothing of the job was stored.
 *
 * @example
 * ```ts
 * await recordModelRefusal(logs, principal, { purpose: 'claims', policyHash, reason: 'consent' });
 * ```
 */
export async function recordModelRefusal(
  logs: AuditLogs,
  principal: Principal,
  refusal: { readonly purpose: string; readonly policyHash: string; readonly reason: ModelUseRefusal },
): Promise<void> {
  await logs.forTenant(principal.tenantId).append({
    time: new Date().toISOString(),
    actor: auditActor(principal),
    tenant: principal.tenantId,
    action: 'ai.refused',
    purpose: refusal.purpose,
    policy_hash: refusal.policyHash,
    code: refusal.reason,
  });
}
