/**
 * The self-contained audit export: every entry (index, recorded leaf hash, event), every signed
 * tree head, and the public key they claim to be signed with. Written as JSON Lines so a log of
 * millions of entries can be produced and read line by line:
 *
 * ```
 * {"type":"header","format":"veil.audit.export.v1","public_key":{"kty":"OKP","crv":"Ed25519","x":"…","kid":"…","alg":"EdDSA","use":"sig"}}
 * {"type":"entry","index":0,"leaf_hash":"…","event":{…}}
 * {"type":"tree_head","tree_head":{"tree_size":1,"root_hash":"…","timestamp":…,"key_id":"…","signature":"…"}}
 * ```
 *
 * The embedded key is a convenience: an auditor should pin the key published at
 * `/v1/audit/public-key` and pass it to `verifyExport`.
 */
import { VeilError } from '../errors/veil-error.js';
import { toHex } from './encoding.js';
import type { AuditStore } from './log.js';
import { exportAuditPublicKey } from './tree-head.js';
import type { AuditPublicKey, SignedTreeHead } from './tree-head.js';

/** The `format` of an export. */
export const EXPORT_FORMAT = 'veil.audit.export.v1';

/** One exported entry. `event` is as stored; the verifier canonicalises it again. */
export interface ExportedEntry {
  readonly index: number;
  readonly leaf_hash: string;
  readonly event: unknown;
}

/** An export in memory. */
export interface AuditExport {
  readonly format: typeof EXPORT_FORMAT;
  readonly public_key: ReturnType<typeof exportAuditPublicKey>['jwk'];
  readonly entries: ExportedEntry[];
  readonly tree_heads: SignedTreeHead[];
}

const PAGE = 10_000;

/**
 * Reads the whole log from a store into an export. Sign a fresh tree head first
 * (`await log.treeHead()`), or the entries after the last head will not verify.
 *
 * @example
 * ```ts
 * await log.treeHead();
 * const text = serializeAuditExport(await exportAuditLog(log.store, signer));
 * ```
 */
export async function exportAuditLog(store: AuditStore, publicKey: AuditPublicKey): Promise<AuditExport> {
  const size = await store.size();
  const entries: ExportedEntry[] = [];
  for (let from = 0; from < size; from += PAGE) {
    for (const row of await store.entries(from, Math.min(size, from + PAGE)))
      entries.push({
        index: row.index,
        leaf_hash: toHex(row.leafHash),
        event: JSON.parse(row.event) as unknown,
      });
  }
  return {
    format: EXPORT_FORMAT,
    public_key: exportAuditPublicKey(publicKey).jwk,
    entries,
    tree_heads: await store.treeHeads(),
  };
}

/**
 * The JSON Lines text of an export.
 *
 * @example
 * ```ts
 * writeFileSync('audit.jsonl', serializeAuditExport(exported));
 * ```
 */
export function serializeAuditExport(exported: AuditExport): string {
  const lines = [
    JSON.stringify({ type: 'header', format: exported.format, public_key: exported.public_key }),
  ];
  for (const entry of exported.entries)
    lines.push(
      JSON.stringify({ type: 'entry', index: entry.index, leaf_hash: entry.leaf_hash, event: entry.event }),
    );
  for (const head of exported.tree_heads) lines.push(JSON.stringify({ type: 'tree_head', tree_head: head }));
  return `${lines.join('\n')}\n`;
}

function malformed(line: number, what: string): VeilError {
  return new VeilError('VEIL_AUDIT_EXPORT_INVALID', `audit export: line ${line}: ${what}`);
}

/**
 * Parses JSON Lines text into an export, checking only its framing (line types and field types);
 * `verifyExport` checks everything else. Throws `VEIL_AUDIT_EXPORT_INVALID` with the line number.
 *
 * @example
 * ```ts
 * const exported = parseAuditExport(readFileSync('audit.jsonl', 'utf8'));
 * ```
 */
export function parseAuditExport(text: string): AuditExport {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  let header: { format?: unknown; public_key?: unknown } | undefined;
  const entries: ExportedEntry[] = [];
  const heads: SignedTreeHead[] = [];
  lines.forEach((line, i) => {
    const n = i + 1;
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(line) as Record<string, unknown>;
    } catch {
      throw malformed(n, 'not JSON');
    }
    if (record === null || typeof record !== 'object' || Array.isArray(record))
      throw malformed(n, 'not a JSON object');
    if (n === 1) {
      if (record.type !== 'header' || record.format !== EXPORT_FORMAT)
        throw malformed(n, `expected the ${EXPORT_FORMAT} header`);
      header = record;
    } else if (record.type === 'entry') {
      if (
        typeof record.index !== 'number' ||
        typeof record.leaf_hash !== 'string' ||
        record.event === undefined
      )
        throw malformed(n, 'an entry needs a numeric index, a leaf_hash and an event');
      entries.push({ index: record.index, leaf_hash: record.leaf_hash, event: record.event });
    } else if (record.type === 'tree_head') {
      heads.push(record.tree_head as SignedTreeHead);
    } else {
      throw malformed(n, 'unknown line type');
    }
  });
  if (header === undefined) throw malformed(1, 'the export is empty');
  return {
    format: EXPORT_FORMAT,
    public_key: header.public_key as AuditExport['public_key'],
    entries,
    tree_heads: heads,
  };
}
