import { z } from 'zod';
import { customRecognizerSchema } from '../engine/recognizers/custom.js';
import { purposesSchema, regionSchema, retentionSchema } from './governance.js';
import { reviewPolicySchema } from './review.js';

/**
 * The policy file, version 1: how Veil detects and anonymises for one tenant or job. Every object
 * is strict, so a misspelt key is an error rather than a silently ignored setting.
 */

const ENTITY = /^[A-Z][A-Z0-9_]{0,63}$/;

const count = (max: number) =>
  z
    .number({ error: 'expected a number' })
    .int({ error: 'expected a whole number' })
    .min(0, { error: 'expected a number of at least 0' })
    .max(max, { error: `expected a number of at most ${max}` });
const between = (min: number, max: number) =>
  z
    .number({ error: 'expected a number' })
    .int({ error: 'expected a whole number' })
    .min(min, { error: `expected a number from ${min} to ${max}` })
    .max(max, { error: `expected a number from ${min} to ${max}` });
const flag = z.boolean({ error: 'expected true or false' });

const operatorSchemas = [
  z
    .object({
      operator: z.literal('replace'),
      value: z.string({ error: 'expected a string' }).max(256).optional(),
    })
    .strict(),
  z.object({ operator: z.literal('redact') }).strict(),
  z
    .object({
      operator: z.literal('mask'),
      char: z
        .string({ error: 'expected a string' })
        .refine((c) => [...c].length === 1, { error: 'expected exactly one character' })
        .optional(),
      count: count(1_000_000).optional(),
      from_end: flag.optional(),
      keep_last: count(1_000_000).optional(),
      keep_separators: flag.optional(),
    })
    .strict(),
  z.object({ operator: z.literal('hash') }).strict(),
  z.object({ operator: z.literal('encrypt') }).strict(),
  z.object({ operator: z.literal('tokenize') }).strict(),
  z
    .object({
      operator: z.literal('fpe'),
      checksum: z.enum(['luhn', 'none'], { error: 'expected luhn or none' }).optional(),
    })
    .strict(),
  z
    .object({
      operator: z.literal('date_shift'),
      max_days: between(1, 36_500).optional(),
      order: z.enum(['mdy', 'dmy'], { error: 'expected mdy or dmy' }).optional(),
    })
    .strict(),
  z
    .object({
      operator: z.literal('generalize'),
      kind: z.enum(['age', 'zip', 'date'], { error: 'expected age, zip or date' }).optional(),
      band_width: between(1, 150).optional(),
      top_age: between(1, 150).optional(),
    })
    .strict(),
  z.object({ operator: z.literal('keep') }).strict(),
] as const;

export const OPERATOR_NAMES = operatorSchemas.map((s) => s.shape.operator.value);

export const policyOperatorSchema = z.discriminatedUnion('operator', operatorSchemas, {
  error: (issue) =>
    issue.code === 'invalid_union' ? `expected an operator: one of ${OPERATOR_NAMES.join(', ')}` : undefined,
});

const entityName = z.string().regex(ENTITY, { error: 'expected an upper-case entity name such as US_SSN' });

/** How one CSV column or JSON path is treated: as one entity, by detection inside it, or kept. */
export const fieldRuleSchema = z.union(
  [
    z.literal('detect'),
    z.literal('keep'),
    z.object({ type: entityName, operator: policyOperatorSchema.optional() }).strict(),
  ],
  { error: 'expected detect, keep, or a mapping with a type (and an optional operator)' },
);

const epsilon = z
  .number({ error: 'expected a number' })
  .min(0.000001, { error: 'expected an epsilon from 0.000001 to 10' })
  .max(10, { error: 'expected an epsilon from 0.000001 to 10' });
const code = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{0,63}$/, { error: 'expected a lower-case code such as claims-intake' });

/** Differentially private analytics (src/privacy/analytics): the budget and the clamping. */
export const analyticsPolicySchema = z
  .object({
    epsilon_per_release: epsilon.optional(),
    budget: z
      .object({
        epsilon: z
          .number({ error: 'expected a number' })
          .min(0.000001, { error: 'expected an epsilon from 0.000001 to 1000' })
          .max(1000, { error: 'expected an epsilon from 0.000001 to 1000' }),
        period: z.enum(['day', 'week', 'month'], { error: 'expected day, week or month' }),
      })
      .strict()
      .optional(),
    max_contribution: between(1, 10_000).optional(),
    purposes: z.array(code, { error: 'expected a list' }).max(1000).optional(),
    templates: z.array(code, { error: 'expected a list' }).max(1000).optional(),
  })
  .strict();

const hour = z
  .string()
  .regex(/^(?:[01]\d|2[0-3]):[0-5]\d$/, { error: 'expected a time of day such as 08:00' });

/** Access anomaly alerts (src/privacy/anomaly): thresholds, working hours and webhooks. */
export const alertsPolicySchema = z
  .object({
    enabled: flag.optional(),
    thresholds: z
      .object({
        reveals_per_minute: between(1, 100_000).optional(),
        downloads_per_minute: between(1, 100_000).optional(),
        dsr_exports_per_hour: between(1, 100_000).optional(),
        denied_per_minute: between(1, 100_000).optional(),
        not_found_per_minute: between(1, 100_000).optional(),
        crops_peer_factor: between(2, 1000).optional(),
        crops_min: between(1, 100_000).optional(),
      })
      .strict()
      .optional(),
    working_hours: z
      .object({
        start: hour,
        end: hour,
        days: z
          .array(z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']), {
            error: 'expected a list of mon … sun',
          })
          .min(1)
          .max(7)
          .optional(),
        utc_offset_minutes: between(-840, 840).optional(),
      })
      .strict()
      .optional(),
    webhooks: z
      .array(
        z
          .object({
            url: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }),
            secret_env: z.string().regex(/^[A-Z][A-Z0-9_]{0,127}$/, {
              error: 'expected the name of an environment variable holding the secret',
            }),
          })
          .strict(),
        { error: 'expected a list' },
      )
      .max(8)
      .optional(),
  })
  .strict();

/** k-anonymity of CSV outputs (src/privacy/risk): `k_anonymity: 5`, or with the columns and suppression limit. */
export const kAnonymityPolicySchema = z.union(
  [
    between(2, 1_000_000),
    z
      .object({
        k: between(2, 1_000_000),
        quasi: z
          .array(z.string().min(1).max(512), { error: 'expected a list of column names' })
          .min(1)
          .max(64)
          .optional(),
        max_suppression: z
          .number({ error: 'expected a number' })
          .min(0, { error: 'expected a share from 0 to 1' })
          .max(1, { error: 'expected a share from 0 to 1' })
          .optional(),
      })
      .strict(),
  ],
  { error: 'expected a whole number k, or a mapping with k (and optional quasi and max_suppression)' },
);

export const policySchema = z
  .object({
    version: z.literal(1, { error: 'expected 1 (the only policy version)' }),
    threshold: z
      .number({ error: 'expected a number' })
      .min(0, { error: 'expected a number from 0 to 1' })
      .max(1, { error: 'expected a number from 0 to 1' })
      .optional(),
    entities: z.array(entityName, { error: 'expected a list' }).optional(),
    operators: z
      .object({ default: policyOperatorSchema })
      .catchall(policyOperatorSchema)
      .superRefine((operators, ctx) => {
        for (const key of Object.keys(operators))
          if (key !== 'default' && !ENTITY.test(key))
            ctx.addIssue({
              code: 'custom',
              path: [key],
              message: 'expected an upper-case entity name such as US_SSN',
            });
      }),
    allow: z
      .array(z.string({ error: 'expected a string' }).min(1).max(256), { error: 'expected a list' })
      .max(10_000)
      .optional(),
    deny: z
      .array(
        z.union(
          [
            z.string().min(1).max(256),
            z
              .object({ type: entityName, values: z.array(z.string().min(1).max(256)).min(1).max(10_000) })
              .strict(),
          ],
          {
            error: 'expected a string, or a mapping with type and values',
          },
        ),
        { error: 'expected a list' },
      )
      .max(10_000)
      .optional(),
    recognizers: z.array(customRecognizerSchema, { error: 'expected a list' }).max(256).optional(),
    fields: z.record(z.string().min(1).max(512), fieldRuleSchema, { error: 'expected a mapping' }).optional(),
    other_fields: z.enum(['detect', 'keep'], { error: 'expected detect or keep' }).optional(),
    keys: z
      .object({
        /** How often the tenant's data key is rotated by the service (`90d`, `12h`); never when absent. */
        rotate_every: z
          .string()
          .regex(/^[1-9]\d{0,5}[mhd]$/, { error: 'expected a duration such as 90d, 12h or 30m' })
          .optional(),
      })
      .strict()
      .optional(),
    // Governance (issue 15): retention per artifact class, the tenant's region, allowed purposes.
    retention: retentionSchema.optional(),
    region: regionSchema.optional(),
    purposes: purposesSchema.optional(),
    analytics: analyticsPolicySchema.optional(),
    alerts: alertsPolicySchema.optional(),
    k_anonymity: kAnonymityPolicySchema.optional(),
    // Human review of uncertain fields (issue 14): thresholds, expiry, leases, crop cap, queues.
    review: reviewPolicySchema.optional(),
  })
  .strict();

/** A validated policy. */
export type Policy = z.output<typeof policySchema>;
export type PolicyOperator = z.output<typeof policyOperatorSchema>;
export type PolicyFieldRule = z.output<typeof fieldRuleSchema>;
export type AnalyticsPolicy = z.output<typeof analyticsPolicySchema>;
export type AlertsPolicy = z.output<typeof alertsPolicySchema>;
