// RFC 6962 / 9162 conformance: the transparency-dev vectors in shared/eval/security/merkle run
// through Veil's own hashing, proof generation and proof verification.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import {
  EMPTY_ROOT,
  MemoryLeafHashSource,
  MerkleTree,
  hashChildren,
  hashLeaf,
  verifyConsistency,
  verifyInclusion,
} from '../../src/audit/merkle.js';
import { toHex } from '../../src/audit/encoding.js';
import { EVAL_URL } from '../repo-paths.js';

const DIR = new URL('security/merkle/', EVAL_URL);
const present = existsSync(new URL('SOURCE.md', DIR));
const skip = present ? false : 'the RFC 6962 vectors are not at ../shared/eval/security/merkle';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const load = (name: string): any => JSON.parse(readFileSync(new URL(name, DIR), 'utf8'));
const bytes = (hex: string | null | undefined): Uint8Array => new Uint8Array(Buffer.from(hex ?? '', 'hex'));
const proofOf = (p: string[] | null): Uint8Array[] => (p ?? []).map(bytes);
// The vectors hold one index of 2^64 - 1; JSON numbers lose it, but it stays out of range either way.
const index = (n: unknown): number => (typeof n === 'number' ? n : Number.NaN);

interface Tally {
  valid: number;
  validAccepted: number;
  invalid: number;
  invalidRejected: number;
}
const tally = (): Tally => ({ valid: 0, validAccepted: 0, invalid: 0, invalidRejected: 0 });
function count(t: Tally, wantValid: boolean, accepted: boolean): void {
  if (wantValid) {
    t.valid += 1;
    if (accepted) t.validAccepted += 1;
  } else {
    t.invalid += 1;
    if (!accepted) t.invalidRejected += 1;
  }
}
const summary = (name: string, t: Tally): string =>
  `${name}: valid ${t.validAccepted}/${t.valid} accepted, invalid ${t.invalidRejected}/${t.invalid} rejected`;

test('RFC 6962 hasher vectors', { skip }, (t) => {
  const { vectors } = load('rfc6962_hasher.json');
  for (const v of vectors) {
    const ascii = (s: string | undefined): Uint8Array => new Uint8Array(Buffer.from(s ?? '', 'latin1'));
    let got: Uint8Array;
    if (v.op === 'emptyRoot') got = EMPTY_ROOT;
    else if (v.op === 'hashLeaf')
      got = hashLeaf(v.inputHex !== undefined ? bytes(v.inputHex) : ascii(v.inputAscii));
    else got = hashChildren(ascii(v.leftAscii), ascii(v.rightAscii));
    assert.equal(toHex(got), v.want, v.desc);
  }
  t.diagnostic(`hasher: ${vectors.length}/${vectors.length} match`);
});

test(
  'the 8-leaf tree: leaf hashes, every node, every root from the tree and every proof between sizes',
  { skip },
  async (t) => {
    const vectors = load('rfc6962_tree_8leaves.json');
    const source = new MemoryLeafHashSource();
    const tree = new MerkleTree(source);
    vectors.leaves.forEach((leaf: string, i: number) => {
      const h = hashLeaf(bytes(leaf));
      assert.equal(toHex(h), vectors.leafHashes[i]);
      source.push(h);
    });
    const roots = vectors.roots as Record<string, string>;
    let proofs = 0;
    for (let size = 0; size <= 8; size++) {
      const root = await tree.root(size);
      assert.equal(toHex(root), roots[String(size)], `root of ${size}`);
      for (let i = 0; i < size; i++) {
        const path = await tree.inclusionProof(i, size);
        assert.ok(
          verifyInclusion(hashLeaf(bytes(vectors.leaves[i])), i, size, path, root),
          `inclusion ${i} in ${size}`,
        );
        proofs += 1;
      }
      for (let first = 1; first <= size; first++) {
        const proof = await tree.consistencyProof(first, size);
        assert.ok(
          verifyConsistency(first, size, proof, await tree.root(first), root),
          `consistency ${first} → ${size}`,
        );
        proofs += 1;
      }
    }
    // The top of nodeHashesByLevel is the root of all 8.
    const levels = vectors.nodeHashesByLevel as string[][];
    assert.equal(levels.at(-1)?.[0], roots['8']);
    t.diagnostic(`tree_8leaves: 9/9 roots match; ${proofs} generated proofs verify`);
  },
);

test('inline inclusion and consistency proofs (proof/verify_test.go)', { skip }, async (t) => {
  const tree = load('rfc6962_tree_8leaves.json');
  const source = new MemoryLeafHashSource();
  for (const leaf of tree.leaves) source.push(hashLeaf(bytes(leaf)));
  const merkle = new MerkleTree(source);
  const inc = tally();
  for (const v of load('inclusion_inline.json').inclusion) {
    const valid = v.expect === 'valid';
    const accepted = verifyInclusion(
      bytes(v.leafHash),
      index(v.leafIndex),
      v.treeSize,
      proofOf(v.proof),
      bytes(v.root),
    );
    count(inc, valid, accepted);
    // Veil's own generator produces exactly the published proof.
    if (valid) assert.deepEqual((await merkle.inclusionProof(v.leafIndex, v.treeSize)).map(toHex), v.proof);
  }
  const con = tally();
  for (const v of load('consistency_inline.json').consistency) {
    const valid = v.expect === 'valid';
    count(con, valid, verifyConsistency(v.size1, v.size2, proofOf(v.proof), bytes(v.root1), bytes(v.root2)));
    if (valid) assert.deepEqual((await merkle.consistencyProof(v.size1, v.size2)).map(toHex), v.proof);
  }
  t.diagnostic(summary('inclusion_inline', inc));
  t.diagnostic(summary('consistency_inline', con));
  for (const x of [inc, con]) {
    assert.equal(x.validAccepted, x.valid);
    assert.equal(x.invalidRejected, x.invalid);
  }
});

test(
  'inclusion and consistency probes (testdata/): every valid accepted, every wantErr rejected',
  { skip },
  (t) => {
    const inc = tally();
    const failures: string[] = [];
    for (const v of load('inclusion_probes.json').inclusion) {
      const accepted = verifyInclusion(
        bytes(v.leafHash),
        index(v.leafIdx),
        v.treeSize,
        proofOf(v.proof),
        bytes(v.root),
      );
      count(inc, !v.wantErr, accepted);
      if (accepted === v.wantErr) failures.push(v.file);
    }
    const con = tally();
    for (const v of load('consistency_probes.json').consistency) {
      const accepted = verifyConsistency(v.size1, v.size2, proofOf(v.proof), bytes(v.root1), bytes(v.root2));
      count(con, !v.wantErr, accepted);
      if (accepted === v.wantErr) failures.push(v.file);
    }
    t.diagnostic(summary('inclusion_probes', inc));
    t.diagnostic(summary('consistency_probes', con));
    assert.deepEqual(failures, []);
    assert.ok(inc.valid > 0 && inc.invalid > 0 && con.valid > 0 && con.invalid > 0);
  },
);

test('generated proofs agree with a naive recursive MTH for every size up to 600 (tile boundaries included)', async () => {
  const mth = (leaves: Uint8Array[]): Uint8Array => {
    if (leaves.length === 0) return EMPTY_ROOT;
    if (leaves.length === 1) return leaves[0] as Uint8Array;
    let k = 1;
    while (k * 2 < leaves.length) k *= 2;
    return hashChildren(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
  };
  const source = new MemoryLeafHashSource();
  const tree = new MerkleTree(source);
  const leaves: Uint8Array[] = [];
  for (let size = 1; size <= 600; size++) {
    const leaf = hashLeaf(new Uint8Array([size & 0xff, size >> 8]));
    leaves.push(leaf);
    source.push(leaf);
    const root = await tree.root(size);
    assert.equal(toHex(root), toHex(mth(leaves)), `root ${size}`);
    // A sample of indices and earlier sizes keeps this fast while crossing 256 and 512.
    for (const i of [0, size - 1, Math.floor(size / 3), 255, 256, 511].filter((x) => x < size)) {
      assert.ok(
        verifyInclusion(leaves[i] as Uint8Array, i, size, await tree.inclusionProof(i, size), root),
        `inclusion ${i}/${size}`,
      );
    }
    for (const first of [1, Math.ceil(size / 2), size - 1, 256, 257].filter((x) => x >= 1 && x < size)) {
      const proof = await tree.consistencyProof(first, size);
      assert.ok(
        verifyConsistency(first, size, proof, mth(leaves.slice(0, first)), root),
        `consistency ${first}/${size}`,
      );
      // One flipped bit anywhere in the proof breaks it.
      const flipped = proof.map((h) => Uint8Array.from(h));
      (flipped[flipped.length - 1] as Uint8Array)[0]! ^= 1;
      assert.equal(verifyConsistency(first, size, flipped, mth(leaves.slice(0, first)), root), false);
    }
  }
});
