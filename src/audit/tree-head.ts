/**
 * Signed tree heads: the log operator's Ed25519 signature over (tree size, root hash, time). An
 * auditor who keeps one can later hold the operator to it: every later head must be consistent
 * with it, and every entry it covers has an inclusion proof against its root.
 *
 * The signed bytes are the RFC 8785 canonical JSON of the head with a type tag and the key id, so
 * that any JSON tool can rebuild them and a signature made for something else never verifies here.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
} from 'node:crypto';
import type { JsonWebKey, KeyObject } from 'node:crypto';
import { VeilError } from '../errors/veil-error.js';
import { canonicalJson } from './canonical.js';
import { HASH_BYTES, hashFromHex } from './encoding.js';

/** What a tree head states: the log held `tree_size` entries with root `root_hash` at `timestamp`. */
export interface TreeHead {
  /** The number of entries covered. */
  readonly tree_size: number;
  /** MTH of those entries, 64 lower-case hex digits. */
  readonly root_hash: string;
  /** When it was signed, in milliseconds since the Unix epoch (UTC). */
  readonly timestamp: number;
}

/** A tree head with the signer's key id and its Ed25519 signature (base64url, 64 bytes). */
export interface SignedTreeHead extends TreeHead {
  readonly key_id: string;
  readonly signature: string;
}

/** The public half of an audit signing key, as verifiers hold it. */
export interface AuditPublicKey {
  /** RFC 7638 JWK thumbprint (SHA-256, base64url) of the public key. */
  readonly keyId: string;
  readonly key: KeyObject;
}

/**
 * Whatever signs tree heads. A key pair in memory implements it ({@link createAuditSigner}); a
 * KMS or the keyring can too, as long as it signs with Ed25519.
 */
export interface AuditSigner extends AuditPublicKey {
  sign(message: Uint8Array): Uint8Array | Promise<Uint8Array>;
}

/** An Ed25519 key pair for signing tree heads. */
export interface AuditKeyPair extends AuditPublicKey {
  readonly privateKey: KeyObject;
}

const TYPE = 'veil.audit.tree_head.v1';
const SIGNATURE_BYTES = 64;
// The order of the Ed25519 base point. RFC 8032 §5.1.7 requires S < L; checking it here keeps
// signatures non-malleable whatever the OpenSSL build underneath does.
const L = 2n ** 252n + 27742317777372353535851937790883648493n;

function keyError(what: string, cause?: unknown): VeilError {
  return new VeilError(
    'VEIL_AUDIT_KEY_INVALID',
    `audit key: ${what}`,
    cause === undefined ? undefined : { cause },
  );
}

function requireEd25519(key: KeyObject, type: 'public' | 'private'): KeyObject {
  if (key.type !== type || key.asymmetricKeyType !== 'ed25519')
    throw keyError(`expected an Ed25519 ${type} key`);
  return key;
}

/**
 * The key id of an Ed25519 public key: its RFC 7638 JWK thumbprint.
 *
 * @example
 * ```ts
 * auditKeyId(keyPair.key); // 'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k'
 * ```
 */
export function auditKeyId(publicKey: KeyObject): string {
  const jwk = requireEd25519(publicKey, 'public').export({ format: 'jwk' });
  const members = canonicalJson({ crv: jwk.crv, kty: jwk.kty, x: jwk.x });
  return createHash('sha256').update(members, 'utf8').digest('base64url');
}

/**
 * Makes a new Ed25519 key pair for signing tree heads.
 *
 * @example
 * ```ts
 * const keyPair = generateAuditKeyPair();
 * const log = new AuditLog({ store, signer: createAuditSigner(keyPair) });
 * ```
 */
export function generateAuditKeyPair(): AuditKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return { keyId: auditKeyId(publicKey), key: publicKey, privateKey };
}

/**
 * Loads a signing key from PKCS#8 PEM (as `exportAuditPrivateKey` writes it) or a private JWK.
 *
 * @example
 * ```ts
 * const keyPair = importAuditPrivateKey(readFileSync('audit-signing.pem', 'utf8'));
 * ```
 */
export function importAuditPrivateKey(input: string | JsonWebKey | KeyObject): AuditKeyPair {
  let privateKey: KeyObject;
  try {
    privateKey =
      typeof input === 'string'
        ? createPrivateKey(input)
        : 'type' in input && typeof input.type === 'string' && 'export' in input
          ? (input as KeyObject)
          : createPrivateKey({ key: input as JsonWebKey, format: 'jwk' });
  } catch (cause) {
    throw keyError('the private key cannot be read (expected PKCS#8 PEM or a JWK)', cause);
  }
  requireEd25519(privateKey, 'private');
  const publicKey = createPublicKey(privateKey);
  return { keyId: auditKeyId(publicKey), key: publicKey, privateKey };
}

/**
 * PKCS#8 PEM of a signing key, for the key file or a secret store.
 *
 * @example
 * ```ts
 * writeFileSync('audit-signing.pem', exportAuditPrivateKey(keyPair), { mode: 0o600 });
 * ```
 */
export function exportAuditPrivateKey(keyPair: AuditKeyPair): string {
  return keyPair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
}

/**
 * Loads a verifier's public key from SPKI PEM, a JWK (as `/v1/audit/public-key` serves it), raw
 * 32 bytes, or a KeyObject.
 *
 * @example
 * ```ts
 * const publicKey = importAuditPublicKey(await (await fetch(url)).json());
 * ```
 */
export function importAuditPublicKey(input: string | JsonWebKey | Uint8Array | KeyObject): AuditPublicKey {
  let key: KeyObject;
  try {
    if (typeof input === 'string') key = createPublicKey(input);
    else if (input instanceof Uint8Array) {
      if (input.length !== 32) throw keyError('a raw Ed25519 public key is 32 bytes');
      key = createPublicKey({
        key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(input).toString('base64url') },
        format: 'jwk',
      });
    } else if ('asymmetricKeyType' in input && 'export' in input) key = input as KeyObject;
    else {
      const { kty, crv, x } = input as JsonWebKey;
      // Only the public members: a JWK that also carries `d` must not turn into a private key here.
      key = createPublicKey({ key: { kty, crv, x }, format: 'jwk' });
    }
  } catch (cause) {
    if (cause instanceof VeilError) throw cause;
    throw keyError('the public key cannot be read (expected SPKI PEM, a JWK or 32 raw bytes)', cause);
  }
  if (key.type === 'private') key = createPublicKey(key);
  requireEd25519(key, 'public');
  return { keyId: auditKeyId(key), key };
}

/**
 * The public key in the forms `/v1/audit/public-key` serves: a JWK (with `kid`, `alg`, `use`) and
 * SPKI PEM.
 *
 * @example
 * ```ts
 * reply.send(exportAuditPublicKey(signer)); // { key_id, jwk: { kty: 'OKP', crv: 'Ed25519', x, kid, alg: 'EdDSA', use: 'sig' }, pem }
 * ```
 */
export function exportAuditPublicKey(publicKey: AuditPublicKey): {
  key_id: string;
  jwk: { kty: string; crv: string; x: string; kid: string; alg: 'EdDSA'; use: 'sig' };
  pem: string;
} {
  const jwk = publicKey.key.export({ format: 'jwk' });
  return {
    key_id: publicKey.keyId,
    jwk: {
      kty: String(jwk.kty),
      crv: String(jwk.crv),
      x: String(jwk.x),
      kid: publicKey.keyId,
      alg: 'EdDSA',
      use: 'sig',
    },
    pem: publicKey.key.export({ format: 'pem', type: 'spki' }).toString(),
  };
}

/**
 * A signer over an in-memory key pair.
 *
 * @example
 * ```ts
 * const signer = createAuditSigner(generateAuditKeyPair());
 * ```
 */
export function createAuditSigner(keyPair: AuditKeyPair): AuditSigner {
  const { keyId, key, privateKey } = keyPair;
  return { keyId, key, sign: (message) => new Uint8Array(sign(null, message, privateKey)) };
}

/**
 * Ed25519 verification (RFC 8032) as Veil applies it everywhere: the signature must be exactly 64
 * bytes with S < L, and any malformed input is a plain `false`, never an exception.
 *
 * @example
 * ```ts
 * verifyEd25519(publicKey.key, message, signature); // true or false
 * ```
 */
export function verifyEd25519(publicKey: KeyObject, message: Uint8Array, signature: Uint8Array): boolean {
  if (!(signature instanceof Uint8Array) || signature.length !== SIGNATURE_BYTES) return false;
  if (publicKey.type !== 'public' || publicKey.asymmetricKeyType !== 'ed25519') return false;
  let s = 0n;
  for (let i = SIGNATURE_BYTES - 1; i >= 32; i--) s = (s << 8n) | BigInt(signature[i] as number);
  if (s >= L) return false;
  try {
    return verify(null, message, publicKey, signature);
  } catch {
    return false;
  }
}

/**
 * The exact bytes a tree head's signature covers.
 *
 * @example
 * ```ts
 * treeHeadMessage(head, keyId); // '{"key_id":"…","root_hash":"…","timestamp":…,"tree_size":…,"type":"veil.audit.tree_head.v1"}'
 * ```
 */
export function treeHeadMessage(head: TreeHead, keyId: string): Uint8Array {
  return Buffer.from(
    canonicalJson({
      type: TYPE,
      key_id: keyId,
      tree_size: head.tree_size,
      root_hash: head.root_hash,
      timestamp: head.timestamp,
    }),
    'utf8',
  );
}

/**
 * Signs a tree head.
 *
 * @example
 * ```ts
 * const sth = await signTreeHead({ tree_size: 8, root_hash: toHex(root), timestamp: Date.now() }, signer);
 * ```
 */
export async function signTreeHead(head: TreeHead, signer: AuditSigner): Promise<SignedTreeHead> {
  if (!isTreeHead(head))
    throw new VeilError(
      'VEIL_INVALID_INPUT',
      'audit: a tree head needs a whole tree_size, a 64-hex root_hash and a whole timestamp',
    );
  const signature = await signer.sign(treeHeadMessage(head, signer.keyId));
  return {
    tree_size: head.tree_size,
    root_hash: head.root_hash,
    timestamp: head.timestamp,
    key_id: signer.keyId,
    signature: Buffer.from(signature).toString('base64url'),
  };
}

function isTreeHead(head: unknown): head is TreeHead {
  if (head === null || typeof head !== 'object') return false;
  const h = head as Record<string, unknown>;
  return (
    Number.isSafeInteger(h.tree_size) &&
    (h.tree_size as number) >= 0 &&
    hashFromHex(h.root_hash)?.length === HASH_BYTES &&
    Number.isSafeInteger(h.timestamp) &&
    (h.timestamp as number) >= 0
  );
}

/**
 * True when `value` has the shape of a signed tree head (it says nothing about the signature).
 *
 * @example
 * ```ts
 * if (!isSignedTreeHead(json)) throw new Error('not a tree head');
 * ```
 */
export function isSignedTreeHead(value: unknown): value is SignedTreeHead {
  if (!isTreeHead(value)) return false;
  const h = value as unknown as Record<string, unknown>;
  const keys = Object.keys(h).sort().join(',');
  return (
    keys === 'key_id,root_hash,signature,timestamp,tree_size' &&
    typeof h.key_id === 'string' &&
    typeof h.signature === 'string' &&
    /^[A-Za-z0-9_-]{86}$/.test(h.signature)
  );
}

/**
 * Verifies a signed tree head under `publicKey`: well formed, made by that key (key id), and the
 * signature holds. Never throws.
 *
 * @example
 * ```ts
 * verifyTreeHead(sth, importAuditPublicKey(jwk)); // true or false
 * ```
 */
export function verifyTreeHead(sth: unknown, publicKey: AuditPublicKey): boolean {
  if (!isSignedTreeHead(sth) || sth.key_id !== publicKey.keyId) return false;
  const signature = Buffer.from(sth.signature, 'base64url');
  // base64url decoding is lenient about the last character's spare bits; demand the canonical form.
  if (signature.toString('base64url') !== sth.signature) return false;
  return verifyEd25519(publicKey.key, treeHeadMessage(sth, sth.key_id), new Uint8Array(signature));
}
