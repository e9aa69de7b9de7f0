/**
 * Per-tenant, versioned data keys, wrapped by a key-encryption key (KEK) provider and kept in a
 * {@link KeyringStore}; plus per-subject keys that can be destroyed one by one.
 *
 * - A tenant's current key is its highest active version, created on first use.
 * - `rotate` adds a version and re-wraps every live record under the current KEK provider;
 *   `rewrap` does the re-wrapping alone (after the KEK itself was rotated).
 * - Old versions keep decrypting until `retire`, which destroys their wrapped material.
 * - `destroySubject` and `destroyTenant` delete records: what they protected is crypto-shredded.
 *
 * Unwrapped keys are cached in memory for `cacheTtlMs` (default 60 s) to spare the KEK provider a
 * round trip per object. Retiring or destroying through this keyring evicts at once; another
 * process's cache may hold a key up to the TTL longer, so set it to 0 where that matters.
 */
import { randomBytes } from 'node:crypto';
import { VeilError } from '../errors/veil-error.js';
import { KEY_BYTES, envelopeKeyVersion, openEnvelope, sealEnvelope } from './envelope.js';
import type { DataKey, EnvelopeBinding } from './envelope.js';
import type { KeyEncryptionKeyProvider, WrapContext } from './key-providers/provider.js';
import { refKey } from './keyring-store.js';
import type { KeyRef, KeyringStore, WrappedKeyRecord } from './keyring-store.js';

/** Options of {@link Keyring}. */
export interface KeyringOptions {
  /** Wraps new keys and re-wraps on rotation. */
  readonly provider: KeyEncryptionKeyProvider;
  readonly store: KeyringStore;
  /** Providers that wrapped older records (after a change of KEK driver), matched by `id`. */
  readonly previousProviders?: readonly KeyEncryptionKeyProvider[];
  /** How long an unwrapped key stays in memory; 0 disables the cache. Default 60 000. */
  readonly cacheTtlMs?: number;
  /** The clock, for record timestamps and the cache. */
  readonly now?: () => Date;
}

/** What `versions` reports about a key: metadata only, never material. */
export interface KeyVersionInfo {
  readonly version: number;
  readonly status: 'active' | 'retired';
  readonly kekId: string;
  readonly createdAt: string;
  readonly retiredAt: string | null;
}

const SUBJECT_KEY_VERSION = 1;
const ID_PATTERN = /^[\x21-\x7e]{1,200}$/;

function checkId(kind: string, value: string): void {
  // Printable ASCII without spaces keeps ids unambiguous in files, logs and AADs.
  if (typeof value !== 'string' || !ID_PATTERN.test(value))
    throw new VeilError(
      'VEIL_INVALID_INPUT',
      `keyring: ${kind} must be 1-200 printable ASCII characters without spaces`,
    );
}

function wrapContext(ref: KeyRef): WrapContext {
  return {
    'veil:tenant': ref.tenantId,
    'veil:key': ref.subjectId === null ? 'tenant' : `subject:${ref.subjectId}`,
    'veil:version': String(ref.version),
  };
}

function notFound(): VeilError {
  return new VeilError(
    'VEIL_KEY_NOT_FOUND',
    'keyring: no such key (it may never have existed or may have been destroyed)',
  );
}

/** The keyring: tenant and subject data keys, their versions, rotation and destruction. */
export class Keyring {
  readonly #provider: KeyEncryptionKeyProvider;
  readonly #providers: ReadonlyMap<string, KeyEncryptionKeyProvider>;
  readonly #store: KeyringStore;
  readonly #ttl: number;
  readonly #now: () => Date;
  readonly #cache = new Map<string, { key: Buffer; expires: number }>();

  /**
   * @example
   * ```ts
   * const keyring = new Keyring({ provider: createLocalFileKeyProvider({ path }), store: new JsonFileKeyringStore(file) });
   * ```
   */
  constructor(options: KeyringOptions) {
    this.#provider = options.provider;
    this.#providers = new Map([...(options.previousProviders ?? []), options.provider].map((p) => [p.id, p]));
    this.#store = options.store;
    this.#ttl = options.cacheTtlMs ?? 60_000;
    if (!Number.isFinite(this.#ttl) || this.#ttl < 0)
      throw new VeilError('VEIL_INVALID_OPTION', 'keyring: cacheTtlMs must be a non-negative number');
    this.#now = options.now ?? (() => new Date());
  }

  async #wrapNew(ref: KeyRef, key: Uint8Array): Promise<WrappedKeyRecord> {
    const wrapped = await this.#provider.wrapKey(key, wrapContext(ref));
    return {
      ...ref,
      status: 'active',
      kekId: this.#provider.id,
      wrappedKey: Buffer.from(wrapped).toString('base64'),
      createdAt: this.#now().toISOString(),
      retiredAt: null,
    };
  }

  async #unwrap(record: WrappedKeyRecord): Promise<DataKey> {
    if (record.status === 'retired' || record.wrappedKey === null) {
      throw new VeilError('VEIL_KEY_RETIRED', `keyring: key version ${record.version} is retired`);
    }
    const id = refKey(record);
    const cached = this.#cache.get(id);
    const now = this.#now().getTime();
    if (cached !== undefined && cached.expires > now) return { version: record.version, key: cached.key };
    const provider = this.#providers.get(record.kekId);
    if (provider === undefined)
      throw new VeilError(
        'VEIL_KEY_PROVIDER',
        `keyring: the key was wrapped by provider ${record.kekId}, which is not configured`,
      );
    const key = Buffer.from(
      await provider.unwrapKey(Buffer.from(record.wrappedKey, 'base64'), wrapContext(record)),
    );
    if (key.length !== KEY_BYTES) throw new VeilError('VEIL_DECRYPTION_FAILED', 'decryption failed');
    if (this.#ttl > 0) this.#cache.set(id, { key, expires: now + this.#ttl });
    return { version: record.version, key };
  }

  #evict(ref: KeyRef): void {
    // Not zeroed: a caller may still be using the same buffer for an operation already under way.
    this.#cache.delete(refKey(ref));
  }

  async #latestActive(tenantId: string, subjectId: string | null): Promise<WrappedKeyRecord | undefined> {
    const records = await this.#store.list(tenantId, subjectId);
    return records.filter((r) => r.status === 'active').at(-1);
  }

  /**
   * Creates the version after the highest stored one. When another writer stores that version
   * first: for `ensure` (first use) its key is the one to use; for a rotation, try the next number.
   */
  async #createNext(
    tenantId: string,
    subjectId: string | null,
    mode: 'ensure' | 'rotate',
  ): Promise<WrappedKeyRecord> {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const records = await this.#store.list(tenantId, subjectId);
      // First use: a writer that stored a version since the caller looked has settled the key.
      const settled = mode === 'ensure' ? records.filter((r) => r.status === 'active').at(-1) : undefined;
      if (settled !== undefined) return settled;
      const highest = records.at(-1)?.version ?? 0;
      const key = randomBytes(KEY_BYTES);
      const record = await this.#wrapNew({ tenantId, subjectId, version: highest + 1 }, key);
      key.fill(0);
      if (await this.#store.put(record, { onlyIfAbsent: true })) return record;
      if (mode === 'ensure') {
        const winner = await this.#latestActive(tenantId, subjectId);
        if (winner !== undefined) return winner;
      }
    }
    throw new VeilError(
      'VEIL_INTERNAL',
      'keyring: could not create a key version: too many concurrent writers',
    );
  }

  /**
   * The tenant's current data key (its highest active version), created on first use.
   *
   * @example
   * ```ts
   * const { version, key } = await keyring.currentKey('tenant-a');
   * ```
   */
  async currentKey(tenantId: string): Promise<DataKey> {
    checkId('tenantId', tenantId);
    const record =
      (await this.#latestActive(tenantId, null)) ?? (await this.#createNext(tenantId, null, 'ensure'));
    return this.#unwrap(record);
  }

  /**
   * A given version of the tenant's data key. Throws `VEIL_KEY_RETIRED` for a retired version
   * and `VEIL_KEY_NOT_FOUND` for one that does not exist.
   *
   * @example
   * ```ts
   * const key = await keyring.keyForVersion('tenant-a', 2);
   * ```
   */
  async keyForVersion(tenantId: string, version: number): Promise<DataKey> {
    checkId('tenantId', tenantId);
    const record = await this.#store.get({ tenantId, subjectId: null, version });
    if (record === undefined) throw notFound();
    return this.#unwrap(record);
  }

  /**
   * Every version of a tenant's key, oldest first: metadata only.
   *
   * @example
   * ```ts
   * for (const v of await keyring.versions('tenant-a')) console.log(v.version, v.status);
   * ```
   */
  async versions(tenantId: string): Promise<KeyVersionInfo[]> {
    checkId('tenantId', tenantId);
    return (await this.#store.list(tenantId, null)).map(
      ({ version, status, kekId, createdAt, retiredAt }) => ({
        version,
        status,
        kekId,
        createdAt,
        retiredAt,
      }),
    );
  }

  /**
   * The versions of a tenant's key that still decrypt (not retired), oldest first; the last is
   * the current one.
   *
   * @example
   * ```ts
   * const current = (await keyring.activeVersions('tenant-a')).at(-1);
   * ```
   */
  async activeVersions(tenantId: string): Promise<KeyVersionInfo[]> {
    return (await this.versions(tenantId)).filter((v) => v.status === 'active');
  }

  /**
   * Adds a new key version, which becomes current, and re-wraps every live key of the tenant
   * (older versions and subject keys) under the current KEK provider. Returns the new version.
   *
   * @example
   * ```ts
   * const version = await keyring.rotate('tenant-a');
   * ```
   */
  async rotate(tenantId: string): Promise<number> {
    await this.rewrap(tenantId);
    return (await this.#createNext(tenantId, null, 'rotate')).version;
  }

  /**
   * Re-wraps every live key of the tenant (all versions and subject keys) under the current KEK
   * provider and its current KEK version, leaving the data keys themselves unchanged. After it, an
   * old KEK (a previous provider, or a Vault or KMS key version) can be retired without any data
   * becoming unreadable. Returns how many records were re-wrapped.
   *
   * @example
   * ```ts
   * await keyring.rewrap('tenant-a'); // then raise Vault's min_decryption_version
   * ```
   */
  async rewrap(tenantId: string): Promise<number> {
    checkId('tenantId', tenantId);
    let count = 0;
    for (const record of await this.#store.list(tenantId)) {
      if (record.status !== 'active') continue;
      const { key } = await this.#unwrap(record);
      const wrapped = await this.#provider.wrapKey(key, wrapContext(record));
      await this.#store.put({
        ...record,
        kekId: this.#provider.id,
        wrappedKey: Buffer.from(wrapped).toString('base64'),
      });
      count += 1;
    }
    return count;
  }

  /**
   * Retires a version: its wrapped material is destroyed and what it encrypted no longer
   * decrypts. The current version cannot be retired: rotate first.
   *
   * @example
   * ```ts
   * await keyring.rotate('tenant-a');
   * await keyring.retire('tenant-a', 1);
   * ```
   */
  async retire(tenantId: string, version: number): Promise<void> {
    checkId('tenantId', tenantId);
    const ref = { tenantId, subjectId: null, version };
    const record = await this.#store.get(ref);
    if (record === undefined) throw notFound();
    if (record.status === 'retired') return;
    if ((await this.#latestActive(tenantId, null))?.version === version) {
      throw new VeilError(
        'VEIL_INVALID_OPTION',
        `keyring: version ${version} is the current key; rotate before retiring it`,
      );
    }
    await this.#store.put({
      ...record,
      status: 'retired',
      wrappedKey: null,
      retiredAt: this.#now().toISOString(),
    });
    this.#evict(ref);
  }

  /**
   * Encrypts `plaintext` under the tenant's current key (the binding's `tenantId`).
   *
   * @example
   * ```ts
   * const sealed = await keyring.encrypt({ tenantId: 't', objectId: 'doc-1', artifactClass: 'source-document' }, bytes);
   * ```
   */
  async encrypt(binding: EnvelopeBinding, plaintext: Uint8Array): Promise<Buffer> {
    return sealEnvelope(await this.currentKey(binding.tenantId), binding, plaintext);
  }

  /**
   * Decrypts an envelope made by {@link Keyring.encrypt} with the key version it names.
   * Throws `VEIL_DECRYPTION_FAILED` if it was moved to another binding or altered,
   * `VEIL_KEY_RETIRED` or `VEIL_KEY_NOT_FOUND` if its key is gone.
   *
   * @example
   * ```ts
   * const bytes = await keyring.decrypt(binding, sealed);
   * ```
   */
  async decrypt(binding: EnvelopeBinding, envelope: Uint8Array): Promise<Buffer> {
    return openEnvelope(
      await this.keyForVersion(binding.tenantId, envelopeKeyVersion(envelope)),
      binding,
      envelope,
    );
  }

  /**
   * A data subject's key within a tenant, created on first use. Pass an opaque subject id: it is
   * stored as is.
   *
   * @example
   * ```ts
   * const key = await keyring.subjectKey('tenant-a', 'subj_8f2c');
   * ```
   */
  async subjectKey(tenantId: string, subjectId: string): Promise<DataKey> {
    checkId('tenantId', tenantId);
    checkId('subjectId', subjectId);
    const record =
      (await this.#store.get({ tenantId, subjectId, version: SUBJECT_KEY_VERSION })) ??
      (await this.#createNext(tenantId, subjectId, 'ensure'));
    return this.#unwrap(record);
  }

  /**
   * Encrypts under a subject's key, for data to be crypto-shredded with that subject.
   *
   * @example
   * ```ts
   * const sealed = await keyring.encryptForSubject('subj_8f2c', { tenantId: 't', objectId: 'tok_1', artifactClass: 'vault-entry' }, bytes);
   * ```
   */
  async encryptForSubject(
    subjectId: string,
    binding: EnvelopeBinding,
    plaintext: Uint8Array,
  ): Promise<Buffer> {
    return sealEnvelope(await this.subjectKey(binding.tenantId, subjectId), binding, plaintext);
  }

  /**
   * Decrypts what {@link Keyring.encryptForSubject} made. After `destroySubject` this throws
   * `VEIL_KEY_NOT_FOUND`: the subject's key is gone, and with it the data.
   *
   * @example
   * ```ts
   * const bytes = await keyring.decryptForSubject('subj_8f2c', binding, sealed);
   * ```
   */
  async decryptForSubject(
    subjectId: string,
    binding: EnvelopeBinding,
    envelope: Uint8Array,
  ): Promise<Buffer> {
    checkId('tenantId', binding.tenantId);
    checkId('subjectId', subjectId);
    const record = await this.#store.get({
      tenantId: binding.tenantId,
      subjectId,
      version: SUBJECT_KEY_VERSION,
    });
    if (record === undefined) throw notFound();
    return openEnvelope(await this.#unwrap(record), binding, envelope);
  }

  /**
   * Destroys a subject's key: everything encrypted for the subject becomes unrecoverable.
   *
   * @example
   * ```ts
   * await keyring.destroySubject('tenant-a', 'subj_8f2c');
   * ```
   */
  async destroySubject(tenantId: string, subjectId: string): Promise<void> {
    checkId('tenantId', tenantId);
    checkId('subjectId', subjectId);
    for (const record of await this.#store.list(tenantId, subjectId)) {
      await this.#store.delete(record);
      this.#evict(record);
    }
  }

  /**
   * Destroys every key of a tenant (all versions and all subject keys): the tenant's data is
   * crypto-shredded wherever its ciphertext still lies. Returns how many keys were destroyed.
   *
   * @example
   * ```ts
   * const destroyed = await keyring.destroyTenant('tenant-a');
   * ```
   */
  async destroyTenant(tenantId: string): Promise<number> {
    checkId('tenantId', tenantId);
    const records = await this.#store.list(tenantId);
    for (const record of records) {
      await this.#store.delete(record);
      this.#evict(record);
    }
    return records.length;
  }
}
