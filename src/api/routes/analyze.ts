/**
 * `POST /v1/analyze`: finds personal data in a text and returns the spans, close to Presidio's
 * analyzer REST API. Nothing is stored; the text lives only for the request.
 */
import type { FastifyInstance, FastifySerializerCompiler } from 'fastify';
import { serializerCompiler } from 'fastify-type-provider-zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { SUPPORTED_LANGUAGES } from '../../engine/analyze.js';
import type { AnalyzeOptions, DenyListEntry } from '../../engine/analyze.js';
import type { CustomRecognizerDefinition } from '../../engine/recognizers/custom.js';
import type { Finding } from '../../engine/types.js';
import { principalOf } from '../guard.js';
import type { AnalyzeText, AuditRecorder } from '../ports.js';
import { countsByType, entityTypeSchema, protectedErrorResponses } from '../schemas.js';

const adHocRecognizerSchema = z
  .object({
    name: z.string().min(1).max(64),
    supported_entity: entityTypeSchema,
    supported_language: z.enum(SUPPORTED_LANGUAGES).optional(),
    patterns: z
      .array(
        z
          .object({
            name: z.string().max(64).optional(),
            regex: z.string().min(1).max(512),
            score: z.number().min(0).max(1),
          })
          .strict(),
      )
      .max(16)
      .optional(),
    context: z.array(z.string().min(1).max(64)).max(64).optional(),
    deny_list: z.array(z.string().min(1).max(256)).max(1000).optional(),
  })
  .strict()
  .describe(
    'A recognizer defined in the request (Presidio ad-hoc recognizer): regex patterns and/or a deny list',
  );

export const analyzeRequestSchema = z
  .object({
    text: z.string().describe('The text to analyse; never stored or logged'),
    language: z.enum(SUPPORTED_LANGUAGES).default('en'),
    entities: z.array(entityTypeSchema).min(1).max(128).optional().describe('Report only these entity types'),
    score_threshold: z.number().min(0).max(1).optional().describe('Minimum score (default 0.4)'),
    allow_list: z.array(z.string().max(256)).max(1000).optional().describe('Values never reported'),
    deny_list: z
      .array(z.string().min(1).max(256))
      .max(1000)
      .optional()
      .describe('Values always reported, as DENY_LIST'),
    ad_hoc_recognizers: z.array(adHocRecognizerSchema).max(16).optional(),
  })
  .strict();

/** One piece of a finding that names one thing in several parts (`Finding.parts`). */
export const findingPartSchema = z
  .object({
    type: z
      .string()
      .max(64)
      .describe(
        'What the piece is: BUILDING_NUMBER, STREET, UNIT, PLACE, REGION, POSTCODE, COUNTRY (an address); TITLE, NAME (a person); WEEKDAY, DATE (a date)',
      ),
    start: z.number().int().min(0).describe('Offset of the first UTF-16 code unit'),
    end: z.number().int().min(0).describe('Offset after the last UTF-16 code unit (exclusive)'),
  })
  .strict();

export const recognizerResultSchema = z.object({
  entity_type: z.string(),
  start: z.number().int().describe('Offset of the first UTF-16 code unit'),
  end: z.number().int().describe('Offset after the last UTF-16 code unit (exclusive)'),
  score: z.number(),
  recognizer: z.string(),
  parts: z
    .array(findingPartSchema)
    .optional()
    .describe(
      'Present when the span names one thing in several pieces (an address, a titled name, a date with its week day): the pieces, in order, inside the span',
    ),
});

export type AnalyzeRequest = z.output<typeof analyzeRequestSchema>;
export type RecognizerResult = z.output<typeof recognizerResultSchema>;

/**
 * The engine's options for a request: Presidio's names mapped to Veil's.
 *
 * @example
 * ```ts
 * analyzeOptionsOf({ text: '…', language: 'en', score_threshold: 0.5 }); // { language: 'en', threshold: 0.5 }
 * ```
 */
export function analyzeOptionsOf(body: Omit<AnalyzeRequest, 'text'>): AnalyzeOptions {
  const recognizers: CustomRecognizerDefinition[] = [];
  const deny: DenyListEntry[] = [];
  if (body.deny_list !== undefined) deny.push({ type: 'DENY_LIST', values: body.deny_list });
  for (const adHoc of body.ad_hoc_recognizers ?? []) {
    if (adHoc.patterns !== undefined && adHoc.patterns.length > 0) {
      recognizers.push({
        name: adHoc.name,
        entity: adHoc.supported_entity,
        patterns: adHoc.patterns.map((p) => ({ regex: p.regex, score: p.score })),
        ...(adHoc.context === undefined ? {} : { context: adHoc.context }),
      });
    }
    if (adHoc.deny_list !== undefined) deny.push({ type: adHoc.supported_entity, values: adHoc.deny_list });
  }
  return {
    language: body.language,
    ...(body.entities === undefined ? {} : { entities: body.entities }),
    ...(body.score_threshold === undefined ? {} : { threshold: body.score_threshold }),
    ...(body.allow_list === undefined ? {} : { allowList: body.allow_list }),
    ...(deny.length === 0 ? {} : { denyList: deny }),
    ...(recognizers.length === 0 ? {} : { recognizers }),
  };
}

/**
 * The presenter: each field of a finding that the API returns, picked by name.
 *
 * @example
 * ```ts
 * presentFinding({ type: 'EMAIL_ADDRESS', start: 5, end: 21, score: 1, recognizer: 'email' });
 * // { entity_type: 'EMAIL_ADDRESS', start: 5, end: 21, score: 1, recognizer: 'email' }
 * // A finding with parts keeps them: `parts: [{ type: 'TITLE', start: 0, end: 3 }, …]`.
 * ```
 */
export function presentFinding(finding: Finding): RecognizerResult {
  const result = {
    entity_type: finding.type,
    start: finding.start,
    end: finding.end,
    score: finding.score,
    recognizer: finding.recognizer,
  };
  if (finding.parts === undefined) return result;
  return { ...result, parts: finding.parts.map((p) => ({ type: p.type, start: p.start, end: p.end })) };
}

/**
 * The route's serializers: its answer is built by {@link presentFinding}, which picks each field
 * and whose types the compiler checks, so a 200 is written with `JSON.stringify` alone rather than
 * re-validated by zod field by field (about 20 µs of the request thread for 40 findings); every
 * other status keeps the zod serializer.
 */
const presentedSerializer: FastifySerializerCompiler<unknown> = (route) =>
  String(route.httpStatus) === '200'
    ? (data: unknown) => JSON.stringify(data)
    : serializerCompiler(route as never);

/**
 * Registers `POST /v1/analyze` (permission `analyze:run`).
 *
 * @example
 * ```ts
 * await app.register(async (scope) => analyzeRoutes(scope, analyzeInProcess(createAnalyzerCache(64))));
 * ```
 */
export async function analyzeRoutes(
  app: FastifyInstance,
  analyzeText: AnalyzeText,
  audit?: AuditRecorder,
): Promise<void> {
  app.withTypeProvider<ZodTypeProvider>().post(
    '/v1/analyze',
    {
      config: { permission: 'analyze:run' },
      serializerCompiler: presentedSerializer,
      schema: {
        summary: 'Find personal data in a text',
        description:
          "Close to Presidio's analyzer API. Returns the spans found, sorted by start offset; nothing is stored.",
        tags: ['analysis'],
        security: [{ bearer: [] }],
        body: analyzeRequestSchema,
        response: { 200: z.array(recognizerResultSchema), ...protectedErrorResponses },
      },
    },
    async (request) => {
      const { text, ...options } = request.body;
      const findings = await analyzeText(text, analyzeOptionsOf(options));
      await audit?.record({
        kind: 'text.analyzed',
        requestId: request.id,
        principal: principalOf(request),
        route: 'analyze',
        counts: countsByType(findings),
      });
      return findings.map(presentFinding);
    },
  );
}
