/**
 * Sign-in through the deployment's OpenID Connect issuer: the authorization-code flow with PKCE
 * (S256) as a public client, with `state` and `nonce` checked, by oauth4webapi (panva's certified
 * relying-party library: discovery, the token request and every ID-token claim check, in a few KB
 * and with no dependencies). This module is loaded only when that sign-in is used, so a console
 * that takes pasted tokens never downloads it.
 *
 * What must survive the trip to the issuer and back (the PKCE verifier, state, nonce and the page
 * to return to) waits in sessionStorage, this tab only, and is removed as the answer is read,
 * before the code is redeemed: it is single-use. The tokens themselves stay in memory.
 */
import * as oauth from 'oauth4webapi';
import { VeilApiError } from '../../client/index.js';
import type { SignInSettings } from '../../client/index.js';

/** How the server says to sign in through its issuer (`GET /v1/sign-in`). */
export type OidcSettings = NonNullable<SignInSettings['oidc']>;

interface Pending {
  readonly issuer: string;
  readonly codeVerifier: string;
  readonly state: string;
  readonly nonce: string;
  readonly returnTo: string;
}

const PENDING_KEY = 'veil.console.oidc';

/** Plain http only to an issuer on this machine, as the server's token verifier allows. */
function transport(issuer: URL): { [oauth.allowInsecureRequests]?: boolean } {
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(issuer.hostname);
  return issuer.protocol === 'http:' && loopback ? { [oauth.allowInsecureRequests]: true } : {};
}

function failed(message: string, cause?: unknown): VeilApiError {
  return new VeilApiError('VEIL_CONSOLE_SIGN_IN', message, 0, cause === undefined ? undefined : { cause });
}

async function discover(issuer: URL): Promise<oauth.AuthorizationServer> {
  try {
    const response = await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...transport(issuer) });
    return await oauth.processDiscoveryResponse(issuer, response);
  } catch (cause) {
    throw failed('the identity provider did not answer with its OpenID configuration', cause);
  }
}

function redirectUri(settings: OidcSettings): string {
  return new URL(settings.redirect_path, window.location.origin).toString();
}

/**
 * Sends the browser to the issuer's sign-in page; it comes back to the console with a code.
 *
 * @example
 * ```ts
 * await startSignIn(settings); // navigates away
 * ```
 */
export async function startSignIn(settings: OidcSettings): Promise<void> {
  const issuer = new URL(settings.issuer);
  const as = await discover(issuer);
  if (as.authorization_endpoint === undefined)
    throw failed('the identity provider has no authorization endpoint');
  const codeVerifier = oauth.generateRandomCodeVerifier();
  const pending: Pending = {
    issuer: settings.issuer,
    codeVerifier,
    state: oauth.generateRandomState(),
    nonce: oauth.generateRandomNonce(),
    returnTo: window.location.hash,
  };
  const url = new URL(as.authorization_endpoint);
  url.searchParams.set('client_id', settings.client_id);
  url.searchParams.set('redirect_uri', redirectUri(settings));
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('scope', settings.scope);
  url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(codeVerifier));
  url.searchParams.set('code_challenge_method', 'S256');
  url.searchParams.set('state', pending.state);
  url.searchParams.set('nonce', pending.nonce);
  sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
  window.location.assign(url.toString());
}

/**
 * Completes the sign-in the issuer sent the browser back from: checks `state` (and `iss`),
 * redeems the code with the PKCE verifier, checks the ID token's issuer, audience, times and
 * `nonce`, and returns the access token for the API and the page to return to. The query string
 * leaves the address bar either way.
 *
 * @throws VeilApiError `VEIL_CONSOLE_SIGN_IN` when anything does not match this tab's request.
 */
export async function completeSignIn(
  settings: OidcSettings,
): Promise<{ accessToken: string; returnTo: string }> {
  const current = new URL(window.location.href);
  const stored = sessionStorage.getItem(PENDING_KEY);
  sessionStorage.removeItem(PENDING_KEY);
  window.history.replaceState(null, '', `${current.pathname}${current.hash}`);
  if (stored === null) throw failed('this tab did not start a sign-in; start again');
  const pending = JSON.parse(stored) as Pending;
  if (pending.issuer !== settings.issuer)
    throw failed('the sign-in was started with another identity provider; start again');
  const issuer = new URL(settings.issuer);
  const as = await discover(issuer);
  const client: oauth.Client = { client_id: settings.client_id };
  try {
    const params = oauth.validateAuthResponse(as, client, current.searchParams, pending.state);
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      client,
      oauth.None(),
      params,
      redirectUri(settings),
      pending.codeVerifier,
      transport(issuer),
    );
    const result = await oauth.processAuthorizationCodeResponse(as, client, response, {
      expectedNonce: pending.nonce,
      requireIdToken: true,
    });
    return { accessToken: result.access_token, returnTo: pending.returnTo };
  } catch (cause) {
    // The library's message names the check that failed (state, nonce, issuer…), never a token.
    throw failed(
      cause instanceof Error ? cause.message : "the identity provider's answer was refused",
      cause,
    );
  }
}
