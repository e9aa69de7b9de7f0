/**
 * `GET /v1/alerts` (permission `alerts:read`: admin, auditor, dpo): the access anomaly alerts
 * of the caller's tenant, newest first, with the state of each webhook delivery. Rule codes,
 * principal ids and counts only.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf } from '../guard.js';
import type { ApiRoutePlugin, Principal } from '../ports.js';
import { protectedErrorResponses } from '../schemas.js';

/** An alert as the port returns it. */
export interface AlertView {
  readonly id: string;
  readonly rule: string;
  readonly principalId: string;
  readonly observed: number;
  readonly threshold: number;
  readonly windowSeconds: number;
  readonly raisedAt: Date;
  readonly deliveries: ReadonlyArray<{
    readonly target: string;
    readonly status: 'pending' | 'delivered' | 'dead';
    readonly attempts: number;
    readonly deliveredAt: Date | null;
    readonly lastStatus: number | null;
  }>;
}

/** What the alerts route needs. */
export interface AlertsPort {
  list(principal: Principal, query: { limit: number; since?: Date }): Promise<readonly AlertView[]>;
}

const alertSchema = z.object({
  id: z.string(),
  rule: z
    .string()
    .describe(
      'reveal_burst, download_burst, dsr_export_burst, outside_hours, denied_burst, not_found_burst, api_key_new_address or crops_outlier',
    ),
  principal: z
    .string()
    .describe('The audit id of the principal, or `src:` and a keyed hash of a client address'),
  observed: z.number().int(),
  threshold: z.number().int(),
  window_seconds: z.number().int(),
  raised_at: z.string(),
  deliveries: z.array(
    z.object({
      target: z.string().describe('`default` or `policy:<n>`'),
      status: z
        .enum(['pending', 'delivered', 'dead'])
        .describe('dead: every retry failed (the dead-letter list)'),
      attempts: z.number().int(),
      delivered_at: z.string().nullable(),
      last_status: z
        .number()
        .int()
        .nullable()
        .describe("The receiver's last HTTP status; 0 when it did not answer"),
    }),
  ),
});

/**
 * The alerts route as a plugin for `deps.routes`.
 *
 * @example
 * ```ts
 * const app = await buildApp({ ...deps, routes: [alertRoutes(port)] });
 * ```
 */
export function alertRoutes(port: AlertsPort): ApiRoutePlugin {
  return async (app: FastifyInstance) => {
    app.withTypeProvider<ZodTypeProvider>().get(
      '/v1/alerts',
      {
        config: { permission: 'alerts:read' },
        schema: {
          summary: "The tenant's access anomaly alerts",
          description:
            'Newest first, each with its webhook deliveries (pending, delivered, or dead after the last retry).',
          tags: ['alerts'],
          security: [{ bearer: [] }],
          querystring: z
            .object({
              limit: z.coerce.number().int().min(1).max(1000).default(100),
              since: z.iso.datetime({ offset: true }).optional(),
            })
            .strict(),
          response: { 200: z.object({ alerts: z.array(alertSchema) }), ...protectedErrorResponses },
        },
      },
      async (request) => {
        const alerts = await port.list(principalOf(request), {
          limit: request.query.limit,
          ...(request.query.since === undefined ? {} : { since: new Date(request.query.since) }),
        });
        return {
          alerts: alerts.map((a) => ({
            id: a.id,
            rule: a.rule,
            principal: a.principalId,
            observed: a.observed,
            threshold: a.threshold,
            window_seconds: a.windowSeconds,
            raised_at: a.raisedAt.toISOString(),
            deliveries: a.deliveries.map((d) => ({
              target: d.target,
              status: d.status,
              attempts: d.attempts,
              delivered_at: d.deliveredAt === null ? null : d.deliveredAt.toISOString(),
              last_status: d.lastStatus,
            })),
          })),
        };
      },
    );
  };
}
