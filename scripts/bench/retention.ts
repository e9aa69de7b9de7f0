/**
 * `npm run bench:retention`: deletion lag, from each retention class's `delete_after` to its
 * `deleted_at`, over BENCH_JOBS (default 1000) short-lived text jobs run through the real service
 * (`openService`: POST /v1/jobs, embedded workers, the retention sweeper every VEIL_SWEEP_SECONDS,
 * default 1). The policy keeps the original 1 s and the redacted output 3 s. Prints p50, p99 and
 * the maximum per class, and how many classes were deleted. On PostgreSQL when it answers at
 * BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/test, in a fresh database), else PGlite;
 * BENCH_DRIVER=pglite forces PGlite.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { parse, stringify } from 'yaml';
import type { Principal } from '../../src/access/index.js';
import { openService } from '../../src/runtime/service.js';

const JOBS = Number(process.env.BENCH_JOBS ?? 1000);
const SWEEP = Number(process.env.VEIL_SWEEP_SECONDS ?? 1);
const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function postgres(): Promise<{ url: string; drop(): Promise<void> } | undefined> {
  if (process.env.BENCH_DRIVER === 'pglite') return undefined;
  const database = `veil_bench_retention_${process.pid}`;
  const admin = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 1500 });
  try {
    await admin.connect();
    await admin.query(`create database ${database}`);
  } catch {
    return undefined;
  } finally {
    await admin.end().catch(() => {});
  }
  const url = new URL(PG_URL);
  url.pathname = `/${database}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      await client.query(`drop database if exists ${database} with (force)`);
      await client.end();
    },
  };
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

const dataDir = await mkdtemp(join(tmpdir(), 'veil-bench-retention-'));
const policyDir = join(dataDir, 'policies');
await import('node:fs/promises').then((fs) => fs.mkdir(policyDir));
const base = parse(await readFile(new URL('../../policies/default.yaml', import.meta.url), 'utf8'), {
  maxAliasCount: 100,
}) as Record<string, unknown>;
await writeFile(
  join(policyDir, 'default.yaml'),
  stringify({ ...base, retention: { ...(base.retention as object), original: '1s', redacted: '3s' } }),
);
const server = await postgres();
const principal: Principal = {
  id: 'bench',
  tenantId: 'bench',
  roles: ['processor', 'auditor'],
  kind: 'user',
};
const service = await openService({
  dataDir,
  ...(server === undefined ? {} : { databaseUrl: server.url }),
  authenticate: async () => principal,
  workers: 2,
  pollingIntervalSeconds: 0.5,
  detectionThreads: 0,
  policyDir,
  sweepIntervalSeconds: SWEEP,
  // No load shedding: the bench submits as fast as it can and measures deletion, not admission.
  api: { rateLimit: { max: 1_000_000, windowMs: 60_000 }, overload: { maxEventLoopDelayMs: 0 } },
});
try {
  const started = Date.now();
  for (let i = 0; i < JOBS; i += 1) {
    const res = await service.app.inject({
      method: 'POST',
      url: '/v1/jobs',
      payload: {
        text: `Claim ${i}: write to person${i}@example.org or call 212-555-${String(1000 + i).slice(-4)}.`,
        purpose: 'claims_processing',
        consent: { basis: 'contract' },
        outputs: ['redacted'],
      },
    });
    if (res.statusCode !== 202) throw new Error(`submit ${i}: ${res.statusCode} ${res.body}`);
  }
  const db = service.runtime.handle.db;
  const ledger = async (): Promise<Array<{ class: string; delete_after: Date; deleted_at: Date | null }>> =>
    db.transaction().execute(async (trx) => {
      await sql`select set_config('veil.tenant_id', '*', true)`.execute(trx);
      return (
        await sql<{
          class: string;
          delete_after: Date;
          deleted_at: Date | null;
        }>`select class, delete_after, deleted_at from retention_ledger`.execute(trx)
      ).rows;
    });
  for (;;) {
    const rows = await ledger();
    const pending = rows.filter((r) => r.deleted_at === null).length;
    if (rows.length === JOBS * 3 && pending === 0) break;
    if (Date.now() - started > 30 * 60_000)
      throw new Error(`still ${pending} classes pending after 30 minutes`);
    await new Promise((r) => setTimeout(r, 1000));
  }
  const rows = await ledger();
  console.log(
    `deletion lag (delete_after -> deleted_at), ${JOBS} jobs on ${server === undefined ? 'PGlite' : 'PostgreSQL'}, sweep every ${SWEEP} s, ${((Date.now() - started) / 1000).toFixed(0)} s in all`,
  );
  for (const cls of ['original', 'extracted_text', 'redacted']) {
    const lags = rows
      .filter((r) => r.class === cls)
      .map((r) => new Date(r.deleted_at!).getTime() - new Date(r.delete_after).getTime())
      .sort((a, b) => a - b);
    console.log(
      `${cls.padEnd(15)} n=${lags.length}  p50 ${(percentile(lags, 50) / 1000).toFixed(2)} s  p99 ${(percentile(lags, 99) / 1000).toFixed(2)} s  max ${(lags.at(-1)! / 1000).toFixed(2)} s`,
    );
  }
} finally {
  await service.close();
  await server?.drop();
  await rm(dataDir, { recursive: true, force: true });
}
