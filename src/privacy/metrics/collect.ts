/**
 * Privacy as a measured quantity: one tenant's privacy metrics over a period, read from the
 * database every Veil process writes to (jobs, the retention ledger, artifacts, the privacy
 * ledger, alerts and the tenant's audit log), so a worker's steps and model calls count as much
 * as the API's reads. Ids, codes, counts and durations only: no metric carries content, a
 * detected value or a principal's id.
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { GovernedPolicy } from '../../policy/governance.js';
import type { Policy } from '../../policy/schema.js';
import { retentionWindows } from '../../policy/governance.js';
import { withTenantScope } from '../../store/database.js';
import type { Schema } from '../../store/schema.js';
import { retentionClassOf } from '../retention/classes.js';
import { MICRO } from '../analytics/counts.js';
import { privacyDb } from '../tables.js';
import { DURATION_BUCKETS, SHARE_BUCKETS, summarise } from './distribution.js';
import type { Distribution } from './distribution.js';
import { NO_REVIEW_QUEUE } from './review-source.js';
import {
  DEFAULT_OUTPUT_K_TARGET,
  outputRiskFigures,
  releasedOutputKs,
  RISK_OUTPUT_KINDS,
} from '../risk/outputs.js';
import type { OutputRiskFigures, RiskOutputKind } from '../risk/outputs.js';
import type { ReviewMetricsSource } from './review-source.js';

/**
 * The job steps that read a job's raw content (the original or the text parsed from it): intake
 * seals the upload, parse (with OCR) reads the original, detect and anonymise the parsed text,
 * extract the parsed text (an AI provider gets only pseudonymised text behind the egress guard).
 * `finalise` reads none. Kept in step with src/pipeline/jobs/steps.ts by a test.
 */
export const RAW_CONTENT_STEPS = ['intake', 'parse', 'detect', 'anonymise', 'extract'] as const;

/** The outputs a caller reads, by kind, and whether each hands out values from the document. */
export const OUTPUT_KINDS = {
  redacted: { action: 'job.download', raw: false },
  fields: { action: 'job.fields', raw: true },
  full_text: { action: 'job.full_text', raw: true },
  reveal: { action: 'job.reveal', raw: true },
} as const;
export type OutputKind = keyof typeof OUTPUT_KINDS;

/** One artifact class alive now. */
export interface ArtifactClassMetrics {
  /** The envelope class (`original`, `findings`, `redacted`, …). */
  readonly class: string;
  /** The retention class it is kept under, or null for the manifest (kept to the job's last class). */
  readonly retention_class: string | null;
  readonly count: number;
  readonly oldest_age_seconds: number;
  /** The tenant policy's window for that retention class; null when it has none. */
  readonly window_seconds: number | null;
  /** Artifacts past their own `delete_after`, waiting for the sweeper. */
  readonly overdue: number;
}

/** One tenant's privacy metrics in [since, until); states (`artifacts_alive`, `review.open_tasks`) are as of `until`. */
export interface PrivacyMetrics {
  readonly tenant: string;
  readonly since: string;
  readonly until: string;
  readonly jobs: {
    readonly created: number;
    /** Jobs that allowed a full transcript (`consent.allow_full_text`): full-text grants. */
    readonly full_text_grants: number;
    readonly analytics_opt_ins: number;
    /** Findings detected, summed over the jobs' counts by type. */
    readonly findings: number;
  };
  /** Intake (job created) to the deletion of its original, for originals deleted in the period. */
  readonly raw_document_lifetime_seconds: Distribution;
  /** `delete_after` to `deleted_at`, for every retention class deleted in the period. */
  readonly deletion_lag_seconds: Distribution;
  readonly artifacts_alive: readonly ArtifactClassMetrics[];
  readonly outputs: {
    readonly by_kind: Readonly<Record<OutputKind, number>>;
    /** The share of outputs read that handed out no value from a document (redacted output); null without reads. */
    readonly without_raw_value_share: number | null;
  };
  readonly reveals_by_reason: Readonly<Record<string, number>>;
  /** How many of the period's jobs each raw-reading step handled, and the mean per job. */
  readonly raw_content_components: {
    readonly by_component: Readonly<Record<string, number>>;
    readonly per_job: number | null;
  };
  readonly model: {
    readonly requests: number;
    readonly failed: number;
    /** Requests the egress guard stopped because they carried a value that is not a placeholder. */
    readonly egress_blocked: number;
  };
  readonly review: {
    readonly source: ReviewMetricsSource['name'];
    readonly open_tasks: number;
    readonly reviewed_fields: number;
    readonly crop_area_share: Distribution;
  };
  readonly dsr: {
    readonly access: number;
    readonly erasure: number;
    /** Request to answer (the audit event's `duration_ms`), for requests recorded with it. */
    readonly completion_seconds: Distribution;
  };
  readonly consent_withdrawals: number;
  readonly analytics: { readonly releases: number; readonly epsilon_spent: number };
  readonly alerts_by_rule: Readonly<Record<string, number>>;
  /**
   * Re-identification risk of the outputs first released in the period, by kind: each one's k is
   * the number of the tenant's released outputs of that kind handing out the same identifying
   * values (src/privacy/risk/outputs.ts). `k_target` is the policy's `k_anonymity`, else 5.
   */
  readonly reidentification: {
    readonly k_target: number;
    readonly by_kind: Readonly<Record<RiskOutputKind, OutputRiskFigures>>;
  };
}

/** The raw samples behind the distributions, for an exporter that observes them one by one. */
export interface PrivacyMetricSamples {
  readonly rawDocumentLifetime: readonly number[];
  readonly deletionLag: readonly number[];
  readonly cropAreaShown: readonly number[];
  readonly dsrCompletion: readonly number[];
  /** The k of each output released in the period, by kind. */
  readonly outputK: Readonly<Record<RiskOutputKind, readonly number[]>>;
}

/** What {@link collectPrivacyMetrics} reads. */
export interface PrivacyMetricsSources {
  readonly db: Kysely<Schema>;
  readonly review?: ReviewMetricsSource;
}

/** Whose metrics, over which period, under which policy (its retention windows and `k_anonymity`). */
export interface PrivacyMetricsQuery {
  readonly tenant: string;
  readonly since: Date;
  readonly until: Date;
  readonly policy: GovernedPolicy & { readonly k_anonymity?: Policy['k_anonymity'] };
}

const AUDITED = [
  ...Object.values(OUTPUT_KINDS).map((k) => k.action),
  'job.step',
  'ai.request',
  'ai.egress_blocked',
  'dsr.access',
  'dsr.erasure',
  'consent.withdrawn',
] as const;

interface AuditTally {
  action: string;
  detail: string;
  events: string | number;
  jobs: string | number;
}

// Counts of the tenant's audit events in the period by action and one detail (the reveal reason,
// the step, the model call's outcome), aggregated by the database: nothing but counts leaves it.
async function auditTallies(db: Kysely<Schema>, q: PrivacyMetricsQuery): Promise<AuditTally[]> {
  const rows = await sql<AuditTally>`
    select e->>'action' as action,
      coalesce(e->'reason'->>'code', e->>'step', e->>'outcome', '') as detail,
      count(*) as events,
      count(distinct e->'objects'->0->>'id') as jobs
    from (select convert_from(event, 'UTF8')::jsonb as e from audit_entries
          where log_id = ${q.tenant} and created_at >= ${q.since} and created_at < ${q.until}) entries
    where e->>'action' in (${sql.join([...AUDITED])})
      and (e->>'action' <> 'job.step' or e->>'outcome' = 'succeeded')
    group by 1, 2`.execute(db);
  return rows.rows;
}

async function dsrDurations(db: Kysely<Schema>, q: PrivacyMetricsQuery): Promise<number[]> {
  const rows = await sql<{ ms: string | number }>`
    select (e->'counts'->>'duration_ms')::bigint as ms
    from (select convert_from(event, 'UTF8')::jsonb as e from audit_entries
          where log_id = ${q.tenant} and created_at >= ${q.since} and created_at < ${q.until}) entries
    where e->>'action' in ('dsr.access', 'dsr.erasure') and e->'counts' ? 'duration_ms'`.execute(db);
  return rows.rows.map((r) => Number(r.ms) / 1000);
}

const seconds = (later: Date, earlier: Date): number => (later.getTime() - earlier.getTime()) / 1000;

/**
 * The privacy metrics of one tenant, and the samples behind their distributions.
 *
 * @example
 * ```ts
 * const { metrics } = await collectPrivacyMetrics({ db }, { tenant: 'acme', since, until: new Date(), policy });
 * metrics.raw_document_lifetime_seconds.p99; // 612
 * ```
 */
export async function collectPrivacyMetrics(
  sources: PrivacyMetricsSources,
  q: PrivacyMetricsQuery,
): Promise<{ metrics: PrivacyMetrics; samples: PrivacyMetricSamples }> {
  const { tenant, since, until } = q;
  const tables = await withTenantScope(sources.db, tenant, async (trx) => {
    const pdb = privacyDb(trx);
    const jobs = await trx
      .selectFrom('jobs')
      .select((eb) => [
        eb.fn.countAll<string | number>().as('created'),
        eb.fn.sum<string | number | null>(sql`case when allow_full_text then 1 else 0 end`).as('full_text'),
        eb.fn.sum<string | number | null>(sql`case when allow_analytics then 1 else 0 end`).as('analytics'),
      ])
      .where('tenant_id', '=', tenant)
      .where('created_at', '>=', since)
      .where('created_at', '<', until)
      .executeTakeFirstOrThrow();
    const findings = await sql<{ n: string | number | null }>`
      select sum(value::bigint) as n from jobs, jsonb_each_text(counts_by_type::jsonb)
      where tenant_id = ${tenant} and created_at >= ${since} and created_at < ${until}`.execute(trx);
    const deleted = await trx
      .selectFrom('retention_ledger as l')
      .leftJoin('jobs as j', (join) =>
        join.onRef('j.tenant_id', '=', 'l.tenant_id').onRef('j.id', '=', 'l.job_id'),
      )
      .select(['l.class', 'l.delete_after', 'l.deleted_at', 'j.created_at'])
      .where('l.tenant_id', '=', tenant)
      .where('l.deleted_at', '>=', since)
      .where('l.deleted_at', '<', until)
      .execute();
    const alive = await trx
      .selectFrom('artifacts')
      .select((eb) => [
        'class',
        eb.fn.countAll<string | number>().as('count'),
        eb.fn.min('created_at').as('oldest'),
        eb.fn
          .sum<string | number | null>(sql`case when delete_after <= ${until} then 1 else 0 end`)
          .as('overdue'),
      ])
      .where('tenant_id', '=', tenant)
      .groupBy('class')
      .orderBy('class')
      .execute();
    const ledger = await pdb
      .selectFrom('privacy_ledger')
      .select((eb) => [
        eb.fn.countAll<string | number>().as('releases'),
        eb.fn.sum<string | number | null>('epsilon_micro').as('micro'),
      ])
      .where('tenant_id', '=', tenant)
      .where('created_at', '>=', since)
      .where('created_at', '<', until)
      .executeTakeFirstOrThrow();
    const alerts = await pdb
      .selectFrom('alerts')
      .select((eb) => ['rule', eb.fn.countAll<string | number>().as('n')])
      .where('tenant_id', '=', tenant)
      .where('raised_at', '>=', since)
      .where('raised_at', '<', until)
      .groupBy('rule')
      .orderBy('rule')
      .execute();
    const outputK = await releasedOutputKs(trx, tenant, since, until);
    return { jobs, findings: findings.rows[0]?.n ?? 0, deleted, alive, ledger, alerts, outputK };
  });
  const tallies = await auditTallies(sources.db, q);
  const dsrCompletion = await dsrDurations(sources.db, q);
  const review = sources.review ?? NO_REVIEW_QUEUE;
  const reviewed = await review.reviewMetrics(tenant, since, until);

  const tally = (action: string, detail?: string): number =>
    tallies
      .filter((t) => t.action === action && (detail === undefined || t.detail === detail))
      .reduce((sum, t) => sum + Number(t.events), 0);
  const byKind = Object.fromEntries(
    Object.entries(OUTPUT_KINDS).map(([kind, { action }]) => [kind, tally(action)]),
  ) as Record<OutputKind, number>;
  const reads = Object.values(byKind).reduce((a, b) => a + b, 0);
  const byComponent = Object.fromEntries(
    RAW_CONTENT_STEPS.map((step) => [
      step,
      Number(tallies.find((t) => t.action === 'job.step' && t.detail === step)?.jobs ?? 0),
    ]),
  );
  const stepJobs = Math.max(0, ...Object.values(byComponent));
  const windows = retentionWindows(q.policy);
  const kSetting = q.policy.k_anonymity;
  const kTarget =
    kSetting === undefined ? DEFAULT_OUTPUT_K_TARGET : typeof kSetting === 'number' ? kSetting : kSetting.k;

  const rawDocumentLifetime = tables.deleted
    .filter((r) => r.class === 'original' && r.created_at !== null && r.deleted_at !== null)
    .map((r) => seconds(r.deleted_at!, r.created_at!));
  const deletionLag = tables.deleted
    .filter((r) => r.deleted_at !== null)
    .map((r) => Math.max(0, seconds(r.deleted_at!, r.delete_after)));
  const metrics: PrivacyMetrics = {
    tenant,
    since: since.toISOString(),
    until: until.toISOString(),
    jobs: {
      created: Number(tables.jobs.created),
      full_text_grants: Number(tables.jobs.full_text ?? 0),
      analytics_opt_ins: Number(tables.jobs.analytics ?? 0),
      findings: Number(tables.findings ?? 0),
    },
    raw_document_lifetime_seconds: summarise(rawDocumentLifetime, DURATION_BUCKETS),
    deletion_lag_seconds: summarise(deletionLag, DURATION_BUCKETS),
    artifacts_alive: tables.alive.map((row) => {
      const retention = retentionClassOf(row.class) ?? null;
      return {
        class: row.class,
        retention_class: retention,
        count: Number(row.count),
        oldest_age_seconds: Math.max(0, Math.round(seconds(until, new Date(row.oldest)))),
        window_seconds: retention === null ? null : windows[retention] / 1000,
        overdue: Number(row.overdue ?? 0),
      };
    }),
    outputs: {
      by_kind: byKind,
      without_raw_value_share: reads === 0 ? null : byKind.redacted / reads,
    },
    reveals_by_reason: Object.fromEntries(
      tallies.filter((t) => t.action === 'job.reveal').map((t) => [t.detail, Number(t.events)]),
    ),
    raw_content_components: {
      by_component: byComponent,
      per_job: stepJobs === 0 ? null : Object.values(byComponent).reduce((a, b) => a + b, 0) / stepJobs,
    },
    model: {
      requests: tally('ai.request'),
      failed: tally('ai.request', 'failed'),
      egress_blocked: tally('ai.egress_blocked'),
    },
    review: {
      source: review.name,
      open_tasks: reviewed.openTasks,
      reviewed_fields: reviewed.reviewedFields,
      crop_area_share: summarise(reviewed.cropAreaShown, SHARE_BUCKETS),
    },
    dsr: {
      access: tally('dsr.access'),
      erasure: tally('dsr.erasure'),
      completion_seconds: summarise(dsrCompletion, DURATION_BUCKETS),
    },
    consent_withdrawals: tally('consent.withdrawn'),
    analytics: {
      releases: Number(tables.ledger.releases),
      epsilon_spent: Number(tables.ledger.micro ?? 0) / MICRO,
    },
    alerts_by_rule: Object.fromEntries(tables.alerts.map((a) => [a.rule, Number(a.n)])),
    reidentification: {
      k_target: kTarget,
      by_kind: Object.fromEntries(
        RISK_OUTPUT_KINDS.map((kind) => [kind, outputRiskFigures(tables.outputK[kind], kTarget)]),
      ) as Record<RiskOutputKind, OutputRiskFigures>,
    },
  };
  return {
    metrics,
    samples: {
      rawDocumentLifetime,
      deletionLag,
      cropAreaShown: reviewed.cropAreaShown,
      dsrCompletion,
      outputK: tables.outputK,
    },
  };
}
