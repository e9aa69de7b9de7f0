/**
 * Sign-in: through the deployment's OpenID Connect issuer when it has one (authorization code
 * with PKCE, see oidc.ts), or by pasting a token (`veil token`) or an API key (`veil apikey
 * create`). Either way the token is kept in memory only.
 */
import { useEffect, useState } from 'preact/hooks';
import { Page } from '../app.js';
import { ErrorNotice } from '../errors.js';
import type { SignInSettings } from '../../../client/index.js';
import type { OidcSettings } from '../oidc.js';
import { signIn } from '../session.js';
import type { Session } from '../session.js';

/** How this deployment signs browsers in (`GET /v1/sign-in`, public); null: pasted tokens only. */
async function signInSettings(): Promise<OidcSettings | null> {
  const response = await fetch('/v1/sign-in', { headers: { accept: 'application/json' } });
  if (!response.ok) return null;
  return ((await response.json()) as SignInSettings).oidc;
}

/** True when this page load is the issuer sending the browser back with a code or an error. */
function isSignInCallback(): boolean {
  const params = new URLSearchParams(window.location.search);
  return params.has('state') && (params.has('code') || params.has('error'));
}

export function SignIn({ onSignedIn }: { onSignedIn: (session: Session, returnTo?: string) => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const [oidc, setOidc] = useState<OidcSettings | null | undefined>(undefined);

  useEffect(() => {
    let live = true;
    void (async () => {
      try {
        const settings = await signInSettings();
        if (!live) return;
        setOidc(settings);
        if (settings === null || !isSignInCallback()) return;
        const { completeSignIn } = await import('../oidc.js');
        setBusy(true);
        const { accessToken, returnTo } = await completeSignIn(settings);
        if (live) onSignedIn(await signIn(accessToken), returnTo);
      } catch (e) {
        if (live) setError(e);
      } finally {
        if (live) setBusy(false);
      }
    })();
    return () => {
      live = false;
    };
  }, []);

  return (
    <Page title="Sign in">
      {oidc == null ? null : (
        <section aria-labelledby="oidc-heading">
          <h2 id="oidc-heading">With your organisation's account</h2>
          <button
            type="button"
            disabled={busy}
            onClick={async () => {
              setError(undefined);
              setBusy(true);
              try {
                const { startSignIn } = await import('../oidc.js');
                await startSignIn(oidc);
              } catch (e) {
                setError(e);
                setBusy(false);
              }
            }}
          >
            Sign in with {new URL(oidc.issuer).host}
          </button>
        </section>
      )}
      <section aria-labelledby="token-heading">
        <h2 id="token-heading">{oidc == null ? 'With a token' : 'Or with a token'}</h2>
        <p>
          Paste a token from <code>veil token</code> or an API key from <code>veil apikey create</code>. It
          stays in this tab's memory only: reloading or closing the tab signs you out.
        </p>
        <form
          onSubmit={async (event) => {
            event.preventDefault();
            setBusy(true);
            setError(undefined);
            try {
              const session = await signIn(token);
              setToken('');
              onSignedIn(session);
            } catch (e) {
              setError(e);
            } finally {
              setBusy(false);
            }
          }}
        >
          <label for="token">Token or API key</label>
          <input
            id="token"
            name="token"
            type="password"
            autoComplete="off"
            spellcheck={false}
            required
            value={token}
            onInput={(e) => setToken(e.currentTarget.value)}
          />
          <button type="submit" disabled={busy || token.trim() === ''}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
      </section>
      <ErrorNotice error={error} />
    </Page>
  );
}
