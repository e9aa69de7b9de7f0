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
import canonicalize from 'canonicalize';
import { sha256 } from '@noble/hashes/sha2.js';

/** Why a receipt does not verify (the CLI's names). */
export type ReceiptProblem = 'format' | 'key' | 'signature' | 'event' | 'proof';

/** The outcome of {@link verifyReceipt}. */
export type ReceiptVerification =
  | { readonly ok: true; readonly index: number; readonly treeSize: number; readonly keyId: string; readonly timestamp: number }
  | { readonly ok: false; readonly problem: ReceiptProblem; readonly reason: string };

/** An Ed25519 public key as `/v1/audit/public-key` serves it (the whole answer or its `jwk`). */
export type ReceiptPublicKey = { readonly kty?: unknown; readonly crv?: unknown; readonly x?: unknown } | { readonly jwk: { readonly kty?: unknown; readonly crv?: unknown; readonly x?: unknown } };

/** Which Ed25519 implementation to use: the platform's WebCrypto when it has one (default), or the bundled one. */
export type Ed25519Engine = 'auto' | 'webcrypto' | 'bundled';

const RECEIPT_FORMAT = 'veil.audit.receipt.v1';
const TREE_HEAD_TYPE = 'veil.audit.tree_head.v1';
const MAX_EVENT_BYTES = 4096;
const HASH_BYTES = 32;
// The order of the Ed25519 base point: a signature's S must be below it (RFC 8032 §5.1.7).
const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const encoder = new TextEncoder();

function fromHex(value: unknown): Uint8Array | undefined {
  if (typeof value !== 'string' || !/^[0-9a-f]{64}$/.test(value)) return undefined;
  const out = new Uint8Array(HASH_BYTES);
  for (let i = 0; i < HASH_BYTES; i++) out[i] = parseInt(value.slice(i * 2, i * 2 + 2), 16);
  return out;
}

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function toBase64url(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += B64URL[(n >> 18) & 63]! + B64URL[(n >> 12) & 63]!;
    if (i + 1 < bytes.length) out += B64URL[(n >> 6) & 63]!;
    if (i + 2 < bytes.length) out += B64URL[n & 63]!;
  }
  return out;
}

function fromBase64url(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return undefined;
  const bytes: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const char of text) {
    buffer = (buffer << 6) | B64URL.indexOf(char);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((buffer >> bits) & 0xff);
    }
  }
  const out = new Uint8Array(bytes);
  // Lenient decoders accept stray bits in the last character; only the canonical form counts.
  return toBase64url(out) === text ? out : undefined;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

const leafHash = (data: Uint8Array): Uint8Array => sha256(concat(new Uint8Array([0]), data));
const nodeHash = (left: Uint8Array, right: Uint8Array): Uint8Array => sha256(concat(new Uint8Array([1]), left, right));

/** RFC 9162 §2.1.3.2: the root an inclusion path leads to from `leaf` at `index` of `size`. */
function inclusionRoot(leaf: Uint8Array, index: number, size: number, path: readonly Uint8Array[]): Uint8Array | undefined {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return undefined;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of path) {
    if (sn === 0) return undefined;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : undefined;
}

function publicKeyBytes(input: ReceiptPublicKey): { raw: Uint8Array; keyId: string } | undefined {
  const jwk = (input !== null && typeof input === 'object' && 'jwk' in input ? input.jwk : input) as { kty?: unknown; crv?: unknown; x?: unknown } | null;
  if (jwk === null || typeof jwk !== 'object' || jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') return undefined;
  const raw = fromBase64url(jwk.x);
  if (raw === undefined || raw.length !== 32) return undefined;
  // RFC 7638: SHA-256 of the required members in canonical order.
  const thumbprint = sha256(encoder.encode(canonicalize({ crv: 'Ed25519', kty: 'OKP', x: jwk.x }) as string));
  return { raw, keyId: toBase64url(thumbprint) };
}

/** The part of WebCrypto used here, typed structurally so this module needs no DOM or Node types. */
interface Ed25519Subtle {
  importKey(format: 'raw', key: Uint8Array, algorithm: { name: 'Ed25519' }, extractable: false, usages: ['verify']): Promise<unknown>;
  verify(algorithm: { name: 'Ed25519' }, key: unknown, signature: Uint8Array, data: Uint8Array): Promise<boolean>;
}

async function ed25519Verify(engine: Ed25519Engine, publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean> {
  const subtle = (globalThis as { crypto?: { subtle?: Ed25519Subtle } }).crypto?.subtle;
  if (engine !== 'bundled' && subtle !== undefined) {
    try {
      const key = await subtle.importKey('raw', publicKey, { name: 'Ed25519' }, false, ['verify']);
      return await subtle.verify({ name: 'Ed25519' }, key, signature, message);
    } catch (error) {
      // An invalid point is a failed verification; an unknown algorithm means no Ed25519 here.
      if (engine === 'webcrypto' || (error as { name?: unknown } | null)?.name === 'DataError') return false;
    }
  }
  // Loaded only when the platform lacks Ed25519, so a current browser never downloads it.
  const { ed25519 } = await import('@noble/curves/ed25519.js');
  try {
    return ed25519.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
}

function isSignedHead(value: unknown): value is { tree_size: number; root_hash: string; timestamp: number; key_id: string; signature: string } {
  if (value === null || typeof value !== 'object') return false;
  const h = value as Record<string, unknown>;
  return (
    Object.keys(h).sort().join(',') === 'key_id,root_hash,signature,timestamp,tree_size' &&
    Number.isSafeInteger(h.tree_size) &&
    (h.tree_size as number) >= 0 &&
    fromHex(h.root_hash) !== undefined &&
    Number.isSafeInteger(h.timestamp) &&
    (h.timestamp as number) >= 0 &&
    typeof h.key_id === 'string' &&
    typeof h.signature === 'string' &&
    /^[A-Za-z0-9_-]{86}$/.test(h.signature)
  );
}

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
export async function verifyReceipt(receipt: unknown, publicKey: ReceiptPublicKey, options: { readonly engine?: Ed25519Engine } = {}): Promise<ReceiptVerification> {
  const key = publicKeyBytes(publicKey);
  if (key === undefined) return { ok: false, problem: 'key', reason: 'the public key given is not an Ed25519 key' };
  if (receipt === null || typeof receipt !== 'object') return { ok: false, problem: 'format', reason: 'a receipt is a JSON object' };
  const r = receipt as Record<string, unknown>;
  if (r.format !== RECEIPT_FORMAT || !Array.isArray(r.inclusion_path) || typeof r.leaf_index !== 'number')
    return { ok: false, problem: 'format', reason: `not a ${RECEIPT_FORMAT} receipt` };
  const head = r.tree_head;
  const signature = isSignedHead(head) ? fromBase64url(head.signature) : undefined;
  let s = 0n;
  for (let i = 63; i >= 32 && signature !== undefined; i--) s = (s << 8n) | BigInt(signature[i]!);
  if (
    !isSignedHead(head) ||
    head.key_id !== key.keyId ||
    signature === undefined ||
    signature.length !== 64 ||
    s >= L ||
    !(await ed25519Verify(
      options.engine ?? 'auto',
      key.raw,
      encoder.encode(canonicalize({ type: TREE_HEAD_TYPE, key_id: head.key_id, tree_size: head.tree_size, root_hash: head.root_hash, timestamp: head.timestamp }) as string),
      signature,
    ))
  )
    return { ok: false, problem: 'signature', reason: `the tree head is not validly signed by key ${key.keyId}` };
  const event = r.event;
  if (event === null || typeof event !== 'object' || Array.isArray(event)) return { ok: false, problem: 'event', reason: 'audit event: (event): not an object' };
  let canonical: string | undefined;
  try {
    canonical = canonicalize('v' in event ? event : { v: 1, ...event });
  } catch {
    canonical = undefined;
  }
  const bytes = canonical === undefined ? undefined : encoder.encode(canonical);
  if (bytes === undefined || bytes.length > MAX_EVENT_BYTES) return { ok: false, problem: 'event', reason: 'audit event: not canonical JSON of at most 4096 bytes' };
  const path = r.inclusion_path.map(fromHex);
  const root = path.every((h): h is Uint8Array => h !== undefined) ? inclusionRoot(leafHash(bytes), r.leaf_index, head.tree_size, path) : undefined;
  if (root === undefined || !equal(root, fromHex(head.root_hash)!))
    return { ok: false, problem: 'proof', reason: `the event is not proven at index ${String(r.leaf_index)} under the signed root of size ${head.tree_size}` };
  return { ok: true, index: r.leaf_index, treeSize: head.tree_size, keyId: key.keyId, timestamp: head.timestamp };
}
