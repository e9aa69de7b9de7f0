/**
 * The audit log's verification primitives on portable code (no node:*): hex and base64url, the
 * RFC 6962 leaf and node hashes, the RFC 9162 inclusion path and compact range, the key id (RFC
 * 7638 thumbprint) and the Ed25519 check of a signed tree head (WebCrypto where the platform has
 * it, else the bundled @noble/curves, loaded only then). The receipt and export verifiers share them.
 */
import canonicalize from 'canonicalize';
import { sha256 } from '@noble/hashes/sha2.js';

/** An Ed25519 public key as `/v1/audit/public-key` serves it (the whole answer or its `jwk`). */
export type ReceiptPublicKey =
  | { readonly kty?: unknown; readonly crv?: unknown; readonly x?: unknown }
  | { readonly jwk: { readonly kty?: unknown; readonly crv?: unknown; readonly x?: unknown } };

/** Which Ed25519 implementation to use: the platform's WebCrypto when it has one (default), or the bundled one. */
export type Ed25519Engine = 'auto' | 'webcrypto' | 'bundled';

/** A signed tree head's fields, exactly. */
export interface SignedHead {
  readonly tree_size: number;
  readonly root_hash: string;
  readonly timestamp: number;
  readonly key_id: string;
  readonly signature: string;
}

const TREE_HEAD_TYPE = 'veil.audit.tree_head.v1';
/** The largest canonical event the log accepts, in bytes. */
export const MAX_EVENT_BYTES = 4096;
const HASH_BYTES = 32;
// The order of the Ed25519 base point: a signature's S must be below it (RFC 8032 §5.1.7).
const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const encoder = new TextEncoder();

export function fromHex(value: unknown): Uint8Array | undefined {
  if (typeof value !== 'string' || !/^[0-9a-f]{64}$/.test(value)) return undefined;
  const out = new Uint8Array(HASH_BYTES);
  for (let i = 0; i < HASH_BYTES; i++) out[i] = parseInt(value.slice(i * 2, i * 2 + 2), 16);
  return out;
}

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

export function toBase64url(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += B64URL[(n >> 18) & 63]! + B64URL[(n >> 12) & 63]!;
    if (i + 1 < bytes.length) out += B64URL[(n >> 6) & 63]!;
    if (i + 2 < bytes.length) out += B64URL[n & 63]!;
  }
  return out;
}

export function fromBase64url(text: string): Uint8Array | undefined {
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

export function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

export const leafHash = (data: Uint8Array): Uint8Array => sha256(concat(new Uint8Array([0]), data));
export const nodeHash = (left: Uint8Array, right: Uint8Array): Uint8Array =>
  sha256(concat(new Uint8Array([1]), left, right));

/** RFC 9162 §2.1.3.2: the root an inclusion path leads to from `leaf` at `index` of `size`. */
export function inclusionRoot(
  leaf: Uint8Array,
  index: number,
  size: number,
  path: readonly Uint8Array[],
): Uint8Array | undefined {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size)
    return undefined;
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

export function publicKeyBytes(input: ReceiptPublicKey): { raw: Uint8Array; keyId: string } | undefined {
  const jwk = (input !== null && typeof input === 'object' && 'jwk' in input ? input.jwk : input) as {
    kty?: unknown;
    crv?: unknown;
    x?: unknown;
  } | null;
  if (
    jwk === null ||
    typeof jwk !== 'object' ||
    jwk.kty !== 'OKP' ||
    jwk.crv !== 'Ed25519' ||
    typeof jwk.x !== 'string'
  )
    return undefined;
  const raw = fromBase64url(jwk.x);
  if (raw === undefined || raw.length !== 32) return undefined;
  // RFC 7638: SHA-256 of the required members in canonical order.
  const thumbprint = sha256(encoder.encode(canonicalize({ crv: 'Ed25519', kty: 'OKP', x: jwk.x }) as string));
  return { raw, keyId: toBase64url(thumbprint) };
}

/** The part of WebCrypto used here, typed structurally so this module needs no DOM or Node types. */
interface Ed25519Subtle {
  importKey(
    format: 'raw',
    key: Uint8Array,
    algorithm: { name: 'Ed25519' },
    extractable: false,
    usages: ['verify'],
  ): Promise<unknown>;
  verify(
    algorithm: { name: 'Ed25519' },
    key: unknown,
    signature: Uint8Array,
    data: Uint8Array,
  ): Promise<boolean>;
}

async function ed25519Verify(
  engine: Ed25519Engine,
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
): Promise<boolean> {
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

export function isSignedHead(value: unknown): value is SignedHead {
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
 * True when `head` is signed by `key` (its key id, a canonical 64-byte signature with S < L, over
 * the canonical JSON of the head).
 */
export async function verifyHeadSignature(
  head: SignedHead,
  key: { raw: Uint8Array; keyId: string },
  engine: Ed25519Engine,
): Promise<boolean> {
  if (head.key_id !== key.keyId) return false;
  const signature = fromBase64url(head.signature);
  if (signature === undefined || signature.length !== 64) return false;
  let s = 0n;
  for (let i = 63; i >= 32; i--) s = (s << 8n) | BigInt(signature[i]!);
  if (s >= L) return false;
  const message = encoder.encode(
    canonicalize({
      type: TREE_HEAD_TYPE,
      key_id: head.key_id,
      tree_size: head.tree_size,
      root_hash: head.root_hash,
      timestamp: head.timestamp,
    }) as string,
  );
  return ed25519Verify(engine, key.raw, message, signature);
}

/** The leaf hash of an event as the log hashes it: canonical JSON (with `v: 1` when absent), at most {@link MAX_EVENT_BYTES}. */
export function eventLeafHash(event: unknown): Uint8Array | undefined {
  if (event === null || typeof event !== 'object' || Array.isArray(event)) return undefined;
  let canonical: string | undefined;
  try {
    canonical = canonicalize('v' in event ? event : { v: 1, ...event });
  } catch {
    return undefined;
  }
  const bytes = canonical === undefined ? undefined : encoder.encode(canonical);
  return bytes === undefined || bytes.length > MAX_EVENT_BYTES ? undefined : leafHash(bytes);
}

/** RFC 9162 compact range: the root of the leaves pushed so far, in one pass. */
export class CompactRange {
  readonly #nodes: Uint8Array[] = [];
  #size = 0;

  get size(): number {
    return this.#size;
  }

  push(leaf: Uint8Array): void {
    let node = leaf;
    for (let s = this.#size; s % 2 === 1; s = (s - 1) / 2) node = nodeHash(this.#nodes.pop()!, node);
    this.#nodes.push(node);
    this.#size += 1;
  }

  root(): Uint8Array {
    const last = this.#nodes.length - 1;
    if (last < 0) return sha256(new Uint8Array(0));
    let root = this.#nodes[last]!;
    for (let i = last - 1; i >= 0; i--) root = nodeHash(this.#nodes[i]!, root);
    return root;
  }
}

/** Lower-case hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
