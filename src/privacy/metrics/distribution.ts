/**
 * Distributions of durations and shares, summarised the way both the JSON metrics and
 * Prometheus read them: count, sum, quantiles and cumulative buckets over fixed bounds.
 */

/** Buckets (seconds) for lifetimes and lags: a minute to a year, around the policy windows (10 min, 1 d, 30 d). */
export const DURATION_BUCKETS = [
  1,
  10,
  60,
  300,
  600,
  1800,
  3600,
  6 * 3600,
  86_400,
  7 * 86_400,
  30 * 86_400,
  90 * 86_400,
  365 * 86_400,
] as const;

/** Buckets for a share of a page (0 to 1). */
export const SHARE_BUCKETS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1] as const;

/** A summarised distribution; quantiles are null when there is no sample. */
export interface Distribution {
  readonly count: number;
  readonly sum: number;
  readonly p50: number | null;
  readonly p90: number | null;
  readonly p99: number | null;
  readonly max: number | null;
  /** Cumulative: how many samples are at most `le`. */
  readonly buckets: ReadonlyArray<{ readonly le: number; readonly count: number }>;
}

function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  // Nearest rank: a value that was observed, never an interpolation between two.
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/**
 * Summarises `samples` over `bounds`.
 *
 * @example
 * ```ts
 * summarise([30, 90, 4000], DURATION_BUCKETS).p50; // 90
 * ```
 */
export function summarise(samples: readonly number[], bounds: readonly number[]): Distribution {
  const sorted = [...samples].sort((a, b) => a - b);
  let at = 0;
  const buckets = bounds.map((le) => {
    while (at < sorted.length && sorted[at]! <= le) at += 1;
    return { le, count: at };
  });
  return {
    count: sorted.length,
    sum: sorted.reduce((a, b) => a + b, 0),
    p50: quantile(sorted, 0.5),
    p90: quantile(sorted, 0.9),
    p99: quantile(sorted, 0.99),
    max: sorted.at(-1) ?? null,
    buckets,
  };
}
