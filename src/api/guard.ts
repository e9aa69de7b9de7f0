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
  onRequestAsyncHookHandler,
  preParsingAsyncHookHandler,
  RouteOptions,
} from 'fastify';
import type { ErrorCode } from '../errors/catalogue.js';
import { VeilError, isVeilError } from '../errors/veil-error.js';
import type { ApiDependencies, Permission, Principal, SecurityEvent } from './ports.js';

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

/** The access layer's reason code carried by a `VEIL_UNAUTHENTICATED` error's cause, if any. */
function reasonOf(failure: unknown): string | undefined {
  const reason = (failure as { cause?: { reason?: unknown } } | null)?.cause?.reason;
  return typeof reason === 'string' ? reason : undefined;
}

/**
 * Reports a refusal to the audit port before the refusal is sent. Recording is awaited, so the
 * log holds the event by the time the caller sees the 401 or 403; if recording fails the error is
 * logged (by code, never its message) and the request is refused all the same.
 */
async function recordRefusal(
  request: FastifyRequest,
  audit: ApiDependencies['audit'],
  event: SecurityEvent,
): Promise<void> {
  if (audit === undefined) return;
  try {
    await audit.record(event);
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    request.log.error(
      { event: event.kind, code: typeof code === 'string' ? code.slice(0, 64) : undefined },
      'audit: could not record a refusal',
    );
  }
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
  deps: Pick<ApiDependencies, 'authenticate' | 'authorize' | 'audit'>,
): void {
  app.decorateRequest('principal', null);
  app.decorateRequest('authFailure', null);
  app.decorateRequest('errorCode', null);

  const identify: onRequestAsyncHookHandler = async (request, reply) => {
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
    const requirePermission: preParsingAsyncHookHandler = async (request) => {
      const principal = request.principal;
      if (principal === null) {
        const reason = reasonOf(request.authFailure);
        await recordRefusal(request, deps.audit, {
          kind: 'auth.failed',
          requestId: request.id,
          credential: request.headers.authorization === undefined ? 'none' : 'presented',
          ...(reason === undefined ? {} : { reason }),
        });
        throw asUnauthenticated(request.authFailure);
      }
      try {
        await deps.authorize(principal, permission);
      } catch (error) {
        if (isVeilError(error) && error.code === 'VEIL_FORBIDDEN')
          await recordRefusal(request, deps.audit, {
            kind: 'permission.denied',
            requestId: request.id,
            principal,
            permission,
          });
        throw error;
      }
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
