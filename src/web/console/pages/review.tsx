/**
 * Review: the queue of uncertain fields. The list shows what a reviewer needs to choose a task
 * (field, type, confidence, age), never a candidate value; claiming a task shows its crop (the
 * least part of the page) and candidate, to confirm, correct or reject, then the next open task.
 * Keyboard: `c` confirm, `e` correct (focuses the value), `r` reject, `n` next task.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { ReviewDecision, ReviewTask } from '../../../client/index.js';
import { Page } from '../app.js';
import { ErrorNotice } from '../errors.js';
import { countdown, formatTime } from '../format.js';
import type { Session } from '../session.js';
import { useLoaded } from '../use-loaded.js';

/** A candidate as a reviewer reads and edits it: money as `12.50 EUR`, anything else as text. */
export function candidateText(candidate: unknown): string {
  if (candidate === null || candidate === undefined) return '';
  if (typeof candidate === 'object' && 'amount' in candidate) {
    const money = candidate as { amount: string; currency: string | null };
    return money.currency === null ? money.amount : `${money.amount} ${money.currency}`;
  }
  return typeof candidate === 'object' ? JSON.stringify(candidate) : String(candidate);
}

/** A crop's share of its page as a reader takes it in: `<1%` rather than a rounded `0%`. */
function shareOfPage(share: number): string {
  return share < 0.01 ? '<1%' : `${Math.round(share * 100)}%`;
}

function Crop({ session, task }: { session: Session; task: ReviewTask }) {
  const [url, setUrl] = useState<string | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  useEffect(() => {
    if (task.crop === null) return undefined;
    const controller = new AbortController();
    let made: string | undefined;
    session.client.getReviewCrop(task.id, { signal: controller.signal }).then(
      (bytes) => {
        made = URL.createObjectURL(new Blob([bytes as BlobPart], { type: 'image/png' }));
        setUrl(made);
      },
      (e: unknown) => {
        if (!controller.signal.aborted) setError(e);
      },
    );
    return () => {
      controller.abort();
      if (made !== undefined) URL.revokeObjectURL(made);
    };
  }, [session, task.id, task.crop]);
  if (task.crop === null) return <p class="hint">This field has no image on the page (a text document).</p>;
  return (
    <figure class="crop">
      <ErrorNotice error={error} />
      {url === undefined ? null : (
        <img
          src={url}
          width={task.crop.width}
          height={task.crop.height}
          alt={`The part of the page where ${task.field.name} was read`}
        />
      )}
      <figcaption class="hint">{shareOfPage(task.crop.page_share)} of the page is shown.</figcaption>
    </figure>
  );
}

function Decide({
  session,
  task,
  onDecided,
}: {
  session: Session;
  task: ReviewTask;
  onDecided: (task: ReviewTask) => void;
}) {
  const [value, setValue] = useState(candidateText(task.candidate));
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const valueInput = useRef<HTMLInputElement>(null);
  const decide = useCallback(
    async (decision: ReviewDecision): Promise<void> => {
      setBusy(true);
      setError(undefined);
      try {
        onDecided(await session.client.decideReviewTask(task.id, decision));
      } catch (e) {
        setError(e);
      } finally {
        setBusy(false);
      }
    },
    [session, task.id, onDecided],
  );
  const corrected = value.trim();
  const withReason = reason.trim() === '' ? {} : { reason: reason.trim() };
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      const target = event.target as HTMLElement | null;
      if (
        busy ||
        event.ctrlKey ||
        event.metaKey ||
        event.altKey ||
        target?.closest('input, textarea, select') != null
      )
        return;
      if (event.key === 'c') void decide({ action: 'confirm', ...withReason });
      else if (event.key === 'r') void decide({ action: 'reject', ...withReason });
      else if (event.key === 'e') {
        event.preventDefault();
        valueInput.current?.focus();
      } else return;
      event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });
  return (
    <>
      <dl>
        <dt>Candidate</dt>
        <dd>
          <output class="candidate">{candidateText(task.candidate) || '(none found)'}</output>
        </dd>
        <dt>Confidence</dt>
        <dd>{task.confidence.toFixed(2)}</dd>
        {task.field.hint === null ? null : (
          <>
            <dt>{task.field.type === 'enum' ? 'Allowed values' : 'Labels to look for'}</dt>
            <dd>{task.field.hint.join(', ')}</dd>
          </>
        )}
      </dl>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void decide({ action: 'correct', value: corrected, ...withReason });
        }}
      >
        <label for="review-value">Correct value</label>
        <input
          id="review-value"
          ref={valueInput}
          value={value}
          autoComplete="off"
          spellcheck={false}
          onInput={(e) => setValue(e.currentTarget.value)}
        />
        <label for="review-reason">Reason (optional; a ticket id, never personal data)</label>
        <input
          id="review-reason"
          value={reason}
          maxLength={200}
          autoComplete="off"
          onInput={(e) => setReason(e.currentTarget.value)}
        />
        <div class="row">
          <button
            type="button"
            disabled={busy}
            aria-keyshortcuts="c"
            onClick={() => decide({ action: 'confirm', ...withReason })}
          >
            Confirm
          </button>
          <button
            type="submit"
            disabled={busy || corrected === '' || corrected === candidateText(task.candidate)}
          >
            Save correction
          </button>
          <button
            type="button"
            class="danger"
            disabled={busy}
            aria-keyshortcuts="r"
            onClick={() => decide({ action: 'reject', ...withReason })}
          >
            Reject
          </button>
        </div>
        <p class="hint">
          Keys: <kbd>c</kbd> confirm, <kbd>e</kbd> edit the value, <kbd>r</kbd> reject, <kbd>n</kbd> next
          task.
        </p>
      </form>
      <ErrorNotice error={error} />
    </>
  );
}

export function ReviewPage({ session }: { session: Session }) {
  const [current, setCurrent] = useState<ReviewTask | undefined>(undefined);
  const [decided, setDecided] = useState<ReviewTask | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [version, setVersion] = useState(0);
  const queue = useLoaded(
    (signal) => session.client.listReviewTasks({ limit: 50 }, { signal }),
    [session, version],
  );
  const list = queue.value;

  const claim = useCallback(
    async (taskId: string): Promise<void> => {
      setError(undefined);
      setDecided(undefined);
      try {
        setCurrent(await session.client.claimReviewTask(taskId));
      } catch (e) {
        setError(e);
        setVersion((v) => v + 1);
      }
    },
    [session],
  );
  // Not the task just decided either: the list may not have been read again yet.
  const next = list?.tasks.find((t) => t.status === 'open' && t.id !== current?.id && t.id !== decided?.id);
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      const target = event.target as HTMLElement | null;
      if (
        event.key !== 'n' ||
        event.ctrlKey ||
        event.metaKey ||
        event.altKey ||
        target?.closest('input, textarea, select') != null
      )
        return;
      if (next === undefined) return;
      event.preventDefault();
      void claim(next.id);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [next, claim]);

  const onDecided = useCallback((task: ReviewTask) => {
    setDecided(task);
    setCurrent(undefined);
    setVersion((v) => v + 1);
  }, []);

  return (
    <Page title="Review">
      <ErrorNotice error={error ?? queue.error} />
      <p role="status" class={decided === undefined ? '' : 'ok'}>
        {decided?.decision == null ? '' : `${decided.field.name}: ${decided.decision.action}ed. `}
        {decided === undefined
          ? ''
          : next === undefined
            ? 'No more open tasks.'
            : 'Press n for the next task.'}
      </p>
      {current === undefined ? null : (
        <section aria-labelledby="task-heading">
          <h2 id="task-heading" tabIndex={-1}>
            {current.field.name} <span class="hint">({current.field.type})</span>
          </h2>
          <p class="hint">
            Job <code>{current.job_id.slice(0, 8)}</code> · queue {current.queue} · your claim ends{' '}
            {current.lease === null ? 'soon' : countdown(current.lease.expires_at)}
          </p>
          <Crop session={session} task={current} />
          <Decide key={current.id} session={session} task={current} onDecided={onDecided} />
        </section>
      )}
      <section aria-labelledby="queue-heading">
        <h2 id="queue-heading">Open tasks</h2>
        {list === undefined ? (
          <p aria-live="polite">Loading…</p>
        ) : list.tasks.length === 0 ? (
          <p>The queue is empty.</p>
        ) : (
          <table>
            <caption>Fields waiting for a reviewer, oldest first</caption>
            <thead>
              <tr>
                <th scope="col">Field</th>
                <th scope="col">Type</th>
                <th scope="col">Confidence</th>
                <th scope="col">Queue</th>
                <th scope="col">Waiting since</th>
                <th scope="col">Expires</th>
                <th scope="col">
                  <span class="visually-hidden">Action</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.tasks.map((task) => (
                <tr key={task.id}>
                  <td>{task.field.name}</td>
                  <td>{task.field.type}</td>
                  <td>{task.confidence.toFixed(2)}</td>
                  <td>{task.queue}</td>
                  <td>{formatTime(task.created_at)}</td>
                  <td>{countdown(task.expires_at)}</td>
                  <td>
                    {task.status === 'open' ? (
                      <button
                        type="button"
                        aria-label={`Claim ${task.field.name}`}
                        disabled={current?.id === task.id}
                        onClick={() => claim(task.id)}
                      >
                        Claim
                      </button>
                    ) : (
                      task.status
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </Page>
  );
}
