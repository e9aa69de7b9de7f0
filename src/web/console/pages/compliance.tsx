/**
 * The compliance report on the Privacy page (`GET /v1/compliance/report`; admin, auditor, dpo):
 * each control with its status under the tenant's policy, the clauses it serves, the policy
 * values that decide it, the tests that prove it and the period's audit events, pinned by the
 * log's signed tree head. Built when asked for (it reads the period's whole audit log), and
 * offered as the same JSON `veil compliance report --format json` writes.
 */
import { useState } from 'preact/hooks';
import type { ComplianceControl, ComplianceReport } from '../../../client/index.js';
import { ErrorNotice } from '../errors.js';
import { download, formatTime } from '../format.js';
import type { Session } from '../session.js';

const STATUS: Readonly<Record<ComplianceControl['status'], string>> = {
  enforced: 'enforced',
  configured_off: 'configured off',
  not_applicable: 'not applicable',
};

const clauseText = (c: ComplianceControl['clauses'][number]): string =>
  `${c.regulation} ${c.regulation === 'GDPR' ? 'art. ' : '§'}${c.clause} (${c.title})`;

const valueText = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

function ControlDetails({ c }: { c: ComplianceControl }) {
  const policy = Object.entries(c.policy);
  const events = Object.entries(c.audit_events);
  return (
    <details>
      <summary>
        {c.id}: {c.title}
      </summary>
      <p>{c.does}</p>
      <h4>Policy</h4>
      <ul>
        {policy.length === 0 ? (
          <li>always on (no setting)</li>
        ) : (
          policy.map(([k, v]) => (
            <li key={k}>
              <code>{k}</code>: {valueText(v)}
            </li>
          ))
        )}
      </ul>
      <h4>Audit events in the period</h4>
      <ul>
        {events.length === 0 ? (
          <li>none recorded by this control</li>
        ) : (
          events.map(([k, n]) => (
            <li key={k}>
              <code>{k}</code>: {n}
            </li>
          ))
        )}
      </ul>
      <h4>Proved by</h4>
      <ul>
        {c.tests.map((t) => (
          <li key={`${t.file}#${t.name}`}>
            <code>{t.file}</code>: “{t.name}”
          </li>
        ))}
      </ul>
    </details>
  );
}

function ReportView({ report }: { report: ComplianceReport }) {
  const head = report.tree_head;
  return (
    <>
      <p>
        Period {formatTime(report.period.since)} to {formatTime(report.period.until)}:{' '}
        <strong>
          {report.summary.enforced} enforced, {report.summary.configured_off} configured off,{' '}
          {report.summary.not_applicable} not applicable
        </strong>
        ; {report.audit_events_total} audit events.
      </p>
      <dl>
        <dt>Policy hash</dt>
        <dd>
          <code class="wrap">{report.policy_hash}</code>
        </dd>
        <dt>Signed tree head</dt>
        <dd>
          {head === null ? (
            'none (the log is empty)'
          ) : (
            <>
              size {head.tree_size}, root <code class="wrap">{head.root_hash}</code>, signed{' '}
              {formatTime(head.timestamp)} by key <code>{head.key_id}</code>
            </>
          )}
        </dd>
      </dl>
      <button
        type="button"
        onClick={() =>
          download(
            `veil-compliance-${report.tenant}-${report.generated_at.slice(0, 10)}.json`,
            JSON.stringify(report, null, 2),
            'application/json',
          )
        }
      >
        Download report
      </button>
      <table>
        <caption>Controls</caption>
        <thead>
          <tr>
            <th scope="col">Control</th>
            <th scope="col">Status</th>
            <th scope="col">Serves</th>
            <th scope="col">Events</th>
          </tr>
        </thead>
        <tbody>
          {report.controls.map((c) => (
            <tr key={c.id}>
              <th scope="row">
                {c.id} {c.title}
              </th>
              <td class={c.status === 'enforced' ? 'ok' : c.status === 'configured_off' ? 'bad' : ''}>
                {STATUS[c.status]}
              </td>
              <td>{c.clauses.map(clauseText).join('; ')}</td>
              <td>{Object.values(c.audit_events).reduce((s, n) => s + n, 0)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Each control</h3>
      {report.controls.map((c) => (
        <ControlDetails key={c.id} c={c} />
      ))}
    </>
  );
}

/** The Privacy page's compliance section (permission `audit:read`). */
export function ComplianceSection({ session }: { session: Session }) {
  const [report, setReport] = useState<ComplianceReport | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  return (
    <section aria-labelledby="compliance-heading">
      <h2 id="compliance-heading">Compliance report</h2>
      <p class="hint">
        Each control Veil enforces, the clauses it serves (GDPR, HIPAA, SOX), how the policy sets it, the
        tests that prove it and the audit events of the period.
      </p>
      <form
        class="row"
        onSubmit={async (event) => {
          event.preventDefault();
          const since = String(new FormData(event.currentTarget).get('since'));
          setBusy(true);
          setError(undefined);
          try {
            setReport(await session.client.complianceReport({ since }));
          } catch (e) {
            setError(e);
          } finally {
            setBusy(false);
          }
        }}
      >
        <span>
          <label for="compliance-since">Report period</label>
          <select id="compliance-since" name="since">
            <option value="7d">last 7 days</option>
            <option value="30d" selected>
              last 30 days
            </option>
            <option value="90d">last 90 days</option>
            <option value="365d">last year</option>
          </select>
        </span>
        <button type="submit" disabled={busy}>
          Build report
        </button>
      </form>
      {busy ? <p aria-live="polite">Reading the audit log…</p> : null}
      <ErrorNotice error={error} />
      {report === undefined ? null : <ReportView report={report} />}
    </section>
  );
}
