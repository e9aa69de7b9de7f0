/**
 * The OpenAPI document (`/openapi.json`) built from the routes' zod schemas, and the Swagger UI
 * page (`/docs`) served from the package's own files: no CDN, no online validator.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';

/**
 * Registers the OpenAPI generator; must run before any documented route is added.
 *
 * @example
 * ```ts
 * await registerOpenApi(app, '0.1.0');
 * ```
 */
export async function registerOpenApi(app: FastifyInstance, version: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Veil API',
        description:
          'Privacy-first document pipeline. Errors are `{ error: { code, message } }` with stable codes; messages never echo submitted content.',
        version,
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
    },
    transform: jsonSchemaTransform,
  });
}

/**
 * Registers `GET /openapi.json` and the docs page at `/docs`.
 *
 * @example
 * ```ts
 * await docsRoutes(app);
 * ```
 */
export async function docsRoutes(app: FastifyInstance): Promise<void> {
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    uiConfig: { deepLinking: false },
    staticCSP: true,
    // The page is served from this package only: no online validator, and no framing.
    transformStaticCSP: (header) =>
      header.replace(' validator.swagger.io', '').replace("frame-ancestors 'self'", "frame-ancestors 'none'"),
  });
}
