/**
 * The chain every protected route runs before its handler: authenticate (remembering a failure
 * rather than throwing it) → rate limit, keyed by the principal or, for a caller that did not
 * authenticate, the address → require the route's permission (401 or 403) before the body is
 * even parsed. Authentication runs first only so the rate limit can key on the principal;
 * unauthenticated callers are still limited, by address, before they learn anything.
 */
import type {
  FastifyInstance,
  FastifyRequest,
  onRequestHookHandler,
  preParsingHookHandler,
  RouteOptions,
} from 'fastify';
import type { ErrorCode } from '../errors/catalogue.js';
import { VeilError } from '../errors/veil-error.js';
import type { ApiDependencies, Permission, Principal } from './ports.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The permission a route needs; every `/v1` route must declare one or be `public`. */
    permission?: Permission;
    /** Marks a `/v1` route as deliberately open (no authentication, no rate limit). */
    public?: boolean;
  }
  interface FastifyRequest {
    principal: Principal | null;
    authFailure: unknown;
    /** The error code sent, for the request log and metrics. */
    errorCode: ErrorCode | null;
  }
}

const PROTECTED_PREFIX = '/v1/';

function asArray<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function asUnauthenticated(failure: unknown): VeilError {
  if (failure instanceof VeilError && failure.code === 'VEIL_UNAUTHENTICATED') return failure;
  // Whatever else went wrong (a broken authenticator, a missing header) the caller gets the same
  // uninformative answer; the cause goes to the log by name.
  return new VeilError(
    'VEIL_UNAUTHENTICATED',
    'authentication failed',
    failure === null ? undefined : { cause: failure },
  );
}

/**
 * The authenticated principal of a protected route's request.
 *
 * @throws VeilError `VEIL_UNAUTHENTICATED` when called on a route that declared no permission.
 *
 * @example
 * ```ts
 * const { tenantId } = principalOf(request);
 * ```
 */
export function principalOf(request: FastifyRequest): Principal {
  if (request.principal === null) throw asUnauthenticated(request.authFailure);
  return request.principal;
}

/**
 * Installs the chain on every route that declares `config.permission`, and refuses to start when
 * a `/v1` route declares neither a permission nor `public: true`, so no route ships open by
 * omission. Must be installed before the rate-limit plugin, whose hook it orders around.
 *
 * @example
 * ```ts
 * installGuard(app, deps);
 * await app.register(rateLimit, { keyGenerator: rateLimitKey });
 * ```
 */
export function installGuard(
  app: FastifyInstance,
  deps: Pick<ApiDependencies, 'authenticate' | 'authorize'>,
): void {
  app.decorateRequest('principal', null);
  app.decorateRequest('authFailure', null);
  app.decorateRequest('errorCode', null);

  const identify: onRequestHookHandler = async (request, reply) => {
    // Analysis results are personal data: no proxy or browser may keep a copy.
    void reply.header('cache-control', 'no-store');
    try {
      request.principal = await deps.authenticate(request.headers);
    } catch (error) {
      request.authFailure = error;
    }
  };

  app.addHook('onRoute', (route: RouteOptions) => {
    const permission = route.config?.permission;
    if (permission === undefined) {
      if (route.url.startsWith(PROTECTED_PREFIX) && route.config?.public !== true) {
        throw new VeilError(
          'VEIL_INTERNAL',
          `route ${route.method.toString()} ${route.url} declares no permission`,
        );
      }
      route.config = { ...route.config, rateLimit: false } as typeof route.config;
      return;
    }
    const requirePermission: preParsingHookHandler = async (request) => {
      await deps.authorize(principalOf(request), permission);
    };
    route.onRequest = [identify, ...asArray(route.onRequest)];
    route.preParsing = [requirePermission, ...asArray(route.preParsing)];
  });
}

/**
 * The rate-limit key: the principal (within its tenant) once authenticated, else the address.
 *
 * @example
 * ```ts
 * await app.register(rateLimit, { keyGenerator: rateLimitKey });
 * ```
 */
export function rateLimitKey(request: FastifyRequest): string {
  const principal = request.principal;
  return principal === null ? `ip:${request.ip}` : `principal:${principal.tenantId}:${principal.id}`;
}
