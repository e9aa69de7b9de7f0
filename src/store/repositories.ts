/**
 * Repositories scoped to one tenant. Every query names the tenant in its `where` clause and
 * runs under that tenant's row-level security scope, so another tenant's id answers as if it
 * did not exist. Methods return plain objects, never database rows.
 */
import type { Kysely } from 'kysely';
import { checkId } from './repository.js';
import type { StoreContext } from './repository.js';
import type { Schema } from './schema.js';
import { TenantArtifacts } from './tenant-artifacts.js';
import { TenantJobs } from './tenant-jobs.js';
import { TenantUploads } from './tenant-uploads.js';

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
