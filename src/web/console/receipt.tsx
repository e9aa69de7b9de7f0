/**
 * A receipt the server returned (a deletion, an erasure, a consent withdrawal): offered as a
 * download, and verified here against the audit public key, as `veil audit verify` would.
 */
import { useState } from 'preact/hooks';
import type { AuditReceipt, ReceiptVerification } from '../../client/index.js';
import { ErrorNotice } from './errors.js';
import { download } from './format.js';
import type { Session } from './session.js';

export function ReceiptActions({
  session,
  receipt,
  fileName,
}: {
  session: Session;
  receipt: AuditReceipt;
  fileName: string;
}) {
  const [result, setResult] = useState<ReceiptVerification | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  return (
    <>
      <div class="row">
        <button
          type="button"
          onClick={() => download(fileName, JSON.stringify(receipt, null, 2), 'application/json')}
        >
          Download receipt
        </button>
        <button
          type="button"
          onClick={async () => {
            setError(undefined);
            try {
              setResult(await session.client.verifyReceipt(receipt));
            } catch (e) {
              setError(e);
            }
          }}
        >
          Verify receipt
        </button>
      </div>
      <p role="status" class={result === undefined ? '' : result.ok ? 'ok' : 'bad'}>
        {result === undefined
          ? ''
          : result.ok
            ? `Receipt verified: entry ${result.index} is in the log of ${result.treeSize} entries signed by key ${result.keyId}.`
            : `Receipt does NOT verify (${result.problem}): ${result.reason}`}
      </p>
      <ErrorNotice error={error} />
    </>
  );
}
