/**
 * Grouped opening reads of fused jobs. A worker process fetches fused messages in batches and
 * starts them in one turn of the event loop; each first reads its job and artifacts. Reads asked
 * for together share one transaction: per tenant, the scope is switched (`switchTenantScope`, so
 * the row-level security wall holds per job) and that tenant's jobs are read by one statement.
 * While one group's read is in flight, the reads asked for meanwhile wait for the next.
 *
 * A group's failure fails each read of it, as that read alone would have failed.
 */
import { forTenant, switchTenantScope, withTenantScope } from '../../store/index.js';
import type { StoreContext } from '../../store/index.js';
import { groupCalls } from './grouped-calls.js';
import type { JobPayload } from './queues.js';
import type { JobSnapshot } from './steps.js';

/** The most jobs one transaction reads, by default. */
export const DEFAULT_READ_MAX_JOBS = 64;

/** Reads jobs as `jobSnapshot` does, in groups when several are asked for together. */
export interface OpeningReads {
  /** The job and its artifacts, or undefined when the tenant has no such job. */
  read(payload: JobPayload): Promise<JobSnapshot | undefined>;
}

/**
 * Reads several jobs, of any tenants, in one transaction: one scope switch and one statement per
 * tenant. Answers each job's snapshot (undefined: not found) in `payloads`' order.
 *
 * @example
 * ```ts
 * const [a, b] = await readTogether(store, [{ tenantId: 'acme', jobId: x }, { tenantId: 'beta', jobId: y }]);
 * ```
 */
export async function readTogether(
  store: StoreContext,
  payloads: readonly JobPayload[],
): Promise<Array<JobSnapshot | undefined>> {
  if (payloads.length === 0) return [];
  const byTenant = new Map<string, string[]>();
  for (const { tenantId, jobId } of payloads)
    byTenant.set(tenantId, [...(byTenant.get(tenantId) ?? []), jobId]);
  const tenants = [...byTenant.keys()];
  const found = await withTenantScope(store.db, tenants[0]!, async (trx) => {
    const out = new Map<string, Map<string, JobSnapshot>>();
    for (const [i, tenantId] of tenants.entries()) {
      if (i > 0) await switchTenantScope(trx, tenantId);
      out.set(
        tenantId,
        await forTenant(store, tenantId).jobs.getManyWithArtifactsIn(trx, byTenant.get(tenantId)!, {
          ledgerClasses: true,
        }),
      );
    }
    return out;
  });
  return payloads.map(({ tenantId, jobId }) => found.get(tenantId)?.get(jobId));
}

/**
 * Starts grouping opening reads for a worker process: one transaction at a time, each with every
 * read asked for while the previous one was in flight (at most `maxJobs`, default
 * {@link DEFAULT_READ_MAX_JOBS}).
 *
 * @example
 * ```ts
 * const reads = groupOpeningReads(store);
 * const found = await reads.read(payload);
 * ```
 */
export function groupOpeningReads(
  store: StoreContext,
  options: { readonly maxJobs?: number } = {},
): OpeningReads {
  const readGrouped = groupCalls(
    async (payloads: readonly JobPayload[]) =>
      (await readTogether(store, payloads)).map((value): PromiseSettledResult<JobSnapshot | undefined> => ({
        status: 'fulfilled',
        value,
      })),
    options.maxJobs ?? DEFAULT_READ_MAX_JOBS,
  );
  // Reads asked for in the same turn of the event loop (a fetched batch) share the first.
  return { read: readGrouped };
}
