/**
 * `POST /v1/analyze`: finds personal data in a text and returns the spans, close to Presidio's
 * analyzer REST API. Nothing is stored; the text lives only for the request.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { SUPPORTED_LANGUAGES } from '../../engine/analyze.js';
import type { AnalyzeOptions, DenyListEntry } from '../../engine/analyze.js';
import type { CustomRecognizerDefinition } from '../../engine/recognizers/custom.js';
import { principalOf } from '../guard.js';
import type { AnalyzePresented, AnalyzeText, AuditRecorder } from '../ports.js';
import { presentAnalysis } from '../presented-analysis.js';
import { entityTypeSchema, protectedErrorResponses } from '../schemas.js';

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
 * Registers `POST /v1/analyze` (permission `analyze:run`). With `analyzePresented` (the detection
 * threads of `veil serve`) the answer's JSON comes ready from the thread that found the spans;
 * without it the findings of `analyzeText` are presented here.
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
  analyzePresented?: AnalyzePresented,
): Promise<void> {
  const analyze: AnalyzePresented =
    analyzePresented ?? (async (text, options) => presentAnalysis(await analyzeText(text, options)));
  app.withTypeProvider<ZodTypeProvider>().post(
    '/v1/analyze',
    {
      config: { permission: 'analyze:run' },
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
    async (request, reply) => {
      const { text, ...options } = request.body;
      const { body, counts } = await analyze(text, analyzeOptionsOf(options));
      await audit?.record({
        kind: 'text.analyzed',
        requestId: request.id,
        principal: principalOf(request),
        route: 'analyze',
        counts,
      });
      // Already JSON (presentAnalysis): bytes under a JSON content type are sent as they are, not
      // serialised again. The schema above still describes them for the OpenAPI document.
      reply.type('application/json; charset=utf-8');
      return body as never;
    },
  );
}
