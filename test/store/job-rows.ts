/**
 * A bare job row for tests of what hangs off a job (its subject index, its keys), written
 * straight to the table without the pipeline: succeeded, purpose `claims`, short retention.
 */
import type { Kysely } from 'kysely';
import { withTenantScope } from '../../src/store/index.js';
import type { Schema } from '../../src/store/index.js';

/**
 * Inserts a succeeded job `id` for `tenantId` under the tenant's scope.
 *
 * @example
 * ```ts
 * await insertSucceededJob(handle.db, 'acme', 'job-indexed');
 * ```
 */
export async function insertSucceededJob(db: Kysely<Schema>, tenantId: string, id: string): Promise<void> {
  await withTenantScope(db, tenantId, (trx) =>
    trx
      .insertInto('jobs')
      .values({
        tenant_id: tenantId,
        id,
        status: 'succeeded',
        purpose: 'claims',
        consent_basis: 'contract',
        policy_hash: 'h',
        retention_class: 'short',
        delete_after: new Date(Date.now() + 86_400_000),
      })
      .execute(),
  );
}
