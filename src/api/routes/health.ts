/**
 * Liveness and readiness for orchestrators: `/healthz` answers while the process serves HTTP,
 * `/readyz` only once the readiness port says the service can take work.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { VeilError } from '../../errors/veil-error.js';
import type { ReadinessCheck } from '../ports.js';
import { errorResponseSchema } from '../schemas.js';

/**
 * Registers `GET /healthz` and `GET /readyz` (public, not rate limited).
 *
 * @example
 * ```ts
 * await app.register(async (scope) => healthRoutes(scope, async () => db.ping()));
 * ```
 */
export async function healthRoutes(app: FastifyInstance, ready: ReadinessCheck | undefined): Promise<void> {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.get(
    '/healthz',
    {
      schema: {
        summary: 'Liveness',
        tags: ['operations'],
        response: { 200: z.object({ status: z.literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );
  typed.get(
    '/readyz',
    {
      schema: {
        summary: 'Readiness',
        tags: ['operations'],
        response: { 200: z.object({ status: z.literal('ready') }), 503: errorResponseSchema },
      },
    },
    async (request) => {
      try {
        await ready?.();
      } catch (error) {
        request.log.warn(
          {
            errorName: error instanceof Error ? error.name : typeof error,
            code: (error as { code?: unknown }).code,
          },
          'not ready',
        );
        throw new VeilError('VEIL_NOT_READY', 'the service is not ready yet');
      }
      return { status: 'ready' as const };
    },
  );
}
