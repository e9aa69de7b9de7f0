/**
 * The retention sweeper: deletes every artifact past its `delete_after` (blob, then row), marks
 * each retention class of a job deleted once nothing of it is left, and records one
 * `retention.expired` event per job in the tenant's audit log, whose leaf index becomes the
 * class's deletion receipt. Safe with several sweepers at once (rows are claimed with
 * `FOR UPDATE SKIP LOCKED`) and after a crash at any point:
 * - killed after a blob is deleted and before its row: the row is still there, the next sweep
 *   deletes the (absent) blob again, which is a no-op, and then the row;
 * - killed after rows are deleted and before the audit event: the class is marked deleted but
 *   has no receipt; a later sweep claims it (after `auditClaimSeconds`) and records it.
 * Nothing is deleted twice and no class is counted twice: counts come from rows whose deletion
 * committed.
 *
 * With the token vault, the tokens of a job of which nothing is left are crypto-shredded too.
 *
 * Artifacts a standing legal hold covers are skipped, however late: the first sweep that finds a
 * class due but held records it once (`retention.held`, counts per class), and the first sweep
 * after the hold is lifted deletes it like any other.
 */
import { sql } from 'kysely';
import type { AuditEventInput } from '../../audit/index.js';
import { SYSTEM_SCOPE, withTenantScope } from '../../store/index.js';
import type { StoreContext } from '../../store/index.js';
import { heldPredicate } from '../legal-holds/holds.js';
import { retentionClassOf } from './classes.js';

/** Who the audit log names as the deleter. */
export const RETENTION_SWEEPER_ACTOR: AuditEventInput['actor'] = {
  id: 'veil-retention-sweeper',
  role: 'system',
};

/** Where the sweeper records its events: the tenant's audit log. */
export interface RetentionAuditPort {
  append(tenantId: string, event: AuditEventInput): Promise<number>;
}

/** Destroys the keys and entries of a vault subject: the token vault's `forgetSubject`. */
export interface RetentionVaultPort {
  forgetSubject(tenant: string, subject: string): Promise<number>;
}

/** What {@link sweepRetention} takes. */
export interface RetentionSweepOptions {
  /**
   * The token vault. With it, the tokens a job issued (its vault subject's key and entries) are
   * crypto-shredded once every retention class of the job is gone: a token outliving everything
   * it appeared in would keep the value it stands for past its retention.
   */
  readonly vault?: RetentionVaultPort;
  /** The time to sweep as of (default now). */
  readonly now?: Date;
  /** Artifacts deleted per transaction (default 200). */
  readonly batchSize?: number;
  /** Batches per sweep (default 50); the rest waits for the next sweep. */
  readonly maxBatches?: number;
  /** A claimed but unrecorded deletion is taken over by another sweeper after this long (default 300). */
  readonly auditClaimSeconds?: number;
  /** The deployment region, recorded in each event. */
  readonly region?: string;
}

/** What one sweep did: counts only. */
export interface RetentionSweepReport {
  /** Artifacts deleted, by envelope class. */
  readonly artifacts: Readonly<Record<string, number>>;
  /** Retention classes of jobs found wholly deleted. */
  readonly classesGone: number;
  /** `retention.expired` events recorded. */
  readonly events: number;
  /** Artifacts past their deadline kept for a legal hold, by envelope class. */
  readonly held: Readonly<Record<string, number>>;
  /** `retention.held` events recorded (one per tenant with classes newly found held). */
  readonly heldEvents: number;
  /** Jobs whose token keys and vault entries were destroyed (only with a vault). */
  readonly vaultSubjects: number;
}

interface DeletedRow {
  readonly tenant_id: string;
  readonly id: string;
  readonly job_id: string | null;
  readonly class: string;
  readonly blob_name: string;
}

async function deleteBatch(store: StoreContext, now: Date, limit: number): Promise<DeletedRow[]> {
  return withTenantScope(store.db, SYSTEM_SCOPE, async (trx) => {
    // Claimed rows stay locked until commit: another sweeper skips them, never waits on them.
    const rows = await trx
      .selectFrom('artifacts')
      .select(['tenant_id', 'id', 'job_id', 'class', 'blob_name'])
      .where('delete_after', '<=', now)
      .where(sql<boolean>`not ${heldPredicate(sql.ref('artifacts.tenant_id'), sql.ref('artifacts.job_id'))}`)
      .orderBy('delete_after')
      .limit(limit)
      .forUpdate()
      .skipLocked()
      .execute();
    if (rows.length === 0) return [];
    // Blob first: a crash before the commit leaves the row, which the next sweep deletes again.
    for (const row of rows)
      await store.blobs.delete({ tenantId: row.tenant_id, artifactClass: row.class, name: row.blob_name });
    for (const group of groupBy(rows, (r) => r.tenant_id))
      await trx
        .deleteFrom('artifacts')
        .where('tenant_id', '=', group[0]!.tenant_id)
        .where(
          'id',
          'in',
          group.map((r) => r.id),
        )
        .execute();
    const counts = new Map<string, { tenant: string; job: string; cls: string; n: number }>();
    for (const row of rows) {
      const cls = retentionClassOf(row.class);
      if (cls === undefined || row.job_id === null) continue;
      const key = `${row.tenant_id}\0${row.job_id}\0${cls}`;
      const entry = counts.get(key) ?? { tenant: row.tenant_id, job: row.job_id, cls, n: 0 };
      entry.n += 1;
      counts.set(key, entry);
    }
    for (const { tenant, job, cls, n } of counts.values())
      await trx
        .updateTable('retention_ledger')
        .set({ deleted_count: sql`deleted_count + ${n}` })
        .where('tenant_id', '=', tenant)
        .where('job_id', '=', job)
        .where('class', '=', cls)
        .execute();
    return rows;
  });
}

/** Marks the classes of ended jobs of which no artifact is left. */
async function markGone(store: StoreContext, now: Date): Promise<number> {
  const result = await withTenantScope(store.db, SYSTEM_SCOPE, (trx) =>
    sql`update retention_ledger l set deleted_at = ${now}
        where l.deleted_at is null
          and exists (select 1 from jobs j where j.tenant_id = l.tenant_id and j.id = l.job_id
                      and j.status in ('succeeded', 'failed', 'cancelled'))
          and not exists (select 1 from artifacts a where a.tenant_id = l.tenant_id and a.job_id = l.job_id
                          and a.class = any(l.artifact_classes))`.execute(trx),
  );
  return Number(result.numAffectedRows ?? 0n);
}

/**
 * The subject index of a job lives as long as any of its retention classes: it is how a
 * data-subject request finds what is still held, so it goes when nothing of the job is left.
 */
async function dropIndexOfGoneJobs(store: StoreContext): Promise<void> {
  await withTenantScope(store.db, SYSTEM_SCOPE, async (trx) => {
    // Its rows (the keyed HMACs) and its sealed list of values.
    for (const table of ['subject_index', 'subject_index_lists'] as const)
      await sql`delete from ${sql.table(table)} s
        where exists (select 1 from retention_ledger l where l.tenant_id = s.tenant_id and l.job_id = s.job_id)
          and not exists (select 1 from retention_ledger l where l.tenant_id = s.tenant_id and l.job_id = s.job_id
                          and l.deleted_at is null)`.execute(trx);
  });
}

/**
 * Crypto-shreds the tokens of jobs of which nothing is left. A job's tokens are issued under the
 * vault subject `job-<id>` (`vaultSubjectOf` in the data-subject requests), with a key of their
 * own, so destroying that key makes every copy of its entries unreadable, backups included.
 */
async function shredVaultOfGoneJobs(store: StoreContext, vault: RetentionVaultPort): Promise<number> {
  const gone = await withTenantScope(
    store.db,
    SYSTEM_SCOPE,
    async (trx) =>
      (
        await sql<{ tenant_id: string; subject_id: string }>`select distinct v.tenant_id, v.subject_id
          from vault_entries v
          join retention_ledger l on l.tenant_id = v.tenant_id and v.subject_id = 'job-' || l.job_id
          where not exists (select 1 from retention_ledger o where o.tenant_id = l.tenant_id
                            and o.job_id = l.job_id and o.deleted_at is null)`.execute(trx)
      ).rows,
  );
  for (const { tenant_id: tenant, subject_id: subject } of gone) await vault.forgetSubject(tenant, subject);
  return gone.length;
}

/** Due artifacts a legal hold keeps, by envelope class: the sweep's skip counts. */
async function countHeld(store: StoreContext, now: Date): Promise<Record<string, number>> {
  const rows = await withTenantScope(
    store.db,
    SYSTEM_SCOPE,
    async (trx) =>
      (
        await sql<{ class: string; n: string | number }>`select a.class, count(*) as n from artifacts a
          where a.delete_after <= ${now} and ${heldPredicate(sql.ref('a.tenant_id'), sql.ref('a.job_id'))}
          group by a.class order by a.class`.execute(trx)
      ).rows,
  );
  return Object.fromEntries(rows.map((r) => [r.class, Number(r.n)]));
}

/**
 * Records the classes found due but held, one `retention.held` event per tenant with the number of
 * job classes per retention class: a hold's effect is in the log once, not at every sweep.
 *
 * The same claim as deletions: `held_at` claims a class and `held_leaf` records its event. A
 * sweeper that dies between the claim and the event leaves the claim to go stale, and a later
 * sweep records it: the event is written at least once, never lost; concurrent sweepers skip each
 * other's claims.
 */
async function recordNewlyHeld(
  store: StoreContext,
  audit: RetentionAuditPort,
  now: Date,
  claimedAt: Date,
  claimSeconds: number,
  region: string | undefined,
): Promise<number> {
  const stale = new Date(claimedAt.getTime() - claimSeconds * 1000);
  const claimed = await withTenantScope(
    store.db,
    SYSTEM_SCOPE,
    async (trx) =>
      (
        await sql<{
          tenant_id: string;
          job_id: string;
          class: string;
        }>`update retention_ledger l set held_at = ${claimedAt}
          where (l.tenant_id, l.job_id, l.class) in (
            select r.tenant_id, r.job_id, r.class from retention_ledger r
            where r.deleted_at is null and r.held_leaf is null and r.delete_after <= ${now}
              and (r.held_at is null or r.held_at < ${stale})
              and ${heldPredicate(sql.ref('r.tenant_id'), sql.ref('r.job_id'))}
            limit 1000 for update skip locked)
          returning l.tenant_id, l.job_id, l.class`.execute(trx)
      ).rows,
  );
  const byTenant = groupBy(claimed, (r) => r.tenant_id);
  for (const rows of byTenant) {
    const tenant = rows[0]!.tenant_id;
    const jobs = new Set(rows.map((r) => r.job_id));
    const counts: Record<string, number> = {};
    for (const row of rows) counts[row.class] = (counts[row.class] ?? 0) + 1;
    const index = await audit.append(tenant, {
      time: new Date().toISOString(),
      actor: RETENTION_SWEEPER_ACTOR,
      tenant,
      action: 'retention.held',
      objects: [...jobs]
        .sort()
        .slice(0, 32)
        .map((id) => ({ kind: 'job' as const, id })),
      counts: { ...counts, jobs: jobs.size },
      trigger: 'retention',
      ...(region === undefined ? {} : { region }),
    });
    await withTenantScope(store.db, tenant, async (trx) => {
      for (const jobRows of groupBy(rows, (r) => r.job_id))
        await trx
          .updateTable('retention_ledger')
          .set({ held_leaf: index })
          .where('tenant_id', '=', tenant)
          .where('job_id', '=', jobRows[0]!.job_id)
          .where(
            'class',
            'in',
            jobRows.map((r) => r.class),
          )
          .execute();
    });
  }
  return byTenant.length;
}

/** The items in groups of equal key, each group in the items' order. */
function groupBy<T>(items: readonly T[], key: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return [...groups.values()];
}

interface ClaimedRow {
  readonly tenant_id: string;
  readonly job_id: string;
  readonly class: string;
  readonly deleted_count: number;
  readonly policy_hash: string;
}

/** Records the deletions not yet in the audit log, one event per job. */
async function recordDeletions(
  store: StoreContext,
  audit: RetentionAuditPort,
  now: Date,
  claimSeconds: number,
  region: string | undefined,
): Promise<number> {
  const stale = new Date(now.getTime() - claimSeconds * 1000);
  const claimed = await withTenantScope(
    store.db,
    SYSTEM_SCOPE,
    async (trx) =>
      (
        await sql<ClaimedRow>`update retention_ledger l set audit_claimed_at = ${now}
        from jobs j
        where j.tenant_id = l.tenant_id and j.id = l.job_id
          and (l.tenant_id, l.job_id, l.class) in (
            select tenant_id, job_id, class from retention_ledger
            where deleted_at is not null and receipt_leaf is null
              and (audit_claimed_at is null or audit_claimed_at < ${stale})
            order by deleted_at limit 1000 for update skip locked)
        returning l.tenant_id, l.job_id, l.class, l.deleted_count, j.policy_hash`.execute(trx)
      ).rows,
  );
  const byJob = groupBy(claimed, (r) => `${r.tenant_id}\0${r.job_id}`);
  for (const rows of byJob) {
    const { tenant_id: tenant, job_id: job, policy_hash: hash } = rows[0]!;
    const index = await audit.append(tenant, {
      time: now.toISOString(),
      actor: RETENTION_SWEEPER_ACTOR,
      tenant,
      action: 'retention.expired',
      objects: [{ kind: 'job', id: job }],
      ...(/^[0-9a-f]{64}$/.test(hash) ? { policy_hash: hash } : {}),
      deleted: rows
        .map((r) => ({ class: r.class, count: Number(r.deleted_count) }))
        .sort((a, b) => (a.class < b.class ? -1 : a.class > b.class ? 1 : 0)),
      trigger: 'retention',
      ...(region === undefined ? {} : { region }),
    });
    await withTenantScope(store.db, tenant, (trx) =>
      trx
        .updateTable('retention_ledger')
        .set({ receipt_leaf: index })
        .where('tenant_id', '=', tenant)
        .where('job_id', '=', job)
        .where(
          'class',
          'in',
          rows.map((r) => r.class),
        )
        .execute(),
    );
  }
  return byJob.length;
}

/**
 * One retention pass: what `veil retention sweep` runs and what `veil serve` and `veil worker`
 * run every `VEIL_SWEEP_SECONDS`.
 *
 * @example
 * ```ts
 * const report = await sweepRetention({ db, blobs }, { append: async (t, e) => (await logs.forTenant(t).append(e)).index });
 * report.artifacts; // { original: 12, findings: 12 }
 * report.held; // { redacted: 3 }: due, but kept for a legal hold
 * ```
 */
export async function sweepRetention(
  store: StoreContext,
  audit: RetentionAuditPort,
  options: RetentionSweepOptions = {},
): Promise<RetentionSweepReport> {
  const now = options.now ?? new Date();
  const batchSize = options.batchSize ?? 200;
  const artifacts: Record<string, number> = {};
  for (let batch = 0; batch < (options.maxBatches ?? 50); batch += 1) {
    const rows = await deleteBatch(store, now, batchSize);
    for (const row of rows) artifacts[row.class] = (artifacts[row.class] ?? 0) + 1;
    if (rows.length < batchSize) break;
  }
  // The time the deletion finished, not when the sweep began: what the deletion lag measures.
  const classesGone = await markGone(store, options.now ?? new Date());
  await dropIndexOfGoneJobs(store);
  const vaultSubjects = options.vault === undefined ? 0 : await shredVaultOfGoneJobs(store, options.vault);
  const held = await countHeld(store, now);
  // Claims and event times on the real clock, whatever `now` the sweep judges deadlines by: a
  // claim must look fresh to every other sweeper, however each of them was started.
  const claimSeconds = options.auditClaimSeconds ?? 300;
  const heldEvents = await recordNewlyHeld(store, audit, now, new Date(), claimSeconds, options.region);
  const events = await recordDeletions(store, audit, new Date(), claimSeconds, options.region);
  return { artifacts, classesGone, events, held, heldEvents, vaultSubjects };
}
