/**
 * `npm run bench:audit`: audit log figures on the in-memory store. Appends per second through
 * AuditLog (validation, JCS, hashing, the append queue); building a 1,000,000-leaf tree and the
 * time and size of an inclusion and a consistency proof at that size (cold: first proof after
 * the cache is built; warm: later ones); and verifying a 1,000,000-entry export generated in
 * memory; and appends per second on the database through DatabaseAuditStore (PGlite in a temp
 * directory, and PostgreSQL at AUDIT_BENCH_PG_URL, default postgres://postgres@127.0.0.1:5432/test,
 * in a throwaway database; skipped with a message when it does not answer), each bounded to
 * AUDIT_BENCH_DB_SECONDS (default 5) of appends.
 * Set AUDIT_BENCH_LEAVES to change the 1,000,000; AUDIT_BENCH_ONLY=db runs only the database part.
 */
import { canonicalJson } from '../../src/audit/canonical.js';
import { toHex } from '../../src/audit/encoding.js';
import type { AuditEventInput } from '../../src/audit/event.js';
import { EXPORT_FORMAT, serializeAuditExport } from '../../src/audit/export.js';
import type { AuditExport, ExportedEntry } from '../../src/audit/export.js';
import { AuditLog, MemoryAuditStore } from '../../src/audit/log.js';
import {
  CompactRange,
  MemoryLeafHashSource,
  MerkleTree,
  hashLeaf,
  verifyConsistency,
  verifyInclusion,
} from '../../src/audit/merkle.js';
import {
  createAuditSigner,
  exportAuditPublicKey,
  generateAuditKeyPair,
  signTreeHead,
} from '../../src/audit/tree-head.js';
import { verifyExport } from '../../src/audit/verify.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openAuditLog } from '../../src/runtime/audit.js';
import { openDatabase } from '../../src/store/database.js';
import type { DatabaseHandle } from '../../src/store/database.js';

const N = Number(process.env.AUDIT_BENCH_LEAVES ?? 1_000_000);
const keyPair = generateAuditKeyPair();
const signer = createAuditSigner(keyPair);

function event(i: number): AuditEventInput {
  return {
    time: new Date(Date.UTC(2025, 0, 1) + i).toISOString(),
    actor: { id: `svc-worker-${i % 8}`, role: 'service' },
    tenant: `tenant-${i % 50}`,
    action: 'job.step',
    objects: [{ kind: 'job', id: `job_${i.toString(36).padStart(8, '0')}` }],
    policy_hash: 'c0ffee'.padEnd(64, '0'),
    purpose: 'claims-processing',
    step: 'detect',
    outcome: 'succeeded',
    counts: { pages: 1 + (i % 9), findings: i % 31 },
  };
}

const ms = (t0: number): string => `${(performance.now() - t0).toFixed(1)} ms`;
const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

// 0. Appends per second on the database, through AuditLog and DatabaseAuditStore (a transaction
// with the advisory lock per append), signing a head every 64 as `veil serve` does.
async function databaseAppends(name: string, handle: DatabaseHandle, dataDir: string): Promise<void> {
  const seconds = Number(process.env.AUDIT_BENCH_DB_SECONDS ?? 5);
  const log = await openAuditLog({ db: handle.db, dataDir, logId: 'bench', signer });
  for (let i = 0; i < 50; i++) await log.append(event(i));
  let n = 0;
  let t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) await log.append(event(n++));
  const sequential = n / ((performance.now() - t0) / 1000);
  // In flight at once: the log still serialises them, but their validation and hashing overlap.
  let m = 0;
  t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    await Promise.all(Array.from({ length: 64 }, (_, i) => log.append(event(m + i))));
    m += 64;
  }
  const concurrent = m / ((performance.now() - t0) / 1000);
  t0 = performance.now();
  await log.treeHead();
  console.log(
    `appends (${name}, DatabaseAuditStore, head every 64): ${sequential.toFixed(0)}/s awaited one by one (${n} in ${seconds} s), ${concurrent.toFixed(0)}/s 64 in flight (${m}); head at ${await log.size()}: ${ms(t0)}`,
  );
}

{
  const dir = await mkdtemp(join(tmpdir(), 'veil-bench-audit-'));
  const handle = await openDatabase({ driver: 'pglite', dataDir: join(dir, 'pglite') });
  try {
    await databaseAppends('PGlite', handle, dir);
  } finally {
    await handle.close();
    await rm(dir, { recursive: true, force: true });
  }
  const url = process.env.AUDIT_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const admin = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1500 });
  const database = `veil_bench_audit_${process.pid}`;
  let reachable = true;
  try {
    await admin.connect();
    await admin.query(`create database ${database}`);
  } catch {
    reachable = false;
    console.log(`appends (PostgreSQL): skipped, nothing answers at ${url.replace(/\/\/[^@]*@/, '//')}`);
  }
  if (reachable) {
    const target = new URL(url);
    target.pathname = `/${database}`;
    const pgHandle = await openDatabase({
      driver: 'postgres',
      connectionString: target.toString(),
      maxConnections: 4,
    });
    try {
      await databaseAppends('PostgreSQL', pgHandle, tmpdir());
    } finally {
      await pgHandle.close();
      await admin.query(`drop database if exists ${database} with (force)`);
    }
  }
  await admin.end().catch(() => {});
}
if (process.env.AUDIT_BENCH_ONLY === 'db') process.exit(0);

// 1. Appends per second through the whole AuditLog on the in-memory store.
{
  const appends = 100_000;
  const log = new AuditLog({ store: new MemoryAuditStore(), signer });
  for (let i = 0; i < 1000; i++) await log.append(event(i));
  let t0 = performance.now();
  for (let i = 0; i < appends; i++) await log.append(event(i));
  const sequential = appends / ((performance.now() - t0) / 1000);
  t0 = performance.now();
  await Promise.all(Array.from({ length: appends }, (_, i) => log.append(event(i))));
  const concurrent = appends / ((performance.now() - t0) / 1000);
  t0 = performance.now();
  await log.treeHead();
  console.log(
    `appends (memory store, ${appends} events): ${sequential.toFixed(0)}/s awaited one by one, ${concurrent.toFixed(0)}/s ${appends} in flight`,
  );
  console.log(`signed tree head at ${await log.size()} entries: ${ms(t0)} (includes caching the tree)`);
}

// 2. A tree of N leaves, proofs at N.
{
  const source = new MemoryLeafHashSource();
  let t0 = performance.now();
  for (let i = 0; i < N; i++) source.push(hashLeaf(Buffer.from(canonicalJson({ n: i }))));
  console.log(`\n${N} leaf hashes: ${ms(t0)}`);
  const tree = new MerkleTree(source);
  t0 = performance.now();
  const root = await tree.root(N);
  console.log(`tree cache + root at ${N}: ${ms(t0)} (heap ${mib(process.memoryUsage().heapUsed)})`);

  const index = Math.floor(N * 0.6180339);
  const [leaf] = await source.leafHashes(index, index + 1);
  t0 = performance.now();
  const inclusion = await tree.inclusionProof(index, N);
  const incCold = ms(t0);
  t0 = performance.now();
  const rounds = 1000;
  for (let r = 0; r < rounds; r++) await tree.inclusionProof((index + r * 7919) % N, N);
  const incWarm = ((performance.now() - t0) / rounds).toFixed(3);
  let incOk = verifyInclusion(leaf!, index, N, inclusion, root);
  // Mean of many: one cold call measures the JIT, not the 20 hashes.
  t0 = performance.now();
  for (let r = 0; r < rounds; r++) incOk &&= verifyInclusion(leaf!, index, N, inclusion, root);
  const incVerify = `${((performance.now() - t0) / rounds).toFixed(3)} ms`;
  console.log(
    `inclusion proof at ${N}: ${inclusion.length} hashes (${inclusion.length * 32} bytes); produce ${incCold} first, ${incWarm} ms mean of ${rounds}; verify ${incVerify} → ${incOk}`,
  );

  const first = Math.floor(N * 0.8765);
  const firstRoot = await tree.root(first);
  t0 = performance.now();
  const consistency = await tree.consistencyProof(first, N);
  const conProduce = ms(t0);
  t0 = performance.now();
  const conOk = verifyConsistency(first, N, consistency, firstRoot, root);
  console.log(
    `consistency proof ${first} → ${N}: ${consistency.length} hashes (${consistency.length * 32} bytes); produce ${conProduce}; verify ${ms(t0)} → ${conOk}`,
  );
  if (!incOk || !conOk) throw new Error('a proof did not verify');
}

// 3. Verifying an export of N entries, generated in memory (what `veil audit verify` does).
{
  let t0 = performance.now();
  const entries: ExportedEntry[] = [];
  const range = new CompactRange();
  const tree_heads = [];
  for (let i = 0; i < N; i++) {
    const e = { v: 1, ...event(i) };
    const leafHash = hashLeaf(Buffer.from(canonicalJson(e), 'utf8'));
    range.push(leafHash);
    entries.push({ index: i, leaf_hash: toHex(leafHash), event: e });
    // A head every 65,536 entries and at the end, as a log signing at an interval would have.
    if ((i + 1) % 65_536 === 0 || i === N - 1)
      tree_heads.push(
        await signTreeHead(
          { tree_size: i + 1, root_hash: toHex(range.root()), timestamp: Date.UTC(2025, 0, 2) + i },
          signer,
        ),
      );
  }
  const exported: AuditExport = {
    format: EXPORT_FORMAT,
    public_key: exportAuditPublicKey(keyPair).jwk,
    entries,
    tree_heads,
  };
  console.log(`\nexport of ${N} entries and ${tree_heads.length} heads generated: ${ms(t0)}`);
  t0 = performance.now();
  const text = serializeAuditExport(exported);
  console.log(`serialised to JSON Lines: ${mib(Buffer.byteLength(text))} in ${ms(t0)}`);
  t0 = performance.now();
  const parsedResult = verifyExport(text, exportAuditPublicKey(keyPair).jwk);
  console.log(
    `verify export (JSON Lines text, parse + schema + JCS + hashes + ${tree_heads.length} signatures): ${ms(t0)} → ${parsedResult.ok}`,
  );
  t0 = performance.now();
  const memoryResult = verifyExport(exported, keyPair);
  console.log(`verify export (already parsed): ${ms(t0)} → ${memoryResult.ok}`);
  if (!parsedResult.ok || !memoryResult.ok) throw new Error('the export did not verify');
}
