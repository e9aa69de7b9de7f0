/**
 * The field templates a job may extract under (`GET /v1/templates`, permission `job:create`):
 * each template's name, version, hash and fields (name, type, sensitivity), so a form can offer
 * them and a caller can ask for some of a template's fields (`template_fields` on `POST
 * /v1/jobs`). Definitions only, never a document value. The reading is the {@link TemplatesPort}'s.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Template } from '../../ai/fields/spec.js';
import { FIELD_TYPES, SENSITIVITIES } from '../../ai/fields/spec.js';
import { principalOf } from '../guard.js';
import type { ApiRoutePlugin, Principal } from '../ports.js';
import { protectedErrorResponses } from '../schemas.js';

/** What the route needs: the templates the principal's tenant may submit jobs under, by name. */
export interface TemplatesPort {
  list(principal: Principal): Promise<readonly Template[]>;
}

const templateSchema = z.object({
  name: z.string(),
  version: z.number().int(),
  hash: z.string().describe('SHA-256 of the canonical template: the hash a job records'),
  description: z.string().nullable(),
  fields: z.array(
    z.object({
      name: z.string(),
      type: z.enum(FIELD_TYPES),
      sensitivity: z.enum(SENSITIVITIES).nullable().describe('null: classified from the type'),
      required: z.boolean(),
    }),
  ),
});

const listSchema = z.object({ templates: z.array(templateSchema) });

/**
 * A template, field by field: its identity and each field's name, type and sensitivity (the
 * extraction hints stay server-side).
 *
 * @example
 * ```ts
 * presentTemplate(await loadTemplate('receipt')); // { name: 'receipt', version: 1, fields: [{ name: 'company', type: 'string', … }, …] }
 * ```
 */
export function presentTemplate(template: Template): z.output<typeof templateSchema> {
  return {
    name: template.name,
    version: template.version,
    hash: template.hash,
    description: template.description ?? null,
    fields: template.fields.map((f) => ({
      name: f.name,
      type: f.type,
      sensitivity: f.sensitivity ?? null,
      required: f.required ?? false,
    })),
  };
}

/**
 * `GET /v1/templates` as a plugin for `deps.routes`.
 *
 * @example
 * ```ts
 * const app = await buildApp({ ...deps, routes: [templateRoutes({ list: async () => [await loadTemplate('receipt')] })] });
 * ```
 */
export function templateRoutes(port: TemplatesPort): ApiRoutePlugin {
  return async (app: FastifyInstance) => {
    app.withTypeProvider<ZodTypeProvider>().get(
      '/v1/templates',
      {
        config: { permission: 'job:create' },
        schema: {
          summary: 'The field templates jobs may extract under',
          description:
            "Each template's name, version, hash and fields (name, type, sensitivity), sorted by name. Submit a job with `template` and, to extract only some of its fields, `template_fields`.",
          tags: ['jobs'],
          security: [{ bearer: [] }],
          response: { 200: listSchema, ...protectedErrorResponses },
        },
      },
      async (request) => ({
        templates: (await port.list(principalOf(request))).map(presentTemplate),
      }),
    );
  };
}
