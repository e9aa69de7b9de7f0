/**
 * The review queue's commands: list, show, crop, claim, decide, and the sweep that expires tasks.
 * They take plain inputs (the tenant, the reviewer's id and the queues the reviewer may work) and
 * return plain values; the caller authorises the role and records the audit events. A task outside
 * the reviewer's queues answers as if it did not exist.
 */
import type { FieldSpec, FieldValue, FieldsResult } from '../../ai/fields/spec.js';
import { parseValue } from '../../ai/fields/types/index.js';
import type { Keyring } from '../../crypto/keyring.js';
import { VeilError } from '../../errors/veil-error.js';
import { retentionWindows } from '../../policy/index.js';
import { checkId, forTenant } from '../../store/index.js';
import type { StoreContext } from '../../store/index.js';
import { decodeCursor, encodeCursor } from '../jobs/commands.js';
import { completeJob } from '../jobs/records.js';
import { ARTIFACT, artifactId, decodeManifest } from '../jobs/request.js';
import type { JobManifest } from '../jobs/request.js';
import { saveRegressionCase } from './regressions.js';
import { expireDueTasks, reviewLooseEnds, ReviewTasks } from './tasks.js';
import type { DecisionAction, ReviewTask } from './tasks.js';

/** What the commands share. */
export interface ReviewDeps extends StoreContext {
  readonly keyring: Keyring;
}

/** Who asks: the tenant, a pseudonymous principal id, and the queues it may work (undefined: all). */
export interface Reviewer {
  readonly tenant: string;
  readonly id: string;
  readonly queues: readonly string[] | undefined;
}

/** A task with its candidate value: what a reviewer is shown. */
export interface TaskDetail {
  readonly task: ReviewTask;
  readonly candidate: FieldValue | null;
}

function notFound(): VeilError {
  return new VeilError('VEIL_NOT_FOUND', 'review: no such task in your queues');
}

async function visibleTask(deps: ReviewDeps, reviewer: Reviewer, taskId: string): Promise<ReviewTask> {
  checkId('taskId', taskId);
  const task = await new ReviewTasks(deps.db, deps.keyring, reviewer.tenant).get(taskId);
  if (task === undefined || (reviewer.queues !== undefined && !reviewer.queues.includes(task.queue)))
    throw notFound();
  return task;
}

async function detail(deps: ReviewDeps, tenant: string, task: ReviewTask): Promise<TaskDetail> {
  const candidate =
    task.status === 'open' ? await new ReviewTasks(deps.db, deps.keyring, tenant).candidate(task.id) : null;
  return { task, candidate };
}

/**
 * A page of the open tasks the reviewer may see, oldest first. The cursor is a position
 * (creation time and id), never content.
 *
 * @example
 * ```ts
 * const page = await listTasks(deps, reviewer, { limit: 20 });
 * const next = page.cursor && (await listTasks(deps, reviewer, { limit: 20, cursor: page.cursor }));
 * ```
 */
export async function listTasks(
  deps: ReviewDeps,
  reviewer: Reviewer,
  query: { readonly limit: number; readonly cursor?: string | undefined },
): Promise<{ readonly tasks: readonly TaskDetail[]; readonly cursor: string | undefined }> {
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  const page = await new ReviewTasks(deps.db, deps.keyring, reviewer.tenant).page({
    queues: reviewer.queues,
    limit: Math.max(1, Math.min(100, Math.floor(query.limit))),
    after,
  });
  const tasks: TaskDetail[] = [];
  for (const task of page.tasks) tasks.push(await detail(deps, reviewer.tenant, task));
  return { tasks, cursor: page.next === undefined ? undefined : encodeCursor(page.next) };
}

/**
 * One task the reviewer may see, with its candidate while it is open. Throws `VEIL_NOT_FOUND`
 * for another tenant's task or one outside the reviewer's queues.
 *
 * @example
 * ```ts
 * const { task, candidate } = await getTask(deps, reviewer, taskId);
 * ```
 */
export async function getTask(deps: ReviewDeps, reviewer: Reviewer, taskId: string): Promise<TaskDetail> {
  return detail(deps, reviewer.tenant, await visibleTask(deps, reviewer, taskId));
}

/**
 * The crop of an open task, decrypted. `beforeDecrypt` runs once the task is known to have one
 * and before anything is decrypted: the caller records the view there, so no crop is shown that
 * the audit log does not hold. Throws `VEIL_NOT_FOUND` when the task has no crop (a text
 * document, a field too large to crop) or it was deleted (decided, expired).
 *
 * @example
 * ```ts
 * const png = await readCrop(deps, reviewer, taskId, (task) => audit.append({ action: 'review.task.viewed', … }));
 * ```
 */
export async function readCrop(
  deps: ReviewDeps,
  reviewer: Reviewer,
  taskId: string,
  beforeDecrypt: (task: ReviewTask) => Promise<void>,
): Promise<{ readonly task: ReviewTask; readonly png: Buffer }> {
  const task = await visibleTask(deps, reviewer, taskId);
  const repos = forTenant(deps, reviewer.tenant);
  if (
    task.status !== 'open' ||
    task.crop === null ||
    (await repos.artifacts.get(task.crop.artifactId)) === undefined
  )
    throw new VeilError(
      'VEIL_NOT_FOUND',
      'review: the task has no crop (its document has no layout, or the task is closed and its crop deleted)',
    );
  await beforeDecrypt(task);
  return { task, png: await repos.artifacts.read(task.crop.artifactId) };
}

/**
 * Leases an open task to the reviewer for `leaseMs`. Throws `VEIL_REVIEW_TASK_TAKEN` (409) while
 * another reviewer's lease holds it, `VEIL_REVIEW_TASK_CLOSED` (409) once it is decided or expired.
 *
 * @example
 * ```ts
 * const task = await claimTask(deps, reviewer, taskId, 15 * 60_000);
 * ```
 */
export async function claimTask(
  deps: ReviewDeps,
  reviewer: Reviewer,
  taskId: string,
  leaseMs: number,
  now: Date = new Date(),
): Promise<ReviewTask> {
  const task = await visibleTask(deps, reviewer, taskId);
  const tasks = new ReviewTasks(deps.db, deps.keyring, reviewer.tenant);
  if (!(await tasks.claim(task.id, reviewer.id, now, new Date(now.getTime() + leaseMs))))
    throw refusal(await tasks.get(task.id), now);
  return (await tasks.get(task.id))!;
}

function refusal(task: ReviewTask | undefined, now: Date): VeilError {
  if (task === undefined || task.status !== 'open' || task.expiresAt <= now)
    return new VeilError('VEIL_REVIEW_TASK_CLOSED', 'review: the task is already decided or has expired');
  return new VeilError(
    'VEIL_REVIEW_TASK_TAKEN',
    'review: another reviewer holds this task; try another one, or this one when the lease lapses',
  );
}

/** A reviewer's decision as the API takes it. */
export interface DecisionInput {
  readonly action: DecisionAction;
  /** The corrected value, for `correct`: a string, a number, a boolean, or money `{ amount, currency }`. */
  readonly value?: unknown;
  /** Why, in the reviewer's words; sealed with the decision, never logged. */
  readonly reason?: string | undefined;
}

/** Reads a corrected value as the field's type, or throws `VEIL_FIELD_VALUE_INVALID` (422). */
function correctedValue(spec: FieldSpec, value: unknown): FieldValue {
  let text: string | undefined;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'number' || typeof value === 'boolean') text = String(value);
  else if (value !== null && typeof value === 'object') {
    const { amount, currency } = value as { amount?: unknown; currency?: unknown };
    if (
      typeof amount === 'string' &&
      (currency === null || currency === undefined || typeof currency === 'string')
    )
      text = `${typeof currency === 'string' ? `${currency} ` : ''}${amount}`;
  }
  const parsed = text === undefined || text.length > 1000 ? null : parseValue(spec, text);
  if (parsed === null)
    throw new VeilError(
      'VEIL_FIELD_VALUE_INVALID',
      `review: value is not a valid ${spec.type} for field ${spec.name}`,
    );
  return parsed.value;
}

async function manifestOf(
  deps: ReviewDeps,
  tenant: string,
  jobId: string,
  policyHash: string,
): Promise<JobManifest> {
  return decodeManifest(
    await forTenant(deps, tenant).artifacts.read(artifactId(jobId, ARTIFACT.manifest)),
    policyHash,
  );
}

/**
 * Completes a job waiting for review once none of its tasks is open: `succeeded`, with every
 * retention deadline set from now. False when tasks are still open or the job is not waiting.
 *
 * @example
 * ```ts
 * await completeIfReviewed(deps, tenant, jobId);
 * ```
 */
export async function completeIfReviewed(deps: ReviewDeps, tenant: string, jobId: string): Promise<boolean> {
  const tasks = new ReviewTasks(deps.db, deps.keyring, tenant);
  if ((await tasks.openCount(jobId)) > 0) return false;
  const job = await forTenant(deps, tenant).jobs.get(jobId);
  if (job?.status !== 'awaiting_review') return false;
  const manifest = await manifestOf(deps, tenant, jobId, job.policyHash);
  return completeJob(
    deps.db,
    { tenantId: tenant, jobId },
    retentionWindows(manifest.policy, manifest.retentionDays),
    ['awaiting_review'],
  );
}

/** What a decision did: the task as decided, and whether a regression case was kept. */
export interface DecisionOutcome {
  readonly task: ReviewTask;
  readonly regressionCase: boolean;
}

/**
 * Decides an open task: `confirm` keeps the candidate, `correct` replaces it with `value` (read as
 * the field's type: a bad value is `VEIL_FIELD_VALUE_INVALID`, 422, and nothing is stored),
 * `reject` leaves the field without a value. The crop is deleted at once; with the job's consent
 * to quality improvement a correction is kept as a regression case. The job completes when its
 * last task is decided. Throws as {@link claimTask} when another reviewer holds the task or it is
 * closed.
 *
 * @example
 * ```ts
 * await decideTask(deps, reviewer, taskId, { action: 'correct', value: '2024-03-01' });
 * ```
 */
export async function decideTask(
  deps: ReviewDeps,
  reviewer: Reviewer,
  taskId: string,
  input: DecisionInput,
  now: Date = new Date(),
): Promise<DecisionOutcome> {
  const task = await visibleTask(deps, reviewer, taskId);
  const repos = forTenant(deps, reviewer.tenant);
  const job = await repos.jobs.get(task.jobId);
  if (job === undefined) throw notFound();
  const manifest = await manifestOf(deps, reviewer.tenant, job.id, job.policyHash);
  const spec = manifest.extraction?.fields.find((f) => f.name === task.field.name);
  if (spec === undefined)
    throw new VeilError('VEIL_JOB_INTEGRITY', "review: the task's field is not in the job's request");
  const value = input.action === 'correct' ? correctedValue(spec, input.value) : undefined;
  if (input.action !== 'correct' && input.value !== undefined)
    throw new VeilError('VEIL_INVALID_REQUEST', 'review: value is taken only with the action correct');
  const tasks = new ReviewTasks(deps.db, deps.keyring, reviewer.tenant);
  const sealed =
    value === undefined && input.reason === undefined
      ? null
      : {
          ...(value === undefined ? {} : { value }),
          ...(input.reason === undefined ? {} : { reason: input.reason }),
        };
  if (!(await tasks.decide(task.id, { action: input.action, by: reviewer.id, at: now, sealed })))
    throw refusal(await tasks.get(task.id), now);
  if (task.crop !== null) await repos.artifacts.delete(task.crop.artifactId);
  const regressionCase =
    value !== undefined && job.consent.allowQualityImprovement === true
      ? await saveRegressionCase(deps, {
          job,
          spec,
          template: manifest.extraction?.template?.name ?? null,
          expected: value,
          policy: manifest.policy,
          retentionDays: manifest.retentionDays,
          now,
        })
      : false;
  await completeIfReviewed(deps, reviewer.tenant, job.id);
  return { task: (await tasks.get(task.id))!, regressionCase };
}

/**
 * The stored fields with the review outcomes applied: a decided field is `reviewed` with the
 * reviewer's id (a correction's value, no value when rejected), an expired one `unverified`.
 *
 * @example
 * ```ts
 * const fields = await applyReviews(deps, tenant, jobId, stored);
 * ```
 */
export async function applyReviews(
  deps: ReviewDeps,
  tenant: string,
  jobId: string,
  result: FieldsResult,
): Promise<FieldsResult> {
  const tasks = new ReviewTasks(deps.db, deps.keyring, tenant);
  const done = (await tasks.forJob(jobId)).filter((t) => t.status !== 'open');
  if (done.length === 0) return result;
  const fields = { ...result.fields };
  for (const task of done) {
    const field = fields[task.field.name];
    if (field === undefined) continue;
    if (task.decision === null) {
      fields[task.field.name] = { ...field, status: 'unverified' };
      continue;
    }
    const { action, by, at } = task.decision;
    const value =
      action === 'reject'
        ? null
        : action === 'correct'
          ? ((await tasks.decision(task.id))?.value ?? null)
          : field.value;
    fields[task.field.name] = {
      ...field,
      value,
      status: 'reviewed',
      review: { action, reviewer: by, decided_at: at.toISOString() },
    };
  }
  return { template: result.template, fields };
}

/** What one review sweep did: counts only. */
export interface ReviewSweepReport {
  readonly expired: number;
  readonly completed: number;
}

/**
 * Expires open tasks past their deadline (their fields stay `unverified`), deletes their crops,
 * clears lapsed leases and completes the jobs left with no open task. Run with the retention
 * sweep by `veil serve` and `veil worker`.
 *
 * @example
 * ```ts
 * const { expired } = await sweepReview(deps, (task) => audit(task));
 * ```
 */
export async function sweepReview(deps: ReviewDeps, now: Date = new Date()): Promise<ReviewSweepReport> {
  const expired = await expireDueTasks(deps.db, now);
  // What this sweep expired and whatever an earlier one left when it crashed part-way.
  const { crops, jobs } = await reviewLooseEnds(deps.db);
  for (const crop of crops) await forTenant(deps, crop.tenantId).artifacts.delete(crop.artifactId);
  let completed = 0;
  for (const { tenantId, jobId } of jobs) if (await completeIfReviewed(deps, tenantId, jobId)) completed += 1;
  return { expired: expired.length, completed };
}
