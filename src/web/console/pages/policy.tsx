/**
 * The tenant's policy, read-only (`GET /v1/policy`): which policy is in force, the hash every job
 * records, its settings as dotted paths, and its history from the `policy.changed` audit events.
 * Changing a policy is a change to the policy directory, reviewed like code, not a console action.
 */
import type { PolicyChange, TenantPolicyView } from '../../../client/index.js';
import { ErrorNotice } from '../errors.js';
import { download, formatTime } from '../format.js';
import type { Session } from '../session.js';
import { useLoaded } from '../use-loaded.js';

/** A policy as rows of dotted path and value; lists of plain values on one row. */
export function policyRows(value: unknown, path = ''): Array<[string, string]> {
  const plain = (v: unknown): boolean => v === null || typeof v !== 'object';
  if (plain(value)) return [[path, value === null ? 'null' : String(value)]];
  if (Array.isArray(value)) {
    if (value.every(plain)) return [[path, value.length === 0 ? '(none)' : value.join(', ')]];
    return value.flatMap((item, i) => policyRows(item, `${path}[${i}]`));
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return [[path, '(empty)']];
  return entries.flatMap(([key, v]) => policyRows(v, path === '' ? key : `${path}.${key}`));
}

const short = (hash: string): string => hash.slice(0, 16);

function History({ history }: { history: readonly PolicyChange[] }) {
  if (history.length === 0)
    return (
      <p>
        The audit log holds no change of this policy (a policy given in code, not loaded from the policy
        directory).
      </p>
    );
  return (
    <table>
      <caption>Policy changes, newest first</caption>
      <thead>
        <tr>
          <th scope="col">Recorded</th>
          <th scope="col">Hash</th>
          <th scope="col">Replaced</th>
          <th scope="col">Audit entry</th>
        </tr>
      </thead>
      <tbody>
        {history.map((h) => (
          <tr key={`${h.log}-${h.index}`}>
            <td>{formatTime(h.time)}</td>
            <td>
              <code title={h.hash}>{short(h.hash)}</code>
            </td>
            <td>
              {h.previous_hash === undefined ? (
                'none (first record)'
              ) : (
                <code title={h.previous_hash}>{short(h.previous_hash)}</code>
              )}
            </td>
            <td>
              #{h.index} of the {h.log === 'system' ? 'system' : "tenant's"} log
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Settings({ view }: { view: TenantPolicyView }) {
  const sections = Object.entries(view.policy);
  return (
    <>
      <h3>Settings</h3>
      <p class="hint">Read-only. A change is made in the policy directory and recorded in the audit log.</p>
      {sections.map(([key, value]) => {
        const rows = policyRows(value, key);
        return (
          <details key={key}>
            <summary>
              {key} ({rows.length === 1 ? rows[0]![1] : `${rows.length} settings`})
            </summary>
            <table>
              <caption class="visually-hidden">Policy settings under {key}</caption>
              <thead>
                <tr>
                  <th scope="col">Setting</th>
                  <th scope="col">Value</th>
                </tr>
              </thead>
              <tbody>
                {rows.map(([path, text]) => (
                  <tr key={path}>
                    <th scope="row">
                      <code>{path}</code>
                    </th>
                    <td>{text}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        );
      })}
    </>
  );
}

/** The Settings page's policy section (permission `policy:read`). */
export function PolicySection({ session }: { session: Session }) {
  const { value: view, error } = useLoaded((signal) => session.client.policy({ signal }), [session]);
  return (
    <section aria-labelledby="policy-heading">
      <h2 id="policy-heading">Policy in force</h2>
      <ErrorNotice error={error} />
      {view === undefined && error === undefined ? <p aria-live="polite">Loading…</p> : null}
      {view === undefined ? null : (
        <>
          <dl>
            <dt>Policy</dt>
            <dd>
              {view.id === 'default'
                ? 'default (the deployment’s shared policy)'
                : view.id === 'custom'
                  ? 'custom (given in code)'
                  : `${view.id} (this tenant’s own)`}
            </dd>
            <dt>Version</dt>
            <dd>{view.version}</dd>
            <dt>Hash</dt>
            <dd>
              <code class="wrap" aria-label="Policy hash">
                {view.hash}
              </code>
            </dd>
          </dl>
          <p class="hint">Every job records the hash of the policy it ran under.</p>
          <button
            type="button"
            onClick={() =>
              download(
                `veil-policy-${short(view.hash)}.json`,
                JSON.stringify(view, null, 2),
                'application/json',
              )
            }
          >
            Download policy
          </button>
          <h3>History</h3>
          <History history={view.history} />
          <Settings view={view} />
        </>
      )}
    </section>
  );
}
