/**
 * Who may call the API: bearer tokens of an external OpenID Connect issuer when the configuration
 * names one (`VEIL_OIDC_ISSUER`), else the local issuer's (what `veil token` mints). The service
 * accepts its API keys (`Bearer veil_…`) before either is asked.
 */
import { createAuthenticator, createTokenVerifier, openLocalIssuer } from '../access/index.js';
import type { ClaimPath, Principal, TokenVerifierOptions } from '../access/index.js';
import type { Authenticate } from '../api/index.js';
import type { BrowserSignIn } from '../api/routes/session.js';
import type { VeilConfig } from './config.js';

/**
 * A claim setting as the verifier wants it: a URL-shaped claim name (`https://veil.example/tenant`)
 * is one name; otherwise dots walk into nested claims (`realm_access.roles`).
 */
function claimPath(setting: string): ClaimPath {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(setting) ? setting : setting.split('.');
}

/**
 * The token verifier settings of an external issuer, or undefined when none is configured.
 *
 * @example
 * ```ts
 * oidcVerifierOptions(config); // { keys: { kind: 'oidc' }, issuer, audience: ['veil-api'], tenantClaim: ['tenant'], … }
 * ```
 */
export function oidcVerifierOptions(config: VeilConfig): TokenVerifierOptions | undefined {
  const issuer = config.VEIL_OIDC_ISSUER;
  if (issuer === undefined) return undefined;
  return {
    keys: config.VEIL_JWKS_URL === undefined ? { kind: 'oidc' } : { kind: 'url', url: config.VEIL_JWKS_URL },
    issuer,
    audience: config.VEIL_OIDC_AUDIENCE ?? [],
    tenantClaim: claimPath(config.VEIL_OIDC_TENANT_CLAIM),
    rolesClaim: claimPath(config.VEIL_OIDC_ROLES_CLAIM),
    keysRefreshSeconds: config.VEIL_OIDC_KEYS_REFRESH_SECONDS,
    verifiedCacheSeconds: config.VEIL_OIDC_TOKEN_CACHE_SECONDS,
  };
}

function fromHeaders(authenticate: (authorization: string | undefined) => Promise<Principal>): Authenticate {
  return async (headers) => {
    const header = headers.authorization;
    return authenticate(typeof header === 'string' ? header : undefined);
  };
}

/**
 * Authentication against the local issuer in `dataDir`: the tokens `veil token` mints.
 *
 * @example
 * ```ts
 * const authenticate = await localAuthenticate('.veil');
 * ```
 */
export async function localAuthenticate(dataDir: string): Promise<Authenticate> {
  const issuer = await openLocalIssuer(dataDir);
  const authenticator = createAuthenticator({ tokens: await createTokenVerifier(issuer.verifierOptions()) });
  return fromHeaders((authorization) => authenticator.authenticate(authorization));
}

/**
 * The authenticator a configuration selects: the external issuer's tokens when
 * `VEIL_OIDC_ISSUER` is set (discovery, or `VEIL_JWKS_URL`; keys fetched on first use, so an
 * issuer briefly down does not stop start-up), else the local issuer's.
 *
 * @example
 * ```ts
 * const service = await startService({ ...options, authenticate: await authenticateFromConfig(config) });
 * ```
 */
export async function authenticateFromConfig(
  config: VeilConfig,
): Promise<{ authenticate: Authenticate; issuer: 'oidc' | 'local' }> {
  const oidc = oidcVerifierOptions(config);
  if (oidc === undefined)
    return { authenticate: await localAuthenticate(config.VEIL_DATA_DIR), issuer: 'local' };
  const authenticator = createAuthenticator({ tokens: await createTokenVerifier(oidc) });
  return {
    authenticate: fromHeaders((authorization) => authenticator.authenticate(authorization)),
    issuer: 'oidc',
  };
}

/**
 * The issuer and public client the console signs in with, when `VEIL_CONSOLE_CLIENT_ID` names
 * the console's client at `VEIL_OIDC_ISSUER`; else undefined (pasted tokens and API keys).
 *
 * @example
 * ```ts
 * browserSignInFromConfig(config); // { issuer: 'https://login.example.org/realms/veil', clientId: 'veil-console', scope: 'openid' }
 * ```
 */
export function browserSignInFromConfig(config: VeilConfig): BrowserSignIn | undefined {
  const issuer = config.VEIL_OIDC_ISSUER;
  const clientId = config.VEIL_CONSOLE_CLIENT_ID;
  if (issuer === undefined || clientId === undefined) return undefined;
  return { issuer, clientId, scope: config.VEIL_CONSOLE_SCOPE };
}
