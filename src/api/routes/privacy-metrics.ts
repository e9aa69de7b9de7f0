/**
 * `GET /v1/privacy/metrics` (permission `privacy-metrics:read`: admin, auditor, dpo): the
 * caller's tenant's privacy metrics over a period, as JSON. The figures are the
 * {@link PrivacyMetricsPort}'s (src/privacy/metrics); the route validates and presents.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Distribution, PrivacyMetrics } from '../../privacy/metrics/index.js';
import { principalOf } from '../guard.js';
import type { ApiRoutePlugin, Principal } from '../ports.js';
import { protectedErrorResponses } from '../schemas.js';
import { periodOf, periodQuery } from './period.js';

/** What the route needs. */
export interface PrivacyMetricsPort {
  metrics(principal: Principal, period: { since: Date; until: Date }): Promise<PrivacyMetrics>;
}

const distribution = z
  .object({
    count: z.number().int(),
    sum: z.number(),
    p50: z.number().nullable(),
    p90: z.number().nullable(),
    p99: z.number().nullable(),
    max: z.number().nullable(),
    buckets: z
      .array(z.object({ le: z.number(), count: z.number().int() }))
      .describe('Cumulative: samples at most `le`'),
  })
  .describe('Count, sum, nearest-rank quantiles and cumulative buckets');
const counts = z.record(z.string(), z.number().int());
const outputRisk = z.object({
  released: z.number().int().describe('Outputs of the kind first released in the period'),
  min_k: z.number().int().nullable().describe('The smallest k among them'),
  unique_share: z.number().nullable().describe('Share of them alone in their class (k = 1)'),
  below_target: z.number().int().describe('How many have k below `k_target`'),
});

const metricsResponse = z.object({
  tenant: z.string(),
  since: z.string(),
  until: z.string(),
  jobs: z.object({
    created: z.number().int(),
    full_text_grants: z.number().int().describe('Jobs submitted with `consent.allow_full_text`'),
    analytics_opt_ins: z.number().int().describe('Jobs submitted with `consent.allow_analytics`'),
    findings: z.number().int(),
  }),
  raw_document_lifetime_seconds: distribution.describe(
    "Intake to the original's deletion, for originals deleted in the period",
  ),
  deletion_lag_seconds: distribution.describe(
    '`delete_after` to `deleted_at`, every class deleted in the period',
  ),
  artifacts_alive: z.array(
    z.object({
      class: z.string(),
      retention_class: z.string().nullable(),
      count: z.number().int(),
      oldest_age_seconds: z.number().int(),
      window_seconds: z.number().nullable().describe("The policy's window for the retention class"),
      overdue: z.number().int().describe('Past their deadline, waiting for the sweeper'),
    }),
  ),
  outputs: z.object({
    by_kind: z.object({
      redacted: z.number().int(),
      fields: z.number().int(),
      full_text: z.number().int(),
      reveal: z.number().int(),
    }),
    without_raw_value_share: z
      .number()
      .nullable()
      .describe('Share of outputs read that handed out no value from a document (redacted output)'),
  }),
  reveals_by_reason: counts,
  raw_content_components: z.object({
    by_component: counts.describe('Jobs each raw-reading step handled'),
    per_job: z.number().nullable(),
  }),
  model: z.object({
    requests: z.number().int(),
    failed: z.number().int(),
    egress_blocked: z.number().int(),
  }),
  review: z.object({
    source: z.enum(['queue', 'none']),
    open_tasks: z.number().int(),
    reviewed_fields: z.number().int(),
    crop_area_share: distribution.describe("Share of the page's area shown per reviewed field"),
  }),
  dsr: z.object({
    access: z.number().int(),
    erasure: z.number().int(),
    completion_seconds: distribution,
  }),
  consent_withdrawals: z.number().int(),
  analytics: z.object({ releases: z.number().int(), epsilon_spent: z.number() }),
  alerts_by_rule: counts,
  reidentification: z
    .object({
      k_target: z.number().int().describe("The policy's `k_anonymity`, else 5"),
      by_kind: z.object({ redacted: outputRisk, fields: outputRisk, text: outputRisk }),
    })
    .describe(
      "Re-identification risk of the outputs first released in the period: an output's k is how many of the tenant's released outputs of its kind hand out the same identifying values (compared by keyed HMAC); k = 1 singles a person out",
    ),
});

function presentDistribution(d: Distribution): z.output<typeof distribution> {
  return {
    count: d.count,
    sum: d.sum,
    p50: d.p50,
    p90: d.p90,
    p99: d.p99,
    max: d.max,
    buckets: d.buckets.map((b) => ({ le: b.le, count: b.count })),
  };
}

/**
 * The privacy metrics route as a plugin for `deps.routes`.
 *
 * @example
 * ```ts
 * const app = await buildApp({ ...deps, routes: [privacyMetricsRoutes(port)] });
 * // GET /v1/privacy/metrics?since=7d
 * ```
 */
export function privacyMetricsRoutes(port: PrivacyMetricsPort): ApiRoutePlugin {
  return async (app: FastifyInstance) => {
    app.withTypeProvider<ZodTypeProvider>().get(
      '/v1/privacy/metrics',
      {
        config: { permission: 'privacy-metrics:read' },
        schema: {
          summary: "The tenant's privacy metrics",
          description:
            'Raw-document lifetime, artifacts alive against their policy windows, deletion lag, outputs by kind, full-text grants, reveals by reason, components that handled raw content, model calls and egress blocks, review exposure, data-subject requests, analytics budget, alerts, and the re-identification risk (k) of released outputs. Counts and durations only.',
          tags: ['privacy'],
          security: [{ bearer: [] }],
          querystring: periodQuery,
          response: { 200: metricsResponse, ...protectedErrorResponses },
        },
      },
      async (request) => {
        const { since, until } = periodOf(request.query, 'privacy metrics');
        const m = await port.metrics(principalOf(request), { since, until });
        return {
          tenant: m.tenant,
          since: m.since,
          until: m.until,
          jobs: m.jobs,
          raw_document_lifetime_seconds: presentDistribution(m.raw_document_lifetime_seconds),
          deletion_lag_seconds: presentDistribution(m.deletion_lag_seconds),
          artifacts_alive: m.artifacts_alive.map((a) => ({ ...a })),
          outputs: {
            by_kind: { ...m.outputs.by_kind },
            without_raw_value_share: m.outputs.without_raw_value_share,
          },
          reveals_by_reason: { ...m.reveals_by_reason },
          raw_content_components: {
            by_component: { ...m.raw_content_components.by_component },
            per_job: m.raw_content_components.per_job,
          },
          model: m.model,
          review: { ...m.review, crop_area_share: presentDistribution(m.review.crop_area_share) },
          dsr: { ...m.dsr, completion_seconds: presentDistribution(m.dsr.completion_seconds) },
          consent_withdrawals: m.consent_withdrawals,
          analytics: m.analytics,
          alerts_by_rule: { ...m.alerts_by_rule },
          reidentification: {
            k_target: m.reidentification.k_target,
            by_kind: {
              redacted: { ...m.reidentification.by_kind.redacted },
              fields: { ...m.reidentification.by_kind.fields },
              text: { ...m.reidentification.by_kind.text },
            },
          },
        };
      },
    );
  };
}
