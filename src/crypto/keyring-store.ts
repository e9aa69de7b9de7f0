/**
 * The keyring's persistence port: wrapped key records only, never key material in the clear.
 * This file holds the interface and the in-memory store (library use, tests); the JSON-file store
 * serves the embedded mode and the database store comes with the service.
 */

/** Which key a record holds: a tenant's data key (`subjectId` null) or a data subject's key. */
export interface KeyRef {
  readonly tenantId: string;
  /** An opaque subject id (never an e-mail or a name: it is stored as is), or null. */
  readonly subjectId: string | null;
  readonly version: number;
}

/** One stored, wrapped data key. */
export interface WrappedKeyRecord extends KeyRef {
  readonly status: 'active' | 'retired';
  /** The id of the KEK provider that wrapped it. */
  readonly kekId: string;
  /** The wrapped key, base64; null once retired, because retiring destroys the material. */
  readonly wrappedKey: string | null;
  /** ISO-8601 times. */
  readonly createdAt: string;
  readonly retiredAt: string | null;
}

/** Persistence of wrapped key records. Implementations must be safe for concurrent calls. */
export interface KeyringStore {
  get(ref: KeyRef): Promise<WrappedKeyRecord | undefined>;
  /**
   * Writes a record. With `onlyIfAbsent`, writes nothing and returns false when a record with the
   * same ref exists (how two processes racing to create version N+1 settle on one winner).
   */
  put(record: WrappedKeyRecord, options?: { readonly onlyIfAbsent?: boolean }): Promise<boolean>;
  /** Records of a tenant: all of them (tenant and subject keys) when `subjectId` is undefined. */
  list(tenantId: string, subjectId?: string | null): Promise<WrappedKeyRecord[]>;
  /** Removes a record for good; deleting an absent record is not an error. */
  delete(ref: KeyRef): Promise<void>;
}

/**
 * The identity of a ref as one string, injective because JSON quotes every part.
 *
 * @example
 * ```ts
 * refKey({ tenantId: 't', subjectId: null, version: 1 }); // '["t",null,1]'
 * ```
 */
export function refKey(ref: KeyRef): string {
  return JSON.stringify([ref.tenantId, ref.subjectId, ref.version]);
}

/**
 * Orders records by tenant, subject (tenant keys first) and version, so every store lists alike.
 *
 * @example
 * ```ts
 * records.sort(compareRecords);
 * ```
 */
export function compareRecords(a: KeyRef, b: KeyRef): number {
  if (a.tenantId !== b.tenantId) return a.tenantId < b.tenantId ? -1 : 1;
  if (a.subjectId !== b.subjectId) {
    if (a.subjectId === null) return -1;
    if (b.subjectId === null) return 1;
    return a.subjectId < b.subjectId ? -1 : 1;
  }
  return a.version - b.version;
}

/**
 * Filters records the way {@link KeyringStore.list} specifies.
 *
 * @example
 * ```ts
 * selectRecords(all, 'tenant-a', null); // the tenant's own key versions
 * ```
 */
export function selectRecords(
  records: Iterable<WrappedKeyRecord>,
  tenantId: string,
  subjectId?: string | null,
): WrappedKeyRecord[] {
  const out: WrappedKeyRecord[] = [];
  for (const r of records) {
    if (r.tenantId === tenantId && (subjectId === undefined || r.subjectId === subjectId)) out.push({ ...r });
  }
  return out.sort(compareRecords);
}

/** A keyring store in process memory: for library use and tests; lost when the process ends. */
export class MemoryKeyringStore implements KeyringStore {
  readonly #records = new Map<string, WrappedKeyRecord>();

  /**
   * @example
   * ```ts
   * await store.get({ tenantId: 't', subjectId: null, version: 1 });
   * ```
   */
  async get(ref: KeyRef): Promise<WrappedKeyRecord | undefined> {
    const record = this.#records.get(refKey(ref));
    return record === undefined ? undefined : { ...record };
  }

  /**
   * @example
   * ```ts
   * const created = await store.put(record, { onlyIfAbsent: true });
   * ```
   */
  async put(record: WrappedKeyRecord, options?: { readonly onlyIfAbsent?: boolean }): Promise<boolean> {
    const key = refKey(record);
    if (options?.onlyIfAbsent === true && this.#records.has(key)) return false;
    this.#records.set(key, { ...record });
    return true;
  }

  /**
   * @example
   * ```ts
   * await store.list('tenant-a');
   * ```
   */
  async list(tenantId: string, subjectId?: string | null): Promise<WrappedKeyRecord[]> {
    return selectRecords(this.#records.values(), tenantId, subjectId);
  }

  /**
   * @example
   * ```ts
   * await store.delete({ tenantId: 't', subjectId: 's-1', version: 1 });
   * ```
   */
  async delete(ref: KeyRef): Promise<void> {
    this.#records.delete(refKey(ref));
  }
}
