/**
 * Offline verification of exports and receipts: what `veil audit verify` runs, and what an
 * auditor can run with nothing but the export (or receipt) and the published public key.
 *
 * An export is checked in one streaming pass: each entry's index follows the last, its event
 * passes the schema, its canonical JSON hashes to the recorded leaf hash, and at every signed tree
 * head the recomputed root equals the signed one. The first failure is named. An editor of the
 * export who recomputes leaf hashes cannot forge a signature, so such tampering is caught at the
 * first tree head after it; the log signs heads at intervals (`signEvery`) to keep that span short.
 */
import { createHash, type JsonWebKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isVeilError, VeilError } from '../errors/veil-error.js';
import { hashFromHex, toHex } from './encoding.js';
import { canonicalAuditEvent } from './event.js';
import { EXPORT_FORMAT, parseAuditExport } from './export.js';
import type { AuditExport } from './export.js';
import { RECEIPT_FORMAT } from './log.js';
import { CompactRange, hashLeaf, verifyInclusion } from './merkle.js';
import { importAuditPublicKey, isSignedTreeHead, verifyTreeHead } from './tree-head.js';
import type { AuditPublicKey, SignedTreeHead } from './tree-head.js';
import { constantTimeEqual } from '../crypto/hmac.js';

/** Why verification failed. */
export type VerificationProblem =
  | 'format'
  | 'key'
  | 'signature'
  | 'sequence'
  | 'event'
  | 'leaf-hash'
  | 'root-mismatch'
  | 'missing-entries'
  | 'not-covered'
  | 'proof';

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
      readonly problem: VerificationProblem;
      /** The first entry that does not match, when one can be named. */
      readonly index?: number;
      /** The tree size of the head involved, when a head is involved. */
      readonly treeSize?: number;
      readonly reason: string;
    };

type Failure = Extract<ExportVerification, { ok: false }>;

function fail(
  problem: VerificationProblem,
  reason: string,
  at: { index?: number; treeSize?: number } = {},
): Failure {
  return { ok: false, problem, reason, ...at };
}

function resolveKey(
  exported: AuditExport,
  publicKey: Parameters<typeof importAuditPublicKey>[0] | AuditPublicKey | undefined,
): AuditPublicKey | Failure {
  let embedded: AuditPublicKey | undefined;
  try {
    embedded =
      exported.public_key === undefined ? undefined : importAuditPublicKey(exported.public_key as JsonWebKey);
  } catch {
    embedded = undefined;
  }
  if (publicKey === undefined)
    return embedded ?? fail('key', 'the export carries no readable Ed25519 public key; pass one');
  let pinned: AuditPublicKey;
  try {
    pinned = isAuditPublicKey(publicKey) ? publicKey : importAuditPublicKey(publicKey);
  } catch {
    return fail('key', 'the public key given is not an Ed25519 key');
  }
  if (embedded !== undefined && embedded.keyId !== pinned.keyId)
    return fail('key', `the export names key ${embedded.keyId}, not the pinned key ${pinned.keyId}`);
  return pinned;
}

function isAuditPublicKey(value: unknown): value is AuditPublicKey {
  return value !== null && typeof value === 'object' && 'keyId' in value && 'key' in value;
}

/**
 * Verifies an export (parsed, or its JSON Lines text). With `publicKey` the export must be signed by
 * that key; without it, the export's own key is used and the result says so (`keyFrom: 'export'`),
 * which proves integrity but not origin. Never throws.
 *
 * @example
 * ```ts
 * const result = verifyExport(readFileSync('audit.jsonl', 'utf8'), publicKeyJwk);
 * if (!result.ok) console.log(`entry ${result.index}: ${result.reason}`);
 * ```
 */
export function verifyExport(
  input: AuditExport | string,
  publicKey?: Parameters<typeof importAuditPublicKey>[0] | AuditPublicKey,
): ExportVerification {
  let exported: AuditExport;
  try {
    exported = typeof input === 'string' ? parseAuditExport(input) : input;
  } catch (error) {
    return fail('format', isVeilError(error) ? error.message : 'the export cannot be read');
  }
  if (
    exported?.format !== EXPORT_FORMAT ||
    !Array.isArray(exported.entries) ||
    !Array.isArray(exported.tree_heads)
  )
    return fail('format', `not a ${EXPORT_FORMAT} export`);
  const key = resolveKey(exported, publicKey);
  if ('ok' in key) return key;

  // Every head must be signed by the key before any entry is trusted against it.
  const heads: SignedTreeHead[] = [];
  for (const head of exported.tree_heads) {
    const size = isSignedTreeHead(head) ? head.tree_size : undefined;
    if (!verifyTreeHead(head, key))
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
  // Heads of size 0 vouch for nothing; they only need the empty root.
  const checkHeadsAt = (size: number): Failure | undefined => {
    while (nextHead < heads.length && (heads[nextHead] as SignedTreeHead).tree_size === size) {
      const head = heads[nextHead] as SignedTreeHead;
      const root = hashFromHex(head.root_hash) as Uint8Array;
      if (!constantTimeEqual(range.root(), root))
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

  for (let position = 0; position < exported.entries.length; position++) {
    const entry = exported.entries[position];
    if (entry === null || typeof entry !== 'object' || entry.index !== position) {
      const found = entry !== null && typeof entry === 'object' ? String(entry.index) : 'no entry';
      return fail(
        'sequence',
        `expected entry ${position} here, found ${found}: an entry was removed, inserted or reordered`,
        { index: position },
      );
    }
    let leafHash: Uint8Array;
    try {
      leafHash = hashLeaf(Buffer.from(canonicalAuditEvent(entry.event).canonical, 'utf8'));
    } catch (error) {
      return fail(
        'event',
        `entry ${position}: ${isVeilError(error) ? error.message : 'the event is not valid'}`,
        { index: position },
      );
    }
    const recorded = hashFromHex(entry.leaf_hash);
    if (recorded === undefined || !constantTimeEqual(recorded, leafHash))
      return fail(
        'leaf-hash',
        `entry ${position}: the event does not hash to its recorded leaf hash (the event or the hash was changed)`,
        { index: position },
      );
    range.push(leafHash);
    const problem = checkHeadsAt(range.size);
    if (problem !== undefined) return problem;
  }

  const count = exported.entries.length;
  if (nextHead < heads.length) {
    const head = heads[nextHead] as SignedTreeHead;
    return fail(
      'missing-entries',
      `a signed tree head covers ${head.tree_size} entries but the export holds ${count}: entries from ${count} on are missing`,
      {
        index: count,
        treeSize: head.tree_size,
      },
    );
  }
  if (vouched < count)
    return fail('not-covered', `entries from ${vouched} on are not covered by any signed tree head`, {
      index: vouched,
    });
  const last = heads.at(-1);
  return {
    ok: true,
    entries: count,
    treeHeads: heads.length,
    treeSize: count,
    rootHash: last?.root_hash ?? toHex(range.root()),
    keyId: key.keyId,
    keyFrom: publicKey === undefined ? 'export' : 'caller',
  };
}

/** The outcome of {@link verifyReceipt}. */
export type ReceiptVerification =
  | {
      readonly ok: true;
      readonly index: number;
      readonly treeSize: number;
      readonly keyId: string;
      readonly timestamp: number;
    }
  | { readonly ok: false; readonly problem: VerificationProblem; readonly reason: string };

/**
 * Verifies a receipt offline: the tree head is signed by `publicKey`, and the event, hashed as
 * canonical JSON, is included at its index under the head's root. Never throws.
 *
 * @example
 * ```ts
 * verifyReceipt(JSON.parse(text), publicKeyJwk); // { ok: true, index: 41, treeSize: 57, … }
 * ```
 */
export function verifyReceipt(
  receipt: unknown,
  publicKey: Parameters<typeof importAuditPublicKey>[0] | AuditPublicKey,
): ReceiptVerification {
  let key: AuditPublicKey;
  try {
    key = isAuditPublicKey(publicKey) ? publicKey : importAuditPublicKey(publicKey);
  } catch {
    return { ok: false, problem: 'key', reason: 'the public key given is not an Ed25519 key' };
  }
  if (receipt === null || typeof receipt !== 'object')
    return { ok: false, problem: 'format', reason: 'a receipt is a JSON object' };
  const r = receipt as Record<string, unknown>;
  if (r.format !== RECEIPT_FORMAT || !Array.isArray(r.inclusion_path) || typeof r.leaf_index !== 'number')
    return { ok: false, problem: 'format', reason: `not a ${RECEIPT_FORMAT} receipt` };
  const head = r.tree_head;
  if (!verifyTreeHead(head, key))
    return {
      ok: false,
      problem: 'signature',
      reason: `the tree head is not validly signed by key ${key.keyId}`,
    };
  let leafHash: Uint8Array;
  try {
    leafHash = hashLeaf(Buffer.from(canonicalAuditEvent(r.event).canonical, 'utf8'));
  } catch (error) {
    return {
      ok: false,
      problem: 'event',
      reason: isVeilError(error) ? error.message : 'the event is not valid',
    };
  }
  const path = r.inclusion_path.map(hashFromHex);
  const sth = head as SignedTreeHead;
  if (
    !path.every((h): h is Uint8Array => h !== undefined) ||
    !verifyInclusion(leafHash, r.leaf_index, sth.tree_size, path, hashFromHex(sth.root_hash) as Uint8Array)
  )
    return {
      ok: false,
      problem: 'proof',
      reason: `the event is not proven at index ${String(r.leaf_index)} under the signed root of size ${sth.tree_size}`,
    };
  return {
    ok: true,
    index: r.leaf_index,
    treeSize: sth.tree_size,
    keyId: key.keyId,
    timestamp: sth.timestamp,
  };
}

/**
 * {@link verifyReceipt} for programs that want an exception: returns the verified facts, or
 * throws with the code of what failed.
 *
 * @throws VeilError `VEIL_AUDIT_SIGNATURE_INVALID` (the head is not signed by the key),
 * `VEIL_AUDIT_PROOF_INVALID` (the event is not proven under the signed root),
 * `VEIL_AUDIT_KEY_INVALID` (not an Ed25519 key), `VEIL_AUDIT_EXPORT_INVALID` (not a receipt).
 *
 * @example
 * ```ts
 * const { index } = assertReceipt(answer.receipt, publicKeyJwk); // from DELETE /v1/jobs/:id
 * ```
 */
export function assertReceipt(
  receipt: unknown,
  publicKey: Parameters<typeof importAuditPublicKey>[0] | AuditPublicKey,
): Extract<ReceiptVerification, { ok: true }> {
  const result = verifyReceipt(receipt, publicKey);
  if (result.ok) return result;
  const code =
    result.problem === 'signature'
      ? 'VEIL_AUDIT_SIGNATURE_INVALID'
      : result.problem === 'proof'
        ? 'VEIL_AUDIT_PROOF_INVALID'
        : result.problem === 'key'
          ? 'VEIL_AUDIT_KEY_INVALID'
          : 'VEIL_AUDIT_EXPORT_INVALID';
  throw new VeilError(code, `audit receipt: ${result.reason}`);
}

/** {@link releasedOutputMatches}'s verdict. */
export type ReleasedOutputCheck =
  | { readonly ok: true; readonly kind: string; readonly jobId: string; readonly sha256: string }
  | { readonly ok: false; readonly reason: string };

/**
 * Whether `bytes` are the output an `output.released` event records: the same SHA-256 and length.
 * Check the receipt first ({@link verifyReceipt}): this only compares the file with the event.
 *
 * @example
 * ```ts
 * if (verifyReceipt(receipt, key).ok && releasedOutputMatches(receipt.event, await readFile('fields.json')).ok) trust();
 * ```
 */
export function releasedOutputMatches(event: unknown, bytes: Uint8Array): ReleasedOutputCheck {
  const e = (event ?? {}) as {
    action?: unknown;
    output?: { kind?: unknown; sha256?: unknown; bytes?: unknown };
    objects?: { kind?: unknown; id?: unknown }[];
  };
  if (e.action !== 'output.released' || typeof e.output?.sha256 !== 'string')
    return { ok: false, reason: 'the receipt is not of an `output.released` event' };
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (sha256 !== e.output.sha256 || bytes.length !== e.output.bytes)
    return {
      ok: false,
      reason: `the file (${bytes.length} bytes, sha256 ${sha256}) is not the released output (${String(e.output.bytes)} bytes, sha256 ${e.output.sha256})`,
    };
  const job = e.objects?.find((o) => o.kind === 'job');
  return { ok: true, kind: String(e.output.kind), jobId: String(job?.id), sha256 };
}

/** What {@link auditVerifyCommand} returns for the CLI to print. */
export interface AuditVerifyOutcome {
  readonly ok: boolean;
  /** 0 verified, 1 does not verify, 2 cannot be read. */
  readonly exitCode: 0 | 1 | 2;
  readonly output: string;
}

/**
 * `veil audit verify FILE [--public-key KEY]`: verifies an export (JSON Lines) or a receipt (one
 * JSON object, or a `DELETE /v1/jobs/:id` answer holding one as `receipt`) and returns the text to print. A receipt needs the public key (a JWK or SPKI PEM
 * file); an export without one is checked against its own key, and the output says so.
 *
 * @example
 * ```ts
 * const { output, exitCode } = await auditVerifyCommand('audit.jsonl', { publicKeyPath: 'audit-key.json' });
 * process.stdout.write(output);
 * process.exitCode = exitCode;
 * ```
 */
export async function auditVerifyCommand(
  path: string,
  options: { publicKeyPath?: string; outputPath?: string } = {},
): Promise<AuditVerifyOutcome> {
  const read = (file: string): Promise<string | undefined> => readFile(file, 'utf8').catch(() => undefined);
  const text = await read(path);
  if (text === undefined) return { ok: false, exitCode: 2, output: `cannot read ${path}\n` };
  const keyText = options.publicKeyPath === undefined ? undefined : await read(options.publicKeyPath);
  if (options.publicKeyPath !== undefined && keyText === undefined)
    return { ok: false, exitCode: 2, output: `cannot read ${options.publicKeyPath}\n` };
  let key: Parameters<typeof importAuditPublicKey>[0] | undefined;
  if (keyText !== undefined) {
    const trimmed = keyText.trim();
    try {
      // A JWK file (as /v1/audit/public-key serves it, possibly wrapped with the PEM), or a PEM file.
      const json = trimmed.startsWith('{') ? (JSON.parse(trimmed) as Record<string, unknown>) : undefined;
      key = json === undefined ? trimmed : ((json.jwk as JsonWebKey | undefined) ?? (json as JsonWebKey));
    } catch {
      return { ok: false, exitCode: 2, output: 'the public key file is neither a JWK nor a PEM\n' };
    }
  }
  let single: unknown;
  try {
    single = JSON.parse(text);
  } catch {
    single = undefined;
  }
  // The `veil-output-receipt` header's value saved as it came: a receipt as base64url JSON.
  if (single === undefined && /^[A-Za-z0-9_-]+$/.test(text.trim()))
    try {
      single = JSON.parse(Buffer.from(text.trim(), 'base64url').toString('utf8'));
    } catch {
      single = undefined;
    }
  // A `DELETE /v1/jobs/:id` answer saved as it came carries its receipt in a `receipt` field.
  const wrapped =
    single !== null && typeof single === 'object' ? (single as { receipt?: unknown }).receipt : undefined;
  if (
    wrapped !== null &&
    typeof wrapped === 'object' &&
    (wrapped as { format?: unknown }).format === RECEIPT_FORMAT
  )
    single = wrapped;
  if (
    single !== null &&
    typeof single === 'object' &&
    (single as { format?: unknown }).format === RECEIPT_FORMAT
  ) {
    if (key === undefined)
      return {
        ok: false,
        exitCode: 2,
        output:
          'a receipt can only be checked against the audit public key, which it does not carry: save the answer of GET /v1/audit/public-key from the service (or ask its operator for it) and pass it with --public-key FILE\n',
      };
    const result = verifyReceipt(single, key);
    if (!result.ok)
      return {
        ok: false,
        exitCode: 1,
        output: `receipt does NOT verify (${result.problem}): ${result.reason}\n`,
      };
    const verified = `receipt verified: entry ${result.index} is in the log of ${result.treeSize} entries signed by key ${result.keyId} at ${new Date(result.timestamp).toISOString()}\n`;
    if (options.outputPath === undefined) return { ok: true, exitCode: 0, output: verified };
    const bytes = await readFile(options.outputPath).catch(() => undefined);
    if (bytes === undefined) return { ok: false, exitCode: 2, output: `cannot read ${options.outputPath}\n` };
    const released = releasedOutputMatches((single as { event?: unknown }).event, bytes);
    return released.ok
      ? {
          ok: true,
          exitCode: 0,
          output: `${verified}output verified: ${options.outputPath} is the ${released.kind} output Veil released for job ${released.jobId} (${bytes.length} bytes, sha256 ${released.sha256})\n`,
        }
      : { ok: false, exitCode: 1, output: `${verified}output does NOT match: ${released.reason}\n` };
  }
  if (options.outputPath !== undefined)
    return {
      ok: false,
      exitCode: 2,
      output: `--output is checked against an output receipt (the veil-output-receipt header), and ${path} is not a receipt\n`,
    };
  const result = verifyExport(text, key);
  if (!result.ok) {
    const where = result.index === undefined ? '' : ` first bad entry: ${result.index};`;
    return {
      ok: false,
      exitCode: result.problem === 'format' ? 2 : 1,
      output: `export does NOT verify (${result.problem}):${where} ${result.reason}\n`,
    };
  }
  const trust =
    result.keyFrom === 'caller'
      ? `signed by the pinned key ${result.keyId}`
      : `signed by the export's own key ${result.keyId} (pass --public-key to check it is the operator's)`;
  return {
    ok: true,
    exitCode: 0,
    output: `export verified: ${result.entries} entries, ${result.treeHeads} signed tree heads, root ${result.rootHash}, ${trust}\n`,
  };
}
