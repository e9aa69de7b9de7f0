export { collectPrivacyMetrics, OUTPUT_KINDS, RAW_CONTENT_STEPS } from './collect.js';
export type {
  ArtifactClassMetrics,
  OutputKind,
  PrivacyMetrics,
  PrivacyMetricSamples,
  PrivacyMetricsQuery,
  PrivacyMetricsSources,
} from './collect.js';
export { DURATION_BUCKETS, SHARE_BUCKETS, summarise } from './distribution.js';
export type { Distribution } from './distribution.js';
export { humanDuration, renderPrivacyReport } from './report.js';
export { NO_REVIEW_QUEUE } from './review-source.js';
export type { ReviewMetrics, ReviewMetricsSource } from './review-source.js';
export { PRIVACY_COUNTERS, PrivacyCounters } from './counters.js';
export type { CounterTotals, PrivacyCounterName } from './counters.js';
