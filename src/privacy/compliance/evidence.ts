/**
 * Evidence from the audit log for the compliance report: how many events of each action fall in
 * the period, and the latest signed tree head, which pins the log those counts were read from.
 */
import type { AuditLog, SignedTreeHead } from '../../audit/index.js';

const CHUNK = 1000;

/**
 * Counts of a log's events by action whose time lies in [since, until).
 *
 * @example
 * ```ts
 * await auditActionCounts(logs.forTenant('acme'), new Date('2026-01-01'), new Date()); // { 'job.created': 12, … }
 * ```
 */
export async function auditActionCounts(
  log: AuditLog,
  since: Date,
  until: Date,
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const size = await log.size();
  const [from, to] = [since.toISOString(), until.toISOString()];
  for (let at = 0; at < size; at += CHUNK) {
    for (const { event } of await log.entries(at, Math.min(size, at + CHUNK))) {
      // Event times are ISO strings in UTC with milliseconds, so they compare as strings.
      if (event.time >= from && event.time < to) counts[event.action] = (counts[event.action] ?? 0) + 1;
    }
  }
  return counts;
}

/** A signed tree head as the report cites it. */
export interface TreeHeadEvidence {
  readonly tree_size: number;
  readonly root_hash: string;
  readonly timestamp: string;
  readonly key_id: string;
  readonly signature: string;
}

/**
 * The report's citation of a signed tree head.
 *
 * @example
 * ```ts
 * treeHeadEvidence(await logs.currentTreeHead(log)); // { tree_size: 42, root_hash: '…', timestamp: '2026-…', … }
 * ```
 */
export function treeHeadEvidence(head: SignedTreeHead): TreeHeadEvidence {
  return {
    tree_size: head.tree_size,
    root_hash: head.root_hash,
    timestamp: new Date(head.timestamp).toISOString(),
    key_id: head.key_id,
    signature: head.signature,
  };
}
