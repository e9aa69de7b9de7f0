/**
 * Review task rows: one uncertain field of one job each. Every query runs in the tenant's
 * row-level security scope and names the tenant. Values (the candidate, a corrected value, a
 * reviewer's reason) are sealed under the tenant's key, bound to the task and to what they are,
 * so a ciphertext moved to another row or column does not open.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Kysely, Selectable } from 'kysely';
import type { Keyring } from '../../crypto/keyring.js';
import type { FieldLabel, FieldType, FieldValue } from '../../ai/fields/spec.js';
import { SYSTEM_SCOPE, withTenantScope } from '../../store/index.js';
import type { Schema } from '../../store/index.js';
import type { ReviewTasksTable } from '../../store/schema.js';
import type { ReviewReason } from './routing.js';

/** The stored state of a task; `claimed` is an open task whose lease has not lapsed. */
export type StoredTaskStatus = ReviewTasksTable['status'];
/** What a reviewer decided. */
export type DecisionAction = 'confirm' | 'correct' | 'reject';

/** A task as the commands see it: metadata only; values stay sealed until asked for. */
export interface ReviewTask {
  readonly tenantId: string;
  readonly id: string;
  readonly jobId: string;
  readonly queue: string;
  readonly field: FieldLabel;
  readonly reason: ReviewReason;
  readonly confidence: number;
  readonly crop: {
    readonly artifactId: string;
    readonly width: number;
    readonly height: number;
    readonly pageShare: number;
  } | null;
  readonly status: StoredTaskStatus;
  readonly lease: { readonly holder: string; readonly expiresAt: Date } | null;
  readonly decision: { readonly action: DecisionAction; readonly by: string; readonly at: Date } | null;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  /** The creation time as UTC text with microseconds: the position a page of tasks ends at. */
  readonly position: string;
}

/** A new task, as the extract step makes it. */
export interface NewReviewTask {
  readonly jobId: string;
  readonly queue: string;
  readonly field: FieldLabel;
  readonly reason: ReviewReason;
  readonly confidence: number;
  readonly candidate: FieldValue | null;
  readonly crop: ReviewTask['crop'];
  readonly expiresAt: Date;
}

type Row = Selectable<ReviewTasksTable> & { position: string };

const CANDIDATE = 'review-candidate';
const DECISION = 'review-decision';

function present(row: Omit<Row, 'candidate' | 'decision'>): ReviewTask {
  return {
    tenantId: row.tenant_id,
    id: row.id,
    jobId: row.job_id,
    queue: row.queue,
    field: { name: row.field_name, type: row.field_type as FieldType, hint: row.field_hint },
    reason: row.reason,
    confidence: row.confidence,
    crop:
      row.crop_artifact_id !== null &&
      row.crop_width !== null &&
      row.crop_height !== null &&
      row.crop_page_share !== null
        ? {
            artifactId: row.crop_artifact_id,
            width: row.crop_width,
            height: row.crop_height,
            pageShare: row.crop_page_share,
          }
        : null,
    status: row.status,
    lease:
      row.lease_holder !== null && row.lease_expires_at !== null
        ? { holder: row.lease_holder, expiresAt: row.lease_expires_at }
        : null,
    decision:
      row.decision_action !== null && row.decided_by !== null && row.decided_at !== null
        ? { action: row.decision_action, by: row.decided_by, at: row.decided_at }
        : null,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    position: row.position,
  };
}

// Every column but the sealed ones, and the position as exact text.
const COLUMNS = [
  'tenant_id',
  'id',
  'job_id',
  'queue',
  'field_name',
  'field_type',
  'field_hint',
  'reason',
  'confidence',
  'crop_artifact_id',
  'crop_width',
  'crop_height',
  'crop_page_share',
  'status',
  'lease_holder',
  'lease_expires_at',
  'decision_action',
  'decided_by',
  'decided_at',
  'created_audited',
  'created_at',
  'expires_at',
] as const;
const POSITION = sql<string>`to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as(
  'position',
);

/** Where a page of tasks ends: the last task's creation time (UTC, microseconds) and id. */
export interface TaskPosition {
  readonly createdAt: string;
  readonly id: string;
}

/**
 * The review tasks of one tenant.
 *
 * @example
 * ```ts
 * const tasks = new ReviewTasks(db, keyring, 'acme');
 * const open = await tasks.page({ queues: ['default'], limit: 20, now: new Date() });
 * ```
 */
export class ReviewTasks {
  readonly #db: Kysely<Schema>;
  readonly #keyring: Keyring;
  readonly tenantId: string;

  constructor(db: Kysely<Schema>, keyring: Keyring, tenantId: string) {
    this.#db = db;
    this.#keyring = keyring;
    this.tenantId = tenantId;
  }

  #scoped<T>(work: (trx: Kysely<Schema>) => Promise<T>): Promise<T> {
    return withTenantScope(this.#db, this.tenantId, work);
  }

  #seal(taskId: string, what: string, value: unknown): Promise<Buffer> {
    return this.#keyring.encrypt(
      { tenantId: this.tenantId, objectId: taskId, artifactClass: what },
      Buffer.from(JSON.stringify(value), 'utf8'),
    );
  }

  async #open<T>(taskId: string, what: string, sealed: Uint8Array): Promise<T> {
    const plain = await this.#keyring.decrypt(
      { tenantId: this.tenantId, objectId: taskId, artifactClass: what },
      sealed,
    );
    return JSON.parse(plain.toString('utf8')) as T;
  }

  /**
   * Inserts the tasks a job does not have yet (one per field; a re-run inserts nothing twice).
   *
   * @example
   * ```ts
   * await tasks.create([{ jobId, queue: 'default', field: { name: 'date', type: 'date', hint: ['Date'] }, … }]);
   * ```
   */
  async create(tasks: readonly NewReviewTask[]): Promise<void> {
    for (const task of tasks) {
      const id = randomUUID();
      const candidate = task.candidate === null ? null : await this.#seal(id, CANDIDATE, task.candidate);
      await this.#scoped((trx) =>
        trx
          .insertInto('review_tasks')
          .values({
            tenant_id: this.tenantId,
            id,
            job_id: task.jobId,
            queue: task.queue,
            field_name: task.field.name,
            field_type: task.field.type,
            field_hint: task.field.hint,
            reason: task.reason,
            confidence: task.confidence,
            candidate,
            crop_artifact_id: task.crop?.artifactId ?? null,
            crop_width: task.crop?.width ?? null,
            crop_height: task.crop?.height ?? null,
            crop_page_share: task.crop?.pageShare ?? null,
            status: 'open',
            lease_holder: null,
            lease_expires_at: null,
            decision_action: null,
            decision: null,
            decided_by: null,
            decided_at: null,
            expires_at: task.expiresAt,
          })
          .onConflict((oc) => oc.columns(['tenant_id', 'job_id', 'field_name']).doNothing())
          .execute(),
      );
    }
  }

  /**
   * The task, or undefined when this tenant has none with that id.
   *
   * @example
   * ```ts
   * const task = await tasks.get(id);
   * ```
   */
  async get(id: string): Promise<ReviewTask | undefined> {
    const row = await this.#scoped((trx) =>
      trx
        .selectFrom('review_tasks')
        .select([...COLUMNS, POSITION])
        .where('tenant_id', '=', this.tenantId)
        .where('id', '=', id)
        .executeTakeFirst(),
    );
    return row === undefined ? undefined : present(row);
  }

  /**
   * The tasks of a job, by field name.
   *
   * @example
   * ```ts
   * const open = (await tasks.forJob(jobId)).filter((t) => t.status === 'open');
   * ```
   */
  async forJob(jobId: string): Promise<ReviewTask[]> {
    const rows = await this.#scoped((trx) =>
      trx
        .selectFrom('review_tasks')
        .select([...COLUMNS, POSITION])
        .where('tenant_id', '=', this.tenantId)
        .where('job_id', '=', jobId)
        .orderBy('field_name')
        .execute(),
    );
    return rows.map(present);
  }

  /**
   * The job's tasks whose `review.task.created` event is not recorded yet.
   *
   * @example
   * ```ts
   * for (const task of await tasks.unaudited(jobId)) await record(task);
   * ```
   */
  async unaudited(jobId: string): Promise<ReviewTask[]> {
    const rows = await this.#scoped((trx) =>
      trx
        .selectFrom('review_tasks')
        .select([...COLUMNS, POSITION])
        .where('tenant_id', '=', this.tenantId)
        .where('job_id', '=', jobId)
        .where('created_audited', '=', false)
        .orderBy('field_name')
        .execute(),
    );
    return rows.map(present);
  }

  /**
   * Marks a task's creation recorded in the audit log.
   *
   * @example
   * ```ts
   * await tasks.markAudited(task.id);
   * ```
   */
  async markAudited(id: string): Promise<void> {
    await this.#scoped((trx) =>
      trx
        .updateTable('review_tasks')
        .set({ created_audited: true })
        .where('tenant_id', '=', this.tenantId)
        .where('id', '=', id)
        .execute(),
    );
  }

  /**
   * A page of open tasks in `queues` (all queues when undefined), oldest first, ties by id.
   *
   * @example
   * ```ts
   * const { tasks: page, next } = await tasks.page({ queues: ['default'], limit: 20 });
   * ```
   */
  async page(options: {
    readonly queues: readonly string[] | undefined;
    readonly limit: number;
    readonly after?: TaskPosition | undefined;
  }): Promise<{ readonly tasks: ReviewTask[]; readonly next: TaskPosition | undefined }> {
    const rows = await this.#scoped((trx) => {
      let query = trx
        .selectFrom('review_tasks')
        .select([...COLUMNS, POSITION])
        .where('tenant_id', '=', this.tenantId)
        .where('status', '=', 'open');
      if (options.queues !== undefined) query = query.where('queue', 'in', [...options.queues]);
      const after = options.after;
      if (after !== undefined)
        query = query.where(sql<boolean>`(created_at, id) > (${after.createdAt}::timestamptz, ${after.id})`);
      return query
        .orderBy('created_at')
        .orderBy('id')
        .limit(options.limit + 1)
        .execute();
    });
    const more = rows.length > options.limit;
    const page = (more ? rows.slice(0, options.limit) : rows).map(present);
    const last = page.at(-1);
    return {
      tasks: page,
      next: more && last !== undefined ? { createdAt: last.position, id: last.id } : undefined,
    };
  }

  /**
   * The candidate value, decrypted (null when the extractor proposed none or it was wiped).
   *
   * @example
   * ```ts
   * const value = await tasks.candidate(id);
   * ```
   */
  async candidate(id: string): Promise<FieldValue | null> {
    const row = await this.#scoped((trx) =>
      trx
        .selectFrom('review_tasks')
        .select('candidate')
        .where('tenant_id', '=', this.tenantId)
        .where('id', '=', id)
        .executeTakeFirst(),
    );
    return row?.candidate == null ? null : this.#open<FieldValue>(id, CANDIDATE, row.candidate);
  }

  /**
   * Leases an open task to `holder` until `until`: true when it was free, its lease had lapsed or
   * the holder already held it; false otherwise (another holder, decided, expired). One
   * conditional statement, so of two concurrent claims exactly one wins.
   *
   * @example
   * ```ts
   * if (!(await tasks.claim(id, principal.id, now, new Date(now.getTime() + leaseMs)))) throw conflict();
   * ```
   */
  async claim(id: string, holder: string, now: Date, until: Date): Promise<boolean> {
    const result = await this.#scoped((trx) =>
      trx
        .updateTable('review_tasks')
        .set({ lease_holder: holder, lease_expires_at: until })
        .where('tenant_id', '=', this.tenantId)
        .where('id', '=', id)
        .where('status', '=', 'open')
        .where('expires_at', '>', now)
        .where((eb) =>
          eb.or([
            eb('lease_holder', 'is', null),
            eb('lease_expires_at', '<=', now),
            eb('lease_holder', '=', holder),
          ]),
        )
        .executeTakeFirst(),
    );
    return result.numUpdatedRows > 0n;
  }

  /**
   * Records a decision on an open task that `by` holds a live lease on (or that nobody holds):
   * false when the task is not open, has expired, or another reviewer holds it. The candidate is
   * wiped with the decision; a corrected value and a reason are sealed.
   *
   * @example
   * ```ts
   * await tasks.decide(id, { action: 'correct', by: principal.id, at: now, sealed: { value: '2024-03-01' } });
   * ```
   */
  async decide(
    id: string,
    decision: {
      readonly action: DecisionAction;
      readonly by: string;
      readonly at: Date;
      readonly sealed: { readonly value?: FieldValue; readonly reason?: string } | null;
    },
  ): Promise<boolean> {
    const sealed = decision.sealed === null ? null : await this.#seal(id, DECISION, decision.sealed);
    const result = await this.#scoped((trx) =>
      trx
        .updateTable('review_tasks')
        .set({
          status: 'decided',
          decision_action: decision.action,
          decision: sealed,
          decided_by: decision.by,
          decided_at: decision.at,
          candidate: null,
          lease_holder: null,
          lease_expires_at: null,
        })
        .where('tenant_id', '=', this.tenantId)
        .where('id', '=', id)
        .where('status', '=', 'open')
        .where('expires_at', '>', decision.at)
        .where((eb) =>
          eb.or([
            eb('lease_holder', 'is', null),
            eb('lease_expires_at', '<=', decision.at),
            eb('lease_holder', '=', decision.by),
          ]),
        )
        .executeTakeFirst(),
    );
    return result.numUpdatedRows > 0n;
  }

  /**
   * The sealed part of a decision (a corrected value, a reason), or null.
   *
   * @example
   * ```ts
   * const { value } = (await tasks.decision(id)) ?? {};
   * ```
   */
  async decision(id: string): Promise<{ readonly value?: FieldValue; readonly reason?: string } | null> {
    const row = await this.#scoped((trx) =>
      trx
        .selectFrom('review_tasks')
        .select('decision')
        .where('tenant_id', '=', this.tenantId)
        .where('id', '=', id)
        .executeTakeFirst(),
    );
    return row?.decision == null ? null : this.#open(id, DECISION, row.decision);
  }

  /**
   * The open tasks of a job; the job completes when there are none.
   *
   * @example
   * ```ts
   * if ((await tasks.openCount(jobId)) === 0) await complete();
   * ```
   */
  async openCount(jobId: string): Promise<number> {
    const row = await this.#scoped((trx) =>
      trx
        .selectFrom('review_tasks')
        .select((eb) => eb.fn.countAll<string | number>().as('n'))
        .where('tenant_id', '=', this.tenantId)
        .where('job_id', '=', jobId)
        .where('status', '=', 'open')
        .executeTakeFirstOrThrow(),
    );
    return Number(row.n);
  }
}

/**
 * Expires open tasks past their deadline and clears lapsed leases, across tenants (the sweeper's
 * system scope). The candidate is wiped with the expiry. Returns the expired tasks.
 *
 * @example
 * ```ts
 * const expired = await expireDueTasks(db, new Date());
 * ```
 */
export async function expireDueTasks(
  db: Kysely<Schema>,
  now: Date,
): Promise<Array<Pick<ReviewTask, 'tenantId' | 'id' | 'jobId' | 'field' | 'crop' | 'createdAt'>>> {
  return withTenantScope(db, SYSTEM_SCOPE, async (trx) => {
    await trx
      .updateTable('review_tasks')
      .set({ lease_holder: null, lease_expires_at: null })
      .where('status', '=', 'open')
      .where('lease_expires_at', '<=', now)
      .execute();
    const rows = await trx
      .updateTable('review_tasks')
      .set({ status: 'expired', candidate: null, lease_holder: null, lease_expires_at: null })
      .where('status', '=', 'open')
      .where('expires_at', '<=', now)
      .returning([...COLUMNS, POSITION])
      .execute();
    return rows.map(present);
  });
}

/**
 * Loose ends a crash can leave, across tenants: crops of tasks no longer open, and jobs waiting
 * for review with no open task. The sweep deletes the first and completes the second.
 *
 * @example
 * ```ts
 * const { crops, jobs } = await reviewLooseEnds(db);
 * ```
 */
export async function reviewLooseEnds(db: Kysely<Schema>): Promise<{
  readonly crops: Array<{ readonly tenantId: string; readonly artifactId: string }>;
  readonly jobs: Array<{ readonly tenantId: string; readonly jobId: string }>;
}> {
  return withTenantScope(db, SYSTEM_SCOPE, async (trx) => {
    const crops = await trx
      .selectFrom('review_tasks as t')
      .innerJoin('artifacts as a', (join) =>
        join.onRef('a.tenant_id', '=', 't.tenant_id').onRef('a.id', '=', 't.crop_artifact_id'),
      )
      .select(['t.tenant_id', 'a.id'])
      .where('t.status', '<>', 'open')
      .limit(1000)
      .execute();
    const jobs = await trx
      .selectFrom('jobs as j')
      .select(['j.tenant_id', 'j.id'])
      .where('j.status', '=', 'awaiting_review')
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('review_tasks as t')
              .select('t.id')
              .whereRef('t.tenant_id', '=', 'j.tenant_id')
              .whereRef('t.job_id', '=', 'j.id')
              .where('t.status', '=', 'open'),
          ),
        ),
      )
      .limit(1000)
      .execute();
    return {
      crops: crops.map((c) => ({ tenantId: c.tenant_id, artifactId: c.id })),
      jobs: jobs.map((j) => ({ tenantId: j.tenant_id, jobId: j.id })),
    };
  });
}

/**
 * Open tasks across tenants (the `veil_review_open_tasks` gauge): a count, nothing else.
 *
 * @example
 * ```ts
 * await countOpenTasks(db); // 3
 * ```
 */
export async function countOpenTasks(db: Kysely<Schema>): Promise<number> {
  const row = await withTenantScope(db, SYSTEM_SCOPE, (trx) =>
    trx
      .selectFrom('review_tasks')
      .select((eb) => eb.fn.countAll<string | number>().as('n'))
      .where('status', '=', 'open')
      .executeTakeFirstOrThrow(),
  );
  return Number(row.n);
}

/** A tenant's review exposure in a period: what the privacy metrics report of the queue. */
export interface ReviewExposure {
  /** Tasks open now. */
  readonly openTasks: number;
  /** Tasks decided in the period. */
  readonly reviewedFields: number;
  /** For each task decided in the period, the share of its page its crop showed (0 without a crop). */
  readonly cropAreaShown: readonly number[];
}

/**
 * How much of its documents a tenant's reviewers saw: open tasks now, and for the tasks decided
 * from `since` to `until`, how many and the share of the page each crop showed. Counts and
 * shares only; no field, value or job is named.
 *
 * @example
 * ```ts
 * await reviewExposure(db, 'acme', since, until); // { openTasks: 2, reviewedFields: 5, cropAreaShown: [0.011, …] }
 * ```
 */
export async function reviewExposure(
  db: Kysely<Schema>,
  tenant: string,
  since: Date,
  until: Date,
): Promise<ReviewExposure> {
  return withTenantScope(db, tenant, async (trx) => {
    const open = await trx
      .selectFrom('review_tasks')
      .select((eb) => eb.fn.countAll<string | number>().as('n'))
      .where('tenant_id', '=', tenant)
      .where('status', '=', 'open')
      .executeTakeFirstOrThrow();
    const decided = await trx
      .selectFrom('review_tasks')
      .select('crop_page_share')
      .where('tenant_id', '=', tenant)
      .where('status', '=', 'decided')
      .where('decided_at', '>=', since)
      .where('decided_at', '<', until)
      .execute();
    return {
      openTasks: Number(open.n),
      reviewedFields: decided.length,
      cropAreaShown: decided.map((row) => row.crop_page_share ?? 0),
    };
  });
}

/** A task's status as a reviewer sees it: `claimed` while it is open under a live lease. */
export type ShownTaskStatus = StoredTaskStatus | 'claimed';

/**
 * The lease that still holds a task at `now` (null when none or lapsed), and the status that
 * follows from it: an open task under a live lease is `claimed`.
 *
 * @example
 * ```ts
 * taskState(task, new Date()); // { lease: { holder: 'user-alice', expiresAt }, status: 'claimed' }
 * ```
 */
export function taskState(
  task: Pick<ReviewTask, 'lease' | 'status'>,
  now: Date,
): { readonly lease: ReviewTask['lease']; readonly status: ShownTaskStatus } {
  const lease = task.lease !== null && task.lease.expiresAt > now ? task.lease : null;
  return { lease, status: task.status === 'open' && lease !== null ? 'claimed' : task.status };
}
