/**
 * Governance routes: consent withdrawal (`POST /v1/consents/withdrawals`) and data-subject
 * requests (`POST /v1/dsr/access`, `POST /v1/dsr/erasure`). The routes validate and present;
 * the work, the tenant scoping and the audit events are the {@link GovernancePort}'s.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AuditReceipt } from '../../audit/index.js';
import { principalOf } from '../guard.js';
import type { ApiRoutePlugin, Principal } from '../ports.js';
import { errorResponseSchema, protectedErrorResponses } from '../schemas.js';
import { receiptSchema } from './jobs.js';

/** A direct identifier a data subject is known by. */
export interface SubjectIdentifier {
  readonly type: string;
  readonly value: string;
}

/** One job of a subject-access export, as the port returns it. */
export interface SubjectJobView {
  readonly jobId: string;
  readonly status: string;
  readonly purpose: string;
  readonly consent: Readonly<Record<string, boolean | string>>;
  readonly policyHash: string;
  readonly region: string | null;
  readonly createdAt: Date;
  readonly endedAt: Date | null;
  readonly detected: readonly SubjectIdentifier[];
  readonly fields?: unknown;
}

/** A job an erasure withheld: the legal ground and the holds (reason and reference, no content). */
export interface WithheldView {
  readonly jobId: string;
  readonly ground: string;
  readonly holds: ReadonlyArray<{
    readonly id: string;
    readonly scope: string;
    readonly reason: string;
    readonly reference: string;
  }>;
}

/** What the governance routes need. Every method scopes to the principal's tenant and audits. */
export interface GovernancePort {
  /** Audited as `consent.withdrawn`, whose receipt is returned. */
  withdraw(
    principal: Principal,
    input: { readonly subjectRef?: string; readonly jobId?: string; readonly purposes?: readonly string[] },
  ): Promise<{
    readonly withdrawalId: string;
    readonly cancelled: readonly string[];
    readonly scheduled: number;
    readonly receipt: AuditReceipt;
  }>;
  /** Audited as `dsr.access` with counts. */
  access(
    principal: Principal,
    query: { readonly subjectRef?: string; readonly identifiers?: readonly SubjectIdentifier[] },
  ): Promise<{ readonly jobs: readonly SubjectJobView[]; readonly auditEvents: readonly unknown[] }>;
  /** Audited as `dsr.erasure`, whose receipt is returned. */
  erase(
    principal: Principal,
    query: { readonly subjectRef?: string; readonly identifiers?: readonly SubjectIdentifier[] },
  ): Promise<{
    readonly jobs: number;
    readonly artifacts: number;
    readonly vaultEntries: number;
    /** Jobs kept for legal holds, each with the holds and the legal ground. */
    readonly withheld: readonly WithheldView[];
    readonly receipt: AuditReceipt;
  }>;
}

/** A data subject's reference, as the caller gives it on its jobs. */
export const subjectRef = z
  .string()
  .regex(/^[\x21-\x7e]{1,200}$/)
  .describe('Your reference for the data subject, as given on its jobs');
const purposeCode = z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/);
const identifier = z
  .object({
    type: z
      .string()
      .regex(/^[A-Z][A-Z0-9_]{0,63}$/)
      .describe('An entity type, e.g. EMAIL_ADDRESS'),
    value: z.string().min(1).max(512),
  })
  .strict();

const withdrawalBody = z
  .object({
    subject_ref: subjectRef.optional(),
    job_id: z
      .string()
      .regex(/^[\x21-\x7e]{1,200}$/)
      .optional(),
    purposes: z.array(purposeCode).min(1).max(64).optional().describe('The purposes withdrawn; absent: all'),
  })
  .strict()
  .refine((b) => (b.subject_ref === undefined) !== (b.job_id === undefined), {
    message: 'exactly one of subject_ref or job_id',
    path: ['subject_ref'],
  });

const subjectBody = z
  .object({ subject_ref: subjectRef.optional(), identifiers: z.array(identifier).min(1).max(32).optional() })
  .strict()
  .refine((b) => b.subject_ref !== undefined || b.identifiers !== undefined, {
    message: 'subject_ref or identifiers',
    path: ['subject_ref'],
  });

/**
 * An audit receipt as the routes return it.
 *
 * @example
 * ```ts
 * return { receipt: presentReceipt(done.receipt) };
 * ```
 */
export function presentReceipt(receipt: AuditReceipt): z.output<typeof receiptSchema> {
  const head = receipt.tree_head;
  return {
    format: receipt.format,
    event: receipt.event as Record<string, unknown>,
    leaf_index: receipt.leaf_index,
    inclusion_path: [...receipt.inclusion_path],
    tree_head: {
      tree_size: head.tree_size,
      root_hash: head.root_hash,
      timestamp: head.timestamp,
      key_id: head.key_id,
      signature: head.signature,
    },
  };
}

const errors = { ...protectedErrorResponses, 404: errorResponseSchema, 422: errorResponseSchema };

/**
 * The governance routes as a plugin for `deps.routes`.
 *
 * @example
 * ```ts
 * const app = await buildApp({ ...deps, routes: [governanceRoutes(port)] });
 * ```
 */
export function governanceRoutes(port: GovernancePort): ApiRoutePlugin {
  return async (app: FastifyInstance) => {
    const api = app.withTypeProvider<ZodTypeProvider>();
    const security = [{ bearer: [] }];
    const receiptNote = 'Verify offline: `veil audit verify receipt.json --public-key key.pem`';

    api.post(
      '/v1/consents/withdrawals',
      {
        config: { permission: 'consent:withdraw' },
        schema: {
          summary: 'Withdraw consent',
          description:
            "By `subject_ref` or `job_id`, for some `purposes` or all: cancels the subject's queued and running jobs of those purposes (reason `consent_withdrawn`), deletes their artifacts at once, and refuses new jobs of the subject for them. Returns the `consent.withdrawn` audit event with its inclusion proof.",
          tags: ['governance'],
          security,
          body: withdrawalBody,
          response: {
            200: z.object({
              withdrawal_id: z.string(),
              cancelled: z.array(z.string()),
              scheduled: z.number().int(),
              receipt: receiptSchema.describe(receiptNote),
            }),
            ...errors,
          },
        },
      },
      async (request) => {
        const body = request.body;
        const done = await port.withdraw(principalOf(request), {
          ...(body.subject_ref === undefined ? {} : { subjectRef: body.subject_ref }),
          ...(body.job_id === undefined ? {} : { jobId: body.job_id }),
          ...(body.purposes === undefined ? {} : { purposes: body.purposes }),
        });
        return {
          withdrawal_id: done.withdrawalId,
          cancelled: [...done.cancelled],
          scheduled: done.scheduled,
          receipt: presentReceipt(done.receipt),
        };
      },
    );

    const query = (body: z.output<typeof subjectBody>) => ({
      ...(body.subject_ref === undefined ? {} : { subjectRef: body.subject_ref }),
      ...(body.identifiers === undefined ? {} : { identifiers: body.identifiers }),
    });

    api.post(
      '/v1/dsr/access',
      {
        config: { permission: 'dsr:manage' },
        schema: {
          summary: 'Subject access request',
          description:
            'Every job that names the subject (by `subject_ref`, or by identifiers the detector found, through a keyed HMAC index): purposes, consent, dates, fields and detected values decrypted, and the audit events about them. Audited as `dsr.access`.',
          tags: ['governance'],
          security,
          body: subjectBody,
          response: {
            200: z.object({
              jobs: z.array(
                z.object({
                  job_id: z.string(),
                  status: z.string(),
                  purpose: z.string(),
                  consent: z.record(z.string(), z.union([z.boolean(), z.string()])),
                  policy_hash: z.string(),
                  region: z.string().nullable(),
                  created_at: z.string(),
                  ended_at: z.string().nullable(),
                  detected: z.array(z.object({ entity_type: z.string(), value: z.string() })),
                  fields: z.unknown().optional(),
                }),
              ),
              audit_events: z.array(z.record(z.string(), z.unknown())),
            }),
            ...errors,
          },
        },
      },
      async (request, reply) => {
        const result = await port.access(principalOf(request), query(request.body));
        reply.header('cache-control', 'no-store');
        return {
          jobs: result.jobs.map((j) => ({
            job_id: j.jobId,
            status: j.status,
            purpose: j.purpose,
            consent: { ...j.consent },
            policy_hash: j.policyHash,
            region: j.region,
            created_at: j.createdAt.toISOString(),
            ended_at: j.endedAt === null ? null : j.endedAt.toISOString(),
            detected: j.detected.map((d) => ({ entity_type: d.type, value: d.value })),
            ...(j.fields === undefined ? {} : { fields: j.fields }),
          })),
          audit_events: result.auditEvents.map((e) => e as Record<string, unknown>),
        };
      },
    );

    api.post(
      '/v1/dsr/erasure',
      {
        config: { permission: 'dsr:manage' },
        schema: {
          summary: 'Erase a data subject',
          description:
            'Deletes every job that names the subject (artifacts, rows, index) and destroys the keys of the tokens issued for them (crypto-shredding), so they never reveal again. Audit events stay (they hold no content). Jobs under a legal hold are withheld (GDPR Art. 17(3)(e)): `withheld` names each with its holds; they are cancelled if still open and deleted by the first retention sweep after their last hold is lifted. Returns the `dsr.erasure` audit event with its inclusion proof.',
          tags: ['governance'],
          security,
          body: subjectBody,
          response: {
            200: z.object({
              jobs: z.number().int(),
              artifacts: z.number().int(),
              vault_entries: z.number().int(),
              withheld: z
                .array(
                  z.object({
                    job_id: z.string(),
                    ground: z.string().describe('`gdpr_art_17_3_e`: kept for legal claims'),
                    holds: z.array(
                      z.object({
                        id: z.string(),
                        scope: z.string(),
                        reason: z.string(),
                        reference: z.string(),
                      }),
                    ),
                  }),
                )
                .describe('Jobs not erased because legal holds cover them'),
              receipt: receiptSchema.describe(receiptNote),
            }),
            ...errors,
          },
        },
      },
      async (request) => {
        const done = await port.erase(principalOf(request), query(request.body));
        return {
          jobs: done.jobs,
          artifacts: done.artifacts,
          vault_entries: done.vaultEntries,
          withheld: done.withheld.map((w) => ({
            job_id: w.jobId,
            ground: w.ground,
            holds: w.holds.map((h) => ({
              id: h.id,
              scope: h.scope,
              reason: h.reason,
              reference: h.reference,
            })),
          })),
          receipt: presentReceipt(done.receipt),
        };
      },
    );
  };
}
