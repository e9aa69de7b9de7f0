/**
 * Key upkeep the service runs in the background: each tenant's data key is rotated when its
 * policy's `keys.rotate_every` has passed since the current version was made (audited as
 * `key.rotated`, trigger `schedule`), and every live data key is re-wrapped under the current
 * key-encryption key, so an old KEK (a previous provider, or a Vault or KMS key version) can be
 * retired without any data becoming unreadable. Nothing here decrypts content.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Keyring } from '../crypto/keyring.js';
import type { Policy } from '../policy/index.js';
import { rebuildSubjectIndex } from '../privacy/dsr/subject-index.js';
import type { Schema } from '../store/schema.js';
import type { AuditLogs } from './audit.js';

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * A policy duration (`90d`, `12h`, `30m`) in milliseconds.
 *
 * @example
 * ```ts
 * durationMs('90d'); // 7_776_000_000
 * ```
 */
export function durationMs(duration: string): number {
  const unit = duration.slice(-1) as keyof typeof UNIT_MS;
  return Number(duration.slice(0, -1)) * UNIT_MS[unit];
}

/** What {@link maintainKeys} needs. */
export interface KeyMaintenanceOptions {
  readonly db: Kysely<Schema>;
  readonly keyring: Keyring;
  readonly logs: AuditLogs;
  readonly policyFor: (tenantId: string) => Policy | Promise<Policy>;
  readonly now?: () => Date;
}

/** What one pass did: tenants whose key was rotated, and data keys re-wrapped in all. */
export interface KeyMaintenanceResult {
  readonly rotated: readonly { tenantId: string; version: number }[];
  readonly rewrapped: number;
}

/**
 * One pass over every tenant that has a data key.
 *
 * @example
 * ```ts
 * const { rotated } = await maintainKeys({ db, keyring, logs, policyFor });
 * ```
 */
export async function maintainKeys(options: KeyMaintenanceOptions): Promise<KeyMaintenanceResult> {
  const now = (options.now ?? (() => new Date()))();
  const tenants = await options.db.selectFrom('tenants').select('id').orderBy('id').execute();
  const rotated: { tenantId: string; version: number }[] = [];
  let rewrapped = 0;
  for (const { id: tenantId } of tenants) {
    const versions = await options.keyring.activeVersions(tenantId);
    const current = versions.at(-1);
    if (current === undefined) continue;
    const every = (await options.policyFor(tenantId)).keys?.rotate_every;
    if (every !== undefined && now.getTime() - Date.parse(current.createdAt) >= durationMs(every)) {
      // rotate() re-wraps every live key first, then adds the version.
      const version = await options.keyring.rotate(tenantId);
      rewrapped += versions.length;
      // The subject index is keyed by the tenant's key: re-key it, as `veil keys rotate` does, so
      // data-subject lookups survive the old version's retirement.
      await rebuildSubjectIndex({ db: options.db, keyring: options.keyring }, tenantId);
      await options.logs.forTenant(tenantId).append({
        time: now.toISOString(),
        actor: { id: 'veil-scheduler', role: 'system' },
        tenant: tenantId,
        action: 'key.rotated',
        trigger: 'schedule',
        key: { id: 'tenant-data-key', version },
      });
      rotated.push({ tenantId, version });
    } else {
      rewrapped += await options.keyring.rewrap(tenantId);
    }
  }
  return { rotated, rewrapped };
}

/**
 * Runs {@link maintainKeys} at start and every `intervalSeconds` (0: never), one pass at a time.
 * Failures are logged by name and retried at the next pass.
 *
 * @example
 * ```ts
 * const upkeep = startKeyMaintenance({ db, keyring, logs, policyFor, intervalSeconds: 3600, logger });
 * await upkeep.stop();
 * ```
 */
export function startKeyMaintenance(
  options: KeyMaintenanceOptions & { readonly intervalSeconds: number; readonly logger?: Logger },
): { stop(): Promise<void> } {
  if (options.intervalSeconds === 0) return { stop: async () => {} };
  let running: Promise<void> | undefined;
  const pass = (): void => {
    running ??= maintainKeys(options)
      .then(({ rotated, rewrapped }) => {
        if (rotated.length > 0 || rewrapped > 0)
          options.logger?.info({ component: 'keys', rotated: rotated.length, rewrapped }, 'key maintenance');
      })
      .catch((error: unknown) =>
        options.logger?.error(
          { component: 'keys', errorName: error instanceof Error ? error.name : 'unknown' },
          'key maintenance failed',
        ),
      )
      .finally(() => (running = undefined));
  };
  pass();
  const timer = setInterval(pass, options.intervalSeconds * 1000);
  // Key upkeep alone must not keep the process alive.
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
