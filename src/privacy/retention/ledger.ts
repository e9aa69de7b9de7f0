/**
 * The retention ledger: one row per retention class of a job, with its deadline, when it was
 * deleted, and the audit leaf of the `retention.expired` event that recorded the deletion. Rows
 * hold codes and times only; they outlive the artifacts, so a job whose every artifact is gone
 * still shows what was deleted, when, and under which receipt.
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { RetentionClass } from '../../policy/index.js';
import type { JobDeadlines, Schema } from '../../store/index.js';
import { ARTIFACT_CLASSES_OF } from './classes.js';

/** One class of a job as the ledger shows it. */
export interface RetentionEntry {
  readonly retentionClass: string;
  readonly deleteAfter: Date;
  readonly deletedAt: Date | null;
  /** The leaf index, in the tenant's audit log, of the event that recorded the deletion. */
  readonly receiptLeaf: number | null;
}

/**
 * Opens a job's ledger with a provisional deadline for each class: until the job ends, nothing
 * it stores outlives `deleteAfter`, so a job that never finishes is still swept.
 *
 * @example
 * ```ts
 * await openLedger(trx, 'acme', jobId, ['original', 'extracted_text', 'redacted'], deleteAfter);
 * ```
 */
export async function openLedger(
  trx: Kysely<Schema>,
  tenantId: string,
  jobId: string,
  classes: readonly RetentionClass[],
  deleteAfter: Date,
): Promise<void> {
  if (classes.length === 0) return;
  await trx
    .insertInto('retention_ledger')
    .values(ledgerRows(tenantId, jobId, classes, deleteAfter))
    .onConflict((oc) => oc.columns(['tenant_id', 'job_id', 'class']).doNothing())
    .execute();
}

/**
 * The rows {@link openLedger} writes, for a caller that writes them in a statement of its own
 * (`jobs.createWithRowsIn`, a submission's rows in one statement).
 *
 * @example
 * ```ts
 * await repos.jobs.createWithRowsIn(trx, job, { ledger: ledgerRows('acme', jobId, classes, deleteAfter), artifacts });
 * ```
 */
export function ledgerRows(
  tenantId: string,
  jobId: string,
  classes: readonly RetentionClass[],
  deleteAfter: Date,
) {
  return classes.map((cls) => ({
    tenant_id: tenantId,
    job_id: jobId,
    class: cls,
    artifact_classes: ARTIFACT_CLASSES_OF[cls] ?? [],
    delete_after: deleteAfter,
  }));
}

/**
 * `delete_after` for rows grouped by deadline: `case when <column> in (…) then <deadline> … end`,
 * so a job's rows get their different deadlines from one statement rather than one per deadline.
 */
function deadlineCase(
  column: 'class' | 'id',
  groups: ReadonlyMap<number, readonly string[]>,
  otherwise?: Date,
) {
  const cases = [...groups]
    .filter(([, keys]) => keys.length > 0)
    .map(
      ([at, keys]) =>
        sql`when ${sql.ref(column)} in (${sql.join([...keys])}) then ${new Date(at)}::timestamptz`,
    );
  const rest = otherwise === undefined ? sql.ref('delete_after') : sql`${otherwise}::timestamptz`;
  return cases.length === 0
    ? sql<Date>`${rest}`
    : sql<Date>`case ${sql.join(cases, sql` `)} else ${rest} end`;
}

/** A job's deadlines once it has ended ({@link planRetention}), for {@link applyRetention}. */
export interface RetentionSchedule {
  readonly tenantId: string;
  readonly jobId: string;
  /** Ledger classes by deadline (ms since the epoch). */
  readonly ledger: ReadonlyMap<number, readonly string[]>;
  /** Artifact classes by deadline; an artifact of none of them gets {@link RetentionSchedule.last}. */
  readonly artifacts: ReadonlyMap<number, readonly string[]>;
  /** The latest deadline: the job's own `delete_after`, and that of its manifest. */
  readonly last: Date;
}

/**
 * Sets every deadline of a job that has ended, inside the caller's transaction: each class's
 * ledger row and artifacts get `endedAt + window`; the manifest and artifacts of no class get the
 * latest of them. Returns the latest deadline (the job's own `delete_after`).
 *
 * @example
 * ```ts
 * const last = await scheduleRetention(trx, 'acme', jobId, retentionWindows(policy, days), new Date());
 * ```
 */
export async function scheduleRetention(
  trx: Kysely<Schema>,
  tenantId: string,
  jobId: string,
  windows: Readonly<Record<RetentionClass, number>>,
  endedAt: Date,
): Promise<Date> {
  const schedule = await planRetention(trx, tenantId, jobId, windows, endedAt);
  await applyRetention(trx, schedule);
  return schedule.last;
}

/**
 * The deadlines {@link scheduleRetention} sets, read (one statement: the job's ledger classes)
 * but not written: a caller that finishes the job writes its own `delete_after` with its status.
 *
 * @example
 * ```ts
 * const schedule = await planRetention(trx, 'acme', jobId, retentionWindows(policy, days), endedAt);
 * await applyRetention(trx, schedule);
 * ```
 */
export async function planRetention(
  trx: Kysely<Schema>,
  tenantId: string,
  jobId: string,
  windows: Readonly<Record<RetentionClass, number>>,
  endedAt: Date,
): Promise<RetentionSchedule> {
  const rows = await trx
    .selectFrom('retention_ledger')
    .select('class')
    .where('tenant_id', '=', tenantId)
    .where('job_id', '=', jobId)
    .execute();
  return retentionSchedule(
    tenantId,
    jobId,
    rows.map((r) => r.class),
    windows,
    endedAt,
  );
}

/**
 * {@link planRetention} from ledger classes the caller has read already (a fused run's opening
 * read, `jobs.getManyWithArtifactsIn` with `ledgerClasses`, of a job still as submitted).
 *
 * @example
 * ```ts
 * const schedule = retentionSchedule('acme', jobId, ['extracted_text', 'original'], retentionWindows(policy, days), endedAt);
 * ```
 */
export function retentionSchedule(
  tenantId: string,
  jobId: string,
  classes: readonly string[],
  windows: Readonly<Record<RetentionClass, number>>,
  endedAt: Date,
): RetentionSchedule {
  const deadline = (cls: string): number => endedAt.getTime() + (windows[cls as RetentionClass] ?? 0);
  let last = endedAt.getTime();
  // Grouped by deadline (a job's classes share a few windows), so each table is set by one statement.
  const ledger = new Map<number, string[]>();
  for (const cls of classes) {
    const at = deadline(cls);
    if (at > last) last = at;
    ledger.set(at, [...(ledger.get(at) ?? []), cls]);
  }
  // By artifact class, not by id: the artifacts need not be read first.
  const artifacts = new Map<number, string[]>();
  for (const [cls, members] of Object.entries(ARTIFACT_CLASSES_OF)) {
    const at = deadline(cls);
    artifacts.set(at, [...(artifacts.get(at) ?? []), ...(members ?? [])]);
  }
  return { tenantId, jobId, ledger, artifacts, last: new Date(last) };
}

/**
 * Writes a {@link planRetention} schedule's deadlines to the job's ledger rows and artifacts, inside
 * the caller's transaction (two statements).
 *
 * @example
 * ```ts
 * await applyRetention(trx, schedule);
 * ```
 */
export async function applyRetention(trx: Kysely<Schema>, schedule: RetentionSchedule): Promise<void> {
  const { tenantId, jobId } = schedule;
  const deadlines = retentionDeadlines(schedule);
  if (deadlines.ledger !== undefined)
    await trx
      .updateTable('retention_ledger')
      .set({ delete_after: deadlines.ledger.deleteAfter })
      .where('tenant_id', '=', tenantId)
      .where('job_id', '=', jobId)
      .where('class', 'in', [...deadlines.ledger.classes])
      .execute();
  await trx
    .updateTable('artifacts')
    .set({ delete_after: deadlines.artifacts })
    .where('tenant_id', '=', tenantId)
    .where('job_id', '=', jobId)
    .execute();
}

/**
 * A {@link planRetention} schedule as the expressions {@link applyRetention} writes, for a caller
 * that writes them in a statement of its own (`jobs.getWithArtifactsIn`, which also reads the job).
 *
 * @example
 * ```ts
 * const after = await repos.jobs.getWithArtifactsIn(trx, jobId, retentionDeadlines(schedule));
 * ```
 */
export function retentionDeadlines(schedule: RetentionSchedule): JobDeadlines {
  const classes = [...schedule.ledger.values()].flat();
  return {
    artifacts: deadlineCase('class', schedule.artifacts, schedule.last),
    ...(classes.length === 0
      ? {}
      : { ledger: { classes, deleteAfter: deadlineCase('class', schedule.ledger) } }),
  };
}

/**
 * Brings every deadline of the jobs (their artifacts and open ledger classes) to `now`, inside the
 * caller's transaction: the next retention sweep deletes them, unless a legal hold keeps them.
 *
 * @example
 * ```ts
 * await scheduleDeletionNow(trx, 'acme', ['job-1'], new Date());
 * ```
 */
export async function scheduleDeletionNow(
  trx: Kysely<Schema>,
  tenantId: string,
  jobIds: readonly string[],
  now: Date,
): Promise<void> {
  if (jobIds.length === 0) return;
  await trx
    .updateTable('artifacts')
    .set({ delete_after: now })
    .where('tenant_id', '=', tenantId)
    .where('job_id', 'in', [...jobIds])
    .execute();
  await trx
    .updateTable('retention_ledger')
    .set({ delete_after: now })
    .where('tenant_id', '=', tenantId)
    .where('job_id', 'in', [...jobIds])
    .where('deleted_at', 'is', null)
    .execute();
}

/**
 * A job's retention block from its ledger rows: as Kysely reads them, or as `jobs.getWithLedgerIn`
 * reads them with the job in one statement (timestamps as text).
 *
 * @example
 * ```ts
 * const classes = retentionEntriesOf((await repos.jobs.getWithLedgerIn(trx, jobId))!.ledger);
 * ```
 */
export function retentionEntriesOf(
  rows: ReadonlyArray<{
    readonly class: string;
    readonly delete_after: Date | string;
    readonly deleted_at: Date | string | null;
    readonly receipt_leaf: number | string | null;
  }>,
): RetentionEntry[] {
  const order = Object.keys(ARTIFACT_CLASSES_OF);
  return rows
    .map((r) => ({
      retentionClass: r.class,
      deleteAfter: new Date(r.delete_after),
      deletedAt: r.deleted_at === null ? null : new Date(r.deleted_at),
      receiptLeaf: r.receipt_leaf === null ? null : Number(r.receipt_leaf),
    }))
    .sort((a, b) => order.indexOf(a.retentionClass) - order.indexOf(b.retentionClass));
}
