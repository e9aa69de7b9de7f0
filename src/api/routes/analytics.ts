/**
 * `GET /v1/analytics/counts`: counts released with differential privacy (permission
 * `analytics:read`: admin, auditor). The route validates and presents; the budget, the consent
 * filter, the noise and the audit event are the {@link AnalyticsPort}'s (src/privacy/analytics).
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf } from '../guard.js';
import type { ApiRoutePlugin, Principal } from '../ports.js';
import { errorResponseSchema, protectedErrorResponses } from '../schemas.js';

/** What the analytics route needs. */
export interface AnalyticsPort {
  counts(
    principal: Principal,
    query: { groupBy: 'entity_type' | 'purpose' | 'template'; from: Date; to: Date },
  ): Promise<CountsRelease>;
}

/** A release as the port returns it (read-only); the route presents it field by field. */
export type CountsRelease = Omit<z.output<typeof countsResponse>, 'counts'> & {
  readonly counts: ReadonlyArray<{ readonly key: string; readonly count: number }>;
};

const countsQuery = z
  .object({
    from: z.iso
      .datetime({ offset: true })
      .or(z.iso.date())
      .describe('Start of the range (jobs created at or after it), ISO 8601'),
    to: z.iso
      .datetime({ offset: true })
      .or(z.iso.date())
      .describe('End of the range (jobs created before it), ISO 8601'),
    group_by: z.enum(['entity_type', 'purpose', 'template']).describe('What to count by'),
  })
  .strict();

const countsResponse = z.object({
  release_id: z
    .string()
    .describe("The ledger entry of this release (also the `analytics.released` audit event's object)"),
  group_by: z.string(),
  from: z.string(),
  to: z.string(),
  counts: z
    .array(
      z.object({
        key: z.string(),
        count: z.number().int().describe('Exact count plus discrete Laplace noise; may be negative'),
      }),
    )
    .describe(
      'Every key of the public domain (entity types Veil knows, or the purposes/templates the policy lists, plus (other)/(none))',
    ),
  privacy: z.object({
    mechanism: z.literal('discrete_laplace'),
    epsilon: z.number().describe('Epsilon spent by this release'),
    delta: z.literal(0),
    sensitivity: z.number().int().describe('Most one job changes the counts (L1), after clamping'),
    scale: z.number().describe('Noise scale sensitivity / epsilon'),
    noise_95: z.number().int().describe('95% of noise draws lie within ± this'),
    max_contribution: z.number().int(),
    budget: z.object({
      epsilon: z.number(),
      period: z.enum(['day', 'week', 'month']),
      period_start: z.string(),
      spent: z.number(),
      remaining: z.number(),
    }),
  }),
});

/**
 * The analytics route as a plugin for `deps.routes`.
 *
 * @example
 * ```ts
 * const app = await buildApp({ ...deps, routes: [analyticsRoutes(port)] });
 * ```
 */
export function analyticsRoutes(port: AnalyticsPort): ApiRoutePlugin {
  return async (app: FastifyInstance) => {
    app.withTypeProvider<ZodTypeProvider>().get(
      '/v1/analytics/counts',
      {
        config: { permission: 'analytics:read' },
        schema: {
          summary: 'Counts with differential privacy',
          description:
            "Findings by entity type, or jobs by purpose or template, over jobs whose consent allows analytics, each job clamped and discrete Laplace noise added. Each release spends `privacy.epsilon` of the tenant's budget for the period; past it, 429 VEIL_PRIVACY_BUDGET_EXHAUSTED.",
          tags: ['analytics'],
          security: [{ bearer: [] }],
          querystring: countsQuery,
          response: { 200: countsResponse, ...protectedErrorResponses, 429: errorResponseSchema },
        },
      },
      async (request) => {
        const release = await port.counts(principalOf(request), {
          groupBy: request.query.group_by,
          from: new Date(request.query.from),
          to: new Date(request.query.to),
        });
        const { privacy } = release;
        return {
          release_id: release.release_id,
          group_by: release.group_by,
          from: release.from,
          to: release.to,
          counts: release.counts.map((c) => ({ key: c.key, count: c.count })),
          privacy: {
            mechanism: privacy.mechanism,
            epsilon: privacy.epsilon,
            delta: privacy.delta,
            sensitivity: privacy.sensitivity,
            scale: privacy.scale,
            noise_95: privacy.noise_95,
            max_contribution: privacy.max_contribution,
            budget: { ...privacy.budget },
          },
        };
      },
    );
  };
}
