import { ERROR_CATALOGUE, type ErrorCode } from './catalogue.js';

/**
 * The base of every error Veil throws on purpose. It carries a stable `code` from the
 * catalogue. Its message says what to fix and never holds document content or a detected value:
 * callers pass only names, counts, offsets and limits into it.
 *
 * @example
 * ```ts
 * throw new VeilError('VEIL_INVALID_INPUT', 'analyze: `text` must be a string');
 * ```
 */
export class VeilError extends Error {
  readonly code: ErrorCode;
  readonly status: number;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'VeilError';
    this.code = code;
    this.status = ERROR_CATALOGUE[code].status;
  }

  /** A JSON shape safe to send to a caller: the code and message, never the cause. */
  toJSON(): { code: ErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
}

/**
 * True when `value` is a VeilError, also across module copies.
 *
 * @example
 * ```ts
 * if (isVeilError(e)) console.error(e.code);
 * ```
 */
export function isVeilError(value: unknown): value is VeilError {
  if (value instanceof VeilError) return true;
  const code = value instanceof Error ? (value as Error & { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('VEIL_');
}
