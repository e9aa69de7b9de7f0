/**
 * JWT bearer-token verification with jose, against a JWKS given in memory, read from a file,
 * fetched from a URL, or found through OIDC discovery. The verifier is strict by construction:
 * one issuer, an audience, an allow-list of asymmetric algorithms, required `exp` and `sub`, no
 * critical header extensions, and a size cap checked before any parsing. Claims become a
 * {@link Principal}; everything else a token says is ignored.
 */
import { decodeProtectedHeader, errors, jwtVerify } from 'jose';
import type { JWTPayload, JWTVerifyGetKey, ProtectedHeaderParameters } from 'jose';
import { VeilError } from '../errors/veil-error.js';
import { AuthenticationFailure, unauthenticated } from './failure.js';
import type { UnauthenticatedReason } from './failure.js';
import { isRole } from './permissions.js';
import type { Role } from './permissions.js';
import { isTenantId } from './principal.js';
import type { Principal } from './principal.js';
import { DEFAULT_KEYS_REFRESH_SECONDS, invalidOption, keyResolver } from './token-keys.js';
import type { KeySourceOptions } from './token-keys.js';

/**
 * The only algorithms Veil accepts. All are asymmetric: a verifier that held a shared secret
 * could also mint tokens, and accepting HS* next to public keys is the algorithm-confusion bug
 * (a public key used as an HMAC secret). `none` is never accepted.
 */
export const TOKEN_ALGORITHMS = ['RS256', 'ES256', 'EdDSA', 'PS256'] as const;

/** An algorithm from {@link TOKEN_ALGORITHMS}. */
export type TokenAlgorithm = (typeof TOKEN_ALGORITHMS)[number];

/** A claim name (`'tenant'`, `'https://veil.example/tenant'`) or a path into nested claims (`['realm_access', 'roles']`). */
export type ClaimPath = string | readonly string[];

/** Settings of {@link createTokenVerifier}. */
export interface TokenVerifierOptions extends KeySourceOptions {
  /** The audience (or audiences) this service answers to; `aud` must contain one of them. */
  readonly audience: string | readonly string[];
  /** A subset of {@link TOKEN_ALGORITHMS}; all four by default. */
  readonly algorithms?: readonly TokenAlgorithm[];
  /** Clock skew allowed on `exp`, `nbf` and `iat`, in seconds: 0 to 300, default 30. */
  readonly clockToleranceSeconds?: number;
  /** When set, tokens must carry `iat` and be at most this old, in seconds. */
  readonly maxTokenAgeSeconds?: number;
  /** Longest token accepted, in bytes, checked before parsing: 256 to 65536, default 8192. */
  readonly maxTokenBytes?: number;
  /** The claim holding the tenant id; default `veil_tenant`. */
  readonly tenantClaim?: ClaimPath;
  /** The claim holding the roles (an array, or a space-separated string); default `veil_roles`. */
  readonly rolesClaim?: ClaimPath;
  /** The claim saying `user` or `service`; default `veil_kind`. A token without it is a user's. */
  readonly kindClaim?: ClaimPath;
  /** The clock; `() => new Date()` by default. */
  readonly now?: () => Date;
  /**
   * How long a token that verified stays trusted without checking its signature again, in
   * seconds: 0 to 300, default 30; 0 turns the cache off. A cached token is still refused once it
   * expires (or outgrows `maxTokenAgeSeconds`); the cost is that a key removed from the key set
   * keeps working for tokens already seen for at most this long.
   */
  readonly verifiedCacheSeconds?: number;
}

/** Verifies bearer tokens. */
export interface TokenVerifier {
  /**
   * The principal a token names, or `VEIL_UNAUTHENTICATED` whatever is wrong with it.
   *
   * @example
   * ```ts
   * const principal = await verifier.verify(bearerToken);
   * ```
   */
  verify(token: unknown): Promise<Principal>;
}

const DEFAULT_CLOCK_TOLERANCE = 30;
const DEFAULT_VERIFIED_CACHE_SECONDS = 30;
const MAX_VERIFIED_CACHE_SECONDS = 300;
// Distinct tokens remembered at once; the oldest is forgotten first. Services send one token for
// many requests, so a small cache already spares nearly every signature check.
const VERIFIED_CACHE_ENTRIES = 1024;
const MAX_CLOCK_TOLERANCE = 300;
const DEFAULT_MAX_TOKEN_BYTES = 8192;
const MAX_SUBJECT_LENGTH = 256;
// Three non-empty base64url segments: a compact JWS. This refuses JWE (five segments), unsecured
// tokens (empty signature) and anything with whitespace or padding before jose sees it.
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
// Headers that point at or embed a key. Veil takes keys only from its configured source, so a
// token that brings its own key is an attack (CVE-2018-0114 style), not a configuration.
const KEY_BEARING_HEADERS = ['jwk', 'jku', 'x5u', 'x5c'] as const;

/**
 * Creates a verifier. A JWKS file is read now, so a wrong path stops the program at start-up; a
 * URL or discovery is fetched on first use (and retried on the next request after a failure),
 * so an identity provider that is briefly down does not stop the service from starting.
 *
 * @throws VeilError `VEIL_INVALID_OPTION` naming the setting that is wrong.
 *
 * @example
 * ```ts
 * const verifier = await createTokenVerifier({
 *   keys: { kind: 'oidc' },
 *   issuer: 'https://login.example.org/realms/veil',
 *   audience: 'veil-api',
 *   rolesClaim: ['realm_access', 'roles'],
 * });
 * const principal = await verifier.verify(token);
 * ```
 */
export async function createTokenVerifier(options: TokenVerifierOptions): Promise<TokenVerifier> {
  const settings = checkOptions(options);
  const getKey = await keyResolver(options, settings.algorithms);
  const verified = new VerifiedTokens(settings.verifiedCacheMs);
  return {
    async verify(token: unknown): Promise<Principal> {
      const nowMs = settings.now().getTime();
      const known = typeof token === 'string' ? verified.get(token, nowMs) : undefined;
      if (known !== undefined) return known;
      try {
        const result = await verifyToken(token, settings, getKey);
        verified.set(token as string, result, nowMs);
        return result.principal;
      } catch (error) {
        throw asUnauthenticated(error);
      }
    },
  };
}

/** What a successful verification yields: the principal and until when the token may be used. */
interface VerifiedToken {
  readonly principal: Principal;
  /** Epoch milliseconds after which the token is refused: its `exp`, or sooner by `maxTokenAge`. */
  readonly usableUntilMs: number;
}

/**
 * Tokens that verified recently, so a service sending the same token on every request pays for
 * one signature check per cache period instead of one per request. Only successes are kept, and
 * an entry is used only while the token is still within its expiry.
 */
class VerifiedTokens {
  readonly #entries = new Map<string, { readonly result: VerifiedToken; readonly cachedUntilMs: number }>();

  constructor(private readonly ttlMs: number) {}

  get(token: string, nowMs: number): Principal | undefined {
    const entry = this.#entries.get(token);
    if (entry === undefined) return undefined;
    if (nowMs < entry.cachedUntilMs && nowMs < entry.result.usableUntilMs) return entry.result.principal;
    this.#entries.delete(token);
    return undefined;
  }

  set(token: string, result: VerifiedToken, nowMs: number): void {
    if (this.ttlMs === 0) return;
    if (this.#entries.size >= VERIFIED_CACHE_ENTRIES) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(token, { result, cachedUntilMs: nowMs + this.ttlMs });
  }
}

interface Settings {
  readonly issuer: string;
  readonly audience: string[];
  readonly algorithms: TokenAlgorithm[];
  readonly clockTolerance: number;
  readonly maxTokenAge: number | undefined;
  readonly maxTokenBytes: number;
  readonly tenantClaim: readonly string[];
  readonly rolesClaim: readonly string[];
  readonly kindClaim: readonly string[];
  readonly now: () => Date;
  readonly verifiedCacheMs: number;
}

function checkOptions(options: TokenVerifierOptions): Settings {
  if (typeof options.issuer !== 'string' || options.issuer.length === 0) {
    throw invalidOption('issuer', 'must be a non-empty string');
  }
  const audience = typeof options.audience === 'string' ? [options.audience] : [...(options.audience ?? [])];
  if (audience.length === 0 || audience.some((a) => typeof a !== 'string' || a.length === 0)) {
    throw invalidOption('audience', 'must be a non-empty string or a non-empty list of them');
  }
  const algorithms = [...(options.algorithms ?? TOKEN_ALGORITHMS)];
  const allowed: readonly string[] = TOKEN_ALGORITHMS;
  if (algorithms.length === 0 || algorithms.some((alg) => !allowed.includes(alg))) {
    throw invalidOption('algorithms', `must be a non-empty subset of ${TOKEN_ALGORITHMS.join(', ')}`);
  }
  const clockTolerance = options.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE;
  if (!Number.isInteger(clockTolerance) || clockTolerance < 0 || clockTolerance > MAX_CLOCK_TOLERANCE) {
    throw invalidOption('clockToleranceSeconds', `must be an integer from 0 to ${MAX_CLOCK_TOLERANCE}`);
  }
  const maxTokenAge = options.maxTokenAgeSeconds;
  if (maxTokenAge !== undefined && (!Number.isInteger(maxTokenAge) || maxTokenAge <= 0)) {
    throw invalidOption('maxTokenAgeSeconds', 'must be a positive integer');
  }
  const verifiedCache = options.verifiedCacheSeconds ?? DEFAULT_VERIFIED_CACHE_SECONDS;
  if (!Number.isInteger(verifiedCache) || verifiedCache < 0 || verifiedCache > MAX_VERIFIED_CACHE_SECONDS) {
    throw invalidOption('verifiedCacheSeconds', `must be an integer from 0 to ${MAX_VERIFIED_CACHE_SECONDS}`);
  }
  const keysRefresh = options.keysRefreshSeconds ?? DEFAULT_KEYS_REFRESH_SECONDS;
  if (!Number.isInteger(keysRefresh) || keysRefresh < 0 || keysRefresh > 3600) {
    throw invalidOption('keysRefreshSeconds', 'must be an integer from 0 to 3600');
  }
  const maxTokenBytes = options.maxTokenBytes ?? DEFAULT_MAX_TOKEN_BYTES;
  if (!Number.isInteger(maxTokenBytes) || maxTokenBytes < 256 || maxTokenBytes > 65536) {
    throw invalidOption('maxTokenBytes', 'must be an integer from 256 to 65536');
  }
  return {
    issuer: options.issuer,
    audience,
    algorithms,
    clockTolerance,
    maxTokenAge,
    maxTokenBytes,
    tenantClaim: claimPath(options.tenantClaim ?? 'veil_tenant', 'tenantClaim'),
    rolesClaim: claimPath(options.rolesClaim ?? 'veil_roles', 'rolesClaim'),
    kindClaim: claimPath(options.kindClaim ?? 'veil_kind', 'kindClaim'),
    now: options.now ?? (() => new Date()),
    verifiedCacheMs: verifiedCache * 1000,
  };
}

function claimPath(path: ClaimPath, setting: string): readonly string[] {
  const parts = typeof path === 'string' ? [path] : [...path];
  if (parts.length === 0 || parts.some((p) => typeof p !== 'string' || p.length === 0)) {
    throw invalidOption(setting, 'must be a claim name or a non-empty list of claim names');
  }
  return parts;
}

async function verifyToken(
  token: unknown,
  settings: Settings,
  getKey: JWTVerifyGetKey,
): Promise<VerifiedToken> {
  if (typeof token !== 'string' || token.length === 0) throw new AuthenticationFailure('missing');
  // Before any decoding: a cap on what an unauthenticated caller can make us parse.
  if (token.length > settings.maxTokenBytes) throw new AuthenticationFailure('too_large');
  if (!COMPACT_JWS.test(token)) throw new AuthenticationFailure('malformed');
  const header = decodeHeader(token);
  checkHeader(header, settings.algorithms);
  const { payload } = await jwtVerify(token, getKey, {
    issuer: settings.issuer,
    audience: settings.audience,
    algorithms: settings.algorithms,
    clockTolerance: settings.clockTolerance,
    currentDate: settings.now(),
    // A bearer token without an expiry is valid forever once leaked.
    requiredClaims: ['exp', 'sub'],
    ...(settings.maxTokenAge === undefined ? {} : { maxTokenAge: settings.maxTokenAge }),
  });
  const principal = principalFromClaims(payload, settings);
  // jose required `exp`; `iat` is required too when a maximum age is set.
  let usableUntilMs = (payload.exp ?? 0) * 1000;
  if (settings.maxTokenAge !== undefined && payload.iat !== undefined)
    usableUntilMs = Math.min(usableUntilMs, (payload.iat + settings.maxTokenAge) * 1000);
  return { principal, usableUntilMs };
}

function decodeHeader(token: string): ProtectedHeaderParameters {
  try {
    return decodeProtectedHeader(token);
  } catch {
    throw new AuthenticationFailure('malformed');
  }
}

function checkHeader(header: ProtectedHeaderParameters, algorithms: readonly string[]): void {
  if (typeof header.alg !== 'string' || !algorithms.includes(header.alg))
    throw new AuthenticationFailure('algorithm');
  // RFC 7515 section 4.1.11: a recipient must reject a token whose `crit` lists an extension it
  // does not understand. Veil understands none for JWTs; `b64: false` (RFC 7797) in particular
  // would make the signed bytes differ from the claims parsed.
  if ('crit' in header || 'b64' in header) throw new AuthenticationFailure('crit');
  if (KEY_BEARING_HEADERS.some((name) => name in header)) throw new AuthenticationFailure('header');
}

function claimAt(payload: JWTPayload, path: readonly string[]): unknown {
  let value: unknown = payload;
  for (const part of path) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    if (!Object.hasOwn(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/**
 * Roles come as an array or a space-separated string (as `scope` does). Names Veil does not know
 * are dropped, since identity providers put every application's roles in one claim; a token
 * left with no Veil role is refused.
 */
function rolesFrom(value: unknown): Role[] | undefined {
  const names = typeof value === 'string' ? value.split(/\s+/) : Array.isArray(value) ? value : undefined;
  if (names === undefined) return undefined;
  const roles = [...new Set(names.filter(isRole))];
  return roles.length > 0 ? roles : undefined;
}

function principalFromClaims(payload: JWTPayload, settings: Settings): Principal {
  const subject = payload.sub;
  if (typeof subject !== 'string' || subject.length === 0 || subject.length > MAX_SUBJECT_LENGTH) {
    throw new AuthenticationFailure('subject');
  }
  const tenantId = claimAt(payload, settings.tenantClaim);
  if (!isTenantId(tenantId)) throw new AuthenticationFailure('tenant');
  const roles = rolesFrom(claimAt(payload, settings.rolesClaim));
  if (roles === undefined) throw new AuthenticationFailure('roles');
  const kind = claimAt(payload, settings.kindClaim) ?? 'user';
  if (kind !== 'user' && kind !== 'service') throw new AuthenticationFailure('claims');
  return Object.freeze({ id: subject, tenantId, roles: Object.freeze(roles), kind });
}

/** Maps any failure to the one caller-facing error, keeping only a reason and jose's code. */
function asUnauthenticated(error: unknown): VeilError {
  if (error instanceof AuthenticationFailure) return unauthenticated(error.reason, error.detail);
  if (error instanceof VeilError && error.code === 'VEIL_UNAUTHENTICATED') return error;
  if (error instanceof errors.JOSEError) return unauthenticated(reasonOf(error), error.code);
  return unauthenticated('key_source');
}

function reasonOf(error: InstanceType<typeof errors.JOSEError>): UnauthenticatedReason {
  if (error instanceof errors.JWTExpired) return 'expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if ((error.claim === 'nbf' || error.claim === 'iat') && error.reason === 'check_failed')
      return 'not_yet_valid';
    if (error.claim === 'iss') return 'issuer';
    if (error.claim === 'aud') return 'audience';
    return 'claims';
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'signature';
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
    return 'unknown_key';
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return 'algorithm';
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) return 'key_source';
  // jose raises its base class only for a JWKS response that is not 200 or not JSON.
  if (error.code === errors.JOSEError.code) return 'key_source';
  return 'malformed';
}
