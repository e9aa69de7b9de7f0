/**
 * Admin routes for service API keys: create (the key is in this answer and nowhere else), list
 * (ids, roles and dates, never a hash) and revoke. Each is audited by the port as the admin who
 * called it, in the admin's own tenant.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ROLES } from '../../access/permissions.js';
import type { Role } from '../../access/permissions.js';
import { principalOf } from '../guard.js';
import type { ApiRoutePlugin, Principal } from '../ports.js';
import { errorResponseSchema, protectedErrorResponses } from '../schemas.js';

/** A key as the routes show it. */
export interface ApiKeyView {
  readonly keyId: string;
  readonly roles: readonly string[];
  readonly createdAt: string;
  readonly revokedAt: string | null;
  readonly expiresAt: string | null;
}

/** What the routes need from the service: the tenant's keys, with audited changes. */
export interface ApiKeysPort {
  create(
    principal: Principal,
    input: { roles: readonly Role[]; expiresAt?: Date },
  ): Promise<{ apiKey: string; keyId: string; expiresAt: string | null }>;
  list(principal: Principal): Promise<readonly ApiKeyView[]>;
  /** `VEIL_NOT_FOUND` when the tenant has no such key. */
  revoke(principal: Principal, keyId: string): Promise<void>;
}

// Ten years: an expiry beyond that is no expiry, and should say so by leaving it out.
const MAX_EXPIRY_SECONDS = 10 * 365 * 24 * 3600;

const keyView = z.object({
  key_id: z.string(),
  roles: z.array(z.string()),
  created_at: z.string(),
  revoked_at: z.string().nullable(),
  expires_at: z.string().nullable(),
});

function present(key: ApiKeyView): z.infer<typeof keyView> {
  return {
    key_id: key.keyId,
    roles: [...key.roles],
    created_at: key.createdAt,
    revoked_at: key.revokedAt,
    expires_at: key.expiresAt,
  };
}

/**
 * `POST /v1/api-keys`, `GET /v1/api-keys`, `DELETE /v1/api-keys/:id`; permission `api-keys:manage` (admin).
 *
 * @example
 * ```ts
 * const app = await buildApp({ ...deps, routes: [apiKeyRoutes(port)] });
 * ```
 */
export function apiKeyRoutes(port: ApiKeysPort): ApiRoutePlugin {
  return async (app: FastifyInstance) => {
    const api = app.withTypeProvider<ZodTypeProvider>();
    const tags = ['api keys'];
    const security = [{ bearer: [] }];
    api.post(
      '/v1/api-keys',
      {
        config: { permission: 'api-keys:manage' },
        schema: {
          summary: 'Create a service API key in your tenant',
          description:
            'The key (`veil_…`) is in this answer only: it is never stored, logged or shown again. Audited as `api_key.created`.',
          tags,
          security,
          body: z
            .object({
              roles: z.array(z.enum(ROLES)).min(1).max(16),
              expires_in_seconds: z.number().int().min(60).max(MAX_EXPIRY_SECONDS).optional(),
            })
            .strict(),
          response: {
            201: z.object({ api_key: z.string(), key_id: z.string(), expires_at: z.string().nullable() }),
            ...protectedErrorResponses,
          },
        },
      },
      async (request, reply) => {
        const seconds = request.body.expires_in_seconds;
        const created = await port.create(principalOf(request), {
          roles: request.body.roles,
          ...(seconds === undefined ? {} : { expiresAt: new Date(Date.now() + seconds * 1000) }),
        });
        reply.code(201).header('cache-control', 'no-store');
        return { api_key: created.apiKey, key_id: created.keyId, expires_at: created.expiresAt };
      },
    );
    api.get(
      '/v1/api-keys',
      {
        config: { permission: 'api-keys:manage' },
        schema: {
          summary: "Your tenant's API keys",
          description: 'Ids, roles and dates; never a key or its hash.',
          tags,
          security,
          response: { 200: z.object({ keys: z.array(keyView) }), ...protectedErrorResponses },
        },
      },
      async (request) => ({ keys: (await port.list(principalOf(request))).map(present) }),
    );
    api.delete(
      '/v1/api-keys/:id',
      {
        config: { permission: 'api-keys:manage' },
        schema: {
          summary: 'Revoke an API key',
          description:
            "Requests with the key fail from now on. Audited as `api_key.revoked`. Another tenant's key id answers 404.",
          tags,
          security,
          params: z.object({ id: z.string().regex(/^[0-9a-f]{24}$/, 'expected the key id: 24 hex digits') }),
          response: { 204: z.null(), 404: errorResponseSchema, ...protectedErrorResponses },
        },
      },
      async (request, reply) => {
        await port.revoke(principalOf(request), request.params.id);
        return reply.code(204).send(null);
      },
    );
  };
}
