/**
 * `npm run bench:job-sql`: what one text job costs the database, a figure the machine's load does
 * not move. `veil serve`'s service (`startService`, no embedded workers) on a fresh PostgreSQL
 * database takes JOB_SQL_JOBS (default 100) 5 KB text jobs over HTTP; then a worker runtime wired
 * as `veil worker` is (its own pool, pg-boss, audit logs recording each step) runs them. Every
 * statement sent through `pg` is counted, per phase and per kind: transaction control, the
 * tenant-scope `set_config`, pg-boss fetches (those that found a message, and empty polls, left
 * out of the per-job figure), sends, completions, audit appends and the rest.
 *
 * JOB_SQL_PG_URL (default postgres://postgres@127.0.0.1:5432/test) names the server; a database
 * is created for the run and dropped after it. JOB_SQL_CONCURRENCY sets the worker's concurrency
 * (default 2).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { mintDevelopmentToken } from '../../src/access/index.js';
import { startWorkers } from '../../src/pipeline/worker.js';
import { openRuntime } from '../../src/runtime/runtime.js';
import { openAuditLogs, recordWorkerEvent } from '../../src/runtime/audit.js';
import { adminQuery as adminQueryAt, createScratchDatabase, jobText } from './job-text.js';
import { postgresCpuSeconds } from './proc-cpu.js';
import { startBenchService } from './service.js';

const JOBS = Number(process.env.JOB_SQL_JOBS ?? 100);
const CONCURRENCY = Number(process.env.JOB_SQL_CONCURRENCY ?? 2);
const PG_URL = process.env.JOB_SQL_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

type Kind =
  | 'transaction (begin/commit/rollback)'
  | 'tenant scope (set_config)'
  | 'queue fetch (found a message)'
  | 'queue fetch (empty poll)'
  | 'queue send'
  | 'queue complete/fail'
  | 'queue other'
  | 'audit append'
  | 'other';

const counts = new Map<Kind, number>();
let counting = true;

function kindOf(text: string): Kind | 'fetch' {
  const t = text.trimStart().toLowerCase();
  if (/^(begin|commit|rollback)\b/.test(t)) return 'transaction (begin/commit/rollback)';
  if (t.startsWith("select set_config('veil.tenant_id'")) return 'tenant scope (set_config)';
  if (t.includes('pgboss.')) {
    if (t.includes('skip locked') && t.includes("'active'")) return 'fetch';
    if (t.includes("state = 'completed'") || t.includes('deleted_jobs')) return 'queue complete/fail';
    if (t.includes('insert into pgboss.job')) return 'queue send';
    return 'queue other';
  }
  if (t.includes('audit_entries') || t.includes("hashtext('veil.audit')") || t.includes('veil_audit_append'))
    return 'audit append';
  return 'other';
}

const texts = new Map<string, number>();
const add = (kind: Kind, text = ''): void => {
  if (!counting) return;
  counts.set(kind, (counts.get(kind) ?? 0) + 1);
  // JOB_SQL_TRACE=1 prints each statement as it is sent (with JOB_SQL_JOBS=1: one job's sequence).
  if (process.env.JOB_SQL_TRACE !== undefined)
    console.log(`    ${text.replace(/\s+/g, ' ').trim().slice(0, 140)}`);
  if (process.env.JOB_SQL_TEXTS !== undefined)
    texts.set(text.slice(0, 160), (texts.get(text.slice(0, 160)) ?? 0) + 1);
};

// Every statement from every pool of this process goes through Client#query.
const original = pg.Client.prototype.query as (...args: unknown[]) => unknown;
(pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown }).query = function (
  this: pg.Client,
  ...args: unknown[]
): unknown {
  const first = args[0];
  const text = typeof first === 'string' ? first : ((first as { text?: string } | undefined)?.text ?? '');
  const kind = kindOf(text);
  if (kind !== 'fetch') add(kind, text);
  // pg's Pool#query (pg-boss's way in) passes a callback; Kysely awaits the promise.
  const callback = args.at(-1);
  if (kind === 'fetch' && typeof callback === 'function')
    args[args.length - 1] = (error: unknown, r: { rows?: unknown[] } | undefined) => {
      add((r?.rows?.length ?? 0) > 0 ? 'queue fetch (found a message)' : 'queue fetch (empty poll)');
      return (callback as (...a: unknown[]) => unknown)(error, r);
    };
  const result = original.apply(this, args);
  if (kind === 'fetch' && result instanceof Promise)
    void result.then(
      (r: { rows?: unknown[] }) =>
        add((r.rows?.length ?? 0) > 0 ? 'queue fetch (found a message)' : 'queue fetch (empty poll)'),
      () => add('queue fetch (empty poll)'),
    );
  return result;
};

let cpuFrom = process.cpuUsage();
let postgresFrom = 0;
/** Starts a phase's CPU clocks: this process's and the PostgreSQL backends'. */
function startClocks(): void {
  cpuFrom = process.cpuUsage();
  postgresFrom = postgresCpuSeconds(database);
}
function report(phase: string): void {
  const cpu = process.cpuUsage(cpuFrom);
  const postgres = postgresCpuSeconds(database) - postgresFrom;
  startClocks();
  const total = [...counts].filter(([k]) => k !== 'queue fetch (empty poll)').reduce((s, [, n]) => s + n, 0);
  console.log(`${phase}: ${(total / JOBS).toFixed(1)} statements per job (empty polls left out)`);
  // CPU time of this process (not PostgreSQL's): a figure the machine's load moves little.
  console.log(
    `  CPU time of this process (user + system)   ${((cpu.user + cpu.system) / 1000 / JOBS).toFixed(1).padStart(7)} ms per job`,
  );
  console.log(
    `  CPU time of the PostgreSQL backends        ${((postgres * 1000) / JOBS).toFixed(1).padStart(7)} ms per job`,
  );
  for (const [kind, n] of [...counts].sort((a, b) => b[1] - a[1]))
    console.log(`  ${kind.padEnd(38)} ${(n / JOBS).toFixed(2).padStart(7)} per job`);
  counts.clear();
  for (const [t, n] of [...texts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, Number(process.env.JOB_SQL_TEXTS || 25)))
    console.log(`    ${(n / JOBS).toFixed(2)}  ${t.replace(/\s+/g, ' ')}`);
  texts.clear();
}

/** Runs the bench's own administration with the statement count paused. */
async function uncounted<T>(work: () => Promise<T>): Promise<T> {
  counting = false;
  try {
    return await work();
  } finally {
    counting = true;
  }
}

const adminQuery = (query: string): Promise<void> => uncounted(() => adminQueryAt(PG_URL, query));

const text = jobText;

const dataDir = mkdtempSync(join(tmpdir(), 'veil-bench-job-sql-'));
const database = `veil_job_sql_${process.pid}`;
const databaseUrl = await uncounted(() => createScratchDatabase(PG_URL, database));
try {
  const service = await startBenchService({ dataDir, databaseUrl });
  const runtime = await openRuntime({ dataDir, databaseUrl });
  try {
    const tenants = 8;
    const headers = await Promise.all(
      Array.from({ length: tenants }, async (_, i) => ({
        authorization: `Bearer ${await mintDevelopmentToken(dataDir, { role: 'processor', tenant: `sql-${i}` })}`,
        'content-type': 'application/json',
      })),
    );
    // One job per tenant first, so the per-job figures leave out each tenant's first-time setup.
    const submit = async (i: number): Promise<void> => {
      const res = await fetch(`${service.url}/v1/jobs`, {
        method: 'POST',
        headers: headers[i % tenants]!,
        body: JSON.stringify({
          text: text(i % 16),
          purpose: 'claims',
          consent: { basis: 'contract' },
          outputs: ['findings_summary', 'redacted'],
          retention_days: 1,
        }),
      });
      if (res.status !== 202) throw new Error(`POST /v1/jobs answered ${res.status}`);
      await res.body?.cancel();
    };
    for (let i = 0; i < tenants; i += 1) await submit(i);
    counts.clear();
    startClocks();
    for (let i = 0; i < JOBS; i += 8)
      await Promise.all(Array.from({ length: Math.min(8, JOBS - i) }, (_, j) => submit(i + j)));
    report(`submit (POST /v1/jobs, ${JOBS} jobs, 8 at a time)`);

    const logs = await openAuditLogs({ db: runtime.handle.db, dataDir });
    let done = 0;
    const all = JOBS + tenants;
    const finished = new Promise<void>((resolve) => {
      const workersReady = startWorkers({
        ...runtime,
        concurrency: CONCURRENCY,
        pollingIntervalSeconds: 0.5,
        onEvent: (event) => {
          void recordWorkerEvent(logs, event);
          if (event.kind === 'step-done' && event.step === 'finalise' && ++done === all) resolve();
          if (event.kind === 'job-failed') console.error(`a job failed: ${event.code}`);
        },
      });
      void workersReady.then((w) => finished.then(() => w.stop()));
    });
    const started = performance.now();
    startClocks();
    await finished;
    const seconds = (performance.now() - started) / 1000;
    // Let the last audit appends land.
    await new Promise((r) => setTimeout(r, 500));
    // The first jobs of each tenant ran here too: scale to the jobs run.
    const scale = JOBS / all;
    for (const [k, n] of counts) counts.set(k, n * scale);
    report(`worker (${all} jobs, concurrency ${CONCURRENCY}, ${(all / seconds).toFixed(1)} jobs/s)`);
  } finally {
    await runtime.close();
    await service.close();
  }
} finally {
  rmSync(dataDir, { recursive: true, force: true });
  await adminQuery(`drop database if exists ${database} with (force)`);
}
