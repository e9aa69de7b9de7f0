/**
 * Jobs: the tenant's jobs newest first with status, purpose, counts by type and the retention
 * countdown, filtered by status and purpose, paged by cursor; and, for roles that may create
 * jobs, a form to submit text or a file (with upload progress) under the SDK's safe defaults,
 * optionally under a field template (`GET /v1/templates`) with some or all of its fields.
 */
import { useEffect, useState } from 'preact/hooks';
import type { JobList, JobListQuery, UploadProgress } from '../../../client/index.js';
import { SAFE_DEFAULTS } from '../../../client/index.js';
import { Page } from '../app.js';
import { ErrorNotice } from '../errors.js';
import { countdown, formatCounts, formatTime, plural } from '../format.js';
import { can } from '../session.js';
import type { Session } from '../session.js';
import { useLoaded } from '../use-loaded.js';

const STATUSES = ['queued', 'running', 'awaiting_review', 'succeeded', 'failed', 'cancelled'] as const;
const BASES = [
  'consent',
  'contract',
  'legal_obligation',
  'vital_interests',
  'public_task',
  'legitimate_interests',
] as const;
const PAGE_SIZE = 20;

function SubmitForm({ session }: { session: Session }) {
  const [text, setText] = useState('');
  const [file, setFile] = useState<File | undefined>(undefined);
  const [purpose, setPurpose] = useState('claims-intake');
  const [basis, setBasis] = useState<(typeof BASES)[number]>('contract');
  const [retention, setRetention] = useState<number>(SAFE_DEFAULTS.retentionDays);
  const [review, setReview] = useState(false);
  const [template, setTemplate] = useState('');
  const [fields, setFields] = useState<string[]>([]);
  const { value: templates, error: templatesError } = useLoaded(
    (signal) => session.client.listTemplates({ signal }),
    [session],
  );
  const chosen = templates?.templates.find((t) => t.name === template);
  const [progress, setProgress] = useState<UploadProgress | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  return (
    <section aria-labelledby="submit-heading">
      <h2 id="submit-heading">Submit a document</h2>
      <form
        onSubmit={async (event) => {
          event.preventDefault();
          setBusy(true);
          setError(undefined);
          setProgress(undefined);
          try {
            const source =
              file !== undefined ? { file, mediaType: file.type || 'application/octet-stream' } : { text };
            const { jobId } = await session.client.submitJob(
              {
                ...source,
                purpose,
                consent: { basis, allowManualReview: review },
                retentionDays: retention,
                ...(chosen === undefined
                  ? {}
                  : { template: chosen.name, ...(fields.length === 0 ? {} : { templateFields: fields }) }),
              },
              { onUploadProgress: setProgress },
            );
            window.location.hash = `#/jobs/${encodeURIComponent(jobId)}`;
          } catch (e) {
            setError(e);
          } finally {
            setBusy(false);
          }
        }}
      >
        <label for="doc-text">Text</label>
        <textarea
          id="doc-text"
          rows={4}
          value={text}
          disabled={file !== undefined}
          onInput={(e) => setText(e.currentTarget.value)}
        />
        <label for="doc-file">or a file</label>
        <input id="doc-file" type="file" onChange={(e) => setFile(e.currentTarget.files?.[0] ?? undefined)} />
        <div class="row">
          <span>
            <label for="purpose">Purpose code</label>
            <input
              id="purpose"
              required
              pattern="[a-z][a-z0-9_\-]{0,63}"
              value={purpose}
              onInput={(e) => setPurpose(e.currentTarget.value)}
            />
          </span>
          <span>
            <label for="basis">Lawful basis</label>
            <select
              id="basis"
              value={basis}
              onChange={(e) => setBasis(e.currentTarget.value as (typeof BASES)[number])}
            >
              {BASES.map((b) => (
                <option key={b} value={b}>
                  {b}
                </option>
              ))}
            </select>
          </span>
          <span>
            <label for="retention">Keep for (days)</label>
            <input
              id="retention"
              type="number"
              min={1}
              max={3650}
              value={retention}
              onInput={(e) => setRetention(Number(e.currentTarget.value))}
            />
          </span>
        </div>
        <div class="row">
          <span>
            <label for="template">Field template</label>
            <select
              id="template"
              value={template}
              onChange={(e) => {
                setTemplate(e.currentTarget.value);
                setFields([]);
              }}
            >
              <option value="">none (no fields)</option>
              {(templates?.templates ?? []).map((t) => (
                <option key={t.name} value={t.name}>
                  {t.name} v{t.version}
                </option>
              ))}
            </select>
          </span>
          {chosen === undefined ? null : (
            <span>
              <label for="template-fields">Requested fields</label>
              <select
                id="template-fields"
                multiple
                size={Math.min(6, chosen.fields.length)}
                aria-describedby="template-fields-hint"
                onChange={(e) =>
                  setFields(Array.from(e.currentTarget.selectedOptions, (option) => option.value))
                }
              >
                {chosen.fields.map((f) => (
                  <option key={f.name} value={f.name} selected={fields.includes(f.name)}>
                    {f.name} ({f.type})
                  </option>
                ))}
              </select>
              <span id="template-fields-hint" class="hint">
                None selected: all of them.
              </span>
            </span>
          )}
        </div>
        {chosen?.description == null ? null : <p class="hint">{chosen.description}</p>}
        <ErrorNotice error={templatesError} />
        <label class="check">
          <input type="checkbox" checked={review} onChange={(e) => setReview(e.currentTarget.checked)} />{' '}
          Allow manual review of uncertain fields
        </label>
        <p class="hint">
          Output: the redacted document{chosen === undefined ? ' only' : ` and the ${chosen.name} fields`}.
          Never used for model training.
        </p>
        <button type="submit" disabled={busy || (file === undefined && text.trim() === '')}>
          {busy ? 'Submitting…' : 'Submit'}
        </button>
        {progress === undefined ? null : (
          <p>
            <label for="upload-progress">Upload</label>{' '}
            <progress id="upload-progress" max={progress.totalBytes ?? 1} value={progress.sentBytes} />{' '}
            {progress.sentBytes} bytes
          </p>
        )}
      </form>
      <ErrorNotice error={error} />
    </section>
  );
}

export function JobsPage({ session }: { session: Session }) {
  const [filters, setFilters] = useState<{ status: JobListQuery['status'] | ''; purpose: string }>({
    status: '',
    purpose: '',
  });
  const [cursors, setCursors] = useState<string[]>([]);
  const [page, setPage] = useState<JobList | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [loading, setLoading] = useState(true);
  const cursor = cursors.at(-1);

  useEffect(() => {
    const controller = new AbortController();
    setLoading(true);
    session.client
      .listJobs(
        {
          limit: PAGE_SIZE,
          ...(filters.status === '' ? {} : { status: filters.status }),
          ...(filters.purpose === '' ? {} : { purpose: filters.purpose }),
          ...(cursor === undefined ? {} : { cursor }),
        },
        { signal: controller.signal },
      )
      .then((p) => {
        setPage(p);
        setError(undefined);
      })
      .catch((e: unknown) => {
        if (!controller.signal.aborted) setError(e);
      })
      .finally(() => setLoading(false));
    return () => controller.abort();
  }, [session, filters, cursor]);

  return (
    <Page title="Jobs">
      {can(session, 'job:create') ? <SubmitForm session={session} /> : null}
      <section aria-labelledby="list-heading">
        <h2 id="list-heading">Recent jobs</h2>
        <form
          class="row"
          role="search"
          aria-label="Filter jobs"
          onSubmit={(event) => {
            event.preventDefault();
            const data = new FormData(event.currentTarget);
            setCursors([]);
            setFilters({
              status: String(data.get('status') ?? '') as JobListQuery['status'] | '',
              purpose: String(data.get('purpose') ?? '').trim(),
            });
          }}
        >
          <span>
            <label for="filter-status">Status</label>
            <select id="filter-status" name="status" defaultValue={filters.status ?? ''}>
              <option value="">any</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </span>
          <span>
            <label for="filter-purpose">Purpose</label>
            <input id="filter-purpose" name="purpose" defaultValue={filters.purpose} />
          </span>
          <button type="submit">Filter</button>
        </form>
        <ErrorNotice error={error} />
        <p aria-live="polite" class="hint">
          {loading ? 'Loading…' : page === undefined ? '' : `${plural(page.jobs.length, 'job')} on this page`}
        </p>
        {page === undefined || page.jobs.length === 0 ? null : (
          <table>
            <thead>
              <tr>
                <th scope="col">Job</th>
                <th scope="col">Status</th>
                <th scope="col">Purpose</th>
                <th scope="col">Found</th>
                <th scope="col">Created</th>
                <th scope="col">Deleted</th>
              </tr>
            </thead>
            <tbody>
              {page.jobs.map((job) => (
                <tr key={job.job_id}>
                  <td>
                    <a href={`#/jobs/${encodeURIComponent(job.job_id)}`}>
                      <code>{job.job_id.slice(0, 8)}</code>
                    </a>
                  </td>
                  <td>
                    <span class={`status ${job.status}`}>{job.status}</span>
                    {job.error_code === null ? null : <code> {job.error_code}</code>}
                  </td>
                  <td>{job.purpose}</td>
                  <td>{formatCounts(job.counts_by_type)}</td>
                  <td>{formatTime(job.created_at)}</td>
                  <td title={formatTime(job.delete_after)}>{countdown(job.delete_after)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <div class="row">
          <button type="button" disabled={cursors.length === 0} onClick={() => setCursors([])}>
            First page
          </button>
          <button
            type="button"
            disabled={cursors.length === 0}
            onClick={() => setCursors(cursors.slice(0, -1))}
          >
            Previous page
          </button>
          <button
            type="button"
            disabled={page?.next_cursor == null}
            onClick={() => page?.next_cursor != null && setCursors([...cursors, page.next_cursor])}
          >
            Next page
          </button>
        </div>
      </section>
    </Page>
  );
}
