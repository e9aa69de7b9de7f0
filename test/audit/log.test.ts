import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLog, MemoryAuditStore } from '../../src/audit/log.js';
import type { AuditEventInput } from '../../src/audit/event.js';
import { exportAuditLog, parseAuditExport, serializeAuditExport } from '../../src/audit/export.js';
import type { AuditExport } from '../../src/audit/export.js';
import { hashFromHex } from '../../src/audit/encoding.js';
import { verifyConsistency, verifyInclusion, hashLeaf } from '../../src/audit/merkle.js';
import {
  createAuditSigner,
  exportAuditPublicKey,
  generateAuditKeyPair,
  verifyTreeHead,
} from '../../src/audit/tree-head.js';
import { assertReceipt, auditVerifyCommand, verifyExport, verifyReceipt } from '../../src/audit/verify.js';
import { canonicalBytes } from '../../src/audit/canonical.js';

const keyPair = generateAuditKeyPair();
const signer = createAuditSigner(keyPair);
const publicJwk = exportAuditPublicKey(keyPair).jwk;

function event(i: number): AuditEventInput {
  return {
    time: new Date(Date.UTC(2025, 0, 31, 12, 0, 0, i)).toISOString(),
    actor: { id: `usr_${i % 7}`, role: 'service' },
    tenant: 'acme',
    action: 'job.step',
    objects: [{ kind: 'job', id: `job_${i}` }],
    step: 'detect',
    outcome: 'succeeded',
    counts: { findings: i % 13 },
  };
}

async function filledLog(n: number, signEvery?: number): Promise<{ log: AuditLog; store: MemoryAuditStore }> {
  const store = new MemoryAuditStore();
  const log = new AuditLog({
    store,
    signer,
    clock: () => 1_738_324_800_000,
    ...(signEvery ? { signEvery } : {}),
  });
  for (let i = 0; i < n; i++) await log.append(event(i));
  await log.treeHead();
  return { log, store };
}

test('append returns sequential indices and leaf hashes of the canonical event; proofs verify against signed heads', async () => {
  const store = new MemoryAuditStore();
  const log = new AuditLog({ store, signer });
  const first = await log.append(event(0));
  assert.deepEqual(first.index, 0);
  assert.equal(first.leafHash.length, 64);
  for (let i = 1; i < 300; i++) assert.equal((await log.append(event(i))).index, i);
  const old = await log.treeHead();
  for (let i = 300; i < 700; i++) await log.append(event(i));
  const sth = await log.treeHead();
  assert.equal(sth.tree_size, 700);
  assert.ok(verifyTreeHead(sth, keyPair));

  for (const index of [0, 1, 255, 256, 299, 511, 699]) {
    const proof = await log.inclusionProof(index, sth.tree_size);
    const [row] = await store.entries(index, index + 1);
    assert.ok(
      verifyInclusion(
        row!.leafHash,
        index,
        700,
        proof.path.map((h) => hashFromHex(h)!),
        hashFromHex(sth.root_hash)!,
      ),
    );
  }
  const consistency = await log.consistencyProof(old.tree_size, sth.tree_size);
  assert.ok(
    verifyConsistency(
      300,
      700,
      consistency.path.map((h) => hashFromHex(h)!),
      hashFromHex(old.root_hash)!,
      hashFromHex(sth.root_hash)!,
    ),
  );
  await assert.rejects(log.inclusionProof(700, 700), { code: 'VEIL_AUDIT_OUT_OF_RANGE' });
  await assert.rejects(log.consistencyProof(701, 700), { code: 'VEIL_AUDIT_OUT_OF_RANGE' });
  await assert.rejects(log.append({ ...event(1), action: 'job.exploded' } as unknown as AuditEventInput), {
    code: 'VEIL_AUDIT_INVALID_EVENT',
  });
  assert.equal(await log.size(), 700);
});

test('200 concurrent appends get 200 distinct indices and one consistent tree', async () => {
  const store = new MemoryAuditStore();
  const log = new AuditLog({ store, signer, signEvery: 50 });
  const results = await Promise.all(Array.from({ length: 200 }, (_, i) => log.append(event(i))));
  assert.deepEqual(
    results.map((r) => r.index).sort((a, b) => a - b),
    Array.from({ length: 200 }, (_, i) => i),
  );
  // Each index holds the event that was given its leaf hash.
  for (const r of results)
    assert.equal(Buffer.from(store.rows[r.index]!.leafHash).toString('hex'), r.leafHash);
  const heads = await store.treeHeads();
  assert.deepEqual(
    heads.map((h) => h.tree_size),
    [50, 100, 150, 200],
  );
  for (let i = 1; i < heads.length; i++) {
    const [a, b] = [heads[i - 1]!, heads[i]!];
    const proof = await log.consistencyProof(a.tree_size, b.tree_size);
    assert.ok(
      verifyConsistency(
        a.tree_size,
        b.tree_size,
        proof.path.map((h) => hashFromHex(h)!),
        hashFromHex(a.root_hash)!,
        hashFromHex(b.root_hash)!,
      ),
    );
  }
  const result = verifyExport(await exportAuditLog(store, keyPair), publicJwk);
  assert.equal(result.ok, true);
});

test('a receipt verifies offline with only the public key; a flipped bit anywhere fails', async () => {
  const { log } = await filledLog(37);
  const receipt = JSON.parse(JSON.stringify(await log.receipt(20)));
  const ok = verifyReceipt(receipt, exportAuditPublicKey(keyPair).pem);
  assert.deepEqual(ok.ok && [ok.index, ok.treeSize], [20, 37]);

  const flips: [string, (r: typeof receipt) => void][] = [
    ['event', (r) => (r.event.counts.findings += 1)],
    ['index', (r) => (r.leaf_index ^= 1)],
    ['path', (r) => (r.inclusion_path[0] = flipHex(r.inclusion_path[0]))],
    ['root', (r) => (r.tree_head.root_hash = flipHex(r.tree_head.root_hash))],
    ['size', (r) => (r.tree_head.tree_size ^= 1)],
    [
      'signature',
      (r) =>
        (r.tree_head.signature = `${r.tree_head.signature[0] === 'A' ? 'B' : 'A'}${r.tree_head.signature.slice(1)}`),
    ],
  ];
  for (const [what, flip] of flips) {
    const bad = structuredClone(receipt);
    flip(bad);
    assert.equal(verifyReceipt(bad, publicJwk).ok, false, `flipped ${what} must fail`);
  }
  assert.equal(verifyReceipt(receipt, generateAuditKeyPair()).ok, false, 'another key must fail');
});

function flipHex(hex: string): string {
  return `${(parseInt(hex[0]!, 16) ^ 1).toString(16)}${hex.slice(1)}`;
}

/** Tampering on the database rows, as an attacker with write access would do it. */
test('tampering with the stored rows is detected and the first bad index named', async () => {
  const cases: [string, (rows: MemoryAuditStore['rows']) => void, number, string][] = [
    [
      'change',
      (rows) => (rows[17] = { ...rows[17]!, event: rows[17]!.event.replace('"findings":4', '"findings":5') }),
      17,
      'leaf-hash',
    ],
    ['delete', (rows) => rows.splice(23, 1), 23, 'sequence'],
    ['reorder', (rows) => ([rows[30], rows[31]] = [rows[31]!, rows[30]!]), 30, 'sequence'],
    [
      'insert',
      (rows) => {
        const forged = canonicalBytes({ ...event(999), v: 1 });
        rows.splice(12, 0, {
          index: 12,
          event: Buffer.from(forged).toString('utf8'),
          leafHash: hashLeaf(forged),
        });
      },
      13,
      'sequence',
    ],
    [
      'reorder with renumbering',
      (rows) => {
        [rows[8], rows[9]] = [
          { ...rows[9]!, index: 8 },
          { ...rows[8]!, index: 9 },
        ];
      },
      8,
      'root-mismatch',
    ],
  ];
  for (const [name, tamper, firstBad, problem] of cases) {
    const { store } = await filledLog(40, 4);
    assert.equal(verifyExport(await exportAuditLog(store, keyPair), publicJwk).ok, true);
    tamper(store.rows);
    const result = verifyExport(await exportAuditLog(store, keyPair), publicJwk);
    assert.equal(result.ok, false, name);
    if (result.ok) continue;
    assert.equal(result.problem, problem, name);
    // Renumbered rows with valid hashes can only be caught at a signed head: the span starts at the last head before them.
    assert.equal(result.index, firstBad, `${name}: ${result.reason}`);
  }
});

test('tampering with an export file is detected and the first bad line named; the CLI hook reports it', async () => {
  const { store } = await filledLog(50, 10);
  const text = serializeAuditExport(await exportAuditLog(store, keyPair));
  const dir = mkdtempSync(join(tmpdir(), 'veil-audit-'));
  try {
    const keyFile = join(dir, 'key.json');
    writeFileSync(keyFile, JSON.stringify(exportAuditPublicKey(keyPair)));
    const good = join(dir, 'good.jsonl');
    writeFileSync(good, text);
    const verified = await auditVerifyCommand(good, { publicKeyPath: keyFile });
    assert.equal(verified.exitCode, 0, verified.output);
    assert.match(verified.output, /^export verified: 50 entries, 6 signed tree heads/);
    assert.match((await auditVerifyCommand(good)).output, /export's own key/);

    const lines = text.trimEnd().split('\n');
    const entryLine = (i: number): number => i + 1; // line 0 is the header
    const edits: [string, (l: string[]) => void, number][] = [
      ['change', (l) => (l[entryLine(33)] = l[entryLine(33)]!.replace('"detect"', '"ocr"')), 33],
      ['delete', (l) => l.splice(entryLine(21), 1), 21],
      ['reorder', (l) => ([l[entryLine(5)], l[entryLine(6)]] = [l[entryLine(6)]!, l[entryLine(5)]!]), 5],
      ['insert', (l) => l.splice(entryLine(44), 0, l[entryLine(2)]!), 44],
    ];
    for (const [name, edit, firstBad] of edits) {
      const copy = [...lines];
      edit(copy);
      const file = join(dir, `${name}.jsonl`);
      writeFileSync(file, `${copy.join('\n')}\n`);
      const result = verifyExport(parseAuditExport(`${copy.join('\n')}\n`), publicJwk);
      assert.equal(!result.ok && result.index, firstBad, name);
      const cli = await auditVerifyCommand(file, { publicKeyPath: keyFile });
      assert.equal(cli.exitCode, 1);
      assert.match(cli.output, new RegExp(`first bad entry: ${firstBad};`), name);
    }

    // Without the heads of size 50, entries 40… are vouched for by no signature; cutting the last
    // entries leaves a head that covers more than the export holds.
    const unsigned = lines.filter((l) => !l.includes('"tree_size":50,')).join('\n');
    const uncovered = verifyExport(unsigned, publicJwk);
    assert.deepEqual(uncovered.ok ? [] : [uncovered.problem, uncovered.index], ['not-covered', 40]);
    const truncated = lines.filter((_, i) => i < entryLine(45) || i > entryLine(49)).join('\n');
    const missing = verifyExport(truncated, publicJwk);
    assert.deepEqual(missing.ok ? [] : [missing.problem, missing.index], ['missing-entries', 45]);
    const exported: AuditExport = parseAuditExport(text);
    const forged = {
      ...exported,
      tree_heads: [...exported.tree_heads, { ...exported.tree_heads.at(-1)!, timestamp: 1 }],
    };
    const badHead = verifyExport(forged, publicJwk);
    assert.equal(!badHead.ok && badHead.problem, 'signature');
    // Another operator's key is refused even though the export is internally consistent.
    const other = exportAuditPublicKey(generateAuditKeyPair()).jwk;
    assert.equal(
      !verifyExport(text, other).ok && (verifyExport(text, other) as { problem: string }).problem,
      'key',
    );
    // A receipt file goes through the same hook.
    const receiptFile = join(dir, 'receipt.json');
    writeFileSync(receiptFile, JSON.stringify(await new AuditLog({ store, signer }).receipt(7)));
    const receipt = await auditVerifyCommand(receiptFile, { publicKeyPath: keyFile });
    assert.match(receipt.output, /^receipt verified: entry 7 is in the log of 50 entries/);
    const keyless = await auditVerifyCommand(receiptFile);
    assert.equal(keyless.exitCode, 2);
    assert.match(keyless.output, /needs|only be checked against the audit public key/);
    assert.match(keyless.output, /GET \/v1\/audit\/public-key/);
    assert.match(keyless.output, /--public-key FILE/);
    // A DELETE /v1/jobs/:id answer saved as it came: the receipt is its `receipt` field.
    const answerFile = join(dir, 'deleted.json');
    writeFileSync(
      answerFile,
      JSON.stringify({
        job_id: 'j-1',
        deleted: [{ class: 'original', count: 1 }],
        receipt: await new AuditLog({ store, signer }).receipt(7),
      }),
    );
    assert.match(
      (await auditVerifyCommand(answerFile, { publicKeyPath: keyFile })).output,
      /^receipt verified: entry 7 is in the log of 50 entries/,
    );
    assert.equal((await auditVerifyCommand(answerFile)).output, keyless.output);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('assertReceipt throws the code of what failed', async () => {
  const signer = createAuditSigner(generateAuditKeyPair());
  const log = new AuditLog({ store: new MemoryAuditStore(), signer });
  for (let i = 0; i < 3; i += 1)
    await log.append({
      time: '2026-01-01T00:00:00.000Z',
      actor: { id: 'svc', role: 'system' },
      tenant: 'acme',
      action: 'job.download',
      objects: [{ kind: 'job', id: `j-${i}` }],
    });
  const receipt = await log.receipt(1);
  const key = exportAuditPublicKey(signer).jwk;
  assert.equal(assertReceipt(receipt, key).index, 1);
  assert.throws(() => assertReceipt(receipt, exportAuditPublicKey(generateAuditKeyPair()).jwk), {
    code: 'VEIL_AUDIT_SIGNATURE_INVALID',
  });
  assert.throws(() => assertReceipt({ ...receipt, leaf_index: 2 }, key), {
    code: 'VEIL_AUDIT_PROOF_INVALID',
  });
  assert.throws(() => assertReceipt({ format: 'other' }, key), { code: 'VEIL_AUDIT_EXPORT_INVALID' });
});
