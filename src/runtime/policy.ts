/**
 * The policy routes' port: the policy in force for a tenant with its `policy.changed` history, and
 * the tenant's compliance report (what `veil compliance report` builds), read from the process's
 * policies and audit logs.
 */
import type { PolicyChangeView, PolicyPort } from '../api/routes/policy.js';
import type { TenantPolicy } from '../policy/index.js';
import type { Policy } from '../policy/index.js';
import { auditActionCounts, buildComplianceReport, treeHeadEvidence } from '../privacy/compliance/index.js';
import type { ComplianceReport } from '../privacy/compliance/index.js';
import { auditEventsOf } from '../store/audit-store.js';
import type { StoreContext } from '../store/index.js';
import { SYSTEM_AUDIT_LOG } from './audit.js';
import type { AuditLogs } from './audit.js';
import { policyLogOf } from './governance.js';

/** The id {@link PolicyView} gives a policy passed in code rather than loaded from a directory. */
export const CUSTOM_POLICY_ID = 'custom';

/**
 * The tenant's compliance report over [since, until): the control registry joined with the
 * policy, the counts of the tenant log's events by action, and the log's signed tree head.
 *
 * @example
 * ```ts
 * const report = await tenantComplianceReport(logs, 'acme', { policy, hash }, since, until);
 * ```
 */
export async function tenantComplianceReport(
  logs: AuditLogs,
  tenant: string,
  inForce: { readonly policy: Policy; readonly hash: string },
  since: Date,
  until: Date,
): Promise<ComplianceReport> {
  const log = logs.forTenant(tenant);
  const auditCounts = await auditActionCounts(log, since, until);
  const treeHead = (await log.size()) === 0 ? null : treeHeadEvidence(await logs.currentTreeHead(log));
  return buildComplianceReport({
    tenant,
    policy: inForce.policy,
    policyHash: inForce.hash,
    since,
    until,
    auditCounts,
    treeHead,
    now: until,
  });
}

// A webhook URL's path or query may hold a secret (many chat webhooks do): its origin only.
function presentPolicy(policy: Policy): Record<string, unknown> {
  const copy = structuredClone(policy) as Record<string, unknown> & {
    alerts?: { webhooks?: Array<{ url: string }> };
  };
  for (const hook of copy.alerts?.webhooks ?? []) {
    const url = new URL(hook.url);
    hook.url = url.pathname === '/' && url.search === '' ? url.origin : `${url.origin}/…`;
  }
  return copy;
}

/**
 * The port over a process's policies and audit logs. `tenantPolicy` is the service's lookup (the
 * tenant's file, else `default`; id `custom` when the policy was given in code, which has no
 * recorded history).
 *
 * @example
 * ```ts
 * const routes = [policyRoutes(createPolicyPort(db, logs, tenantPolicy))];
 * ```
 */
export function createPolicyPort(
  db: StoreContext['db'],
  logs: AuditLogs,
  tenantPolicy: (tenantId: string) => Promise<TenantPolicy>,
): PolicyPort {
  return {
    async policy(principal, options) {
      const inForce = await tenantPolicy(principal.tenantId);
      let history: PolicyChangeView[] = [];
      if (inForce.id !== CUSTOM_POLICY_ID) {
        const logId = policyLogOf(inForce.id);
        const events = await auditEventsOf(db, logId, 'policy.changed', inForce.id, options.historyLimit);
        history = events.map(({ index, event }) => {
          const e = JSON.parse(event) as { time: string; policy_hash: string; previous_policy_hash?: string };
          return {
            index,
            log: logId === SYSTEM_AUDIT_LOG ? 'system' : 'tenant',
            time: e.time,
            hash: e.policy_hash,
            ...(e.previous_policy_hash === undefined ? {} : { previousHash: e.previous_policy_hash }),
          };
        });
      }
      return {
        id: inForce.id,
        hash: inForce.hash,
        version: inForce.policy.version,
        policy: presentPolicy(inForce.policy),
        history,
      };
    },
    complianceReport: async (principal, period) =>
      tenantComplianceReport(
        logs,
        principal.tenantId,
        await tenantPolicy(principal.tenantId),
        period.since,
        period.until,
      ),
  };
}
