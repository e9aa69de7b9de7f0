/**
 * What the privacy metrics read from the review queue: a port the queue implements. Until the
 * queue exists, {@link NO_REVIEW_QUEUE} answers (no tasks, nothing shown), and the metrics say so
 * with `review.source: 'none'`.
 */

/** Review exposure of one tenant in a period: counts and shares, never a field's value. */
export interface ReviewMetrics {
  /** Review tasks not yet decided, now. */
  readonly openTasks: number;
  /** Fields a reviewer decided in the period. */
  readonly reviewedFields: number;
  /**
   * For each field reviewed in the period, the share of its page's area the reviewer was shown
   * (the crop's area over the page's, 0 to 1): what "the least context needed" measures.
   */
  readonly cropAreaShown: readonly number[];
}

/** The review queue as the privacy metrics see it. */
export interface ReviewMetricsSource {
  /** `queue` once a review queue answers; `none` for {@link NO_REVIEW_QUEUE}. */
  readonly name: 'queue' | 'none';
  reviewMetrics(tenant: string, since: Date, until: Date): Promise<ReviewMetrics>;
}

/**
 * The source of a deployment without a review queue: no open task, nothing reviewed or shown.
 *
 * @example
 * ```ts
 * await NO_REVIEW_QUEUE.reviewMetrics('acme', since, until); // { openTasks: 0, reviewedFields: 0, cropAreaShown: [] }
 * ```
 */
export const NO_REVIEW_QUEUE: ReviewMetricsSource = {
  name: 'none',
  reviewMetrics: async () => ({ openTasks: 0, reviewedFields: 0, cropAreaShown: [] }),
};
