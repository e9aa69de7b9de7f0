/**
 * The service the benches run in process: `veil serve`'s own chain (`startService`) on a free
 * loopback port, signed-in with the data directory's development issuer, logging to nowhere and
 * with the rate limit out of the way, so the figures measure the work and not the limiter.
 */
import { pino } from 'pino';
import { localAuthenticate } from '../../src/runtime/sign-in.js';
import { startService } from '../../src/runtime/service.js';
import type { ServiceOptions } from '../../src/runtime/service.js';

/** What a bench chooses; the rest is fixed. */
export type BenchServiceOptions = Pick<
  ServiceOptions,
  'databaseUrl' | 'workers' | 'pollingIntervalSeconds'
> & {
  readonly dataDir: string;
  /** The logger's level (default `info`, as deployed); its lines go to /dev/null. */
  readonly logLevel?: 'info' | 'warn';
};

/**
 * Starts the bench's service.
 *
 * @example
 * ```ts
 * const service = await startBenchService({ dataDir, workers: 0 });
 * await service.close();
 * ```
 */
export async function startBenchService(options: BenchServiceOptions): ReturnType<typeof startService> {
  const { logLevel = 'info', databaseUrl, ...rest } = options;
  return startService({
    workers: 0,
    ...rest,
    ...(databaseUrl === undefined ? {} : { databaseUrl }),
    host: '127.0.0.1',
    port: 0,
    authenticate: await localAuthenticate(options.dataDir),
    logger: pino({ level: logLevel }, pino.destination('/dev/null')),
    api: { rateLimit: { max: 1_000_000, windowMs: 60_000 } },
  });
}
