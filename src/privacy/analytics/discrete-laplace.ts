/**
 * Exact sampling from the discrete Laplace distribution, after Canonne, Kamath and Steinke, "The
 * Discrete Gaussian for Differential Privacy" (NeurIPS 2020), Algorithms 1 and 2, as in their
 * reference code (`discretegauss.py`) and OpenDP's `sample_discrete_laplace`. Every step is a
 * Bernoulli trial with a rational probability decided by a uniform integer, so no floating-point
 * value touches the noise: the output has exactly the distribution
 * `P[X = x] = (e^(1/t) - 1) / (e^(1/t) + 1) · e^(-|x|/t)` for the rational scale `t`.
 *
 * No vetted JavaScript implementation exists (OpenDP ships Rust, Python and R; Google's DP library
 * C++, Go and Java), so this is a line-by-line port of the published algorithm, checked against
 * the exact distribution by a Kolmogorov–Smirnov and a chi-square test (test/privacy/analytics).
 */
import type { RandomSource } from './random.js';

/** A non-negative rational number `num / den` with bigint parts. */
export interface Rational {
  readonly num: bigint;
  readonly den: bigint;
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a < 0n ? -a : a;
}

/**
 * `num / den` in lowest terms.
 *
 * @example
 * ```ts
 * rational(10n, 4n); // { num: 5n, den: 2n }
 * ```
 */
export function rational(num: bigint, den: bigint): Rational {
  if (den <= 0n || num < 0n) throw new RangeError('rational: expected num >= 0 and den > 0');
  const g = gcd(num, den) || 1n;
  return { num: num / g, den: den / g };
}

// Bernoulli(num/den): one uniform integer below den.
function bernoulli(num: bigint, den: bigint, rng: RandomSource): boolean {
  return rng.below(den) < num;
}

// Bernoulli(exp(-x)) for x in [0, 1] (CKS Algorithm 1, first part): K is the first k for which
// Bernoulli(x/k) fails; exp(-x) is the probability that K is odd.
function bernoulliExpUnit(x: Rational, rng: RandomSource): boolean {
  let k = 1n;
  while (bernoulli(x.num, x.den * k, rng)) k += 1n;
  return k % 2n === 1n;
}

// Bernoulli(exp(-x)) for any x >= 0: exp(-x) = exp(-1)^floor(x) · exp(-(x - floor(x))).
function bernoulliExp(x: Rational, rng: RandomSource): boolean {
  let whole = x.num / x.den;
  while (whole > 0n) {
    if (!bernoulliExpUnit({ num: 1n, den: 1n }, rng)) return false;
    whole -= 1n;
  }
  return bernoulliExpUnit({ num: x.num % x.den, den: x.den }, rng);
}

// Geometric with P[k] = (1 - e^-x) e^(-x k) for x = s/t (CKS Algorithm 2, steps 1–6): draw the
// remainder U uniformly on {0…t-1} accepted with probability e^(-U/t), then the quotient V from
// a geometric with parameter e^-1, and return floor((U + t·V) / s).
function geometricExp(x: Rational, rng: RandomSource): bigint {
  const { num: s, den: t } = x;
  let u: bigint;
  do u = rng.below(t);
  while (!bernoulliExp({ num: u, den: t }, rng));
  let v = 0n;
  while (bernoulliExp({ num: 1n, den: 1n }, rng)) v += 1n;
  return (u + t * v) / s;
}

/**
 * One draw from the discrete Laplace distribution of scale `scale` (its `t`, a positive rational):
 * a sign, a geometric magnitude, and a rejection of "negative zero" so that 0 is not counted twice.
 *
 * @example
 * ```ts
 * // The noise of an ε = 0.5 release of a count whose sensitivity is 1: scale 1/ε = 2.
 * const noise = sampleDiscreteLaplace(rational(2n, 1n), cryptoRandomSource());
 * ```
 */
export function sampleDiscreteLaplace(scale: Rational, rng: RandomSource): bigint {
  if (scale.num <= 0n || scale.den <= 0n)
    throw new RangeError('discrete Laplace: the scale must be positive');
  // The geometric's parameter is e^(-1/t): 1/t = den/num.
  const inverse = rational(scale.den, scale.num);
  for (;;) {
    const negative = bernoulli(1n, 2n, rng);
    const magnitude = geometricExp(inverse, rng);
    if (negative && magnitude === 0n) continue;
    return negative ? -magnitude : magnitude;
  }
}

/**
 * The probability mass of the discrete Laplace distribution of scale `t` at `x`, in floating
 * point: for tests and for the error bars a release states, never for sampling.
 *
 * @example
 * ```ts
 * discreteLaplacePmf(0, 2); // ≈ 0.2449
 * ```
 */
export function discreteLaplacePmf(x: number, t: number): number {
  const a = Math.exp(1 / t);
  return ((a - 1) / (a + 1)) * Math.exp(-Math.abs(x) / t);
}

/**
 * The half-width `w` such that the noise of scale `t` lies in [-w, w] with probability at least
 * `confidence`: `P[|X| > w] = 2 e^(-w/t) / (e^(1/t) + 1)`.
 *
 * @example
 * ```ts
 * noiseHalfWidth(10, 0.95); // 30
 * ```
 */
export function noiseHalfWidth(t: number, confidence: number): number {
  const tail = 1 - confidence;
  const w = Math.ceil(-t * Math.log((tail * (Math.exp(1 / t) + 1)) / 2));
  return Math.max(0, w);
}
