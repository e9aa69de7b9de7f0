/**
 * Counts with differential privacy: each job's contribution clamped, exact counts over a public
 * domain of keys, and discrete Laplace noise scaled to the clamped sensitivity. Pure functions:
 * the jobs, the domain and the random source come in as arguments.
 *
 * Why a public domain: if the keys of a release were the keys seen in the data, a key present
 * once would tell that one job exists. Every key of the domain is released (zeros too, noised
 * like the rest), and data outside it goes to {@link OTHER_KEY} or is dropped.
 */
import { noiseHalfWidth, rational, sampleDiscreteLaplace } from './discrete-laplace.js';
import type { RandomSource } from './random.js';

/** What a release counts by. */
export const GROUP_BY = ['entity_type', 'purpose', 'template'] as const;
export type GroupBy = (typeof GROUP_BY)[number];

/** The key of purposes or templates outside the declared domain. */
export const OTHER_KEY = '(other)';
/** The key of jobs that name no template. */
export const NONE_KEY = '(none)';

/** One job as analytics sees it: codes and counts, never content. */
export interface AnalyticsJob {
  readonly purpose: string;
  readonly template: string | null;
  readonly countsByType: Readonly<Record<string, number>>;
}

/** Epsilon is kept in millionths, so budgets add up exactly. */
export const MICRO = 1_000_000;

/**
 * One job's findings by type, scaled down (rounding down) so their sum is at most `cap`: the L1
 * contribution of one job to an entity-type histogram is then at most `cap`. A function of the
 * job alone, as clamping must be for the sensitivity bound to hold.
 *
 * @example
 * ```ts
 * clampContribution({ EMAIL_ADDRESS: 30, PERSON: 10 }, 8); // { EMAIL_ADDRESS: 6, PERSON: 2 }
 * ```
 */
export function clampContribution(
  counts: Readonly<Record<string, number>>,
  cap: number,
): Record<string, number> {
  const entries = Object.entries(counts).filter(([, n]) => Number.isInteger(n) && n > 0);
  const total = entries.reduce((sum, [, n]) => sum + n, 0);
  if (total <= cap) return Object.fromEntries(entries);
  return Object.fromEntries(entries.map(([type, n]) => [type, Math.floor((n * cap) / total)]));
}

/** The exact counts of one query and the L1 sensitivity the clamping guarantees. */
export interface ExactCounts {
  readonly counts: ReadonlyMap<string, number>;
  readonly sensitivity: number;
}

/**
 * The exact, clamped counts over `domain`: findings by entity type (each job clamped to
 * `maxContribution`; types outside the domain dropped), or jobs by purpose or template (each job
 * counts once; keys outside the domain go to {@link OTHER_KEY}).
 *
 * @example
 * ```ts
 * exactCounts(jobs, 'purpose', ['claims-intake'], 10).counts; // Map { 'claims-intake' => 3, '(other)' => 1 }
 * ```
 */
export function exactCounts(
  jobs: readonly AnalyticsJob[],
  groupBy: GroupBy,
  domain: readonly string[],
  maxContribution: number,
): ExactCounts {
  const counts = new Map<string, number>();
  const known = new Set(domain);
  for (const key of domain) counts.set(key, 0);
  if (groupBy === 'entity_type') {
    for (const job of jobs) {
      const inDomain = Object.fromEntries(
        Object.entries(job.countsByType).filter(([type]) => known.has(type)),
      );
      for (const [type, n] of Object.entries(clampContribution(inDomain, maxContribution)))
        counts.set(type, counts.get(type)! + n);
    }
    return { counts, sensitivity: maxContribution };
  }
  counts.set(OTHER_KEY, 0);
  if (groupBy === 'template') counts.set(NONE_KEY, 0);
  for (const job of jobs) {
    const value = groupBy === 'purpose' ? job.purpose : job.template;
    const key = value === null ? NONE_KEY : known.has(value) ? value : OTHER_KEY;
    counts.set(key, counts.get(key)! + 1);
  }
  return { counts, sensitivity: 1 };
}

/** One released count. */
export interface NoisyCount {
  readonly key: string;
  /** The exact count plus discrete Laplace noise: unbiased, so it can be negative. */
  readonly count: number;
}

/** A release: the noisy counts and the mechanism's parameters, stated with it. */
export interface Release {
  readonly counts: readonly NoisyCount[];
  readonly mechanism: 'discrete_laplace';
  readonly epsilon: number;
  readonly delta: 0;
  readonly sensitivity: number;
  /** The noise scale t = sensitivity / epsilon. */
  readonly scale: number;
  /** 95% of noise draws lie within ± this. */
  readonly noise_95: number;
}

/**
 * Adds discrete Laplace noise of scale `sensitivity / ε` to every count. Adding or removing one
 * job changes the vector of exact counts by at most `sensitivity` in L1, so the release is
 * (ε, 0)-differentially private; the keys are the public domain, in sorted order.
 *
 * @example
 * ```ts
 * const release = noisyRelease(exactCounts(jobs, 'entity_type', types, 10), 500_000, cryptoRandomSource());
 * release.epsilon; // 0.5
 * ```
 */
export function noisyRelease(exact: ExactCounts, epsilonMicro: number, rng: RandomSource): Release {
  if (!Number.isInteger(epsilonMicro) || epsilonMicro <= 0)
    throw new RangeError('release: epsilon must be positive');
  const scale = rational(BigInt(exact.sensitivity) * BigInt(MICRO), BigInt(epsilonMicro));
  const keys = [...exact.counts.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const counts = keys.map((key) => ({
    key,
    count: exact.counts.get(key)! + Number(sampleDiscreteLaplace(scale, rng)),
  }));
  const t = (exact.sensitivity * MICRO) / epsilonMicro;
  return {
    counts,
    mechanism: 'discrete_laplace',
    epsilon: epsilonMicro / MICRO,
    delta: 0,
    sensitivity: exact.sensitivity,
    scale: t,
    noise_95: noiseHalfWidth(t, 0.95),
  };
}
