/**
 * A keyring store in one JSON file, for the embedded mode. Every change rewrites the file
 * atomically (temporary file with mode 0600, fsync, rename), so a crash leaves either the old or
 * the new keyring, never a torn one. Changes within a process are serialised; the file is meant
 * for one process, as the embedded mode is.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { VeilError } from '../errors/veil-error.js';
import { refKey, selectRecords } from './keyring-store.js';
import type { KeyRef, KeyringStore, WrappedKeyRecord } from './keyring-store.js';

interface FileShape {
  readonly format: 'veil-keyring';
  readonly version: 1;
  readonly records: WrappedKeyRecord[];
}

function isRecord(value: unknown): value is WrappedKeyRecord {
  const r = value as Partial<WrappedKeyRecord> | null;
  return (
    typeof r === 'object' &&
    r !== null &&
    typeof r.tenantId === 'string' &&
    (r.subjectId === null || typeof r.subjectId === 'string') &&
    Number.isInteger(r.version) &&
    (r.status === 'active' || r.status === 'retired') &&
    typeof r.kekId === 'string' &&
    (r.wrappedKey === null || typeof r.wrappedKey === 'string') &&
    typeof r.createdAt === 'string' &&
    (r.retiredAt === null || typeof r.retiredAt === 'string')
  );
}

/** A {@link KeyringStore} persisted to a JSON file with mode 0600. */
export class JsonFileKeyringStore implements KeyringStore {
  readonly #path: string;
  #records: Map<string, WrappedKeyRecord> | undefined;
  // Every operation runs after the previous one, so read-modify-write cycles never interleave.
  #queue: Promise<unknown> = Promise.resolve();

  /**
   * @example
   * ```ts
   * const store = new JsonFileKeyringStore(join(dataDir, 'keyring.json'));
   * ```
   */
  constructor(path: string) {
    if (typeof path !== 'string' || path.length === 0)
      throw new VeilError('VEIL_INVALID_OPTION', 'JsonFileKeyringStore: `path` must be a non-empty string');
    this.#path = path;
  }

  #serial<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(operation, operation);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #load(): Promise<Map<string, WrappedKeyRecord>> {
    if (this.#records !== undefined) return this.#records;
    let text: string;
    try {
      text = await readFile(this.#path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new VeilError(
          'VEIL_KEY_PROVIDER',
          `keyring file ${this.#path} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'unknown error'})`,
          { cause: error },
        );
      }
      this.#records = new Map();
      return this.#records;
    }
    let parsed: Partial<FileShape>;
    try {
      parsed = JSON.parse(text) as Partial<FileShape>;
    } catch (cause) {
      throw new VeilError('VEIL_KEY_PROVIDER', `keyring file ${this.#path} is not valid JSON`, { cause });
    }
    if (
      parsed.format !== 'veil-keyring' ||
      parsed.version !== 1 ||
      !Array.isArray(parsed.records) ||
      !parsed.records.every(isRecord)
    ) {
      throw new VeilError('VEIL_KEY_PROVIDER', `keyring file ${this.#path} is not a version 1 Veil keyring`);
    }
    this.#records = new Map(parsed.records.map((r) => [refKey(r), r]));
    return this.#records;
  }

  async #save(records: Map<string, WrappedKeyRecord>): Promise<void> {
    const shape: FileShape = { format: 'veil-keyring', version: 1, records: selectAll(records) };
    await mkdir(dirname(this.#path), { recursive: true, mode: 0o700 });
    const temporary = `${this.#path}.${randomBytes(6).toString('hex')}.tmp`;
    const handle = await open(temporary, 'wx', 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(shape, null, 2)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await rename(temporary, this.#path);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }

  /**
   * @example
   * ```ts
   * await store.get({ tenantId: 't', subjectId: null, version: 1 });
   * ```
   */
  get(ref: KeyRef): Promise<WrappedKeyRecord | undefined> {
    return this.#serial(async () => {
      const record = (await this.#load()).get(refKey(ref));
      return record === undefined ? undefined : { ...record };
    });
  }

  /**
   * @example
   * ```ts
   * await store.put(record, { onlyIfAbsent: true });
   * ```
   */
  put(record: WrappedKeyRecord, options?: { readonly onlyIfAbsent?: boolean }): Promise<boolean> {
    return this.#serial(async () => {
      const records = await this.#load();
      const key = refKey(record);
      if (options?.onlyIfAbsent === true && records.has(key)) return false;
      const next = new Map(records).set(key, { ...record });
      await this.#save(next);
      this.#records = next;
      return true;
    });
  }

  /**
   * @example
   * ```ts
   * await store.list('tenant-a', null);
   * ```
   */
  list(tenantId: string, subjectId?: string | null): Promise<WrappedKeyRecord[]> {
    return this.#serial(async () => selectRecords((await this.#load()).values(), tenantId, subjectId));
  }

  /**
   * @example
   * ```ts
   * await store.delete({ tenantId: 't', subjectId: 's-1', version: 1 });
   * ```
   */
  delete(ref: KeyRef): Promise<void> {
    return this.#serial(async () => {
      const records = await this.#load();
      const key = refKey(ref);
      if (!records.has(key)) return;
      const next = new Map(records);
      next.delete(key);
      await this.#save(next);
      this.#records = next;
    });
  }
}

function selectAll(records: Map<string, WrappedKeyRecord>): WrappedKeyRecord[] {
  const tenants = new Set([...records.values()].map((r) => r.tenantId));
  return [...tenants].sort().flatMap((t) => selectRecords(records.values(), t));
}
