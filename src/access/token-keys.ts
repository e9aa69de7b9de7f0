/**
 * Where a token verifier's keys come from: a JWKS in memory, a JWKS file, a JWKS URL, or OIDC
 * discovery. Keys are taken only from the configured source; private members and symmetric keys
 * are dropped, remote documents are size-capped, and only https (or loopback http) is fetched.
 */
import { readFile } from 'node:fs/promises';
import { createLocalJWKSet, createRemoteJWKSet, customFetch } from 'jose';
import type { JSONWebKeySet, JWK, JWTVerifyGetKey } from 'jose';
import { VeilError } from '../errors/veil-error.js';
import { AuthenticationFailure } from './failure.js';

/** A fetch function, injectable for tests; the global `fetch` fits. */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

/** Where the verification keys come from. */
export type KeySource =
  /** A JWKS in memory, such as the embedded {@link LocalIssuer}'s. */
  | { readonly kind: 'jwks'; readonly jwks: JSONWebKeySet }
  /** A JWKS JSON file, read once when the verifier is created. */
  | { readonly kind: 'file'; readonly path: string }
  /** A JWKS URL, fetched on first use and again when a token names an unknown `kid`. */
  | { readonly kind: 'url'; readonly url: string }
  /** OIDC discovery: `<issuer>/.well-known/openid-configuration` names the `jwks_uri`. */
  | { readonly kind: 'oidc' };

/** Where the keys come from and how they are fetched: the part of the verifier settings the key sources read. */
export interface KeySourceOptions {
  readonly keys: KeySource;
  /** The one issuer accepted, compared exactly with `iss` (and with the discovery document's `issuer`). */
  readonly issuer: string;
  /** The fetch used for discovery and JWKS URLs; the global `fetch` by default. */
  readonly fetch?: FetchLike;
  /** Timeout of each discovery or JWKS request, in milliseconds; default 5000. */
  readonly fetchTimeoutMs?: number;
  /**
   * Least time between two fetches of a remote key set, in seconds: 0 to 3600, default 30. A
   * token naming a key the set lacks (the issuer rotated) triggers a fetch once this has passed.
   */
  readonly keysRefreshSeconds?: number;
}

export const DEFAULT_KEYS_REFRESH_SECONDS = 30;
const DEFAULT_FETCH_TIMEOUT_MS = 5000;
// Discovery documents and key sets are a few kilobytes; a cap stops a hostile or broken
// endpoint from filling memory.
const MAX_DOCUMENT_BYTES = 1 << 20;
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'priv'] as const;

/** A `VEIL_INVALID_OPTION` naming the verifier setting that is wrong. */
export function invalidOption(setting: string, message: string): VeilError {
  return new VeilError('VEIL_INVALID_OPTION', `token verifier: ${setting} ${message}`);
}

/** The key lookup jose verifies signatures with, from the configured source. */
export async function keyResolver(
  options: KeySourceOptions,
  algorithms: readonly string[],
): Promise<JWTVerifyGetKey> {
  const keys = options.keys;
  switch (keys?.kind) {
    case 'jwks':
      return createLocalJWKSet(publicSigningKeys(keys.jwks, algorithms, 'keys.jwks'));
    case 'file':
      return createLocalJWKSet(publicSigningKeys(await readJwksFile(keys.path), algorithms, 'keys.path'));
    case 'url': {
      const url = secureUrl(keys.url, 'keys.url');
      return createRemoteJWKSet(url, remoteOptions(options));
    }
    case 'oidc': {
      // Checked now so a bad issuer URL stops start-up rather than failing every request.
      secureUrl(options.issuer, 'issuer');
      return lazyDiscoveredKeys(options);
    }
    default:
      throw invalidOption('keys.kind', "must be 'jwks', 'file', 'url' or 'oidc'");
  }
}

async function readJwksFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw invalidOption(
      'keys.path',
      `cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'unknown error'})`,
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw invalidOption('keys.path', `${path} is not JSON`);
  }
}

/**
 * The public signing keys of a JWKS. Private members are dropped, so a verifier never holds
 * signing material; symmetric (`oct`) keys, keys for other uses and keys pinned to an algorithm
 * outside the allow-list are left out, so no configuration can bring HS* back.
 */
function publicSigningKeys(jwks: unknown, algorithms: readonly string[], setting: string): JSONWebKeySet {
  const list = typeof jwks === 'object' && jwks !== null ? (jwks as { keys?: unknown }).keys : undefined;
  if (!Array.isArray(list)) throw invalidOption(setting, 'must be a JWKS: an object with a `keys` array');
  const keys: JWK[] = [];
  for (const entry of list as unknown[]) {
    if (typeof entry !== 'object' || entry === null) continue;
    const key = { ...(entry as JWK) };
    if (key.kty !== 'RSA' && key.kty !== 'EC' && key.kty !== 'OKP') continue;
    if (key.use !== undefined && key.use !== 'sig') continue;
    if (key.alg !== undefined && !algorithms.includes(key.alg)) continue;
    for (const member of PRIVATE_JWK_MEMBERS) delete (key as Record<string, unknown>)[member];
    keys.push(key);
  }
  if (keys.length === 0) throw invalidOption(setting, 'holds no public RSA, EC or OKP signing key');
  return { keys };
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '127.0.0.1' || hostname === '[::1]';
}

/** HTTPS, or plain HTTP on loopback only: keys fetched in the clear could be swapped on the way. */
function secureUrl(value: string, setting: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalidOption(setting, 'must be an absolute URL');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname))) {
    throw invalidOption(setting, 'must use https (plain http is allowed on loopback only)');
  }
  return url;
}

function remoteOptions(options: KeySourceOptions): Parameters<typeof createRemoteJWKSet>[1] {
  return {
    timeoutDuration: options.fetchTimeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS,
    // jose refetches when a token names an unknown kid (key rotation), at most this often.
    cooldownDuration: (options.keysRefreshSeconds ?? DEFAULT_KEYS_REFRESH_SECONDS) * 1000,
    cacheMaxAge: 10 * 60_000,
    ...(options.fetch === undefined ? {} : { [customFetch]: options.fetch }),
  };
}

function lazyDiscoveredKeys(options: KeySourceOptions): JWTVerifyGetKey {
  let pending: Promise<JWTVerifyGetKey> | undefined;
  const resolve = (): Promise<JWTVerifyGetKey> => {
    pending ??= discoverJwksUri(options).then(
      (url) => createRemoteJWKSet(url, remoteOptions(options)),
      (error: unknown) => {
        // Forget the failure so the next request tries discovery again.
        pending = undefined;
        throw error;
      },
    );
    return pending;
  };
  return async (header, token) => (await resolve())(header, token);
}

/**
 * OIDC Discovery 1.0 section 4: fetch the provider configuration and take its `jwks_uri`. The
 * document's `issuer` must equal the configured issuer exactly (section 4.3), so one provider
 * cannot stand in for another.
 */
async function discoverJwksUri(options: KeySourceOptions): Promise<URL> {
  const base = options.issuer.replace(/\/+$/, '');
  const fetchFn: FetchLike = options.fetch ?? ((url, init) => fetch(url, init));
  let document: unknown;
  try {
    const response = await fetchFn(`${base}/.well-known/openid-configuration`, {
      method: 'GET',
      headers: { accept: 'application/json' },
      redirect: 'manual',
      signal: AbortSignal.timeout(options.fetchTimeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS),
    });
    if (response.status !== 200)
      throw new AuthenticationFailure('key_source', `discovery HTTP ${response.status}`);
    document = JSON.parse(await readCapped(response)) as unknown;
  } catch (error) {
    if (error instanceof AuthenticationFailure) throw error;
    throw new AuthenticationFailure('key_source', 'discovery request failed');
  }
  const { issuer, jwks_uri: jwksUri } = (
    typeof document === 'object' && document !== null ? document : {}
  ) as {
    issuer?: unknown;
    jwks_uri?: unknown;
  };
  if (issuer !== options.issuer) throw new AuthenticationFailure('key_source', 'discovery issuer mismatch');
  if (typeof jwksUri !== 'string')
    throw new AuthenticationFailure('key_source', 'discovery without jwks_uri');
  try {
    return secureUrl(jwksUri, 'jwks_uri');
  } catch {
    throw new AuthenticationFailure('key_source', 'discovery jwks_uri not https');
  }
}

async function readCapped(response: Response): Promise<string> {
  if (response.body === null) return '';
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    total += chunk.length;
    if (total > MAX_DOCUMENT_BYTES)
      throw new AuthenticationFailure('key_source', 'discovery document too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
