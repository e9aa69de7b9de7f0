/**
 * Jobs of one tenant: metadata only (codes, hashes and counts), queried under the tenant's
 * row-level security scope.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Expression, Insertable, Kysely } from 'kysely';
import { VeilError } from '../errors/veil-error.js';
import type { JobRow, JobStatus, Schema } from './schema.js';
import { checkId, constraintError, TenantRepository } from './repository.js';
import type { StoreContext } from './repository.js';
import { artifactsFromJson } from './tenant-artifacts.js';
import type { Artifact, ArtifactJson, TenantArtifacts } from './tenant-artifacts.js';

export type { JobStatus } from './schema.js';

/** What the job's data subject (or the caller on their behalf) agreed to. */
export interface JobConsent {
  readonly basis: string;
  readonly allowModelTraining: boolean;
  readonly allowManualReview: boolean;
  readonly allowAnalytics?: boolean;
  readonly allowQualityImprovement?: boolean;
  readonly allowFullText?: boolean;
  /** Whether a model may see the job's (pseudonymised) content. */
  readonly allowModelUse?: boolean;
}

/**
 * A job's consent grants under the names the `jobs` table, the API and the subject-access export
 * share, an absent grant written as `false` (the basis is named apart by each).
 *
 * @example
 * ```ts
 * consentGrants({ basis: 'contract', allowModelTraining: false, allowManualReview: true });
 * // { allow_model_training: false, allow_manual_review: true, allow_analytics: false, … }
 * ```
 */
export function consentGrants(consent: JobConsent) {
  return {
    allow_model_training: consent.allowModelTraining,
    allow_manual_review: consent.allowManualReview,
    allow_analytics: consent.allowAnalytics ?? false,
    allow_quality_improvement: consent.allowQualityImprovement ?? false,
    allow_full_text: consent.allowFullText ?? false,
    allow_model_use: consent.allowModelUse ?? false,
  };
}

/** A job's metadata: codes, hashes and counts only. */
export interface Job {
  readonly tenantId: string;
  readonly id: string;
  readonly status: JobStatus;
  readonly purpose: string;
  readonly consent: JobConsent;
  readonly policyHash: string;
  readonly retentionClass: string;
  readonly deleteAfter: Date;
  readonly errorCode: string | null;
  /** The deployment region the job was accepted in (null before governance). */
  readonly region?: string | null;
  /** The policy file's id (`acme`, `default`). */
  readonly policyId?: string | null;
  /** The keyed HMAC of the caller's subject reference (`v<version>:<hex>`). */
  readonly subjectHmac?: string | null;
  /** When it succeeded, failed or was cancelled. */
  readonly endedAt?: Date | null;
  /** Why it was cancelled, as a code. */
  readonly cancelReason?: string | null;
  readonly countsByType: Readonly<Record<string, number>>;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  /** The field template the job extracts under, or null. */
  readonly template: JobTemplate | null;
}

/** The name, version and hash of a field template, as a job records it. */
export interface JobTemplate {
  readonly name: string;
  readonly version: number;
  readonly hash: string;
}

/** Where a page of jobs ends: the last job's creation time (UTC, microseconds, as text) and id. */
export interface JobPosition {
  readonly createdAt: string;
  readonly id: string;
}

/** What creating a job takes. */
export interface NewJob {
  /** Default: a random UUID. */
  readonly id?: string;
  readonly purpose: string;
  readonly consent: JobConsent;
  readonly policyHash: string;
  readonly retentionClass: string;
  readonly deleteAfter: Date;
  /** The field template the job extracts under, if any. */
  readonly template?: JobTemplate | null;
  /** Default `queued`. */
  readonly status?: JobStatus;
  readonly region?: string | null;
  readonly policyId?: string | null;
  readonly subjectHmac?: string | null;
  /** A job recorded as it ends (one run in its submitting request): its counts, and when it ended. */
  readonly countsByType?: Readonly<Record<string, number>>;
  readonly endedAt?: Date;
}

/** The fields of a job that change as it runs. */
export interface JobUpdate {
  readonly status?: JobStatus;
  readonly errorCode?: string | null;
  readonly countsByType?: Readonly<Record<string, number>>;
  /** When the job ended (set with a status that ends it). */
  readonly endedAt?: Date;
  /** The job's own retention deadline. */
  readonly deleteAfter?: Date;
}

/**
 * New retention deadlines for a job's artifacts and ledger classes, as SQL expressions over each
 * row (the retention ledger builds them), written by {@link TenantJobs.getWithArtifactsIn}.
 */
export interface JobDeadlines {
  /** Every artifact's new `delete_after`. */
  readonly artifacts: Expression<Date>;
  /** The ledger rows of `classes` get `deleteAfter`. */
  readonly ledger?: { readonly classes: readonly string[]; readonly deleteAfter: Expression<Date> };
}

/** A job's artifacts as one JSON array beside its row, oldest first ({@link artifactsFromJson}). */
const ARTIFACTS_JSON = sql<
  ArtifactJson[]
>`(select coalesce(json_agg(a order by a.created_at, a.id), '[]'::json)
  from artifacts a where a.tenant_id = jobs.tenant_id and a.job_id = jobs.id)`;

/** A retention ledger row as {@link TenantJobs.getWithLedgerIn} reads it: timestamps as text. */
export interface LedgerJson {
  readonly class: string;
  readonly delete_after: string;
  readonly deleted_at: string | null;
  readonly receipt_leaf: number | string | null;
}

function presentJob(row: JobRow): Job {
  return {
    tenantId: row.tenant_id,
    id: row.id,
    status: row.status,
    purpose: row.purpose,
    consent: {
      basis: row.consent_basis,
      allowModelTraining: row.allow_model_training,
      allowManualReview: row.allow_manual_review,
      allowAnalytics: row.allow_analytics,
      allowQualityImprovement: row.allow_quality_improvement,
      allowFullText: row.allow_full_text,
      allowModelUse: row.allow_model_use,
    },
    policyHash: row.policy_hash,
    retentionClass: row.retention_class,
    deleteAfter: row.delete_after,
    errorCode: row.error_code,
    region: row.region,
    policyId: row.policy_id,
    subjectHmac: row.subject_hmac,
    endedAt: row.ended_at,
    cancelReason: row.cancel_reason,
    countsByType: row.counts_by_type,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    template:
      row.template_name !== null && row.template_version !== null && row.template_hash !== null
        ? { name: row.template_name, version: row.template_version, hash: row.template_hash }
        : null,
  };
}

function checkCounts(counts: Readonly<Record<string, number>>): string {
  for (const [type, n] of Object.entries(counts)) {
    if (!/^[A-Z][A-Z0-9_]{0,63}$/.test(type) || !Number.isInteger(n) || n < 0)
      throw new VeilError(
        'VEIL_INVALID_INPUT',
        'store: countsByType maps entity type names to non-negative integers',
      );
  }
  return JSON.stringify(counts);
}

/** Jobs of one tenant. */
export class TenantJobs extends TenantRepository {
  readonly #artifacts: TenantArtifacts;

  constructor(ctx: StoreContext, tenantId: string, artifacts: TenantArtifacts) {
    super(ctx, tenantId);
    this.#artifacts = artifacts;
  }

  /**
   * Records a new job. Throws `VEIL_CONFLICT` for a duplicate id, `VEIL_NOT_FOUND` when the
   * tenant has not been created.
   *
   * @example
   * ```ts
   * const job = await repos.jobs.create({ purpose: 'claims', consent: { basis: 'contract', allowModelTraining: false, allowManualReview: true }, policyHash: 'sha256:…', retentionClass: 'short', deleteAfter });
   * ```
   */
  create(input: NewJob): Promise<Job> {
    return this.scoped((trx) => this.createIn(trx, input));
  }

  /**
   * {@link TenantJobs.create} inside the caller's transaction, which must already be under this
   * tenant's scope (`withTenantScope`): a submission writes its job, ledger and artifact rows in one.
   *
   * @example
   * ```ts
   * await withTenantScope(db, 'acme', (trx) => repos.jobs.createIn(trx, newJob));
   * ```
   */
  async createIn(trx: Kysely<Schema>, input: NewJob): Promise<Job> {
    try {
      const row = await trx
        .insertInto('jobs')
        .values(this.#row(input))
        .returningAll()
        .executeTakeFirstOrThrow();
      return presentJob(row);
    } catch (error) {
      throw constraintError(error, 'job');
    }
  }

  /**
   * A submission's rows in ONE statement inside the caller's transaction (under this tenant's
   * scope): the tenant (if new), the job, its retention ledger rows and its artifacts' rows, as
   * data-modifying common table expressions. The foreign keys are checked at the statement's end,
   * when every row is in. Errors as {@link TenantJobs.createIn}: a job id already taken is
   * `VEIL_CONFLICT`.
   *
   * @example
   * ```ts
   * await withTenantScope(db, 'acme', (trx) =>
   *   repos.jobs.createWithRowsIn(trx, input, { ledger, artifacts: repos.artifacts.rowsOf(staged) }),
   * );
   * ```
   */
  async createWithRowsIn(
    trx: Kysely<Schema>,
    input: NewJob,
    rows: {
      readonly ledger: ReadonlyArray<Insertable<Schema['retention_ledger']>>;
      readonly artifacts: ReadonlyArray<Insertable<Schema['artifacts']>>;
    },
  ): Promise<void> {
    const job = this.#row(input);
    const ledger = rows.ledger.map((r) => ({ ...r, tenant_id: this.tenantId, job_id: job.id }));
    const artifacts = rows.artifacts.map((r) => ({ ...r, tenant_id: this.tenantId, job_id: job.id }));
    if (ledger.length === 0 || artifacts.length === 0)
      throw new VeilError('VEIL_INVALID_INPUT', 'store: a submission has ledger rows and artifacts');
    try {
      await trx
        .with('tenant', (db) =>
          db
            .insertInto('tenants')
            .values({ id: this.tenantId })
            .onConflict((oc) => oc.column('id').doNothing()),
        )
        .with('job', (db) => db.insertInto('jobs').values(job))
        .with('ledger', (db) =>
          db
            .insertInto('retention_ledger')
            .values(ledger)
            .onConflict((oc) => oc.columns(['tenant_id', 'job_id', 'class']).doNothing()),
        )
        .insertInto('artifacts')
        .values(artifacts)
        .execute();
    } catch (error) {
      throw constraintError(error, 'job');
    }
  }

  /**
   * The job as {@link TenantJobs.createWithRowsIn} records it, without a read: what a job run in
   * its submitting request (before any row is written) starts from. `at` stands for its creation
   * time; the commit's closing read answers the stored one.
   *
   * @example
   * ```ts
   * const job = repos.jobs.asSubmitted(input, new Date()); // { status: 'queued', countsByType: {}, … }
   * ```
   */
  asSubmitted(input: NewJob, at: Date): Job {
    const row = this.#row(input);
    return presentJob({
      template_name: null,
      template_version: null,
      template_hash: null,
      ...row,
      error_code: null,
      counts_by_type: input.countsByType ?? {},
      ended_at: input.endedAt ?? null,
      cancel_reason: null,
      created_at: at,
      updated_at: at,
    });
  }

  #row(input: NewJob) {
    const id = input.id ?? randomUUID();
    checkId('job id', id);
    return {
      tenant_id: this.tenantId,
      id,
      status: input.status ?? 'queued',
      purpose: input.purpose,
      consent_basis: input.consent.basis,
      ...consentGrants(input.consent),
      policy_hash: input.policyHash,
      retention_class: input.retentionClass,
      delete_after: input.deleteAfter,
      ...(input.template
        ? {
            template_name: input.template.name,
            template_version: input.template.version,
            template_hash: input.template.hash,
          }
        : {}),
      region: input.region ?? null,
      policy_id: input.policyId ?? null,
      subject_hmac: input.subjectHmac ?? null,
      ...(input.countsByType === undefined ? {} : { counts_by_type: checkCounts(input.countsByType) }),
      ...(input.endedAt === undefined ? {} : { ended_at: input.endedAt, updated_at: input.endedAt }),
    } satisfies Insertable<Schema['jobs']>;
  }

  /**
   * The job, or undefined when this tenant has no job with that id.
   *
   * @example
   * ```ts
   * const job = await repos.jobs.get(id);
   * ```
   */
  async get(id: string): Promise<Job | undefined> {
    const row = await this.scoped((trx) =>
      trx
        .selectFrom('jobs')
        .selectAll()
        .where('tenant_id', '=', this.tenantId)
        .where('id', '=', id)
        .executeTakeFirst(),
    );
    return row === undefined ? undefined : presentJob(row);
  }

  /**
   * The job and its artifacts (oldest first) read in one transaction, or undefined when this
   * tenant has no job with that id: what a job step starts from.
   *
   * @example
   * ```ts
   * const found = await repos.jobs.getWithArtifacts(id);
   * if (found !== undefined) console.log(found.job.status, found.artifacts.length);
   * ```
   */
  async getWithArtifacts(id: string): Promise<{ job: Job; artifacts: Artifact[] } | undefined> {
    return this.scoped((trx) => this.getWithArtifactsIn(trx, id));
  }

  /**
   * {@link TenantJobs.getWithArtifacts} inside the caller's transaction, which must already be
   * under this tenant's scope: a job step reads the job it leaves in the transaction that wrote it.
   *
   * @example
   * ```ts
   * const found = await withTenantScope(db, 'acme', (trx) => repos.jobs.getWithArtifactsIn(trx, id));
   * ```
   *
   * With `deadlines`, the same statement first writes them (data-modifying common table
   * expressions) and reads the artifacts as they leave them: a finishing job sets its deadlines
   * and reads itself in one round trip.
   */
  async getWithArtifactsIn(
    trx: Kysely<Schema>,
    id: string,
    deadlines?: JobDeadlines,
  ): Promise<{ job: Job; artifacts: Artifact[] } | undefined> {
    if (deadlines !== undefined) return this.#setDeadlinesAndRead(trx, id, deadlines);
    return (await this.getManyWithArtifactsIn(trx, [id])).get(id);
  }

  /**
   * {@link TenantJobs.getWithArtifactsIn} for several jobs in one statement: those found, by id.
   * With `ledgerClasses`, each with the classes of its retention ledger (a fused run's opening
   * read: its held commit then schedules the job's deadlines without reading them again).
   *
   * @example
   * ```ts
   * const found = await withTenantScope(db, 'acme', (trx) => repos.jobs.getManyWithArtifactsIn(trx, [a, b]));
   * ```
   */
  async getManyWithArtifactsIn(
    trx: Kysely<Schema>,
    ids: readonly string[],
    options: { readonly ledgerClasses?: boolean } = {},
  ): Promise<Map<string, { job: Job; artifacts: Artifact[]; ledgerClasses?: string[] }>> {
    if (ids.length === 0) return new Map();
    // One statement: the artifacts come as a JSON array beside the job's row (a step reads the
    // job once or twice, and each round trip costs more than the aggregation).
    const rows = await trx
      .selectFrom('jobs')
      .selectAll()
      .select(ARTIFACTS_JSON.as('artifacts_json'))
      .$if(options.ledgerClasses === true, (qb) =>
        qb.select(
          sql<string[]>`(select coalesce(array_agg(l.class order by l.class), '{}') from retention_ledger l
            where l.tenant_id = jobs.tenant_id and l.job_id = jobs.id)`.as('ledger_classes'),
        ),
      )
      .where('tenant_id', '=', this.tenantId)
      .where('id', 'in', [...ids])
      .execute();
    return new Map(
      rows.map((row) => [
        row.id,
        {
          job: presentJob(row),
          artifacts: artifactsFromJson(row.artifacts_json),
          ...(row.ledger_classes === undefined ? {} : { ledgerClasses: row.ledger_classes }),
        },
      ]),
    );
  }

  /**
   * {@link TenantJobs.getWithArtifactsIn} with the job's retention ledger rows too, in the same
   * one statement: what a status read shows (`getJobStatus`, which callers poll).
   *
   * @example
   * ```ts
   * const found = await withTenantScope(db, 'acme', (trx) => repos.jobs.getWithLedgerIn(trx, id));
   * found?.ledger; // [{ class: 'original', delete_after: '…', deleted_at: null, receipt_leaf: null }, …]
   * ```
   */
  async getWithLedgerIn(
    trx: Kysely<Schema>,
    id: string,
  ): Promise<{ job: Job; artifacts: Artifact[]; ledger: LedgerJson[] } | undefined> {
    const row = await trx
      .selectFrom('jobs')
      .selectAll()
      .select(ARTIFACTS_JSON.as('artifacts_json'))
      .select(
        sql<LedgerJson[]>`(select coalesce(json_agg(json_build_object('class', l.class,
          'delete_after', l.delete_after, 'deleted_at', l.deleted_at, 'receipt_leaf', l.receipt_leaf)), '[]'::json)
          from retention_ledger l where l.tenant_id = jobs.tenant_id and l.job_id = jobs.id)`.as(
          'ledger_json',
        ),
      )
      .where('tenant_id', '=', this.tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row === undefined
      ? undefined
      : { job: presentJob(row), artifacts: artifactsFromJson(row.artifacts_json), ledger: row.ledger_json };
  }

  async #setDeadlinesAndRead(
    trx: Kysely<Schema>,
    id: string,
    deadlines: JobDeadlines,
  ): Promise<{ job: Job; artifacts: Artifact[] } | undefined> {
    const ledger = deadlines.ledger;
    const row = await trx
      // Unreferenced, but a data-modifying CTE runs all the same; an empty class list updates none.
      .with('set_ledger', (db) =>
        db
          .updateTable('retention_ledger')
          .set({ delete_after: ledger?.deleteAfter ?? sql<Date>`delete_after` })
          .where('tenant_id', '=', this.tenantId)
          .where('job_id', '=', id)
          .where(
            ledger === undefined || ledger.classes.length === 0
              ? sql<boolean>`false`
              : sql<boolean>`class in (${sql.join([...ledger.classes])})`,
          )
          .returning('class'),
      )
      // The artifacts as this update leaves them: the statement's own snapshot predates it.
      .with('set_artifacts', (db) =>
        db
          .updateTable('artifacts')
          .set({ delete_after: deadlines.artifacts })
          .where('tenant_id', '=', this.tenantId)
          .where('job_id', '=', id)
          .returningAll(),
      )
      .selectFrom('jobs')
      .selectAll('jobs')
      .select(
        sql<ArtifactJson[]>`(select coalesce(json_agg(a order by a.created_at, a.id), '[]'::json)
          from set_artifacts a)`.as('artifacts_json'),
      )
      .where('tenant_id', '=', this.tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (row === undefined) return undefined;
    return { job: presentJob(row), artifacts: artifactsFromJson(row.artifacts_json) };
  }

  /**
   * The tenant's jobs, newest first.
   *
   * @example
   * ```ts
   * const failed = await repos.jobs.list({ status: 'failed', limit: 50 });
   * ```
   */
  async list(options?: { readonly status?: JobStatus; readonly limit?: number }): Promise<Job[]> {
    const rows = await this.scoped((trx) => {
      let query = trx.selectFrom('jobs').selectAll().where('tenant_id', '=', this.tenantId);
      if (options?.status !== undefined) query = query.where('status', '=', options.status);
      return query
        .orderBy('created_at', 'desc')
        .orderBy('id')
        .limit(options?.limit ?? 100)
        .execute();
    });
    return rows.map(presentJob);
  }

  /**
   * One page of the tenant's jobs, newest first (ties broken by id, descending), optionally of one
   * status and purpose. `after` is the position of the last job of the previous page, as
   * `nextAfter` returned it; positions keep the database's microseconds, which a Date would drop.
   *
   * @example
   * ```ts
   * const first = await repos.jobs.page({ limit: 20, status: 'succeeded' });
   * const second = await repos.jobs.page({ limit: 20, status: 'succeeded', after: first.nextAfter });
   * ```
   */
  async page(options: {
    readonly limit: number;
    readonly status?: JobStatus | undefined;
    readonly purpose?: string | undefined;
    readonly after?: JobPosition | undefined;
  }): Promise<{ readonly jobs: Job[]; readonly nextAfter: JobPosition | undefined }> {
    const rows = await this.scoped((trx) => {
      let query = trx
        .selectFrom('jobs')
        .selectAll()
        // UTC text with microseconds: exact, and it sorts and casts back without loss.
        .select(
          sql<string>`to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as(
            'position_time',
          ),
        )
        .where('tenant_id', '=', this.tenantId);
      if (options.status !== undefined) query = query.where('status', '=', options.status);
      if (options.purpose !== undefined) query = query.where('purpose', '=', options.purpose);
      const after = options.after;
      if (after !== undefined)
        query = query.where(sql<boolean>`(created_at, id) < (${after.createdAt}::timestamptz, ${after.id})`);
      return query
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(options.limit + 1)
        .execute();
    });
    const more = rows.length > options.limit;
    const page = more ? rows.slice(0, options.limit) : rows;
    const last = page.at(-1);
    return {
      jobs: page.map(presentJob),
      nextAfter: more && last !== undefined ? { createdAt: last.position_time, id: last.id } : undefined,
    };
  }

  /**
   * Changes a job's status, error code, counts or end; returns the job, or undefined if absent.
   *
   * @example
   * ```ts
   * await repos.jobs.update(id, { status: 'succeeded', countsByType: { EMAIL_ADDRESS: 2 } });
   * ```
   */
  update(id: string, change: JobUpdate): Promise<Job | undefined> {
    return this.scoped((trx) => this.updateIn(trx, id, change));
  }

  /**
   * {@link TenantJobs.update} inside the caller's transaction, which must already be under this
   * tenant's scope. With `from`, only a job in one of those states changes (undefined otherwise).
   *
   * @example
   * ```ts
   * await withTenantScope(db, 'acme', (trx) => repos.jobs.updateIn(trx, id, { countsByType: { PERSON: 1 } }));
   * // Only from `queued`: undefined when another run claimed the job first.
   * await withTenantScope(db, 'acme', (trx) => repos.jobs.updateIn(trx, id, { status: 'running' }, ['queued']));
   * ```
   */
  async updateIn(
    trx: Kysely<Schema>,
    id: string,
    change: JobUpdate,
    from?: readonly JobStatus[],
  ): Promise<Job | undefined> {
    const counts = change.countsByType === undefined ? undefined : checkCounts(change.countsByType);
    try {
      let query = trx
        .updateTable('jobs')
        .set({
          ...(change.status === undefined ? {} : { status: change.status }),
          ...(change.errorCode === undefined ? {} : { error_code: change.errorCode }),
          ...(counts === undefined ? {} : { counts_by_type: counts }),
          ...(change.endedAt === undefined ? {} : { ended_at: change.endedAt }),
          ...(change.deleteAfter === undefined ? {} : { delete_after: change.deleteAfter }),
          updated_at: new Date(),
        })
        .where('tenant_id', '=', this.tenantId)
        .where('id', '=', id);
      // A conditional move (a claim): one statement, so of two racing runs only one wins.
      if (from !== undefined) query = query.where('status', 'in', [...from]);
      const row = await query.returningAll().executeTakeFirst();
      return row === undefined ? undefined : presentJob(row);
    } catch (error) {
      throw constraintError(error, 'job');
    }
  }

  /**
   * Hard-deletes a job: each artifact's blob, then its row, then the job's row. Returns false
   * when the tenant has no such job. Safe to repeat after a crash part-way.
   *
   * @example
   * ```ts
   * await repos.jobs.delete(id);
   * ```
   */
  async delete(id: string): Promise<boolean> {
    for (const artifact of await this.#artifacts.listForJob(id)) await this.#artifacts.delete(artifact.id);
    const result = await this.scoped((trx) =>
      trx.deleteFrom('jobs').where('tenant_id', '=', this.tenantId).where('id', '=', id).executeTakeFirst(),
    );
    return result.numDeletedRows > 0n;
  }
}
