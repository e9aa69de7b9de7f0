/**
 * Settings: who you are, what your roles allow; the tenant's policy, read-only, with its hash and
 * history (`policy:read`); for admins, the tenant's API keys.
 */
import { Page } from '../app.js';
import type { Session } from '../session.js';
import { ApiKeys } from './api-keys.js';
import { PolicySection } from './policy.js';

export function SettingsPage({ session }: { session: Session }) {
  const { me } = session;
  return (
    <Page title="Settings">
      <section aria-labelledby="session-heading">
        <h2 id="session-heading">Session</h2>
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
      </section>
      {me.permissions.includes('api-keys:manage') ? <ApiKeys session={session} /> : null}
      {me.permissions.includes('policy:read') ? <PolicySection session={session} /> : null}
    </Page>
  );
}
