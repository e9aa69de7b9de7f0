/**
 * The privacy budget ledger: every release writes what it spent, and a release that would take a
 * tenant past its budget for the period is refused before anything is computed. The check and
 * the insert run in one transaction under a per-tenant advisory lock, so two concurrent releases
 * cannot both fit in the last of the budget.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { VeilError } from '../../errors/veil-error.js';
import { ensureTenant } from '../../store/repositories.js';
import { withTenantScope } from '../../store/database.js';
import type { Schema } from '../../store/schema.js';
import { privacyDb } from '../tables.js';
import { MICRO } from './counts.js';

/** A budget period. */
export type BudgetPeriod = 'day' | 'week' | 'month';

/**
 * The start (UTC) of the budget period that holds `at`: midnight, Monday midnight, or the first
 * of the month.
 *
 * @example
 * ```ts
 * periodStart(new Date('2026-03-18T10:00:00Z'), 'month'); // 2026-03-01T00:00:00.000Z
 * ```
 */
export function periodStart(at: Date, period: BudgetPeriod): Date {
  const day = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate());
  if (period === 'day') return new Date(day);
  if (period === 'month') return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
  const sinceMonday = (at.getUTCDay() + 6) % 7;
  return new Date(day - sinceMonday * 86_400_000);
}

/** What one release spends. */
export interface Spend {
  readonly tenant: string;
  readonly epsilonMicro: number;
  readonly budgetMicro: number;
  readonly period: BudgetPeriod;
  readonly groupBy: string;
  readonly from: Date;
  readonly to: Date;
  readonly actorId: string;
  readonly now?: Date;
}

/** What the ledger recorded. */
export interface LedgerEntry {
  readonly id: string;
  readonly periodStart: Date;
  /** Spent in the period, this release included. */
  readonly spentMicro: number;
  readonly budgetMicro: number;
}

/**
 * Records a release's spend, or throws `VEIL_PRIVACY_BUDGET_EXHAUSTED` (and records nothing) when
 * it would take the tenant past `budgetMicro` in the current period.
 *
 * @example
 * ```ts
 * const entry = await spendBudget(db, { tenant: 'acme', epsilonMicro: 500_000, budgetMicro: 2_000_000, period: 'month', groupBy: 'purpose', from, to, actorId: 'user-1' });
 * ```
 */
export async function spendBudget(db: Kysely<Schema>, spend: Spend): Promise<LedgerEntry> {
  const now = spend.now ?? new Date();
  const start = periodStart(now, spend.period);
  await ensureTenant(db, spend.tenant);
  return withTenantScope(db, spend.tenant, async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext(${`veil/privacy-ledger/${spend.tenant}`}))`.execute(trx);
    const pdb = privacyDb(trx);
    const row = await pdb
      .selectFrom('privacy_ledger')
      .select((eb) => eb.fn.coalesce(eb.fn.sum<string | number>('epsilon_micro'), sql<number>`0`).as('spent'))
      .where('tenant_id', '=', spend.tenant)
      .where('period_start', '=', start)
      .executeTakeFirstOrThrow();
    const spent = Number(row.spent);
    if (spent + spend.epsilonMicro > spend.budgetMicro) {
      throw new VeilError(
        'VEIL_PRIVACY_BUDGET_EXHAUSTED',
        `analytics: this release needs epsilon ${spend.epsilonMicro / MICRO}, and ${Math.max(0, spend.budgetMicro - spent) / MICRO} of the ${spend.budgetMicro / MICRO} budget of this ${spend.period} is left`,
      );
    }
    const id = randomUUID();
    await pdb
      .insertInto('privacy_ledger')
      .values({
        tenant_id: spend.tenant,
        id,
        period_start: start,
        epsilon_micro: spend.epsilonMicro,
        mechanism: 'discrete_laplace',
        group_by: spend.groupBy,
        range_from: spend.from,
        range_to: spend.to,
        actor_id: spend.actorId,
        created_at: now,
      })
      .execute();
    return { id, periodStart: start, spentMicro: spent + spend.epsilonMicro, budgetMicro: spend.budgetMicro };
  });
}
