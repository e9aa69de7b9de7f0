/**
 * Every error the console shows: the stable code (docs/errors.md) and a plain sentence, never
 * anything the server did not say (errors never hold content).
 */
import { isVeilApiError } from '../../client/index.js';

const PLAIN: Readonly<Record<string, string>> = {
  VEIL_UNAUTHENTICATED: 'The token or API key was not accepted. It may have expired: paste a fresh one.',
  VEIL_FORBIDDEN: 'Your role does not allow this action.',
  VEIL_NOT_FOUND: 'There is no such item in your tenant. It may have been deleted.',
  VEIL_RATE_LIMITED: 'Too many requests. Wait a moment and try again.',
  VEIL_NOT_READY: 'The service is starting or busy. Try again shortly.',
  VEIL_JOB_NOT_READY: 'The job has not finished yet.',
  VEIL_JOB_FAILED: 'The job failed and has no output.',
  VEIL_PAGE_OUT_OF_RANGE: 'The document has no such page.',
  VEIL_INVALID_REQUEST: 'Something in the form is not valid.',
  VEIL_IDEMPOTENCY_KEY_REUSED: 'This submission clashes with an earlier one. Submit it again.',
  VEIL_UPLOAD_TOO_LARGE: 'The file is larger than the server accepts.',
  VEIL_BODY_TOO_LARGE: 'The text is larger than the server accepts in one request; upload it as a file.',
  VEIL_UNSUPPORTED_TYPE: 'Veil cannot read this kind of file.',
  VEIL_CLIENT_NETWORK: 'The server did not answer. Check that it is running.',
  VEIL_CLIENT_ABORTED: 'The request was stopped.',
  VEIL_CLIENT_TIMEOUT: 'The server took too long to answer.',
  VEIL_CONSOLE_SIGN_IN: 'Sign-in through your identity provider did not complete. Start it again.',
  VEIL_ROUTE_NOT_FOUND: 'This server does not offer that yet.',
};

/** The code and sentence of any error. */
export function describeError(error: unknown): {
  code: string;
  sentence: string;
  detail: string | undefined;
} {
  if (isVeilApiError(error)) {
    const sentence = PLAIN[error.code];
    return {
      code: error.code,
      sentence: sentence ?? error.message,
      detail: sentence === undefined ? undefined : error.message,
    };
  }
  return {
    code: 'VEIL_CONSOLE_ERROR',
    sentence: 'Something went wrong in the console. Reload the page and sign in again.',
    detail: undefined,
  };
}

/** An error, announced to screen readers. */
export function ErrorNotice({ error }: { error: unknown }) {
  if (error === undefined || error === null) return null;
  const { code, sentence, detail } = describeError(error);
  return (
    <div class="error" role="alert">
      <strong>{sentence}</strong>
      <div>
        <code>{code}</code>
        {detail === undefined ? null : <span class="detail"> {detail}</span>}
      </div>
    </div>
  );
}
