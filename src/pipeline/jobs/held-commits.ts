/**
 * Group commit of held fused runs. A worker process runs many fused jobs at once; each that ends
 * holding its writes (`held-writes.ts`) stores its blobs, then waits here for a transaction. While
 * one group's transaction is open, the runs that end queue up, and the next transaction records
 * them all: each job's claim, rows and closing read in turn, under its own tenant's scope
 * (`switchTenantScope` before each tenant's jobs, so the row-level security wall holds per job).
 * A quiet process commits each job alone, at once; a busy one commits many jobs per `commit`, so
 * PostgreSQL flushes its log once for the group rather than once per job.
 *
 * A job whose claim is lost (another run, a cancellation, a deletion) or whose rows fail rolls
 * the group back, and then every job of that group is recorded alone, exactly as it would have
 * been without the group (its blobs, already stored, are reused): one job's trouble never takes
 * the others down, and none is recorded twice (each claim is a conditional update only one
 * transaction can win). When the `commit` itself fails, it may have landed: the jobs are failed
 * as one job's failing commit is (their message is retried, and finds them done), and their
 * blobs are kept.
 */
import { forTenant, switchTenantScope, withTenantScope } from '../../store/index.js';
import type { StagedArtifact, StoreContext } from '../../store/index.js';
import { groupCalls } from './grouped-calls.js';
import type { HeldWrites } from './held-writes.js';
import type { JobPayload } from './queues.js';

/** The job and its artifacts as a commit leaves them. */
type Snapshot = NonNullable<Awaited<ReturnType<HeldWrites['commit']>>>;

/** The most jobs one transaction records, by default. */
export const DEFAULT_GROUP_MAX_JOBS = 64;

/** Records held runs, in groups when several end together. */
export interface HeldCommits {
  /**
   * Records a held run as {@link HeldWrites.commit} does (its blobs, then its rows in one
   * transaction, possibly shared with other jobs): the job as left, or undefined when its claim
   * was lost (nothing written, its blobs deleted).
   */
  commit(held: HeldWrites, payload: JobPayload): Promise<Snapshot | undefined>;
}

/** A held run whose blobs are stored, waiting for its rows' transaction. */
export interface StagedRun {
  readonly held: HeldWrites;
  readonly payload: JobPayload;
  readonly staged: readonly StagedArtifact[];
}

/** How each run of a group ended: its job as left (undefined: claim lost), or its error. */
export type RunSettled = PromiseSettledResult<Snapshot | undefined>;

/** Each run recorded alone, as without a group. */
function commitEach(store: StoreContext, runs: readonly StagedRun[]): Promise<RunSettled[]> {
  return Promise.allSettled(runs.map((r) => r.held.commit(store, r.payload, r.staged)));
}

/**
 * Records staged runs in one transaction, their jobs grouped by tenant with the scope switched
 * before each tenant's; if it rolls back (a lost claim, a failed write), each run is recorded
 * alone, as {@link HeldWrites.commit} would have. Answers how each run ended, in `runs`' order.
 *
 * @example
 * ```ts
 * const staged = await Promise.all(runs.map(async (r) => ({ ...r, staged: await r.held.stage(store, r.payload) })));
 * const settled = await commitTogether(store, staged);
 * ```
 */
export async function commitTogether(store: StoreContext, runs: readonly StagedRun[]): Promise<RunSettled[]> {
  if (runs.length <= 1) return commitEach(store, runs);
  const order = runs
    .map((_, i) => i)
    .sort((a, b) => {
      const [x, y] = [runs[a]!.payload.tenantId, runs[b]!.payload.tenantId];
      return x < y ? -1 : x > y ? 1 : a - b;
    });
  let committing = false;
  let written: Map<number, { readonly after: Snapshot; readonly unused: readonly StagedArtifact[] }>;
  try {
    written = await withTenantScope(store.db, runs[order[0]!]!.payload.tenantId, async (trx) => {
      const out: typeof written = new Map();
      let scope = runs[order[0]!]!.payload.tenantId;
      for (const i of order) {
        const { held, payload, staged } = runs[i]!;
        if (payload.tenantId !== scope) {
          scope = payload.tenantId;
          await switchTenantScope(trx, scope);
        }
        out.set(i, await held.writeIn(trx, store, payload, staged));
      }
      committing = true;
      return out;
    });
  } catch (error) {
    // The commit itself failed: it may have landed, and the rows would lose their blobs.
    if (committing) return runs.map(() => ({ status: 'rejected', reason: error }));
    return commitEach(store, runs);
  }
  return Promise.allSettled(
    runs.map(async (run, i) => {
      const { after, unused } = written.get(i)!;
      await forTenant(store, run.payload.tenantId).artifacts.discard(unused);
      return after;
    }),
  );
}

/**
 * Starts recording held runs for a worker process: one group transaction at a time, each with
 * every run that ended while the previous one was open (at most `maxJobs`, default
 * {@link DEFAULT_GROUP_MAX_JOBS}).
 *
 * @example
 * ```ts
 * const commits = groupHeldCommits(store);
 * const after = await commits.commit(held, payload); // undefined: another run came first
 * ```
 */
export function groupHeldCommits(
  store: StoreContext,
  options: { readonly maxJobs?: number } = {},
): HeldCommits {
  const commitGrouped = groupCalls(
    (runs: readonly StagedRun[]) => commitTogether(store, runs),
    options.maxJobs ?? DEFAULT_GROUP_MAX_JOBS,
  );
  return {
    async commit(held, payload) {
      // Blobs first and outside the group: each is durable before the row naming it commits.
      const staged = await held.stage(store, payload);
      // Runs that end in the same turn of the event loop share the first transaction.
      return commitGrouped({ held, payload, staged });
    },
  };
}
