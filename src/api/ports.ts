/**
 * What the HTTP API needs from the rest of Veil, as small interfaces handed to `buildApp`. The
 * API imports no authentication, storage or key code at module load: `veil serve` wires the real
 * adapters and tests wire their own, so every route runs the same chain in both.
 *
 * The principal and permission types are the access layer's (`src/access/index.ts`), imported as
 * types only: the API never calls into the access layer itself.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Permission, Principal } from '../access/index.js';
import type { AnalyzeOptions } from '../engine/analyze.js';
import type { OperatorKeys } from '../engine/anonymize/keys.js';
import type { Finding } from '../engine/types.js';
import type { AuditLogSource } from './routes/audit.js';
import type { JobsPort } from './routes/jobs.js';
import type { UploadsPort } from './routes/uploads.js';
import type { PrivacyMetricsSource } from './privacy-metrics.js';
import type { PresentedAnalysis } from './presented-analysis.js';

export type { Permission, Principal };

/** The request headers an authenticator may read (lower-case names, as Node gives them). */
export type RequestHeaders = Readonly<Record<string, string | string[] | undefined>>;

/**
 * Resolves the caller from the request headers, or throws a VeilError `VEIL_UNAUTHENTICATED`
 * (any other error is treated the same way, so a broken authenticator never lets a request in).
 */
export type Authenticate = (headers: RequestHeaders) => Promise<Principal>;

/** Throws a VeilError (`VEIL_FORBIDDEN`) unless the principal holds the permission. */
export type Authorize = (principal: Principal, permission: Permission) => void | Promise<void>;

/** Resolves when the service can take work (database reachable, workers started); throws otherwise. */
export type ReadinessCheck = () => Promise<void>;

/** The operator keys of one tenant, for the keyed anonymizers (hash, encrypt, fpe, date_shift). */
export type TenantKeys = (tenantId: string) => OperatorKeys | Promise<OperatorKeys>;

/**
 * A security event the guard reports to the audit log: which request, and who was refused what.
 * Ids, reason codes and the permission only; never a credential or any part of one.
 */
export type SecurityEvent =
  | {
      readonly kind: 'auth.failed';
      /** The server-generated request id. */
      readonly requestId: string;
      /** Whether an Authorization header was sent at all. */
      readonly credential: 'none' | 'presented';
      /** The access layer's reason code (`expired`, `signature`, …) when it gave one. */
      readonly reason?: string;
    }
  | {
      readonly kind: 'permission.denied';
      readonly requestId: string;
      readonly principal: Principal;
      readonly permission: Permission;
    }
  | {
      /** A synchronous analysis route ran: who, which route, and how many findings of each type. */
      readonly kind: 'text.analyzed';
      readonly requestId: string;
      readonly principal: Principal;
      readonly route: 'analyze' | 'anonymize';
      /** Findings per entity type; never a value, an offset or any part of the text. */
      readonly counts: Readonly<Record<string, number>>;
    };

/**
 * Records security events and analysis calls in the audit log. A failure to record a refusal is
 * logged as an error and the request refused all the same; a failure to record an analysis fails
 * the request (500), so no analysis answers that the log does not hold.
 */
export interface AuditRecorder {
  record(event: SecurityEvent): Promise<void>;
}

/**
 * Finds personal data in a text for the synchronous routes. `veil serve` runs it on worker
 * threads (`runtime/detection-pool`); without one the API analyses in its own thread.
 */
export type AnalyzeText = (text: string, options: AnalyzeOptions) => Promise<Finding[]>;

/**
 * Finds personal data in a text and presents it as `/v1/analyze` answers (`presentAnalysis`):
 * `veil serve`'s detection threads do both, so the event loop receives one JSON string and the
 * counts instead of rebuilding and serialising every finding.
 */
export type AnalyzePresented = (text: string, options: AnalyzeOptions) => Promise<PresentedAnalysis>;

/**
 * The outcome of one request, for the access anomaly detector: who (when authenticated), the
 * status, whether the route names a resource id, and the client address (which the observer must
 * hash before keeping). Never a header, body, query or path value.
 */
export interface RequestOutcome {
  readonly principal: Principal | null;
  readonly status: number;
  readonly byId: boolean;
  readonly address: string;
}

/** Everything `buildApp` is given. Only `authenticate` and `authorize` are required. */
export interface ApiDependencies {
  readonly authenticate: Authenticate;
  readonly authorize: Authorize;
  /** Readiness for `/readyz`; always ready when absent. */
  readonly ready?: ReadinessCheck;
  /** The server log. The API adds its own redaction paths to a child of it; silent when absent. */
  readonly logger?: Logger;
  /** Settings, validated at start-up (see `ApiConfig`). */
  readonly config?: unknown;
  /** Enables the keyed anonymizers on `/v1/anonymize`; without it only keyless ones are offered. */
  readonly tenantKeys?: TenantKeys;
  /** Jobs: submission, status, outputs, deletion and reveal (`/v1/jobs`); absent, no job routes. */
  readonly jobs?: JobsPort;
  /** Signed upload slots (`/v1/uploads`); absent, no upload routes. */
  readonly uploads?: UploadsPort;
  /** The tenant audit logs (`/v1/audit`); absent, no audit routes. */
  readonly auditLog?: AuditLogSource;
  /**
   * Route plugins of a program that embeds the API, registered after Veil's own with the same
   * chain: each route declares `config.permission` (or `config.public: true`).
   */
  readonly routes?: readonly ApiRoutePlugin[];
  /** Where the guard records failed authentication and permission denials; none when absent. */
  readonly audit?: AuditRecorder;
  /** Analysis for `/v1/analyze` and `/v1/anonymize`; in the request's thread when absent. */
  readonly analyzeText?: AnalyzeText;
  /** `analyzeText` with the answer of `/v1/analyze` built where it ran; presented in process when absent. */
  readonly analyzePresented?: AnalyzePresented;
  /** Told of every request's outcome once it is answered (synchronous, must not throw). */
  readonly observeRequest?: (outcome: RequestOutcome) => void;
  /** A PEM certificate chain and key: the app serves HTTPS and sends HSTS. Plain HTTP when absent. */
  readonly tls?: TlsFiles;
  /** The tenants' privacy metrics for `/metrics` (`veil_privacy_*`); none when absent. */
  readonly privacyMetrics?: PrivacyMetricsSource;
}

/** What HTTPS needs: the PEM certificate chain and its private key. */
export interface TlsFiles {
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
}

/** A plugin that adds routes; it receives the dependencies it was built with. */
export type ApiRoutePlugin = (app: FastifyInstance, deps: ApiDependencies) => Promise<void>;
