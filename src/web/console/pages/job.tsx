/**
 * One job: live status, counts by type, consent and retention (a countdown per artifact class); its requested fields; its audit
 * timeline (for roles that read the log); the redacted preview (a PDF as page images, other layouts as text or an
 * image) and download; deletion with the receipt offered as a
 * download and verified here; reveal (admin, dpo) with a reason that the log records first.
 */
import { useEffect, useState } from 'preact/hooks';
import type { JobDeletion, JobStatus, Revealed, RevealRequest } from '../../../client/index.js';
import { FINAL_STATES, isVeilApiError } from '../../../client/index.js';
import { Page } from '../app.js';
import { ErrorNotice } from '../errors.js';
import { ReceiptActions } from '../receipt.js';
import { FieldsSection } from './fields.js';
import { RedactedPages } from './redacted-pages.js';
import type { FirstPage } from './redacted-pages.js';
import { countdown, download, formatCounts, formatTime } from '../format.js';
import { can } from '../session.js';
import type { Session } from '../session.js';

type RevealCode = RevealRequest['reason']['code'];
const REVEAL_REASONS = [
  'data_subject_request',
  'legal_obligation',
  'fraud_investigation',
  'clinical_care',
  'customer_support',
  'quality_review',
  'security_incident',
  'other',
] as const satisfies readonly RevealCode[];
// The timeline reads at most this many audit entries (newest pages first would need a reverse read).
const TIMELINE_SCAN = 5000;

interface TimelineEntry {
  readonly index: number;
  readonly time: string;
  readonly action: string;
  readonly detail: string;
}

async function timeline(session: Session, jobId: string, signal: AbortSignal): Promise<TimelineEntry[]> {
  const out: TimelineEntry[] = [];
  let from: number | null = 0;
  while (from !== null && from < TIMELINE_SCAN) {
    const page = await session.client.auditEntries({ from, limit: 1000 }, { signal });
    for (const entry of page.entries) {
      const event = entry.event as {
        time?: string;
        action?: string;
        objects?: Array<{ kind: string; id: string }>;
        step?: string;
        outcome?: string;
        actor?: { role?: string };
      };
      if (!event.objects?.some((o) => o.kind === 'job' && o.id === jobId)) continue;
      const detail =
        event.step !== undefined
          ? `${event.step} ${event.outcome ?? ''}`
          : `by ${event.actor?.role ?? 'unknown'}`;
      out.push({ index: entry.index, time: event.time ?? '', action: event.action ?? '', detail });
    }
    from = page.next;
  }
  return out;
}

function Deletion({ deletion, session }: { deletion: JobDeletion; session: Session }) {
  return (
    <section aria-labelledby="deleted-heading">
      <h2 id="deleted-heading">Deleted</h2>
      <p>
        Deleted: {deletion.deleted.map((d) => `${d.class} ${d.count}`).join(' · ')}. The receipt is entry{' '}
        {deletion.receipt.leaf_index} of the audit log.
      </p>
      <ReceiptActions
        session={session}
        receipt={deletion.receipt}
        fileName={`veil-receipt-${deletion.job_id}.json`}
      />
    </section>
  );
}

function Reveal({ session, jobId }: { session: Session; jobId: string }) {
  const [code, setCode] = useState<RevealCode>('data_subject_request');
  const [ticket, setTicket] = useState('');
  const [revealed, setRevealed] = useState<Revealed | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  return (
    <section aria-labelledby="reveal-heading">
      <h2 id="reveal-heading">Reveal original values</h2>
      <p class="hint">
        Recorded in the audit log with your reason before anything is decrypted. Give a ticket id, never
        personal data.
      </p>
      <form
        class="row"
        onSubmit={async (event) => {
          event.preventDefault();
          setError(undefined);
          try {
            setRevealed(
              await session.client.reveal(jobId, {
                code,
                ...(ticket.trim() === '' ? {} : { ticket: ticket.trim() }),
              }),
            );
          } catch (e) {
            setError(e);
          }
        }}
      >
        <span>
          <label for="reveal-reason">Reason</label>
          <select
            id="reveal-reason"
            value={code}
            onChange={(e) => setCode(e.currentTarget.value as RevealCode)}
          >
            {REVEAL_REASONS.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </span>
        <span>
          <label for="reveal-ticket">Ticket</label>
          <input
            id="reveal-ticket"
            value={ticket}
            maxLength={128}
            onInput={(e) => setTicket(e.currentTarget.value)}
          />
        </span>
        <button type="submit">Reveal</button>
      </form>
      <ErrorNotice error={error} />
      {revealed === undefined ? null : (
        <table>
          <caption>Revealed values</caption>
          <thead>
            <tr>
              <th scope="col">Type</th>
              <th scope="col">Where</th>
              <th scope="col">Value</th>
            </tr>
          </thead>
          <tbody>
            {revealed.findings.map((f) => (
              <tr key={`${f.start}-${f.end}`}>
                <td>{f.entity_type}</td>
                <td>
                  {f.start}–{f.end}
                </td>
                <td>{f.value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** A redacted image output, shown from a Blob URL revoked when it closes (the CSP allows `blob:` images). */
function RedactedImage({ bytes, mediaType }: { bytes: Uint8Array; mediaType: string }) {
  const [url, setUrl] = useState<string | undefined>(undefined);
  useEffect(() => {
    const made = URL.createObjectURL(new Blob([bytes as BlobPart], { type: mediaType }));
    setUrl(made);
    return () => URL.revokeObjectURL(made);
  }, [bytes, mediaType]);
  return url === undefined ? null : (
    <figure class="crop">
      <img src={url} alt="The redacted document: every detected value is blacked out." />
      <figcaption class="hint">
        Image ({mediaType}), {bytes.byteLength} bytes.
      </figcaption>
    </figure>
  );
}

export function JobPage({ session, jobId }: { session: Session; jobId: string }) {
  const [status, setStatus] = useState<JobStatus | undefined>(undefined);
  const [events, setEvents] = useState<TimelineEntry[] | undefined>(undefined);
  const [preview, setPreview] = useState<{ mediaType: string; bytes: Uint8Array } | undefined>(undefined);
  const [pdf, setPdf] = useState<FirstPage | undefined>(undefined);
  const [deletion, setDeletion] = useState<JobDeletion | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [confirming, setConfirming] = useState(false);
  const final = status !== undefined && FINAL_STATES.has(status.status);

  useEffect(() => {
    const controller = new AbortController();
    session.client
      .waitForJob(jobId, { signal: controller.signal, maxDelayMs: 2000, onStatus: setStatus })
      .catch((e: unknown) => {
        if (!controller.signal.aborted) setError(e);
      });
    return () => controller.abort();
  }, [session, jobId]);

  useEffect(() => {
    if (!can(session, 'audit:read') || deletion !== undefined) return undefined;
    const controller = new AbortController();
    timeline(session, jobId, controller.signal).then(setEvents, (e: unknown) => {
      if (!controller.signal.aborted) setError(e);
    });
    return () => controller.abort();
  }, [session, jobId, final, deletion]);

  // Reading the redacted output is an audited download, so it is fetched only when asked for: a
  // PDF as page images (page 1 tells the count), any other layout whole.
  const showPreview = async (): Promise<void> => {
    setError(undefined);
    try {
      const first = await session.client.getRedactedPage(jobId, 1);
      setPdf({ png: first.png, pages: first.pages });
    } catch (e) {
      if (!isVeilApiError(e) || e.code !== 'VEIL_JOB_NOT_PDF') return setError(e);
      try {
        setPreview(await session.client.getRedacted(jobId));
      } catch (whole) {
        setError(whole);
      }
    }
  };
  const downloadPdf = async (): Promise<void> => {
    setError(undefined);
    try {
      const whole = await session.client.getRedacted(jobId);
      download(`veil-redacted-${jobId}`, whole.bytes as BlobPart, whole.mediaType);
    } catch (e) {
      setError(e);
    }
  };

  const text =
    preview !== undefined && preview.mediaType.startsWith('text/')
      ? new TextDecoder().decode(preview.bytes)
      : undefined;
  return (
    <Page title={`Job ${jobId.slice(0, 8)}`}>
      <p>
        <a href="#/jobs">← All jobs</a>
      </p>
      <ErrorNotice error={error} />
      {deletion !== undefined ? (
        <Deletion deletion={deletion} session={session} />
      ) : status === undefined ? (
        <p aria-live="polite">Loading…</p>
      ) : (
        <>
          <dl>
            <dt>Status</dt>
            <dd aria-live="polite">
              <span class={`status ${status.status}`}>{status.status}</span>
              {final ? null : (
                <>
                  {' '}
                  <progress aria-label="Job progress" />
                </>
              )}
              {status.error_code === null ? null : <code> {status.error_code}</code>}
            </dd>
            <dt>Job id</dt>
            <dd>
              <code>{status.job_id}</code>
            </dd>
            <dt>Purpose</dt>
            <dd>{status.purpose}</dd>
            {status.template === null ? null : (
              <>
                <dt>Template</dt>
                <dd>
                  {status.template.name} v{status.template.version}
                </dd>
              </>
            )}
            <dt>Found</dt>
            <dd>{formatCounts(status.counts_by_type)}</dd>
            <dt>Consent</dt>
            <dd>
              {status.consent.basis}; model training {status.consent.allow_model_training ? 'allowed' : 'off'}
              ; manual review {status.consent.allow_manual_review ? 'allowed' : 'off'}
            </dd>
            <dt>Policy hash</dt>
            <dd>
              <code>{status.policy_hash.slice(0, 16)}…</code>
            </dd>
            <dt>Created</dt>
            <dd>{formatTime(status.created_at)}</dd>
            <dt>Deleted</dt>
            <dd>
              {countdown(status.delete_after)} ({formatTime(status.delete_after)})
            </dd>
          </dl>
          {status.retention === undefined || status.retention.classes.length === 0 ? null : (
            <table>
              <caption>Retention by artifact class</caption>
              <thead>
                <tr>
                  <th scope="col">Class</th>
                  <th scope="col">Deleted</th>
                  <th scope="col">When</th>
                </tr>
              </thead>
              <tbody>
                {status.retention.classes.map((c) => (
                  <tr key={c.class}>
                    <th scope="row">{c.class}</th>
                    <td>{c.deleted_at === null ? countdown(c.delete_after) : 'deleted'}</td>
                    <td>{formatTime(c.deleted_at ?? c.delete_after)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}

          {status.status !== 'succeeded' ||
          !status.redacted_available ||
          !can(session, 'job:read-redacted') ? null : (
            <section aria-labelledby="preview-heading">
              <h2 id="preview-heading">Redacted document</h2>
              {pdf !== undefined ? (
                <>
                  <RedactedPages session={session} jobId={jobId} first={pdf} />
                  <button type="button" onClick={downloadPdf}>
                    Download redacted document
                  </button>
                </>
              ) : preview === undefined ? (
                <button type="button" onClick={showPreview}>
                  Show redacted document
                </button>
              ) : (
                <>
                  {text !== undefined ? null : preview.mediaType.startsWith('image/') ? (
                    <RedactedImage bytes={preview.bytes} mediaType={preview.mediaType} />
                  ) : (
                    <p>
                      A {preview.mediaType} document of {preview.bytes.byteLength} bytes.
                    </p>
                  )}
                  {text === undefined ? null : (
                    <pre class="preview" tabIndex={0}>
                      {text}
                    </pre>
                  )}
                  <button
                    type="button"
                    onClick={() =>
                      download(`veil-redacted-${status.job_id}`, preview.bytes as BlobPart, preview.mediaType)
                    }
                  >
                    Download redacted document
                  </button>
                </>
              )}
              <p class="hint">
                Each reading, and each page shown, is recorded in the audit log as a download.
              </p>
            </section>
          )}

          {status.status === 'succeeded' && status.fields_available && can(session, 'job:read-redacted') ? (
            <FieldsSection session={session} jobId={jobId} />
          ) : null}

          {events === undefined ? null : (
            <section aria-labelledby="timeline-heading">
              <h2 id="timeline-heading">Timeline</h2>
              <ol class="timeline">
                {events.map((e) => (
                  <li key={e.index}>
                    <time dateTime={e.time}>{formatTime(e.time)}</time> <code>{e.action}</code> {e.detail}
                  </li>
                ))}
              </ol>
            </section>
          )}

          {can(session, 'job:delete') ? (
            <section aria-labelledby="delete-heading">
              <h2 id="delete-heading">Delete</h2>
              {confirming ? (
                <div class="row">
                  <span>Delete this job and everything it stored? This cannot be undone.</span>
                  <button
                    type="button"
                    class="danger"
                    onClick={async () => {
                      setError(undefined);
                      try {
                        setDeletion(await session.client.deleteJob(jobId));
                      } catch (e) {
                        setError(e);
                      }
                      setConfirming(false);
                    }}
                  >
                    Yes, delete
                  </button>
                  <button type="button" onClick={() => setConfirming(false)}>
                    Cancel
                  </button>
                </div>
              ) : (
                <button type="button" class="danger" onClick={() => setConfirming(true)}>
                  Delete job…
                </button>
              )}
            </section>
          ) : null}

          {can(session, 'job:reveal') && status.status === 'succeeded' ? (
            <Reveal session={session} jobId={jobId} />
          ) : null}
        </>
      )}
    </Page>
  );
}
