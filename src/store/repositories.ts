/**
 * Repositories scoped to one tenant. Every query names the tenant in its `where` clause and
 * runs under that tenant's row-level security scope, so another tenant's id answers as if it
 * did not exist. Methods return plain objects, never database rows.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { VeilError, isVeilError } from '../errors/veil-error.js';
import type { BlobStore } from './blob-store.js';
import { SYSTEM_SCOPE, withTenantScope } from './database.js';
import type { ArtifactRow, JobRow, JobStatus, Schema, UploadRow } from './schema.js';

export type { JobStatus } from './schema.js';

/** A job's metadata: codes, hashes and counts only. */
export interface Job {
  readonly tenantId: string;
  readonly id: string;
  readonly status: JobStatus;
  readonly purpose: string;
  readonly consent: {
    readonly basis: string;
    readonly allowModelTraining: boolean;
    readonly allowManualReview: boolean;
    readonly allowAnalytics?: boolean;
    readonly allowQualityImprovement?: boolean;
    readonly allowFullText?: boolean;
    /** Whether a model may see the job's (pseudonymised) content. */
    readonly allowModelUse?: boolean;
  };
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
  readonly consent: Job['consent'];
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
}

/** The fields of a job that change as it runs. */
export interface JobUpdate {
  readonly status?: JobStatus;
  readonly errorCode?: string | null;
  readonly countsByType?: Readonly<Record<string, number>>;
}

export interface Upload {
  readonly tenantId: string;
  readonly id: string;
  readonly maxBytes: number;
  readonly expiresAt: Date;
  readonly usedAt: Date | null;
  readonly blobName: string | null;
  readonly createdAt: Date;
}

export interface Artifact {
  readonly tenantId: string;
  readonly id: string;
  readonly jobId: string | null;
  readonly artifactClass: string;
  readonly blobName: string;
  readonly sizeBytes: number;
  readonly deleteAfter: Date;
  readonly createdAt: Date;
}

export interface NewArtifact {
  readonly id?: string;
  readonly jobId: string | null;
  /** The retention class, also the envelope's artifact class: lower-case letters, digits, dashes. */
  readonly artifactClass: string;
  readonly deleteAfter: Date;
}

const ID_PATTERN = /^[\x21-\x7e]{1,200}$/;

/**
 * Throws `VEIL_INVALID_INPUT` unless `value` is an id Veil accepts: 1-200 printable ASCII
 * characters without spaces (the keyring's rule, so ids are unambiguous in AADs and logs).
 *
 * @example
 * ```ts
 * checkId('tenantId', 'tenant-a');
 * ```
 */
export function checkId(name: string, value: string): void {
  if (typeof value !== 'string' || !ID_PATTERN.test(value))
    throw new VeilError(
      'VEIL_INVALID_INPUT',
      `store: ${name} must be 1-200 printable ASCII characters without spaces`,
    );
}

function toNumber(value: string | number | bigint): number {
  return typeof value === 'number' ? value : Number(value);
}

function pgCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Translates a constraint failure into a code a caller can act on (`VEIL_CONFLICT`,
 * `VEIL_NOT_FOUND`, `VEIL_INVALID_INPUT`); other errors pass through.
 *
 * @example
 * ```ts
 * try { await insert(); } catch (error) { throw constraintError(error, 'api key'); }
 * ```
 */
export function constraintError(error: unknown, what: string): unknown {
  switch (pgCode(error)) {
    case '23505':
      return new VeilError('VEIL_CONFLICT', `store: ${what} with this id already exists`, { cause: error });
    case '23503':
      return new VeilError('VEIL_NOT_FOUND', `store: ${what} refers to a tenant or job that does not exist`, {
        cause: error,
      });
    case '23514':
      return new VeilError(
        'VEIL_INVALID_INPUT',
        `store: ${what} breaks a constraint (an id, class or code is malformed)`,
        {
          cause: error,
        },
      );
    default:
      return error;
  }
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

function presentUpload(row: UploadRow): Upload {
  return {
    tenantId: row.tenant_id,
    id: row.id,
    maxBytes: row.max_bytes,
    expiresAt: row.expires_at,
    usedAt: row.used_at,
    blobName: row.blob_name,
    createdAt: row.created_at,
  };
}

function presentArtifact(row: ArtifactRow): Artifact {
  return {
    tenantId: row.tenant_id,
    id: row.id,
    jobId: row.job_id,
    artifactClass: row.class,
    blobName: row.blob_name,
    sizeBytes: toNumber(row.size_bytes),
    deleteAfter: row.delete_after,
    createdAt: row.created_at,
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

/** What the repositories need: the database and, for artifact content, the blob store. */
export interface StoreContext {
  readonly db: Kysely<Schema>;
  readonly blobs: BlobStore;
}

/**
 * What every repository of one tenant shares: the store and the tenant, and a transaction in
 * which row-level security sees only that tenant's rows.
 */
abstract class TenantRepository {
  protected readonly ctx: StoreContext;
  protected readonly tenantId: string;

  constructor(ctx: StoreContext, tenantId: string) {
    this.ctx = ctx;
    this.tenantId = tenantId;
  }

  protected scoped<T>(work: (trx: Kysely<Schema>) => Promise<T>): Promise<T> {
    return withTenantScope(this.ctx.db, this.tenantId, work);
  }
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
  async create(input: NewJob): Promise<Job> {
    const id = input.id ?? randomUUID();
    checkId('job id', id);
    try {
      const row = await this.scoped((trx) =>
        trx
          .insertInto('jobs')
          .values({
            tenant_id: this.tenantId,
            id,
            status: input.status ?? 'queued',
            purpose: input.purpose,
            consent_basis: input.consent.basis,
            allow_model_training: input.consent.allowModelTraining,
            allow_manual_review: input.consent.allowManualReview,
            allow_analytics: input.consent.allowAnalytics ?? false,
            allow_quality_improvement: input.consent.allowQualityImprovement ?? false,
            allow_full_text: input.consent.allowFullText ?? false,
            allow_model_use: input.consent.allowModelUse ?? false,
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
          })
          .returningAll()
          .executeTakeFirstOrThrow(),
      );
      return presentJob(row);
    } catch (error) {
      throw constraintError(error, 'job');
    }
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
   * Changes a job's status, error code or counts; returns the job, or undefined if absent.
   *
   * @example
   * ```ts
   * await repos.jobs.update(id, { status: 'succeeded', countsByType: { EMAIL_ADDRESS: 2 } });
   * ```
   */
  async update(id: string, change: JobUpdate): Promise<Job | undefined> {
    const counts = change.countsByType === undefined ? undefined : checkCounts(change.countsByType);
    try {
      const row = await this.scoped((trx) =>
        trx
          .updateTable('jobs')
          .set({
            ...(change.status === undefined ? {} : { status: change.status }),
            ...(change.errorCode === undefined ? {} : { error_code: change.errorCode }),
            ...(counts === undefined ? {} : { counts_by_type: counts }),
            updated_at: new Date(),
          })
          .where('tenant_id', '=', this.tenantId)
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirst(),
      );
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

/** Single-use, short-lived upload slots of one tenant. */
export class TenantUploads extends TenantRepository {
  /**
   * Opens an upload slot.
   *
   * @example
   * ```ts
   * const upload = await repos.uploads.create({ maxBytes: 25_000_000, expiresAt: new Date(Date.now() + 600_000) });
   * ```
   */
  async create(input: {
    readonly id?: string;
    readonly maxBytes: number;
    readonly expiresAt: Date;
  }): Promise<Upload> {
    const id = input.id ?? randomUUID();
    checkId('upload id', id);
    try {
      const row = await this.scoped((trx) =>
        trx
          .insertInto('uploads')
          .values({ tenant_id: this.tenantId, id, max_bytes: input.maxBytes, expires_at: input.expiresAt })
          .returningAll()
          .executeTakeFirstOrThrow(),
      );
      return presentUpload(row);
    } catch (error) {
      throw constraintError(error, 'upload');
    }
  }

  /**
   * The upload, or undefined.
   *
   * @example
   * ```ts
   * const upload = await repos.uploads.get(id);
   * ```
   */
  async get(id: string): Promise<Upload | undefined> {
    const row = await this.scoped((trx) =>
      trx
        .selectFrom('uploads')
        .selectAll()
        .where('tenant_id', '=', this.tenantId)
        .where('id', '=', id)
        .executeTakeFirst(),
    );
    return row === undefined ? undefined : presentUpload(row);
  }

  /**
   * Records the blob that received the upload's bytes, once: false if the slot is absent,
   * expired, used or already filled.
   *
   * @example
   * ```ts
   * const ref = await blobs.put({ tenantId, artifactClass: 'source-document' }, bytes);
   * await repos.uploads.attachBlob(id, ref.name);
   * ```
   */
  async attachBlob(id: string, blobName: string, now: Date = new Date()): Promise<boolean> {
    const result = await this.scoped((trx) =>
      trx
        .updateTable('uploads')
        .set({ blob_name: blobName })
        .where('tenant_id', '=', this.tenantId)
        .where('id', '=', id)
        .where('blob_name', 'is', null)
        .where('used_at', 'is', null)
        .where('expires_at', '>', now)
        .executeTakeFirst(),
    );
    return result.numUpdatedRows > 0n;
  }

  /**
   * Marks the upload used, atomically: of two concurrent callers exactly one gets the upload;
   * the other, and any caller after expiry, gets undefined.
   *
   * @example
   * ```ts
   * const upload = await repos.uploads.consume(id);
   * if (upload === undefined) throw new VeilError('VEIL_NOT_FOUND', 'upload: unknown, expired or already used');
   * ```
   */
  async consume(id: string, now: Date = new Date()): Promise<Upload | undefined> {
    const row = await this.scoped((trx) =>
      trx
        .updateTable('uploads')
        .set({ used_at: now })
        .where('tenant_id', '=', this.tenantId)
        .where('id', '=', id)
        .where('used_at', 'is', null)
        .where('expires_at', '>', now)
        .returningAll()
        .executeTakeFirst(),
    );
    return row === undefined ? undefined : presentUpload(row);
  }

  /**
   * Removes the upload's row (its blob, if any, is the caller's to delete first).
   *
   * @example
   * ```ts
   * await repos.uploads.delete(id);
   * ```
   */
  async delete(id: string): Promise<boolean> {
    const result = await this.scoped((trx) =>
      trx
        .deleteFrom('uploads')
        .where('tenant_id', '=', this.tenantId)
        .where('id', '=', id)
        .executeTakeFirst(),
    );
    return result.numDeletedRows > 0n;
  }
}

/** Encrypted artifacts of one tenant: a row of metadata and a blob of ciphertext each. */
export class TenantArtifacts extends TenantRepository {
  /**
   * Encrypts and stores `content` as a new artifact. The blob is written first; if the row
   * cannot be, the blob is deleted, so no ciphertext is left without a row to sweep it.
   *
   * @example
   * ```ts
   * const artifact = await repos.artifacts.put({ jobId, artifactClass: 'redacted-output', deleteAfter }, bytes);
   * ```
   */
  async put(input: NewArtifact, content: Uint8Array): Promise<Artifact> {
    const id = input.id ?? randomUUID();
    checkId('artifact id', id);
    const ref = await this.ctx.blobs.put(
      { tenantId: this.tenantId, artifactClass: input.artifactClass },
      content,
    );
    try {
      const row = await this.scoped((trx) =>
        trx
          .insertInto('artifacts')
          .values({
            tenant_id: this.tenantId,
            id,
            job_id: input.jobId,
            class: input.artifactClass,
            blob_name: ref.name,
            size_bytes: content.byteLength,
            delete_after: input.deleteAfter,
          })
          .returningAll()
          .executeTakeFirstOrThrow(),
      );
      return presentArtifact(row);
    } catch (error) {
      await this.ctx.blobs.delete(ref);
      throw constraintError(error, 'artifact');
    }
  }

  /**
   * The artifact's metadata, or undefined.
   *
   * @example
   * ```ts
   * const meta = await repos.artifacts.get(id);
   * ```
   */
  async get(id: string): Promise<Artifact | undefined> {
    const row = await this.scoped((trx) =>
      trx
        .selectFrom('artifacts')
        .selectAll()
        .where('tenant_id', '=', this.tenantId)
        .where('id', '=', id)
        .executeTakeFirst(),
    );
    return row === undefined ? undefined : presentArtifact(row);
  }

  /**
   * The artifact's decrypted content. Throws `VEIL_NOT_FOUND` when this tenant has no such
   * artifact. Callers authorise, purpose-check and audit before they call this.
   *
   * @example
   * ```ts
   * const bytes = await repos.artifacts.read(id);
   * ```
   */
  async read(id: string): Promise<Buffer> {
    const artifact = await this.get(id);
    if (artifact === undefined)
      throw new VeilError('VEIL_NOT_FOUND', 'store: no such artifact in this tenant');
    try {
      return await this.ctx.blobs.get({
        tenantId: this.tenantId,
        artifactClass: artifact.artifactClass,
        name: artifact.blobName,
      });
    } catch (error) {
      // The ref is the stored row's own, so a failed tag means the object changed on disk.
      if (isVeilError(error) && error.code === 'VEIL_DECRYPTION_FAILED')
        throw new VeilError(
          'VEIL_BLOB_CORRUPT',
          'store: a stored artifact fails its authentication check; restore it from a backup',
          { cause: error },
        );
      throw error;
    }
  }

  /**
   * The artifacts of a job, oldest first.
   *
   * @example
   * ```ts
   * for (const a of await repos.artifacts.listForJob(jobId)) console.log(a.artifactClass, a.sizeBytes);
   * ```
   */
  async listForJob(jobId: string): Promise<Artifact[]> {
    const rows = await this.scoped((trx) =>
      trx
        .selectFrom('artifacts')
        .selectAll()
        .where('tenant_id', '=', this.tenantId)
        .where('job_id', '=', jobId)
        .orderBy('created_at')
        .orderBy('id')
        .execute(),
    );
    return rows.map(presentArtifact);
  }

  /**
   * Hard-deletes an artifact: its blob first, then its row, so a crash in between leaves a row
   * that a later sweep deletes again, never an orphaned blob. Returns false if it was absent.
   *
   * @example
   * ```ts
   * await repos.artifacts.delete(id);
   * ```
   */
  async delete(id: string): Promise<boolean> {
    const artifact = await this.get(id);
    if (artifact === undefined) return false;
    await this.ctx.blobs.delete({
      tenantId: this.tenantId,
      artifactClass: artifact.artifactClass,
      name: artifact.blobName,
    });
    const result = await this.scoped((trx) =>
      trx
        .deleteFrom('artifacts')
        .where('tenant_id', '=', this.tenantId)
        .where('id', '=', id)
        .executeTakeFirst(),
    );
    return result.numDeletedRows > 0n;
  }
}

/** The repositories of one tenant. */
export interface TenantRepositories {
  readonly tenantId: string;
  readonly jobs: TenantJobs;
  readonly uploads: TenantUploads;
  readonly artifacts: TenantArtifacts;
}

/**
 * The repositories of one tenant: every query they run is filtered by `tenantId`.
 *
 * @example
 * ```ts
 * const repos = forTenant({ db: handle.db, blobs }, principal.tenantId);
 * const job = await repos.jobs.get(params.id); // undefined for another tenant's job id
 * ```
 */
export function forTenant(ctx: StoreContext, tenantId: string): TenantRepositories {
  checkId('tenantId', tenantId);
  const artifacts = new TenantArtifacts(ctx, tenantId);
  return {
    tenantId,
    jobs: new TenantJobs(ctx, tenantId, artifacts),
    uploads: new TenantUploads(ctx, tenantId),
    artifacts,
  };
}

/**
 * Creates the tenant if it does not exist (tenants are global: the table is the list of them).
 *
 * @example
 * ```ts
 * await ensureTenant(handle.db, 'tenant-a');
 * ```
 */
export async function ensureTenant(db: Kysely<Schema>, tenantId: string): Promise<void> {
  checkId('tenantId', tenantId);
  await db
    .insertInto('tenants')
    .values({ id: tenantId })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

/**
 * Artifacts past their `delete_after`, across tenants, oldest deadline first: the retention
 * sweeper's work list. Delete each through `forTenant(…).artifacts.delete(id)`.
 *
 * @example
 * ```ts
 * for (const { tenantId, id } of await listExpiredArtifacts(db, new Date(), 500)) await forTenant(ctx, tenantId).artifacts.delete(id);
 * ```
 */
export async function listExpiredArtifacts(
  db: Kysely<Schema>,
  now: Date,
  limit: number,
): Promise<Array<{ readonly tenantId: string; readonly id: string }>> {
  const rows = await withTenantScope(db, SYSTEM_SCOPE, (trx) =>
    trx
      .selectFrom('artifacts')
      .select(['tenant_id', 'id'])
      .where('delete_after', '<=', now)
      .orderBy('delete_after')
      .limit(limit)
      .execute(),
  );
  return rows.map((r) => ({ tenantId: r.tenant_id, id: r.id }));
}
