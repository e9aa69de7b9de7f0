/**
 * Jobs: submit a document (JSON text, a multipart file, or a signed upload), read its status
 * (codes, hashes and counts), download the redacted output, delete it with a receipt, and, for
 * a privileged role with a reason, reveal the original values. The routes validate and present;
 * the work, the tenant scoping and the audit events are the {@link JobsPort}'s.
 */
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { validatorCompiler } from 'fastify-type-provider-zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AuditReceipt } from '../../audit/index.js';
import { canonicalJson } from '../../audit/canonical.js';
import { REVEAL_REASONS } from '../../audit/event.js';
import type { OUTPUT_KINDS } from '../../audit/event.js';
import { VeilError, isVeilError } from '../../errors/veil-error.js';
import {
  consentGrants,
  type JobConsent,
  type JobPage,
  type JobStatusView,
  type JobSummary,
} from '../../pipeline/jobs/commands.js';
import { CONSENT_BASES, JOB_OUTPUTS, MAX_RETENTION_DAYS } from '../../pipeline/jobs/request.js';
import type { ExtractionInput } from '../../pipeline/jobs/extraction.js';
import { EXTRACTOR_NAMES } from '../../ai/fields/extractor.js';
import { FIELD_TYPES, SENSITIVITIES, fieldSpecSchema, type FieldsResult } from '../../ai/fields/spec.js';
import type { ConsentBasis, JobOutput } from '../../pipeline/jobs/request.js';
import { DEFAULT_LIMITS, PAGE_IMAGE_DPI } from '../../documents/index.js';
import { principalOf } from '../guard.js';
import type { ApiRoutePlugin, Principal } from '../ports.js';
import { errorResponseSchema, protectedErrorResponses } from '../schemas.js';
import { fieldNamesOf } from '../schema-keys.js';

/** Where a job's document comes from. */
export type JobSource =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'file'; readonly bytes: Buffer; readonly mediaType: string }
  | { readonly kind: 'upload'; readonly uploadId: string };

/** A job request as the port takes it: plain values, no HTTP. */
export interface JobSubmission {
  readonly source: JobSource;
  readonly purpose: string;
  /** The grants a job records, one of the known bases, and the subject's reference if given. */
  readonly consent: Omit<JobConsent, 'basis'> & {
    readonly basis: ConsentBasis;
    readonly subjectRef?: string;
  };
  readonly outputs: readonly JobOutput[];
  /** Absent: the policy's window. */
  readonly retentionDays?: number;
  /** What to extract for the `fields` output. */
  readonly extraction?: ExtractionInput;
}

/** Why values are revealed, as the audit event records it. */
export interface RevealReason {
  readonly code: (typeof REVEAL_REASONS)[number];
  readonly ticket?: string | undefined;
  readonly note?: string | undefined;
}

/** One detected value, revealed. */
export interface RevealedValue {
  readonly type: string;
  readonly start: number;
  readonly end: number;
  readonly value: string;
}

/** Which jobs `GET /v1/jobs` lists. */
export interface JobListQuery {
  readonly limit: number;
  readonly status?: JobStatusView['status'] | undefined;
  readonly purpose?: string | undefined;
  readonly cursor?: string | undefined;
}

/** What the job routes need. Every method scopes to the principal's tenant and audits. */
export interface JobsPort {
  /** The largest document a multipart request may carry, in bytes. */
  readonly maxBytes: number;
  /**
   * Submits a job. With an idempotency key, a repeat of the same request returns the first one's
   * job (`replayed: true`) and a different request under the key is refused.
   */
  submit(
    principal: Principal,
    submission: JobSubmission,
    options?: { readonly idempotencyKey?: string | undefined },
  ): Promise<{ readonly jobId: string; readonly status: string; readonly replayed?: boolean }>;
  status(principal: Principal, jobId: string): Promise<JobStatusView>;
  /** A page of the tenant's jobs, newest first. */
  list(principal: Principal, query: JobListQuery): Promise<JobPage>;
  /** Audited as `job.download`. */
  redacted(
    principal: Principal,
    jobId: string,
  ): Promise<{ readonly mediaType: string; readonly bytes: Buffer }>;
  /**
   * One page of the redacted PDF as a PNG, with the page count; audited as `job.download`.
   * Throws VEIL_JOB_NOT_PDF, VEIL_PAGE_OUT_OF_RANGE and as `redacted` does.
   */
  redactedPage(
    principal: Principal,
    jobId: string,
    page: { readonly page: number; readonly dpi: number },
  ): Promise<{ readonly png: Uint8Array; readonly pages: number }>;
  /** Hard deletion; audited as `job.deleted`, whose receipt is returned. */
  delete(principal: Principal, jobId: string): Promise<AuditReceipt>;
  /** The extracted fields: the same object `veil fields --json` prints. */
  fields(principal: Principal, jobId: string): Promise<FieldsResult>;
  /** The full transcript; audited as `job.full_text` before anything is decrypted. */
  fullText(principal: Principal, jobId: string): Promise<{ readonly text: string }>;
  /** Audited as `job.reveal` (with the reason) before anything is decrypted. */
  reveal(principal: Principal, jobId: string, reason: RevealReason): Promise<readonly RevealedValue[]>;
  /**
   * Records that `output.bytes` are being released to the caller (`output.released`, with their
   * SHA-256 and length, never the bytes) and returns the event's receipt.
   */
  released(
    principal: Principal,
    jobId: string,
    output: { readonly kind: (typeof OUTPUT_KINDS)[number]; readonly bytes: Uint8Array },
  ): Promise<AuditReceipt>;
}

/**
 * The response header of every released output (redacted document, fields, transcript, revealed
 * values): the `output.released` receipt as base64url JSON. With the audit public key it proves
 * offline that the body is what Veil released (`veil audit verify RECEIPT --output FILE`).
 */
export const OUTPUT_RECEIPT_HEADER = 'veil-output-receipt';

/** The response header of a page image: how many pages the redacted PDF has. */
export const PAGE_COUNT_HEADER = 'veil-page-count';

const RECEIPT_NOTE = ` The \`${OUTPUT_RECEIPT_HEADER}\` header carries the \`output.released\` audit receipt (base64url JSON) of the exact body bytes; \`veil audit verify RECEIPT --output FILE\` checks a saved body against it.`;

/**
 * Sends an output after recording its release: a document as its bytes, a JSON answer (already
 * shaped by its response schema) as its RFC 8785 canonical JSON, so the bytes hashed are exactly
 * the bytes the caller receives.
 */
async function sendReleased(
  port: JobsPort,
  request: FastifyRequest,
  jobId: string,
  reply: FastifyReply,
  kind: (typeof OUTPUT_KINDS)[number],
  body: Buffer | object,
): Promise<FastifyReply> {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(canonicalJson(body), 'utf8');
  const receipt = await port.released(principalOf(request), jobId, { kind, bytes });
  if (!Buffer.isBuffer(body)) reply.type('application/json; charset=utf-8');
  return reply
    .header('cache-control', 'no-store')
    .header(OUTPUT_RECEIPT_HEADER, Buffer.from(JSON.stringify(receipt), 'utf8').toString('base64url'))
    .send(bytes as never);
}

/** The retention a job gets when it names none: short, as the SDK's safe defaults are. */
export const DEFAULT_RETENTION_DAYS = 30;
/** The most text a JSON job takes, in UTF-16 code units (the body limit applies first). */
export const MAX_TEXT_CHARS = 10_000_000;

const jobId = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\x21-\x7e]+$/)
  .describe('The job id');

const optionsSchema = z
  .object({
    purpose: z
      .string()
      .regex(/^[a-z][a-z0-9_-]{0,63}$/, 'a purpose code such as claims-intake')
      .describe('Why the document is processed: a code, never free text'),
    consent: z
      .object({
        basis: z.enum(CONSENT_BASES).describe('Lawful basis of processing (GDPR art. 6(1))'),
        allow_model_training: z.boolean().default(false).describe('Never used for training unless true'),
        allow_manual_review: z
          .boolean()
          .default(false)
          .describe('Whether a reviewer may see low-confidence fields'),
        allow_analytics: z.boolean().default(false).describe('Whether the job may count in analytics'),
        allow_quality_improvement: z
          .boolean()
          .default(false)
          .describe('Whether the job may be used to improve quality'),
        allow_full_text: z
          .boolean()
          .default(false)
          .describe('Whether the full (redacted) text may be returned'),
        allow_model_use: z
          .boolean()
          .default(false)
          .describe(
            'Whether an AI model may see the pseudonymised text (the `model` and `auto` extractors); the purpose must permit it too',
          ),
        subject_ref: z
          .string()
          .regex(/^[\x21-\x7e]{1,200}$/)
          .optional()
          .describe(
            'Your reference for the data subject (e.g. a patient number); stored only as a keyed HMAC',
          ),
      })
      .strict(),
    outputs: z
      .array(z.enum(JOB_OUTPUTS))
      .min(1)
      .max(JOB_OUTPUTS.length)
      .refine((o) => new Set(o).size === o.length, 'distinct outputs')
      .default(['findings_summary', 'redacted']),
    retention_days: z
      .number()
      .int()
      .min(1)
      .max(MAX_RETENTION_DAYS)
      .optional()
      .describe(
        "Days the job's outputs are kept after it finishes; may only shorten the policy's retention (default: the policy's)",
      ),
    template: z
      .string()
      .regex(/^[a-z][a-z0-9_-]{0,63}$/)
      .optional()
      .describe('A field template (receipt, invoice, id_document, patient_intake) for the `fields` output'),
    template_fields: z
      .array(z.string().regex(/^[a-z][a-z0-9_]{0,63}$/))
      .min(1)
      .max(100)
      .refine((names) => new Set(names).size === names.length, 'distinct field names')
      .optional()
      .describe(
        'With `template`: extract only these of its fields (names from `GET /v1/templates`); absent, all of them',
      ),
    fields: z
      .array(fieldSpecSchema)
      .min(1)
      .max(100)
      .optional()
      .describe('Field specs for the `fields` output, instead of a template'),
    extractor: z.enum(EXTRACTOR_NAMES).optional().describe('rules (default, no model), model, or auto'),
    pages: z
      .string()
      .max(1000)
      .optional()
      .describe("Page ranges to read, such as `1-3,5`: nothing outside them is parsed, OCR'd or stored"),
    regions: z
      .array(
        z
          .object({
            page: z.number().int().min(1),
            x: z.number().min(0).max(1),
            y: z.number().min(0).max(1),
            width: z.number().min(0).max(1),
            height: z.number().min(0).max(1),
          })
          .strict(),
      )
      .min(1)
      .max(100)
      .optional()
      .describe(
        'Boxes to read, as fractions of the page (top-left origin): words outside them are dropped before anything is stored',
      ),
  })
  .strict();

const jsonBody = optionsSchema
  .extend({
    text: z
      .string()
      .min(1)
      .max(MAX_TEXT_CHARS)
      .optional()
      .describe('The document as text; never stored in plaintext'),
    upload_id: z.uuid().optional().describe('An upload that has received its bytes (POST /v1/uploads)'),
  })
  .strict()
  .refine((b) => (b.text === undefined) !== (b.upload_id === undefined), {
    message: 'exactly one of text or upload_id',
    path: ['text'],
  })
  .describe(
    'JSON: `text` or `upload_id`, with the options. Multipart: a `file` part and an `options` part holding these options as JSON.',
  );

type JobOptions = z.output<typeof optionsSchema>;

const acceptedSchema = z.object({
  job_id: z.string(),
  status: z.string().describe('`queued`, or `succeeded` for a job run inline (`VEIL_INLINE_MAX_BYTES`)'),
  status_url: z.string(),
});

const statusSchema = z.object({
  job_id: z.string(),
  status: z.enum(['queued', 'running', 'awaiting_review', 'succeeded', 'failed', 'cancelled']),
  purpose: z.string(),
  policy_hash: z.string().describe('SHA-256 of the canonical policy the job runs under'),
  consent: z.object({
    basis: z.string(),
    allow_model_training: z.boolean(),
    allow_manual_review: z.boolean(),
    allow_analytics: z.boolean().optional(),
    allow_quality_improvement: z.boolean().optional(),
    allow_full_text: z.boolean().optional(),
    allow_model_use: z.boolean().optional(),
  }),
  counts_by_type: z.record(z.string(), z.number().int()).describe('Findings per entity type; never values'),
  error_code: z.string().nullable(),
  redacted_available: z.boolean(),
  template: z
    .object({ name: z.string(), version: z.number().int(), hash: z.string() })
    .nullable()
    .describe('The field template the job extracts under, with its version and hash'),
  fields_available: z.boolean(),
  created_at: z.string(),
  updated_at: z.string(),
  delete_after: z.string(),
  region: z.string().nullable().optional(),
  cancel_reason: z.string().nullable().optional().describe('Why it was cancelled, e.g. consent_withdrawn'),
  retention: z
    .object({
      policy_id: z.string().nullable(),
      policy_hash: z.string(),
      classes: z.array(
        z.object({ class: z.string(), delete_after: z.string(), deleted_at: z.string().nullable() }),
      ),
    })
    .optional()
    .describe('Each retention class: when it is deleted and, once gone, when it was'),
});

export const receiptSchema = z.object({
  format: z.string(),
  event: z.record(z.string(), z.unknown()).describe('The `job.deleted` event as recorded'),
  leaf_index: z.number().int(),
  inclusion_path: z.array(z.string()),
  tree_head: z.object({
    tree_size: z.number().int(),
    root_hash: z.string(),
    timestamp: z.number().int(),
    key_id: z.string(),
    signature: z.string(),
  }),
});

const deletedSchema = z.object({
  job_id: z.string(),
  deleted: z.array(z.object({ class: z.string(), count: z.number().int() })),
  receipt: receiptSchema.describe('Verify offline: `veil audit verify receipt.json --public-key key.pem`'),
});

const revealBody = z
  .object({
    reason: z
      .object({
        code: z.enum(REVEAL_REASONS),
        ticket: z.string().min(1).max(128).optional().describe('The case or ticket id, e.g. DSR-2291'),
        note: z
          .string()
          .min(1)
          .max(160)
          .optional()
          .describe('A short note; refused if it looks like personal data'),
      })
      .strict(),
  })
  .strict();

const revealedSchema = z.object({
  job_id: z.string(),
  findings: z.array(
    z.object({ entity_type: z.string(), start: z.number().int(), end: z.number().int(), value: z.string() }),
  ),
});

const pageParams = z.object({
  id: jobId,
  page: z.coerce
    .number()
    .int()
    .min(1)
    .max(DEFAULT_LIMITS.maxPages)
    .describe(`The 1-based page number (at most ${DEFAULT_LIMITS.maxPages})`),
});

const pageQuery = z
  .object({
    dpi: z.coerce
      .number()
      .int()
      .min(PAGE_IMAGE_DPI.min)
      .max(PAGE_IMAGE_DPI.max)
      .default(PAGE_IMAGE_DPI.default)
      .describe(
        `Pixels per inch of the image, ${PAGE_IMAGE_DPI.min} to ${PAGE_IMAGE_DPI.max} (default ${PAGE_IMAGE_DPI.default}); a page is also kept within the pixel limit`,
      ),
  })
  .strict();

const summarySchema = statusSchema.omit({ redacted_available: true, fields_available: true });

const listQuery = z
  .object({
    status: statusSchema.shape.status.optional().describe('Only jobs in this state'),
    purpose: optionsSchema.shape.purpose.optional().describe('Only jobs of this purpose code'),
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .max(100)
      .default(20)
      .describe('Jobs per page, 1 to 100 (default 20)'),
    cursor: z.string().min(1).max(512).optional().describe('The `next_cursor` of the previous page'),
  })
  .strict();

const listSchema = z.object({
  jobs: z.array(summarySchema),
  next_cursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page'),
});

/** Printable ASCII without spaces, as most clients make keys (UUIDs, ULIDs, random base64url). */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

const submitHeaders = z
  .object({
    'idempotency-key': z
      .string()
      .regex(IDEMPOTENCY_KEY_PATTERN, '1 to 255 printable ASCII characters without spaces')
      .optional()
      .describe(
        'Makes retries safe: the same key with the same request returns the first job (for 24 hours); with another request it is refused (422).',
      ),
  })
  .loose();

const errors = { ...protectedErrorResponses, 404: errorResponseSchema, 409: errorResponseSchema };

const boxSchema = z.object({ x: z.number(), y: z.number(), width: z.number(), height: z.number() });
const fieldResultSchema = z.object({
  value: z
    .union([
      z.string(),
      z.number(),
      z.boolean(),
      z.object({
        amount: z.string().describe('A decimal string, never a float'),
        currency: z.string().nullable().describe('ISO 4217'),
      }),
    ])
    .nullable()
    .describe(
      'The normalised value: dates YYYY-MM-DD, phones E.164, money { amount, currency }; null when missing',
    ),
  type: z.enum(FIELD_TYPES),
  confidence: z.number().min(0).max(1),
  status: z
    .enum(['accepted', 'needs_review', 'reviewed', 'unverified', 'missing'])
    .describe(
      '`needs_review` while a review task is open, `reviewed` once a person decided, `unverified` when uncertain and no person may see it (or its task expired)',
    ),
  sensitivity: z.enum(SENSITIVITIES),
  page: z.number().int().nullable(),
  box: boxSchema.nullable().describe("In the page's unit (PDF points, image pixels), top-left origin"),
  checks: z.array(z.object({ name: z.string(), passed: z.boolean() })),
  agreement: z
    .enum(['agreed', 'disagreed', 'unchecked'])
    .optional()
    .describe(
      "Whether a second OCR engine's reading of the field's box holds the value (text fields the rules found): `agreed` or `disagreed` only when the field was read a second time (opt-in: `veil fields --second-reading`; job extraction does not), `unchecked` otherwise",
    ),
  review: z
    .object({
      action: z.enum(['confirm', 'correct', 'reject']),
      reviewer: z.string().describe("The reviewer's pseudonymous id"),
      decided_at: z.string(),
    })
    .optional()
    .describe('Who decided the field, how and when (status `reviewed`)'),
});
const fieldsSchema = z
  .object({
    template: z.object({ name: z.string(), version: z.number().int(), hash: z.string() }).nullable(),
    fields: z.record(z.string(), fieldResultSchema),
  })
  .describe('The same object `veil fields --json` prints');
const fullTextSchema = z.object({ job_id: z.string(), text: z.string() });

/**
 * A job's status, field by field: codes, hashes, counts and times.
 *
 * @example
 * ```ts
 * presentJobStatus(await getJobStatus(store, { tenant, jobId })); // { job_id, status: 'succeeded', counts_by_type: { US_SSN: 1 }, … }
 * ```
 */
export function presentJobStatus(view: JobStatusView): z.output<typeof statusSchema> {
  return {
    job_id: view.jobId,
    status: view.status,
    purpose: view.purpose,
    policy_hash: view.policyHash,
    consent: { basis: view.consent.basis, ...consentGrants(view.consent) },
    counts_by_type: { ...view.countsByType },
    error_code: view.errorCode,
    redacted_available: view.redactedAvailable,
    template: view.template ? { ...view.template } : null,
    fields_available: view.fieldsAvailable,
    created_at: view.createdAt.toISOString(),
    updated_at: view.updatedAt.toISOString(),
    delete_after: view.deleteAfter.toISOString(),
    region: view.region ?? null,
    cancel_reason: view.cancelReason ?? null,
    ...(view.retention === undefined
      ? {}
      : {
          retention: {
            policy_id: view.retention.policyId,
            policy_hash: view.retention.policyHash,
            classes: view.retention.classes.map((c) => ({
              class: c.retentionClass,
              delete_after: c.deleteAfter.toISOString(),
              deleted_at: c.deletedAt === null ? null : c.deletedAt.toISOString(),
            })),
          },
        }),
  };
}

/**
 * A job in a list, field by field: codes, counts and times, never values.
 *
 * @example
 * ```ts
 * presentJobSummary(page.jobs[0]); // { job_id, status: 'succeeded', purpose: 'claims-intake', counts_by_type: { US_SSN: 1 }, … }
 * ```
 */
export function presentJobSummary(job: JobSummary): z.output<typeof summarySchema> {
  return {
    job_id: job.jobId,
    status: job.status,
    purpose: job.purpose,
    policy_hash: job.policyHash,
    consent: {
      basis: job.consent.basis,
      allow_model_training: job.consent.allowModelTraining,
      allow_manual_review: job.consent.allowManualReview,
    },
    template: job.template ? { ...job.template } : null,
    counts_by_type: { ...job.countsByType },
    error_code: job.errorCode,
    created_at: job.createdAt.toISOString(),
    updated_at: job.updatedAt.toISOString(),
    delete_after: job.deleteAfter.toISOString(),
  };
}

/**
 * A deletion receipt, field by field. The event goes out exactly as recorded: its leaf hash
 * commits to those bytes.
 *
 * @example
 * ```ts
 * presentDeletion('4f0c…', await logs.recordWithReceipt(event)); // { job_id, deleted: [{ class: 'job', count: 1 }, …], receipt }
 * ```
 */
export function presentDeletion(id: string, receipt: AuditReceipt): z.output<typeof deletedSchema> {
  const head = receipt.tree_head;
  return {
    job_id: id,
    deleted: (receipt.event.deleted ?? []).map((d) => ({ class: d.class, count: d.count })),
    receipt: {
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
    },
  };
}

function submissionOf(options: JobOptions, source: JobSource): JobSubmission {
  return {
    source,
    purpose: options.purpose,
    consent: {
      basis: options.consent.basis,
      allowModelTraining: options.consent.allow_model_training,
      allowManualReview: options.consent.allow_manual_review,
      allowAnalytics: options.consent.allow_analytics,
      allowQualityImprovement: options.consent.allow_quality_improvement,
      allowFullText: options.consent.allow_full_text,
      allowModelUse: options.consent.allow_model_use,
      ...(options.consent.subject_ref === undefined ? {} : { subjectRef: options.consent.subject_ref }),
    },
    outputs: options.outputs,
    ...(options.retention_days === undefined ? {} : { retentionDays: options.retention_days }),
    ...(options.template !== undefined || options.fields !== undefined
      ? {
          extraction: {
            ...(options.template !== undefined ? { template: options.template } : {}),
            ...(options.template_fields !== undefined ? { templateFields: options.template_fields } : {}),
            ...(options.fields !== undefined ? { fields: options.fields } : {}),
            ...(options.extractor !== undefined ? { extractor: options.extractor } : {}),
            ...(options.pages !== undefined ? { pages: options.pages } : {}),
            ...(options.regions !== undefined ? { regions: options.regions } : {}),
          },
        }
      : {}),
  };
}

function invalid(message: string): VeilError {
  return new VeilError('VEIL_INVALID_REQUEST', message);
}

/** @fastify/multipart's errors, by code, as Veil's (their messages are never passed on). */
function multipartError(error: unknown): unknown {
  if (isVeilError(error)) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'FST_REQ_FILE_TOO_LARGE')
    return new VeilError('VEIL_BODY_TOO_LARGE', 'jobs: the file is larger than the server allows');
  if (
    code === 'FST_FILES_LIMIT_REACHED' ||
    code === 'FST_PARTS_LIMIT_REACHED' ||
    code === 'FST_FIELDS_LIMIT_REACHED'
  )
    return invalid('jobs: send one `file` part and one `options` part');
  if (code === 'FST_INVALID_MULTIPART_CONTENT_TYPE')
    return new VeilError('VEIL_UNSUPPORTED_MEDIA_TYPE', 'jobs: send JSON or multipart/form-data');
  return error;
}

async function readMultipart(request: FastifyRequest): Promise<JobSubmission> {
  let file: { bytes: Buffer; mediaType: string } | undefined;
  let options: unknown;
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        if (part.fieldname !== 'file' || file !== undefined)
          throw invalid('jobs: send the document as one part named `file`');
        file = { bytes: await part.toBuffer(), mediaType: part.mimetype.split(';')[0]!.trim().toLowerCase() };
      } else if (part.fieldname === 'options') {
        try {
          options = JSON.parse(String(part.value));
        } catch {
          throw invalid('jobs: the `options` part must be JSON');
        }
      } else {
        throw invalid('jobs: multipart takes only the parts `file` and `options`');
      }
    }
  } catch (error) {
    throw multipartError(error);
  }
  if (file === undefined || file.bytes.length === 0)
    throw invalid('jobs: the `file` part is missing or empty');
  const parsed = optionsSchema.safeParse(options ?? {});
  if (!parsed.success) {
    // Names the field and the rule, never a value sent.
    const issue = parsed.error.issues[0];
    const known = fieldNamesOf(optionsSchema);
    const path = [
      'options',
      ...(issue?.path ?? []).map((p) => (typeof p === 'number' || known.has(String(p)) ? String(p) : '*')),
    ];
    throw invalid(
      `${path.join('.')}: ${issue?.code === 'unrecognized_keys' ? 'unknown field' : 'is missing or invalid'}`,
    );
  }
  return submissionOf(parsed.data, { kind: 'file', ...file });
}

/**
 * The job routes as a plugin for `deps.routes`: `POST /v1/jobs` (`job:create`), `GET
 * /v1/jobs/:id` (`job:read`), `GET /v1/jobs/:id/redacted` and `GET
 * /v1/jobs/:id/redacted/pages/:page` (`job:read-redacted`), `DELETE
 * /v1/jobs/:id` (`job:delete`) and `POST /v1/jobs/:id/reveal` (`job:reveal`, with a reason).
 * Another tenant's job ids answer 404.
 *
 * @example
 * ```ts
 * const app = await buildApp({ ...deps, uploads, jobs }); // buildApp registers these routes
 * ```
 */
export function jobRoutes(port: JobsPort): ApiRoutePlugin {
  return async (app: FastifyInstance) => {
    // Multipart for this plugin only: one file, one options field, nothing else.
    await app.register(multipart, {
      limits: {
        files: 1,
        fileSize: port.maxBytes,
        fields: 1,
        parts: 2,
        fieldSize: 64 * 1024,
        headerPairs: 100,
      },
    });
    const api = app.withTypeProvider<ZodTypeProvider>();
    const tags = ['jobs'];
    const security = [{ bearer: [] }];
    const params = z.object({ id: jobId });

    api.post(
      '/v1/jobs',
      {
        config: { permission: 'job:create' },
        // The JSON body is validated by its schema; a multipart body is read (and validated) by
        // the handler, so the schema is skipped when there is no parsed body.
        validatorCompiler: (route) => {
          const validate = validatorCompiler(route as unknown as Parameters<typeof validatorCompiler>[0]);
          return route.httpPart === 'body'
            ? (data: unknown) => (data === undefined || data === null ? { value: data } : validate(data))
            : validate;
        },
        schema: {
          summary: 'Submit a document',
          description:
            "JSON `{ text | upload_id, purpose, consent, outputs, retention_days }`, or multipart/form-data with a `file` part and an `options` part (the same options as JSON). The `fields` output takes `template` or `fields`, with `extractor`, `pages` and `regions` (the `model` and `auto` extractors need a configured AI provider, `consent.allow_model_use` and a purpose whose policy sets `model: pseudonymised`); the `text` output needs `consent.allow_full_text`. Returns at once with `status: queued`; poll `status_url`. A `text/plain` document up to the deployment's `VEIL_INLINE_MAX_BYTES` (off by default) without the `fields` or `text` outputs runs to completion before the answer, which then says `status: succeeded` (its outputs can be read at once; the original was never stored); should it fail inline, it is queued and the answer says `queued`.",
          tags,
          security,
          headers: submitHeaders,
          body: jsonBody,
          response: { 202: acceptedSchema, ...errors, 410: errorResponseSchema, 422: errorResponseSchema },
        },
      },
      async (request, reply) => {
        let submission: JobSubmission;
        if (request.isMultipart()) {
          submission = await readMultipart(request);
        } else {
          const body = request.body as z.output<typeof jsonBody> | null | undefined;
          if (body === undefined || body === null)
            throw invalid('body: send a JSON object or multipart/form-data');
          const { text, upload_id: uploadId, ...options } = body;
          submission = submissionOf(
            options,
            text !== undefined ? { kind: 'text', text } : { kind: 'upload', uploadId: uploadId! },
          );
        }
        const idempotencyKey = request.headers['idempotency-key'];
        const job = await port.submit(principalOf(request), submission, { idempotencyKey });
        const statusUrl = `/v1/jobs/${encodeURIComponent(job.jobId)}`;
        if (job.replayed === true) void reply.header('idempotent-replayed', 'true');
        return reply
          .code(202)
          .header('location', statusUrl)
          .send({ job_id: job.jobId, status: job.status, status_url: statusUrl });
      },
    );

    api.get(
      '/v1/jobs',
      {
        config: { permission: 'job:read' },
        schema: {
          summary: "The tenant's jobs",
          description:
            'Newest first, filtered by `status` and `purpose`, paged by `cursor` (follow `next_cursor`). Codes, counts and times only, never values.',
          tags,
          security,
          querystring: listQuery,
          response: { 200: listSchema, ...errors },
        },
      },
      async (request) => {
        const page = await port.list(principalOf(request), request.query);
        return { jobs: page.jobs.map(presentJobSummary), next_cursor: page.cursor ?? null };
      },
    );

    api.get(
      '/v1/jobs/:id',
      {
        config: { permission: 'job:read' },
        schema: {
          summary: "A job's status",
          description:
            'Status, policy hash, consent context, counts by entity type (never values), times and the retention block. 410 once every artifact has been deleted under retention, with the deletion receipt reference.',
          tags,
          security,
          params,
          response: { 200: statusSchema, ...errors, 410: errorResponseSchema },
        },
      },
      async (request) => presentJobStatus(await port.status(principalOf(request), request.params.id)),
    );

    api.get(
      '/v1/jobs/:id/redacted',
      {
        config: { permission: 'job:read-redacted' },
        schema: {
          summary: 'The redacted document',
          description:
            'The redacted output with its media type; 409 until the job has succeeded. Audited as `job.download`.' +
            RECEIPT_NOTE,
          tags,
          security,
          params,
          response: errors,
        },
      },
      async (request, reply) => {
        const { mediaType, bytes } = await port.redacted(principalOf(request), request.params.id);
        reply
          .type(mediaType.startsWith('text/') ? `${mediaType}; charset=utf-8` : mediaType)
          .header('content-disposition', 'attachment');
        // Raw bytes are sent as they are (Fastify serialises only objects).
        return sendReleased(port, request, request.params.id, reply, 'redacted', bytes);
      },
    );

    api.get(
      '/v1/jobs/:id/redacted/pages/:page',
      {
        config: { permission: 'job:read-redacted' },
        schema: {
          summary: 'A page of the redacted PDF, as an image',
          description:
            `One page of the job's redacted PDF (the redacted output, never the original) rendered as a PNG; the \`${PAGE_COUNT_HEADER}\` header gives the number of pages. 409 \`VEIL_JOB_NOT_READY\` until the job has succeeded, 409 \`VEIL_JOB_NOT_PDF\` when its redacted output is not a PDF, 404 \`VEIL_PAGE_OUT_OF_RANGE\` past its last page. Each page is audited as \`job.download\`.` +
            RECEIPT_NOTE,
          tags,
          security,
          params: pageParams,
          querystring: pageQuery,
          response: errors,
        },
      },
      async (request, reply) => {
        const { id, page } = request.params;
        const { png, pages } = await port.redactedPage(principalOf(request), id, {
          page,
          dpi: request.query.dpi,
        });
        reply.type('image/png').header(PAGE_COUNT_HEADER, String(pages));
        return sendReleased(port, request, id, reply, 'redacted', Buffer.from(png));
      },
    );

    api.get(
      '/v1/jobs/:id/fields',
      {
        config: { permission: 'job:read-redacted' },
        schema: {
          summary: 'The extracted fields',
          description:
            'The requested fields, typed and normalised, with confidence, status, sensitivity, page, box and checks; no transcript. 409 until the job has succeeded; 404 when no fields were asked for. Audited as `job.fields`.' +
            RECEIPT_NOTE,
          tags,
          security,
          params,
          response: { 200: fieldsSchema, ...errors },
        },
      },
      async (request, reply) => {
        const result = await port.fields(principalOf(request), request.params.id);
        return sendReleased(port, request, request.params.id, reply, 'fields', fieldsSchema.parse(result));
      },
    );

    api.get(
      '/v1/jobs/:id/text',
      {
        config: { permission: 'job:read-redacted' },
        schema: {
          summary: 'The full transcript',
          description:
            'Only for jobs submitted with the `text` output and `consent.allow_full_text: true`. Audited as `job.full_text`.' +
            RECEIPT_NOTE,
          tags,
          security,
          params,
          response: { 200: fullTextSchema, ...errors },
        },
      },
      async (request, reply) => {
        const { text } = await port.fullText(principalOf(request), request.params.id);
        return sendReleased(
          port,
          request,
          request.params.id,
          reply,
          'text',
          fullTextSchema.parse({ job_id: request.params.id, text }),
        );
      },
    );

    api.delete(
      '/v1/jobs/:id',
      {
        config: { permission: 'job:delete' },
        schema: {
          summary: 'Delete a job and everything it stored',
          description:
            'Hard deletion of every artifact and the job record. Returns the `job.deleted` audit event with its inclusion proof and a signed tree head, verifiable offline with /v1/audit/public-key.',
          tags,
          security,
          params,
          response: { 200: deletedSchema, ...errors },
        },
      },
      async (request) =>
        presentDeletion(request.params.id, await port.delete(principalOf(request), request.params.id)),
    );

    api.post(
      '/v1/jobs/:id/reveal',
      {
        config: { permission: 'job:reveal' },
        schema: {
          summary: 'Reveal the original values of the findings',
          description:
            'Privileged (admin, dpo) and audited as `job.reveal` with the reason before anything is decrypted. The only route that returns detected values. The note must not contain personal data: give a reason code and a ticket id.' +
            RECEIPT_NOTE,
          tags,
          security,
          params,
          body: revealBody,
          response: { 200: revealedSchema, ...errors },
        },
      },
      async (request, reply) => {
        const values = await port.reveal(principalOf(request), request.params.id, request.body.reason);
        return sendReleased(
          port,
          request,
          request.params.id,
          reply,
          'reveal',
          revealedSchema.parse({
            job_id: request.params.id,
            findings: values.map((v) => ({
              entity_type: v.type,
              start: v.start,
              end: v.end,
              value: v.value,
            })),
          }),
        );
      },
    );
  };
}
