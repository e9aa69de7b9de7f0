/**
 * Authentication, authorisation and tenant scoping. Plain inputs only (strings, principals,
 * tenant ids), so the HTTP API, the CLI and workers call the same code; storage comes in through
 * the {@link ApiKeyStore} port.
 */
export { createApiKeyService, InMemoryApiKeyStore, looksLikeApiKey, parseApiKey } from './api-keys.js';
export type {
  ApiKeyListing,
  ApiKeyService,
  ApiKeyServiceOptions,
  ApiKeyStore,
  CreatedApiKey,
  StoredApiKey,
} from './api-keys.js';
export { bearerCredential, createAuthenticator } from './authenticate.js';
export type { Authenticator } from './authenticate.js';
export { AuthenticationFailure, unauthenticatedReason } from './failure.js';
export type { UnauthenticatedReason } from './failure.js';
export {
  LOCAL_AUDIENCE,
  LOCAL_ISSUER,
  LOCAL_SIGNING_KEY_FILE,
  mintDevelopmentToken,
  openLocalIssuer,
} from './local-issuer.js';
export type { DevelopmentTokenRequest, LocalIssuer } from './local-issuer.js';
export {
  assertSameTenant,
  authorize,
  can,
  requirePermission,
  isRole,
  PERMISSION_MATRIX,
  PERMISSIONS,
  REASON_REQUIRED,
  ROLES,
} from './permissions.js';
export type { Grant, Permission, ResourceContext, Role } from './permissions.js';
export { isTenantId, requireTenantId } from './principal.js';
export type { Principal } from './principal.js';
export { createTokenVerifier, TOKEN_ALGORITHMS } from './tokens.js';
export type { ClaimPath, TokenAlgorithm, TokenVerifier, TokenVerifierOptions } from './tokens.js';
export type { FetchLike, KeySource, KeySourceOptions } from './token-keys.js';
