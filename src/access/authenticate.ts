/**
 * One entry point for transports: the value of an `Authorization` header (or a CLI flag) in, a
 * {@link Principal} out. It takes a plain string, not a request object, so the API, the CLI and
 * workers share it.
 */
import type { ApiKeyService } from './api-keys.js';
import { looksLikeApiKey } from './api-keys.js';
import { unauthenticated } from './failure.js';
import type { Principal } from './principal.js';
import type { TokenVerifier } from './tokens.js';

/** Turns a credential into a principal. */
export interface Authenticator {
  authenticate(authorization: string | undefined): Promise<Principal>;
}

// RFC 6750 section 2.1: the scheme is case-insensitive, the credential one token68 value.
const BEARER = /^bearer +(\S+)$/i;

/**
 * The credential of an `Authorization: Bearer <credential>` header value, or undefined when the
 * value is absent or not of that form.
 *
 * @example
 * ```ts
 * bearerCredential('Bearer veil_0123…'); // 'veil_0123…'
 * bearerCredential('Basic dXNlcjpwdw=='); // undefined
 * ```
 */
export function bearerCredential(authorization: string | undefined): string | undefined {
  return authorization === undefined ? undefined : BEARER.exec(authorization)?.[1];
}

/**
 * Routes a bearer credential to the API-key service (values starting `veil_`) or to the JWT
 * verifier. Either may be left out; a credential of the missing kind is refused.
 *
 * @throws VeilError `VEIL_UNAUTHENTICATED` for a missing, malformed or refused credential.
 *
 * @example
 * ```ts
 * const auth = createAuthenticator({ tokens: verifier, apiKeys });
 * const principal = await auth.authenticate(request.headers.authorization);
 * ```
 */
export function createAuthenticator(sources: {
  tokens?: TokenVerifier;
  apiKeys?: ApiKeyService;
}): Authenticator {
  return {
    async authenticate(authorization) {
      if (authorization === undefined || authorization.length === 0) throw unauthenticated('missing');
      const credential = bearerCredential(authorization);
      if (credential === undefined) throw unauthenticated('malformed');
      const verifier = looksLikeApiKey(credential) ? sources.apiKeys : sources.tokens;
      if (verifier === undefined) throw unauthenticated('malformed', 'credential kind not enabled');
      return verifier.verify(credential);
    },
  };
}
