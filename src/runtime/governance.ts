/**
 * The governance wiring of a process: the tenant policy directory, the retention sweeper on a
 * timer, and `policy.changed` events for every policy change the process picks up. `veil serve`
 * and `veil worker` both run it; `veil retention sweep` runs one pass.
 */
import type { Logger } from 'pino';
import type { Principal } from '../access/index.js';
import type { GovernancePort } from '../api/routes/governance.js';
import { exportAuditLog } from '../audit/index.js';
import { subjectHmacCandidates } from '../privacy/consent/subject-ref.js';
import { withdrawConsent } from '../privacy/consent/withdrawals.js';
import { eraseSubject, subjectAccess } from '../privacy/dsr/requests.js';
import type { DsrDeps } from '../privacy/dsr/requests.js';
import { ensureTenant } from '../store/index.js';
import type { PolicyChange, PolicyDirectory } from '../policy/index.js';
import { sweepRetention } from '../privacy/retention/sweeper.js';
import type { Keyring } from '../crypto/keyring.js';
import { sweepReview } from '../pipeline/review/commands.js';
import type { RetentionAuditPort, RetentionSweepReport } from '../privacy/retention/sweeper.js';
import type { StoreContext } from '../store/index.js';
import { auditActor, SYSTEM_AUDIT_LOG } from './audit.js';
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
export async function recordPolicyChanges(
  logs: AuditLogs,
  changes: readonly PolicyChange[],
  now: () => Date = () => new Date(),
): Promise<void> {
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
  /** With the keyring, each pass also expires review tasks and completes the jobs they held. */
  readonly keyring?: Keyring;
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
export function startGovernance(options: GovernanceOptions): {
  stop(): Promise<void>;
  runOnce(): Promise<RetentionSweepReport>;
} {
  const { store, logs, logger } = options;
  const once = async (): Promise<RetentionSweepReport> => {
    if (options.policies !== undefined) {
      const { changes, error } = await options.policies.reload();
      if (error !== undefined)
        logger?.error(
          { component: 'policy', code: error.code, message: error.message },
          'policy reload refused; the policies in force are kept',
        );
      await recordPolicyChanges(logs, changes);
    }
    // Before the retention sweep, so the crops of tasks it expires go in the same pass.
    if (options.keyring !== undefined) {
      const review = await sweepReview({ ...store, keyring: options.keyring });
      if (review.expired > 0 || review.completed > 0)
        logger?.info(
          { component: 'review', expired: review.expired, completed: review.completed },
          'review sweep',
        );
    }
    const report = await sweepRetention(
      store,
      retentionAudit(logs),
      options.region === undefined ? {} : { region: options.region },
    );
    if (Object.keys(report.artifacts).length > 0 || report.events > 0)
      logger?.info(
        {
          component: 'retention',
          deleted: report.artifacts,
          classes: report.classesGone,
          events: report.events,
        },
        'retention sweep',
      );
    return report;
  };
  let running: Promise<unknown> | undefined;
  const tick = (): void => {
    running ??= once()
      // Names only: the next pass tries again.
      .catch((error: unknown) =>
        logger?.error(
          { component: 'retention', errorName: error instanceof Error ? error.name : 'unknown' },
          'governance pass failed',
        ),
      )
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

/**
 * The governance routes' port over the privacy commands: consent withdrawal and data-subject
 * requests, each scoped to the principal's tenant and audited (`consent.withdrawn`,
 * `dsr.access`, `dsr.erasure`; ids and counts only).
 *
 * @example
 * ```ts
 * const routes = [governanceRoutes(createGovernancePort({ db, blobs, keyring }, logs))];
 * ```
 */
export function createGovernancePort(deps: DsrDeps, logs: AuditLogs, region?: string): GovernancePort {
  const store: StoreContext = { db: deps.db, blobs: deps.blobs };
  const base = (principal: Principal) => ({
    time: new Date().toISOString(),
    actor: auditActor(principal),
    tenant: principal.tenantId,
  });
  const jobObjects = (ids: readonly string[]) => ids.slice(0, 31).map((id) => ({ kind: 'job' as const, id }));
  return {
    async withdraw(principal, input) {
      const tenant = principal.tenantId;
      await ensureTenant(deps.db, tenant);
      const target =
        input.subjectRef !== undefined
          ? { subjectHmacs: await subjectHmacCandidates(deps.keyring, tenant, input.subjectRef) }
          : { jobId: input.jobId! };
      const done = await withdrawConsent(deps.db, tenant, target, input.purposes);
      // At once: the cancelled jobs' artifacts are due now, so sweep now.
      await sweepRetention(store, retentionAudit(logs), region === undefined ? {} : { region });
      const receipt = await logs.recordWithReceipt({
        ...base(principal),
        action: 'consent.withdrawn',
        objects: [{ kind: 'request', id: done.withdrawalId }, ...jobObjects(done.scheduled)],
        ...(input.purposes?.length === 1 ? { purpose: input.purposes[0]! } : {}),
        counts: {
          jobs_cancelled: done.cancelled.length,
          jobs_scheduled: done.scheduled.length,
          purposes: input.purposes?.length ?? 0,
        },
      });
      return {
        withdrawalId: done.withdrawalId,
        cancelled: done.cancelled,
        scheduled: done.scheduled.length,
        receipt,
      };
    },
    async access(principal, query) {
      const tenant = principal.tenantId;
      const jobs = await subjectAccess(deps, tenant, query);
      const ids = new Set(jobs.map((j) => j.jobId));
      const log = logs.forTenant(tenant);
      const auditEvents =
        ids.size === 0
          ? []
          : (await exportAuditLog(log.store, logs.signer)).entries
              .map((e) => e.event as { objects?: Array<{ kind: string; id: string }> })
              .filter((e) => e.objects?.some((o) => o.kind === 'job' && ids.has(o.id)));
      await log.append({
        ...base(principal),
        action: 'dsr.access',
        objects: jobObjects([...ids]),
        counts: {
          jobs: jobs.length,
          identifiers: query.identifiers?.length ?? 0,
          subject_refs: query.subjectRef === undefined ? 0 : 1,
        },
      });
      return { jobs, auditEvents };
    },
    async erase(principal, query) {
      const erased = await eraseSubject(deps, principal.tenantId, query);
      const receipt = await logs.recordWithReceipt({
        ...base(principal),
        action: 'dsr.erasure',
        objects: jobObjects(erased.jobs),
        counts: { jobs: erased.jobs.length, artifacts: erased.artifacts, vault_entries: erased.vaultEntries },
        trigger: 'data_subject_request',
      });
      return {
        jobs: erased.jobs.length,
        artifacts: erased.artifacts,
        vaultEntries: erased.vaultEntries,
        receipt,
      };
    },
  };
}
