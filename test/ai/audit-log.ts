/**
 * The AI tests' audit sink: a real {@link AuditLog} in memory, so every event the AI boundary
 * records is validated by the same schema the service's log enforces.
 */
import { AuditLog, MemoryAuditStore } from '../../src/audit/index.js';
import type { AiAudit } from '../../src/ai/model/provider.js';

export interface TestAudit {
  readonly audit: AiAudit;
  readonly store: MemoryAuditStore;
  /** The stored events, parsed back from their canonical JSON. */
  events(): Record<string, unknown>[];
}

export function testAudit(): TestAudit {
  const store = new MemoryAuditStore();
  const log = new AuditLog({ store });
  return {
    store,
    audit: async (event) => {
      await log.append({
        time: new Date().toISOString(),
        actor: { id: 'svc-ai-test', role: 'service' },
        tenant: 'acme',
        objects: [{ kind: 'job', id: 'job-ai-1' }],
        ...event,
      });
    },
    events: () => store.rows.map((row) => JSON.parse(row.event) as Record<string, unknown>),
  };
}
