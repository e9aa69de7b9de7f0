/**
 * Uploads: `POST /v1/uploads` issues a short-lived, single-use, signed URL, and `PUT` to that URL
 * stores the bytes, encrypted, until a job is created from them (`POST /v1/jobs { upload_id }`).
 *
 * The PUT needs the caller's bearer token as well as the signature: a URL leaks easily (proxy
 * logs, shell history), and with the token required a leaked URL alone is useless; the tenant
 * comes from the token, as on every other route. The signature then pins the upload's expiry
 * and size limit, so neither can be stretched by editing the query.
 *
 * An upload no job took is deleted (blob, then row) a minute after it expires, and the deletion
 * recorded in the tenant's audit log: `sweepExpiredUploads` in src/runtime/upload-sweeper.ts.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { VeilError } from '../../errors/veil-error.js';
import { principalOf } from '../guard.js';
import type { ApiRoutePlugin, Principal } from '../ports.js';
import { errorResponseSchema, protectedErrorResponses } from '../schemas.js';

/** An upload slot as issued: what the URL is built from. */
export interface IssuedUpload {
  readonly uploadId: string;
  /** Expiry in whole seconds since the Unix epoch. */
  readonly expires: number;
  readonly maxBytes: number;
  /** The `sig` query value. */
  readonly sig: string;
}

/** The signed part of an upload URL, as the caller sends it back. */
export interface UploadUrlProof {
  readonly expires: number;
  readonly sig: string;
}

/** What the upload routes need; the service implements it over the store and the keyring. */
export interface UploadsPort {
  /** The largest `max_bytes` an upload may ask for. */
  readonly maxBytes: number;
  /** The lifetime of an upload URL, in seconds. */
  readonly ttlSeconds: number;
  /** Opens a slot in the principal's tenant and signs its URL. */
  create(principal: Principal, input: { readonly maxBytes: number }): Promise<IssuedUpload>;
  /**
   * Checks a URL before any byte is read: `VEIL_NOT_FOUND` (no such upload in the tenant),
   * `VEIL_UPLOAD_INVALID`, `VEIL_UPLOAD_EXPIRED` or `VEIL_UPLOAD_USED`. Returns the slot's limit.
   */
  check(
    principal: Principal,
    uploadId: string,
    proof: UploadUrlProof,
  ): Promise<{ readonly maxBytes: number }>;
  /** Checks the URL again and stores the bytes encrypted, once. */
  receive(
    principal: Principal,
    uploadId: string,
    proof: UploadUrlProof,
    content: { readonly bytes: Buffer; readonly mediaType: string },
  ): Promise<{ readonly sizeBytes: number }>;
}

/** The media types an upload accepts (parameters such as `charset` are allowed). */
export const UPLOAD_MEDIA_TYPES = [
  'application/octet-stream',
  'application/pdf',
  'application/json',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'image/png',
  'image/jpeg',
  'image/tiff',
  'message/rfc822',
  'text/csv',
  'text/plain',
] as const;

const uploadId = z.uuid().describe('The upload id');
const proofQuery = z
  .object({
    expires: z.coerce
      .number()
      .int()
      .min(0)
      .max(2 ** 40)
      .describe('Expiry, seconds since the Unix epoch (signed)'),
    sig: z.string().min(1).max(128).describe('The signature from the upload URL'),
  })
  .strict();

const createBody = z
  .object({
    max_bytes: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe('The largest document this upload takes (default and ceiling: the server limit)'),
  })
  .strict();

const issuedSchema = z.object({
  upload_id: z.string(),
  upload_url: z.string().describe('Relative URL to PUT the bytes to, with the bearer token'),
  method: z.literal('PUT'),
  expires_at: z.string().describe('ISO 8601; the URL is refused after it'),
  max_bytes: z.number().int(),
});

const receivedSchema = z.object({ upload_id: z.string(), size_bytes: z.number().int() });

/**
 * The presenter of an issued upload, field by field.
 *
 * @example
 * ```ts
 * presentIssuedUpload({ uploadId: 'e0c…', expires: 1767225600, maxBytes: 1024, sig: 'v1.Xk…' });
 * // { upload_id: 'e0c…', upload_url: '/v1/uploads/e0c…?expires=1767225600&sig=v1.Xk…', method: 'PUT', … }
 * ```
 */
export function presentIssuedUpload(issued: IssuedUpload): z.output<typeof issuedSchema> {
  const query = new URLSearchParams({ expires: String(issued.expires), sig: issued.sig });
  return {
    upload_id: issued.uploadId,
    upload_url: `/v1/uploads/${encodeURIComponent(issued.uploadId)}?${query.toString()}`,
    method: 'PUT',
    expires_at: new Date(issued.expires * 1000).toISOString(),
    max_bytes: issued.maxBytes,
  };
}

function proofOf(request: FastifyRequest): UploadUrlProof {
  const parsed = proofQuery.safeParse(request.query);
  // The query is the credential: say which part is wrong, never echo it.
  if (!parsed.success)
    throw new VeilError('VEIL_UPLOAD_INVALID', 'upload: the URL needs `expires` and `sig` as issued');
  return parsed.data;
}

function idOf(request: FastifyRequest): string {
  const parsed = uploadId.safeParse((request.params as { id?: unknown }).id);
  if (!parsed.success) throw new VeilError('VEIL_NOT_FOUND', 'upload: no such upload in this tenant');
  return parsed.data;
}

/**
 * The upload routes as a plugin for `deps.routes`: `POST /v1/uploads` and `PUT /v1/uploads/:id`
 * (both `job:create`). The PUT route alone parses raw bodies, up to `port.maxBytes`.
 *
 * @example
 * ```ts
 * const app = await buildApp({ ...deps, uploads, jobs }); // buildApp registers these routes
 * ```
 */
export function uploadRoutes(port: UploadsPort): ApiRoutePlugin {
  return async (app: FastifyInstance) => {
    app.withTypeProvider<ZodTypeProvider>().post(
      '/v1/uploads',
      {
        config: { permission: 'job:create' },
        schema: {
          summary: 'Get a signed upload URL',
          description: `A single-use URL, valid for ${Math.round(port.ttlSeconds / 60)} minutes, to PUT one document to (with the bearer token). Create the job with \`{ upload_id }\` afterwards.`,
          tags: ['jobs'],
          security: [{ bearer: [] }],
          body: createBody.optional(),
          response: { 201: issuedSchema, ...protectedErrorResponses },
        },
      },
      async (request, reply) => {
        const maxBytes = Math.min(request.body?.max_bytes ?? port.maxBytes, port.maxBytes);
        const issued = await port.create(principalOf(request), { maxBytes });
        return reply.code(201).send(presentIssuedUpload(issued));
      },
    );

    // Its own scope, so the raw-body parsers exist for this route only.
    await app.register(async (scope) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser(
        [...UPLOAD_MEDIA_TYPES],
        { parseAs: 'buffer', bodyLimit: port.maxBytes },
        (_request, body, done) => done(null, body),
      );
      const limits = new WeakMap<FastifyRequest, number>();
      scope.withTypeProvider<ZodTypeProvider>().put(
        '/v1/uploads/:id',
        {
          config: { permission: 'job:create' },
          // After the guard's authorisation and before a byte is read: a forged, expired or
          // used URL, or a declared length over the slot's limit, is refused without reading.
          preParsing: async (request) => {
            const { maxBytes } = await port.check(principalOf(request), idOf(request), proofOf(request));
            const declared = Number(request.headers['content-length'] ?? Number.NaN);
            if (Number.isFinite(declared) && declared > maxBytes)
              throw new VeilError(
                'VEIL_UPLOAD_TOO_LARGE',
                `upload: the document is larger than this upload's ${maxBytes} bytes`,
              );
            limits.set(request, maxBytes);
          },
          schema: {
            summary: 'Send the document to a signed upload URL',
            description: `The raw bytes, with their Content-Type (${UPLOAD_MEDIA_TYPES.join(', ')}). Stored encrypted; the URL works once.`,
            tags: ['jobs'],
            security: [{ bearer: [] }],
            params: z.object({ id: uploadId }),
            querystring: proofQuery,
            response: {
              201: receivedSchema,
              ...protectedErrorResponses,
              404: errorResponseSchema,
              409: errorResponseSchema,
              410: errorResponseSchema,
            },
          },
        },
        async (request, reply) => {
          const bytes = request.body as unknown;
          if (!Buffer.isBuffer(bytes) || bytes.length === 0)
            throw new VeilError('VEIL_INVALID_REQUEST', 'upload: send the document as the request body');
          const maxBytes = limits.get(request) ?? port.maxBytes;
          if (bytes.length > maxBytes)
            throw new VeilError(
              'VEIL_UPLOAD_TOO_LARGE',
              `upload: the document is larger than this upload's ${maxBytes} bytes`,
            );
          const mediaType = (request.headers['content-type'] ?? 'application/octet-stream')
            .split(';')[0]!
            .trim()
            .toLowerCase();
          const { id } = request.params;
          const stored = await port.receive(principalOf(request), id, request.query, { bytes, mediaType });
          return reply.code(201).send({ upload_id: id, size_bytes: stored.sizeBytes });
        },
      );
    });
  };
}
