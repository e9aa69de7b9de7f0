/**
 * The embedded mode's token issuer: one Ed25519 key pair in a file of the data directory, made
 * on first use, that signs development tokens and publishes its public JWKS for the verifier.
 * It lets `veil serve` run with authentication on and no identity provider; production points
 * the verifier at the organisation's provider instead.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID } from 'node:crypto';
import type { JsonWebKey, KeyObject } from 'node:crypto';
import { mkdir, open, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { SignJWT, calculateJwkThumbprint } from 'jose';
import type { JSONWebKeySet, JWK } from 'jose';
import { VeilError } from '../errors/veil-error.js';
import { isRole } from './permissions.js';
import type { Role } from './permissions.js';
import { requireTenantId } from './principal.js';
import type { TokenVerifierOptions } from './tokens.js';

/** The key file's name inside the directory given to {@link openLocalIssuer}. */
export const LOCAL_SIGNING_KEY_FILE = 'token-signing-key.jwk.json';
/** The issuer and audience local tokens carry. */
export const LOCAL_ISSUER = 'urn:veil:local';
export const LOCAL_AUDIENCE = 'veil';

const DEFAULT_TTL_SECONDS = 3600;
// Development tokens are bearer secrets printed to a terminal; a week bounds the damage of one
// left in shell history.
const MAX_TTL_SECONDS = 7 * 24 * 3600;

/** What a development token says. */
export interface DevelopmentTokenRequest {
  /** One role or several. */
  readonly role: Role | readonly Role[];
  /** The tenant the token is scoped to. */
  readonly tenant: string;
  /** Lifetime in seconds, 1 to 604800 (a week); one hour by default. */
  readonly ttl?: number;
  /** The subject; `dev:<roles>` by default. */
  readonly subject?: string;
  readonly kind?: 'user' | 'service';
}

/** An opened local issuer. */
export interface LocalIssuer {
  readonly issuer: string;
  readonly audience: string;
  /** The key id (RFC 7638 thumbprint) tokens name in `kid`. */
  readonly keyId: string;
  /** The public JWKS: one Ed25519 key, no private members. */
  jwks(): JSONWebKeySet;
  /** Options for {@link createTokenVerifier} that accept this issuer's tokens. */
  verifierOptions(): Pick<TokenVerifierOptions, 'keys' | 'issuer' | 'audience' | 'algorithms'>;
  /** Signs a development token (EdDSA). */
  mintDevelopmentToken(request: DevelopmentTokenRequest): Promise<string>;
}

function keyError(message: string, cause?: unknown): VeilError {
  return new VeilError(
    'VEIL_SIGNING_KEY',
    `local token-signing key: ${message}`,
    cause === undefined ? undefined : { cause },
  );
}

async function createKeyFile(path: string): Promise<void> {
  let handle;
  try {
    // 'wx' fails when another process made the file first, so two first runs cannot both write.
    handle = await open(path, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return;
    throw error;
  }
  try {
    const { privateKey } = generateKeyPairSync('ed25519');
    const jwk = privateKey.export({ format: 'jwk' });
    await handle.writeFile(`${JSON.stringify({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, d: jwk.d })}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function loadPrivateKey(path: string): Promise<KeyObject> {
  let text: string;
  try {
    await createKeyFile(path);
    const info = await stat(path);
    // Like ssh with private keys: a key others can read is refused rather than silently used.
    if ((info.mode & 0o077) !== 0) {
      throw keyError(
        `${path} is readable or writable by group or others (mode ${(info.mode & 0o777).toString(8)}); run chmod 600 on it`,
      );
    }
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (error instanceof VeilError) throw error;
    throw keyError(
      `cannot create or read ${path} (${(error as NodeJS.ErrnoException).code ?? 'unknown error'})`,
      error,
    );
  }
  try {
    const jwk = JSON.parse(text) as JWK;
    if (
      jwk.kty !== 'OKP' ||
      jwk.crv !== 'Ed25519' ||
      typeof jwk.d !== 'string' ||
      typeof jwk.x !== 'string'
    ) {
      throw new Error('not an Ed25519 private JWK');
    }
    const key = createPrivateKey({ key: jwk as JsonWebKey, format: 'jwk' });
    // The stored public half must belong to the private half, or the JWKS would not verify.
    if (createPublicKey(key).export({ format: 'jwk' }).x !== jwk.x)
      throw new Error('public and private halves differ');
    return key;
  } catch {
    // No cause on purpose: a JSON parse error can quote the file, which is key material.
    throw keyError(`${path} is corrupt; delete it to create a new key (tokens it signed stop verifying)`);
  }
}

/**
 * Opens the local issuer whose key lives in `directory`, creating the directory (mode 0700) and
 * the key file (mode 0600) on first use. A key file readable by others is refused.
 *
 * @throws VeilError `VEIL_SIGNING_KEY` when the key file cannot be created or read, is corrupt or
 *   has loose permissions.
 *
 * @example
 * ```ts
 * const issuer = await openLocalIssuer(join(dataDir, 'keys'));
 * const verifier = await createTokenVerifier(issuer.verifierOptions());
 * const token = await issuer.mintDevelopmentToken({ role: 'processor', tenant: 'acme' });
 * ```
 */
export async function openLocalIssuer(directory: string): Promise<LocalIssuer> {
  try {
    await mkdir(directory, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw keyError(
      `cannot create ${directory} (${(error as NodeJS.ErrnoException).code ?? 'unknown error'})`,
      error,
    );
  }
  const privateKey = await loadPrivateKey(join(directory, LOCAL_SIGNING_KEY_FILE));
  const { kty, crv, x } = createPublicKey(privateKey).export({ format: 'jwk' });
  const publicJwk: JWK = { kty, crv, x };
  const keyId = await calculateJwkThumbprint(publicJwk);
  const jwks: JSONWebKeySet = { keys: [{ ...publicJwk, kid: keyId, alg: 'EdDSA', use: 'sig' }] };

  return {
    issuer: LOCAL_ISSUER,
    audience: LOCAL_AUDIENCE,
    keyId,
    jwks: () => structuredClone(jwks),
    verifierOptions: () => ({
      keys: { kind: 'jwks', jwks: structuredClone(jwks) },
      issuer: LOCAL_ISSUER,
      audience: LOCAL_AUDIENCE,
      algorithms: ['EdDSA'],
    }),
    async mintDevelopmentToken(request: DevelopmentTokenRequest): Promise<string> {
      const roles = typeof request.role === 'string' ? [request.role] : [...request.role];
      if (roles.length === 0 || !roles.every(isRole)) {
        throw new VeilError(
          'VEIL_INVALID_OPTION',
          '--role: one or more of admin, processor, reviewer, auditor, dpo',
        );
      }
      const tenant = requireTenantId(request.tenant, '--tenant');
      const ttl = request.ttl ?? DEFAULT_TTL_SECONDS;
      if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TTL_SECONDS) {
        throw new VeilError('VEIL_INVALID_OPTION', `--ttl: whole seconds from 1 to ${MAX_TTL_SECONDS}`);
      }
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ veil_tenant: tenant, veil_roles: roles, veil_kind: request.kind ?? 'user' })
        .setProtectedHeader({ alg: 'EdDSA', kid: keyId, typ: 'JWT' })
        .setIssuer(LOCAL_ISSUER)
        .setAudience(LOCAL_AUDIENCE)
        .setSubject(request.subject ?? `dev:${roles.join('+')}`)
        .setIssuedAt(now)
        .setExpirationTime(now + ttl)
        .setJti(randomUUID())
        .sign(privateKey);
    },
  };
}

/**
 * Mints a development token with the local key in `directory`: what `veil token --role R
 * --tenant T` prints.
 *
 * @example
 * ```ts
 * process.stdout.write(`${await mintDevelopmentToken(keyDir, { role: 'admin', tenant: 'acme', ttl: 3600 })}\n`);
 * ```
 */
export async function mintDevelopmentToken(
  directory: string,
  request: DevelopmentTokenRequest,
): Promise<string> {
  return (await openLocalIssuer(directory)).mintDevelopmentToken(request);
}
