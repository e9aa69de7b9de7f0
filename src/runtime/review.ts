/**
 * The review routes' port over the pipeline's review commands: the tenant and the queues come
 * from the principal and the tenant's policy, the audit events (`review.task.viewed`,
 * `review.task.claimed`, `review.task.decided`) name the job, the task and the field's name and
 * type, never a value. Wiring only: the rules are in src/pipeline/review.
 */
import type { Principal } from '../access/index.js';
import type { ReviewPort, ReviewTaskView } from '../api/routes/review.js';
import type { AuditEventInput } from '../audit/index.js';
import type { Keyring } from '../crypto/keyring.js';
import { renderFieldCrop } from '../documents/crop.js';
import {
  claimTask,
  countOpenTasks,
  decideTask,
  getTask,
  listTasks,
  readCrop,
  reviewExposure,
  taskState,
} from '../pipeline/index.js';
import type { Reviewer, ReviewTask, StepServices, TaskDetail } from '../pipeline/index.js';
import { queuesOf, reviewSettings } from '../policy/index.js';
import type { Policy } from '../policy/index.js';
import type { ReviewMetricsSource } from '../privacy/metrics/index.js';
import type { Schema, StoreContext } from '../store/index.js';
import type { Kysely } from 'kysely';
import { auditActor, auditActorId } from './audit.js';
import type { AuditLogs } from './audit.js';

/**
 * What the extract step needs to open review tasks: the crop renderer and the audit log that
 * records each task's creation.
 *
 * @example
 * ```ts
 * await startWorkers({ ...runtime, review: reviewStepServices(logs) });
 * ```
 */
export function reviewStepServices(logs: AuditLogs): Pick<StepServices, 'audit' | 'renderCrop'> {
  return {
    audit: (tenantId, event) => logs.forTenant(tenantId).append(event),
    renderCrop: renderFieldCrop,
  };
}

/** What the port is built from. */
export interface ReviewWiring {
  readonly store: StoreContext;
  readonly keyring: Keyring;
  readonly logs: AuditLogs;
  readonly policyFor: (tenantId: string) => Policy | Promise<Policy>;
}

function view({ task, candidate }: TaskDetail, now: Date): ReviewTaskView {
  const { lease, status } = taskState(task, now);
  return {
    id: task.id,
    jobId: task.jobId,
    queue: task.queue,
    field: task.field,
    candidate,
    confidence: task.confidence,
    status,
    createdAt: task.createdAt,
    expiresAt: task.expiresAt,
    lease: lease === null ? null : { reviewer: lease.holder, expiresAt: lease.expiresAt },
    crop:
      task.crop === null
        ? null
        : { width: task.crop.width, height: task.crop.height, pageShare: task.crop.pageShare },
    decision:
      task.decision === null
        ? null
        : { action: task.decision.action, reviewer: task.decision.by, decidedAt: task.decision.at },
  };
}

/**
 * The review port of the service.
 *
 * @example
 * ```ts
 * const routes = [reviewRoutes(createReviewPort({ store, keyring, logs, policyFor }))];
 * ```
 */
export function createReviewPort(wiring: ReviewWiring): ReviewPort {
  const deps = { ...wiring.store, keyring: wiring.keyring };
  // Admin holds every permission by design and sees every queue; a reviewer sees the default
  // queue and the named queues its tenant's policy assigns it to.
  const reviewerOf = async (principal: Principal): Promise<Reviewer> => ({
    tenant: principal.tenantId,
    id: auditActorId(principal.id),
    queues: principal.roles.includes('admin')
      ? undefined
      : queuesOf(await wiring.policyFor(principal.tenantId), principal.id),
  });
  const record = async (
    principal: Principal,
    task: ReviewTask,
    event: Pick<AuditEventInput, 'action'> & Partial<AuditEventInput>,
  ): Promise<void> => {
    await wiring.logs.forTenant(principal.tenantId).append({
      time: new Date().toISOString(),
      actor: auditActor(principal),
      tenant: principal.tenantId,
      objects: [
        { kind: 'job', id: task.jobId },
        { kind: 'task', id: task.id },
      ],
      field: { name: task.field.name, type: task.field.type },
      ...event,
    });
  };
  return {
    async list(principal, query) {
      const page = await listTasks(deps, await reviewerOf(principal), query);
      const now = new Date();
      return { tasks: page.tasks.map((t) => view(t, now)), cursor: page.cursor };
    },
    async get(principal, taskId) {
      return view(await getTask(deps, await reviewerOf(principal), taskId), new Date());
    },
    async crop(principal, taskId) {
      // Recorded before the crop is decrypted: no view happens that the log does not hold.
      const { png } = await readCrop(deps, await reviewerOf(principal), taskId, (task) =>
        record(principal, task, { action: 'review.task.viewed' }),
      );
      return png;
    },
    async claim(principal, taskId) {
      const leaseMs = reviewSettings(await wiring.policyFor(principal.tenantId)).leaseMs;
      const reviewer = await reviewerOf(principal);
      const task = await claimTask(deps, reviewer, taskId, leaseMs);
      await record(principal, task, { action: 'review.task.claimed' });
      return view(await getTask(deps, reviewer, taskId), new Date());
    },
    async decide(principal, taskId, decision) {
      const reviewer = await reviewerOf(principal);
      const { task } = await decideTask(deps, reviewer, taskId, decision);
      await record(principal, task, { action: 'review.task.decided', decision: decision.action });
      return view({ task, candidate: null }, new Date());
    },
    openTasks: () => countOpenTasks(wiring.store.db),
  };
}

/**
 * The review queue as the privacy metrics read it (`review.source: 'queue'`): open tasks, fields
 * decided and the page share each crop showed, from the tasks table.
 *
 * @example
 * ```ts
 * await reviewMetricsSource(db).reviewMetrics('acme', since, until); // { openTasks, reviewedFields, cropAreaShown }
 * ```
 */
export function reviewMetricsSource(db: Kysely<Schema>): ReviewMetricsSource {
  return { name: 'queue', reviewMetrics: (tenant, since, until) => reviewExposure(db, tenant, since, until) };
}
