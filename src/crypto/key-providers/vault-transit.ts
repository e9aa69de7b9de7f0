/**
 * A KEK provider backed by HashiCorp Vault's Transit secrets engine: the KEK never leaves Vault;
 * Veil sends a data key to `/v1/<mount>/encrypt/<key>` and gets a `vault:v<n>:…` ciphertext back.
 * The wrap context travels as `associated_data` (authenticated by Vault's AEAD key types).
 */
import { VeilError } from '../../errors/veil-error.js';
import { wrapContextAad } from './in-process-kek.js';
import type { KeyEncryptionKeyProvider } from './provider.js';

/** Options of {@link createVaultTransitKeyProvider}. */
export interface VaultTransitKeyProviderOptions {
  /** Vault's base address, e.g. `https://vault.internal:8200`. */
  readonly address: string;
  /** A Vault token allowed to use `encrypt` and `decrypt` on the key. */
  readonly token: string;
  /** The Transit key's name. */
  readonly keyName: string;
  /** The Transit engine's mount path; defaults to `transit`. */
  readonly mount?: string;
  /** A Vault Enterprise namespace, sent as `X-Vault-Namespace`. */
  readonly namespace?: string;
  /** Per-request timeout; defaults to 10 seconds. */
  readonly timeoutMs?: number;
  /** The fetch to use; defaults to the global one. */
  readonly fetch?: typeof globalThis.fetch;
  /** The region the Vault cluster runs in, as the operator labels it. */
  readonly region?: string;
}

const PATH_SEGMENT = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;

/**
 * Creates a Vault Transit KEK provider. Errors name the Vault operation and HTTP status, never the
 * token, the key material or Vault's response body.
 *
 * @example
 * ```ts
 * const provider = createVaultTransitKeyProvider({ address: 'https://vault:8200', token, keyName: 'veil-kek' });
 * ```
 */
export function createVaultTransitKeyProvider(
  options: VaultTransitKeyProviderOptions,
): KeyEncryptionKeyProvider {
  const mount = options.mount ?? 'transit';
  let base: URL;
  try {
    base = new URL(options.address);
  } catch {
    throw new VeilError('VEIL_INVALID_OPTION', 'Vault Transit: `address` must be an absolute URL');
  }
  if (base.protocol !== 'https:' && base.protocol !== 'http:')
    throw new VeilError('VEIL_INVALID_OPTION', 'Vault Transit: `address` must be an http(s) URL');
  if (!PATH_SEGMENT.test(options.keyName))
    throw new VeilError(
      'VEIL_INVALID_OPTION',
      'Vault Transit: `keyName` must contain only letters, digits, ".", "_" and "-"',
    );
  if (!PATH_SEGMENT.test(mount))
    throw new VeilError(
      'VEIL_INVALID_OPTION',
      'Vault Transit: `mount` must be a path of letters, digits, ".", "_" and "-"',
    );
  if (typeof options.token !== 'string' || options.token.length === 0)
    throw new VeilError('VEIL_INVALID_OPTION', 'Vault Transit: `token` must be a non-empty string');
  const doFetch = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const name = `Vault Transit key ${options.keyName}`;

  async function call(
    operation: 'encrypt' | 'decrypt',
    body: Record<string, string>,
  ): Promise<Record<string, unknown>> {
    const url = new URL(
      `${base.pathname.replace(/\/$/, '')}/v1/${mount}/${operation}/${options.keyName}`,
      base,
    );
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'x-vault-token': options.token,
    };
    if (options.namespace !== undefined) headers['x-vault-namespace'] = options.namespace;
    let response: Response;
    try {
      response = await doFetch(url, {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (cause) {
      throw new VeilError('VEIL_KEY_PROVIDER', `${name}: ${operation} request to ${base.origin} failed`, {
        cause,
      });
    }
    const text = await response.text();
    if (!response.ok) {
      // Vault answers 400 to a ciphertext or associated_data that does not authenticate.
      if (operation === 'decrypt' && response.status === 400)
        throw new VeilError('VEIL_DECRYPTION_FAILED', 'decryption failed');
      throw new VeilError('VEIL_KEY_PROVIDER', `${name}: ${operation} returned HTTP ${response.status}`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const data = (parsed as { data?: unknown } | undefined)?.data;
    if (typeof data !== 'object' || data === null)
      throw new VeilError('VEIL_KEY_PROVIDER', `${name}: ${operation} returned an unexpected response`);
    return data as Record<string, unknown>;
  }

  return {
    id: `vault-transit:${mount}/${options.keyName}`,
    name,
    ...(options.region === undefined ? {} : { region: options.region }),
    async wrapKey(dataKey, context) {
      const data = await call('encrypt', {
        plaintext: Buffer.from(dataKey).toString('base64'),
        associated_data: wrapContextAad(context).toString('base64'),
      });
      if (typeof data.ciphertext !== 'string' || !data.ciphertext.startsWith('vault:'))
        throw new VeilError('VEIL_KEY_PROVIDER', `${name}: encrypt returned no ciphertext`);
      return Buffer.from(data.ciphertext, 'utf8');
    },
    async unwrapKey(wrapped, context) {
      const data = await call('decrypt', {
        ciphertext: Buffer.from(wrapped).toString('utf8'),
        associated_data: wrapContextAad(context).toString('base64'),
      });
      if (typeof data.plaintext !== 'string')
        throw new VeilError('VEIL_KEY_PROVIDER', `${name}: decrypt returned no plaintext`);
      return Buffer.from(data.plaintext, 'base64');
    },
  };
}
