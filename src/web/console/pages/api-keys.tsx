/**
 * API keys (admin): the tenant's keys with roles and dates; a new key is shown once, in a field
 * the admin copies from, and is gone from the page when they dismiss it or leave; revocation asks
 * first.
 */
import { useState } from 'preact/hooks';
import type { ApiKeyCreated, ApiKeyRequest } from '../../../client/index.js';
import { ErrorNotice } from '../errors.js';
import { formatTime } from '../format.js';
import type { Session } from '../session.js';
import { useLoaded } from '../use-loaded.js';

const ROLES = [
  'admin',
  'processor',
  'reviewer',
  'auditor',
  'dpo',
] as const satisfies readonly ApiKeyRequest['roles'][number][];
const EXPIRIES: ReadonlyArray<readonly [string, number | undefined]> = [
  ['1 day', 86_400],
  ['30 days', 30 * 86_400],
  ['90 days', 90 * 86_400],
  ['1 year', 365 * 86_400],
  ['never', undefined],
];

export function ApiKeys({ session }: { session: Session }) {
  const [created, setCreated] = useState<ApiKeyCreated | undefined>(undefined);
  const [revoking, setRevoking] = useState<string | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [version, setVersion] = useState(0);
  const listed = useLoaded((signal) => session.client.listApiKeys({ signal }), [session, version]);
  const list = listed.value;
  const act = async (work: () => Promise<void>): Promise<void> => {
    setError(undefined);
    try {
      await work();
      setVersion((v) => v + 1);
    } catch (e) {
      setError(e);
    }
  };
  return (
    <section aria-labelledby="keys-heading">
      <h2 id="keys-heading">API keys</h2>
      <form
        class="row"
        aria-label="Create an API key"
        onSubmit={(event) => {
          event.preventDefault();
          const data = new FormData(event.currentTarget);
          const roles = data.getAll('roles').map(String) as ApiKeyRequest['roles'];
          const seconds = EXPIRIES[Number(data.get('expiry'))]?.[1];
          void act(async () => {
            setCreated(
              await session.client.createApiKey({
                roles,
                ...(seconds === undefined ? {} : { expires_in_seconds: seconds }),
              }),
            );
          });
        }}
      >
        <fieldset>
          <legend>Roles</legend>
          {ROLES.map((role) => (
            <label class="check" key={role}>
              <input type="checkbox" name="roles" value={role} defaultChecked={role === 'processor'} /> {role}
            </label>
          ))}
        </fieldset>
        <span>
          <label for="key-expiry">Expires after</label>
          <select id="key-expiry" name="expiry" defaultValue="1">
            {EXPIRIES.map(([label], i) => (
              <option key={label} value={i}>
                {label}
              </option>
            ))}
          </select>
        </span>
        <button type="submit">Create key</button>
      </form>
      {created === undefined ? null : (
        <div class="secret" role="status">
          <label for="new-key">New key {created.key_id}: copy it now, it is not shown again</label>
          <input
            id="new-key"
            readOnly
            value={created.api_key}
            spellcheck={false}
            autoComplete="off"
            onFocus={(e) => e.currentTarget.select()}
          />
          <button type="button" onClick={() => setCreated(undefined)}>
            I have copied it
          </button>
        </div>
      )}
      <ErrorNotice error={error ?? listed.error} />
      {list === undefined ? null : (
        <table>
          <caption>Keys of tenant {session.me.tenant_id}</caption>
          <thead>
            <tr>
              <th scope="col">Key id</th>
              <th scope="col">Roles</th>
              <th scope="col">Created</th>
              <th scope="col">Expires</th>
              <th scope="col">State</th>
            </tr>
          </thead>
          <tbody>
            {list.keys.map((key) => (
              <tr key={key.key_id}>
                <td>
                  <code>{key.key_id}</code>
                </td>
                <td>{key.roles.join(', ')}</td>
                <td>{formatTime(key.created_at)}</td>
                <td>{key.expires_at === null ? 'never' : formatTime(key.expires_at)}</td>
                <td>
                  {key.revoked_at !== null ? (
                    `revoked ${formatTime(key.revoked_at)}`
                  ) : revoking === key.key_id ? (
                    <span class="row">
                      <button
                        type="button"
                        class="danger"
                        onClick={() =>
                          act(async () => session.client.revokeApiKey(key.key_id)).finally(() =>
                            setRevoking(undefined),
                          )
                        }
                      >
                        Yes, revoke {key.key_id.slice(0, 8)}
                      </button>
                      <button type="button" onClick={() => setRevoking(undefined)}>
                        Cancel
                      </button>
                    </span>
                  ) : (
                    <button
                      type="button"
                      class="danger"
                      aria-label={`Revoke key ${key.key_id}`}
                      onClick={() => setRevoking(key.key_id)}
                    >
                      Revoke…
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
