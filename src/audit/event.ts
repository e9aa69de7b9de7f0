/**
 * The audit event: who did what to which object, under which policy and purpose, and how many.
 *
 * An event is public to every auditor and lives forever in an append-only log, so it must never
 * hold document content, a detected value or a token. The schema enforces that by shape: every
 * field is an opaque id, a hash, an enum, a count or a bounded reason note that refuses anything
 * shaped like personal data (e-mail addresses, long digit runs, long token-like strings). Unknown
 * keys are refused at every level, so no free-text field can be added by accident.
 */
import { z } from 'zod';
import { VeilError } from '../errors/veil-error.js';
import { canonicalJson } from './canonical.js';

/** The actions an event can record. `admin.*` covers every administrative action by name. */
export const KNOWN_ACTIONS = [
  'job.created',
  'job.step',
  'job.reveal',
  'job.download',
  'job.deleted',
  'job.full_text',
  'key.rotated',
  'key.retired',
  'api_key.created',
  'api_key.revoked',
  'policy.changed',
  'auth.failed',
  'permission.denied',
  // Governance (issue 15).
  'retention.expired',
  'consent.withdrawn',
  'dsr.access',
  'dsr.erasure',
  'ai.request',
  'ai.egress_blocked',
  'text.analyzed',
  'text.anonymized',
  'analytics.released',
  'alert.raised',
  // Legal holds (issue 15).
  'legal_hold.placed',
  'legal_hold.lifted',
  'retention.held',
  // Privacy metrics (issue 16): a read of a job's extracted fields, counted among the outputs
  // that hand out values from a document.
  'job.fields',
] as const;

/** An action: one of {@link KNOWN_ACTIONS} or `admin.<name>`. */
export type AuditAction = (typeof KNOWN_ACTIONS)[number] | `admin.${string}`;

/** The largest canonical event, in bytes; a bound that keeps any smuggled payload small. */
export const MAX_EVENT_BYTES = 4096;

// Opaque ids: UUIDs, ULIDs, slugs, `kind:id`. No '@' (so no e-mail address), no spaces.
const ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const SLUG = /^[a-z][a-z0-9_.-]{0,63}$/;
const ADMIN_ACTION = /^admin\.[a-z][a-z0-9_]{0,31}(?:\.[a-z][a-z0-9_]{0,31}){0,3}$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;
// A reason note is words for a human, not data: printable ASCII letters, digits and light punctuation.
const NOTE_CHARS = /^[A-Za-z0-9 .,;:()'/#_-]{1,160}$/;

// Shapes an id must not have because they are data: Veil's own tokenize output (`tok_…`), and
// numbers of seven or more digits with only separators (SSNs, phone and card numbers).
const TOKEN_LIKE = /^tok_/i;
const NUMBER_LIKE = /^(?:\d[\s._:-]?){7,}$/;
const id = z
  .string()
  .regex(ID, { error: 'expected an opaque id (letters, digits, . _ : -; at most 128)' })
  .refine((s) => !TOKEN_LIKE.test(s) && !NUMBER_LIKE.test(s), {
    error: 'looks like a token or a number from a document, not an opaque id',
  });
const slug = z.string().regex(SLUG, { error: 'expected a lower-case name (a-z, 0-9, _ . -; at most 64)' });
const sha256 = z.string().regex(SHA256_HEX, { error: 'expected a SHA-256 hash as 64 lower-case hex digits' });
// An AI provider's host as a URL names it (a name, IPv4 or [IPv6], an optional port), and its model
// as the provider names it (`llama3.1:8b`, `Qwen/Qwen2.5-7B-Instruct`). Neither may hold an '@'.
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/;
const MODEL = /^[A-Za-z0-9][A-Za-z0-9._:/+-]{0,127}$/;
const REGION = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
// An IPv4 address is a run of digits that is a host, not document data.
const IPV4_HOST = /^(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?$/;
const provider = z
  .object({
    host: z
      .string()
      .regex(HOST, { error: 'expected a host name or address with an optional port' })
      .refine((s) => IPV4_HOST.test(s) || (!TOKEN_LIKE.test(s) && !NUMBER_LIKE.test(s)), {
        error: 'looks like a token or a number from a document, not a host',
      }),
    model: z
      .string()
      .regex(MODEL, { error: 'expected a model name (letters, digits, . _ : / + -; at most 128)' })
      .refine((s) => !TOKEN_LIKE.test(s) && !NUMBER_LIKE.test(s), {
        error: 'looks like a token or a number from a document, not a model name',
      }),
    region: z
      .string()
      .regex(REGION, { error: 'expected a region label (letters, digits, . _ -; at most 64)' })
      .refine((s) => !TOKEN_LIKE.test(s) && !NUMBER_LIKE.test(s), {
        error: 'looks like a token or a number from a document, not a region',
      })
      .optional(),
  })
  .strict();
const count = z.number().int({ error: 'expected a whole number' }).min(0).max(Number.MAX_SAFE_INTEGER);

/**
 * True when a reason note looks like it carries personal data or a secret rather than a reason:
 * an e-mail address, five or more digits in a row (identifiers, phone and card numbers, even with
 * separators), or a long unbroken run of letters and digits (tokens, keys, encoded values).
 */
function looksLikeData(note: string): boolean {
  if (/\d(?:[\s./-]?\d){4,}/.test(note)) return true;
  return /[A-Za-z0-9_-]{25,}/.test(note);
}

const note = z
  .string()
  .regex(NOTE_CHARS, {
    error: "expected at most 160 characters of letters, digits, spaces and . , ; : ( ) ' / # _ -",
  })
  .refine((s) => !looksLikeData(s), {
    error:
      'looks like data, not a reason (an e-mail address, a long number or a token); give a reason code and a ticket id instead',
  });

/** Who acted. `anonymous` for a request that failed authentication. */
export const ACTOR_ROLES = [
  'anonymous',
  'user',
  'reviewer',
  'analyst',
  'auditor',
  'admin',
  'service',
  'system',
] as const;

/** Why content was revealed: a code every reveal must carry, with an optional short note. */
export const REVEAL_REASONS = [
  'data_subject_request',
  'legal_obligation',
  'fraud_investigation',
  'clinical_care',
  'customer_support',
  'quality_review',
  'security_incident',
  'other',
] as const;

/** What an object id names. */
export const OBJECT_KINDS = [
  'job',
  'document',
  'artifact',
  'field',
  'policy',
  'key',
  'principal',
  'tenant',
  'subject',
  'request',
  'export',
  'legal_hold',
] as const;

const objectRef = z.object({ kind: z.enum(OBJECT_KINDS), id }).strict();

const eventSchema = z
  .object({
    v: z.literal(1),
    time: z.iso.datetime({ precision: 3, error: 'expected a UTC time like 2025-01-31T12:00:00.000Z' }),
    actor: z.object({ id, role: z.enum(ACTOR_ROLES) }).strict(),
    tenant: id,
    action: z.union([z.enum(KNOWN_ACTIONS), z.string().regex(ADMIN_ACTION)], {
      error: `expected one of ${KNOWN_ACTIONS.join(', ')} or admin.<name>`,
    }),
    objects: z.array(objectRef).max(32).optional(),
    policy_hash: sha256.optional(),
    purpose: slug.optional(),
    counts: z
      .record(slug, count)
      .refine((c) => Object.keys(c).length <= 32, { error: 'at most 32 counts' })
      .optional(),
    step: slug.optional(),
    outcome: z.enum(['started', 'succeeded', 'failed', 'retried', 'skipped']).optional(),
    reason: z
      .object({ code: z.enum(REVEAL_REASONS), ticket: id.optional(), note: note.optional() })
      .strict()
      .optional(),
    deleted: z
      .array(z.object({ class: slug, count }).strict())
      .min(1)
      .max(32)
      .optional(),
    trigger: z
      .enum(['retention', 'request', 'data_subject_request', 'admin', 'tenant_erasure', 'schedule'])
      .optional(),
    key: z.object({ id, version: count }).strict().optional(),
    method: z.enum(['api_key', 'jwt', 'oidc', 'mtls', 'session']).optional(),
    code: slug.optional(),
    permission: slug.optional(),
    /** The roles an API key grants (the key's id is an object of kind `key`; never its secret). */
    roles: z.array(slug).min(1).max(16).optional(),
    /** The deployment region the event happened in (`VEIL_REGION`). */
    region: slug.optional(),
    /** For `policy.changed`: the hash of the policy it replaced. */
    previous_policy_hash: sha256.optional(),
    /** The AI provider a model call went to (ai.*). */
    provider: provider.optional(),
    /** SHA-256 of the pseudonymised prompt as sent (ai.request); never the prompt. */
    prompt_hash: sha256.optional(),
    /** A legal hold (legal_hold.*): what it covers, its reason code and its matter or ticket id. */
    hold: z
      .object({ scope: z.enum(['job', 'subject', 'tenant']), reason: slug, reference: id })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((event, ctx) => {
    const need = (field: string, present: boolean): void => {
      if (!present)
        ctx.addIssue({ code: 'custom', path: [field], message: `${event.action} needs \`${field}\`` });
    };
    const hasJob = event.objects?.some((o) => o.kind === 'job') ?? false;
    switch (event.action) {
      case 'job.created':
        need('objects (a job)', hasJob);
        need('policy_hash', event.policy_hash !== undefined);
        need('purpose', event.purpose !== undefined);
        break;
      case 'job.step':
        need('objects (a job)', hasJob);
        need('step', event.step !== undefined);
        need('outcome', event.outcome !== undefined);
        break;
      case 'job.reveal':
        need('objects (a job)', hasJob);
        need('reason', event.reason !== undefined);
        need('purpose', event.purpose !== undefined);
        break;
      case 'job.download':
      case 'job.full_text':
      case 'job.fields':
        need('objects (a job)', hasJob);
        break;
      case 'job.deleted':
        need('deleted', event.deleted !== undefined);
        need('trigger', event.trigger !== undefined);
        break;
      case 'key.rotated':
      case 'key.retired':
        need('key', event.key !== undefined);
        break;
      case 'api_key.created':
        need('objects (a key)', event.objects?.some((o) => o.kind === 'key') ?? false);
        need('roles', event.roles !== undefined);
        break;
      case 'api_key.revoked':
        need('objects (a key)', event.objects?.some((o) => o.kind === 'key') ?? false);
        break;
      case 'policy.changed':
        need('policy_hash', event.policy_hash !== undefined);
        break;
      case 'auth.failed':
        need('method', event.method !== undefined);
        break;
      case 'permission.denied':
        need('permission', event.permission !== undefined);
        break;
      case 'retention.expired':
        need('objects (a job)', hasJob);
        need('deleted', event.deleted !== undefined);
        need('trigger', event.trigger !== undefined);
        break;
      case 'consent.withdrawn':
        need('counts', event.counts !== undefined);
        break;
      case 'dsr.access':
      case 'dsr.erasure':
        need('counts', event.counts !== undefined);
        break;
      case 'ai.request':
        need('provider', event.provider !== undefined);
        need('prompt_hash', event.prompt_hash !== undefined);
        need('outcome', event.outcome !== undefined);
        break;
      case 'ai.egress_blocked':
        need('provider', event.provider !== undefined);
        need('counts', event.counts !== undefined);
        break;
      case 'analytics.released':
        need('counts', event.counts !== undefined);
        break;
      case 'alert.raised':
        need('code', event.code !== undefined);
        break;
      case 'legal_hold.placed':
      case 'legal_hold.lifted':
        need('objects (a legal hold)', event.objects?.some((o) => o.kind === 'legal_hold') ?? false);
        need('hold', event.hold !== undefined);
        break;
      case 'retention.held':
        need('counts', event.counts !== undefined);
        break;
    }
  });

const FIELD_NAMES = new Set([
  ...Object.keys(eventSchema.shape),
  ...['id', 'role', 'kind', 'code', 'ticket', 'note', 'class', 'count', 'version', 'host', 'model', 'region'],
  ...['scope', 'reference', 'objects (a job)', 'objects (a key)', 'objects (a legal hold)'],
]);

/** The event schema (zod). Prefer {@link parseAuditEvent}, which throws a VeilError. */
export const auditEventSchema = eventSchema;

/** A validated audit event. */
export type AuditEvent = z.infer<typeof eventSchema> & { action: AuditAction };

/** An event before validation: what a caller builds. `v` defaults to 1. */
export type AuditEventInput = Omit<AuditEvent, 'v'> & { v?: 1 };

/**
 * Validates an event and returns it; throws `VEIL_AUDIT_INVALID_EVENT` naming the first bad field
 * (never its value, which may be exactly the data that must not be logged).
 *
 * @example
 * ```ts
 * parseAuditEvent({
 *   time: '2025-01-31T12:00:00.000Z',
 *   actor: { id: 'svc-intake', role: 'service' },
 *   tenant: 'acme',
 *   action: 'job.download',
 *   objects: [{ kind: 'job', id: 'job_01HZX' }],
 * });
 * ```
 */
export function parseAuditEvent(input: unknown): AuditEvent {
  return canonicalAuditEvent(input).event;
}

/**
 * {@link parseAuditEvent} that also returns the event's canonical JSON, so a caller that hashes it
 * (append, verification) canonicalises once.
 *
 * @example
 * ```ts
 * const { canonical } = canonicalAuditEvent(input);
 * const leafHash = hashLeaf(Buffer.from(canonical, 'utf8'));
 * ```
 */
export function canonicalAuditEvent(input: unknown): { event: AuditEvent; canonical: string } {
  const candidate =
    input !== null && typeof input === 'object' && !Array.isArray(input) && !('v' in input)
      ? { v: 1, ...input }
      : input;
  const result = eventSchema.safeParse(candidate);
  if (!result.success) {
    const issue = result.error.issues[0];
    // A path can hold a record key, which is input too: name only the schema's own field names.
    const path = issue?.path.length
      ? issue.path
          .map((p) => (typeof p === 'number' || FIELD_NAMES.has(String(p)) ? String(p) : '<key>'))
          .join('.')
      : '(event)';
    // zod's messages name the rule, not the input; keep it that way by writing the message ourselves.
    const rule =
      issue?.code === 'unrecognized_keys'
        ? 'unknown key (events hold only ids, hashes, enums and counts)'
        : issue?.message;
    throw new VeilError('VEIL_AUDIT_INVALID_EVENT', `audit event: ${path}: ${rule ?? 'invalid'}`);
  }
  const event = result.data as AuditEvent;
  const canonical = canonicalJson(event);
  // Length in UTF-16 units bounds the UTF-8 length from below; only near the bound count bytes.
  if (
    canonical.length > MAX_EVENT_BYTES ||
    (canonical.length * 3 > MAX_EVENT_BYTES && Buffer.byteLength(canonical, 'utf8') > MAX_EVENT_BYTES)
  )
    throw new VeilError('VEIL_AUDIT_INVALID_EVENT', `audit event: larger than ${MAX_EVENT_BYTES} bytes`);
  return { event, canonical };
}
