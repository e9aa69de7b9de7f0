/**
 * `GET /v1/me`: who the caller is, as far as a user interface needs it: the tenant, the roles and
 * the permissions they grant. The console hides what a role cannot use from this answer (the API
 * refuses it anyway). The principal's own id is left out: an identity provider's subject can be
 * an e-mail address, and the console has no use for it.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { PERMISSIONS } from '../../access/permissions.js';
import type { Permission } from '../../access/permissions.js';
import { principalOf } from '../guard.js';
import type { ApiDependencies } from '../ports.js';
import { protectedErrorResponses } from '../schemas.js';

const meSchema = z.object({
  tenant_id: z.string(),
  kind: z.enum(['user', 'service']).describe('A person (token) or a service (API key)'),
  roles: z.array(z.string()),
  permissions: z
    .array(z.string())
    .describe('What the roles allow, as the routes name it (`job:create`, `audit:read`, …)'),
});

/**
 * Registers `GET /v1/me` (every role holds `job:read`, so any authenticated caller may ask).
 *
 * @example
 * ```ts
 * await app.register(async (scope) => sessionRoutes(scope, deps));
 * ```
 */
export async function sessionRoutes(
  app: FastifyInstance,
  deps: Pick<ApiDependencies, 'authorize'>,
): Promise<void> {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/v1/me',
    {
      config: { permission: 'job:read' },
      schema: {
        summary: 'The caller: tenant, roles and permissions',
        description:
          'What a user interface needs to show only what the caller may use. Never the credential, never the subject id.',
        tags: ['session'],
        security: [{ bearer: [] }],
        response: { 200: meSchema, ...protectedErrorResponses },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const permissions: Permission[] = [];
      // The authoriser the guard uses decides, so this answer can never disagree with a route.
      for (const permission of PERMISSIONS) {
        try {
          await deps.authorize(principal, permission);
          permissions.push(permission);
        } catch {
          // Not granted.
        }
      }
      return {
        tenant_id: principal.tenantId,
        kind: principal.kind,
        roles: [...principal.roles],
        permissions,
      };
    },
  );
}
