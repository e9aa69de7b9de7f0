/**
 * The API's settings: one schema, defaults in one place, unknown keys rejected. A bad setting
 * stops start-up with a message naming it, rather than a server that runs with a surprise.
 */
import { z } from 'zod';
import { VeilError } from '../errors/veil-error.js';

const MIB = 1024 * 1024;

export const apiConfigSchema = z
  .object({
    /** Largest JSON request body, in bytes (default 1 MiB). */
    bodyLimit: z
      .number()
      .int()
      .min(1024)
      .max(64 * MIB)
      .default(MIB),
    rateLimit: z
      .object({
        /** Requests one principal (or, before authentication, one IP address) may make per window. */
        max: z.number().int().min(1).max(1_000_000).default(1200),
        /** The window, in milliseconds (default one minute). */
        windowMs: z.number().int().min(1000).max(3_600_000).default(60_000),
      })
      .strict()
      .prefault({}),
    /** Trust `X-Forwarded-For` for the client address; only behind a proxy you run. */
    trustProxy: z.boolean().default(false),
    /** How many prepared analyzers (one per option set) to keep; 0 disables the cache. */
    analyzerCacheSize: z.number().int().min(0).max(1024).default(64),
    /** Serve the OpenAPI document at /openapi.json and the docs page at /docs. */
    docs: z.boolean().default(true),
    /** Abort a request whose body has not arrived within this many milliseconds. */
    requestTimeoutMs: z.number().int().min(1000).max(600_000).default(30_000),
    /**
     * Load shedding (`@fastify/under-pressure`): while the process is saturated every request but
     * `/healthz` and `/metrics` is answered 503 `VEIL_OVERLOADED` with `Retry-After`, at once and
     * before its body is read, instead of queueing work and growing memory.
     */
    overload: z
      .object({
        /** Mean event-loop delay over one sample above which requests are shed; 0 disables. */
        maxEventLoopDelayMs: z.number().int().min(0).max(60_000).default(500),
        /** Share of V8's heap limit in use above which requests are shed; 0 disables. */
        maxHeapUsedRatio: z.number().min(0).max(1).default(0.85),
        /** Resident set size above which requests are shed, in MiB; 0 disables. */
        maxRssMb: z.number().int().min(0).max(1_048_576).default(0),
        /** How often load is sampled, in milliseconds. */
        sampleIntervalMs: z.number().int().min(10).max(60_000).default(500),
        /** The `Retry-After` sent with a shed request, in seconds. */
        retryAfterSeconds: z.number().int().min(1).max(3600).default(5),
      })
      .strict()
      .prefault({}),
  })
  .strict();

/** The validated settings with every default filled in. */
export type ApiConfig = z.output<typeof apiConfigSchema>;

/**
 * Validates API settings, filling defaults.
 *
 * @throws VeilError `VEIL_INVALID_OPTION` naming the first bad setting (`api.rateLimit.max: ...`).
 *
 * @example
 * ```ts
 * const config = loadApiConfig({ bodyLimit: 2 * 1024 * 1024 });
 * config.rateLimit.max; // 1200
 * ```
 */
export function loadApiConfig(value: unknown): ApiConfig {
  const parsed = apiConfigSchema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = ['api', ...(issue?.path ?? []).map(String)].join('.');
  // Zod's messages name expected types and ranges, never the value given.
  throw new VeilError('VEIL_INVALID_OPTION', `${path}: ${issue?.message ?? 'invalid setting'}`);
}
