/**
 * Load shedding: the settings `@fastify/under-pressure` runs with, from `api.overload`. While the
 * process is saturated a request is refused at once with 503 `VEIL_OVERLOADED` and `Retry-After`,
 * so a flood costs a short answer each rather than queued work and a growing heap. Liveness and
 * metrics are exempt: an orchestrator must not restart a busy process, and the metrics are how an
 * operator sees that it is busy.
 */
import { getHeapStatistics } from 'node:v8';
import type { FastifyUnderPressureOptions } from '@fastify/under-pressure';
import { VeilError } from '../errors/veil-error.js';
import type { ApiConfig } from './config.js';

/** Paths answered even under pressure. */
const EXEMPT = new Set(['/healthz', '/metrics']);

/**
 * The under-pressure plugin's options for `api.overload`.
 *
 * @example
 * ```ts
 * await app.register(underPressure, underPressureOptions(loadApiConfig({}).overload));
 * ```
 */
export function underPressureOptions(overload: ApiConfig['overload']): FastifyUnderPressureOptions {
  const heapLimit = getHeapStatistics().heap_size_limit;
  return {
    sampleInterval: overload.sampleIntervalMs,
    ...(overload.maxEventLoopDelayMs > 0 ? { maxEventLoopDelay: overload.maxEventLoopDelayMs } : {}),
    ...(overload.maxHeapUsedRatio > 0
      ? { maxHeapUsedBytes: Math.floor(heapLimit * overload.maxHeapUsedRatio) }
      : {}),
    ...(overload.maxRssMb > 0 ? { maxRssBytes: overload.maxRssMb * 1024 * 1024 } : {}),
    retryAfter: overload.retryAfterSeconds,
    // A rejected promise goes to the API's error handler, so the body is the usual error shape.
    pressureHandler: async (request, reply, type) => {
      if (EXEMPT.has(request.url.split('?', 1)[0] ?? '')) return;
      void reply.header('retry-after', String(overload.retryAfterSeconds));
      throw new VeilError(
        'VEIL_OVERLOADED',
        `the server is saturated (${type}); retry in ${overload.retryAfterSeconds} seconds`,
      );
    },
  };
}
