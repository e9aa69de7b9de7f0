/**
 * Offline verification of an audit export (the JSON Lines `veil audit export` writes), in a
 * browser or in Node: the same checks, in the same order and with the same problem names, as
 * `verifyExport` in src/audit/verify.ts, on the portable primitives of ./audit-crypto.ts. Every
 * tree head must be signed by the key; then in one pass each entry's index follows the last, its
 * event hashes to its recorded leaf hash, and at every head the recomputed root is the signed one.
 */
import {
  CompactRange,
  equal,
  eventLeafHash,
  fromHex,
  isSignedHead,
  publicKeyBytes,
  toHex,
  verifyHeadSignature,
} from './audit-crypto.js';
import type { Ed25519Engine, ReceiptPublicKey, SignedHead } from './audit-crypto.js';

const EXPORT_FORMAT = 'veil.audit.export.v1';

/** Why an export does not verify (the CLI's names). */
export type ExportProblem =
  | 'format'
  | 'key'
  | 'signature'
  | 'sequence'
  | 'event'
  | 'leaf-hash'
  | 'root-mismatch'
  | 'missing-entries'
  | 'not-covered';

/** The outcome of {@link verifyExport}. */
export type ExportVerification =
  | {
      readonly ok: true;
      readonly entries: number;
      readonly treeHeads: number;
      readonly treeSize: number;
      readonly rootHash: string;
      readonly keyId: string;
      /** `caller` when the key was passed in (pinned); `export` when the export's own key was used. */
      readonly keyFrom: 'caller' | 'export';
    }
  | {
      readonly ok: false;
      readonly problem: ExportProblem;
      readonly index?: number;
      readonly treeSize?: number;
      readonly reason: string;
    };

type Failure = Extract<ExportVerification, { ok: false }>;

function fail(
  problem: ExportProblem,
  reason: string,
  at: { index?: number; treeSize?: number } = {},
): Failure {
  return { ok: false, problem, reason, ...at };
}

interface Parsed {
  readonly publicKey: unknown;
  readonly entries: Array<{ index: unknown; leaf_hash: unknown; event: unknown }>;
  readonly heads: unknown[];
}

function parse(text: string): Parsed | Failure {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const entries: Parsed['entries'] = [];
  const heads: unknown[] = [];
  let publicKey: unknown;
  for (let i = 0; i < lines.length; i++) {
    const n = i + 1;
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(lines[i]!) as Record<string, unknown>;
    } catch {
      return fail('format', `audit export: line ${n}: not JSON`);
    }
    if (record === null || typeof record !== 'object' || Array.isArray(record))
      return fail('format', `audit export: line ${n}: not a JSON object`);
    if (n === 1) {
      if (record.type !== 'header' || record.format !== EXPORT_FORMAT)
        return fail('format', `audit export: line ${n}: expected the ${EXPORT_FORMAT} header`);
      publicKey = record.public_key;
    } else if (record.type === 'entry') {
      if (
        typeof record.index !== 'number' ||
        typeof record.leaf_hash !== 'string' ||
        record.event === undefined
      )
        return fail(
          'format',
          `audit export: line ${n}: an entry needs a numeric index, a leaf_hash and an event`,
        );
      entries.push({ index: record.index, leaf_hash: record.leaf_hash, event: record.event });
    } else if (record.type === 'tree_head') {
      heads.push(record.tree_head);
    } else {
      return fail('format', `audit export: line ${n}: unknown line type`);
    }
  }
  if (lines.length === 0) return fail('format', 'audit export: line 1: the export is empty');
  return { publicKey, entries, heads };
}

/**
 * Verifies an export's JSON Lines text. With `publicKey` the export must be signed by that key;
 * without it the export's own key is used, and the result says so (`keyFrom: 'export'`): that
 * proves integrity, not origin. Never throws.
 *
 * @example
 * ```ts
 * const result = await verifyExport(await file.text(), pinnedKey);
 * if (!result.ok) console.log(`entry ${result.index}: ${result.reason}`);
 * ```
 */
export async function verifyExport(
  text: string,
  publicKey?: ReceiptPublicKey,
  options: { readonly engine?: Ed25519Engine } = {},
): Promise<ExportVerification> {
  const parsed = parse(text);
  if ('ok' in parsed) return parsed;
  const embedded =
    parsed.publicKey === undefined ? undefined : publicKeyBytes(parsed.publicKey as ReceiptPublicKey);
  let key = embedded;
  if (publicKey !== undefined) {
    const pinned = publicKeyBytes(publicKey);
    if (pinned === undefined) return fail('key', 'the public key given is not an Ed25519 key');
    if (embedded !== undefined && embedded.keyId !== pinned.keyId)
      return fail('key', `the export names key ${embedded.keyId}, not the pinned key ${pinned.keyId}`);
    key = pinned;
  }
  if (key === undefined) return fail('key', 'the export carries no readable Ed25519 public key; pass one');

  const heads: SignedHead[] = [];
  for (const head of parsed.heads) {
    const size = isSignedHead(head) ? head.tree_size : undefined;
    if (!isSignedHead(head) || !(await verifyHeadSignature(head, key, options.engine ?? 'auto')))
      return fail(
        'signature',
        `a tree head${size === undefined ? '' : ` of size ${size}`} is not validly signed by key ${key.keyId}`,
        { treeSize: size },
      );
    heads.push(head);
  }
  heads.sort((a, b) => a.tree_size - b.tree_size);

  const range = new CompactRange();
  let nextHead = 0;
  let vouched = 0;
  const checkHeadsAt = (size: number): Failure | undefined => {
    while (nextHead < heads.length && heads[nextHead]!.tree_size === size) {
      const head = heads[nextHead]!;
      if (!equal(range.root(), fromHex(head.root_hash)!))
        return fail(
          'root-mismatch',
          `entries ${vouched} to ${size - 1} do not match the signed tree head of size ${size}: an entry in that span was changed, removed, reordered or inserted`,
          { index: vouched, treeSize: size },
        );
      vouched = size;
      nextHead += 1;
    }
    return undefined;
  };
  const atStart = checkHeadsAt(0);
  if (atStart !== undefined) return atStart;
  for (let position = 0; position < parsed.entries.length; position++) {
    const entry = parsed.entries[position]!;
    if (entry.index !== position)
      return fail(
        'sequence',
        `expected entry ${position} here, found ${String(entry.index)}: an entry was removed, inserted or reordered`,
        { index: position },
      );
    const leaf = eventLeafHash(entry.event);
    if (leaf === undefined)
      return fail('event', `entry ${position}: the event is not a JSON object of at most 4096 bytes`, {
        index: position,
      });
    const recorded = fromHex(entry.leaf_hash);
    if (recorded === undefined || !equal(recorded, leaf))
      return fail(
        'leaf-hash',
        `entry ${position}: the event does not hash to its recorded leaf hash (the event or the hash was changed)`,
        { index: position },
      );
    range.push(leaf);
    const problem = checkHeadsAt(range.size);
    if (problem !== undefined) return problem;
  }
  const count = parsed.entries.length;
  if (nextHead < heads.length) {
    const head = heads[nextHead]!;
    return fail(
      'missing-entries',
      `a signed tree head covers ${head.tree_size} entries but the export holds ${count}: entries from ${count} on are missing`,
      { index: count, treeSize: head.tree_size },
    );
  }
  if (vouched < count)
    return fail('not-covered', `entries from ${vouched} on are not covered by any signed tree head`, {
      index: vouched,
    });
  return {
    ok: true,
    entries: count,
    treeHeads: heads.length,
    treeSize: count,
    rootHash: heads.at(-1)?.root_hash ?? toHex(range.root()),
    keyId: key.keyId,
    keyFrom: publicKey === undefined ? 'export' : 'caller',
  };
}
