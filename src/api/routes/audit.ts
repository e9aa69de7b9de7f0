/**
 * The audit routes: a tenant's entries, its signed tree head, inclusion and consistency proofs,
 * and the public key anyone verifies them with. Each caller sees only its own tenant's log;
 * the log itself comes in through {@link AuditLogSource}, so this module opens no database.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { exportAuditLog, exportAuditPublicKey, serializeAuditExport } from '../../audit/index.js';
import type {
  AuditLog,
  AuditPublicKey,
  ConsistencyProof,
  InclusionProof,
  SignedTreeHead,
} from '../../audit/index.js';
import { principalOf } from '../guard.js';
import type { ApiRoutePlugin } from '../ports.js';
import { errorResponseSchema, protectedErrorResponses } from '../schemas.js';

/** What the audit routes need: each tenant's log, the current head of a log, and the public key. */
export interface AuditLogSource {
  readonly signer: AuditPublicKey;
  forTenant(tenantId: string): AuditLog;
  /** The latest signed head, signing one when none covers the log as it is now. */
  currentTreeHead(log: AuditLog): Promise<SignedTreeHead>;
}

/** The most entries a page returns. */
export const MAX_PAGE = 1000;
// A filtered page reads at most this many entries, so a rare action cannot make one request
// walk a log of millions; `next` says where to carry on.
const MAX_SCAN = 10_000;
const READ_CHUNK = 1000;

const index = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const hex64 = z.string().regex(/^[0-9a-f]{64}$/);

const entriesQuery = z
  .object({
    from: index.default(0).describe('The first leaf index to read (default 0)'),
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .max(MAX_PAGE)
      .default(100)
      .describe(`Entries per page, 1 to ${MAX_PAGE}`),
    action: z
      .string()
      .regex(
        /^(?:[a-z]+\.[a-z_]+|admin\.[a-z0-9_.]{1,127})$/,
        'an action such as job.deleted or permission.denied',
      )
      .optional()
      .describe('Only entries with this action'),
  })
  .strict();

const entrySchema = z.object({
  index: z.number().int(),
  leaf_hash: hex64.describe('SHA-256(0x00 ‖ canonical JSON of the event), hex'),
  event: z
    .record(z.string(), z.unknown())
    .describe('The event as recorded (ids, hashes, enums and counts only)'),
});

const entriesResponse = z.object({
  tree_size: z.number().int().describe('Entries in the log when the page was read'),
  entries: z.array(entrySchema),
  next: z.number().int().nullable().describe('The `from` of the next page, or null at the end of the log'),
});

const treeHeadSchema = z.object({
  tree_size: z.number().int(),
  root_hash: hex64,
  timestamp: z.number().int().describe('Milliseconds since the Unix epoch'),
  key_id: z.string().describe('RFC 7638 thumbprint of the signing key (see /v1/audit/public-key)'),
  signature: z.string().describe('Ed25519 over the canonical JSON of the head, base64url'),
});

const inclusionSchema = z.object({
  leaf_index: z.number().int(),
  tree_size: z.number().int(),
  path: z.array(hex64),
});
const consistencySchema = z.object({
  first: z.number().int(),
  second: z.number().int(),
  path: z.array(hex64),
});
const publicKeySchema = z.object({
  key_id: z.string(),
  jwk: z.object({
    kty: z.string(),
    crv: z.string(),
    x: z.string(),
    kid: z.string(),
    alg: z.literal('EdDSA'),
    use: z.literal('sig'),
  }),
  pem: z.string(),
});

type EntryOut = z.output<typeof entrySchema>;

/**
 * An entry as the API returns it. The event goes out exactly as recorded: its leaf hash commits to
 * those bytes, and an auditor recomputes the hash from them; the schema it passed on append is
 * the field list (ids, hashes, enums, counts), so no other field can be in it.
 *
 * @example
 * ```ts
 * presentEntry({ index: 0, leaf_hash: 'ab…', event }); // { index: 0, leaf_hash: 'ab…', event }
 * ```
 */
export function presentEntry(entry: { index: number; leaf_hash: string; event: object }): EntryOut {
  return { index: entry.index, leaf_hash: entry.leaf_hash, event: entry.event as Record<string, unknown> };
}

/**
 * A signed tree head, field by field.
 *
 * @example
 * ```ts
 * presentTreeHead(await log.treeHead()); // { tree_size, root_hash, timestamp, key_id, signature }
 * ```
 */
export function presentTreeHead(head: SignedTreeHead): z.output<typeof treeHeadSchema> {
  return {
    tree_size: head.tree_size,
    root_hash: head.root_hash,
    timestamp: head.timestamp,
    key_id: head.key_id,
    signature: head.signature,
  };
}

function presentInclusion(proof: InclusionProof): z.output<typeof inclusionSchema> {
  return { leaf_index: proof.leaf_index, tree_size: proof.tree_size, path: [...proof.path] };
}

function presentConsistency(proof: ConsistencyProof): z.output<typeof consistencySchema> {
  return { first: proof.first, second: proof.second, path: [...proof.path] };
}

/**
 * One page of a log: up to `limit` entries from `from`, only those with `action` when given.
 *
 * @example
 * ```ts
 * await readEntries(log, { from: 0, limit: 50, action: 'permission.denied' }); // { tree_size, entries, next }
 * ```
 */
export async function readEntries(
  log: AuditLog,
  query: { from: number; limit: number; action?: string | undefined },
): Promise<z.output<typeof entriesResponse>> {
  const size = await log.size();
  const entries: EntryOut[] = [];
  let at = Math.min(query.from, size);
  const scanEnd = query.action === undefined ? size : Math.min(size, at + MAX_SCAN);
  while (at < scanEnd && entries.length < query.limit) {
    const chunk = await log.entries(
      at,
      Math.min(scanEnd, at + (query.action === undefined ? query.limit - entries.length : READ_CHUNK)),
    );
    for (const entry of chunk) {
      at = entry.index + 1;
      if (query.action !== undefined && entry.event.action !== query.action) continue;
      entries.push(presentEntry(entry));
      if (entries.length === query.limit) break;
    }
    if (chunk.length === 0) break;
  }
  return { tree_size: size, entries, next: at < size ? at : null };
}

const tags = ['audit'];
const security = [{ bearer: [] }];

/**
 * The audit routes as a plugin for `deps.routes`: `GET /v1/audit/entries`, `/v1/audit/sth`,
 * `/v1/audit/proof/inclusion` and `/v1/audit/proof/consistency` (permission `audit:read`, the
 * caller's tenant log), `GET /v1/audit/export` (permission `audit:export`: the whole tenant log,
 * verifiable offline) and `GET /v1/audit/public-key` (public).
 *
 * @example
 * ```ts
 * const app = await buildApp({ ...deps, auditLog: logs }); // buildApp registers these routes
 * ```
 */
export function auditRoutes(source: AuditLogSource): ApiRoutePlugin {
  return async (app: FastifyInstance) => {
    const api = app.withTypeProvider<ZodTypeProvider>();
    const logOf = (request: Parameters<typeof principalOf>[0]): AuditLog =>
      source.forTenant(principalOf(request).tenantId);

    api.get(
      '/v1/audit/entries',
      {
        config: { permission: 'audit:read' },
        schema: {
          summary: "Read the caller's tenant audit log",
          description:
            'Entries in leaf order, paged by `from` and `limit`, optionally only one action. Follow `next` for the next page.',
          tags,
          security,
          querystring: entriesQuery,
          response: { 200: entriesResponse, ...protectedErrorResponses },
        },
      },
      async (request) => readEntries(logOf(request), request.query),
    );

    api.get(
      '/v1/audit/sth',
      {
        config: { permission: 'audit:read' },
        schema: {
          summary: 'The latest signed tree head',
          description:
            'Signed with Ed25519 by the key at /v1/audit/public-key. A new head is signed when the log has grown since the last one.',
          tags,
          security,
          response: { 200: treeHeadSchema, ...protectedErrorResponses },
        },
      },
      async (request) => {
        const log = logOf(request);
        return presentTreeHead(await source.currentTreeHead(log));
      },
    );

    api.get(
      '/v1/audit/proof/inclusion',
      {
        config: { permission: 'audit:read' },
        schema: {
          summary: 'Inclusion proof of one entry',
          description:
            'RFC 9162 inclusion proof of leaf `leaf` in the tree of the first `size` entries (take `size` from a signed tree head).',
          tags,
          security,
          querystring: z.object({ leaf: index, size: index }).strict(),
          response: { 200: inclusionSchema, ...protectedErrorResponses },
        },
      },
      async (request) =>
        presentInclusion(await logOf(request).inclusionProof(request.query.leaf, request.query.size)),
    );

    api.get(
      '/v1/audit/proof/consistency',
      {
        config: { permission: 'audit:read' },
        schema: {
          summary: 'Consistency proof between two tree sizes',
          description:
            'RFC 9162 proof that the tree of `to` entries extends the tree of `from` entries (take both from signed tree heads).',
          tags,
          security,
          querystring: z.object({ from: index, to: index }).strict(),
          response: { 200: consistencySchema, ...protectedErrorResponses },
        },
      },
      async (request) =>
        presentConsistency(await logOf(request).consistencyProof(request.query.from, request.query.to)),
    );

    // Untyped: the answer is JSON Lines text, not one JSON value a response schema could serialise.
    app.get(
      '/v1/audit/export',
      {
        config: { permission: 'audit:export' },
        schema: {
          summary: "Export the caller's tenant audit log",
          description:
            'The self-contained export `veil audit export` writes (JSON Lines: a header, every entry, the signed tree heads), with a head signed over the latest entries first. Verify it offline: `veil audit verify FILE --public-key KEY`.',
          tags,
          security,
          response: { ...protectedErrorResponses },
        },
      },
      async (request, reply) => {
        const log = logOf(request);
        await source.currentTreeHead(log);
        const text = serializeAuditExport(await exportAuditLog(log.store, source.signer));
        return reply
          .type('application/x-ndjson; charset=utf-8')
          .header('cache-control', 'no-store')
          .send(text);
      },
    );

    api.get(
      '/v1/audit/public-key',
      {
        config: { public: true },
        schema: {
          summary: 'The audit signing public key',
          description:
            'The Ed25519 key that signs tree heads, as a JWK and SPKI PEM. Pin it: `veil audit verify --public-key`.',
          tags,
          response: { 200: publicKeySchema, 500: errorResponseSchema },
        },
      },
      async () => {
        const { key_id, jwk, pem } = exportAuditPublicKey(source.signer);
        return { key_id, jwk, pem };
      },
    );
  };
}
