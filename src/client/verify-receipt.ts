/**
 * Offline verification of a deletion receipt, in a browser or in Node, with no server code: the
 * same checks as `veil audit verify` (src/audit/verify.ts), rebuilt on portable parts, because the
 * CLI's verifier is built on node:crypto (KeyObject, createHash) and node:fs and cannot run in a
 * browser. A test runs both over the same receipts, genuine and tampered, and they must agree.
 *
 * - The key: an Ed25519 JWK; its key id is the RFC 7638 thumbprint, as the server computes it.
 * - The tree head: exactly the signed fields, signed by that key id, a canonical 64-byte
 *   base64url signature with S < L (non-malleable), over the RFC 8785 canonical JSON of the head.
 * - The event: RFC 8785 canonical JSON, at most 4096 bytes, hashed as an RFC 6962 leaf.
 * - The proof: RFC 9162 inclusion of that leaf at its index under the signed root.
 *
 * Ed25519 runs on WebCrypto where the platform has it (Node 20, current browsers), else on the
 * bundled @noble/curves, loaded only then. The CLI also checks the event against the audit event
 * schema; this verifier checks only that the event is what the log signed, which is what a
 * receipt proves.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import {
  equal,
  eventLeafHash,
  fromBase64url,
  fromHex,
  inclusionRoot,
  isSignedHead,
  publicKeyBytes,
  toHex,
  verifyHeadSignature,
} from './audit-crypto.js';
import type { Ed25519Engine, ReceiptPublicKey } from './audit-crypto.js';

export type { Ed25519Engine, ReceiptPublicKey } from './audit-crypto.js';

/** Why a receipt does not verify (the CLI's names). */
export type ReceiptProblem = 'format' | 'key' | 'signature' | 'event' | 'proof' | 'output';

/** The outcome of {@link verifyReceipt}. */
export type ReceiptVerification =
  | {
      readonly ok: true;
      readonly index: number;
      readonly treeSize: number;
      readonly keyId: string;
      readonly timestamp: number;
    }
  | { readonly ok: false; readonly problem: ReceiptProblem; readonly reason: string };

const RECEIPT_FORMAT = 'veil.audit.receipt.v1';

/**
 * Verifies a receipt against the audit public key, offline. Never throws.
 *
 * @example
 * ```ts
 * const { receipt } = await client.deleteJob(jobId);
 * const key = await (await fetch(`${baseUrl}/v1/audit/public-key`)).json(); // pin it once, keep it
 * const result = await verifyReceipt(receipt, key); // { ok: true, index: 41, treeSize: 57, keyId, timestamp }
 * ```
 */
export async function verifyReceipt(
  receipt: unknown,
  publicKey: ReceiptPublicKey,
  options: { readonly engine?: Ed25519Engine } = {},
): Promise<ReceiptVerification> {
  const key = publicKeyBytes(publicKey);
  if (key === undefined)
    return { ok: false, problem: 'key', reason: 'the public key given is not an Ed25519 key' };
  if (receipt === null || typeof receipt !== 'object')
    return { ok: false, problem: 'format', reason: 'a receipt is a JSON object' };
  const r = receipt as Record<string, unknown>;
  if (r.format !== RECEIPT_FORMAT || !Array.isArray(r.inclusion_path) || typeof r.leaf_index !== 'number')
    return { ok: false, problem: 'format', reason: `not a ${RECEIPT_FORMAT} receipt` };
  const head = r.tree_head;
  if (!isSignedHead(head) || !(await verifyHeadSignature(head, key, options.engine ?? 'auto')))
    return {
      ok: false,
      problem: 'signature',
      reason: `the tree head is not validly signed by key ${key.keyId}`,
    };
  const leaf = eventLeafHash(r.event);
  if (leaf === undefined)
    return {
      ok: false,
      problem: 'event',
      reason: 'audit event: not a JSON object of at most 4096 bytes as canonical JSON',
    };
  const path = r.inclusion_path.map(fromHex);
  const root = path.every((h): h is Uint8Array => h !== undefined)
    ? inclusionRoot(leaf, r.leaf_index, head.tree_size, path)
    : undefined;
  if (root === undefined || !equal(root, fromHex(head.root_hash)!))
    return {
      ok: false,
      problem: 'proof',
      reason: `the event is not proven at index ${String(r.leaf_index)} under the signed root of size ${head.tree_size}`,
    };
  return {
    ok: true,
    index: r.leaf_index,
    treeSize: head.tree_size,
    keyId: key.keyId,
    timestamp: head.timestamp,
  };
}

/** The response header of every released output: its `output.released` receipt, base64url JSON. */
export const OUTPUT_RECEIPT_HEADER = 'veil-output-receipt';

/**
 * The receipt a `veil-output-receipt` header carries, or undefined when the value is not one.
 *
 * @example
 * ```ts
 * const receipt = decodeOutputReceipt(response.headers.get('veil-output-receipt'));
 * ```
 */
export function decodeOutputReceipt(header: string | null | undefined): unknown {
  const bytes = header ? fromBase64url(header.trim()) : undefined;
  if (bytes === undefined) return undefined;
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Verifies an output receipt offline, as {@link verifyReceipt} does, and that `output` is the
 * output it records: an `output.released` event whose SHA-256 and length are those of `output`
 * (the body exactly as received: document bytes, or the JSON answer's bytes). Never throws.
 *
 * @example
 * ```ts
 * const res = await fetch(`${base}/v1/jobs/${id}/fields`, { headers });
 * const body = new Uint8Array(await res.arrayBuffer());
 * const result = await verifyOutputReceipt(decodeOutputReceipt(res.headers.get(OUTPUT_RECEIPT_HEADER)), key, body);
 * result.ok; // true: this body is what the service recorded releasing
 * ```
 */
export async function verifyOutputReceipt(
  receipt: unknown,
  publicKey: ReceiptPublicKey,
  output: Uint8Array,
  options: { readonly engine?: Ed25519Engine } = {},
): Promise<ReceiptVerification> {
  const result = await verifyReceipt(receipt, publicKey, options);
  if (!result.ok) return result;
  const event = (receipt as { event: { action?: unknown; output?: { sha256?: unknown; bytes?: unknown } } })
    .event;
  if (event.action !== 'output.released' || event.output === undefined)
    return { ok: false, problem: 'output', reason: 'the receipt is not of an `output.released` event' };
  const hash = toHex(sha256(output));
  if (hash !== event.output.sha256 || output.length !== event.output.bytes)
    return {
      ok: false,
      problem: 'output',
      reason: `the output (${output.length} bytes, sha256 ${hash}) is not the one released (${String(event.output.bytes)} bytes)`,
    };
  return result;
}
