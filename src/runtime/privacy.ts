/**
 * Wiring of the privacy layer into the service: the analytics port over the database and the
 * audit logs. Rules live in src/privacy; this file only connects them.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { ApiRoutePlugin, RequestOutcome } from '../api/ports.js';
import { alertRoutes } from '../api/routes/alerts.js';
import type { AuditEvent } from '../audit/index.js';
import { hmacSha256 } from '../crypto/hmac.js';
import type { AlertsPolicy } from '../policy/schema.js';
import {
  AlertDispatcher,
  alertRaisedEvent,
  AnomalyDetector,
  listAlerts,
  NO_TENANT,
  storeAlert,
  webhookTargets,
} from '../privacy/anomaly/index.js';
import type { DispatcherOptions, RaisedAlert } from '../privacy/anomaly/index.js';
import { analyticsRoutes } from '../api/routes/analytics.js';
import type { AnalyticsPort } from '../api/routes/analytics.js';
import type { Policy } from '../policy/schema.js';
import { releaseCounts } from '../privacy/analytics/index.js';
import type { RandomSource } from '../privacy/analytics/index.js';
import { privacyMetricsRoutes } from '../api/routes/privacy-metrics.js';
import type { PrivacyMetricsPort } from '../api/routes/privacy-metrics.js';
import type { PrivacyMetricsSource } from '../api/privacy-metrics.js';
import { collectPrivacyMetrics, PrivacyCounters } from '../privacy/metrics/index.js';
import type { ReviewMetricsSource } from '../privacy/metrics/index.js';
import { SYSTEM_SCOPE, withTenantScope } from '../store/database.js';
import type { Schema } from '../store/schema.js';
import { auditActor, auditActorId } from './audit.js';
import type { AuditLogs } from './audit.js';

/** What the privacy routes are built from. */
export interface PrivacyWiring {
  readonly db: Kysely<Schema>;
  readonly logs: AuditLogs;
  readonly policyFor: (tenantId: string) => Policy | Promise<Policy>;
  /** The noise source; the operating system's CSPRNG when absent. */
  readonly rng?: RandomSource;
  /** The review queue's figures for the privacy metrics; none (no queue) when absent. */
  readonly review?: ReviewMetricsSource;
}

/**
 * The analytics port of the service.
 *
 * @example
 * ```ts
 * const port = analyticsPort({ db, logs, policyFor });
 * await port.counts(principal, { groupBy: 'purpose', from, to });
 * ```
 */
export function analyticsPort(wiring: PrivacyWiring): AnalyticsPort {
  return {
    async counts(principal, query) {
      return releaseCounts(
        {
          db: wiring.db,
          record: (event) => wiring.logs.forTenant(event.tenant).append(event),
          ...(wiring.rng === undefined ? {} : { rng: wiring.rng }),
        },
        {
          tenant: principal.tenantId,
          actor: auditActor(principal),
          policy: await wiring.policyFor(principal.tenantId),
          ...query,
        },
      );
    },
  };
}

/**
 * The privacy route plugins of the service.
 *
 * @example
 * ```ts
 * const routes = [...privacyRoutes({ db, logs, policyFor })];
 * ```
 */
export function privacyRoutes(wiring: PrivacyWiring): ApiRoutePlugin[] {
  return [analyticsRoutes(analyticsPort(wiring)), privacyMetricsRoutes(privacyMetricsPort(wiring))];
}

async function tenantMetrics(wiring: PrivacyWiring, tenant: string, since: Date, until: Date) {
  return collectPrivacyMetrics(
    { db: wiring.db, ...(wiring.review === undefined ? {} : { review: wiring.review }) },
    { tenant, since, until, policy: await wiring.policyFor(tenant) },
  );
}

/**
 * The privacy metrics port of `GET /v1/privacy/metrics`: the principal's tenant only.
 *
 * @example
 * ```ts
 * await privacyMetricsPort({ db, logs, policyFor }).metrics(principal, { since, until });
 * ```
 */
export function privacyMetricsPort(wiring: PrivacyWiring): PrivacyMetricsPort {
  return {
    metrics: async (principal, period) =>
      (await tenantMetrics(wiring, principal.tenantId, period.since, period.until)).metrics,
  };
}

/** The trailing window of the privacy metrics on `/metrics`. */
export const PRIVACY_METRICS_WINDOW_SECONDS = 30 * 86_400;

/**
 * Every tenant's privacy metrics over the trailing window, for `/metrics`.
 *
 * @example
 * ```ts
 * const app = await buildApp({ ...deps, privacyMetrics: privacyMetricsSource({ db, logs, policyFor }) });
 * ```
 */
export function privacyMetricsSource(wiring: PrivacyWiring): PrivacyMetricsSource {
  const counters = new PrivacyCounters(wiring.db);
  return {
    windowSeconds: PRIVACY_METRICS_WINDOW_SECONDS,
    counters: () => counters.read(),
    async collect() {
      const tenants = await withTenantScope(wiring.db, SYSTEM_SCOPE, (trx) =>
        trx.selectFrom('tenants').select('id').orderBy('id').execute(),
      );
      const until = new Date();
      const since = new Date(until.getTime() - PRIVACY_METRICS_WINDOW_SECONDS * 1000);
      const figures = [];
      // One tenant at a time: a scrape must not take every connection of the pool.
      for (const { id } of tenants) figures.push(await tenantMetrics(wiring, id, since, until));
      return figures;
    },
  };
}

/** What {@link createAlerting} takes. */
export interface AlertingWiring {
  readonly db: Kysely<Schema>;
  readonly policyFor: (tenantId: string) => Policy | Promise<Policy>;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly dispatcher?: Omit<DispatcherOptions, 'db' | 'env'>;
  readonly onError?: (error: unknown) => void;
}

/** The anomaly detector and alert delivery of a service. */
export interface Alerting {
  /** The audit logs' `onAppend`. */
  readonly onAudit: (event: AuditEvent) => void;
  /** The API's `observeRequest`. */
  readonly onRequest: (outcome: RequestOutcome) => void;
  /** Where `alert.raised` events go; set once the logs are open. */
  attach(logs: AuditLogs): void;
  readonly routes: ApiRoutePlugin[];
  readonly dispatcher: AlertDispatcher;
  /** Resolves once every alert raised so far is stored, recorded and sent once (tests, shutdown). */
  settled(): Promise<void>;
  close(): Promise<void>;
}

const POLICY_REFRESH_MS = 60_000;

/**
 * Wires the anomaly detector to the audit stream and the API, stores and records what it raises,
 * and delivers alerts to the tenants' webhooks. Tenant alert settings are cached in memory (the
 * detector runs on the hot path) and re-read every minute.
 *
 * @example
 * ```ts
 * const alerting = createAlerting({ db, policyFor });
 * const logs = await openAuditLogs({ db, dataDir, onAppend: alerting.onAudit });
 * alerting.attach(logs);
 * ```
 */
export function createAlerting(wiring: AlertingWiring): Alerting {
  const env = wiring.env ?? process.env;
  const settings = new Map<string, { policy: AlertsPolicy | undefined; loaded: boolean; at: number }>();
  const refresh = (tenant: string): void => {
    const cached = settings.get(tenant);
    if (cached !== undefined && Date.now() - cached.at < POLICY_REFRESH_MS) return;
    settings.set(tenant, { policy: cached?.policy, loaded: cached?.loaded ?? false, at: Date.now() });
    Promise.resolve(wiring.policyFor(tenant))
      .then((policy) => settings.set(tenant, { policy: policy.alerts, loaded: true, at: Date.now() }))
      .catch((error: unknown) => wiring.onError?.(error));
  };
  const detector = new AnomalyDetector((tenant) => {
    refresh(tenant);
    return settings.get(tenant)?.policy;
  });
  const dispatcher = new AlertDispatcher({
    db: wiring.db,
    env,
    ...wiring.dispatcher,
    ...(wiring.onError === undefined ? {} : { onError: wiring.onError }),
  });
  dispatcher.start();
  let logs: AuditLogs | undefined;
  const inFlight = new Set<Promise<void>>();
  // A keyed hash, so an address never sits in the detector's memory or an alert as itself.
  const addressKey = randomBytes(32);
  // On the path of the event that crossed the threshold: store the alert (one transaction), then
  // send it and record `alert.raised` side by side. No poll, no queue of earlier alerts, no wait
  // for the audit log stands between the event and the webhook; the stored delivery row is what
  // makes a receiver that is down lose nothing.
  const raise = (alerts: readonly RaisedAlert[]): void => {
    for (const alert of alerts) {
      if (alert.tenant === NO_TENANT) continue;
      const work = (async () => {
        const cached = settings.get(alert.tenant);
        const alertsPolicy = cached?.loaded ? cached.policy : (await wiring.policyFor(alert.tenant)).alerts;
        const stored = await storeAlert(wiring.db, alert, webhookTargets(alertsPolicy, env), {
          leaseMs: dispatcher.leaseMs,
        });
        await Promise.all([
          dispatcher.deliver(stored),
          logs?.forTenant(alert.tenant).append(alertRaisedEvent(alert)),
        ]);
      })()
        .catch((error: unknown) => wiring.onError?.(error))
        .finally(() => inFlight.delete(work));
      inFlight.add(work);
    }
  };
  return {
    onAudit: (event) => {
      if (event.tenant === NO_TENANT) return;
      raise(
        detector.observe({
          kind: 'audit',
          tenant: event.tenant,
          action: event.action,
          actorId: event.actor.id,
          actorRole: event.actor.role,
          time: Date.parse(event.time),
        }),
      );
    },
    onRequest: (outcome) => {
      const principal = outcome.principal;
      raise(
        detector.observe({
          kind: 'request',
          ...(principal === null
            ? {}
            : {
                tenant: principal.tenantId,
                principalId: auditActorId(principal.id),
                principalKind: principal.kind,
              }),
          status: outcome.status,
          byId: outcome.byId,
          source: `src:${hmacSha256(addressKey, outcome.address).toString('hex').slice(0, 16)}`,
          time: Date.now(),
        }),
      );
    },
    attach: (opened) => {
      logs = opened;
    },
    routes: [
      alertRoutes({
        list: (principal, query) => listAlerts(wiring.db, principal.tenantId, query),
      }),
    ],
    dispatcher,
    settled: async () => {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
    close: async () => {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
      await dispatcher.stop();
    },
  };
}
