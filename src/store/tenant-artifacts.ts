/**
 * Encrypted artifacts of one tenant (a row of metadata and a blob of ciphertext each), and the
 * retention sweeper's list of expired ones across tenants.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { VeilError, isVeilError } from '../errors/veil-error.js';
import { SYSTEM_SCOPE, withTenantScope } from './database.js';
import type { BlobRef } from './blob-store.js';
import type { ArtifactRow, Schema } from './schema.js';
import { checkId, constraintError, TenantRepository, toNumber } from './repository.js';

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

/** An artifact whose blob is stored and whose row is not written yet ({@link TenantArtifacts.stage}). */
export interface StagedArtifact {
  readonly id: string;
  readonly input: NewArtifact;
  readonly ref: BlobRef;
  readonly sizeBytes: number;
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

/** An artifacts row as `json_agg` gives it: timestamps as text. */
export type ArtifactJson = Omit<ArtifactRow, 'delete_after' | 'created_at' | 'size_bytes'> & {
  readonly size_bytes: number | string;
  readonly delete_after: string;
  readonly created_at: string;
};

/**
 * Artifacts from rows aggregated as JSON (`json_agg(a)` over `artifacts a`), in their order.
 *
 * @example
 * ```ts
 * const artifacts = artifactsFromJson(row.artifacts_json);
 * ```
 */
export function artifactsFromJson(rows: readonly ArtifactJson[]): Artifact[] {
  return rows.map((r) =>
    presentArtifact({
      ...r,
      size_bytes: toNumber(r.size_bytes),
      delete_after: new Date(r.delete_after),
      created_at: new Date(r.created_at),
    }),
  );
}

/**
 * A job's artifacts, oldest first, read with the caller's transaction (already under the
 * tenant's scope).
 *
 * @example
 * ```ts
 * const artifacts = await withTenantScope(db, tenantId, (trx) => jobArtifacts(trx, tenantId, jobId));
 * ```
 */
export async function jobArtifacts(
  trx: Kysely<Schema>,
  tenantId: string,
  jobId: string,
): Promise<Artifact[]> {
  const rows = await trx
    .selectFrom('artifacts')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('job_id', '=', jobId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map(presentArtifact);
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
   * Encrypts and stores the blobs of new artifacts whose rows the caller then writes in its own
   * transaction ({@link TenantArtifacts.insertStaged}), with other rows: blob before row, as
   * {@link TenantArtifacts.put}. If that transaction fails, {@link TenantArtifacts.discard}
   * deletes the blobs, so no ciphertext is left without a row to sweep it.
   *
   * @example
   * ```ts
   * const staged = await repos.artifacts.stage([{ input: { jobId, artifactClass: 'manifest', deleteAfter }, content }]);
   * try {
   *   await withTenantScope(db, tenantId, (trx) => repos.artifacts.insertStaged(trx, staged));
   * } catch (error) {
   *   await repos.artifacts.discard(staged);
   *   throw error;
   * }
   * ```
   */
  async stage(
    items: ReadonlyArray<{ readonly input: NewArtifact; readonly content: Uint8Array }>,
  ): Promise<StagedArtifact[]> {
    const staged: StagedArtifact[] = [];
    try {
      for (const { input, content } of items) {
        const id = input.id ?? randomUUID();
        checkId('artifact id', id);
        const ref = await this.ctx.blobs.put(
          { tenantId: this.tenantId, artifactClass: input.artifactClass },
          content,
        );
        staged.push({ id, input, ref, sizeBytes: content.byteLength });
      }
    } catch (error) {
      await this.discard(staged);
      throw error;
    }
    return staged;
  }

  /**
   * Writes the rows of staged artifacts inside the caller's transaction, which must be under this
   * tenant's scope.
   *
   * @example
   * ```ts
   * await withTenantScope(db, tenantId, (trx) => repos.artifacts.insertStaged(trx, staged));
   * ```
   */
  async insertStaged(trx: Kysely<Schema>, staged: readonly StagedArtifact[]): Promise<Artifact[]> {
    if (staged.length === 0) return [];
    try {
      const rows = await trx.insertInto('artifacts').values(this.rowsOf(staged)).returningAll().execute();
      return rows.map(presentArtifact);
    } catch (error) {
      throw constraintError(error, 'artifact');
    }
  }

  /**
   * {@link TenantArtifacts.insertStaged} for artifacts under fixed ids that another run may have
   * written first: an id already present keeps its row (`on conflict do nothing`, so the caller's
   * transaction is not aborted), and its staged blob is returned among `unused` for the caller to
   * {@link TenantArtifacts.discard} once the transaction has committed.
   *
   * @example
   * ```ts
   * const { unused } = await withTenantScope(db, tenantId, (trx) => repos.artifacts.insertStagedOnce(trx, staged));
   * await repos.artifacts.discard(unused);
   * ```
   */
  async insertStagedOnce(
    trx: Kysely<Schema>,
    staged: readonly StagedArtifact[],
  ): Promise<{ readonly inserted: Artifact[]; readonly unused: StagedArtifact[] }> {
    if (staged.length === 0) return { inserted: [], unused: [] };
    try {
      const rows = await trx
        .insertInto('artifacts')
        .values(this.rowsOf(staged))
        .onConflict((oc) => oc.columns(['tenant_id', 'id']).doNothing())
        .returningAll()
        .execute();
      const written = new Set(rows.map((r) => r.id));
      return {
        inserted: rows.map(presentArtifact),
        unused: staged.filter((s) => !written.has(s.id)),
      };
    } catch (error) {
      throw constraintError(error, 'artifact');
    }
  }

  /**
   * The rows {@link TenantArtifacts.insertStaged} writes, for a caller that writes them in a
   * statement of its own (`jobs.createWithRowsIn`).
   *
   * @example
   * ```ts
   * await repos.jobs.createWithRowsIn(trx, job, { ledger, artifacts: repos.artifacts.rowsOf(staged) });
   * ```
   */
  rowsOf(staged: readonly StagedArtifact[]) {
    return staged.map(({ id, input, ref, sizeBytes }) => ({
      tenant_id: this.tenantId,
      id,
      job_id: input.jobId,
      class: input.artifactClass,
      blob_name: ref.name,
      size_bytes: sizeBytes,
      delete_after: input.deleteAfter,
    }));
  }

  /**
   * Deletes the rows of artifacts whose blobs the caller has already deleted
   * ({@link TenantArtifacts.deleteStored}'s order: blob first, then row), inside the caller's
   * transaction under this tenant's scope. Returns how many rows went.
   *
   * @example
   * ```ts
   * await withTenantScope(db, tenantId, (trx) => repos.artifacts.deleteRowsIn(trx, [artifact.id]));
   * ```
   */
  async deleteRowsIn(trx: Kysely<Schema>, ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const result = await trx
      .deleteFrom('artifacts')
      .where('tenant_id', '=', this.tenantId)
      .where('id', 'in', [...ids])
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /**
   * Deletes the blobs of staged artifacts whose rows were not written.
   *
   * @example
   * ```ts
   * await repos.artifacts.discard(staged);
   * ```
   */
  async discard(staged: readonly StagedArtifact[]): Promise<void> {
    for (const { ref } of staged) await this.ctx.blobs.delete(ref);
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
    return this.readStored(artifact);
  }

  /**
   * {@link read} for an artifact whose row the caller has already read from this tenant
   * (`jobs.getWithArtifacts`), so the content costs no second row lookup.
   *
   * @example
   * ```ts
   * const { artifacts } = (await repos.jobs.getWithArtifacts(jobId))!;
   * const bytes = await repos.artifacts.readStored(artifacts[0]!);
   * ```
   */
  async readStored(artifact: Artifact): Promise<Buffer> {
    if (artifact.tenantId !== this.tenantId)
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
    return this.scoped((trx) => jobArtifacts(trx, this.tenantId, jobId));
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
    return this.deleteStored(artifact);
  }

  /**
   * {@link delete} for an artifact whose row the caller has already read from this tenant.
   *
   * @example
   * ```ts
   * for (const a of await repos.artifacts.listForJob(jobId)) await repos.artifacts.deleteStored(a);
   * ```
   */
  async deleteStored(artifact: Artifact): Promise<boolean> {
    if (artifact.tenantId !== this.tenantId) return false;
    const id = artifact.id;
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
