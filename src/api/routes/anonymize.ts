/**
 * `POST /v1/anonymize`: applies operators to the spans of a text, close to Presidio's anonymizer
 * REST API. The spans come from the caller (`analyzer_results`, as `/v1/analyze` returns them) or,
 * when absent, from the default analyzer. Nothing is stored.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { anonymize, OPERATORS } from '../../engine/anonymize/index.js';
import type { AnonymizationPlan, AnonymizedItem, OperatorConfig } from '../../engine/anonymize/index.js';
import type { Finding } from '../../engine/types.js';
import { VeilError } from '../../errors/veil-error.js';
import { principalOf } from '../guard.js';
import type { AnalyzeText, AuditRecorder, TenantKeys } from '../ports.js';
import { countsByType, entityTypeSchema, protectedErrorResponses } from '../schemas.js';
import { findingPartSchema } from './analyze.js';

const operatorSchema = z.discriminatedUnion('type', [
  z
    .object({ type: z.literal('replace'), new_value: z.string().max(256).optional() })
    .strict()
    .describe('A numbered tag such as <PERSON_1>, or new_value'),
  z
    .object({ type: z.literal('redact') })
    .strict()
    .describe('Removes the value'),
  z
    .object({
      type: z.literal('mask'),
      masking_char: z.string().length(1).optional(),
      chars_to_mask: z.number().int().min(0).max(10_000).optional(),
      from_end: z.boolean().optional(),
      keep_last: z.number().int().min(0).max(10_000).optional(),
      keep_separators: z.boolean().optional(),
    })
    .strict()
    .describe('Overwrites characters with masking_char'),
  z
    .object({
      type: z.literal('generalize'),
      kind: z.enum(['age', 'zip', 'date']).optional(),
      band_width: z.number().int().min(1).max(100).optional(),
      top_age: z.number().int().min(1).max(150).optional(),
    })
    .strict()
    .describe('Coarsens an age to a band, a ZIP code to three digits, a date to its year'),
  z
    .object({ type: z.literal('keep') })
    .strict()
    .describe('Leaves the value as it is'),
  z
    .object({ type: z.literal('hash') })
    .strict()
    .describe("HMAC-SHA256 under the tenant's key (needs server keys)"),
  z
    .object({ type: z.literal('encrypt') })
    .strict()
    .describe("Authenticated encryption under the tenant's key (needs server keys)"),
  z
    .object({ type: z.literal('fpe'), checksum: z.enum(['luhn', 'none']).optional() })
    .strict()
    .describe('Format-preserving encryption of the digits (needs server keys)'),
  z
    .object({
      type: z.literal('date_shift'),
      max_days: z.number().int().min(1).max(3650).optional(),
      order: z.enum(['mdy', 'dmy']).optional(),
    })
    .strict()
    .describe('Moves dates by a consistent number of days (needs server keys)'),
]);

type OperatorRequest = z.output<typeof operatorSchema>;

/** Whether an operator needs the tenant's keys: read from the operator itself, never a list kept here. */
const keyed = (type: OperatorRequest['type']): boolean => OPERATORS[type].needs.includes('keys');

export const anonymizeRequestSchema = z
  .object({
    text: z.string().describe('The text to anonymise; never stored or logged'),
    analyzer_results: z
      .array(
        z
          .object({
            entity_type: entityTypeSchema,
            start: z.number().int().min(0),
            end: z.number().int().min(0),
            score: z.number().min(0).max(1).optional(),
            recognizer: z.string().max(64).optional(),
            // Accepted so that /v1/analyze's answer can be passed back as it is; the whole span is
            // what is anonymised.
            parts: z.array(findingPartSchema).max(16).optional(),
          })
          .strict(),
      )
      .max(100_000)
      .optional()
      .describe(
        'The spans to anonymise (as /v1/analyze returns them); the default analyzer runs when absent',
      ),
    anonymizers: z
      .record(z.union([entityTypeSchema, z.literal('DEFAULT')]), operatorSchema)
      .optional()
      .describe('The operator per entity type; DEFAULT applies to every other type (replace by default)'),
  })
  .strict();

export const anonymizeResponseSchema = z.object({
  text: z.string(),
  items: z.array(
    z.object({
      entity_type: z.string(),
      start: z.number().int().describe('Offset into the anonymised text'),
      end: z.number().int(),
      operator: z.string(),
    }),
  ),
});

export type AnonymizeRequest = z.output<typeof anonymizeRequestSchema>;

/**
 * The engine's operator config for a requested operator: Presidio's names mapped to Veil's.
 *
 * @example
 * ```ts
 * operatorConfigOf({ type: 'mask', masking_char: '#', chars_to_mask: 4, from_end: true });
 * // { operator: 'mask', char: '#', count: 4, fromEnd: true }
 * ```
 */
export function operatorConfigOf(request: OperatorRequest): OperatorConfig {
  switch (request.type) {
    case 'replace':
      return request.new_value === undefined
        ? { operator: 'replace' }
        : { operator: 'replace', value: request.new_value };
    case 'mask':
      return {
        operator: 'mask',
        ...(request.masking_char === undefined ? {} : { char: request.masking_char }),
        ...(request.chars_to_mask === undefined ? {} : { count: request.chars_to_mask }),
        ...(request.from_end === undefined ? {} : { fromEnd: request.from_end }),
        ...(request.keep_last === undefined ? {} : { keepLast: request.keep_last }),
        ...(request.keep_separators === undefined ? {} : { keepSeparators: request.keep_separators }),
      };
    case 'generalize':
      return {
        operator: 'generalize',
        ...(request.kind === undefined ? {} : { kind: request.kind }),
        ...(request.band_width === undefined ? {} : { bandWidth: request.band_width }),
        ...(request.top_age === undefined ? {} : { topAge: request.top_age }),
      };
    case 'fpe':
      return request.checksum === undefined
        ? { operator: 'fpe' }
        : { operator: 'fpe', checksum: request.checksum };
    case 'date_shift':
      return {
        operator: 'date_shift',
        ...(request.max_days === undefined ? {} : { maxDays: request.max_days }),
        ...(request.order === undefined ? {} : { order: request.order }),
      };
    case 'redact':
    case 'keep':
    case 'hash':
    case 'encrypt':
      return { operator: request.type };
  }
}

/**
 * The engine's plan for a request's `anonymizers`.
 *
 * @example
 * ```ts
 * planOf({ DEFAULT: { type: 'redact' }, AGE: { type: 'keep' } });
 * // { default: { operator: 'redact' }, operators: { AGE: { operator: 'keep' } } }
 * ```
 */
export function planOf(anonymizers: AnonymizeRequest['anonymizers']): AnonymizationPlan {
  const operators: Record<string, OperatorConfig> = {};
  let fallback: OperatorConfig = { operator: 'replace' };
  for (const [type, request] of Object.entries(anonymizers ?? {})) {
    if (type === 'DEFAULT') fallback = operatorConfigOf(request);
    else operators[type] = operatorConfigOf(request);
  }
  return { default: fallback, operators };
}

/**
 * The presenter: each field of an anonymised item that the API returns, picked by name.
 *
 * @example
 * ```ts
 * presentItem({ type: 'PERSON', start: 0, end: 10, operator: 'replace' });
 * // { entity_type: 'PERSON', start: 0, end: 10, operator: 'replace' }
 * ```
 */
export function presentItem(item: AnonymizedItem): z.output<typeof anonymizeResponseSchema>['items'][number] {
  return { entity_type: item.type, start: item.start, end: item.end, operator: item.operator };
}

/**
 * Registers `POST /v1/anonymize` (permission `analyze:run`). Keyed operators are offered only
 * when `tenantKeys` is given; they then run under the caller's tenant keys.
 *
 * @example
 * ```ts
 * await app.register(async (scope) => anonymizeRoutes(scope, analyzeInProcess(createAnalyzerCache(64)), undefined));
 * ```
 */
export async function anonymizeRoutes(
  app: FastifyInstance,
  analyzeText: AnalyzeText,
  tenantKeys: TenantKeys | undefined,
  audit?: AuditRecorder,
): Promise<void> {
  app.withTypeProvider<ZodTypeProvider>().post(
    '/v1/anonymize',
    {
      config: { permission: 'analyze:run' },
      schema: {
        summary: 'Anonymise the personal data in a text',
        description:
          "Close to Presidio's anonymizer API. Keyless operators: replace, redact, mask, generalize, keep; hash, encrypt, fpe and date_shift need server keys. Nothing is stored.",
        tags: ['analysis'],
        security: [{ bearer: [] }],
        body: anonymizeRequestSchema,
        response: { 200: anonymizeResponseSchema, ...protectedErrorResponses },
      },
    },
    async (request) => {
      const { text, analyzer_results: results, anonymizers } = request.body;
      const needsKeys = Object.entries(anonymizers ?? {}).find(([, operator]) => keyed(operator.type));
      if (needsKeys !== undefined && tenantKeys === undefined) {
        const [type, operator] = needsKeys;
        throw new VeilError(
          'VEIL_INVALID_OPTION',
          `anonymizers.${type}.type: the ${operator.type} operator needs tenant keys, which this server is not configured with; use replace, redact, mask, generalize or keep`,
        );
      }
      const findings: readonly Finding[] =
        results === undefined
          ? await analyzeText(text, {})
          : results.map((r) => ({
              type: r.entity_type,
              start: r.start,
              end: r.end,
              score: r.score ?? 1,
              recognizer: r.recognizer ?? 'caller',
            }));
      const principal = principalOf(request);
      const keys =
        keyed === undefined || tenantKeys === undefined ? undefined : await tenantKeys(principal.tenantId);
      const result = await anonymize(text, findings, planOf(anonymizers), {
        tenant: principal.tenantId,
        ...(keys === undefined ? {} : { keys }),
      });
      await audit?.record({
        kind: 'text.analyzed',
        requestId: request.id,
        principal,
        route: 'anonymize',
        counts: countsByType(result.items),
      });
      return { text: result.text, items: result.items.map(presentItem) };
    },
  );
}
