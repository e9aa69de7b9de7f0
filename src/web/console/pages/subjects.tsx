/**
 * Data subjects (dpo, admin): a subject-access request (the subject's jobs, with the values Veil
 * found and the audit events about them), erasure (with the receipt, verified here) and consent
 * withdrawal. The subject is named by your reference (`subject_ref`) or by an identifier Veil
 * detects (an e-mail address, a phone number…), which the server matches through a keyed index.
 */
import { useState } from 'preact/hooks';
import type {
  ConsentWithdrawal,
  SubjectAccess,
  SubjectErasure,
  SubjectQuery,
} from '../../../client/index.js';
import { Page } from '../app.js';
import { ErrorNotice } from '../errors.js';
import { download, formatTime, plural } from '../format.js';
import { ReceiptActions } from '../receipt.js';
import { can } from '../session.js';
import type { Session } from '../session.js';

const IDENTIFIER_TYPES = [
  'EMAIL_ADDRESS',
  'PHONE_NUMBER',
  'US_SSN',
  'PERSON',
  'IBAN_CODE',
  'CREDIT_CARD',
] as const;

type Outcome =
  | { kind: 'access'; result: SubjectAccess }
  | { kind: 'erasure'; result: SubjectErasure }
  | { kind: 'withdrawal'; result: ConsentWithdrawal };

function subjectOf(form: HTMLFormElement): SubjectQuery {
  const data = new FormData(form);
  const ref = String(data.get('subject_ref') ?? '').trim();
  const value = String(data.get('identifier_value') ?? '').trim();
  return {
    ...(ref === '' ? {} : { subject_ref: ref }),
    ...(value === '' ? {} : { identifiers: [{ type: String(data.get('identifier_type')), value }] }),
  };
}

function AccessResult({ result }: { result: SubjectAccess }) {
  return (
    <section aria-labelledby="access-heading">
      <h2 id="access-heading">Subject access: {plural(result.jobs.length, 'job')}</h2>
      <button
        type="button"
        onClick={() =>
          download('veil-subject-access.json', JSON.stringify(result, null, 2), 'application/json')
        }
      >
        Download the export
      </button>
      {result.jobs.length === 0 ? <p>No job names this subject.</p> : null}
      {result.jobs.map((job) => (
        <table key={job.job_id}>
          <caption>
            Job <code>{job.job_id.slice(0, 8)}</code> · {job.purpose} · {job.status} ·{' '}
            {formatTime(job.created_at)}
          </caption>
          <thead>
            <tr>
              <th scope="col">Type</th>
              <th scope="col">Value found</th>
            </tr>
          </thead>
          <tbody>
            {job.detected.map((d, i) => (
              <tr key={i}>
                <td>{d.entity_type}</td>
                <td>{d.value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ))}
      <p class="hint">
        {plural(result.audit_events.length, 'audit event')} about these jobs are in the export.
      </p>
    </section>
  );
}

export function SubjectsPage({ session }: { session: Session }) {
  const [outcome, setOutcome] = useState<Outcome | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const [confirmErase, setConfirmErase] = useState(false);
  const run = async (work: () => Promise<Outcome>): Promise<void> => {
    setBusy(true);
    setError(undefined);
    setOutcome(undefined);
    try {
      setOutcome(await work());
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
      setConfirmErase(false);
    }
  };
  return (
    <Page title="Data subjects">
      {can(session, 'dsr:manage') ? (
        <section aria-labelledby="dsr-heading">
          <h2 id="dsr-heading">Access or erasure request</h2>
          <form
            onSubmit={(event) => {
              event.preventDefault();
              const subject = subjectOf(event.currentTarget);
              const submitter = (event.submitter as HTMLButtonElement | null)?.value;
              if (submitter === 'erase' && !confirmErase) return setConfirmErase(true);
              void run(async () =>
                submitter === 'erase'
                  ? { kind: 'erasure', result: await session.client.subjectErasure(subject) }
                  : { kind: 'access', result: await session.client.subjectAccess(subject) },
              );
            }}
          >
            <label for="subject-ref">Subject reference</label>
            <input id="subject-ref" name="subject_ref" autoComplete="off" maxLength={200} />
            <p class="hint">
              Your reference for the person, as given on their jobs; or an identifier Veil found in their
              documents:
            </p>
            <div class="row">
              <span>
                <label for="identifier-type">Identifier type</label>
                <select id="identifier-type" name="identifier_type">
                  {IDENTIFIER_TYPES.map((t) => (
                    <option key={t} value={t}>
                      {t}
                    </option>
                  ))}
                </select>
              </span>
              <span>
                <label for="identifier-value">Identifier</label>
                <input id="identifier-value" name="identifier_value" autoComplete="off" maxLength={512} />
              </span>
            </div>
            <div class="row">
              <button type="submit" name="action" value="access" disabled={busy}>
                Find their data
              </button>
              <button type="submit" name="action" value="erase" class="danger" disabled={busy}>
                {confirmErase ? 'Yes, erase everything' : 'Erase…'}
              </button>
              {confirmErase ? (
                <button type="button" onClick={() => setConfirmErase(false)}>
                  Cancel
                </button>
              ) : null}
            </div>
            {confirmErase ? (
              <p role="alert" class="bad">
                Erasure deletes every job that names this subject and destroys the keys of their tokens. It
                cannot be undone.
              </p>
            ) : null}
          </form>
        </section>
      ) : null}
      {can(session, 'consent:withdraw') ? (
        <section aria-labelledby="withdraw-heading">
          <h2 id="withdraw-heading">Withdraw consent</h2>
          <form
            onSubmit={(event) => {
              event.preventDefault();
              const data = new FormData(event.currentTarget);
              const ref = String(data.get('withdraw_ref') ?? '').trim();
              const purposes = String(data.get('purposes') ?? '')
                .split(',')
                .map((p) => p.trim())
                .filter(Boolean);
              void run(async () => ({
                kind: 'withdrawal',
                result: await session.client.withdrawConsent({
                  subject_ref: ref,
                  ...(purposes.length === 0 ? {} : { purposes }),
                }),
              }));
            }}
          >
            <label for="withdraw-ref">Subject reference</label>
            <input id="withdraw-ref" name="withdraw_ref" required autoComplete="off" maxLength={200} />
            <label for="withdraw-purposes">Purposes (comma-separated; empty: all)</label>
            <input id="withdraw-purposes" name="purposes" autoComplete="off" />
            <button type="submit" disabled={busy}>
              Withdraw consent
            </button>
          </form>
        </section>
      ) : null}
      <p aria-live="polite" class="hint">
        {busy ? 'Working…' : ''}
      </p>
      <ErrorNotice error={error} />
      {outcome?.kind === 'access' ? <AccessResult result={outcome.result} /> : null}
      {outcome?.kind === 'erasure' ? (
        <section aria-labelledby="erased-heading">
          <h2 id="erased-heading">Erased</h2>
          <p>
            {plural(outcome.result.jobs, 'job')}, {plural(outcome.result.artifacts, 'stored artifact')} and{' '}
            {plural(outcome.result.vault_entries, 'token key')} deleted. The receipt is entry{' '}
            {outcome.result.receipt.leaf_index} of the audit log.
          </p>
          <ReceiptActions
            session={session}
            receipt={outcome.result.receipt}
            fileName="veil-erasure-receipt.json"
          />
        </section>
      ) : null}
      {outcome?.kind === 'withdrawal' ? (
        <section aria-labelledby="withdrawn-heading">
          <h2 id="withdrawn-heading">Consent withdrawn</h2>
          <p>
            {plural(outcome.result.cancelled.length, 'running job')} cancelled, {outcome.result.scheduled}{' '}
            scheduled for deletion. The receipt is entry {outcome.result.receipt.leaf_index} of the audit log.
          </p>
          <ReceiptActions
            session={session}
            receipt={outcome.result.receipt}
            fileName="veil-withdrawal-receipt.json"
          />
        </section>
      ) : null}
    </Page>
  );
}
