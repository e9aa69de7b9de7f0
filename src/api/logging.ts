/**
 * The API's log: pino JSON lines carrying ids, codes and timings only. The request line is
 * written here field by field (never the URL, whose query may hold values, never a header or a
 * body); the redaction paths are a second wall for anything that logs a request object anyway.
 */
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import type { Logger } from 'pino';

/** Paths pino replaces with `[redacted]` wherever they appear in a log line. */
export const LOG_REDACT_PATHS: readonly string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'headers.authorization',
  'headers.cookie',
  'headers["x-api-key"]',
  'req.body',
  'req.query',
  'req.url',
  'body',
  'query',
  'url',
  '*.body',
  '*.query',
];

/**
 * The API's logger: a child of `logger` (silent when absent) with the redaction paths and request
 * serializers that print ids only.
 *
 * @example
 * ```ts
 * const log = apiLogger(pino({ level: 'info' }));
 * ```
 */
export function apiLogger(logger: Logger | undefined): Logger {
  const base = logger ?? pino({ level: 'silent' });
  return base.child(
    { component: 'api' },
    {
      redact: { paths: [...LOG_REDACT_PATHS], censor: '[redacted]' },
      serializers: {
        // Fastify logs `{ req }` and `{ res }` in some paths of its own; keep only the method and id.
        req: (req: { method?: unknown; id?: unknown }) => ({ method: req.method, id: req.id }),
        res: (res: { statusCode?: unknown }) => ({ statusCode: res.statusCode }),
        // An error's message may quote the data it failed on; its name and code may not.
        err: (err: { name?: unknown; code?: unknown }) => ({ type: err.name, code: err.code }),
      },
    },
  );
}

/**
 * Logs one line per request: id, method, route pattern, status, duration, tenant and error code.
 *
 * @example
 * ```ts
 * installRequestLog(app); // {"reqId":"…","method":"POST","route":"/v1/analyze","status":200,"ms":1.2,"tenant":"acme"}
 * ```
 */
export function installRequestLog(app: FastifyInstance): void {
  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 100) / 100,
        tenant: request.principal?.tenantId,
        code: request.errorCode ?? undefined,
      },
      'request completed',
    );
  });
}
