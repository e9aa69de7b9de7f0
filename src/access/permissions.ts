/**
 * Roles, permissions and the matrix between them, kept as data so that routes, the CLI, the
 * documentation and the table test all read the same table. Authorisation is a pure function of
 * the principal, the permission and the resource's tenant: no I/O, no database.
 */
import { VeilError } from '../errors/veil-error.js';
import type { Principal } from './principal.js';

/** The five roles Veil knows. Any other role name in a token or key is ignored. */
export const ROLES = ['admin', 'processor', 'reviewer', 'auditor', 'dpo'] as const;

/** A role a principal may hold. */
export type Role = (typeof ROLES)[number];

/**
 * The permission matrix: each permission names the roles that hold it. Admin holds everything
 * by design (it also manages keys and policies); the other roles follow least privilege:
 * - processor submits and manages jobs and runs synchronous analysis, but never sees originals;
 * - reviewer reads redacted output and decides the review queue;
 * - auditor reads and exports the audit log and job metadata (hashes, counts), never content;
 * - dpo (data-protection officer) handles reveals, erasure, data-subject requests and policy.
 */
export const PERMISSION_MATRIX = {
  'job:create': ['admin', 'processor'],
  'job:read': ['admin', 'processor', 'reviewer', 'auditor', 'dpo'],
  'job:read-redacted': ['admin', 'processor', 'reviewer', 'dpo'],
  'job:delete': ['admin', 'processor', 'dpo'],
  'job:reveal': ['admin', 'dpo'],
  'review:decide': ['admin', 'reviewer'],
  'audit:read': ['admin', 'auditor', 'dpo'],
  'audit:export': ['admin', 'auditor', 'dpo'],
  'keys:rotate': ['admin'],
  'api-keys:manage': ['admin'],
  'policy:read': ['admin', 'processor', 'auditor', 'dpo'],
  'policy:write': ['admin', 'dpo'],
  'dsr:manage': ['admin', 'dpo'],
  'consent:withdraw': ['admin', 'dpo'],
  'legal-holds:manage': ['admin', 'dpo'],
  'legal-holds:read': ['admin', 'auditor', 'dpo'],
  'analyze:run': ['admin', 'processor'],
  'analytics:read': ['admin', 'auditor'],
  'alerts:read': ['admin', 'auditor', 'dpo'],
  'privacy-metrics:read': ['admin', 'auditor', 'dpo'],
} as const satisfies Record<string, readonly Role[]>;

/** A permission a route or command declares. */
export type Permission = keyof typeof PERMISSION_MATRIX;

/** Every permission, in matrix order. */
export const PERMISSIONS = Object.keys(PERMISSION_MATRIX) as Permission[];

/**
 * Permissions that are privileged actions: each needs a reason, which the caller records in the
 * audit log with the grant (DESIGN invariant 3: reveal is privileged and has a reason).
 */
export const REASON_REQUIRED: ReadonlySet<Permission> = new Set<Permission>(['job:reveal']);

// A reason is free text written to the audit log: long enough to mean something ("DSR-42"),
// short enough that nobody pastes a document into it.
const REASON_MIN = 4;
const REASON_MAX = 500;

/** The resource an action touches: its tenant, and for privileged actions the caller's reason. */
export interface ResourceContext {
  readonly tenantId: string;
  readonly reason?: string;
}

/** What {@link authorize} grants: enough for the audit event, with no content. */
export interface Grant {
  readonly principalId: string;
  readonly tenantId: string;
  readonly permission: Permission;
  readonly reason?: string;
}

/**
 * True when `role` is one of Veil's roles.
 *
 * @example
 * ```ts
 * isRole('dpo'); // true
 * isRole('offline_access'); // false
 * ```
 */
export function isRole(role: unknown): role is Role {
  return typeof role === 'string' && (ROLES as readonly string[]).includes(role);
}

/**
 * True when any of `roles` holds `permission` in the matrix.
 *
 * @example
 * ```ts
 * can(['reviewer'], 'job:reveal'); // false
 * ```
 */
export function can(roles: readonly Role[], permission: Permission): boolean {
  const holders: readonly Role[] = PERMISSION_MATRIX[permission];
  return roles.some((role) => holders.includes(role));
}

/**
 * Throws `VEIL_FORBIDDEN` unless a role of the principal holds the permission: the role check
 * alone, as the HTTP guard makes it before a body is parsed (a privileged permission's reason is
 * checked later, with {@link authorize}).
 *
 * @example
 * ```ts
 * requirePermission(principal, 'job:read'); // throws VEIL_FORBIDDEN for a reviewer
 * ```
 */
export function requirePermission(principal: Principal, permission: Permission): void {
  if (!can(principal.roles, permission)) {
    throw new VeilError('VEIL_FORBIDDEN', `this action needs the permission ${permission}`);
  }
}

/**
 * Throws `VEIL_NOT_FOUND` unless the resource belongs to the principal's tenant. Another
 * tenant's ids answer 404 rather than 403, so an id reveals nothing about whether it exists.
 *
 * @example
 * ```ts
 * const job = await jobs.find(id);
 * assertSameTenant(principal, job.tenantId); // throws VEIL_NOT_FOUND for another tenant's job
 * ```
 */
export function assertSameTenant(principal: Principal, resourceTenantId: string): void {
  if (principal.tenantId !== resourceTenantId) throw new VeilError('VEIL_NOT_FOUND', 'not found');
}

/**
 * Checks that `principal` may perform `permission`, on `resource` when one is given, and returns
 * the grant for the audit log. The role check comes first and does not depend on the resource,
 * so a principal without the permission gets the same 403 for every id, existing or not; only
 * then does another tenant's resource answer 404.
 *
 * @throws VeilError `VEIL_FORBIDDEN` when no role of the principal holds the permission,
 *   `VEIL_NOT_FOUND` when the resource is in another tenant, `VEIL_REASON_REQUIRED` when a
 *   privileged permission comes without a usable reason.
 *
 * @example
 * ```ts
 * const grant = authorize(principal, 'job:reveal', { tenantId: job.tenantId, reason: 'DSR-42 access request' });
 * await audit.append({ action: 'job.reveal', actor: grant.principalId, reason: grant.reason });
 * ```
 */
export function authorize(principal: Principal, permission: Permission, resource?: ResourceContext): Grant {
  requirePermission(principal, permission);
  if (resource !== undefined) assertSameTenant(principal, resource.tenantId);
  if (!REASON_REQUIRED.has(permission)) {
    return Object.freeze({ principalId: principal.id, tenantId: principal.tenantId, permission });
  }
  const reason = resource?.reason?.trim();
  if (reason === undefined || reason.length < REASON_MIN || reason.length > REASON_MAX) {
    throw new VeilError(
      'VEIL_REASON_REQUIRED',
      `${permission} needs a reason of ${REASON_MIN} to ${REASON_MAX} characters; it is recorded in the audit log`,
    );
  }
  return Object.freeze({ principalId: principal.id, tenantId: principal.tenantId, permission, reason });
}
