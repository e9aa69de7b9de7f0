/**
 * The analytics command: `GET /v1/analytics/counts` and any other caller run this. It reads the
 * tenant's succeeded jobs in the range, keeps those whose recorded consent allows analytics (and
 * was not withdrawn since), spends the release's epsilon in the ledger (refusing past the
 * budget), records `analytics.released` in the audit log, and only then computes and returns the
 * noisy counts.
 */
import type { Kysely } from 'kysely';
import type { AuditEventInput } from '../../audit/index.js';
import { supportedEntities } from '../../engine/recognizers/index.js';
import { VeilError } from '../../errors/veil-error.js';
import type { AnalyticsPolicy, Policy } from '../../policy/schema.js';
import { withTenantScope } from '../../store/database.js';
import type { Schema } from '../../store/schema.js';
import { exactCounts, MICRO, noisyRelease } from './counts.js';
import type { AnalyticsJob, GroupBy, Release } from './counts.js';
import { spendBudget } from './ledger.js';
import type { BudgetPeriod } from './ledger.js';
import { cryptoRandomSource } from './random.js';
import type { RandomSource } from './random.js';

/** The settings a policy without `analytics:` gets. */
export const ANALYTICS_DEFAULTS = {
  epsilon_per_release: 0.5,
  budget: { epsilon: 2, period: 'month' as BudgetPeriod },
  max_contribution: 10,
} as const;

/** A job as the consent check sees it: ids, codes and the consent flag the job recorded. */
export interface ConsentCandidate {
  readonly id: string;
  readonly purpose: string;
  /** `consent.allow_analytics` as the job was submitted with it (`jobs.allow_analytics`). */
  readonly allowAnalytics: boolean;
  readonly subjectHmac: string | null;
}

/**
 * Which of a tenant's jobs may be counted. {@link recordedAnalyticsConsent} answers it from the
 * jobs' own consent flags; a deployment may narrow it further, never widen it.
 */
export type AnalyticsConsent = (
  tenant: string,
  jobs: readonly ConsentCandidate[],
) => Promise<ReadonlySet<string>>;

/**
 * The consent each job recorded: a job counts only when it was submitted with
 * `consent.allow_analytics: true` and no withdrawal since covers it (its subject for all purposes
 * or for the job's purpose, or the job itself).
 *
 * @example
 * ```ts
 * const allowed = await recordedAnalyticsConsent(db)('acme', candidates); // Set { 'job-1' }
 * ```
 */
export function recordedAnalyticsConsent(db: Kysely<Schema>): AnalyticsConsent {
  return async (tenant, jobs) => {
    const opted = jobs.filter((job) => job.allowAnalytics);
    const subjects = [
      ...new Set(opted.flatMap((job) => (job.subjectHmac === null ? [] : [job.subjectHmac]))),
    ];
    const ids = opted.map((job) => job.id);
    const withdrawals =
      opted.length === 0
        ? []
        : await withTenantScope(db, tenant, (trx) =>
            trx
              .selectFrom('consent_withdrawals')
              .select(['subject_hmac', 'job_id', 'purposes'])
              .where('tenant_id', '=', tenant)
              .where((eb) =>
                eb.or([
                  eb('subject_hmac', 'in', subjects.length > 0 ? subjects : ['']),
                  eb('job_id', 'in', ids),
                ]),
              )
              .execute(),
          );
    const withdrawn = (job: ConsentCandidate): boolean =>
      withdrawals.some(
        (w) =>
          (w.job_id === job.id || (w.subject_hmac !== null && w.subject_hmac === job.subjectHmac)) &&
          (w.purposes === null || w.purposes.includes(job.purpose)),
      );
    return new Set(opted.filter((job) => !withdrawn(job)).map((job) => job.id));
  };
}

/** What the command needs. */
export interface AnalyticsContext {
  readonly db: Kysely<Schema>;
  /** Default {@link recordedAnalyticsConsent}. */
  readonly consent?: AnalyticsConsent;
  readonly record: (event: AuditEventInput) => Promise<unknown>;
  readonly rng?: RandomSource;
  readonly now?: () => Date;
}

/** One query. */
export interface CountsQuery {
  readonly tenant: string;
  readonly actor: AuditEventInput['actor'];
  readonly groupBy: GroupBy;
  readonly from: Date;
  readonly to: Date;
  readonly policy: Policy;
}

/** The answer: the counts and everything needed to read them. */
export interface CountsAnswer {
  readonly release_id: string;
  readonly group_by: GroupBy;
  readonly from: string;
  readonly to: string;
  readonly counts: Release['counts'];
  readonly privacy: Omit<Release, 'counts'> & {
    readonly max_contribution: number;
    readonly budget: {
      readonly epsilon: number;
      readonly period: BudgetPeriod;
      readonly period_start: string;
      readonly spent: number;
      readonly remaining: number;
    };
  };
}

function settings(
  policy: Policy,
): Required<Pick<AnalyticsPolicy, 'epsilon_per_release' | 'budget' | 'max_contribution'>> & AnalyticsPolicy {
  const analytics = policy.analytics ?? {};
  return {
    ...analytics,
    epsilon_per_release: analytics.epsilon_per_release ?? ANALYTICS_DEFAULTS.epsilon_per_release,
    budget: analytics.budget ?? ANALYTICS_DEFAULTS.budget,
    max_contribution: analytics.max_contribution ?? ANALYTICS_DEFAULTS.max_contribution,
  };
}

function domainOf(groupBy: GroupBy, policy: Policy): string[] {
  if (groupBy === 'purpose') return [...(policy.analytics?.purposes ?? [])];
  if (groupBy === 'template') return [...(policy.analytics?.templates ?? [])];
  return [
    ...new Set([
      ...supportedEntities(),
      ...(policy.entities ?? []),
      ...(policy.recognizers ?? []).map((r) => r.entity),
    ]),
  ];
}

/**
 * A tenant's succeeded jobs created in [from, to), as analytics sees them: `template` is the name
 * of the field template the job extracted under, null (the `(none)` key) for a job without one.
 */
async function jobsInRange(
  db: Kysely<Schema>,
  tenant: string,
  from: Date,
  to: Date,
): Promise<Array<AnalyticsJob & ConsentCandidate>> {
  const rows = await withTenantScope(db, tenant, (trx) =>
    trx
      .selectFrom('jobs')
      .select(['id', 'purpose', 'allow_analytics', 'subject_hmac', 'counts_by_type', 'template_name'])
      .where('tenant_id', '=', tenant)
      .where('status', '=', 'succeeded')
      .where('created_at', '>=', from)
      .where('created_at', '<', to)
      .execute(),
  );
  return rows.map((row) => ({
    id: row.id,
    purpose: row.purpose,
    allowAnalytics: row.allow_analytics,
    subjectHmac: row.subject_hmac,
    template: row.template_name,
    countsByType:
      typeof row.counts_by_type === 'string'
        ? (JSON.parse(row.counts_by_type) as Record<string, number>)
        : row.counts_by_type,
  }));
}

/**
 * Releases one set of counts with differential privacy, or throws `VEIL_PRIVACY_BUDGET_EXHAUSTED`
 * (nothing spent) when the budget of the period is used up.
 *
 * @example
 * ```ts
 * const answer = await releaseCounts(
 *   { db, record: (e) => logs.forTenant(e.tenant).append(e) },
 *   { tenant: 'acme', actor: { id: 'user-1', role: 'auditor' }, groupBy: 'entity_type', from, to, policy },
 * );
 * answer.privacy.epsilon; // 0.5
 * ```
 */
export async function releaseCounts(context: AnalyticsContext, query: CountsQuery): Promise<CountsAnswer> {
  if (!(query.from.getTime() < query.to.getTime()))
    throw new VeilError('VEIL_INVALID_OPTION', 'analytics: `from` must be before `to`');
  const config = settings(query.policy);
  const epsilonMicro = Math.round(config.epsilon_per_release * MICRO);
  const budgetMicro = Math.round(config.budget.epsilon * MICRO);
  const now = context.now?.() ?? new Date();
  const entry = await spendBudget(context.db, {
    tenant: query.tenant,
    epsilonMicro,
    budgetMicro,
    period: config.budget.period,
    groupBy: query.groupBy,
    from: query.from,
    to: query.to,
    actorId: query.actor.id,
    now,
  });
  const domain = domainOf(query.groupBy, query.policy);
  await context.record({
    time: now.toISOString(),
    actor: query.actor,
    tenant: query.tenant,
    action: 'analytics.released',
    objects: [{ kind: 'export', id: entry.id }],
    code: query.groupBy,
    counts: {
      epsilon_micro: epsilonMicro,
      spent_micro: entry.spentMicro,
      budget_micro: budgetMicro,
      max_contribution: config.max_contribution,
      keys: domain.length,
    },
  });
  const candidates = await jobsInRange(context.db, query.tenant, query.from, query.to);
  const allowed = await (context.consent ?? recordedAnalyticsConsent(context.db))(
    query.tenant,
    candidates.map(({ id, purpose, allowAnalytics, subjectHmac }) => ({
      id,
      purpose,
      allowAnalytics,
      subjectHmac,
    })),
  );
  const counted = candidates.filter((job) => allowed.has(job.id));
  const { counts, ...mechanism } = noisyRelease(
    exactCounts(counted, query.groupBy, domain, config.max_contribution),
    epsilonMicro,
    context.rng ?? cryptoRandomSource(),
  );
  return {
    release_id: entry.id,
    group_by: query.groupBy,
    from: query.from.toISOString(),
    to: query.to.toISOString(),
    counts,
    privacy: {
      ...mechanism,
      max_contribution: query.groupBy === 'entity_type' ? config.max_contribution : 1,
      budget: {
        epsilon: budgetMicro / MICRO,
        period: config.budget.period,
        period_start: entry.periodStart.toISOString(),
        spent: entry.spentMicro / MICRO,
        remaining: Math.max(0, budgetMicro - entry.spentMicro) / MICRO,
      },
    },
  };
}
