/**
 * Wiring of the privacy layer into the service: the analytics port over the database and the
 * audit logs. Rules live in src/privacy; this file only connects them.
 */
import type { Kysely } from 'kysely';
import type { ApiRoutePlugin } from '../api/ports.js';
import { analyticsRoutes } from '../api/routes/analytics.js';
import type { AnalyticsPort } from '../api/routes/analytics.js';
import type { Policy } from '../policy/schema.js';
import { NO_ANALYTICS_CONSENT, releaseCounts } from '../privacy/analytics/index.js';
import type { AnalyticsConsent, RandomSource } from '../privacy/analytics/index.js';
import type { Schema } from '../store/schema.js';
import { auditActor } from './audit.js';
import type { AuditLogs } from './audit.js';

/** What the privacy routes are built from. */
export interface PrivacyWiring {
  readonly db: Kysely<Schema>;
  readonly logs: AuditLogs;
  readonly policyFor: (tenantId: string) => Policy | Promise<Policy>;
  /** Which jobs allow analytics (governance's consent flags); none until wired. */
  readonly analyticsConsent?: AnalyticsConsent;
  /** The noise source; the operating system's CSPRNG when absent. */
  readonly rng?: RandomSource;
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
          consent: wiring.analyticsConsent ?? NO_ANALYTICS_CONSENT,
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
  return [analyticsRoutes(analyticsPort(wiring))];
}
