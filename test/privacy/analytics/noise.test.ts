/**
 * The discrete Laplace sampler against its exact distribution (Kolmogorov–Smirnov and chi-square
 * at a fixed seed over many draws), the uniform integer source, and the clamping bound that the
 * stated sensitivity rests on.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  clampContribution,
  discreteLaplacePmf,
  exactCounts,
  noiseHalfWidth,
  noisyRelease,
  rational,
  sampleDiscreteLaplace,
  seededRandomSource,
} from '../../../src/privacy/analytics/index.js';
import type { AnalyticsJob } from '../../../src/privacy/analytics/index.js';

const DRAWS = 20_000;

function draws(scale: { num: bigint; den: bigint }, seed: string, n = DRAWS): number[] {
  const rng = seededRandomSource(seed);
  return Array.from({ length: n }, () => Number(sampleDiscreteLaplace(scale, rng)));
}

// Wilson–Hilferty: the chi-square quantile for `df` degrees of freedom at the normal quantile z.
function chiSquareCritical(df: number, z: number): number {
  const a = 2 / (9 * df);
  return df * (1 - a + z * Math.sqrt(a)) ** 3;
}

for (const [num, den] of [
  [2n, 1n],
  [10n, 3n],
  [1n, 2n],
] as const) {
  const t = Number(num) / Number(den);
  test(`discrete Laplace of scale ${num}/${den}: Kolmogorov–Smirnov and chi-square against the exact pmf over ${DRAWS} draws`, () => {
    const sample = draws(rational(num, den), `ks-${num}-${den}`);
    const bound = Math.ceil(40 * t) + 5;
    const histogram = new Map<number, number>();
    for (const x of sample) histogram.set(x, (histogram.get(x) ?? 0) + 1);
    assert.ok(Math.max(...sample.map(Math.abs)) < bound, 'a draw far beyond any plausible tail');

    // KS: the largest gap between the empirical and the exact CDF over the support.
    let cdf = 0;
    let empirical = 0;
    let d = 0;
    for (let x = -bound; x <= bound; x++) {
      cdf += discreteLaplacePmf(x, t);
      empirical += (histogram.get(x) ?? 0) / DRAWS;
      d = Math.max(d, Math.abs(cdf - empirical));
    }
    // 1.63/√n is the continuous critical value at α = 0.01; for a discrete law it is conservative.
    assert.ok(
      d < 1.63 / Math.sqrt(DRAWS),
      `KS statistic ${d.toFixed(4)} beyond ${(1.63 / Math.sqrt(DRAWS)).toFixed(4)}`,
    );

    // Chi-square over the cells with an expected count of at least 5, the tails pooled.
    let k = 0;
    while (DRAWS * discreteLaplacePmf(k + 1, t) >= 5) k++;
    let statistic = 0;
    let inside = 0;
    for (let x = -k; x <= k; x++) {
      const expected = DRAWS * discreteLaplacePmf(x, t);
      inside += expected;
      statistic += ((histogram.get(x) ?? 0) - expected) ** 2 / expected;
    }
    const tailExpected = (DRAWS - inside) / 2;
    const below = sample.filter((x) => x < -k).length;
    const above = sample.filter((x) => x > k).length;
    statistic += (below - tailExpected) ** 2 / tailExpected + (above - tailExpected) ** 2 / tailExpected;
    const df = 2 * k + 2;
    const critical = chiSquareCritical(df, 3.09); // α = 0.001
    assert.ok(
      statistic < critical,
      `chi-square ${statistic.toFixed(1)} beyond ${critical.toFixed(1)} (df ${df})`,
    );

    // The mean is 0 and the variance 2e^(1/t)/(e^(1/t) - 1)^2.
    const mean = sample.reduce((s, x) => s + x, 0) / DRAWS;
    const variance = (2 * Math.exp(1 / t)) / (Math.exp(1 / t) - 1) ** 2;
    assert.ok(Math.abs(mean) < 4 * Math.sqrt(variance / DRAWS), `mean ${mean}`);
  });
}

test('the sampler is a function of its random source: a fixed seed replays, another seed differs', () => {
  const a = draws(rational(3n, 1n), 'replay', 200);
  assert.deepEqual(draws(rational(3n, 1n), 'replay', 200), a);
  assert.notDeepEqual(draws(rational(3n, 1n), 'other', 200), a);
});

test('the sampler never calls Math.random', () => {
  const original = Math.random;
  Math.random = () => {
    throw new Error('Math.random called');
  };
  try {
    draws(rational(5n, 2n), 'no-math-random', 500);
  } finally {
    Math.random = original;
  }
});

test('uniform integers below n are uniform (chi-square over 6 faces and over a range that is not a power of two)', () => {
  for (const n of [6, 300]) {
    const rng = seededRandomSource(`uniform-${n}`);
    const counts = new Array<number>(n).fill(0);
    const total = n * 200;
    for (let i = 0; i < total; i++) counts[Number(rng.below(BigInt(n)))]! += 1;
    const statistic = counts.reduce((s, c) => s + (c - 200) ** 2 / 200, 0);
    assert.ok(statistic < chiSquareCritical(n - 1, 3.09), `n=${n}: chi-square ${statistic.toFixed(1)}`);
  }
});

test('noise_95 holds 95% of the mass', () => {
  for (const t of [0.5, 1, 2, 10, 100]) {
    const w = noiseHalfWidth(t, 0.95);
    let inside = 0;
    for (let x = -w; x <= w; x++) inside += discreteLaplacePmf(x, t);
    assert.ok(inside >= 0.95, `t=${t} w=${w}: ${inside}`);
    let smaller = 0;
    for (let x = -(w - 1); x <= w - 1; x++) smaller += discreteLaplacePmf(x, t);
    assert.ok(w === 0 || smaller < 0.95, `t=${t}: w=${w} is not the smallest`);
  }
  assert.equal(noiseHalfWidth(10, 0.95), 30);
});

test('clamping: one job adds at most max_contribution to an entity-type histogram, and never more than it found', () => {
  assert.deepEqual(clampContribution({ EMAIL_ADDRESS: 30, PERSON: 10 }, 8), { EMAIL_ADDRESS: 6, PERSON: 2 });
  assert.deepEqual(clampContribution({ EMAIL_ADDRESS: 3, PERSON: 1 }, 8), { EMAIL_ADDRESS: 3, PERSON: 1 });
  const types = ['EMAIL_ADDRESS', 'PERSON', 'US_SSN', 'PHONE_NUMBER'];
  const job = fc.record({
    purpose: fc.constantFrom('claims', 'billing'),
    template: fc.constant(null),
    countsByType: fc.dictionary(fc.constantFrom(...types), fc.integer({ min: 0, max: 10_000 })),
  });
  fc.assert(
    fc.property(
      fc.array(job, { maxLength: 20 }),
      job,
      fc.integer({ min: 1, max: 50 }),
      (jobs: AnalyticsJob[], extra: AnalyticsJob, cap) => {
        const clamped = clampContribution(extra.countsByType, cap);
        const sum = Object.values(clamped).reduce((s, n) => s + n, 0);
        if (sum > cap) return false;
        if (Object.entries(clamped).some(([type, n]) => n > (extra.countsByType[type] ?? 0))) return false;
        // Neighbouring data sets: with and without one job, the counts differ by at most the sensitivity in L1.
        for (const groupBy of ['entity_type', 'purpose'] as const) {
          const without = exactCounts(jobs, groupBy, groupBy === 'purpose' ? ['claims'] : types, cap);
          const withJob = exactCounts(
            [...jobs, extra],
            groupBy,
            groupBy === 'purpose' ? ['claims'] : types,
            cap,
          );
          let l1 = 0;
          for (const [key, n] of withJob.counts) l1 += Math.abs(n - (without.counts.get(key) ?? 0));
          if (l1 > withJob.sensitivity) return false;
        }
        return true;
      },
    ),
    { seed: 16, numRuns: 300 },
  );
});

test('a release lists every key of the public domain, zeros included, and states its mechanism', () => {
  const jobs: AnalyticsJob[] = [
    { purpose: 'claims', template: null, countsByType: { EMAIL_ADDRESS: 2 } },
    { purpose: 'secret-project', template: null, countsByType: {} },
  ];
  const release = noisyRelease(
    exactCounts(jobs, 'purpose', ['billing', 'claims'], 10),
    1_000_000,
    seededRandomSource('domain'),
  );
  assert.deepEqual(
    release.counts.map((c) => c.key),
    ['(other)', 'billing', 'claims'],
  );
  assert.equal(release.epsilon, 1);
  assert.equal(release.delta, 0);
  assert.equal(release.sensitivity, 1);
  assert.equal(release.scale, 1);
  assert.equal(release.mechanism, 'discrete_laplace');
});
