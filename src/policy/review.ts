/**
 * The review part of a policy (issue 14): when an uncertain field goes to a person, how long its
 * task and a reviewer's lease last, how much of a page a crop may show, and the named queues
 * reviewers are assigned to. Everything here is a pure function of the validated policy.
 */
import { z } from 'zod';
import { durationMs, retentionWindows, type GovernedPolicy } from './governance.js';
import { purposeOf } from './purposes.js';

/** The confidence below which a field goes to review when neither its spec nor the policy names one. */
export const DEFAULT_REVIEW_THRESHOLD = 0.85;

/** Defaults of the `review` block. */
export const DEFAULT_REVIEW = {
  expire_after: '1d',
  lease: '15m',
  max_page_share: 0.05,
} as const;

/** The queue a task goes to when no named queue takes it: every reviewer of the tenant sees it. */
export const DEFAULT_QUEUE = 'default';

const code = z
  .string({ error: 'expected a code' })
  .regex(/^[a-z][a-z0-9_-]{0,63}$/, { error: 'expected a lower-case code (a-z, 0-9, _ -)' });
const duration = z
  .string({ error: 'expected a duration such as 15m, 1d' })
  .refine((s) => (durationMs(s) ?? 0) > 0, {
    error: 'expected a positive duration such as 15m or 1d (units s, m, h, d, y)',
  });
const principalId = z
  .string({ error: 'expected a principal id' })
  .regex(/^[\x21-\x7e]{1,200}$/, { error: 'expected a principal id such as apikey:<key id> or a user id' });

/** A named queue: the jobs it takes (by purpose or template) and the reviewers assigned to it. */
export const reviewQueueSchema = z
  .object({
    purposes: z.array(code, { error: 'expected a list' }).max(64).optional(),
    templates: z.array(code, { error: 'expected a list' }).max(256).optional(),
    /** Principal ids (`apikey:<key id>`, a user's `sub`) that may see and decide its tasks. */
    reviewers: z.array(principalId, { error: 'expected a list' }).min(1).max(1000),
  })
  .strict()
  .refine((q) => q.purposes !== undefined || q.templates !== undefined, {
    error: 'a queue names the purposes or templates it takes',
  });

export const reviewPolicySchema = z
  .object({
    /** Confidence under which a field goes to review; a field spec's `review_below` wins. */
    below: z
      .number({ error: 'expected a number' })
      .min(0, { error: 'expected a number from 0 to 1' })
      .max(1, { error: 'expected a number from 0 to 1' })
      .optional(),
    /** An open task expires after this (its field is then returned `unverified`). */
    expire_after: duration.optional(),
    /** How long a claim holds a task for one reviewer. */
    lease: duration.optional(),
    /** The largest crop, as a share of the page's area (0 to 0.5). */
    max_page_share: z
      .number({ error: 'expected a number' })
      .gt(0, { error: 'expected a number above 0' })
      .max(0.5, { error: 'expected at most 0.5 (half a page)' })
      .optional(),
    queues: z
      .record(code, reviewQueueSchema, { error: 'expected a mapping from queue name to queue' })
      .optional(),
  })
  .strict()
  .refine((r) => r.queues === undefined || !Object.hasOwn(r.queues, DEFAULT_QUEUE), {
    error: `the queue name ${DEFAULT_QUEUE} is reserved for tasks no named queue takes`,
  });

export type ReviewPolicy = z.output<typeof reviewPolicySchema>;

/** The parts of a policy review reads (structural, so any policy version fits). */
export interface ReviewedPolicy extends GovernedPolicy {
  readonly review?: ReviewPolicy | undefined;
}

/** The review settings of a policy, every value filled. */
export interface ReviewSettings {
  readonly below: number;
  /** Milliseconds until an open task expires: never after its crop is deleted. */
  readonly expireMs: number;
  readonly leaseMs: number;
  readonly maxPageShare: number;
}

/**
 * The review settings of a policy, defaults filled. A task never outlives its crop: its expiry
 * is capped at the `review_crops` retention window.
 *
 * @example
 * ```ts
 * reviewSettings({ review: { lease: '5m' } }).leaseMs; // 300_000
 * ```
 */
export function reviewSettings(policy: ReviewedPolicy): ReviewSettings {
  const review = policy.review ?? {};
  const crops = retentionWindows(policy).review_crops;
  return {
    below: review.below ?? DEFAULT_REVIEW_THRESHOLD,
    expireMs: Math.min(durationMs(review.expire_after ?? DEFAULT_REVIEW.expire_after)!, crops),
    leaseMs: durationMs(review.lease ?? DEFAULT_REVIEW.lease)!,
    maxPageShare: review.max_page_share ?? DEFAULT_REVIEW.max_page_share,
  };
}

/**
 * Whether a person may see a job's fields: the job's consent allows manual review and its purpose
 * permits it (`review: with_consent`). A policy that limits no purposes leaves it to the consent.
 *
 * @example
 * ```ts
 * reviewAllowed(policy, 'claims_processing', true); // true under the shipped default policy
 * ```
 */
export function reviewAllowed(policy: ReviewedPolicy, purpose: string, allowManualReview: boolean): boolean {
  if (!allowManualReview) return false;
  const entry = purposeOf(policy, purpose);
  return entry === undefined || (entry.review ?? 'never') === 'with_consent';
}

/**
 * The queue a job's tasks go to: the first named queue (in policy order) that takes its purpose
 * or template, else {@link DEFAULT_QUEUE}.
 *
 * @example
 * ```ts
 * queueOf(policy, 'kyc', null); // 'identity' when a queue lists purposes: [kyc]
 * ```
 */
export function queueOf(policy: ReviewedPolicy, purpose: string, template: string | null): string {
  for (const [name, queue] of Object.entries(policy.review?.queues ?? {}))
    if (
      (queue.purposes?.includes(purpose) ?? false) ||
      (template !== null && (queue.templates?.includes(template) ?? false))
    )
      return name;
  return DEFAULT_QUEUE;
}

/**
 * The queues a reviewer may work: {@link DEFAULT_QUEUE} and every named queue that lists the
 * principal.
 *
 * @example
 * ```ts
 * queuesOf(policy, 'apikey:0123456789abcdef01234567'); // ['default', 'identity']
 * ```
 */
export function queuesOf(policy: ReviewedPolicy, principalId: string): string[] {
  return [
    DEFAULT_QUEUE,
    ...Object.entries(policy.review?.queues ?? {})
      .filter(([, queue]) => queue.reviewers.includes(principalId))
      .map(([name]) => name),
  ];
}
