/**
 * The API's one error handler. Every failure becomes `{ error: { code, message } }` with the
 * catalogue's status. Messages come from Veil's own errors (which never hold content) or are
 * written here; a library's message is never passed through, because parsers quote what they
 * failed to parse (Node's JSON.parse quotes the body).
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import type { ZodFastifySchemaValidationError } from 'fastify-type-provider-zod';
import { ERROR_CATALOGUE } from '../errors/catalogue.js';
import { closestName } from '../errors/closest-name.js';
import type { ErrorCode } from '../errors/catalogue.js';
import { isVeilError } from '../errors/veil-error.js';
import { routeFieldNames } from './schema-keys.js';

/** The body of every error response. */
export interface ErrorBody {
  readonly error: { readonly code: ErrorCode; readonly message: string };
}

/** The code and message sent for an error, and whether it is the server's fault. */
interface Mapped {
  readonly code: ErrorCode;
  readonly message: string;
}

// Fastify's own request errors, by their code. Their messages are fixed strings, but they are
// rewritten anyway so the wording is Veil's and stays stable across Fastify versions.
const FASTIFY_ERRORS: Readonly<Record<string, Mapped>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: {
    code: 'VEIL_BODY_TOO_LARGE',
    message: 'the request body is larger than the server allows',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: 'VEIL_UNSUPPORTED_MEDIA_TYPE',
    message: 'send the body as application/json',
  },
  FST_ERR_CTP_INVALID_JSON_BODY: {
    code: 'VEIL_MALFORMED_JSON',
    message: 'the request body is not valid JSON',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    code: 'VEIL_MALFORMED_JSON',
    message: 'the request body is empty; send a JSON object',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    code: 'VEIL_INVALID_REQUEST',
    message: 'the Content-Length header does not match the body',
  },
};

/**
 * A path segment as it may appear in a message: array indices and the field names the route's
 * schema declares. Any other key came from the caller (a record key, an invented field) and may
 * be data, so it is shown as `*`.
 */
function segment(part: string, known: ReadonlySet<string>): string {
  return /^\d{1,9}$/.test(part) || known.has(part) ? part : '*';
}

function fieldPath(context: string | undefined, instancePath: string, known: ReadonlySet<string>): string {
  const parts = instancePath
    .split('/')
    .filter((p) => p.length > 0)
    .map((p) => segment(p, known));
  return [context ?? 'body', ...parts].join('.');
}

function describe(issue: ZodFastifySchemaValidationError, known: ReadonlySet<string>): string {
  const params = issue.params as Record<string, unknown>;
  switch (issue.keyword) {
    case 'invalid_type':
      return `expected ${String(params['expected'])}`;
    case 'too_big':
      return `must be at most ${String(params['maximum'])}${params['origin'] === 'string' ? ' characters' : params['origin'] === 'array' ? ' items' : ''}`;
    case 'too_small':
      return `must be at least ${String(params['minimum'])}${params['origin'] === 'string' ? ' characters' : params['origin'] === 'array' ? ' items' : ''}`;
    case 'invalid_value': {
      const values = Array.isArray(params['values']) ? params['values'] : [];
      return `expected one of ${values.map((v) => JSON.stringify(v)).join(', ')}`;
    }
    case 'unrecognized_keys': {
      // The caller's keys are not repeated (they may be data); the field each one probably
      // meant is named when one of the schema's is within two edits.
      const keys = Array.isArray(params['keys']) ? (params['keys'] as unknown[]).map(String) : [];
      const meant = [...new Set(keys.map((k) => closestName(k, known)).filter((k) => k !== undefined))];
      return `${keys.length === 1 ? 'an unknown field' : `${keys.length} unknown fields`}${meant.length === 0 ? '' : ` (did you mean ${meant.join(', ')}?)`}`;
    }
    case 'invalid_format':
      // Schema patterns are ours, so the pattern's own description is safe to show.
      return `does not match the expected format${typeof issue.message === 'string' && !issue.message.startsWith('Invalid') ? ` (${issue.message})` : ''}`;
    case 'invalid_union':
      return 'matches none of the allowed shapes';
    case 'not_multiple_of':
      return `must be a multiple of ${String(params['divisor'])}`;
    default:
      return 'is invalid';
  }
}

/**
 * The message of a validation failure: the field path and what was expected, never the value.
 *
 * @example
 * ```ts
 * validationMessage(error); // 'body.score_threshold: must be at most 1'
 * ```
 */
export function validationMessage(
  error: {
    validation: ZodFastifySchemaValidationError[];
    validationContext?: string;
  },
  known: ReadonlySet<string> = new Set(),
): string {
  const first = error.validation[0];
  if (first === undefined) return 'the request is invalid';
  const more = error.validation.length > 1 ? ` (and ${error.validation.length - 1} more)` : '';
  return `${fieldPath(error.validationContext, first.instancePath, known)}: ${describe(first, known)}${more}`;
}

/**
 * Maps any thrown value to a caller-facing code and message; `known` are the field names the
 * route's schema declares, the only keys a validation message names.
 */
export function mapError(error: unknown, known: ReadonlySet<string> = new Set()): Mapped {
  if (hasZodFastifySchemaValidationErrors(error)) {
    return { code: 'VEIL_INVALID_REQUEST', message: validationMessage(error, known) };
  }
  if (isVeilError(error)) {
    const code = error.code as ErrorCode;
    if (Object.hasOwn(ERROR_CATALOGUE, code)) return { code, message: error.message };
  }
  const fastifyCode = (error as Partial<FastifyError> | undefined)?.code;
  if (typeof fastifyCode === 'string' && Object.hasOwn(FASTIFY_ERRORS, fastifyCode)) {
    return FASTIFY_ERRORS[fastifyCode]!;
  }
  const status = (error as Partial<FastifyError> | undefined)?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { code: 'VEIL_INVALID_REQUEST', message: 'the request is malformed' };
  }
  return { code: 'VEIL_INTERNAL', message: 'internal error' };
}

/** The stack frames of an error without its first line, which holds the message. */
function framesOf(error: unknown): string | undefined {
  const stack = error instanceof Error ? error.stack : undefined;
  return stack?.split('\n').slice(1).join('\n');
}

/**
 * Fastify's error handler: sends the mapped error and logs its code, never the message of an
 * unexpected error (it may quote data) and never the request.
 *
 * @example
 * ```ts
 * app.setErrorHandler(handleError);
 * ```
 */
export function handleError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const { code, message } = mapError(error, routeFieldNames(request));
  const status = ERROR_CATALOGUE[code].status;
  request.errorCode = code;
  if (code === 'VEIL_INTERNAL') {
    const name = error instanceof Error ? error.name : typeof error;
    const libraryCode = (error as { code?: unknown } | undefined)?.code;
    request.log.error(
      {
        code,
        errorName: name,
        errorCode: typeof libraryCode === 'string' ? libraryCode.slice(0, 64) : undefined,
        frames: framesOf(error),
      },
      'request failed',
    );
  } else if (isVeilError(error) && error.cause !== undefined) {
    // The cause's name and reason code (the access layer's `AuthenticationFailure.reason`) help an
    // operator; its message is not logged.
    const cause = error.cause as { name?: unknown; reason?: unknown };
    request.log.info(
      {
        code,
        cause: String(cause.name),
        reason: typeof cause.reason === 'string' ? cause.reason : undefined,
      },
      'request refused',
    );
  }
  const retryAfter = RETRY_AFTER_SECONDS[code];
  if (retryAfter !== undefined && !reply.hasHeader('retry-after'))
    void reply.header('retry-after', String(retryAfter));
  const body: ErrorBody = { error: { code, message } };
  return reply.code(status).type('application/json; charset=utf-8').send(body);
}

/**
 * Refusals that say "not now" rather than "not this": the caller is told when to come back, so a
 * well-behaved client backs off instead of hammering a saturated server. Load shedding and the
 * rate limiter set their own.
 */
const RETRY_AFTER_SECONDS: Partial<Record<ErrorCode, number>> = {
  VEIL_BUSY: 1,
  VEIL_NOT_READY: 5,
  VEIL_STORE_UNAVAILABLE: 5,
  VEIL_STORE_FULL: 60,
  VEIL_AUDIT_WRITE_FAILED: 5,
};

/**
 * The handler for paths no route matches.
 *
 * @example
 * ```ts
 * app.setNotFoundHandler(handleNotFound);
 * ```
 */
export function handleNotFound(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  request.errorCode = 'VEIL_ROUTE_NOT_FOUND';
  const body: ErrorBody = {
    error: { code: 'VEIL_ROUTE_NOT_FOUND', message: 'no route matches this method and path' },
  };
  return reply.code(404).send(body);
}
