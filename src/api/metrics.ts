/**
 * Prometheus metrics: request counts and latencies by method, route pattern and status. Labels
 * come only from closed sets (the registered route patterns, the HTTP methods Veil serves, status
 * codes), never from the request, so no metric can carry a value a caller sent.
 */
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { registerPrivacyMetrics } from './privacy-metrics.js';
import type { PrivacyMetricsSource } from './privacy-metrics.js';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
// Buckets in seconds around the synchronous routes' target (p99 of 10 ms) and the slow tail.
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Registers request metrics (and, given a source, the tenants' privacy metrics) and `GET /metrics`
 * on `app`, in a registry of its own so two apps in one process (tests) do not share counters.
 *
 * @example
 * ```ts
 * installMetrics(app);
 * // GET /metrics → veil_http_requests_total{method="POST",route="/v1/analyze",status="200"} 3
 * ```
 */
export function installMetrics(app: FastifyInstance, privacy?: PrivacyMetricsSource): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'veil_' });
  if (privacy !== undefined) registerPrivacyMetrics(registry, privacy);
  const labelNames = ['method', 'route', 'status'] as const;
  const requests = new Counter({
    name: 'veil_http_requests_total',
    help: 'HTTP requests by method, route pattern and status',
    labelNames,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'veil_http_request_duration_seconds',
    help: 'HTTP request latency by method, route pattern and status',
    labelNames,
    buckets: BUCKETS,
    registers: [registry],
  });

  app.addHook('onResponse', async (request, reply) => {
    // The pattern (`/v1/jobs/:id`), never the URL; unmatched paths share one label.
    const route = request.routeOptions.url ?? 'unmatched';
    const labels = {
      method: METHODS.has(request.method) ? request.method : 'OTHER',
      route,
      status: String(reply.statusCode),
    };
    requests.inc(labels);
    duration.observe(labels, reply.elapsedTime / 1000);
  });

  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    return reply.type(registry.contentType).send(await registry.metrics());
  });
  return registry;
}
