/**
 * Shared pieces of the audit integration tests: deterministic events and an audit log set on a
 * test database with a fresh data directory (so a fresh signing key).
 */
import type { AuditEventInput } from '../../src/audit/index.js';
import { openAuditLogs } from '../../src/runtime/audit.js';
import type { AuditLogs } from '../../src/runtime/audit.js';
import type { DatabaseHandle } from '../../src/store/database.js';
import { tempDir } from '../temp-dir.js';

export const T0 = Date.UTC(2025, 0, 31, 12, 0, 0);

/** A `job.step` event of `tenant` with fixed fields: entry i has `findings: i`. */
export function stepEvent(tenant: string, i: number): AuditEventInput {
  return {
    time: new Date(T0 + i).toISOString(),
    actor: { id: 'svc-worker', role: 'service' },
    tenant,
    action: 'job.step',
    objects: [{ kind: 'job', id: `job_${i}` }],
    step: 'detect',
    outcome: 'succeeded',
    counts: { findings: i },
  };
}

/** Audit logs on `handle` with a head every `signEvery` appends and a fixed clock. */
export async function testAuditLogs(
  handle: DatabaseHandle,
  signEvery = 4,
): Promise<{ logs: AuditLogs; dataDir: string }> {
  const dataDir = tempDir('veil-audit-');
  const logs = await openAuditLogs({ db: handle.db, dataDir, signEvery, clock: () => T0 + 60_000 });
  return { logs, dataDir };
}
