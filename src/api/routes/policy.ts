/**
 * The tenant's policy and the compliance evidence built on it, read-only:
 * - `GET /v1/policy` (permission `policy:read`): the policy in force for the caller's tenant, its
 *   hash and version, and its history from the `policy.changed` audit events;
 * - `GET /v1/compliance/report` (permission `audit:read`): the compliance report (the control
 *   registry joined with that policy and the tenant's audit log) as JSON, as
 *   `veil compliance report --format json` writes it.
 * Settings and counts only: a policy holds no document value. The routes validate and present;
 * the reading is the {@link PolicyPort}'s.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ComplianceReport } from '../../privacy/compliance/index.js';
import { principalOf } from '../guard.js';
import type { ApiRoutePlugin, Principal } from '../ports.js';
import { protectedErrorResponses } from '../schemas.js';
import { periodOf, periodQuery } from './period.js';

/** One change of a policy, as the audit log recorded it. */
export interface PolicyChangeView {
  /** The audit entry's leaf index in its log. */
  readonly index: number;
  /** `tenant` for the tenant's log, `system` for the log of the shared default policy. */
  readonly log: 'tenant' | 'system';
  readonly time: string;
  readonly hash: string;
  /** Absent for the first record (from none). */
  readonly previousHash?: string;
}

/** The policy in force for a tenant. */
export interface PolicyView {
  /** The policy's id: the tenant's own file's name, `default`, or `custom` for a policy given in code. */
  readonly id: string;
  readonly hash: string;
  readonly version: number;
  /** The validated policy, with the path of any alert webhook URL hidden. */
  readonly policy: Readonly<Record<string, unknown>>;
  /** Newest first. */
  readonly history: readonly PolicyChangeView[];
}

/** What the routes need; each method reads the principal's tenant only. */
export interface PolicyPort {
  policy(principal: Principal, options: { readonly historyLimit: number }): Promise<PolicyView>;
  complianceReport(principal: Principal, period: { since: Date; until: Date }): Promise<ComplianceReport>;
}

const hash = z.string().regex(/^[0-9a-f]{64}$/);

const policyResponse = z.object({
  id: z.string().describe('`default`, the tenant id when it has its own policy file, or `custom`'),
  hash: hash.describe('SHA-256 of the RFC 8785 canonical JSON of the policy: the hash jobs record'),
  version: z.number().int(),
  policy: z
    .record(z.string(), z.unknown())
    .describe(
      'The validated policy, defaults filled in. Alert webhook URLs show their origin only (a path may hold a secret), so the hash is of the policy as loaded, not of this rendering.',
    ),
  history: z
    .array(
      z.object({
        index: z.number().int().describe("The `policy.changed` entry's leaf index in its log"),
        log: z.enum(['tenant', 'system']).describe('`system` for the shared default policy'),
        time: z.string(),
        hash,
        previous_hash: hash.optional().describe('Absent on the first record'),
      }),
    )
    .describe('`policy.changed` audit events of this policy, newest first'),
});

const clause = z.object({
  regulation: z.enum(['GDPR', 'HIPAA', 'SOX']),
  clause: z.string(),
  title: z.string(),
});
const controlStatus = z.enum(['enforced', 'configured_off', 'not_applicable']);

const reportResponse = z.object({
  tenant: z.string(),
  generated_at: z.string(),
  period: z.object({ since: z.string(), until: z.string() }),
  policy_hash: hash,
  tree_head: z
    .object({
      tree_size: z.number().int(),
      root_hash: z.string(),
      timestamp: z.string(),
      key_id: z.string(),
      signature: z.string(),
    })
    .nullable()
    .describe("The tenant log's latest signed tree head; null when the log is empty"),
  audit_events_total: z.number().int(),
  summary: z.object({
    enforced: z.number().int(),
    configured_off: z.number().int(),
    not_applicable: z.number().int(),
  }),
  controls: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      does: z.string(),
      status: controlStatus,
      clauses: z.array(clause),
      policy: z.record(z.string(), z.unknown()).describe('The policy values that decide the status'),
      tests: z.array(z.object({ file: z.string(), name: z.string() })),
      audit_events: z.record(z.string(), z.number().int()).describe('Events in the period by action'),
    }),
  ),
});

/**
 * The policy and compliance routes as a plugin for `deps.routes`.
 *
 * @example
 * ```ts
 * const app = await buildApp({ ...deps, routes: [policyRoutes(port)] });
 * // GET /v1/policy, GET /v1/compliance/report?since=90d
 * ```
 */
export function policyRoutes(port: PolicyPort): ApiRoutePlugin {
  return async (app: FastifyInstance) => {
    const typed = app.withTypeProvider<ZodTypeProvider>();
    typed.get(
      '/v1/policy',
      {
        config: { permission: 'policy:read' },
        schema: {
          summary: "The tenant's policy in force, its hash and its history",
          description:
            "Read-only. The policy the caller's tenant runs under (its own file in the policy directory, else `default`), the hash every job records, and the `policy.changed` events the audit log holds for it.",
          tags: ['policy'],
          security: [{ bearer: [] }],
          querystring: z
            .object({
              history_limit: z.coerce
                .number()
                .int()
                .min(1)
                .max(500)
                .default(100)
                .describe('How many changes to return, newest first'),
            })
            .strict(),
          response: { 200: policyResponse, ...protectedErrorResponses },
        },
      },
      async (request) => {
        const view = await port.policy(principalOf(request), { historyLimit: request.query.history_limit });
        return {
          id: view.id,
          hash: view.hash,
          version: view.version,
          policy: view.policy,
          history: view.history.map((h) => ({
            index: h.index,
            log: h.log,
            time: h.time,
            hash: h.hash,
            ...(h.previousHash === undefined ? {} : { previous_hash: h.previousHash }),
          })),
        };
      },
    );
    typed.get(
      '/v1/compliance/report',
      {
        config: { permission: 'audit:read' },
        schema: {
          summary: "The tenant's compliance evidence report",
          description:
            "Every control Veil implements with its status under the tenant's policy, the regulation clauses it serves, the policy values that decide it, the tests that prove it, and the audit events of the period, pinned by the log's signed tree head. What `veil compliance report --format json` writes. Settings and counts only.",
          tags: ['policy'],
          security: [{ bearer: [] }],
          querystring: periodQuery,
          response: { 200: reportResponse, ...protectedErrorResponses },
        },
      },
      async (request) => {
        const { since, until } = periodOf(request.query, 'compliance report');
        const report = await port.complianceReport(principalOf(request), { since, until });
        return {
          ...report,
          controls: report.controls.map((c) => ({
            ...c,
            clauses: c.clauses.map((k) => ({ ...k })),
            tests: c.tests.map((t) => ({ ...t })),
          })),
        };
      },
    );
  };
}
