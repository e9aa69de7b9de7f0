/**
 * Group commit of audit appends across every log of one database. Each `/v1/analyze` call, job
 * step and security event appends to its tenant's log, and a one-event transaction costs far more
 * than the event: on PGlite a commit is 3–4 ms of the event loop's CPU (its WAL and file writes
 * run in WebAssembly on the main thread), against ~0.13 ms an event in a batch of 64. Tenants
 * each have their own log, so batching inside one log (`AuditLog`) gathers little when the load is
 * spread over many tenants; this writer gathers the appends of all the logs of a database and
 * writes them with one statement, `veil_audit_append` (migration 0020), which in one transaction
 * locks every log of the batch (in log-id order, so two writers never wait on each other in a
 * cycle), reads each one's size under its lock and inserts the rows.
 *
 * A batch is what arrived before the writer's next turn: appends are written after the event loop
 * has run the I/O callbacks that were ready (`setImmediate`), so the requests that finished together
 * are written together, and while a transaction is open the next batch gathers behind it. Every
 * caller's promise settles only when the transaction that holds its entries has committed (its
 * event is durable before any answer that depends on it), and a failed transaction rejects every
 * caller of that batch: nothing of it was written.
 */
import { channel } from 'node:diagnostics_channel';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { VeilError } from '../errors/veil-error.js';
import type { Schema } from './schema.js';

/** One entry to append: the canonical JSON of its event and its leaf hash. */
export interface AuditEntryInput {
  readonly event: string;
  readonly leafHash: Uint8Array;
}

/** A caller's entries for one log, waiting for their batch. */
interface Waiting {
  readonly logId: string;
  readonly entries: ReadonlyArray<AuditEntryInput>;
  resolve(first: number): void;
  reject(error: unknown): void;
}

/**
 * What the writer publishes for an instrument (the load benchmark's `analyze-trace.ts`), only while
 * one subscribes: `{ kind: 'write', entries, callers }` as a batch's statement is sent and
 * `{ kind: 'written', ok }` when it has committed or failed. Counts only.
 */
export const auditGroupCommitTrace = channel('veil.audit-group-commit');

/**
 * The most entries one statement carries (an event is at most 4 KiB, so a batch stays far under
 * the protocol's message limit); a caller's entries are never split between two statements.
 */
export const MAX_GROUP_ENTRIES = 2048;

/**
 * Writes the audit appends of many logs on one database in shared transactions.
 *
 * @example
 * ```ts
 * const writer = new AuditGroupCommit(handle.db);
 * const [a, b] = await Promise.all([
 *   writer.append('tenant-a', [{ event: '{"action":"text.analyzed"}', leafHash }]),
 *   writer.append('tenant-b', [{ event: '{"action":"text.analyzed"}', leafHash }]),
 * ]); // one transaction; a and b are each log's first new index
 * ```
 */
export class AuditGroupCommit {
  readonly #db: Kysely<Schema>;
  #queue: Waiting[] = [];
  #writing = false;
  #scheduled = false;
  /** Transactions committed and entries written, for benchmarks and tests. */
  readonly stats = { transactions: 0, entries: 0 };

  constructor(db: Kysely<Schema>) {
    this.#db = db;
  }

  /**
   * Appends `entries` to log `logId` at its next indices, in order, with whatever else is
   * waiting; resolves with the first index once the transaction has committed.
   *
   * @throws VeilError `VEIL_AUDIT_WRITE_FAILED` (with the driver's error as `cause`) when the
   * batch's transaction fails: none of its entries, in any log, was written.
   */
  append(logId: string, entries: ReadonlyArray<AuditEntryInput>): Promise<number> {
    if (entries.length === 0)
      return Promise.reject(new VeilError('VEIL_INVALID_INPUT', 'audit: nothing to append'));
    return new Promise<number>((resolve, reject) => {
      this.#queue.push({ logId, entries, resolve, reject });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#writing || this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      void this.#writeNext();
    });
  }

  async #writeNext(): Promise<void> {
    if (this.#writing || this.#queue.length === 0) return;
    this.#writing = true;
    let count = 0;
    let taken = 0;
    while (taken < this.#queue.length) {
      const size = this.#queue[taken]!.entries.length;
      if (taken > 0 && count + size > MAX_GROUP_ENTRIES) break;
      count += size;
      taken += 1;
    }
    const batch = this.#queue.splice(0, taken);
    const traced = auditGroupCommitTrace.hasSubscribers;
    if (traced) auditGroupCommitTrace.publish({ kind: 'write', entries: count, callers: taken });
    try {
      const firsts = await this.#write(batch);
      if (traced) auditGroupCommitTrace.publish({ kind: 'written', ok: true });
      this.stats.transactions += 1;
      this.stats.entries += count;
      batch.forEach((waiting, i) => waiting.resolve(firsts[i]!));
    } catch (cause) {
      if (traced) auditGroupCommitTrace.publish({ kind: 'written', ok: false });
      // The message names no count: a caller must not learn how busy other tenants' logs are.
      const error = new VeilError('VEIL_AUDIT_WRITE_FAILED', 'audit: the events could not be stored', {
        cause,
      });
      for (const waiting of batch) waiting.reject(error);
    } finally {
      this.#writing = false;
      if (this.#queue.length > 0) this.#schedule();
    }
  }

  /** One statement (its own transaction) for the batch; each caller's first index, in batch order. */
  async #write(batch: readonly Waiting[]): Promise<number[]> {
    // Each log's entries together, its callers in arrival order.
    const byLog = new Map<string, Waiting[]>();
    for (const waiting of batch) {
      const callers = byLog.get(waiting.logId);
      if (callers === undefined) byLog.set(waiting.logId, [waiting]);
      else callers.push(waiting);
    }
    const logIds = [...byLog.keys()];
    const counts: number[] = [];
    const hashes: string[] = [];
    const events: string[] = [];
    for (const callers of byLog.values()) {
      let count = 0;
      for (const { entries } of callers)
        for (const entry of entries) {
          hashes.push(Buffer.from(entry.leafHash).toString('hex'));
          events.push(entry.event);
          count += 1;
        }
      counts.push(count);
    }
    const { rows } = await sql<{ log_id: string; first_index: string | number }>`select log_id, first_index
      from veil_audit_append(${logIds}::text[], ${counts}::int[], ${hashes}::text[], ${events}::text[])`.execute(
      this.#db,
    );
    const firstOf = new Map<Waiting, number>();
    for (const row of rows) {
      let next = Number(row.first_index);
      for (const waiting of byLog.get(row.log_id) ?? []) {
        firstOf.set(waiting, next);
        next += waiting.entries.length;
      }
    }
    return batch.map((waiting) => {
      const first = firstOf.get(waiting);
      if (first === undefined) throw new Error('audit: the database did not report a log of the batch');
      return first;
    });
  }
}

const writers = new WeakMap<Kysely<Schema>, AuditGroupCommit>();

/**
 * The group-commit writer of a database handle: one per `Kysely` instance, shared by every audit
 * store on it, so the appends of all its logs share transactions.
 *
 * @example
 * ```ts
 * await auditGroupCommit(handle.db).append('acme', [{ event, leafHash }]);
 * ```
 */
export function auditGroupCommit(db: Kysely<Schema>): AuditGroupCommit {
  let writer = writers.get(db);
  if (writer === undefined) {
    writer = new AuditGroupCommit(db);
    writers.set(db, writer);
  }
  return writer;
}
