/**
 * The expired-uploads sweeper: an upload slot from `POST /v1/uploads` that no job took before it
 * expired is hard-deleted (its encrypted blob, then its row) and the deletion recorded in the
 * tenant's audit log, as a job deletion is. `veil serve` runs it on a timer.
 */
import type { Kysely } from 'kysely';
import type { AuditEventInput } from '../audit/index.js';
import { forTenant, SYSTEM_SCOPE, withTenantScope } from '../store/index.js';
import type { Schema, StoreContext } from '../store/index.js';
import { UPLOAD_CLASS } from '../pipeline/uploads.js';
import type { AuditLogs } from './audit.js';

/**
 * How long after its expiry an upload is left alone: a job that took it just before the expiry
 * is still reading its blob, and deletes it itself when done.
 */
export const UPLOAD_SWEEP_GRACE_SECONDS = 60;

/** Who the audit log names as the deleter. */
export const UPLOAD_SWEEPER_ACTOR: AuditEventInput['actor'] = { id: 'veil-upload-sweeper', role: 'system' };

/** What one sweep deleted: ids only. */
export interface SweptUpload {
  readonly tenantId: string;
  readonly uploadId: string;
  /** Whether the upload had received bytes (a blob was deleted too). */
  readonly hadBlob: boolean;
}

/** What {@link sweepExpiredUploads} takes. */
export interface UploadSweepOptions {
  /** The time to sweep as of (default now). */
  readonly now?: Date;
  /** The most uploads one sweep deletes (default 500); the rest wait for the next sweep. */
  readonly limit?: number;
}

/** Uploads expired before `before`, across tenants, oldest first. */
async function listExpiredUploads(
  db: Kysely<Schema>,
  before: Date,
  limit: number,
): Promise<Array<{ tenantId: string; id: string; blobName: string | null }>> {
  const rows = await withTenantScope(db, SYSTEM_SCOPE, (trx) =>
    trx
      .selectFrom('uploads')
      .select(['tenant_id', 'id', 'blob_name'])
      .where('expires_at', '<=', before)
      .orderBy('expires_at')
      .limit(limit)
      .execute(),
  );
  return rows.map((r) => ({ tenantId: r.tenant_id, id: r.id, blobName: r.blob_name }));
}

/**
 * The audit event of a swept upload: its id and what was deleted, never content.
 *
 * @example
 * ```ts
 * uploadDeletedEvent({ tenantId: 'acme', uploadId, hadBlob: true }, new Date());
 * // { action: 'admin.upload.deleted', trigger: 'retention', deleted: [{ class: 'upload', count: 1 }, …], … }
 * ```
 */
export function uploadDeletedEvent(swept: SweptUpload, at: Date): AuditEventInput {
  return {
    time: at.toISOString(),
    actor: UPLOAD_SWEEPER_ACTOR,
    tenant: swept.tenantId,
    // The event schema has no upload action of its own; `admin.*` is its namespace for the rest.
    action: 'admin.upload.deleted',
    objects: [{ kind: 'document', id: swept.uploadId }],
    deleted: swept.hadBlob
      ? [
          { class: 'blob', count: 1 },
          { class: 'upload', count: 1 },
        ]
      : [{ class: 'upload', count: 1 }],
    trigger: 'retention',
  };
}

/**
 * Deletes the uploads that expired more than {@link UPLOAD_SWEEP_GRACE_SECONDS} ago without a job
 * taking them: blob first, then row, so a crash in between leaves a row the next sweep finds,
 * never an orphaned blob. Each deletion is appended to the tenant's audit log; an upload that
 * another sweeper (or the job that took it) deleted first is not recorded twice. Returns what
 * this sweep deleted.
 *
 * @example
 * ```ts
 * const swept = await sweepExpiredUploads({ db: handle.db, blobs }, logs);
 * logger.info({ uploads: swept.length }, 'expired uploads deleted');
 * ```
 */
export async function sweepExpiredUploads(
  store: StoreContext,
  logs: AuditLogs,
  options: UploadSweepOptions = {},
): Promise<SweptUpload[]> {
  const now = options.now ?? new Date();
  const before = new Date(now.getTime() - UPLOAD_SWEEP_GRACE_SECONDS * 1000);
  const swept: SweptUpload[] = [];
  for (const upload of await listExpiredUploads(store.db, before, options.limit ?? 500)) {
    if (upload.blobName !== null)
      await store.blobs.delete({
        tenantId: upload.tenantId,
        artifactClass: UPLOAD_CLASS,
        name: upload.blobName,
      });
    if (!(await forTenant(store, upload.tenantId).uploads.delete(upload.id))) continue;
    const done: SweptUpload = {
      tenantId: upload.tenantId,
      uploadId: upload.id,
      hadBlob: upload.blobName !== null,
    };
    await logs.recordWithReceipt(uploadDeletedEvent(done, new Date()));
    swept.push(done);
  }
  return swept;
}
