/**
 * The engine's {@link TokenVault} on the database, for the service. Rows hold the token, the
 * subject id, the entity type and ciphertext: the value exists only inside an envelope sealed
 * under the data subject's key from the keyring, bound to the tenant and the token. Forgetting a
 * subject destroys that key (crypto-shredding, which also covers copies in backups) and deletes
 * the subject's rows.
 */
import type { Kysely } from 'kysely';
import { deriveSubkey } from '../crypto/hkdf.js';
import { hmacSha256 } from '../crypto/hmac.js';
import type { Keyring } from '../crypto/keyring.js';
import type { TokenRequest, TokenVault } from '../engine/anonymize/vault.js';
import { isVeilError, VeilError } from '../errors/veil-error.js';
import { withTenantScope } from './database.js';
import type { Schema } from './schema.js';

const ARTIFACT_CLASS = 'vault-entry';
// Tokens of values with no subject share this subject; callers cannot name it themselves.
const NO_SUBJECT = 'veil:none';
const TOKEN_HEX = 32;
// A key that is gone, or a ciphertext that does not open, both mean "cannot resolve".
const UNRESOLVABLE = new Set(['VEIL_KEY_NOT_FOUND', 'VEIL_KEY_RETIRED', 'VEIL_DECRYPTION_FAILED']);

function subjectOf(subject: string | undefined): string {
  if (subject === undefined || subject === '') return NO_SUBJECT;
  if (subject.startsWith('veil:'))
    throw new VeilError('VEIL_INVALID_INPUT', 'token vault: subject ids starting with `veil:` are reserved');
  return subject;
}

/**
 * A {@link TokenVault} whose entries live in `vault_entries`, encrypted per subject.
 * Subject ids are stored as given (they name keys in the keyring): pass opaque ids, never an
 * e-mail address or a name.
 *
 * @example
 * ```ts
 * const vault = new DatabaseTokenVault({ db: handle.db, keyring });
 * const token = await vault.tokenFor({ tenant: 't1', scope: 'job-7', subject: 'p-42', type: 'PERSON', value: 'Ann Lee' });
 * await vault.valueFor('t1', token); // { type: 'PERSON', value: 'Ann Lee' }
 * await vault.forgetSubject('t1', 'p-42'); // 1
 * ```
 */
export class DatabaseTokenVault implements TokenVault {
  readonly #db: Kysely<Schema>;
  readonly #keyring: Keyring;

  constructor(options: { readonly db: Kysely<Schema>; readonly keyring: Keyring }) {
    this.#db = options.db;
    this.#keyring = options.keyring;
  }

  async tokenFor(request: TokenRequest): Promise<string> {
    const { tenant, scope, type, value } = request;
    for (const [name, v] of Object.entries({ tenant, scope, type, value }))
      if (typeof v !== 'string')
        throw new VeilError('VEIL_INVALID_INPUT', `tokenFor: \`${name}\` must be a string`);
    const subject = subjectOf(request.subject);
    const subjectKey = await this.#keyring.subjectKey(tenant, subject);
    // Keyed by the subject's key: the same value in the same scope maps to the same token until
    // the subject is forgotten, and tokens reveal nothing without the key.
    const tokenKey = deriveSubkey(subjectKey.key, 'vault/token', [tenant, scope]);
    const token = `tok_${hmacSha256(tokenKey, `${type}\u0000${value}`).toString('hex').slice(0, TOKEN_HEX)}`;
    tokenKey.fill(0);
    const ciphertext = await this.#keyring.encryptForSubject(
      subject,
      { tenantId: tenant, objectId: token, artifactClass: ARTIFACT_CLASS },
      Buffer.from(`${type}\u0000${value}`, 'utf8'),
    );
    // Deterministic token, so a concurrent or repeated call inserts the same entry: keep the first.
    await withTenantScope(this.#db, tenant, (trx) =>
      trx
        .insertInto('vault_entries')
        .values({ tenant_id: tenant, token, subject_id: subject, entity_type: type, ciphertext })
        .onConflict((oc) => oc.columns(['tenant_id', 'token']).doNothing())
        .execute(),
    );
    return token;
  }

  async valueFor(
    tenant: string,
    token: string,
  ): Promise<{ readonly type: string; readonly value: string } | undefined> {
    const row = await withTenantScope(this.#db, tenant, (trx) =>
      trx
        .selectFrom('vault_entries')
        .select(['subject_id', 'entity_type', 'ciphertext'])
        .where('tenant_id', '=', tenant)
        .where('token', '=', token)
        .executeTakeFirst(),
    );
    if (row === undefined) return undefined;
    let sealed: Buffer;
    try {
      sealed = await this.#keyring.decryptForSubject(
        row.subject_id,
        { tenantId: tenant, objectId: token, artifactClass: ARTIFACT_CLASS },
        row.ciphertext,
      );
    } catch (error) {
      if (isVeilError(error) && UNRESOLVABLE.has(error.code)) return undefined;
      throw error;
    }
    const text = sealed.toString('utf8');
    const cut = text.indexOf('\u0000');
    const type = text.slice(0, cut);
    // The type is sealed with the value; a row whose type column was altered does not resolve.
    if (cut < 0 || type !== row.entity_type) return undefined;
    return { type, value: text.slice(cut + 1) };
  }

  async forgetSubject(tenant: string, subject: string): Promise<number> {
    const id = subjectOf(subject);
    await this.#keyring.destroySubject(tenant, id);
    const result = await withTenantScope(this.#db, tenant, (trx) =>
      trx
        .deleteFrom('vault_entries')
        .where('tenant_id', '=', tenant)
        .where('subject_id', '=', id)
        .executeTakeFirst(),
    );
    return Number(result.numDeletedRows);
  }
}
