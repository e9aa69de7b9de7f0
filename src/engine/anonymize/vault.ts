import { VeilError } from '../../errors/veil-error.js';
import type { OperatorKeys } from './keys.js';

/** What a token stands for. */
export interface TokenRequest {
  readonly tenant: string;
  /** A tokenisation scope (a job, a data set): the same value gets different tokens in different scopes. */
  readonly scope: string;
  /** The data subject; tokens and entries are keyed per subject so the subject can be forgotten. */
  readonly subject?: string | undefined;
  readonly type: string;
  readonly value: string;
}

/**
 * Where tokenize keeps the way back from a token to its value. Implementations must be safe under
 * concurrent calls: tokens are deterministic, so creating an entry is an idempotent insert and
 * never a read-modify-write across an await.
 */
export interface TokenVault {
  /** The token for a value: the same request always gets the same token until its subject is forgotten. */
  tokenFor(request: TokenRequest): Promise<string>;
  /** The value behind a token of this tenant; undefined when unknown, foreign or forgotten. */
  valueFor(
    tenant: string,
    token: string,
  ): Promise<{ readonly type: string; readonly value: string } | undefined>;
  /** Destroys the subject's key so none of its tokens resolve again; returns how many entries that made unreadable. */
  forgetSubject(tenant: string, subject: string): Promise<number>;
}

export interface InMemoryTokenVaultOptions {
  /** The key operations, or a function giving each tenant's. */
  readonly keys: OperatorKeys | ((tenant: string) => OperatorKeys);
  /** Random bytes for subject keys (default: Web Crypto's getRandomValues). */
  readonly random?: (bytes: number) => Uint8Array;
}

interface Entry {
  readonly subject: string;
  readonly type: string;
  readonly ciphertext: string;
}

const TOKEN_HEX = 32;
const SUBJECT_SECRET_BYTES = 32;

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * An in-memory TokenVault for library use and tests (a database-backed one serves the service).
 *
 * Each subject gets a random 256-bit secret. Tokens are an HMAC under a key scoped by that secret,
 * and each entry's value is encrypted, sealed together with its token, under a key scoped by the
 * secret (so an entry copied to another token does not open). Forgetting a subject destroys only its secret: the
 * ciphertexts stay, as they would in a backup, and can no longer be decrypted or linked to values.
 * Every method does its work synchronously before its first await, so concurrent calls never race.
 *
 * @example
 * ```ts
 * const vault = new InMemoryTokenVault({ keys });
 * const token = await vault.tokenFor({ tenant: 't1', scope: 'job-7', subject: 'p-42', type: 'PERSON', value: 'Ann Lee' });
 * await vault.valueFor('t1', token); // { type: 'PERSON', value: 'Ann Lee' }
 * await vault.forgetSubject('t1', 'p-42');
 * await vault.valueFor('t1', token); // undefined
 * ```
 */
export class InMemoryTokenVault implements TokenVault {
  readonly #keys: (tenant: string) => OperatorKeys;
  readonly #random: (bytes: number) => Uint8Array;
  readonly #secrets = new Map<string, string>();
  readonly #entries = new Map<string, Entry>();

  constructor(options: InMemoryTokenVaultOptions) {
    const keys = options.keys;
    this.#keys = typeof keys === 'function' ? keys : () => keys;
    this.#random = options.random ?? ((n) => globalThis.crypto.getRandomValues(new Uint8Array(n)));
  }

  /** How many entries the vault holds, readable or not. */
  get size(): number {
    return this.#entries.size;
  }

  tokenFor(request: TokenRequest): Promise<string> {
    try {
      const { tenant, scope, type, value } = request;
      for (const [name, v] of Object.entries({ tenant, scope, type, value }))
        if (typeof v !== 'string')
          throw new VeilError('VEIL_INVALID_INPUT', `tokenFor: \`${name}\` must be a string`);
      const subject = request.subject ?? '';
      const keys = this.#keys(tenant);
      const secret = this.#secretFor(tenant, subject);
      const token = `tok_${keys.hmac(`${tenant}/vault/token/${secret}/${scope}`, `${type}\u0000${value}`).slice(0, TOKEN_HEX)}`;
      const id = `${tenant}\u0000${token}`;
      // The token is sealed with the value, so an entry copied under another token fails to open.
      if (!this.#entries.has(id))
        this.#entries.set(id, {
          subject,
          type,
          ciphertext: keys.encrypt(`${tenant}/vault/entry/${secret}`, `${token}\u0000${value}`),
        });
      return Promise.resolve(token);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  valueFor(tenant: string, token: string): Promise<{ type: string; value: string } | undefined> {
    const entry = this.#entries.get(`${tenant}\u0000${token}`);
    const secret = entry && this.#secrets.get(`${tenant}\u0000${entry.subject}`);
    if (!entry || secret === undefined) return Promise.resolve(undefined);
    try {
      const sealed = this.#keys(tenant).decrypt(`${tenant}/vault/entry/${secret}`, entry.ciphertext);
      const prefix = `${token}\u0000`;
      return Promise.resolve(
        sealed.startsWith(prefix) ? { type: entry.type, value: sealed.slice(prefix.length) } : undefined,
      );
    } catch (error) {
      if (error instanceof VeilError && error.code === 'VEIL_DECRYPTION_FAILED')
        return Promise.resolve(undefined);
      return Promise.reject(error);
    }
  }

  forgetSubject(tenant: string, subject: string): Promise<number> {
    this.#secrets.delete(`${tenant}\u0000${subject}`);
    let shredded = 0;
    for (const [id, entry] of this.#entries)
      if (entry.subject === subject && id.startsWith(`${tenant}\u0000`)) shredded += 1;
    return Promise.resolve(shredded);
  }

  #secretFor(tenant: string, subject: string): string {
    const id = `${tenant}\u0000${subject}`;
    let secret = this.#secrets.get(id);
    if (secret === undefined) {
      secret = hex(this.#random(SUBJECT_SECRET_BYTES));
      this.#secrets.set(id, secret);
    }
    return secret;
  }
}
