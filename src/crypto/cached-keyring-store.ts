/**
 * A keyring store that keeps each tenant's list of data-key records (wrapped, never key material
 * in the clear) for a short time, so the many encryptions and decryptions of one tenant's jobs
 * cost one read of its key records per interval rather than one or two per object.
 *
 * Only tenant keys (`subjectId` null) are kept. Subject keys are always read through: destroying
 * a data subject's key (crypto-shredding) takes effect at once in every process. A write or a
 * deletion through this store forgets the tenant's list at once; one made by another process
 * (a rotation, a retirement, a tenant's destruction) is seen here within `ttlMs`.
 */
import type { KeyRef, KeyringStore, WrappedKeyRecord } from './keyring-store.js';

/** Options of {@link CachedKeyringStore}. */
export interface CachedKeyringStoreOptions {
  /** How long a tenant's records are kept, in ms; 0 reads through every time. */
  readonly ttlMs: number;
  /** The clock (ms). */
  readonly now?: () => number;
  /** How many tenants' lists are kept at most (default 4,096; the oldest is dropped first). */
  readonly maxTenants?: number;
}

interface Entry {
  readonly records: Promise<WrappedKeyRecord[]>;
  readonly expires: number;
}

/**
 * Wraps a {@link KeyringStore}, keeping each tenant's own key records for `ttlMs`.
 *
 * @example
 * ```ts
 * const store = new CachedKeyringStore(new DatabaseKeyringStore(db), { ttlMs: 5000 });
 * const keyring = new Keyring({ provider, store });
 * ```
 */
export class CachedKeyringStore implements KeyringStore {
  readonly #store: KeyringStore;
  readonly #ttl: number;
  readonly #now: () => number;
  readonly #max: number;
  readonly #tenants = new Map<string, Entry>();
  /** Bumped by each write or deletion of a tenant's records, so a read begun before it is not kept. */
  readonly #generations = new Map<string, number>();

  constructor(store: KeyringStore, options: CachedKeyringStoreOptions) {
    this.#store = store;
    this.#ttl = options.ttlMs;
    this.#now = options.now ?? Date.now;
    this.#max = options.maxTenants ?? 4096;
  }

  #tenantRecords(tenantId: string): Promise<WrappedKeyRecord[]> {
    const now = this.#now();
    const kept = this.#tenants.get(tenantId);
    if (kept !== undefined && kept.expires > now) return kept.records;
    const generation = this.#generations.get(tenantId) ?? 0;
    const records = this.#store.list(tenantId, null);
    if (this.#ttl <= 0) return records;
    this.#tenants.delete(tenantId);
    if (this.#tenants.size >= this.#max) this.#tenants.delete(this.#tenants.keys().next().value!);
    this.#tenants.set(tenantId, { records, expires: now + this.#ttl });
    // A failed read is not kept, nor one that a write of this process overtook.
    records.then(
      () => {
        if ((this.#generations.get(tenantId) ?? 0) !== generation) this.#forgetIfSame(tenantId, records);
      },
      () => this.#forgetIfSame(tenantId, records),
    );
    return records;
  }

  #forgetIfSame(tenantId: string, records: Promise<WrappedKeyRecord[]>): void {
    if (this.#tenants.get(tenantId)?.records === records) this.#tenants.delete(tenantId);
  }

  #forget(tenantId: string): void {
    this.#generations.set(tenantId, (this.#generations.get(tenantId) ?? 0) + 1);
    this.#tenants.delete(tenantId);
  }

  async get(ref: KeyRef): Promise<WrappedKeyRecord | undefined> {
    if (ref.subjectId !== null) return this.#store.get(ref);
    const found = (await this.#tenantRecords(ref.tenantId)).find((r) => r.version === ref.version);
    // A version made by another process since the list was read: ask the store.
    return found ?? this.#store.get(ref);
  }

  async list(tenantId: string, subjectId?: string | null): Promise<WrappedKeyRecord[]> {
    if (subjectId !== null) return this.#store.list(tenantId, subjectId);
    return [...(await this.#tenantRecords(tenantId))];
  }

  async put(record: WrappedKeyRecord, options?: { readonly onlyIfAbsent?: boolean }): Promise<boolean> {
    this.#forget(record.tenantId);
    try {
      return await this.#store.put(record, options);
    } finally {
      this.#forget(record.tenantId);
    }
  }

  async delete(ref: KeyRef): Promise<void> {
    this.#forget(ref.tenantId);
    try {
      await this.#store.delete(ref);
    } finally {
      this.#forget(ref.tenantId);
    }
  }
}
