/**
 * `GET /v1/sign-in`: how a browser signs in (public), and `GET /v1/me`: who the caller is, as far as a user interface needs it: the tenant, the roles and
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
import type { ApiDependencies, ApiRoutePlugin } from '../ports.js';
import { errorResponseSchema, protectedErrorResponses } from '../schemas.js';

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

/** An OpenID Connect issuer a browser may sign in with: the console's public client there. */
export interface BrowserSignIn {
  readonly issuer: string;
  /** The console's client id at the issuer (a public client: no secret, PKCE instead). */
  readonly clientId: string;
  /** Space-separated scopes, `openid` among them. */
  readonly scope: string;
}

const signInSchema = z.object({
  oidc: z
    .object({
      issuer: z.string().describe('Discovery is at `<issuer>/.well-known/openid-configuration`'),
      client_id: z.string(),
      scope: z.string(),
      redirect_path: z.string().describe('Where the issuer sends the browser back, on this origin'),
    })
    .nullable()
    .describe('null: sign in by pasting a token or an API key'),
});

/** Where the issuer sends the browser back: the console itself, which completes the flow. */
export const CONSOLE_REDIRECT_PATH = '/console/';

/**
 * `GET /v1/sign-in` (public): whether a browser signs in through an OIDC issuer (the
 * authorization-code flow with PKCE, as a public client) or by pasting a token. Names only what
 * the issuer publishes anyway.
 *
 * @example
 * ```ts
 * const app = await buildApp({ ...deps, routes: [signInRoute({ issuer, clientId: 'veil-console', scope: 'openid' })] });
 * ```
 */
export function signInRoute(oidc: BrowserSignIn | undefined): ApiRoutePlugin {
  return async (app: FastifyInstance) => {
    app.withTypeProvider<ZodTypeProvider>().get(
      '/v1/sign-in',
      {
        config: { public: true },
        schema: {
          summary: 'How a browser signs in',
          description:
            'The OIDC issuer and public client id the console uses for the authorization-code flow with PKCE, or null when the deployment takes pasted tokens and API keys only.',
          tags: ['session'],
          response: { 200: signInSchema, 500: errorResponseSchema },
        },
      },
      async () => ({
        oidc:
          oidc === undefined
            ? null
            : {
                issuer: oidc.issuer,
                client_id: oidc.clientId,
                scope: oidc.scope,
                redirect_path: CONSOLE_REDIRECT_PATH,
              },
      }),
    );
  };
}
