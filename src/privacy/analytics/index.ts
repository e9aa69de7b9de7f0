export {
  clampContribution,
  exactCounts,
  noisyRelease,
  GROUP_BY,
  MICRO,
  NONE_KEY,
  OTHER_KEY,
} from './counts.js';
export type { AnalyticsJob, ExactCounts, GroupBy, NoisyCount, Release } from './counts.js';
export { discreteLaplacePmf, noiseHalfWidth, rational, sampleDiscreteLaplace } from './discrete-laplace.js';
export type { Rational } from './discrete-laplace.js';
export { periodStart, spendBudget } from './ledger.js';
export type { BudgetPeriod, LedgerEntry, Spend } from './ledger.js';
export { cryptoRandomSource, randomSourceFromBytes, seededRandomSource } from './random.js';
export type { ByteSource, RandomSource } from './random.js';
export { ANALYTICS_DEFAULTS, recordedAnalyticsConsent, releaseCounts } from './release.js';
export type {
  AnalyticsConsent,
  AnalyticsContext,
  ConsentCandidate,
  CountsAnswer,
  CountsQuery,
} from './release.js';
