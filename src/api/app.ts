/**
 * The HTTP API: Fastify with zod schemas, one error shape, security headers, body and rate
 * limits, metrics, health and the OpenAPI document. It is a transport only: routes validate,
 * call the engine (or a port), and present the result field by field.
 */
import { randomUUID } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import underPressure from '@fastify/under-pressure';
import Fastify, { LogController } from 'fastify';
import type { FastifyBaseLogger, FastifyInstance, FastifyServerOptions } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { VeilError } from '../errors/veil-error.js';
import { analyzeInProcess, createAnalyzerCache } from './analyzer-cache.js';
import { loadApiConfig } from './config.js';
import { handleError, handleNotFound } from './errors.js';
import { installGuard, rateLimitKey } from './guard.js';
import { apiLogger, installRequestLog } from './logging.js';
import { installMetrics } from './metrics.js';
import { underPressureOptions } from './overload.js';
import type { ApiDependencies } from './ports.js';
import { analyzeRoutes } from './routes/analyze.js';
import { anonymizeRoutes } from './routes/anonymize.js';
import { auditRoutes } from './routes/audit.js';
import { docsRoutes, registerOpenApi } from './routes/docs.js';
import { healthRoutes } from './routes/health.js';
import { jobRoutes } from './routes/jobs.js';
import { uploadRoutes } from './routes/uploads.js';
import { sessionRoutes } from './routes/session.js';
import { installSecurityHeaders, securityHeaders } from './security-headers.js';

/** The API version printed in the OpenAPI document. */
export const API_VERSION = '0.1.0';

/**
 * Builds the API from its dependencies; nothing is imported from the access, store or crypto
 * layers, so `veil serve` and the tests wire different adapters into the same chain. The returned
 * app is ready: `app.inject()` for tests, `app.listen()` to serve.
 *
 * @throws VeilError `VEIL_INVALID_OPTION` naming a bad setting in `deps.config`.
 *
 * @example
 * ```ts
 * const app = await buildApp({
 *   authenticate: async (headers) => verifier.verify(bearerToken(headers)),
 *   authorize: (principal, permission) => void authorize(principal, permission),
 *   logger: pino(),
 *   config: { bodyLimit: 2 * 1024 * 1024 },
 * });
 * await app.listen({ host: '127.0.0.1', port: 8080 });
 * ```
 */
export async function buildApp(deps: ApiDependencies): Promise<FastifyInstance> {
  const config = loadApiConfig(deps.config);
  const options: FastifyServerOptions & { https?: { cert: string | Buffer; key: string | Buffer } } = {
    ...(deps.tls === undefined ? {} : { https: { cert: deps.tls.cert, key: deps.tls.key } }),
    // pino's Logger is Fastify's logger with more methods; the cast only widens it.
    loggerInstance: apiLogger(deps.logger) as FastifyBaseLogger,
    // Fastify's own request lines log the URL (with its query); installRequestLog writes ours.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'reqId' }),
    // Incoming request ids are not trusted: a header a caller controls could carry a value.
    genReqId: () => randomUUID(),
    bodyLimit: config.bodyLimit,
    trustProxy: config.trustProxy,
    requestTimeout: config.requestTimeoutMs,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // A plugin that loads files (the API docs' static assets) can take longer than Fastify's 10 s
    // on a busy host; failing the start then is worse than waiting. A plugin that hangs for a
    // minute is still a fault and stops the start.
    pluginTimeout: 60_000,
  };
  // An https server is a Node http server with TLS in front: the instance is used the same way,
  // so the narrower http typing is kept for every route plugin.
  const app = Fastify(options) as unknown as FastifyInstance;

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // JSON only until a route needs more (multipart uploads add their own parser): a text body
  // on a JSON route is a client mistake worth a clear 415.
  app.removeContentTypeParser('text/plain');
  app.setErrorHandler(handleError);
  app.setNotFoundHandler(handleNotFound);

  // First of the hooks: a shed request costs no authentication, rate-limit bookkeeping or body.
  await app.register(underPressure, underPressureOptions(config.overload));
  installGuard(app, deps);
  installSecurityHeaders(
    app,
    securityHeaders({
      contentSecurityPolicy: { directives: { 'frame-ancestors': ["'none'"] } },
      // HSTS (a year, subdomains) on every answer: over HTTPS served here, or behind a TLS proxy.
    }),
  );
  await app.register(rateLimit, {
    global: true,
    hook: 'onRequest',
    max: config.rateLimit.max,
    timeWindow: config.rateLimit.windowMs,
    keyGenerator: rateLimitKey,
    errorResponseBuilder: (_request, context) =>
      new VeilError('VEIL_RATE_LIMITED', `too many requests; retry in ${context.after}`),
  });
  installMetrics(app, deps.privacyMetrics);
  installRequestLog(app);
  const observe = deps.observeRequest;
  if (observe !== undefined)
    app.addHook('onResponse', async (request, reply) => {
      try {
        observe({
          principal: request.principal ?? null,
          status: reply.statusCode,
          byId: (request.routeOptions.url ?? '').includes('/:'),
          address: request.ip,
        });
      } catch {
        // An observer is told, never obeyed: the response has gone already.
      }
    });
  if (config.docs) await registerOpenApi(app, API_VERSION);

  const analyzeText = deps.analyzeText ?? analyzeInProcess(createAnalyzerCache(config.analyzerCacheSize));
  await app.register(async (scope) => healthRoutes(scope, deps.ready));
  await app.register(async (scope) => sessionRoutes(scope, deps));
  await app.register(async (scope) => analyzeRoutes(scope, analyzeText, deps.audit, deps.analyzePresented));
  await app.register(async (scope) => anonymizeRoutes(scope, analyzeText, deps.tenantKeys, deps.audit));
  const ported = [
    deps.uploads === undefined ? undefined : uploadRoutes(deps.uploads),
    deps.jobs === undefined ? undefined : jobRoutes(deps.jobs),
    deps.auditLog === undefined ? undefined : auditRoutes(deps.auditLog),
  ];
  for (const routes of [...ported, ...(deps.routes ?? [])])
    if (routes !== undefined) await app.register(async (scope) => routes(scope, deps));
  if (config.docs) await docsRoutes(app);

  await app.ready();
  return app;
}
