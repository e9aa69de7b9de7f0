/**
 * API keys for services: `veil_<keyId>_<secret>`, with a 96-bit public key id and a 256-bit
 * random secret. Only an HMAC of the secret is stored, and the plaintext key exists once, in the
 * value {@link ApiKeyService.create} returns.
 *
 * Why HMAC-SHA256 with a server-held key (a "pepper") and not scrypt: scrypt exists to slow down
 * guessing of low-entropy passwords. A 256-bit random secret cannot be guessed at any speed, so a
 * slow hash would add nothing but tens of milliseconds of CPU on every request, which an
 * unauthenticated caller could spend for us. The HMAC key, held outside the database (derived
 * from the key-encryption key), means a stolen table alone cannot even confirm a leaked key.
 */
import { randomBytes } from 'node:crypto';
import { constantTimeEqual, hmacSha256 } from '../crypto/hmac.js';
import { VeilError } from '../errors/veil-error.js';
import type { ApiKeyListing, ApiKeyRecord } from '../store/api-key-store.js';
import { unauthenticated } from './failure.js';
import { isRole } from './permissions.js';
import type { Role } from './permissions.js';
import { requireTenantId } from './principal.js';
import type { Principal } from './principal.js';

const KEY_ID_BYTES = 12;
const SECRET_BYTES = 32;
const MIN_PEPPER_BYTES = 32;
// The key id is hex, so the underscore after it is unambiguous even though the base64url secret
// may contain underscores itself. 43 base64url characters are exactly 32 bytes.
const API_KEY = /^veil_([0-9a-f]{24})_([A-Za-z0-9_-]{43})$/;
// The hash input names its purpose and the key id, so a stored hash cannot be moved to another
// key id, and the same pepper could never collide with another HMAC use.
const HASH_CONTEXT = 'veil-api-key-v1';

/**
 * An API key as stored: no secret, only an HMAC-SHA256 of it under the service's pepper. Its
 * roles are as stored; {@link ApiKeyService.verify} grants only the ones that are Veil roles.
 * The shape is the store's record (access may import store; the store never imports access).
 */
export type StoredApiKey = ApiKeyRecord;

/** The port the store layer implements (a table with a unique key_id and a tenant_id). */
export interface ApiKeyStore {
  /**
   * The key with this id, in any tenant, or undefined. This is the one lookup that cannot be
   * tenant-scoped: before authentication the key id is all that is known.
   */
  findByKeyId(keyId: string): Promise<StoredApiKey | undefined>;
  /** Stores a new key; `VEIL_CONFLICT` when the key id exists. */
  create(record: StoredApiKey): Promise<void>;
  /** Marks the key revoked at `at` if it exists in `tenantId`; false when it does not. Idempotent. */
  revoke(tenantId: string, keyId: string, at: Date): Promise<boolean>;
  /** The keys of `tenantId`, oldest first, without their hashes. */
  list(tenantId: string): Promise<ApiKeyListing[]>;
}

/** What listing shows of a key: ids, roles and dates, never the hash. */
export type { ApiKeyListing };

/** Settings of {@link createApiKeyService}. */
export interface ApiKeyServiceOptions {
  readonly store: ApiKeyStore;
  /** At least 32 bytes, kept outside the database (for example an HKDF subkey of the KEK). */
  readonly pepper: Uint8Array;
  /** The clock; `() => new Date()` by default. */
  readonly now?: () => Date;
}

/** What {@link ApiKeyService.create} returns: the only time the plaintext key is seen. */
export interface CreatedApiKey {
  /** `veil_<keyId>_<secret>`: show it once, never log it. */
  readonly apiKey: string;
  readonly keyId: string;
  /** ISO 8601, or null for a key that does not expire. */
  readonly expiresAt: string | null;
}

/** Creates, verifies and revokes API keys. */
export interface ApiKeyService {
  /** `expiresAt`: when the key stops working (refused as `expired` from then on); never when absent. */
  create(input: {
    readonly tenantId: string;
    readonly roles: readonly Role[];
    readonly expiresAt?: Date;
  }): Promise<CreatedApiKey>;
  verify(presented: unknown): Promise<Principal>;
  /** @throws VeilError `VEIL_NOT_FOUND` when `tenantId` has no such key. Revoking twice is fine. */
  revoke(tenantId: string, keyId: string): Promise<void>;
  list(tenantId: string): Promise<ApiKeyListing[]>;
}

/**
 * Splits a presented key into its id and secret, or undefined when it is not of the form
 * `veil_<24 hex>_<43 base64url>`.
 *
 * @example
 * ```ts
 * parseApiKey('veil_0123456789abcdef01234567_' + 'A'.repeat(43)); // { keyId: '0123…', secret: 'AAA…' }
 * ```
 */
export function parseApiKey(value: unknown): { keyId: string; secret: string } | undefined {
  if (typeof value !== 'string' || value.length > 80) return undefined;
  const match = API_KEY.exec(value);
  if (match === null || match[1] === undefined || match[2] === undefined) return undefined;
  return { keyId: match[1], secret: match[2] };
}

/**
 * True when a credential looks like a Veil API key rather than a JWT, so a transport can route
 * one `Authorization: Bearer` value to the right verifier.
 *
 * @example
 * ```ts
 * looksLikeApiKey('veil_0123…'); // true
 * ```
 */
export function looksLikeApiKey(value: string): boolean {
  return value.startsWith('veil_');
}

function hashSecret(pepper: Uint8Array, keyId: string, secret: string): Buffer {
  return hmacSha256(pepper, `${HASH_CONTEXT}\0${keyId}\0${secret}`);
}

/**
 * Creates the API-key service over a store.
 *
 * @throws VeilError `VEIL_INVALID_OPTION` when the pepper is shorter than 32 bytes.
 *
 * @example
 * ```ts
 * const keys = createApiKeyService({ store, pepper: hkdf(kek, 'veil/api-key-pepper') });
 * const { apiKey } = await keys.create({ tenantId: 'acme', roles: ['processor'] }); // show once
 * const principal = await keys.verify(apiKey); // { id: 'apikey:…', tenantId: 'acme', kind: 'service', … }
 * ```
 */
export function createApiKeyService(options: ApiKeyServiceOptions): ApiKeyService {
  const { store } = options;
  if (!(options.pepper instanceof Uint8Array) || options.pepper.length < MIN_PEPPER_BYTES) {
    throw new VeilError('VEIL_INVALID_OPTION', `api keys: pepper must be at least ${MIN_PEPPER_BYTES} bytes`);
  }
  const pepper = Uint8Array.from(options.pepper);
  const now = options.now ?? (() => new Date());
  // Compared against when the key id is unknown, so a miss costs the same HMAC and comparison
  // as a hit and the response time does not say which key ids exist.
  const decoy = randomBytes(32);

  return {
    async create({ tenantId, roles, expiresAt }) {
      requireTenantId(tenantId, 'tenantId');
      const unique = [...new Set(roles)];
      if (unique.length === 0 || !unique.every(isRole)) {
        throw new VeilError(
          'VEIL_INVALID_OPTION',
          'roles: one or more of admin, processor, reviewer, auditor, dpo',
        );
      }
      if (expiresAt !== undefined && !(expiresAt instanceof Date && expiresAt.getTime() > now().getTime()))
        throw new VeilError('VEIL_INVALID_OPTION', 'expiresAt: must be a time in the future');
      const keyId = randomBytes(KEY_ID_BYTES).toString('hex');
      const secret = randomBytes(SECRET_BYTES).toString('base64url');
      await store.create({
        keyId,
        tenantId,
        roles: unique,
        hash: hashSecret(pepper, keyId, secret).toString('hex'),
        createdAt: now().toISOString(),
        revokedAt: null,
        expiresAt: expiresAt === undefined ? null : expiresAt.toISOString(),
      });
      return {
        apiKey: `veil_${keyId}_${secret}`,
        keyId,
        expiresAt: expiresAt === undefined ? null : expiresAt.toISOString(),
      };
    },

    async verify(presented) {
      const parsed = parseApiKey(presented);
      // A malformed key is refused before any lookup: its shape is public, so answering fast
      // reveals nothing.
      if (parsed === undefined) throw unauthenticated('api_key', 'format');
      const record = await store.findByKeyId(parsed.keyId);
      const expected = record === undefined ? decoy : Buffer.from(record.hash, 'hex');
      const matches = constantTimeEqual(expected, hashSecret(pepper, parsed.keyId, parsed.secret));
      if (record === undefined || record.keyId !== parsed.keyId || !matches) throw unauthenticated('api_key');
      if (record.revokedAt !== null) throw unauthenticated('api_key', 'revoked');
      if (record.expiresAt !== null && now().getTime() >= Date.parse(record.expiresAt))
        throw unauthenticated('expired', 'api key expired');
      const roles = record.roles.filter(isRole);
      if (roles.length === 0) throw unauthenticated('roles');
      return Object.freeze({
        id: `apikey:${record.keyId}`,
        tenantId: record.tenantId,
        roles: Object.freeze(roles),
        kind: 'service' as const,
      });
    },

    async revoke(tenantId, keyId) {
      // Another tenant's key id answers like a missing one.
      if (!(await store.revoke(tenantId, keyId, now()))) throw new VeilError('VEIL_NOT_FOUND', 'not found');
    },

    async list(tenantId) {
      requireTenantId(tenantId, 'tenantId');
      return store.list(tenantId);
    },
  };
}

/**
 * An {@link ApiKeyStore} in memory, for tests and the library mode.
 *
 * @example
 * ```ts
 * const keys = createApiKeyService({ store: new InMemoryApiKeyStore(), pepper: randomBytes(32) });
 * ```
 */
export class InMemoryApiKeyStore implements ApiKeyStore {
  readonly #keys = new Map<string, StoredApiKey>();

  async findByKeyId(keyId: string): Promise<StoredApiKey | undefined> {
    return this.#keys.get(keyId);
  }

  async create(record: StoredApiKey): Promise<void> {
    if (this.#keys.has(record.keyId)) throw new VeilError('VEIL_CONFLICT', 'an API key with this id exists');
    this.#keys.set(record.keyId, Object.freeze({ ...record, roles: Object.freeze([...record.roles]) }));
  }

  async revoke(tenantId: string, keyId: string, at: Date): Promise<boolean> {
    const record = this.#keys.get(keyId);
    if (record === undefined || record.tenantId !== tenantId) return false;
    if (record.revokedAt === null)
      this.#keys.set(keyId, Object.freeze({ ...record, revokedAt: at.toISOString() }));
    return true;
  }

  async list(tenantId: string): Promise<ApiKeyListing[]> {
    return [...this.#keys.values()]
      .filter((record) => record.tenantId === tenantId)
      .map(({ hash: _hash, ...listing }) => listing);
  }
}
