/**
 * Audit: the tenant's signed tree head, its entries page by page (newest page first), and
 * verification of a deletion receipt or a whole export (`veil audit export`) in the browser
 * (WebCrypto Ed25519, or the bundled verifier where the browser lacks it) against the server's
 * key or one pasted by the auditor.
 */
import { useEffect, useState } from 'preact/hooks';
import type { AuditEntries, SignedTreeHead } from '../../../client/index.js';
import { verifyExport, verifyReceipt } from '../../../client/index.js';
import { Page } from '../app.js';
import { ErrorNotice } from '../errors.js';
import { formatTime } from '../format.js';
import type { Session } from '../session.js';

const PAGE = 50;

function summary(event: Record<string, unknown>): string {
  const objects = (event.objects as Array<{ kind: string; id: string }> | undefined) ?? [];
  const actor = event.actor as { id?: string; role?: string } | undefined;
  return [
    objects.map((o) => `${o.kind} ${o.id.slice(0, 8)}`).join(', '),
    actor?.role === undefined ? '' : `by ${actor.role}`,
    typeof event.step === 'string' ? `${event.step} ${String(event.outcome ?? '')}` : '',
  ]
    .filter((s) => s !== '')
    .join(' · ');
}

/** What the verify form says: verified or not, in one sentence. */
interface Outcome {
  readonly ok: boolean;
  readonly sentence: string;
}

async function verifyText(text: string, key: Parameters<typeof verifyReceipt>[1]): Promise<Outcome> {
  const firstLine = text.trimStart().split('\n', 1)[0] ?? '';
  let first: { type?: unknown } | undefined;
  try {
    first = JSON.parse(firstLine) as { type?: unknown };
  } catch {
    first = undefined;
  }
  if (first?.type === 'header') {
    const result = await verifyExport(text, key);
    return result.ok
      ? {
          ok: true,
          sentence: `Export verified: ${result.entries} entries, ${result.treeHeads} signed tree heads, root ${result.rootHash}, signed by key ${result.keyId}.`,
        }
      : {
          ok: false,
          sentence: `Export does NOT verify (${result.problem})${result.index === undefined ? '' : `, first bad entry ${result.index}`}: ${result.reason}`,
        };
  }
  let receipt: unknown;
  try {
    receipt = JSON.parse(text);
  } catch {
    return {
      ok: false,
      sentence: 'Neither a receipt (one JSON object) nor an export (JSON Lines with a header).',
    };
  }
  const result = await verifyReceipt(receipt, key);
  return result.ok
    ? {
        ok: true,
        sentence: `Receipt verified: entry ${result.index} is in the log of ${result.treeSize} entries signed by key ${result.keyId} at ${new Date(result.timestamp).toISOString()}.`,
      }
    : { ok: false, sentence: `Receipt does NOT verify (${result.problem}): ${result.reason}` };
}

function VerifyReceipt({ session }: { session: Session }) {
  const [text, setText] = useState('');
  const [key, setKey] = useState('');
  const [result, setResult] = useState<Outcome | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  return (
    <section aria-labelledby="verify-heading">
      <h2 id="verify-heading">Verify a receipt or an export</h2>
      <p class="hint">
        Checked in this browser: tree head signatures, inclusion proofs and, for an export of{' '}
        <code>veil audit export</code>, every entry's hash and every signed root. Nothing is sent anywhere.
      </p>
      <form
        onSubmit={async (event) => {
          event.preventDefault();
          setError(undefined);
          setResult(undefined);
          try {
            const pinned =
              key.trim() === ''
                ? await session.client.auditPublicKey()
                : (JSON.parse(key) as Parameters<typeof verifyReceipt>[1]);
            setResult(await verifyText(text, pinned));
          } catch (e) {
            if (e instanceof SyntaxError)
              setResult({ ok: false, sentence: 'The public key is not JSON: paste the JWK.' });
            else setError(e);
          }
        }}
      >
        <label for="receipt-file">Receipt or export file</label>
        <input
          id="receipt-file"
          type="file"
          accept="application/json,.json,.jsonl"
          onChange={async (e) => setText((await e.currentTarget.files?.[0]?.text()) ?? '')}
        />
        <label for="receipt-text">or paste it</label>
        <textarea
          id="receipt-text"
          rows={4}
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
          spellcheck={false}
        />
        <label for="receipt-key">Public key (JWK; empty: the server's)</label>
        <textarea
          id="receipt-key"
          rows={2}
          value={key}
          onInput={(e) => setKey(e.currentTarget.value)}
          spellcheck={false}
        />
        <button type="submit" disabled={text.trim() === ''}>
          Verify
        </button>
      </form>
      <p role="status" class={result === undefined ? '' : result.ok ? 'ok' : 'bad'}>
        {result?.sentence ?? ''}
      </p>
      <ErrorNotice error={error} />
    </section>
  );
}

export function AuditPage({ session }: { session: Session }) {
  const [head, setHead] = useState<SignedTreeHead | undefined>(undefined);
  const [from, setFrom] = useState<number | undefined>(undefined);
  const [entries, setEntries] = useState<AuditEntries | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);

  useEffect(() => {
    const controller = new AbortController();
    session.client.auditTreeHead({ signal: controller.signal }).then(
      (h) => {
        setHead(h);
        setFrom(Math.max(0, h.tree_size - PAGE));
      },
      (e: unknown) => !controller.signal.aborted && setError(e),
    );
    return () => controller.abort();
  }, [session]);

  useEffect(() => {
    if (from === undefined) return undefined;
    const controller = new AbortController();
    session.client
      .auditEntries({ from, limit: PAGE }, { signal: controller.signal })
      .then(setEntries, (e: unknown) => !controller.signal.aborted && setError(e));
    return () => controller.abort();
  }, [session, from]);

  return (
    <Page title="Audit">
      <ErrorNotice error={error} />
      <section aria-labelledby="sth-heading">
        <h2 id="sth-heading">Signed tree head</h2>
        {head === undefined ? (
          <p>Loading…</p>
        ) : (
          <dl>
            <dt>Entries</dt>
            <dd>{head.tree_size}</dd>
            <dt>Root hash</dt>
            <dd>
              <code class="wrap">{head.root_hash}</code>
            </dd>
            <dt>Signed</dt>
            <dd>{new Date(head.timestamp).toLocaleString()}</dd>
            <dt>Key id</dt>
            <dd>
              <code class="wrap">{head.key_id}</code>
            </dd>
          </dl>
        )}
      </section>
      <section aria-labelledby="entries-heading">
        <h2 id="entries-heading">Entries</h2>
        {entries === undefined ? null : (
          <>
            <table>
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">Time</th>
                  <th scope="col">Action</th>
                  <th scope="col">Details</th>
                </tr>
              </thead>
              <tbody>
                {[...entries.entries].reverse().map((entry) => (
                  <tr key={entry.index}>
                    <td>{entry.index}</td>
                    <td>{typeof entry.event.time === 'string' ? formatTime(entry.event.time) : ''}</td>
                    <td>
                      <code>{String(entry.event.action ?? '')}</code>
                    </td>
                    <td>{summary(entry.event)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <div class="row">
              <button
                type="button"
                disabled={from === undefined || head === undefined || from + PAGE >= head.tree_size}
                onClick={() =>
                  head !== undefined && setFrom(Math.min(head.tree_size - 1, (from ?? 0) + PAGE))
                }
              >
                Newer
              </button>
              <button
                type="button"
                disabled={from === undefined || from === 0}
                onClick={() => setFrom(Math.max(0, (from ?? 0) - PAGE))}
              >
                Older
              </button>
            </div>
          </>
        )}
      </section>
      <VerifyReceipt session={session} />
    </Page>
  );
}
