/**
 * `veil privacy report` as Markdown: the same figures as `GET /v1/privacy/metrics`, in words a
 * data-protection officer reads. Counts, durations and codes only.
 */
import type { Distribution } from './distribution.js';
import type { PrivacyMetrics } from './collect.js';

/**
 * A duration in seconds as a short human figure.
 *
 * @example
 * ```ts
 * humanDuration(5400); // '1.5 h'
 * ```
 */
export function humanDuration(seconds: number): string {
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 120) return `${Math.round(seconds * 10) / 10} s`;
  if (seconds < 7200) return `${Math.round(seconds / 6) / 10} min`;
  if (seconds < 172_800) return `${Math.round(seconds / 360) / 10} h`;
  return `${Math.round(seconds / 8640) / 10} d`;
}

const percent = (share: number | null): string =>
  share === null ? 'n/a' : `${Math.round(share * 1000) / 10}%`;

function durations(d: Distribution): string {
  if (d.count === 0) return 'none in the period';
  return `${d.count}; p50 ${humanDuration(d.p50!)}, p90 ${humanDuration(d.p90!)}, p99 ${humanDuration(d.p99!)}, max ${humanDuration(d.max!)}`;
}

function shares(d: Distribution): string {
  if (d.count === 0) return 'none in the period';
  return `${d.count} fields; p50 ${percent(d.p50)}, p90 ${percent(d.p90)}, max ${percent(d.max)} of the page`;
}

const pairs = (record: Readonly<Record<string, number>>): string =>
  Object.keys(record).length === 0
    ? 'none'
    : Object.entries(record)
        .map(([key, n]) => `${key} ${n}`)
        .join(', ');

function riskLine(byKind: PrivacyMetrics['reidentification']['by_kind']): string {
  return Object.entries(byKind)
    .map(([kind, r]) =>
      r.released === 0
        ? `${kind} none`
        : `${kind} ${r.released} (smallest k ${r.min_k}, alone in their class ${percent(r.unique_share)}, below target ${r.below_target})`,
    )
    .join('; ');
}

/**
 * The report as Markdown.
 *
 * @example
 * ```ts
 * process.stdout.write(renderPrivacyReport(metrics)); // '# Privacy report: tenant acme …'
 * ```
 */
export function renderPrivacyReport(m: PrivacyMetrics): string {
  const lines = [
    `# Privacy report: tenant ${m.tenant}`,
    '',
    `Period ${m.since} to ${m.until}. Counts, durations and codes only.`,
    '',
    '## Raw documents',
    '',
    `- Jobs created: ${m.jobs.created} (findings detected: ${m.jobs.findings})`,
    `- Raw-document lifetime (intake to the original's deletion): ${durations(m.raw_document_lifetime_seconds)}`,
    `- Deletion lag (deadline to deletion): ${durations(m.deletion_lag_seconds)}`,
    `- Components that handled raw content: ${pairs(m.raw_content_components.by_component)} jobs; ${m.raw_content_components.per_job === null ? 'n/a' : Math.round(m.raw_content_components.per_job * 100) / 100} per job`,
    `- Model calls: ${m.model.requests} (failed ${m.model.failed}); blocked by the egress guard: ${m.model.egress_blocked}`,
    '',
    '## Artifacts alive now',
    '',
    '| Class | Retention class | Count | Oldest | Policy window | Past deadline |',
    '| --- | --- | --- | --- | --- | --- |',
    ...m.artifacts_alive.map(
      (a) =>
        `| ${a.class} | ${a.retention_class ?? '(manifest)'} | ${a.count} | ${humanDuration(a.oldest_age_seconds)} | ${a.window_seconds === null ? 'the job’s last class' : humanDuration(a.window_seconds)} | ${a.overdue} |`,
    ),
    ...(m.artifacts_alive.length === 0 ? ['| (none) | | 0 | | | |'] : []),
    '',
    '## Outputs and access',
    '',
    `- Outputs read: ${pairs(m.outputs.by_kind)}; share that handed out no document value: ${percent(m.outputs.without_raw_value_share)}`,
    `- Full-text grants (jobs with \`allow_full_text\`): ${m.jobs.full_text_grants}; full-text reads: ${m.outputs.by_kind.full_text}`,
    `- Reveals by reason: ${pairs(m.reveals_by_reason)}`,
    `- Review (${m.review.source === 'none' ? 'no review queue' : 'review queue'}): ${m.review.open_tasks} open tasks, ${m.review.reviewed_fields} fields reviewed; crop area shown: ${shares(m.review.crop_area_share)}`,
    `- Access anomaly alerts: ${pairs(m.alerts_by_rule)}`,
    `- Re-identification risk of outputs first released (k = released outputs of the kind handing out the same identifying values; target k ≥ ${m.reidentification.k_target}): ${riskLine(m.reidentification.by_kind)}`,
    '',
    '## Data subjects and analytics',
    '',
    `- Data-subject requests: ${m.dsr.access} access, ${m.dsr.erasure} erasure; time to completion: ${durations(m.dsr.completion_seconds)}`,
    `- Consent withdrawals: ${m.consent_withdrawals}`,
    `- Jobs that allowed analytics: ${m.jobs.analytics_opt_ins}; differentially private releases: ${m.analytics.releases} (epsilon spent ${m.analytics.epsilon_spent})`,
    '',
  ];
  return lines.join('\n');
}
