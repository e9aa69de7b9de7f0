/**
 * Legal-hold routes: `POST /v1/legal-holds` places a hold on a job, a data subject or the whole
 * tenant; `GET /v1/legal-holds` lists them; `POST /v1/legal-holds/{id}/lift` lifts one. The routes
 * validate and present; the work, the tenant scoping and the audit events are the port's.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AuditReceipt } from '../../audit/index.js';
import { HOLD_REASONS, HOLD_REFERENCE } from '../../privacy/legal-holds/codes.js';
import type { HoldReason } from '../../privacy/legal-holds/codes.js';
import type { LegalHold } from '../../privacy/legal-holds/holds.js';
import { principalOf } from '../guard.js';
import type { ApiRoutePlugin, Principal } from '../ports.js';
import { errorResponseSchema, protectedErrorResponses } from '../schemas.js';
import { presentReceipt, subjectRef } from './governance.js';
import { receiptSchema } from './jobs.js';

/** What a hold is placed on, as the caller names it. */
export type HoldRequestTarget =
  | { readonly scope: 'job'; readonly jobId: string }
  | { readonly scope: 'subject'; readonly subjectRef: string }
  | { readonly scope: 'tenant' };

/** What the legal-hold routes need. Every method scopes to the principal's tenant and audits. */
export interface LegalHoldsPort {
  /** Audited as `legal_hold.placed`, whose receipt is returned. */
  place(
    principal: Principal,
    target: HoldRequestTarget,
    why: { readonly reason: HoldReason; readonly reference: string },
  ): Promise<{ readonly hold: LegalHold; readonly receipt: AuditReceipt }>;
  list(principal: Principal, options: { readonly includeLifted: boolean }): Promise<readonly LegalHold[]>;
  /** Audited as `legal_hold.lifted`, whose receipt is returned. */
  lift(
    principal: Principal,
    holdId: string,
  ): Promise<{ readonly hold: LegalHold; readonly receipt: AuditReceipt }>;
}

const holdSchema = z.object({
  id: z.string(),
  scope: z.enum(['job', 'subject', 'tenant']),
  job_id: z.string().nullable().describe('The held job (scope `job`)'),
  reason: z.enum(HOLD_REASONS),
  reference: z.string(),
  placed_by: z.string(),
  placed_at: z.string(),
  lifted_by: z.string().nullable(),
  lifted_at: z.string().nullable(),
});

function presentHold(hold: LegalHold): z.output<typeof holdSchema> {
  return {
    id: hold.id,
    scope: hold.scope,
    job_id: hold.jobId,
    reason: hold.reason,
    reference: hold.reference,
    placed_by: hold.placedBy,
    placed_at: hold.placedAt.toISOString(),
    lifted_by: hold.liftedBy,
    lifted_at: hold.liftedAt === null ? null : hold.liftedAt.toISOString(),
  };
}

const why = {
  reason: z.enum(HOLD_REASONS).describe('Why the data must be kept'),
  reference: z
    .string()
    .regex(HOLD_REFERENCE)
    .describe('The matter or ticket id the hold serves (an id, not a description)'),
};
const placeBody = z.discriminatedUnion('scope', [
  z
    .object({
      scope: z.literal('job'),
      job_id: z.string().regex(/^[\x21-\x7e]{1,200}$/),
      ...why,
    })
    .strict(),
  z.object({ scope: z.literal('subject'), subject_ref: subjectRef, ...why }).strict(),
  z.object({ scope: z.literal('tenant'), ...why }).strict(),
]);

const withReceipt = z.object({
  hold: holdSchema,
  receipt: receiptSchema.describe('Verify offline: `veil audit verify receipt.json --public-key key.pem`'),
});

/**
 * The legal-hold routes as a plugin for `deps.routes`.
 *
 * @example
 * ```ts
 * const app = await buildApp({ ...deps, routes: [legalHoldRoutes(port)] });
 * ```
 */
export function legalHoldRoutes(port: LegalHoldsPort): ApiRoutePlugin {
  return async (app: FastifyInstance) => {
    const api = app.withTypeProvider<ZodTypeProvider>();
    const security = [{ bearer: [] }];

    api.post(
      '/v1/legal-holds',
      {
        config: { permission: 'legal-holds:manage' },
        schema: {
          summary: 'Place a legal hold',
          description:
            "On one job (`job_id`), on a data subject's jobs (`subject_ref`, kept only as keyed HMACs) or on the whole tenant (a matter). While it stands, the retention sweeper keeps what it covers past its deadline and a data-subject erasure withholds it (GDPR Art. 17(3)(e)); once lifted, the next sweep deletes what is due. A hold carries a reason code and a reference, never content. Audited as `legal_hold.placed`, whose receipt is returned.",
          tags: ['governance'],
          security,
          body: placeBody,
          response: { 201: withReceipt, ...protectedErrorResponses, 404: errorResponseSchema },
        },
      },
      async (request, reply) => {
        const body = request.body;
        const target: HoldRequestTarget =
          body.scope === 'job'
            ? { scope: 'job', jobId: body.job_id }
            : body.scope === 'subject'
              ? { scope: 'subject', subjectRef: body.subject_ref }
              : { scope: 'tenant' };
        const done = await port.place(principalOf(request), target, {
          reason: body.reason,
          reference: body.reference,
        });
        reply.code(201);
        return { hold: presentHold(done.hold), receipt: presentReceipt(done.receipt) };
      },
    );

    api.get(
      '/v1/legal-holds',
      {
        config: { permission: 'legal-holds:read' },
        schema: {
          summary: 'List legal holds',
          description:
            "The tenant's standing holds, newest first; lifted ones too with `include_lifted=true`.",
          tags: ['governance'],
          security,
          querystring: z.object({ include_lifted: z.enum(['true', 'false']).default('false') }).strict(),
          response: { 200: z.object({ holds: z.array(holdSchema) }), ...protectedErrorResponses },
        },
      },
      async (request) => {
        const holds = await port.list(principalOf(request), {
          includeLifted: request.query.include_lifted === 'true',
        });
        return { holds: holds.map(presentHold) };
      },
    );

    api.post(
      '/v1/legal-holds/:id/lift',
      {
        config: { permission: 'legal-holds:manage' },
        schema: {
          summary: 'Lift a legal hold',
          description:
            'Ends the hold; the record stays. What it kept past its deadline is deleted by the next retention sweep, unless another hold covers it. Audited as `legal_hold.lifted`, whose receipt is returned.',
          tags: ['governance'],
          security,
          params: z.object({ id: z.string().regex(/^[\x21-\x7e]{1,200}$/) }),
          response: {
            200: withReceipt,
            ...protectedErrorResponses,
            404: errorResponseSchema,
            409: errorResponseSchema,
          },
        },
      },
      async (request) => {
        const done = await port.lift(principalOf(request), request.params.id);
        return { hold: presentHold(done.hold), receipt: presentReceipt(done.receipt) };
      },
    );
  };
}
