/**
 * The audit log: validated events appended to a Merkle tree over an {@link AuditStore}, signed tree
 * heads, proofs and receipts.
 *
 * Appends must be serialised, or two writers would both take index n and fork the tree. Within one
 * process {@link AuditLog} queues its appends on a promise chain. A database store must also
 * serialise across processes: take a transaction-scoped lock (`SELECT pg_advisory_xact_lock(…)`, or
 * `SELECT … FOR UPDATE` on a one-row head table), read the next index inside it and insert, so that
 * the index is assigned and written under the same lock.
 */
import { VeilError } from '../errors/veil-error.js';
import { canonicalAuditEvent } from './event.js';
import type { AuditEvent, AuditEventInput } from './event.js';
import { toHex } from './encoding.js';
import { MerkleTree, hashLeaf } from './merkle.js';
import type { LeafHashSource } from './merkle.js';
import { signTreeHead } from './tree-head.js';
import type { AuditSigner, SignedTreeHead } from './tree-head.js';

/** One stored entry: its index, the canonical JSON of its event, and its leaf hash. */
export interface StoredAuditEntry {
  readonly index: number;
  readonly event: string;
  readonly leafHash: Uint8Array;
}

/**
 * What the audit log needs from storage. The store engineer implements it on PostgreSQL/PGlite;
 * {@link MemoryAuditStore} implements it in memory.
 */
export interface AuditStore extends LeafHashSource {
  /**
   * Writes the entry at the next index and returns that index. Must be atomic and serialised
   * across every writer of the log (see the module comment): indices are 0, 1, 2, … with no gap.
   */
  append(entry: { readonly event: string; readonly leafHash: Uint8Array }): Promise<number>;
  /**
   * Writes the entries at the next indices, in order, all or none, and returns the first index.
   * Optional: without it, a batch is written one {@link AuditStore.append} at a time.
   */
  appendMany?(
    entries: ReadonlyArray<{ readonly event: string; readonly leafHash: Uint8Array }>,
  ): Promise<number>;
  /** Entries `from` (inclusive) to `to` (exclusive), in index order. */
  entries(from: number, to: number): Promise<StoredAuditEntry[]>;
  /** Keeps a signed tree head. Heads are never deleted. */
  saveTreeHead(head: SignedTreeHead): Promise<void>;
  /** The kept head with the largest tree size (the latest, on a tie), if any. */
  latestTreeHead(): Promise<SignedTreeHead | undefined>;
  /** Every kept head, by tree size ascending. */
  treeHeads(): Promise<SignedTreeHead[]>;
}

/**
 * An {@link AuditStore} in memory, for tests and library use without a database. Its `rows` are
 * exposed on purpose: tamper tests edit them as an attacker with database access would.
 *
 * @example
 * ```ts
 * const log = new AuditLog({ store: new MemoryAuditStore(), signer });
 * ```
 */
export class MemoryAuditStore implements AuditStore {
  /** The log's rows in index order, as a database table would hold them. */
  readonly rows: StoredAuditEntry[] = [];
  readonly #heads: SignedTreeHead[] = [];

  async append(entry: { readonly event: string; readonly leafHash: Uint8Array }): Promise<number> {
    // One synchronous step: no other append can interleave between reading the length and pushing.
    const index = this.rows.length;
    this.rows.push({ index, event: entry.event, leafHash: Uint8Array.from(entry.leafHash) });
    return index;
  }

  async appendMany(
    entries: ReadonlyArray<{ readonly event: string; readonly leafHash: Uint8Array }>,
  ): Promise<number> {
    const first = this.rows.length;
    for (const entry of entries) await this.append(entry);
    return first;
  }

  async size(): Promise<number> {
    return this.rows.length;
  }

  async leafHashes(from: number, to: number): Promise<Uint8Array[]> {
    return this.#slice(from, to).map((row) => row.leafHash);
  }

  async entries(from: number, to: number): Promise<StoredAuditEntry[]> {
    return this.#slice(from, to);
  }

  #slice(from: number, to: number): StoredAuditEntry[] {
    if (
      !Number.isSafeInteger(from) ||
      !Number.isSafeInteger(to) ||
      from < 0 ||
      from > to ||
      to > this.rows.length
    )
      throw new VeilError(
        'VEIL_AUDIT_OUT_OF_RANGE',
        `audit: entries [${from}, ${to}) are outside the log of ${this.rows.length}`,
      );
    return this.rows.slice(from, to);
  }

  async saveTreeHead(head: SignedTreeHead): Promise<void> {
    this.#heads.push(head);
  }

  async latestTreeHead(): Promise<SignedTreeHead | undefined> {
    let latest: SignedTreeHead | undefined;
    for (const head of this.#heads)
      if (latest === undefined || head.tree_size >= latest.tree_size) latest = head;
    return latest;
  }

  async treeHeads(): Promise<SignedTreeHead[]> {
    return [...this.#heads].sort((a, b) => a.tree_size - b.tree_size);
  }
}

/** Options of {@link AuditLog}. */
export interface AuditLogOptions {
  readonly store: AuditStore;
  /** Signs tree heads; without one the log appends and proves but cannot sign or issue receipts. */
  readonly signer?: AuditSigner;
  /** Milliseconds since the epoch, for tree head timestamps; `Date.now` by default. */
  readonly clock?: () => number;
  /** Sign a tree head automatically after every `signEvery` appends (needs a signer). */
  readonly signEvery?: number;
  /** The deployment region (`VEIL_REGION`), recorded in every event that names none. */
  readonly region?: string;
  /**
   * Told of every event once it is stored (the access anomaly detector watches the stream here).
   * Synchronous and must not throw; an observer's failure never undoes or delays an append.
   */
  readonly onAppend?: (event: AuditEvent, index: number) => void;
  /**
   * When the heads due every `signEvery` appends are signed. `with-append` (default): an append
   * resolves once its event is stored and the head its batch made due is signed and kept, and a
   * head that fails rejects the batch's appends (their events stored all the same). `after-append`:
   * an append resolves once its event is stored; the head is signed next, before any later append
   * of this log is written (so heads still land at every boundary, in order), and a head that fails
   * goes to `onHeadError`. A server's request then never waits for a head (a tile read, a signature
   * and one more committed transaction, every `signEvery`-th append of each log); a process that
   * exits right after appending (the CLI) keeps the default, or awaits {@link AuditLog.settled}.
   */
  readonly heads?: 'with-append' | 'after-append';
  /** Told of a head signed `after-append` that could not be signed or kept (a `VEIL_AUDIT_WRITE_FAILED`). */
  readonly onHeadError?: (error: VeilError) => void;
}

/** The most events one write to the store carries. */
const MAX_BATCH = 256;

/**
 * The one error every caller of a failed batch sees: a stable code, the store's error as the
 * cause (for the server log), and a message that names neither the events nor other logs.
 */
function writeFailed(cause: unknown, what: string): VeilError {
  if (cause instanceof VeilError && cause.code === 'VEIL_AUDIT_WRITE_FAILED') return cause;
  return new VeilError('VEIL_AUDIT_WRITE_FAILED', `audit: ${what}`, { cause });
}

/** An event waiting for its batch to be written. */
interface PendingAppend {
  readonly event: string;
  readonly leafHash: Uint8Array;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

/** What {@link AuditLog.append} returns. */
export interface AppendResult {
  readonly index: number;
  /** The leaf hash, 64 hex digits. */
  readonly leafHash: string;
}

/** An inclusion proof as the API serves it. */
export interface InclusionProof {
  readonly leaf_index: number;
  readonly tree_size: number;
  /** RFC 9162 PATH, leaf-side sibling first, 64-hex hashes. */
  readonly path: string[];
}

/** A consistency proof as the API serves it. */
export interface ConsistencyProof {
  readonly first: number;
  readonly second: number;
  /** RFC 9162 PROOF, 64-hex hashes. */
  readonly path: string[];
}

/** Proof that one event is in the log, verifiable offline with the public key alone. */
export interface AuditReceipt {
  readonly format: typeof RECEIPT_FORMAT;
  readonly event: AuditEvent;
  readonly leaf_index: number;
  readonly inclusion_path: string[];
  readonly tree_head: SignedTreeHead;
}

/** The `format` of an {@link AuditReceipt}. */
export const RECEIPT_FORMAT = 'veil.audit.receipt.v1';

/**
 * The audit log over a store. One instance per process and store; share it.
 *
 * @example
 * ```ts
 * const log = new AuditLog({ store: new MemoryAuditStore(), signer: createAuditSigner(generateAuditKeyPair()) });
 * const { index } = await log.append({
 *   time: new Date().toISOString(),
 *   actor: { id: 'usr_42', role: 'admin' },
 *   tenant: 'acme',
 *   action: 'job.deleted',
 *   objects: [{ kind: 'job', id: 'job_01HZX' }],
 *   deleted: [{ class: 'source', count: 1 }, { class: 'redacted', count: 2 }],
 *   trigger: 'request',
 * });
 * const receipt = await log.receipt(index);
 * ```
 */
export class AuditLog {
  readonly store: AuditStore;
  readonly #signer: AuditSigner | undefined;
  readonly #clock: () => number;
  readonly #signEvery: number | undefined;
  readonly #region: string | undefined;
  readonly #onAppend: ((event: AuditEvent, index: number) => void) | undefined;
  readonly #headsAfterAppend: boolean;
  readonly #onHeadError: ((error: VeilError) => void) | undefined;
  readonly #tree: MerkleTree;
  #tail: Promise<unknown> = Promise.resolve();
  /** Validated events not yet written, in the order they were appended. */
  #pending: PendingAppend[] = [];
  #flushQueued = false;

  constructor(options: AuditLogOptions) {
    const { signEvery } = options;
    if (
      signEvery !== undefined &&
      (!Number.isSafeInteger(signEvery) || signEvery < 1 || options.signer === undefined)
    )
      throw new VeilError(
        'VEIL_INVALID_OPTION',
        'audit log: `signEvery` must be a whole number of at least 1, with a `signer`',
      );
    this.store = options.store;
    this.#signer = options.signer;
    this.#clock = options.clock ?? Date.now;
    this.#signEvery = signEvery;
    this.#region = options.region;
    this.#onAppend = options.onAppend;
    this.#headsAfterAppend = options.heads === 'after-append';
    this.#onHeadError = options.onHeadError;
    this.#tree = new MerkleTree(options.store);
  }

  /** Runs `task` after every earlier exclusive task of this log has settled. */
  #exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(task);
    this.#tail = run.catch(() => undefined);
    return run;
  }

  /**
   * Validates and appends an event; resolves once it is stored, with its index and leaf hash.
   *
   * @example
   * ```ts
   * const { index, leafHash } = await log.append(event);
   * ```
   */
  async append(event: AuditEventInput): Promise<AppendResult> {
    // Validate outside the queue: a bad event must not hold up the others.
    const { event: parsed, canonical } = canonicalAuditEvent(
      this.#region === undefined || event.region !== undefined ? event : { ...event, region: this.#region },
    );
    const leafHash = hashLeaf(Buffer.from(canonical, 'utf8'));
    const result = await new Promise<AppendResult>((resolve, reject) => {
      this.#pending.push({ event: canonical, leafHash, resolve, reject });
      this.#queueFlush();
    });
    if (this.#onAppend !== undefined) {
      try {
        this.#onAppend(parsed, result.index);
      } catch {
        // An observer is told, never obeyed: the event is stored whatever it does.
      }
    }
    return result;
  }

  /**
   * Group commit: every event appended while the log is busy (or in the same tick) is written
   * with the others in one store write, in the order appended, so a burst of events (a job's
   * steps, many requests at once) costs one transaction instead of one each. Heads are signed at
   * every `signEvery` boundary the batch crosses, as if the events had come one by one.
   */
  #queueFlush(): void {
    if (this.#flushQueued) return;
    this.#flushQueued = true;
    void this.#exclusive(() => this.#flush());
  }

  async #flush(): Promise<void> {
    this.#flushQueued = false;
    const batch = this.#pending.splice(0, MAX_BATCH);
    if (this.#pending.length > 0) this.#queueFlush();
    if (batch.length === 0) return;
    let first: number;
    try {
      const entries = batch.map(({ event, leafHash }) => ({ event, leafHash }));
      if (this.store.appendMany !== undefined) first = await this.store.appendMany(entries);
      else {
        first = await this.store.append(entries[0]!);
        for (const entry of entries.slice(1)) await this.store.append(entry);
      }
    } catch (error) {
      for (const pending of batch) pending.reject(writeFailed(error, 'the events could not be stored'));
      return;
    }
    const resolve = () =>
      batch.forEach((pending, i) => pending.resolve({ index: first + i, leafHash: toHex(pending.leafHash) }));
    // Stored: with heads after the append, the callers learn it now, before the heads are signed.
    if (this.#headsAfterAppend) resolve();
    try {
      if (this.#signEvery !== undefined)
        for (let size = first + 1; size <= first + batch.length; size += 1)
          if (size % this.#signEvery === 0) await this.#signHead(size);
    } catch (error) {
      // Stored, but the head that was due is not: as for one event, the append reports it.
      const failed = writeFailed(error, 'the events were stored but the tree head due was not signed');
      if (!this.#headsAfterAppend) for (const pending of batch) pending.reject(failed);
      else if (this.#onHeadError !== undefined) {
        try {
          this.#onHeadError(failed);
        } catch {
          // Told, never obeyed, as `onAppend`.
        }
      }
      return;
    }
    if (!this.#headsAfterAppend) resolve();
  }

  /**
   * Resolves once every append and head queued so far has been written (or has failed): what a
   * process awaits before it closes the database when heads are signed `after-append`.
   *
   * @example
   * ```ts
   * await log.settled();
   * await handle.close();
   * ```
   */
  async settled(): Promise<void> {
    // A flush queues the next one while it runs, so wait until nothing is pending or queued.
    while (this.#pending.length > 0 || this.#flushQueued) await this.#exclusive(async () => undefined);
    await this.#tail;
  }

  /** The number of entries in the log. */
  size(): Promise<number> {
    return this.store.size();
  }

  /**
   * MTH of the first `size` entries.
   *
   * @example
   * ```ts
   * toHex(await log.root(await log.size()));
   * ```
   */
  root(size: number): Promise<Uint8Array> {
    return this.#tree.root(size);
  }

  async #signHead(size: number): Promise<SignedTreeHead> {
    if (this.#signer === undefined)
      throw new VeilError('VEIL_INVALID_OPTION', 'audit log: signing a tree head needs a `signer`');
    const head = await signTreeHead(
      { tree_size: size, root_hash: toHex(await this.#tree.root(size)), timestamp: this.#clock() },
      this.#signer,
    );
    await this.store.saveTreeHead(head);
    return head;
  }

  /**
   * Signs, keeps and returns a tree head for the log as it is now.
   *
   * @example
   * ```ts
   * const sth = await log.treeHead(); // { tree_size, root_hash, timestamp, key_id, signature }
   * ```
   */
  treeHead(): Promise<SignedTreeHead> {
    // In the queue, so a head never lands between an append and the automatic head that follows it.
    return this.#exclusive(async () => this.#signHead(await this.store.size()));
  }

  /** The latest kept tree head, if any. */
  latestTreeHead(): Promise<SignedTreeHead | undefined> {
    return this.store.latestTreeHead();
  }

  /**
   * The inclusion proof of entry `index` in the tree of `size` entries.
   *
   * @example
   * ```ts
   * const proof = await log.inclusionProof(12, sth.tree_size);
   * ```
   */
  async inclusionProof(index: number, size: number): Promise<InclusionProof> {
    const path = await this.#tree.inclusionProof(index, size);
    return { leaf_index: index, tree_size: size, path: path.map(toHex) };
  }

  /**
   * The consistency proof between the trees of `first` and `second` entries.
   *
   * @example
   * ```ts
   * const proof = await log.consistencyProof(oldSth.tree_size, newSth.tree_size);
   * ```
   */
  async consistencyProof(first: number, second: number): Promise<ConsistencyProof> {
    const path = await this.#tree.consistencyProof(first, second);
    return { first, second, path: path.map(toHex) };
  }

  /**
   * Entries `from` to `to` (exclusive) with their events parsed back.
   *
   * @example
   * ```ts
   * const page = await log.entries(0, 100);
   * ```
   */
  async entries(
    from: number,
    to: number,
  ): Promise<{ index: number; leaf_hash: string; event: AuditEvent }[]> {
    const rows = await this.store.entries(from, to);
    return rows.map((row) => ({
      index: row.index,
      leaf_hash: toHex(row.leafHash),
      event: JSON.parse(row.event) as AuditEvent,
    }));
  }

  /**
   * A receipt for entry `index`: the event, its inclusion proof and the signed tree head it is
   * proven against (the latest kept head if it covers the entry, else a new one).
   *
   * @example
   * ```ts
   * const receipt = await log.receipt(index);
   * verifyReceipt(receipt, publicKey).ok; // true
   * ```
   */
  async receipt(index: number): Promise<AuditReceipt> {
    const size = await this.store.size();
    if (!Number.isSafeInteger(index) || index < 0 || index >= size)
      throw new VeilError(
        'VEIL_AUDIT_OUT_OF_RANGE',
        `audit: entry ${String(index)} is not in the log of ${size}`,
      );
    let head = await this.store.latestTreeHead();
    if (head === undefined || head.tree_size <= index) head = await this.treeHead();
    const [row] = await this.store.entries(index, index + 1);
    if (row === undefined)
      throw new VeilError('VEIL_AUDIT_OUT_OF_RANGE', `audit: entry ${index} is missing from the store`);
    const { path } = await this.inclusionProof(index, head.tree_size);
    return {
      format: RECEIPT_FORMAT,
      event: JSON.parse(row.event) as AuditEvent,
      leaf_index: index,
      inclusion_path: path,
      tree_head: head,
    };
  }
}
