/**
 * The security headers of every answer (CSP, HSTS, nosniff, frame options, referrer policy…),
 * as helmet writes them, computed once at start-up. `@fastify/helmet` builds helmet's middleware
 * from its options again on every request (parsing the CSP directives each time) and adds an
 * async hook per request; the headers do not depend on the request, so the API sets the same
 * precomputed ones with one synchronous hook. Helmet stays the source of their values.
 */
import type { FastifyInstance } from 'fastify';
import helmet from 'helmet';
import type { HelmetOptions } from 'helmet';

/** What helmet writes on a response, as header name → value (lower-case names). */
export type SecurityHeaders = Readonly<Record<string, string>>;

/**
 * The headers helmet would set with `options`, from one run of its middleware on a recording
 * response.
 *
 * @example
 * ```ts
 * securityHeaders({ contentSecurityPolicy: { directives: { 'frame-ancestors': ["'none'"] } } })['x-content-type-options']; // 'nosniff'
 * ```
 */
export function securityHeaders(options: Readonly<HelmetOptions>): SecurityHeaders {
  const headers: Record<string, string> = {};
  const response = {
    setHeader(name: string, value: string | number | readonly string[]): void {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader(name: string): void {
      delete headers[name.toLowerCase()];
    },
  };
  // Helmet's middleware only sets and removes headers; these options hold no per-request parts
  // (no nonce functions), so one run gives every request's headers.
  helmet(options)({} as never, response as never, (error?: unknown) => {
    if (error !== undefined && error !== null) throw error;
  });
  return headers;
}

/**
 * Sets `headers` on every answer, before any other hook can refuse the request (so 401, 429 and
 * 503 answers carry them too).
 *
 * @example
 * ```ts
 * installSecurityHeaders(app, securityHeaders({}));
 * ```
 */
export function installSecurityHeaders(app: FastifyInstance, headers: SecurityHeaders): void {
  app.addHook('onRequest', (_request, reply, done) => {
    void reply.headers(headers);
    done();
  });
}
