/**
 * The governance parts of a policy: retention per artifact class, the tenant's region and the
 * purposes it allows. Durations are written as in the policy file (`10m`, `30d`, `5s`, `7y`);
 * everything here is a pure function of the validated policy.
 */
import { z } from 'zod';
import { VeilError } from '../errors/veil-error.js';

/** The artifact classes with a retention window of their own. */
export const RETENTION_CLASSES = [
  'original',
  'extracted_text',
  'fields',
  'redacted',
  'review_crops',
  'regression_cases',
  'model_exchanges',
  'error_dumps',
  'audit',
] as const;
export type RetentionClass = (typeof RETENTION_CLASSES)[number];

const DURATION = /^(\d{1,6})(s|m|h|d|y)$/;
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, y: 365 * 86_400_000 } as const;

/** Windows when a policy names none: the original briefly, text never, outputs a month. */
export const DEFAULT_RETENTION: Readonly<Record<RetentionClass, string>> = {
  original: '10m',
  extracted_text: '0s',
  fields: '30d',
  redacted: '30d',
  review_crops: '1d',
  regression_cases: '90d',
  model_exchanges: '0s',
  error_dumps: '7d',
  audit: '7y',
};

/** The longest window a policy may set per class: a policy asking more does not load. */
export const RETENTION_CAPS: Readonly<Record<RetentionClass, string>> = {
  original: '30d',
  extracted_text: '1d',
  fields: '10y',
  redacted: '10y',
  review_crops: '90d',
  regression_cases: '2y',
  model_exchanges: '30d',
  error_dumps: '90d',
  audit: '100y',
};

/**
 * A duration such as `10m` in milliseconds; undefined when it is not one.
 *
 * @example
 * ```ts
 * durationMs('30d'); // 2_592_000_000
 * ```
 */
export function durationMs(text: string): number | undefined {
  const match = DURATION.exec(text);
  if (match === null) return undefined;
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

const duration = (cls: RetentionClass) =>
  z
    .string({ error: 'expected a duration such as 10m, 30d or 5s' })
    .refine((s) => durationMs(s) !== undefined, {
      error: 'expected a duration such as 10m, 30d or 5s (units s, m, h, d, y)',
    })
    .refine((s) => (durationMs(s) ?? 0) <= durationMs(RETENTION_CAPS[cls])!, {
      error: `expected at most ${RETENTION_CAPS[cls]} (the cap for this class)`,
    });

export const retentionSchema = z
  .object(
    Object.fromEntries(RETENTION_CLASSES.map((c) => [c, duration(c).optional()])) as Record<
      RetentionClass,
      z.ZodOptional<ReturnType<typeof duration>>
    >,
  )
  .strict();

const code = z
  .string({ error: 'expected a code' })
  .regex(/^[a-z][a-z0-9_-]{0,63}$/, { error: 'expected a lower-case code (a-z, 0-9, _ -)' });

/** What one purpose permits. */
export const purposeSchema = z
  .object({
    /** Outputs a job of this purpose may ask for (`redacted`, `fields`, `findings_summary`, `text`). */
    outputs: z.array(code, { error: 'expected a list' }).max(32),
    /** Field-extraction templates it may use; absent: any. */
    templates: z.array(code, { error: 'expected a list' }).max(256).optional(),
    /** Whether an AI model may see (pseudonymised) content: `off` unless the policy turns it on. */
    model: z.enum(['off', 'pseudonymised'], { error: 'expected off or pseudonymised' }).optional(),
    /** Manual review: never, or when the job's consent allows it. */
    review: z.enum(['never', 'with_consent'], { error: 'expected never or with_consent' }).optional(),
    /** The lawful bases a job of this purpose may declare. */
    legal_basis: z.array(code, { error: 'expected a list' }).min(1).max(6),
    /** Reasons for which its original values may be revealed; absent or empty: none. */
    reveal_reasons: z.array(code, { error: 'expected a list' }).max(16).optional(),
  })
  .strict();

export const purposesSchema = z.record(code, purposeSchema, {
  error: 'expected a mapping from purpose code to what it permits',
});

export const regionSchema = z
  .string({ error: 'expected a region code such as eu' })
  .regex(/^[a-z][a-z0-9-]{0,31}$/, { error: 'expected a region code such as eu or us-east' });

export type RetentionPolicy = z.output<typeof retentionSchema>;
export type PurposePolicy = z.output<typeof purposeSchema>;

/** The parts of a policy this module reads (structural, so any policy version fits). */
export interface GovernedPolicy {
  readonly retention?: RetentionPolicy | undefined;
  readonly region?: string | undefined;
  readonly purposes?: Readonly<Record<string, PurposePolicy>> | undefined;
}

/**
 * The policy's retention windows in milliseconds, every class filled (defaults where the policy
 * is silent). A job's `retentionDays` shortens every class but `audit`; it never lengthens one.
 *
 * @example
 * ```ts
 * retentionWindows({ retention: { original: '2s' } }).original; // 2000
 * ```
 */
export function retentionWindows(
  policy: GovernedPolicy,
  retentionDays?: number,
): Record<RetentionClass, number> {
  const windows = {} as Record<RetentionClass, number>;
  for (const cls of RETENTION_CLASSES) {
    const ms = durationMs(policy.retention?.[cls] ?? DEFAULT_RETENTION[cls])!;
    windows[cls] =
      retentionDays === undefined || cls === 'audit' ? ms : Math.min(ms, retentionDays * UNIT_MS.d);
  }
  return windows;
}

/** The classes a job's outputs live in: its `retention_days` is measured against these. */
const OUTPUT_CLASSES: Readonly<Record<string, RetentionClass>> = {
  redacted: 'redacted',
  fields: 'fields',
  text: 'fields',
};

/**
 * The days a job keeps its outputs: what it asked for, or the policy's longest output window.
 * Throws `VEIL_RETENTION_EXCEEDS_POLICY` when it asks for longer than the policy allows.
 *
 * @example
 * ```ts
 * jobRetentionDays({ retention: { redacted: '7d' } }, ['redacted'], 30); // throws: 30 > 7 days
 * ```
 */
export function jobRetentionDays(
  policy: GovernedPolicy,
  outputs: readonly string[],
  requested: number | undefined,
): number {
  const windows = retentionWindows(policy);
  const classes = outputs.map((o) => OUTPUT_CLASSES[o]).filter((c): c is RetentionClass => c !== undefined);
  const limitMs = Math.max(
    ...(classes.length > 0 ? classes : (['redacted', 'fields'] as const)).map((c) => windows[c]),
  );
  if (requested === undefined) return Math.min(3650, Math.max(1, Math.ceil(limitMs / UNIT_MS.d)));
  if (requested * UNIT_MS.d > limitMs)
    throw new VeilError(
      'VEIL_RETENTION_EXCEEDS_POLICY',
      `jobs: retention_days ${requested} is longer than the policy keeps this job's outputs (${Math.floor(limitMs / UNIT_MS.d)} days); ask for less or omit it`,
    );
  return requested;
}
