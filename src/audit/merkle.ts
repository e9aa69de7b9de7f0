/**
 * The Merkle tree of RFC 6962 / RFC 9162 §2.1: hashing, the tree head (MTH), inclusion proofs
 * (PATH), consistency proofs (PROOF) and their verification.
 *
 * Proofs are computed from stored leaf hashes. A log of a million entries must not rehash a
 * million leaves per proof, and the log is append-only, so the hash of every complete, aligned
 * subtree never changes once it exists: {@link MerkleTree} caches those of 256 leaves and above
 * (about 2 hashes per 256 leaves) and reads at most one or two 256-leaf tiles from the source per
 * proof.
 */
import * as nodeCrypto from 'node:crypto';
import { constantTimeEqual } from '../crypto/hmac.js';
import { VeilError } from '../errors/veil-error.js';
import { HASH_BYTES } from './encoding.js';

// crypto.hash (Node ≥ 20.12) is one native call per digest, about twice as fast as createHash
// for the small inputs a Merkle tree hashes; older Node falls back.
const oneShot = (nodeCrypto as { hash?: (algorithm: string, data: Uint8Array, encoding: 'buffer') => Buffer })
  .hash;
function sha256(data: Uint8Array): Uint8Array {
  return oneShot !== undefined
    ? oneShot('sha256', data, 'buffer')
    : nodeCrypto.createHash('sha256').update(data).digest();
}

/** MTH({}): the root of the empty tree, SHA-256 of the empty string. */
export const EMPTY_ROOT: Uint8Array = sha256(new Uint8Array(0));

/**
 * The leaf hash of RFC 6962: SHA-256(0x00 ‖ data).
 *
 * @example
 * ```ts
 * hashLeaf(new Uint8Array()); // 6e340b9c…a01d
 * ```
 */
export function hashLeaf(data: Uint8Array): Uint8Array {
  const input = new Uint8Array(data.length + 1);
  input.set(data, 1);
  return sha256(input);
}

// Reused for every interior node: hashing is the hot loop of building and verifying a tree.
const NODE_INPUT = new Uint8Array(1 + 2 * HASH_BYTES);
NODE_INPUT[0] = 0x01;

/**
 * The interior node hash of RFC 6962: SHA-256(0x01 ‖ left ‖ right).
 *
 * @example
 * ```ts
 * const parent = hashChildren(hashLeaf(a), hashLeaf(b));
 * ```
 */
export function hashChildren(left: Uint8Array, right: Uint8Array): Uint8Array {
  if (left.length === HASH_BYTES && right.length === HASH_BYTES) {
    NODE_INPUT.set(left, 1);
    NODE_INPUT.set(right, 1 + HASH_BYTES);
    return sha256(NODE_INPUT);
  }
  const input = new Uint8Array(1 + left.length + right.length);
  input[0] = 0x01;
  input.set(left, 1);
  input.set(right, 1 + left.length);
  return sha256(input);
}

/** Where a tree's leaf hashes come from: memory in tests and library use, the database in a server. */
export interface LeafHashSource {
  /** The number of leaves now in the log. */
  size(): Promise<number>;
  /** The leaf hashes of indices `from` (inclusive) to `to` (exclusive), in order. */
  leafHashes(from: number, to: number): Promise<Uint8Array[]>;
}

function isSize(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

function isHash(h: unknown): h is Uint8Array {
  return h instanceof Uint8Array && h.length === HASH_BYTES;
}

function checkRange(from: number, to: number, size: number): void {
  if (!isSize(from) || !isSize(to) || from > to || to > size)
    throw new VeilError(
      'VEIL_AUDIT_OUT_OF_RANGE',
      `audit: leaf range [${String(from)}, ${String(to)}) is outside the log of ${size} leaves`,
    );
}

/**
 * Leaf hashes in one contiguous buffer: 32 bytes a leaf, so a million leaves take 32 MB rather than a
 * million small objects.
 *
 * @example
 * ```ts
 * const source = new MemoryLeafHashSource();
 * source.push(hashLeaf(bytes));
 * const tree = new MerkleTree(source);
 * ```
 */
export class MemoryLeafHashSource implements LeafHashSource {
  #buffer = new Uint8Array(HASH_BYTES * 1024);
  #count = 0;

  /** Appends one leaf hash and returns its index. */
  push(leafHash: Uint8Array): number {
    if (!isHash(leafHash)) throw new VeilError('VEIL_INVALID_INPUT', 'audit: a leaf hash must be 32 bytes');
    if ((this.#count + 1) * HASH_BYTES > this.#buffer.length) {
      const grown = new Uint8Array(this.#buffer.length * 2);
      grown.set(this.#buffer);
      this.#buffer = grown;
    }
    this.#buffer.set(leafHash, this.#count * HASH_BYTES);
    return this.#count++;
  }

  /** The number of leaves, synchronously. */
  get length(): number {
    return this.#count;
  }

  async size(): Promise<number> {
    return this.#count;
  }

  async leafHashes(from: number, to: number): Promise<Uint8Array[]> {
    checkRange(from, to, this.#count);
    const out: Uint8Array[] = [];
    // Copies, so that a caller can never write into the log through a returned hash.
    for (let i = from; i < to; i++) out.push(this.#buffer.slice(i * HASH_BYTES, (i + 1) * HASH_BYTES));
    return out;
  }
}

/**
 * The root of a tree that grows one leaf at a time, kept as the hashes of its complete subtrees
 * (a compact range from 0): O(log n) memory, so a verifier can stream a log of any size.
 *
 * @example
 * ```ts
 * const range = new CompactRange();
 * for (const h of leafHashes) range.push(h);
 * range.root(); // MTH of all pushed leaves
 * ```
 */
export class CompactRange {
  // #nodes[i] is a complete subtree; sizes strictly decrease, following the bits of #size.
  readonly #nodes: Uint8Array[] = [];
  #size = 0;

  /** The number of leaves pushed. */
  get size(): number {
    return this.#size;
  }

  /** Adds the next leaf hash. */
  push(leafHash: Uint8Array): void {
    let node = leafHash;
    // Each trailing 1 bit of the old size is a subtree of the same height as `node`: merge it.
    for (let s = this.#size; s % 2 === 1; s = (s - 1) / 2)
      node = hashChildren(this.#nodes.pop() as Uint8Array, node);
    this.#nodes.push(node);
    this.#size += 1;
  }

  /** MTH of the leaves pushed so far. */
  root(): Uint8Array {
    const last = this.#nodes.length - 1;
    if (last < 0) return EMPTY_ROOT;
    let root = this.#nodes[last] as Uint8Array;
    for (let i = last - 1; i >= 0; i--) root = hashChildren(this.#nodes[i] as Uint8Array, root);
    return root;
  }
}

/**
 * MTH of the given leaf hashes, computed in one pass.
 *
 * @example
 * ```ts
 * rootFromLeafHashes([]); // EMPTY_ROOT
 * ```
 */
export function rootFromLeafHashes(leafHashes: Iterable<Uint8Array>): Uint8Array {
  const range = new CompactRange();
  for (const h of leafHashes) range.push(h);
  return range.root();
}

/** The largest power of two strictly less than n (n ≥ 2): the split point k of RFC 9162 §2.1.1. */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

const TILE_HEIGHT = 8;
const TILE = 2 ** TILE_HEIGHT;
const SYNC_TILES = 64;

/** A subtree [start, end) named by a proof; its hash is resolved from the cache and the source. */
interface Range {
  readonly start: number;
  readonly end: number;
}

/**
 * A Merkle tree over a {@link LeafHashSource}, producing roots and proofs for any size up to the
 * source's. It trusts the source to be append-only: it never rereads a leaf it has cached a subtree
 * of. Verifiers therefore recompute from the entries themselves (see `verifyExport`).
 *
 * @example
 * ```ts
 * const tree = new MerkleTree(source);
 * const proof = await tree.inclusionProof(5, 8);
 * verifyInclusion(leafHash, 5, 8, proof, await tree.root(8)); // true
 * ```
 */
export class MerkleTree {
  readonly #source: LeafHashSource;
  // #levels[h][i]: the complete subtree of 2^(h + TILE_HEIGHT) leaves starting at leaf i · 2^(h + TILE_HEIGHT).
  readonly #levels: Uint8Array[][] = [];
  #syncing: Promise<unknown> = Promise.resolve();

  constructor(source: LeafHashSource) {
    this.#source = source;
  }

  /** The number of complete 256-leaf tiles cached. */
  get #tiles(): number {
    return this.#levels[0]?.length ?? 0;
  }

  /**
   * Caches the subtrees of every complete tile of the first `size` leaves. Serialised, so two
   * callers never append the same tile twice.
   */
  async #cover(size: number): Promise<void> {
    const run = this.#syncing.then(async () => {
      const tiles = Math.floor(size / TILE);
      while (this.#tiles < tiles) {
        const from = this.#tiles;
        const to = Math.min(tiles, from + SYNC_TILES);
        const leaves = await this.#source.leafHashes(from * TILE, to * TILE);
        for (let t = 0; t < to - from; t++) this.#pushTile(perfectRoot(leaves, t * TILE, TILE));
      }
    });
    this.#syncing = run.catch(() => undefined);
    await run;
  }

  #pushTile(hash: Uint8Array): void {
    let node = hash;
    for (let h = 0; ; h++) {
      const level = (this.#levels[h] ??= []);
      level.push(node);
      if (level.length % 2 === 1) return;
      node = hashChildren(level[level.length - 2] as Uint8Array, node);
    }
  }

  async #checkedSize(size: number): Promise<void> {
    const available = await this.#source.size();
    if (!isSize(size) || size > available)
      throw new VeilError(
        'VEIL_AUDIT_OUT_OF_RANGE',
        `audit: tree size ${String(size)} is beyond the log's ${available} leaves`,
      );
    await this.#cover(size);
  }

  /** Hashes the proof's subtrees, reading each uncached tile from the source once. */
  async #resolve(ranges: readonly Range[], size: number): Promise<Uint8Array[]> {
    const tiles = new Map<number, Uint8Array[]>();
    const tile = async (t: number): Promise<Uint8Array[]> => {
      let leaves = tiles.get(t);
      if (leaves === undefined) {
        leaves = await this.#source.leafHashes(t * TILE, Math.min((t + 1) * TILE, size));
        tiles.set(t, leaves);
      }
      return leaves;
    };
    const out: Uint8Array[] = [];
    for (const { start, end } of ranges) {
      // [start, end) is aligned (RFC 9162 splits at powers of two), so it is the complete subtrees
      // named by the bits of its length, largest first; MTH folds them from the right.
      const pieces: Uint8Array[] = [];
      let at = start;
      let top = 1;
      while (top * 2 <= end - start) top *= 2;
      for (let bit = top; bit >= 1; bit /= 2) {
        if (end - at < bit) continue;
        const height = heightOf(bit);
        if (height >= TILE_HEIGHT) {
          pieces.push(this.#levels[height - TILE_HEIGHT]?.[at / bit] as Uint8Array);
        } else {
          const t = Math.floor(at / TILE);
          pieces.push(perfectRoot(await tile(t), at - t * TILE, bit));
        }
        at += bit;
      }
      let hash = pieces.pop() as Uint8Array;
      while (pieces.length > 0) hash = hashChildren(pieces.pop() as Uint8Array, hash);
      out.push(hash);
    }
    return out;
  }

  /**
   * MTH of the first `size` leaves.
   *
   * @example
   * ```ts
   * toHex(await tree.root(0)); // 'e3b0c442…b855'
   * ```
   */
  async root(size: number): Promise<Uint8Array> {
    await this.#checkedSize(size);
    if (size === 0) return EMPTY_ROOT;
    return (await this.#resolve([{ start: 0, end: size }], size))[0] as Uint8Array;
  }

  /**
   * PATH(index, D[size]) of RFC 9162 §2.1.3.1: the audit path from leaf `index` to the root of
   * the tree of `size` leaves, leaf-side sibling first.
   *
   * @example
   * ```ts
   * const path = await tree.inclusionProof(0, 8); // 3 hashes
   * ```
   */
  async inclusionProof(index: number, size: number): Promise<Uint8Array[]> {
    await this.#checkedSize(size);
    if (!isSize(index) || index >= size)
      throw new VeilError(
        'VEIL_AUDIT_OUT_OF_RANGE',
        `audit: leaf ${String(index)} is not in a tree of ${size} leaves`,
      );
    const ranges: Range[] = [];
    let [lo, hi, m] = [0, size, index];
    while (hi - lo > 1) {
      const k = splitPoint(hi - lo);
      if (m < k) {
        ranges.push({ start: lo + k, end: hi });
        hi = lo + k;
      } else {
        ranges.push({ start: lo, end: lo + k });
        lo += k;
        m -= k;
      }
    }
    // Collected root-side first; the proof lists the leaf-side sibling first.
    return this.#resolve(ranges.reverse(), size);
  }

  /**
   * PROOF(first, D[second]) of RFC 9162 §2.1.4.1: the consistency proof between the tree heads of
   * sizes `first` and `second`. Empty when the sizes are equal or `first` is 0.
   *
   * @example
   * ```ts
   * const proof = await tree.consistencyProof(6, 8);
   * ```
   */
  async consistencyProof(first: number, second: number): Promise<Uint8Array[]> {
    await this.#checkedSize(second);
    if (!isSize(first) || first > second)
      throw new VeilError(
        'VEIL_AUDIT_OUT_OF_RANGE',
        `audit: no consistency proof from size ${String(first)} to ${second}`,
      );
    if (first === 0 || first === second) return [];
    const ranges: Range[] = [];
    let [lo, hi, m, complete] = [0, second, first, true];
    // SUBPROOF(m, D[lo:hi], complete), unrolled: each step adds one sibling and narrows to one side.
    while (m !== hi - lo) {
      const k = splitPoint(hi - lo);
      if (m <= k) {
        ranges.push({ start: lo + k, end: hi });
        hi = lo + k;
      } else {
        ranges.push({ start: lo, end: lo + k });
        lo += k;
        m -= k;
        complete = false;
      }
    }
    if (!complete) ranges.push({ start: lo, end: hi });
    return this.#resolve(ranges.reverse(), second);
  }
}

/** MTH of the complete subtree leaves[start, start + count), count a power of two. */
function perfectRoot(leaves: readonly Uint8Array[], start: number, count: number): Uint8Array {
  if (count === 1) return leaves[start] as Uint8Array;
  const half = count / 2;
  return hashChildren(perfectRoot(leaves, start, half), perfectRoot(leaves, start + half, half));
}

/**
 * Verifies an inclusion proof with the iterative algorithm of RFC 9162 §2.1.3.2. Never throws:
 * malformed input (a hash that is not 32 bytes, an index or size that is not a safe integer) is
 * simply not a valid proof.
 *
 * @example
 * ```ts
 * verifyInclusion(leafHash, 5, 8, proof, root); // true or false
 * ```
 */
export function verifyInclusion(
  leafHash: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!isHash(leafHash) || !isHash(root) || !Array.isArray(proof) || !proof.every(isHash)) return false;
  if (!isSize(index) || !isSize(size) || index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = hashChildren(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn /= 2;
        sn = Math.floor(sn / 2);
      }
    } else {
      r = hashChildren(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && constantTimeEqual(r, root);
}

/**
 * Verifies a consistency proof with the iterative algorithm of RFC 9162 §2.1.4.2.
 *
 * Where the RFC leaves policy open, Veil refuses: a proof from size 0 proves nothing and is
 * rejected, and equal sizes need an empty proof and equal, non-empty roots. Never throws.
 *
 * @example
 * ```ts
 * verifyConsistency(6, 8, proof, root6, root8); // true or false
 * ```
 */
export function verifyConsistency(
  first: number,
  second: number,
  proof: readonly Uint8Array[],
  firstRoot: Uint8Array,
  secondRoot: Uint8Array,
): boolean {
  if (!isSize(first) || !isSize(second) || first === 0 || first > second || !Array.isArray(proof))
    return false;
  if (!(firstRoot instanceof Uint8Array) || !(secondRoot instanceof Uint8Array)) return false;
  if (first === second) {
    // Nothing is hashed here: the claim is only that the two heads are the same tree.
    return proof.length === 0 && firstRoot.length > 0 && constantTimeEqual(firstRoot, secondRoot);
  }
  if (!isHash(firstRoot) || !isHash(secondRoot) || proof.length === 0 || !proof.every(isHash)) return false;
  const path = isPowerOfTwo(first) ? [firstRoot, ...proof] : [...proof];
  let fn = first - 1;
  let sn = second - 1;
  while (fn % 2 === 1) {
    fn = (fn - 1) / 2;
    sn = Math.floor(sn / 2);
  }
  let fr = path[0] as Uint8Array;
  let sr = fr;
  for (let i = 1; i < path.length; i++) {
    const c = path[i] as Uint8Array;
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = hashChildren(c, fr);
      sr = hashChildren(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn /= 2;
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = hashChildren(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && constantTimeEqual(fr, firstRoot) && constantTimeEqual(sr, secondRoot);
}

// Integer arithmetic, not Math.log2: near 2^52 a float logarithm rounds 2^k + 1 to k.
function isPowerOfTwo(n: number): boolean {
  let m = n;
  while (m > 1 && m % 2 === 0) m /= 2;
  return m === 1;
}

function heightOf(powerOfTwo: number): number {
  let h = 0;
  for (let m = powerOfTwo; m > 1; m /= 2) h += 1;
  return h;
}
