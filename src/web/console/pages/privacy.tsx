/**
 * Privacy: the tenant's privacy metrics (`GET /v1/privacy/metrics`) when the server reports them,
 * the access anomaly alerts, and counts released with differential privacy. A release spends
 * privacy budget, so counts are fetched only when asked for, never on opening the page.
 */
import { useState } from 'preact/hooks';
import type { CountsQuery, CountsRelease } from '../../../client/index.js';
import { isVeilApiError } from '../../../client/index.js';
import { Page } from '../app.js';
import { ErrorNotice } from '../errors.js';
import { formatTime } from '../format.js';
import { can } from '../session.js';
import type { Session } from '../session.js';
import { useLoaded } from '../use-loaded.js';

/** Bars for a set of non-negative figures, scaled to the largest (SVG: no inline style under the CSP). */
export function Bars({ label, rows }: { label: string; rows: ReadonlyArray<readonly [string, number]> }) {
  const max = Math.max(1, ...rows.map(([, n]) => Math.abs(n)));
  return (
    <table class="bars">
      <caption>{label}</caption>
      <tbody>
        {rows.map(([key, n]) => (
          <tr key={key}>
            <th scope="row">{key}</th>
            <td class="figure">{Number.isInteger(n) ? n : n.toFixed(2)}</td>
            <td class="bar" aria-hidden="true">
              <svg width="200" height="12" viewBox="0 0 200 12" focusable="false">
                <rect width={Math.round((Math.max(0, n) / max) * 200)} height="12" />
              </svg>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Whatever figures the metrics hold, as bars per group: numbers at one level form one chart. */
function Figures({ name, value }: { name: string; value: unknown }) {
  if (value === null || typeof value !== 'object') return null;
  const entries = Object.entries(value as Record<string, unknown>);
  const numbers = entries.filter((e): e is [string, number] => typeof e[1] === 'number');
  const groups = entries.filter(([, v]) => v !== null && typeof v === 'object');
  const words = entries.filter((e): e is [string, string] => typeof e[1] === 'string');
  return (
    <>
      {words.length === 0 ? null : (
        <p class="hint">{words.map(([k, v]) => `${k.replaceAll('_', ' ')}: ${v}`).join(' · ')}</p>
      )}
      {numbers.length === 0 ? null : (
        <Bars label={name.replaceAll('_', ' ')} rows={numbers.map(([k, n]) => [k.replaceAll('_', ' '), n])} />
      )}
      {groups.map(([k, v]) => (
        <Figures key={k} name={name === '' ? k : `${name} · ${k}`} value={v} />
      ))}
    </>
  );
}

function Metrics({ session }: { session: Session }) {
  const { value: metrics, error } = useLoaded(
    (signal) =>
      session.client.privacyMetrics({ signal }).catch((e: unknown) => {
        // An older server has no metrics route: say so plainly instead of showing an error.
        if (isVeilApiError(e) && e.code === 'VEIL_ROUTE_NOT_FOUND') return 'absent' as const;
        throw e;
      }),
    [session],
  );
  return (
    <section aria-labelledby="metrics-heading">
      <h2 id="metrics-heading">Privacy metrics</h2>
      <ErrorNotice error={error} />
      {metrics === undefined && error === undefined ? <p aria-live="polite">Loading…</p> : null}
      {metrics === 'absent' ? (
        <p>This server does not report privacy metrics yet. Alerts and counts below still work.</p>
      ) : null}
      {metrics === undefined || metrics === 'absent' ? null : <Figures name="" value={metrics} />}
    </section>
  );
}

function Alerts({ session }: { session: Session }) {
  const { value: list, error } = useLoaded(
    (signal) => session.client.alerts({ limit: 50 }, { signal }),
    [session],
  );
  return (
    <section aria-labelledby="alerts-heading">
      <h2 id="alerts-heading">Alerts</h2>
      <ErrorNotice error={error} />
      {list === undefined ? null : list.alerts.length === 0 ? (
        <p>No access anomaly has been raised.</p>
      ) : (
        <table>
          <caption>Access anomaly alerts, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Raised</th>
              <th scope="col">Rule</th>
              <th scope="col">Who</th>
              <th scope="col">Observed / threshold</th>
              <th scope="col">Delivery</th>
            </tr>
          </thead>
          <tbody>
            {list.alerts.map((a) => (
              <tr key={a.id}>
                <td>{formatTime(a.raised_at)}</td>
                <td>
                  <code>{a.rule}</code>
                </td>
                <td>
                  <code>{a.principal.slice(0, 16)}</code>
                </td>
                <td>
                  {a.observed} / {a.threshold} in {a.window_seconds} s
                </td>
                <td>{a.deliveries.map((d) => `${d.target} ${d.status}`).join(', ') || 'none'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Counts({ session }: { session: Session }) {
  const today = new Date().toISOString().slice(0, 10);
  const monthAgo = new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10);
  const [release, setRelease] = useState<CountsRelease | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  return (
    <section aria-labelledby="counts-heading">
      <h2 id="counts-heading">Counts with differential privacy</h2>
      <p class="hint">
        Each release adds noise and spends part of the tenant's privacy budget for the period.
      </p>
      <form
        class="row"
        onSubmit={async (event) => {
          event.preventDefault();
          const data = new FormData(event.currentTarget);
          setBusy(true);
          setError(undefined);
          try {
            const to = new Date(`${String(data.get('to'))}T00:00:00Z`);
            to.setUTCDate(to.getUTCDate() + 1);
            setRelease(
              await session.client.analyticsCounts({
                group_by: String(data.get('group_by')) as CountsQuery['group_by'],
                from: String(data.get('from')),
                to: to.toISOString().slice(0, 10),
              }),
            );
          } catch (e) {
            setError(e);
          } finally {
            setBusy(false);
          }
        }}
      >
        <span>
          <label for="counts-group">Count by</label>
          <select id="counts-group" name="group_by">
            <option value="entity_type">entity type</option>
            <option value="purpose">purpose</option>
            <option value="template">template</option>
          </select>
        </span>
        <span>
          <label for="counts-from">From</label>
          <input id="counts-from" name="from" type="date" required defaultValue={monthAgo} />
        </span>
        <span>
          <label for="counts-to">To (inclusive)</label>
          <input id="counts-to" name="to" type="date" required defaultValue={today} />
        </span>
        <button type="submit" disabled={busy}>
          Release counts
        </button>
      </form>
      <ErrorNotice error={error} />
      {release === undefined ? null : (
        <>
          <Bars
            label={`Jobs or findings by ${release.group_by.replace('_', ' ')}`}
            rows={release.counts.map((c) => [c.key, c.count])}
          />
          <p class="hint">
            ε {release.privacy.epsilon} spent (discrete Laplace, scale {release.privacy.scale.toFixed(2)}; 95%
            of counts within ±{release.privacy.noise_95}). Budget this {release.privacy.budget.period}:{' '}
            {release.privacy.budget.remaining.toFixed(2)} of {release.privacy.budget.epsilon} left.
          </p>
        </>
      )}
    </section>
  );
}

export function PrivacyPage({ session }: { session: Session }) {
  return (
    <Page title="Privacy">
      {can(session, 'privacy-metrics:read') ? <Metrics session={session} /> : null}
      {can(session, 'alerts:read') ? <Alerts session={session} /> : null}
      {can(session, 'analytics:read') ? <Counts session={session} /> : null}
    </Page>
  );
}
