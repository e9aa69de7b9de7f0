/**
 * Privacy: the tenant's privacy metrics of the last 30 days (`GET /v1/privacy/metrics`: data lifetimes,
 * deletion lag, artifacts alive by class, outputs read, requests) when the server reports them,
 * the access anomaly alerts, counts released with differential privacy, and the compliance report. A release spends
 * privacy budget, so counts are fetched only when asked for, never on opening the page.
 */
import { useState } from 'preact/hooks';
import type {
  CountsQuery,
  CountsRelease,
  MetricDistribution,
  PrivacyMetrics,
} from '../../../client/index.js';
import { isVeilApiError } from '../../../client/index.js';
import { Page } from '../app.js';
import { ComplianceSection } from './compliance.js';
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

/** Seconds as `45 s`, `12 min`, `5.2 h`, `3.1 d`; a dash when there is no figure. */
export function formatSeconds(seconds: number | null): string {
  if (seconds === null) return '—';
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} d`;
}

function Distribution({ label, d }: { label: string; d: MetricDistribution }) {
  return (
    <tr>
      <th scope="row">{label}</th>
      <td>{d.count}</td>
      <td>{formatSeconds(d.p50)}</td>
      <td>{formatSeconds(d.p90)}</td>
      <td>{formatSeconds(d.max)}</td>
    </tr>
  );
}

/**
 * A histogram of a distribution's cumulative buckets: one bar per bucket (the samples above the
 * previous bound and at most this one), then those above the last bound. Plain SVG (no inline
 * style under the CSP); a screen reader gets the title and a one-line summary, and the figures are
 * in the table beside it.
 */
/** A bucket bound as a short tick label: `10 s`, `5 min`, `6 h`, `7 d`, `1 y`. */
export function tickLabel(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${seconds / 60} min`;
  if (seconds < 86_400) return `${seconds / 3600} h`;
  if (seconds < 365 * 86_400) return `${seconds / 86_400} d`;
  return `${Math.round((seconds / (365 * 86_400)) * 10) / 10} y`;
}

export function Histogram({ id, label, d }: { id: string; label: string; d: MetricDistribution }) {
  const bins: Array<{ label: string; n: number }> = [];
  let previous = 0;
  for (const b of d.buckets) {
    bins.push({ label: `≤ ${tickLabel(b.le)}`, n: b.count - previous });
    previous = b.count;
  }
  const last = d.buckets.at(-1);
  if (last !== undefined) bins.push({ label: `> ${tickLabel(last.le)}`, n: d.count - previous });
  const max = Math.max(1, ...bins.map((b) => b.n));
  const [barW, gap, chartH, top] = [40, 6, 90, 14];
  const width = bins.length * (barW + gap);
  const summary =
    d.count === 0
      ? 'No samples in the period.'
      : `${d.count} samples; median ${formatSeconds(d.p50)}, 90th percentile ${formatSeconds(d.p90)}, longest ${formatSeconds(d.max)}.`;
  return (
    <figure class="chart">
      <svg
        role="img"
        aria-labelledby={`${id}-title ${id}-desc`}
        width={width}
        height={top + chartH + 20}
        viewBox={`0 0 ${width} ${top + chartH + 20}`}
      >
        <title id={`${id}-title`}>{label}</title>
        <desc id={`${id}-desc`}>{summary}</desc>
        <line class="axis" x1="0" x2={width} y1={top + chartH + 0.5} y2={top + chartH + 0.5} />
        {bins.map((b, i) => {
          const h = Math.round((b.n / max) * chartH);
          const x = i * (barW + gap);
          return (
            <g key={b.label}>
              <rect x={x} y={top + chartH - h} width={barW} height={h}>
                <title>
                  {b.label}: {b.n}
                </title>
              </rect>
              {b.n > 0 ? (
                <text class="count" x={x + barW / 2} y={top + chartH - h - 3}>
                  {b.n}
                </text>
              ) : null}
              <text class="tick" x={x + barW / 2} y={top + chartH + 14}>
                {b.label.replace('≤ ', '')}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption>
        {label}: {summary} Each bar counts the samples up to its bound; the last, those above.
      </figcaption>
    </figure>
  );
}

const rowsOf = (counts: Readonly<Record<string, number>>): Array<[string, number]> =>
  Object.entries(counts).sort(([a], [b]) => (a < b ? -1 : 1));

function MetricsView({ m }: { m: PrivacyMetrics }) {
  return (
    <>
      <p class="hint">
        {formatTime(m.since)} to {formatTime(m.until)}
      </p>
      <Bars
        label="Jobs"
        rows={[
          ['created', m.jobs.created],
          ['with full-text access', m.jobs.full_text_grants],
          ['counted in analytics', m.jobs.analytics_opt_ins],
        ]}
      />
      <table>
        <caption>How long data lived</caption>
        <thead>
          <tr>
            <th scope="col">Measure</th>
            <th scope="col">Samples</th>
            <th scope="col">Median</th>
            <th scope="col">90th percentile</th>
            <th scope="col">Longest</th>
          </tr>
        </thead>
        <tbody>
          <Distribution label="Raw document lifetime" d={m.raw_document_lifetime_seconds} />
          <Distribution label="Deletion lag" d={m.deletion_lag_seconds} />
          <Distribution label="Data-subject request completion" d={m.dsr.completion_seconds} />
        </tbody>
      </table>
      <Histogram id="lifetime" label="Raw document lifetime" d={m.raw_document_lifetime_seconds} />
      <Histogram id="deletion-lag" label="Deletion lag" d={m.deletion_lag_seconds} />
      {m.artifacts_alive.length === 0 ? null : (
        <Bars label="Artifacts alive now" rows={m.artifacts_alive.map((a) => [a.class, a.count])} />
      )}
      <table>
        <caption>Artifacts alive by class</caption>
        <thead>
          <tr>
            <th scope="col">Class</th>
            <th scope="col">Alive</th>
            <th scope="col">Oldest</th>
            <th scope="col">Retention window</th>
            <th scope="col">Overdue</th>
          </tr>
        </thead>
        <tbody>
          {m.artifacts_alive.map((a) => (
            <tr key={a.class}>
              <th scope="row">{a.class}</th>
              <td>{a.count}</td>
              <td>{formatSeconds(a.oldest_age_seconds)}</td>
              <td>{formatSeconds(a.window_seconds)}</td>
              <td class={a.overdue > 0 ? 'bad' : ''}>{a.overdue}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Bars label="Outputs read" rows={rowsOf(m.outputs.by_kind)} />
      {Object.keys(m.reveals_by_reason).length === 0 ? null : (
        <Bars label="Reveals by reason" rows={rowsOf(m.reveals_by_reason)} />
      )}
      <Bars
        label="Requests and releases"
        rows={[
          ['access requests', m.dsr.access],
          ['erasures', m.dsr.erasure],
          ['consent withdrawals', m.consent_withdrawals],
          ['DP releases', m.analytics.releases],
          ['model requests blocked at egress', m.model.egress_blocked],
        ]}
      />
      <p class="hint">
        ε spent on analytics: {m.analytics.epsilon_spent}. Review: {m.review.open_tasks} open tasks,{' '}
        {m.review.reviewed_fields} fields reviewed.
      </p>
    </>
  );
}

function Metrics({ session }: { session: Session }) {
  const { value: metrics, error } = useLoaded(
    (signal) =>
      session.client.privacyMetrics({ signal }).catch((e: unknown) => {
        // A server without the metrics route: say so plainly instead of showing an error.
        if (isVeilApiError(e) && e.code === 'VEIL_ROUTE_NOT_FOUND') return 'absent' as const;
        throw e;
      }),
    [session],
  );
  return (
    <section aria-labelledby="metrics-heading">
      <h2 id="metrics-heading">Privacy metrics, last 30 days</h2>
      <ErrorNotice error={error} />
      {metrics === undefined && error === undefined ? <p aria-live="polite">Loading…</p> : null}
      {metrics === 'absent' ? (
        <p>This server does not report privacy metrics. Alerts and counts below still work.</p>
      ) : null}
      {metrics === undefined || metrics === 'absent' ? null : <MetricsView m={metrics} />}
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
      {can(session, 'audit:read') ? <ComplianceSection session={session} /> : null}
    </Page>
  );
}
