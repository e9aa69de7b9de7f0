/**
 * The privacy metrics on `/metrics`: every figure of `GET /v1/privacy/metrics`, per tenant, over
 * a trailing window, as Prometheus gauges and histograms. They are read from the database at
 * scrape time (at most once per `refreshMs`, shared by every metric of the scrape), so the
 * figures of every Veil process count, workers included, and a restart loses nothing.
 *
 * The `veil_privacy_*_total` series are Prometheus counters: running totals since each tenant's
 * audit log began (append-only, shared by every process), so they never go down between scrapes,
 * outlive the window and survive restarts; `rate()` and `increase()` work on them.
 *
 * Labels: `tenant` (an opaque tenant id the deployment assigns: configuration, never content;
 * one series set per tenant, so the cardinality grows with tenants, not with traffic) and codes
 * from closed sets (artifact class, output kind, reveal reason, step, alert rule). No label ever
 * holds a principal, a document's value or anything a caller typed.
 */
import { Counter, Gauge, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';
import { DURATION_BUCKETS, PRIVACY_COUNTERS, SHARE_BUCKETS } from '../privacy/metrics/index.js';
import type {
  CounterTotals,
  PrivacyCounterName,
  PrivacyMetrics,
  PrivacyMetricSamples,
} from '../privacy/metrics/index.js';

/** One tenant's figures, as the source hands them over. */
export interface TenantPrivacyFigures {
  readonly metrics: PrivacyMetrics;
  readonly samples: PrivacyMetricSamples;
}

/** Where the exporter reads the figures of every tenant. */
export interface PrivacyMetricsSource {
  /** The trailing window the figures cover, in seconds (stated as `veil_privacy_window_seconds`). */
  readonly windowSeconds: number;
  collect(): Promise<readonly TenantPrivacyFigures[]>;
  /** Every tenant's running totals since its audit log began (the `_total` counters); none when absent. */
  counters?(): Promise<ReadonlyMap<string, CounterTotals>>;
}

/** The k values an output's risk histogram is bucketed by. */
export const K_BUCKETS = [1, 2, 3, 5, 10, 20, 50, 100] as const;

type Fill = (set: (labels: Record<string, string>, value: number) => void, m: PrivacyMetrics) => void;

/**
 * Registers the privacy metrics in `registry`.
 *
 * @example
 * ```ts
 * registerPrivacyMetrics(registry, { windowSeconds: 30 * 86_400, collect: () => figuresOfEveryTenant() });
 * // veil_privacy_artifacts_alive{tenant="acme",class="original"} 3
 * ```
 */
export function registerPrivacyMetrics(
  registry: Registry,
  source: PrivacyMetricsSource,
  refreshMs = 15_000,
): void {
  let cached: { at: number; figures: Promise<readonly TenantPrivacyFigures[]> } | undefined;
  const current = (): Promise<readonly TenantPrivacyFigures[]> => {
    if (cached === undefined || Date.now() - cached.at >= refreshMs) {
      const figures = source.collect();
      cached = { at: Date.now(), figures };
      // A failed read is not cached: the next scrape tries again.
      figures.catch(() => (cached = undefined));
    }
    return cached.figures;
  };
  const window = `the trailing window (veil_privacy_window_seconds)`;
  const gauge = (name: string, help: string, labelNames: readonly string[], fill: Fill): void => {
    new Gauge({
      name,
      help,
      labelNames: ['tenant', ...labelNames],
      registers: [registry],
      async collect() {
        const figures = await current();
        this.reset();
        for (const { metrics } of figures)
          fill((labels, value) => this.set({ tenant: metrics.tenant, ...labels }, value), metrics);
      },
    });
  };
  const histogram = (
    name: string,
    help: string,
    buckets: readonly number[],
    samples: (s: PrivacyMetricSamples) => readonly number[],
  ): void => {
    new Histogram({
      name,
      help,
      labelNames: ['tenant'],
      buckets: [...buckets],
      registers: [registry],
      async collect() {
        const figures = await current();
        this.reset();
        for (const f of figures)
          for (const value of samples(f.samples)) this.observe({ tenant: f.metrics.tenant }, value);
      },
    });
  };

  new Gauge({
    name: 'veil_privacy_window_seconds',
    help: 'The trailing window the veil_privacy_* figures cover',
    registers: [registry],
    collect() {
      this.set(source.windowSeconds);
    },
  });
  gauge('veil_privacy_jobs_created', `Jobs created in ${window}`, [], (set, m) => set({}, m.jobs.created));
  gauge(
    'veil_privacy_full_text_grants',
    `Jobs that allowed a full transcript (consent.allow_full_text) in ${window}`,
    [],
    (set, m) => set({}, m.jobs.full_text_grants),
  );
  histogram(
    'veil_privacy_raw_document_lifetime_seconds',
    `Intake to the deletion of the original, originals deleted in ${window}`,
    DURATION_BUCKETS,
    (s) => s.rawDocumentLifetime,
  );
  histogram(
    'veil_privacy_deletion_lag_seconds',
    `delete_after to deleted_at, retention classes deleted in ${window}`,
    DURATION_BUCKETS,
    (s) => s.deletionLag,
  );
  gauge('veil_privacy_artifacts_alive', 'Artifacts stored now, by class', ['class'], (set, m) => {
    for (const a of m.artifacts_alive) set({ class: a.class }, a.count);
  });
  gauge(
    'veil_privacy_artifact_oldest_age_seconds',
    'Age of the oldest artifact stored now, by class',
    ['class'],
    (set, m) => {
      for (const a of m.artifacts_alive) set({ class: a.class }, a.oldest_age_seconds);
    },
  );
  gauge(
    'veil_privacy_artifact_window_seconds',
    "The tenant policy's retention window of the class (compare with the oldest age)",
    ['class'],
    (set, m) => {
      for (const a of m.artifacts_alive)
        if (a.window_seconds !== null) set({ class: a.class }, a.window_seconds);
    },
  );
  gauge(
    'veil_privacy_artifacts_overdue',
    'Artifacts stored now past their own deadline (waiting for the sweeper), by class',
    ['class'],
    (set, m) => {
      for (const a of m.artifacts_alive) set({ class: a.class }, a.overdue);
    },
  );
  gauge('veil_privacy_outputs_read', `Outputs read in ${window}, by kind`, ['kind'], (set, m) => {
    for (const [kind, n] of Object.entries(m.outputs.by_kind)) set({ kind }, n);
  });
  gauge(
    'veil_privacy_outputs_without_raw_value_ratio',
    `Share of outputs read in ${window} that handed out no value from a document`,
    [],
    (set, m) => {
      if (m.outputs.without_raw_value_share !== null) set({}, m.outputs.without_raw_value_share);
    },
  );
  gauge('veil_privacy_reveals', `Reveals in ${window}, by reason code`, ['reason'], (set, m) => {
    for (const [reason, n] of Object.entries(m.reveals_by_reason)) set({ reason }, n);
  });
  gauge(
    'veil_privacy_raw_content_jobs',
    `Jobs whose raw content each component handled in ${window}`,
    ['component'],
    (set, m) => {
      for (const [component, n] of Object.entries(m.raw_content_components.by_component))
        set({ component }, n);
    },
  );
  gauge('veil_privacy_model_requests', `AI provider calls in ${window}`, [], (set, m) =>
    set({}, m.model.requests),
  );
  gauge(
    'veil_privacy_egress_blocked',
    `AI provider calls the egress guard blocked in ${window}`,
    [],
    (set, m) => set({}, m.model.egress_blocked),
  );
  gauge('veil_privacy_review_open_tasks', 'Review tasks not yet decided', [], (set, m) =>
    set({}, m.review.open_tasks),
  );
  histogram(
    'veil_privacy_review_crop_area_ratio',
    `Share of the page shown per field reviewed in ${window}`,
    SHARE_BUCKETS,
    (s) => s.cropAreaShown,
  );
  gauge('veil_privacy_dsr_requests', `Data-subject requests in ${window}, by kind`, ['kind'], (set, m) => {
    set({ kind: 'access' }, m.dsr.access);
    set({ kind: 'erasure' }, m.dsr.erasure);
  });
  histogram(
    'veil_privacy_dsr_completion_seconds',
    `Time to complete a data-subject request, requests in ${window}`,
    DURATION_BUCKETS,
    (s) => s.dsrCompletion,
  );
  gauge(
    'veil_privacy_analytics_epsilon_spent',
    `Differential-privacy epsilon spent in ${window}`,
    [],
    (set, m) => set({}, m.analytics.epsilon_spent),
  );
  gauge('veil_privacy_alerts', `Access anomaly alerts raised in ${window}, by rule`, ['rule'], (set, m) => {
    for (const [rule, n] of Object.entries(m.alerts_by_rule)) set({ rule }, n);
  });
  gauge(
    'veil_privacy_output_k_target',
    "The k an output's class should reach (the policy's k_anonymity, else 5)",
    [],
    (set, m) => set({}, m.reidentification.k_target),
  );
  gauge(
    'veil_privacy_output_min_k',
    `Smallest k among outputs first released in ${window}, by kind (released outputs of the kind handing out the same identifying values)`,
    ['kind'],
    (set, m) => {
      for (const [kind, r] of Object.entries(m.reidentification.by_kind))
        if (r.min_k !== null) set({ kind }, r.min_k);
    },
  );
  gauge(
    'veil_privacy_outputs_below_k',
    `Outputs first released in ${window} whose k is below the target, by kind`,
    ['kind'],
    (set, m) => {
      for (const [kind, r] of Object.entries(m.reidentification.by_kind)) set({ kind }, r.below_target);
    },
  );
  new Histogram({
    name: 'veil_privacy_output_k',
    help: `k of each output first released in ${window}, by kind`,
    labelNames: ['tenant', 'kind'],
    buckets: [...K_BUCKETS],
    registers: [registry],
    async collect() {
      const figures = await current();
      this.reset();
      for (const f of figures)
        for (const [kind, ks] of Object.entries(f.samples.outputK))
          for (const k of ks) this.observe({ tenant: f.metrics.tenant, kind }, k);
    },
  });

  const counters = source.counters?.bind(source);
  if (counters === undefined) return;
  // Not cached between scrapes: a counter must show every event appended before its scrape. The
  // counters of one scrape share one read (the source joins reads in flight), which looks only at
  // the entries appended since the last.
  for (const [name, spec] of Object.entries(PRIVACY_COUNTERS) as Array<
    [PrivacyCounterName, (typeof PRIVACY_COUNTERS)[PrivacyCounterName]]
  >) {
    const label = 'label' in spec ? spec.label : undefined;
    new Counter({
      name: `veil_privacy_${name}_total`,
      help: `${spec.action}${spec.action.endsWith('.') ? '*' : ''} audit events since the tenant's log began${label === undefined ? '' : `, by ${label}`}`,
      labelNames: label === undefined ? ['tenant'] : ['tenant', label],
      registers: [registry],
      async collect() {
        const read = await counters();
        this.reset();
        for (const [tenant, byCounter] of read)
          for (const [value, n] of Object.entries(byCounter[name]))
            this.inc(label === undefined ? { tenant } : { tenant, [label]: value }, n);
      },
    });
  }
}
