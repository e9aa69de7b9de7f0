/**
 * The review queue (issue 14): a reviewer lists the open tasks of its queues, looks at one field
 * (its name, type, hint, candidate value, confidence and a crop of the page around it), claims
 * it and decides. Every route needs `review:decide` (reviewer, admin); a task of another tenant or
 * outside the caller's queues answers 404. The routes validate and present; the work, the queues
 * and the audit events are the {@link ReviewPort}'s.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { Gauge, Histogram } from 'prom-client';
import { z } from 'zod';
import { FIELD_TYPES } from '../../ai/fields/spec.js';
import type { FieldLabel, FieldValue } from '../../ai/fields/spec.js';
import { principalOf } from '../guard.js';
import { metricsRegistry } from '../metrics.js';
import type { ApiRoutePlugin, Principal } from '../ports.js';
import { errorResponseSchema, protectedErrorResponses } from '../schemas.js';

/** A task as the port returns it: metadata and, while it is open, the candidate value. */
export interface ReviewTaskView {
  readonly id: string;
  readonly jobId: string;
  readonly queue: string;
  readonly field: FieldLabel;
  readonly candidate: FieldValue | null;
  readonly confidence: number;
  readonly status: 'open' | 'claimed' | 'decided' | 'expired';
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly lease: { readonly reviewer: string; readonly expiresAt: Date } | null;
  readonly crop: { readonly width: number; readonly height: number; readonly pageShare: number } | null;
  readonly decision: {
    readonly action: 'confirm' | 'correct' | 'reject';
    readonly reviewer: string;
    readonly decidedAt: Date;
  } | null;
}

/** What the review routes need. Every method scopes to the principal's tenant and queues, and audits. */
export interface ReviewPort {
  list(
    principal: Principal,
    query: { readonly limit: number; readonly cursor?: string | undefined },
  ): Promise<{ readonly tasks: readonly ReviewTaskView[]; readonly cursor: string | undefined }>;
  get(principal: Principal, taskId: string): Promise<ReviewTaskView>;
  /** The crop as PNG; audited as `review.task.viewed` before it is decrypted. */
  crop(principal: Principal, taskId: string): Promise<Buffer>;
  /** Audited as `review.task.claimed`. */
  claim(principal: Principal, taskId: string): Promise<ReviewTaskView>;
  /** Audited as `review.task.decided` (the action, never a value). */
  decide(
    principal: Principal,
    taskId: string,
    decision: {
      readonly action: 'confirm' | 'correct' | 'reject';
      readonly value?: unknown;
      readonly reason?: string | undefined;
    },
  ): Promise<ReviewTaskView>;
  /** Open tasks across the deployment, for the `veil_review_open_tasks` gauge. */
  openTasks(): Promise<number>;
}

const moneySchema = z.object({
  amount: z.string().describe('A decimal string, never a float'),
  currency: z.string().nullable().describe('ISO 4217'),
});
const valueSchema = z.union([z.string(), z.number(), z.boolean(), moneySchema]);

const taskSchema = z.object({
  id: z.string(),
  job_id: z.string(),
  queue: z.string(),
  field: z.object({
    name: z.string(),
    type: z.enum(FIELD_TYPES),
    hint: z.array(z.string()).nullable().describe("The spec's labels (template metadata)"),
  }),
  candidate: valueSchema
    .nullable()
    .describe('The value the extractor proposed, normalised; null once the task is closed'),
  confidence: z.number().min(0).max(1),
  status: z.enum(['open', 'claimed', 'decided', 'expired']),
  created_at: z.string(),
  expires_at: z.string(),
  lease: z.object({ reviewer: z.string(), expires_at: z.string() }).nullable(),
  crop: z
    .object({
      width: z.number().int(),
      height: z.number().int(),
      page_share: z.number().describe("The crop's area as a share of the page's"),
    })
    .nullable()
    .describe('Null when the document has no layout (text formats) or the field could not be cropped'),
  decision: z
    .object({
      action: z.enum(['confirm', 'correct', 'reject']),
      reviewer: z.string(),
      decided_at: z.string(),
    })
    .nullable(),
});

const listSchema = z.object({
  tasks: z.array(taskSchema),
  next_cursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page'),
});

const listQuery = z
  .object({
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .max(100)
      .default(20)
      .describe('Tasks per page, 1 to 100 (default 20)'),
    cursor: z.string().min(1).max(512).optional().describe('The `next_cursor` of the previous page'),
  })
  .strict();

const decisionBody = z
  .object({
    action: z.enum(['confirm', 'correct', 'reject']),
    value: valueSchema
      .optional()
      .describe("For `correct`: the value, read as the field's type (a bad value is 422)"),
    reason: z.string().min(1).max(500).optional().describe('Why; stored encrypted, never logged'),
  })
  .strict()
  .refine((b) => (b.action === 'correct') === (b.value !== undefined), {
    message: 'value is required with correct and taken only with correct',
    path: ['value'],
  });

/**
 * A task, field by field.
 *
 * @example
 * ```ts
 * presentTask(view); // { id, job_id, queue: 'default', field: { name: 'date', type: 'date', hint: ['Date'] }, … }
 * ```
 */
export function presentTask(view: ReviewTaskView): z.output<typeof taskSchema> {
  return {
    id: view.id,
    job_id: view.jobId,
    queue: view.queue,
    field: {
      name: view.field.name,
      type: view.field.type,
      hint: view.field.hint ? [...view.field.hint] : null,
    },
    candidate: view.candidate,
    confidence: view.confidence,
    status: view.status,
    created_at: view.createdAt.toISOString(),
    expires_at: view.expiresAt.toISOString(),
    lease: view.lease
      ? { reviewer: view.lease.reviewer, expires_at: view.lease.expiresAt.toISOString() }
      : null,
    crop: view.crop
      ? { width: view.crop.width, height: view.crop.height, page_share: view.crop.pageShare }
      : null,
    decision: view.decision
      ? {
          action: view.decision.action,
          reviewer: view.decision.reviewer,
          decided_at: view.decision.decidedAt.toISOString(),
        }
      : null,
  };
}

const errors = {
  ...protectedErrorResponses,
  404: errorResponseSchema,
  409: errorResponseSchema,
  422: errorResponseSchema,
};

/**
 * The review routes as a plugin for `deps.routes`, with their metrics: time to decision and the
 * crop area shown per reviewed field (pixels and share of the page).
 *
 * @example
 * ```ts
 * const app = await buildApp({ ...deps, routes: [reviewRoutes(port)] });
 * ```
 */
export function reviewRoutes(port: ReviewPort): ApiRoutePlugin {
  return async (app: FastifyInstance) => {
    const registry = metricsRegistry(app);
    const registers = registry === undefined ? [] : [registry];
    new Gauge({
      name: 'veil_review_open_tasks',
      help: 'Review tasks open (undecided, unexpired) across tenants',
      registers,
      async collect() {
        this.set(await port.openTasks());
      },
    });
    const decisionSeconds = new Histogram({
      name: 'veil_review_decision_seconds',
      help: 'Time from a review task being opened to its decision',
      buckets: [60, 300, 900, 3600, 4 * 3600, 86_400, 7 * 86_400],
      registers,
    });
    const cropPixels = new Histogram({
      name: 'veil_review_crop_pixels',
      help: 'Crop area shown per reviewed field, in pixels',
      buckets: [1e3, 5e3, 2e4, 5e4, 1e5, 2.5e5, 1e6],
      registers,
    });
    const cropShare = new Histogram({
      name: 'veil_review_crop_page_share',
      help: 'Crop area shown per reviewed field, as a share of the page',
      buckets: [0.0025, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.25, 0.5],
      registers,
    });
    const api = app.withTypeProvider<ZodTypeProvider>();
    const tags = ['review'];
    const security = [{ bearer: [] }];
    const params = z.object({
      id: z
        .string()
        .min(1)
        .max(200)
        .regex(/^[\x21-\x7e]+$/)
        .describe('The task id'),
    });
    const config = { permission: 'review:decide' } as const;

    api.get(
      '/v1/review/tasks',
      {
        config,
        schema: {
          summary: 'Open review tasks',
          description:
            "The open tasks of the caller's queues, oldest first, paged by `cursor`. Each is one field: its name, type, hint, candidate value and confidence.",
          tags,
          security,
          querystring: listQuery,
          response: { 200: listSchema, ...errors },
        },
      },
      async (request, reply) => {
        const page = await port.list(principalOf(request), request.query);
        return reply
          .header('cache-control', 'no-store')
          .send({ tasks: page.tasks.map(presentTask), next_cursor: page.cursor ?? null });
      },
    );

    api.get(
      '/v1/review/tasks/:id',
      {
        config,
        schema: {
          summary: 'A review task',
          description: '404 for a task of another tenant or outside your queues.',
          tags,
          security,
          params,
          response: { 200: taskSchema, ...errors },
        },
      },
      async (request, reply) =>
        reply
          .header('cache-control', 'no-store')
          .send(presentTask(await port.get(principalOf(request), request.params.id))),
    );

    api.get(
      '/v1/review/tasks/:id/crop',
      {
        config,
        schema: {
          summary: "The crop of a task's field",
          description:
            "PNG: the field's box with a small margin, every other detected value inside it masked, capped at the policy's share of the page. Audited as `review.task.viewed`. 404 when the document has no layout or the task is closed.",
          tags,
          security,
          params,
          response: errors,
        },
      },
      async (request, reply) => {
        const png = await port.crop(principalOf(request), request.params.id);
        return reply
          .type('image/png')
          .header('cache-control', 'no-store')
          .header('content-disposition', 'inline')
          .send(png as never);
      },
    );

    api.post(
      '/v1/review/tasks/:id/claim',
      {
        config,
        schema: {
          summary: 'Claim a review task',
          description:
            "A lease for the policy's `review.lease` (default 15 minutes); 409 while another reviewer's lease holds it or once it is closed. Claiming again extends your lease.",
          tags,
          security,
          params,
          response: { 200: taskSchema, ...errors },
        },
      },
      async (request) => presentTask(await port.claim(principalOf(request), request.params.id)),
    );

    api.post(
      '/v1/review/tasks/:id/decision',
      {
        config,
        schema: {
          summary: 'Decide a review task',
          description:
            "`confirm` keeps the candidate, `correct` replaces it with `value` (validated as the field's type: 422 when it is not one), `reject` leaves the field without a value. The field becomes `reviewed` with your pseudonymous id in `GET /v1/jobs/:id/fields`; the job succeeds when its last task is decided.",
          tags,
          security,
          params,
          body: decisionBody,
          response: { 200: taskSchema, ...errors },
        },
      },
      async (request) => {
        const view = await port.decide(principalOf(request), request.params.id, request.body);
        if (view.decision !== null)
          decisionSeconds.observe((view.decision.decidedAt.getTime() - view.createdAt.getTime()) / 1000);
        if (view.crop !== null) {
          cropPixels.observe(view.crop.width * view.crop.height);
          cropShare.observe(view.crop.pageShare);
        }
        return presentTask(view);
      },
    );
  };
}
