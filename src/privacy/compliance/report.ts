/**
 * The compliance evidence report: the control registry joined with a tenant's live policy and
 * its audit log, rendered as JSON, Markdown or one self-contained HTML file (inline style, no
 * script, no external asset). Setting values and counts only; never a document value.
 */
import type { Policy } from '../../policy/schema.js';
import { CONTROLS } from './controls.js';
import type { Clause, Control, ControlStatus, TestRef } from './controls.js';
import type { TreeHeadEvidence } from './evidence.js';

/** One control as the report states it. */
export interface ControlEvidence {
  readonly id: string;
  readonly title: string;
  readonly does: string;
  readonly status: ControlStatus;
  readonly clauses: readonly Clause[];
  readonly policy: Readonly<Record<string, unknown>>;
  readonly tests: readonly TestRef[];
  /** Audit events of the control's actions in the period. */
  readonly audit_events: Readonly<Record<string, number>>;
}

/** The report. */
export interface ComplianceReport {
  readonly tenant: string;
  readonly generated_at: string;
  readonly period: { readonly since: string; readonly until: string };
  readonly policy_hash: string;
  readonly tree_head: TreeHeadEvidence | null;
  readonly audit_events_total: number;
  readonly summary: Readonly<Record<ControlStatus, number>>;
  readonly controls: readonly ControlEvidence[];
}

/** What the report is built from. */
export interface ReportInput {
  readonly tenant: string;
  readonly policy: Policy;
  readonly policyHash: string;
  readonly since: Date;
  readonly until: Date;
  readonly auditCounts: Readonly<Record<string, number>>;
  readonly treeHead: TreeHeadEvidence | null;
  readonly now?: Date;
  readonly controls?: readonly Control[];
}

/**
 * Joins the registry with the policy and the audit evidence.
 *
 * @example
 * ```ts
 * const report = buildComplianceReport({ tenant: 'acme', policy, policyHash: policyHash(policy), since, until, auditCounts, treeHead });
 * report.summary; // { enforced: 12, configured_off: 1, not_applicable: 0 }
 * ```
 */
export function buildComplianceReport(input: ReportInput): ComplianceReport {
  const summary: Record<ControlStatus, number> = { enforced: 0, configured_off: 0, not_applicable: 0 };
  const controls = (input.controls ?? CONTROLS).map((control): ControlEvidence => {
    const { status, values } = control.status(input.policy);
    summary[status] += 1;
    const actions = control.auditActions.includes('*')
      ? Object.keys(input.auditCounts).sort()
      : control.auditActions;
    return {
      id: control.id,
      title: control.title,
      does: control.does,
      status,
      clauses: control.clauses,
      policy: values,
      tests: control.tests,
      audit_events: Object.fromEntries(actions.map((action) => [action, input.auditCounts[action] ?? 0])),
    };
  });
  return {
    tenant: input.tenant,
    generated_at: (input.now ?? new Date()).toISOString(),
    period: { since: input.since.toISOString(), until: input.until.toISOString() },
    policy_hash: input.policyHash,
    tree_head: input.treeHead,
    audit_events_total: Object.values(input.auditCounts).reduce((s, n) => s + n, 0),
    summary,
    controls,
  };
}

const STATUS_LABEL: Record<ControlStatus, string> = {
  enforced: 'enforced',
  configured_off: 'configured off',
  not_applicable: 'not applicable',
};

function clauseText(clause: Clause): string {
  return `${clause.regulation} ${clause.regulation === 'GDPR' ? 'art. ' : clause.regulation === 'HIPAA' ? '§' : '§'}${clause.clause} (${clause.title})`;
}

function valueText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

// Markdown table cells: a pipe or a line break would end the cell.
function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

/**
 * The report as Markdown.
 *
 * @example
 * ```ts
 * await writeFile('compliance.md', renderMarkdown(report));
 * ```
 */
export function renderMarkdown(report: ComplianceReport): string {
  const lines = [
    `# Compliance evidence: tenant ${report.tenant}`,
    '',
    `Generated ${report.generated_at}, period ${report.period.since} to ${report.period.until}.`,
    '',
    `- Policy hash: \`${report.policy_hash}\``,
    report.tree_head === null
      ? '- Signed tree head: none (the log is empty)'
      : `- Signed tree head: size ${report.tree_head.tree_size}, root \`${report.tree_head.root_hash}\`, signed ${report.tree_head.timestamp} by key \`${report.tree_head.key_id}\``,
    `- Audit events in the period: ${report.audit_events_total}`,
    `- Controls: ${report.summary.enforced} enforced, ${report.summary.configured_off} configured off, ${report.summary.not_applicable} not applicable`,
    '',
    '| Control | Status | Clauses |',
    '| --- | --- | --- |',
    ...report.controls.map(
      (c) =>
        `| ${c.id} ${cell(c.title)} | ${STATUS_LABEL[c.status]} | ${cell(c.clauses.map(clauseText).join('; '))} |`,
    ),
    '',
  ];
  for (const c of report.controls) {
    lines.push(
      `## ${c.id}: ${c.title}`,
      '',
      c.does,
      '',
      `**Status:** ${STATUS_LABEL[c.status]}`,
      '',
      `**Serves:** ${c.clauses.map(clauseText).join('; ')}`,
      '',
    );
    const policy = Object.entries(c.policy);
    lines.push(
      '**Policy:**',
      ...(policy.length === 0
        ? ['- always on (no setting)']
        : policy.map(([k, v]) => `- \`${k}\`: ${valueText(v)}`)),
      '',
    );
    const audit = Object.entries(c.audit_events);
    lines.push(
      '**Audit events in the period:**',
      ...(audit.length === 0
        ? ['- none recorded by this control']
        : audit.map(([k, v]) => `- \`${k}\`: ${v}`)),
      '',
    );
    lines.push('**Proved by:**', ...c.tests.map((t) => `- ${t.file}: "${t.name}"`), '');
  }
  return lines.join('\n');
}

function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

const STYLE = `body{font:15px/1.5 system-ui,sans-serif;max-width:70em;margin:2em auto;padding:0 1em;color:#1b1b1b}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top}
.enforced{color:#05631e;font-weight:600}.configured_off{color:#8a4b00;font-weight:600}.not_applicable{color:#555}
code{font-size:.9em;word-break:break-all}section{border-top:1px solid #ddd;margin-top:1.5em}`;

/**
 * The report as one HTML file: inline style, no script, no link to anything outside it.
 *
 * @example
 * ```ts
 * await writeFile('compliance.html', renderHtml(report));
 * ```
 */
export function renderHtml(report: ComplianceReport): string {
  const e = escapeHtml;
  const head = report.tree_head;
  const rows = report.controls
    .map(
      (c) =>
        `<tr><td><a href="#${e(c.id)}">${e(c.id)}</a> ${e(c.title)}</td><td class="${c.status}">${e(STATUS_LABEL[c.status])}</td><td>${c.clauses.map((k) => e(clauseText(k))).join('<br>')}</td></tr>`,
    )
    .join('\n');
  const sections = report.controls
    .map((c) => {
      const policy = Object.entries(c.policy);
      const audit = Object.entries(c.audit_events);
      return `<section id="${e(c.id)}"><h2>${e(c.id)}: ${e(c.title)}</h2><p>${e(c.does)}</p>
<p>Status: <span class="${c.status}">${e(STATUS_LABEL[c.status])}</span></p>
<h3>Policy</h3><ul>${policy.length === 0 ? '<li>always on (no setting)</li>' : policy.map(([k, v]) => `<li><code>${e(k)}</code>: ${e(valueText(v))}</li>`).join('')}</ul>
<h3>Audit events in the period</h3><ul>${audit.length === 0 ? '<li>none recorded by this control</li>' : audit.map(([k, v]) => `<li><code>${e(k)}</code>: ${v}</li>`).join('')}</ul>
<h3>Proved by</h3><ul>${c.tests.map((t) => `<li>${e(t.file)}: “${e(t.name)}”</li>`).join('')}</ul></section>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Compliance evidence: ${e(report.tenant)}</title><style>${STYLE}</style></head><body>
<h1>Compliance evidence: tenant ${e(report.tenant)}</h1>
<p>Generated ${e(report.generated_at)}, period ${e(report.period.since)} to ${e(report.period.until)}.</p>
<ul><li>Policy hash: <code>${e(report.policy_hash)}</code></li>
<li>Signed tree head: ${head === null ? 'none (the log is empty)' : `size ${head.tree_size}, root <code>${e(head.root_hash)}</code>, signed ${e(head.timestamp)} by key <code>${e(head.key_id)}</code>, signature <code>${e(head.signature)}</code>`}</li>
<li>Audit events in the period: ${report.audit_events_total}</li>
<li>Controls: ${report.summary.enforced} enforced, ${report.summary.configured_off} configured off, ${report.summary.not_applicable} not applicable</li></ul>
<table><thead><tr><th>Control</th><th>Status</th><th>Clauses</th></tr></thead><tbody>
${rows}
</tbody></table>
${sections}
</body></html>
`;
}
