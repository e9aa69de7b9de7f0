/**
 * The governance wiring of a process: the tenant policy directory, the retention sweeper on a
 * timer, and `policy.changed` events for every policy change the process picks up. `veil serve`
 * and `veil worker` both run it; `veil retention sweep` runs one pass.
 */
import type { Logger } from 'pino';
import type { PolicyChange, PolicyDirectory } from '../policy/index.js';
import { sweepRetention } from '../privacy/retention/sweeper.js';
import type { RetentionAuditPort, RetentionSweepReport } from '../privacy/retention/sweeper.js';
import type { StoreContext } from '../store/index.js';
import { SYSTEM_AUDIT_LOG } from './audit.js';
import type { AuditLogs } from './audit.js';

/** The sweep interval when `VEIL_SWEEP_SECONDS` is not set. */
export const DEFAULT_SWEEP_SECONDS = 60;

/**
 * The sweeper's audit port over the process's audit logs.
 *
 * @example
 * ```ts
 * await sweepRetention(store, retentionAudit(logs));
 * ```
 */
export function retentionAudit(logs: AuditLogs): RetentionAuditPort {
  return { append: async (tenant, event) => (await logs.forTenant(tenant).append(event)).index };
}

/**
 * Records `policy.changed` for each change: a tenant's file in its log, `default` in the system
 * log (it is every other tenant's), with the old and new hashes.
 *
 * @example
 * ```ts
 * const { changes } = await policies.reload();
 * await recordPolicyChanges(logs, changes);
 * ```
 */
export async function recordPolicyChanges(logs: AuditLogs, changes: readonly PolicyChange[], now: () => Date = () => new Date()): Promise<void> {
  for (const change of changes) {
    if (change.newHash === undefined) continue;
    const tenant = change.id === 'default' || change.id.includes(':') ? SYSTEM_AUDIT_LOG : change.id;
    const event = {
      time: now().toISOString(),
      actor: { id: 'veil-policy-loader', role: 'system' as const },
      tenant,
      action: 'policy.changed' as const,
      objects: [{ kind: 'policy' as const, id: change.id }],
      policy_hash: change.newHash,
      ...(change.oldHash === undefined ? {} : { previous_policy_hash: change.oldHash }),
    };
    await (tenant === SYSTEM_AUDIT_LOG ? logs.system : logs.forTenant(tenant)).append(event);
  }
}

/** What {@link startGovernance} takes. */
export interface GovernanceOptions {
  readonly store: StoreContext;
  readonly logs: AuditLogs;
  /** Reloaded each tick when given; changes are audited. */
  readonly policies?: PolicyDirectory;
  /** Seconds between passes; 0 runs none. */
  readonly intervalSeconds: number;
  readonly region?: string;
  readonly logger?: Logger;
}

/**
 * Runs a governance pass every `intervalSeconds`, one at a time: policy reload, then a retention
 * sweep. The timer does not keep the process alive.
 *
 * @example
 * ```ts
 * const governance = startGovernance({ store, logs, policies, intervalSeconds: 60 });
 * await governance.stop();
 * ```
 */
export function startGovernance(options: GovernanceOptions): { stop(): Promise<void>; runOnce(): Promise<RetentionSweepReport> } {
  const { store, logs, logger } = options;
  const once = async (): Promise<RetentionSweepReport> => {
    if (options.policies !== undefined) {
      const { changes, error } = await options.policies.reload();
      if (error !== undefined) logger?.error({ component: 'policy', code: error.code, message: error.message }, 'policy reload refused; the policies in force are kept');
      await recordPolicyChanges(logs, changes);
    }
    const report = await sweepRetention(store, retentionAudit(logs), options.region === undefined ? {} : { region: options.region });
    if (Object.keys(report.artifacts).length > 0 || report.events > 0)
      logger?.info({ component: 'retention', deleted: report.artifacts, classes: report.classesGone, events: report.events }, 'retention sweep');
    return report;
  };
  let running: Promise<unknown> | undefined;
  const tick = (): void => {
    running ??= once()
      // Names only: the next pass tries again.
      .catch((error: unknown) => logger?.error({ component: 'retention', errorName: error instanceof Error ? error.name : 'unknown' }, 'governance pass failed'))
      .finally(() => (running = undefined));
  };
  const timer = options.intervalSeconds > 0 ? setInterval(tick, options.intervalSeconds * 1000) : undefined;
  timer?.unref();
  return {
    runOnce: once,
    async stop() {
      if (timer !== undefined) clearInterval(timer);
      await running;
    },
  };
}
