/**
 * Legal holds: a data-protection officer or an admin keeps a job, a data subject's jobs or a
 * whole tenant (a matter) from deletion, for the establishment, exercise or defence of legal
 * claims (GDPR Art. 17(3)(e)). While a hold stands, the retention sweeper skips what it covers and
 * a data-subject erasure withholds it; once lifted, what is past its deadline goes at the next
 * sweep. A hold names a reason code and a reference (a matter or ticket id), never content, and a
 * subject only by the HMACs of its reference.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Kysely, RawBuilder, Selectable } from 'kysely';
import { VeilError } from '../../errors/veil-error.js';
import { withTenantScope } from '../../store/index.js';
import type { Schema } from '../../store/index.js';
import { HOLD_REASONS, HOLD_REFERENCE } from './codes.js';
import type { HoldReason, HoldScope } from './codes.js';

/** What a hold is placed on: a job, a subject (every HMAC its reference may have), or the tenant. */
export type HoldTarget =
  | { readonly scope: 'job'; readonly jobId: string }
  | { readonly scope: 'subject'; readonly subjectHmacs: readonly string[] }
  | { readonly scope: 'tenant' };

/** A hold as the commands return it: no subject HMACs, which stay in the database. */
export interface LegalHold {
  readonly id: string;
  readonly scope: HoldScope;
  readonly jobId: string | null;
  readonly reason: HoldReason;
  readonly reference: string;
  readonly placedBy: string;
  readonly placedAt: Date;
  readonly liftedBy: string | null;
  readonly liftedAt: Date | null;
}

type HoldRow = Selectable<Schema['legal_holds']>;

const COLUMNS = [
  'id',
  'scope',
  'job_id',
  'reason',
  'reference',
  'placed_by',
  'placed_at',
  'lifted_by',
  'lifted_at',
] as const;

function present(row: Pick<HoldRow, (typeof COLUMNS)[number]>): LegalHold {
  return {
    id: row.id,
    scope: row.scope,
    jobId: row.job_id,
    reason: row.reason as HoldReason,
    reference: row.reference,
    placedBy: row.placed_by,
    placedAt: new Date(row.placed_at),
    liftedBy: row.lifted_by,
    liftedAt: row.lifted_at === null ? null : new Date(row.lifted_at),
  };
}

/** True when hold `h` covers the job: tenant-wide, on the job, or on the subject the job names. */
function holdCovers(tenantId: RawBuilder<unknown>, jobId: RawBuilder<unknown>): RawBuilder<boolean> {
  return sql<boolean>`(h.scope = 'tenant'
    or (h.scope = 'job' and h.job_id = ${jobId})
    or (h.scope = 'subject' and exists (
      select 1 from jobs hj where hj.tenant_id = ${tenantId} and hj.id = ${jobId}
        and hj.subject_hmac = any(h.subject_hmacs))))`;
}

/**
 * SQL that is true when a standing hold of the row's tenant covers the row's job: a tenant-wide
 * hold, a hold on the job, or a hold on the subject the job names. The sweeper and erasure use
 * this one predicate, so they never disagree on what is held.
 *
 * @example
 * ```ts
 * sql`select id from artifacts a where not ${heldPredicate(sql.ref('a.tenant_id'), sql.ref('a.job_id'))}`;
 * ```
 */
export function heldPredicate(
  tenantId: RawBuilder<unknown>,
  jobId: RawBuilder<unknown>,
): RawBuilder<boolean> {
  return sql<boolean>`exists (select 1 from legal_holds h
    where h.tenant_id = ${tenantId} and h.lifted_at is null and ${holdCovers(tenantId, jobId)})`;
}

/** Who places or lifts a hold, and why. */
export interface HoldInput {
  readonly reason: HoldReason;
  readonly reference: string;
  /** The principal's id, as the audit log names it. */
  readonly actorId: string;
}

function checkInput(input: HoldInput): void {
  if (!(HOLD_REASONS as readonly string[]).includes(input.reason))
    throw new VeilError('VEIL_INVALID_INPUT', `legal hold: reason must be one of ${HOLD_REASONS.join(', ')}`);
  if (!HOLD_REFERENCE.test(input.reference))
    throw new VeilError(
      'VEIL_INVALID_INPUT',
      'legal hold: reference must be a matter or ticket id (letters, digits, . _ : / -; at most 128)',
    );
}

/**
 * Places a hold. A job hold needs the job to exist in the tenant (`VEIL_NOT_FOUND` otherwise).
 *
 * @example
 * ```ts
 * const hold = await placeHold(db, 'acme', { scope: 'tenant' }, { reason: 'litigation', reference: 'MATTER-17', actorId: 'dpo-1' });
 * ```
 */
export async function placeHold(
  db: Kysely<Schema>,
  tenantId: string,
  target: HoldTarget,
  input: HoldInput,
  now: Date = new Date(),
): Promise<LegalHold> {
  checkInput(input);
  return withTenantScope(db, tenantId, async (trx) => {
    if (target.scope === 'job') {
      const job = await trx
        .selectFrom('jobs')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where('id', '=', target.jobId)
        .executeTakeFirst();
      if (job === undefined) throw new VeilError('VEIL_NOT_FOUND', 'legal hold: no such job in this tenant');
    }
    const row = await trx
      .insertInto('legal_holds')
      .values({
        tenant_id: tenantId,
        id: randomUUID(),
        scope: target.scope,
        job_id: target.scope === 'job' ? target.jobId : null,
        subject_hmacs: target.scope === 'subject' ? [...target.subjectHmacs] : null,
        reason: input.reason,
        reference: input.reference,
        placed_by: input.actorId,
        placed_at: now,
      })
      .returning(COLUMNS)
      .executeTakeFirstOrThrow();
    return present(row);
  });
}

/**
 * Lifts a standing hold. `VEIL_NOT_FOUND` when the tenant has no such hold, `VEIL_CONFLICT` when
 * it was lifted already. What it kept past its deadline goes at the next retention sweep.
 *
 * @example
 * ```ts
 * await liftHold(db, 'acme', hold.id, 'dpo-1');
 * ```
 */
export async function liftHold(
  db: Kysely<Schema>,
  tenantId: string,
  holdId: string,
  actorId: string,
  now: Date = new Date(),
): Promise<LegalHold> {
  return withTenantScope(db, tenantId, async (trx) => {
    const lifted = await trx
      .updateTable('legal_holds')
      .set({ lifted_at: now, lifted_by: actorId })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', holdId)
      .where('lifted_at', 'is', null)
      .returning(COLUMNS)
      .executeTakeFirst();
    if (lifted !== undefined) return present(lifted);
    const exists = await trx
      .selectFrom('legal_holds')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('id', '=', holdId)
      .executeTakeFirst();
    if (exists === undefined)
      throw new VeilError('VEIL_NOT_FOUND', 'legal hold: no such hold in this tenant');
    throw new VeilError('VEIL_CONFLICT', 'legal hold: the hold was lifted already');
  });
}

/**
 * The tenant's holds, newest first; standing ones only unless `includeLifted`.
 *
 * @example
 * ```ts
 * const standing = await listHolds(db, 'acme');
 * ```
 */
export async function listHolds(
  db: Kysely<Schema>,
  tenantId: string,
  options: { readonly includeLifted?: boolean } = {},
): Promise<LegalHold[]> {
  const rows = await withTenantScope(db, tenantId, (trx) => {
    let query = trx.selectFrom('legal_holds').select(COLUMNS).where('tenant_id', '=', tenantId);
    if (options.includeLifted !== true) query = query.where('lifted_at', 'is', null);
    return query.orderBy('placed_at', 'desc').orderBy('id').execute();
  });
  return rows.map(present);
}

/**
 * The standing holds that cover each of the given jobs (jobs no hold covers are absent).
 *
 * @example
 * ```ts
 * const held = await holdsOnJobs(db, 'acme', jobIds); // Map { 'job-1' => [hold] }
 * ```
 */
export async function holdsOnJobs(
  db: Kysely<Schema>,
  tenantId: string,
  jobIds: readonly string[],
): Promise<Map<string, LegalHold[]>> {
  const out = new Map<string, LegalHold[]>();
  if (jobIds.length === 0) return out;
  const rows = await withTenantScope(
    db,
    tenantId,
    async (trx) =>
      (
        await sql<HoldRow & { held_job: string }>`
        select j.id as held_job, h.id, h.scope, h.job_id, h.reason, h.reference, h.placed_by,
               h.placed_at, h.lifted_by, h.lifted_at
        from unnest(${[...jobIds]}::text[]) as j(id) join legal_holds h on h.tenant_id = ${tenantId}
        where h.lifted_at is null and ${holdCovers(sql`${tenantId}`, sql.ref('j.id'))}
        order by j.id, h.placed_at, h.id`.execute(trx)
      ).rows,
  );
  for (const row of rows) out.set(row.held_job, [...(out.get(row.held_job) ?? []), present(row)]);
  return out;
}
