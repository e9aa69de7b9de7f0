/** Settings: who you are, what your roles allow; API keys are managed with `veil apikey` until the API has routes for them. */
import { Page } from '../app.js';
import type { Session } from '../session.js';

export function SettingsPage({ session }: { session: Session }) {
  const { me } = session;
  return (
    <Page title="Settings">
      <h2>Session</h2>
      <dl>
        <dt>Tenant</dt>
        <dd>{me.tenant_id}</dd>
        <dt>Kind</dt>
        <dd>{me.kind === 'service' ? 'service (API key)' : 'person (token)'}</dd>
        <dt>Roles</dt>
        <dd>{me.roles.join(', ')}</dd>
        <dt>Permissions</dt>
        <dd>
          <ul class="inline">
            {me.permissions.map((p) => (
              <li key={p}>
                <code>{p}</code>
              </li>
            ))}
          </ul>
        </dd>
      </dl>
      {me.permissions.includes('api-keys:manage') ? (
        <>
          <h2>API keys</h2>
          <p>
            The HTTP API has no routes for API keys yet: create, list and revoke them with <code>veil apikey create</code>,{' '}
            <code>veil apikey list</code> and <code>veil apikey revoke</code> on the server.
          </p>
        </>
      ) : null}
    </Page>
  );
}
