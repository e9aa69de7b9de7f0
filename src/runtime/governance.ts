/**
 * The governance wiring of a process: the tenant policy directory, the retention sweeper on a
 * timer, and `policy.changed` events for every policy change the process picks up. `veil serve`
 * and `veil worker` both run it; `veil retention sweep` runs one pass.
 */
import type { Logger } from 'pino';
import type { Principal } from '../access/index.js';
import type { GovernancePort } from '../api/routes/governance.js';
import type { HoldRequestTarget, LegalHoldsPort } from '../api/routes/legal-holds.js';
import type { AuditEventInput, AuditReceipt } from '../audit/index.js';
import { liftHold, listHolds, placeHold } from '../privacy/legal-holds/holds.js';
import type { HoldReason } from '../privacy/legal-holds/codes.js';
import type { LegalHold } from '../privacy/legal-holds/holds.js';
import { exportAuditLog } from '../audit/index.js';
import { subjectHmacCandidates } from '../privacy/consent/subject-ref.js';
import { withdrawConsent } from '../privacy/consent/withdrawals.js';
import { ERASURE_EXEMPTION, eraseSubject, subjectAccess } from '../privacy/dsr/requests.js';
import type { DsrDeps } from '../privacy/dsr/requests.js';
import { ensureTenant, withProcessLock } from '../store/index.js';
import type { DatabaseHandle } from '../store/index.js';
import { latestAuditEvent } from '../store/audit-store.js';
import type { PolicyChange, PolicyDirectory } from '../policy/index.js';
import { sweepRetention } from '../privacy/retention/sweeper.js';
import type { Keyring } from '../crypto/keyring.js';
import { sweepReview } from '../pipeline/review/commands.js';
import type { RetentionAuditPort, RetentionSweepReport } from '../privacy/retention/sweeper.js';
import type { StoreContext } from '../store/index.js';
import { DatabaseTokenVault } from '../store/token-vault.js';
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
    const tenant = policyLogOf(change.id);
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

/**
 * The audit log that records a policy's changes: the tenant's own log for its own file, the
 * system log for `default` (every other tenant's policy).
 *
 * @example
 * ```ts
 * policyLogOf('acme'); // 'acme'
 * policyLogOf('default'); // 'veil:system'
 * ```
 */
export const policyLogOf = (id: string): string =>
  id === 'default' || id.includes(':') ? SYSTEM_AUDIT_LOG : id;

/**
 * Records `policy.changed` for each policy in force whose hash is not the one the audit log last
 * recorded for it: from none at a first start (no `previous_policy_hash`), or from the last
 * recorded hash when the file changed while no process ran. So the log names the policy in force
 * before any job runs under it. `veil serve` and `veil worker` run it as they start.
 *
 * @example
 * ```ts
 * await recordPoliciesInForce(handle, logs, policies); // [{ id: 'default', oldHash: undefined, newHash: '9f…' }] the first time
 * ```
 */
export async function recordPoliciesInForce(
  handle: Pick<DatabaseHandle, 'db' | 'connection'>,
  logs: AuditLogs,
  policies: PolicyDirectory,
): Promise<PolicyChange[]> {
  // Two processes starting at once (`veil serve` and a `veil worker`) would both find no record
  // and both append: the check and the append run under one lock across processes.
  return withProcessLock(handle, 'veil.policies-in-force', async () => {
    const changes: PolicyChange[] = [];
    for (const { id, hash } of policies.all().values()) {
      const last = await latestAuditEvent(handle.db, policyLogOf(id), 'policy.changed', id);
      const lastHash =
        last === undefined ? undefined : (JSON.parse(last) as { policy_hash?: string }).policy_hash;
      if (lastHash !== hash) changes.push({ id, oldHash: lastHash, newHash: hash });
    }
    await recordPolicyChanges(logs, changes);
    return changes;
  });
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
    const report = await sweepRetention(store, retentionAudit(logs), {
      ...(options.region === undefined ? {} : { region: options.region }),
      ...(options.keyring === undefined
        ? {}
        : { vault: new DatabaseTokenVault({ db: store.db, keyring: options.keyring }) }),
    });
    if (Object.keys(report.artifacts).length > 0 || report.events > 0 || report.heldEvents > 0)
      logger?.info(
        {
          component: 'retention',
          deleted: report.artifacts,
          classes: report.classesGone,
          events: report.events,
          held: report.held,
          vault_subjects: report.vaultSubjects,
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
      await sweepRetention(store, retentionAudit(logs), {
        ...(region === undefined ? {} : { region }),
        vault: new DatabaseTokenVault({ db: deps.db, keyring: deps.keyring }),
      });
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
      const started = performance.now();
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
          duration_ms: Math.round(performance.now() - started),
        },
      });
      return { jobs, auditEvents };
    },
    async erase(principal, query) {
      const started = performance.now();
      const erased = await eraseSubject(deps, principal.tenantId, query);
      const receipt = await logs.recordWithReceipt({
        ...base(principal),
        action: 'dsr.erasure',
        objects: jobObjects(erased.jobs),
        counts: {
          jobs: erased.jobs.length,
          artifacts: erased.artifacts,
          vault_entries: erased.vaultEntries,
          jobs_withheld: erased.withheld.length,
          // The time to completion the privacy metrics report: erasure is done when this is written.
          duration_ms: Math.round(performance.now() - started),
        },
        trigger: 'data_subject_request',
      });
      return {
        jobs: erased.jobs.length,
        artifacts: erased.artifacts,
        vaultEntries: erased.vaultEntries,
        withheld: erased.withheld.map((w) => ({ ...w, ground: ERASURE_EXEMPTION })),
        receipt,
      };
    },
  };
}

/**
 * Places a legal hold and records `legal_hold.placed` with its receipt: the command the hold
 * route and `veil hold place` share. A subject is named to the store only by the HMACs of its
 * reference.
 *
 * @example
 * ```ts
 * const { hold, receipt } = await placeLegalHold(deps, logs, actor, 'acme', { scope: 'tenant' }, { reason: 'litigation', reference: 'MATTER-17' });
 * ```
 */
export async function placeLegalHold(
  deps: Pick<DsrDeps, 'db' | 'keyring'>,
  logs: AuditLogs,
  actor: AuditEventInput['actor'],
  tenant: string,
  target: HoldRequestTarget,
  why: { readonly reason: HoldReason; readonly reference: string },
): Promise<{ hold: LegalHold; receipt: AuditReceipt }> {
  await ensureTenant(deps.db, tenant);
  const hold = await placeHold(
    deps.db,
    tenant,
    target.scope === 'subject'
      ? {
          scope: 'subject',
          subjectHmacs: await subjectHmacCandidates(deps.keyring, tenant, target.subjectRef),
        }
      : target,
    { ...why, actorId: actor.id },
  );
  return { hold, receipt: await logs.recordWithReceipt(holdEvent(actor, tenant, 'legal_hold.placed', hold)) };
}

/**
 * Lifts a legal hold and records `legal_hold.lifted` with its receipt.
 *
 * @example
 * ```ts
 * await liftLegalHold(db, logs, actor, 'acme', holdId);
 * ```
 */
export async function liftLegalHold(
  db: DsrDeps['db'],
  logs: AuditLogs,
  actor: AuditEventInput['actor'],
  tenant: string,
  holdId: string,
): Promise<{ hold: LegalHold; receipt: AuditReceipt }> {
  const hold = await liftHold(db, tenant, holdId, actor.id);
  return { hold, receipt: await logs.recordWithReceipt(holdEvent(actor, tenant, 'legal_hold.lifted', hold)) };
}

function holdEvent(
  actor: AuditEventInput['actor'],
  tenant: string,
  action: 'legal_hold.placed' | 'legal_hold.lifted',
  hold: LegalHold,
): AuditEventInput {
  return {
    time: new Date().toISOString(),
    actor,
    tenant,
    action,
    objects: [
      { kind: 'legal_hold', id: hold.id },
      ...(hold.jobId === null ? [] : [{ kind: 'job' as const, id: hold.jobId }]),
    ],
    hold: { scope: hold.scope, reason: hold.reason, reference: hold.reference },
  };
}

/**
 * The legal-hold routes' port, scoped to the principal's tenant.
 *
 * @example
 * ```ts
 * const routes = [legalHoldRoutes(createLegalHoldsPort({ db, keyring }, logs))];
 * ```
 */
export function createLegalHoldsPort(deps: Pick<DsrDeps, 'db' | 'keyring'>, logs: AuditLogs): LegalHoldsPort {
  return {
    place: (principal, target, why) =>
      placeLegalHold(deps, logs, auditActor(principal), principal.tenantId, target, why),
    list: (principal, options) => listHolds(deps.db, principal.tenantId, options),
    lift: (principal, holdId) =>
      liftLegalHold(deps.db, logs, auditActor(principal), principal.tenantId, holdId),
  };
}
