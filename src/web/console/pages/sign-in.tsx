/** Sign-in: paste a token (`veil token`) or an API key (`veil apikey create`). Kept in memory only. */
import { useState } from 'preact/hooks';
import { Page } from '../app.js';
import { ErrorNotice } from '../errors.js';
import { signIn } from '../session.js';
import type { Session } from '../session.js';

export function SignIn({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  return (
    <Page title="Sign in">
      <p>
        Paste a token from <code>veil token</code> or an API key from <code>veil apikey create</code>. It stays in this tab's memory only:
        reloading or closing the tab signs you out.
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
        <input id="token" name="token" type="password" autoComplete="off" spellcheck={false} required value={token} onInput={(e) => setToken(e.currentTarget.value)} />
        <button type="submit" disabled={busy || token.trim() === ''}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <ErrorNotice error={error} />
    </Page>
  );
}
