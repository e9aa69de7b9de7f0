/**
 * The composition root of service API keys: the access layer's {@link ApiKeyService} over the
 * database, keyed by a pepper derived from the keyring, with creation and revocation written to
 * the tenant's audit log. `veil serve` (through `openService`) and `veil apikey` share it.
 *
 * The pepper. A KEK provider never hands out the KEK itself (Vault Transit and a cloud KMS
 * cannot), so the pepper comes from the keyring instead: an HKDF subkey, with its own info label
 * (`veil/api-key/pepper`), of version 1 of the deployment's system data key, which lives in the
 * keyring under {@link API_KEY_KEYRING_SCOPE} wrapped by the KEK like every data key. The pepper
 * is never stored: the database holds only the wrapped system key, which is no use without the
 * KEK, so a copy of the database alone cannot check a guessed or leaked key against its hash.
 * The version is pinned, so rotating the system key leaves keys working; retiring version 1
 * destroys the pepper and with it every API key (crypto-shredding them all at once).
 */
import type { Kysely } from 'kysely';
import {
  bearerCredential,
  createApiKeyService,
  createAuthenticator,
  looksLikeApiKey,
  requireTenantId,
} from '../access/index.js';
import type { ApiKeyListing, ApiKeyService, CreatedApiKey, Role } from '../access/index.js';
import type { Authenticate } from '../api/index.js';
import type { AuditEventInput } from '../audit/index.js';
import { deriveSubkey } from '../crypto/hkdf.js';
import type { Keyring } from '../crypto/keyring.js';
import { DatabaseApiKeyStore, ensureTenant } from '../store/index.js';
import type { Schema } from '../store/index.js';
import type { AuditLogs } from './audit.js';

/**
 * The keyring scope of the system data key the pepper derives from. Not a tenant: tenant ids
 * have no `:` (`isTenantId`), so no tenant's keys can ever be this one.
 */
export const API_KEY_KEYRING_SCOPE = 'veil:system';

/** The version of the system data key the pepper derives from (see the module comment). */
const PEPPER_KEY_VERSION = 1;

/**
 * The API-key pepper of a deployment: an HKDF subkey of version 1 of the keyring's system data
 * key (created on first use), the same in every process that shares the database and the KEK.
 *
 * @example
 * ```ts
 * const pepper = await apiKeyPepper(runtime.keyring);
 * ```
 */
export async function apiKeyPepper(keyring: Keyring): Promise<Buffer> {
  // currentKey creates version 1 on first use (racing processes settle on one winner).
  await keyring.currentKey(API_KEY_KEYRING_SCOPE);
  const { key } = await keyring.keyForVersion(API_KEY_KEYRING_SCOPE, PEPPER_KEY_VERSION);
  return deriveSubkey(key, 'api-key/pepper', []);
}

/** Who created or revoked a key, as the audit log names actors. */
export type ApiKeyActor = AuditEventInput['actor'];

/** API keys of a process: verification for authentication, and audited administration. */
export interface ApiKeys {
  /** The access layer's service: `verify` is what authentication calls. */
  readonly service: ApiKeyService;
  /**
   * Creates a key (and the tenant, on its first key) and records `api_key.created` in the
   * tenant's log. The returned key is the only copy of its secret.
   */
  create(
    input: { readonly tenantId: string; readonly roles: readonly Role[]; readonly expiresAt?: Date },
    actor: ApiKeyActor,
  ): Promise<CreatedApiKey>;
  /** Revokes a key and records `api_key.revoked`; `VEIL_NOT_FOUND` when the tenant has no such key. */
  revoke(tenantId: string, keyId: string, actor: ApiKeyActor): Promise<void>;
  /** The tenant's keys: ids, roles and dates. */
  list(tenantId: string): Promise<ApiKeyListing[]>;
  /**
   * Authentication that verifies `Authorization: Bearer veil_…` as an API key and hands every
   * other request to `tokens`.
   */
  authenticate(tokens: Authenticate): Authenticate;
}

function keyEvent(
  action: 'api_key.created' | 'api_key.revoked',
  tenantId: string,
  keyId: string,
  actor: ApiKeyActor,
): AuditEventInput {
  // The key's id names it (as `apikey:<id>`, the id its principal acts under); never its secret.
  return {
    time: new Date().toISOString(),
    actor,
    tenant: tenantId,
    action,
    objects: [{ kind: 'key', id: `apikey:${keyId}` }],
  };
}

/**
 * Opens the API keys of a process on its database, keyring and audit logs.
 *
 * @example
 * ```ts
 * const apiKeys = await openApiKeys({ db: runtime.handle.db, keyring: runtime.keyring, logs });
 * const { apiKey } = await apiKeys.create({ tenantId: 'acme', roles: ['processor'] }, { id: 'veil-cli', role: 'admin' });
 * ```
 */
export async function openApiKeys(options: {
  readonly db: Kysely<Schema>;
  readonly keyring: Keyring;
  readonly logs: AuditLogs;
}): Promise<ApiKeys> {
  const { db, logs } = options;
  const service = createApiKeyService({
    store: new DatabaseApiKeyStore(db),
    pepper: await apiKeyPepper(options.keyring),
  });
  const keyAuthenticator = createAuthenticator({ apiKeys: service });
  return {
    service,
    async create(input, actor) {
      await ensureTenant(db, requireTenantId(input.tenantId, 'tenantId'));
      const created = await service.create(input);
      try {
        await logs.forTenant(input.tenantId).append({
          ...keyEvent('api_key.created', input.tenantId, created.keyId, actor),
          roles: [...new Set(input.roles)],
        });
      } catch (error) {
        // A key the audit log does not know of must not work.
        await service.revoke(input.tenantId, created.keyId).catch(() => {});
        throw error;
      }
      return created;
    },
    async revoke(tenantId, keyId, actor) {
      // Revoked first: a failure to record must not leave a key working that was meant to stop.
      await service.revoke(tenantId, keyId);
      await logs.forTenant(tenantId).append(keyEvent('api_key.revoked', tenantId, keyId, actor));
    },
    list: (tenantId) => service.list(tenantId),
    authenticate: (tokens) => async (headers) => {
      const header = typeof headers.authorization === 'string' ? headers.authorization : undefined;
      const credential = bearerCredential(header);
      return credential !== undefined && looksLikeApiKey(credential)
        ? keyAuthenticator.authenticate(header)
        : tokens(headers);
    },
  };
}
